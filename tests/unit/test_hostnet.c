/* test_hostnet.c: libhostnet (dom0-tools/hostnet), pvhv's host-side
 * networks, in a network namespace each test makes for itself (unshare in
 * the test's process): bridges, addresses, nftables tables and the
 * forwarding switch all live and die with it; the host's own are never
 * touched. Records go to a private run directory. Needs root and the nft
 * program (nftables). Suite name under netback*, with pvnetback's. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostnet.h"

static char rundir[64];
static char err[1024];

/* The output of a shell command (static buffer). */
static const char *sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *sh(const char *fmt, ...)
{
    static char out[16384];
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    out[0] = 0;
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = 0;
    pclose(p);
    return out;
}

/* What these tests need, else a clear failure (or, with PV_ALLOW_NO_TUN=1,
 * as pvnetback's tests without /dev/net/tun, a skip). */
static void need(bool ok, const char *what)
{
    if (ok)
        return;
    if (getenv("PV_ALLOW_NO_TUN") && !strcmp(getenv("PV_ALLOW_NO_TUN"), "1"))
        cr_skip_test("%s (PV_ALLOW_NO_TUN=1)", what);
    cr_assert_fail("%s; set PV_ALLOW_NO_TUN=1 to skip the network tests on such a host", what);
}

