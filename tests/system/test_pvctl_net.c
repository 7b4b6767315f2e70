/* test_pvctl_net.c: networks through the toolstack, in a network namespace
 * of the test's own (the host's interfaces are never touched): net-create
 * a hostonly network, a guest with a vif on it (MAC and MTU from the
 * config), ping it from the host side, network-list/-detach/-attach, and
 * destroy taking its TAP away. */
#include <criterion/criterion.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "toolstack.h"

static struct stack st;

static void setup(void)
{
    stack_init(&st);
    if (access("/dev/net/tun", R_OK | W_OK) < 0) {
        if (getenv("PV_ALLOW_NO_TUN") && !strcmp(getenv("PV_ALLOW_NO_TUN"), "1"))
            cr_skip_test("no usable /dev/net/tun (PV_ALLOW_NO_TUN=1)");
        cr_assert_fail("this test needs /dev/net/tun (%s); PV_ALLOW_NO_TUN=1 skips it",
                       strerror(errno));
    }
    /* This test's process and everything it starts (pvctl, the daemons)
     * live in a network namespace of their own. */
    cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
    cr_assert_eq(system("ip link set lo up"), 0, "the test needs iproute2's ip");
}

static void teardown(void) { stack_fini(&st); }

TestSuite(pvctl_net, .init = setup, .fini = teardown, .timeout = 90);

/* The MTU of interface `name`, or -1 if there is none. */
static int if_mtu(const char *name)
{
    struct ifreq ifr = { 0 };
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
        r = ifr.ifr_mtu;
    if (fd >= 0)
        close(fd);
    return r;
}

Test(pvctl_net, hostonly_network_vif_ping_list_detach_destroy)
{
    char body[1024], tap[32], cmd[128];

    cr_assert_eq(pvctl(&st, "net-create", "lab", "mode=hostonly", "subnet=10.99.0.0/24", NULL),
                 0, "%s", st.err);
    cr_expect(strstr(st.out, "10.99.0.0/24") && strstr(st.out, "10.99.0.1"), "%s", st.out);
    cr_assert_eq(pvctl(&st, "net-list", NULL), 0);
    cr_expect(strstr(st.out, "lab") && strstr(st.out, "hostonly") && strstr(st.out, " up"),
              "%s", st.out);

    snprintf(body, sizeof(body),
             "name = \"web\"\nkernel = \"@KERNEL@\"\nmemory = 64\n"
             "cmdline = \"cmd=net op=serve ip=10.99.0.2\"\n"
             "vif = [ 'bridge=lab, mac=00:16:3e:00:00:42, mtu=1400' ]\n");
    cr_assert_eq(pvctl(&st, "create", stack_config(&st, "web.cfg", body), NULL), 0, "%s",
                 st.err);
    cr_assert(stack_console_has(&st, "web", "net: serving", 30000), "the guest never served");
    cr_expect(stack_console_has(&st, "web", "mac=00:16:3e:00:00:42 mtu=1400", 100),
              "the guest did not get the configured MAC and MTU");

    int id = stack_domid(&st, "web");
    snprintf(tap, sizeof(tap), "vif%d.0", id);
    cr_expect_eq(if_mtu(tap), 1400, "%s's MTU", tap);
    cr_expect_eq(system("ping -c 2 -W 5 10.99.0.2 > /dev/null"), 0,
                 "the host does not reach the guest on the hostonly network");

    cr_assert_eq(pvctl(&st, "network-list", "web", NULL), 0, "%s", st.err);
    cr_expect(strstr(st.out, "00:16:3e:00:00:42") && strstr(st.out, " 4 "), "%s", st.out);

    /* a second vif hot-plugged, then detached by its MAC */
    cr_assert_eq(pvctl(&st, "network-attach", "web", "bridge=lab, mac=00:16:3e:00:00:43", NULL),
                 0, "%s", st.err);
    cr_assert_eq(pvctl(&st, "network-list", "web", NULL), 0);
    cr_expect(strstr(st.out, "00:16:3e:00:00:43"), "%s", st.out);
    cr_assert_eq(pvctl(&st, "network-detach", "web", "00:16:3e:00:00:43", NULL), 0, "%s",
                 st.err);
    cr_assert_eq(pvctl(&st, "network-list", "web", NULL), 0);
    cr_expect(!strstr(st.out, "00:16:3e:00:00:43"), "%s", st.out);
    cr_expect_eq(pvctl(&st, "network-attach", "web", "bridge=lab, mtu=5", NULL), 1);
    cr_expect(strstr(st.err, "network-attach: vif:"), "%s", st.err);

    /* destroy: the TAP goes with the domain */
    cr_assert_eq(pvctl(&st, "destroy", "web", NULL), 0);
    bool gone = false;
    for (int i = 0; i < 60 && !gone; i++) {
        gone = if_mtu(tap) < 0;
        if (!gone)
            usleep(50000);
    }
    cr_expect(gone, "%s outlived its domain", tap);

    cr_assert_eq(pvctl(&st, "net-destroy", "lab", NULL), 0, "%s", st.err);
    snprintf(cmd, sizeof(cmd), "ip link show lab > /dev/null 2>&1");
    cr_expect_neq(system(cmd), 0, "the bridge outlived net-destroy");
}