static void setup(void)
{
    need(geteuid() == 0, "libhostnet's tests need root (network namespaces, bridges)");
    need(unshare(CLONE_NEWNET) == 0, "libhostnet's tests need unshare(CLONE_NEWNET)");
    need(system("ip link set lo up") == 0, "libhostnet's tests need iproute2's ip");
    need(system("nft list tables >/dev/null 2>&1") == 0,
         "libhostnet needs the nft program and nf_tables: apt-get install nftables");
    need(system("ip link add pvprobe0 type bridge 2>/dev/null && ip link del pvprobe0") == 0,
         "libhostnet's tests need the kernel's bridge support");
    strcpy(rundir, "/tmp/pvhv-hostnet-XXXXXX");
    cr_assert_not_null(mkdtemp(rundir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", rundir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", rundir);
}

TestSuite(netback_hostnet, .init = setup, .fini = teardown, .timeout = 60);

static int forwarding(void)
{
    char c = '?';
    int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(read(fd, &c, 1), 1);
    close(fd);
    return c - '0';
}

Test(netback_hostnet, modes_and_names)
{
    enum hostnet_mode m;

    cr_expect(hostnet_mode_parse("hostonly", &m) == 0 && m == HOSTNET_HOSTONLY);
    cr_expect(hostnet_mode_parse("host-only", &m) == 0 && m == HOSTNET_HOSTONLY);
    cr_expect(hostnet_mode_parse("nat", &m) == 0 && m == HOSTNET_NAT);
    cr_expect(hostnet_mode_parse("bridged", &m) == 0 && m == HOSTNET_BRIDGED);
    cr_expect_eq(hostnet_mode_parse("routed", &m), -EINVAL);
    cr_expect_str_eq(hostnet_mode_name(HOSTNET_NAT), "nat");
    cr_expect_eq(hostnet_check_name("pvnet0", err, sizeof(err)), 0);
    cr_expect_eq(hostnet_check_name("a.b-c_d", err, sizeof(err)), 0);
    cr_expect_eq(hostnet_check_name("", err, sizeof(err)), -EINVAL);
    cr_expect_eq(hostnet_check_name("sixteen-chars-xx", err, sizeof(err)), -EINVAL);
    cr_expect(strstr(err, "1 to 15") != NULL, "%s", err);
    cr_expect_eq(hostnet_check_name("br/0", err, sizeof(err)), -EINVAL);
    cr_expect_eq(hostnet_check_name("-x", err, sizeof(err)), -EINVAL);
    cr_expect_eq(hostnet_check_name("a b", err, sizeof(err)), -EINVAL);
}

Test(netback_hostnet, hostonly_create_list_destroy)
{
    struct hostnet_info i;
    int r = hostnet_create(rundir, "pvh0", HOSTNET_HOSTONLY, NULL, &i, err, sizeof(err));
    cr_assert_eq(r, 0, "%s", err);
    cr_expect_str_eq(i.name, "pvh0");
    cr_expect_eq(i.mode, HOSTNET_HOSTONLY);
    cr_expect(i.pvhv && i.present && i.up);
    /* The default: a 10.X.Y.0/24 from the name, the host on .1. */
    unsigned a, b, c, d, len;
    cr_assert_eq(sscanf(i.subnet, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len), 5, "%s", i.subnet);
    cr_expect(a == 10 && d == 0 && len == 24 && b >= 16 && b < 240, "%s", i.subnet);
    char want[32];
    snprintf(want, sizeof(want), "10.%u.%u.1", b, c);
    cr_expect_str_eq(i.address, want);
    /* The kernel's view. */
    const char *out = sh("ip -d -o link show dev pvh0");
    cr_expect(strstr(out, "bridge") != NULL, "%s", out);
    cr_expect(strstr(out, "UP") != NULL, "%s", out);
    out = sh("ip -o -4 addr show dev pvh0");
    snprintf(want, sizeof(want), "inet 10.%u.%u.1/24", b, c);
    cr_expect(strstr(out, want) != NULL, "%s", out);
    /* Host-only: isolated by its table; no forwarding turned on. */
    out = sh("nft list table ip pvhv-pvh0 2>&1");
    cr_expect(strstr(out, "iifname \"pvh0\" oifname != \"pvh0\" drop") != NULL, "%s", out);
    cr_expect(strstr(out, "masquerade") == NULL, "%s", out);
    cr_expect_eq(forwarding(), 0);
    /* Its record. */
    char path[128];
    snprintf(path, sizeof(path), "%s/networks/pvh0.json", rundir);
    cr_expect_eq(access(path, R_OK), 0);
    struct hostnet_info g;
    cr_assert_eq(hostnet_get(rundir, "pvh0", &g), 0);
    cr_expect_str_eq(g.subnet, i.subnet);
    cr_expect(g.present && g.up && g.pvhv);
    /* The same name twice. */
    cr_expect_eq(hostnet_create(rundir, "pvh0", HOSTNET_HOSTONLY, NULL, NULL, err, sizeof(err)),
                 -EEXIST);
    cr_expect(strstr(err, "exists already") != NULL, "%s", err);
    /* Listed, with a bridge someone else made as bridged. */
    cr_assert_eq(system("ip link add mybr type bridge"), 0);
    struct hostnet_info *v;
    unsigned n;
    cr_assert_eq(hostnet_list(rundir, true, &v, &n, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(v[0].name, "mybr");
    cr_expect_eq(v[0].mode, HOSTNET_BRIDGED);
    cr_expect(!v[0].pvhv);
    cr_expect_str_eq(v[1].name, "pvh0");
    free(v);
    cr_assert_eq(hostnet_list(rundir, false, &v, &n, err, sizeof(err)), 0);
    cr_expect_eq(n, 1);
    free(v);
    cr_expect_eq(hostnet_get(rundir, "mybr", &g), 0);
    cr_expect_eq(g.mode, HOSTNET_BRIDGED);
    cr_expect_eq(hostnet_is_bridge("mybr", err, sizeof(err)), 0);
    cr_expect_eq(hostnet_is_bridge("lo", err, sizeof(err)), -ENOTTY);
    cr_expect_eq(hostnet_is_bridge("nope0", err, sizeof(err)), -ENODEV);
    cr_expect(strstr(err, "does not exist") != NULL, "%s", err);
    /* Destroy: only pvhv's. */
    cr_expect_eq(hostnet_destroy(rundir, "mybr", err, sizeof(err)), -EPERM);
    cr_expect(strstr(err, "not a pvhv network") != NULL, "%s", err);
    cr_expect_eq(hostnet_destroy(rundir, "nope0", err, sizeof(err)), -ENOENT);
    cr_assert_eq(hostnet_destroy(rundir, "pvh0", err, sizeof(err)), 0, "%s", err);
    cr_expect(if_nametoindex("pvh0") == 0, "the bridge is gone");
    cr_expect(if_nametoindex("mybr") != 0, "the other bridge is not");
    out = sh("nft list tables 2>&1");
    cr_expect(strstr(out, "pvhv-pvh0") == NULL, "%s", out);
    cr_expect_neq(access(path, F_OK), 0, "the record is gone");
    cr_expect_eq(hostnet_get(rundir, "pvh0", &g), -ENOENT);
}

Test(netback_hostnet, nat_masquerades_and_forwards)
{
    struct hostnet_info i;
    cr_assert_eq(forwarding(), 0);
    int r = hostnet_create(rundir, "pvn0", HOSTNET_NAT, "192.168.77.9/24", &i, err,
                           sizeof(err));
    cr_assert_eq(r, 0, "%s", err);
    cr_expect_str_eq(i.subnet, "192.168.77.0/24", "host bits dropped");
    cr_expect_str_eq(i.address, "192.168.77.1");
    cr_expect_eq(forwarding(), 1, "nat turns forwarding on");
    const char *out = sh("nft list table ip pvhv-pvn0 2>&1");
    cr_expect(strstr(out, "ip saddr 192.168.77.0/24 oifname != \"pvn0\" masquerade") != NULL,
              "%s", out);
    cr_expect(strstr(out, "ct state established,related accept") != NULL, "%s", out);
    /* A second nat network keeps forwarding on until the last goes. */
    cr_assert_eq(hostnet_create(rundir, "pvn1", HOSTNET_NAT, NULL, &i, err, sizeof(err)), 0,
                 "%s", err);
    cr_assert_eq(hostnet_destroy(rundir, "pvn0", err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(forwarding(), 1);
    cr_assert_eq(hostnet_destroy(rundir, "pvn1", err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(forwarding(), 0, "pvhv turned it on, the last nat network turns it off");
    /* Forwarding already on stays on. */
    cr_assert_eq(system("sysctl -q -w net.ipv4.ip_forward=1"), 0);
    cr_assert_eq(hostnet_create(rundir, "pvn2", HOSTNET_NAT, NULL, NULL, err, sizeof(err)), 0);
    cr_assert_eq(hostnet_destroy(rundir, "pvn2", err, sizeof(err)), 0);
    cr_expect_eq(forwarding(), 1, "not ours to turn off");
    out = sh("nft list tables 2>&1");
    cr_expect(strstr(out, "pvhv-") == NULL, "%s", out);
}

Test(netback_hostnet, subnets_avoid_what_the_host_uses)
{
    char s1[32], s2[32];
    struct hostnet_info i;

    /* Deterministic from the name. */
    cr_assert_eq(hostnet_default_subnet(rundir, "pvnet", s1, sizeof(s1), err, sizeof(err)), 0);
    cr_assert_eq(hostnet_default_subnet(rundir, "pvnet", s2, sizeof(s2), err, sizeof(err)), 0);
    cr_expect_str_eq(s1, s2);
    /* An address the host has in that /24 (on a device of its own):
     * the next one is taken, and that one is what create gives. */
    unsigned b, c;
    cr_assert_eq(sscanf(s1, "10.%u.%u.0/24", &b, &c), 2);
    cr_assert_eq(system("ip link add dum0 type veth peer name dum1"), 0);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "ip addr add 10.%u.%u.77/28 dev dum0", b, c);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(hostnet_default_subnet(rundir, "pvnet", s2, sizeof(s2), err, sizeof(err)), 0);
    cr_expect_str_neq(s1, s2, "the /24 in use is skipped");
    cr_assert_eq(hostnet_create(rundir, "pvnet", HOSTNET_HOSTONLY, NULL, &i, err, sizeof(err)),
                 0, "%s", err);
    cr_expect_str_eq(i.subnet, s2);
    /* Another network whose name hashes elsewhere but asks for the same
     * subnet: refused, naming the clash; a route counts too. */
    cr_expect_eq(hostnet_create(rundir, "other", HOSTNET_HOSTONLY, i.subnet, NULL, err,
                                sizeof(err)), -EADDRINUSE);
    cr_expect(strstr(err, "overlaps") != NULL, "%s", err);
    snprintf(cmd, sizeof(cmd), "ip addr add 172.30.0.1/24 dev dum1 && ip link set dum0 up && "
             "ip link set dum1 up && ip route add 172.31.0.0/16 via 172.30.0.2");
    cr_assert_eq(system(cmd), 0);
    cr_expect_eq(hostnet_create(rundir, "other", HOSTNET_HOSTONLY, "172.31.4.0/24", NULL, err,
                                sizeof(err)), -EADDRINUSE);
    cr_expect(strstr(err, "route 172.31.0.0/16") != NULL, "%s", err);
    cr_expect_eq(hostnet_create(rundir, "other", HOSTNET_HOSTONLY, "10.1.2.3", NULL, err,
                                sizeof(err)), -EINVAL);
    cr_expect_eq(hostnet_create(rundir, "other", HOSTNET_HOSTONLY, "10.1.2.0/31", NULL, err,
                                sizeof(err)), -EINVAL);
    cr_expect_eq(hostnet_create(rundir, "other", HOSTNET_BRIDGED, NULL, NULL, err,
                                sizeof(err)), -EINVAL);
    /* A name that is an interface pvhv did not make. */
    cr_expect_eq(hostnet_create(rundir, "dum0", HOSTNET_HOSTONLY, NULL, NULL, err,
                                sizeof(err)), -EEXIST);
    cr_expect(strstr(err, "did not make") != NULL, "%s", err);
    cr_expect(if_nametoindex("other") == 0, "nothing left behind by the refusals");
    cr_assert_eq(hostnet_destroy(rundir, "pvnet", err, sizeof(err)), 0);
}

Test(netback_hostnet, a_lost_bridge_is_made_again)
{
    struct hostnet_info i, j;

    cr_assert_eq(hostnet_create(rundir, "pvl0", HOSTNET_NAT, NULL, &i, err, sizeof(err)), 0,
                 "%s", err);
    /* Someone deletes the bridge behind pvhv's back: listed as missing. */
    cr_assert_eq(system("ip link del pvl0"), 0);
    cr_assert_eq(hostnet_get(rundir, "pvl0", &j), 0);
    cr_expect(!j.present);
    /* Made again with its record's name; the same subnet is free again. */
    cr_assert_eq(hostnet_create(rundir, "pvl0", HOSTNET_NAT, i.subnet, &j, err, sizeof(err)), 0,
                 "%s", err);
    cr_expect_str_eq(j.subnet, i.subnet);
    cr_assert_eq(hostnet_destroy(rundir, "pvl0", err, sizeof(err)), 0, "%s", err);
    /* A record whose bridge and table are already gone goes quietly. */
    cr_assert_eq(hostnet_create(rundir, "pvl1", HOSTNET_HOSTONLY, NULL, NULL, err, sizeof(err)),
                 0);
    cr_assert_eq(system("ip link del pvl1 && nft delete table ip pvhv-pvl1"), 0);
    cr_expect_eq(hostnet_destroy(rundir, "pvl1", err, sizeof(err)), 0, "%s", err);
}
