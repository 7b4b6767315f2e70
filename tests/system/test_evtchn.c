/* test_evtchn.c: event channels as backends and guests use them: ping-pong
 * between a guest and dom0 and between two guests, VIRQ_TIMER and IPIs;
 * hostile binds from dom0 get errors. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/sched.h>

#include "harness.h"

static struct host host;
static char con[65536];

static void setup(void)
{
    host_start(&host);
}

static void teardown(void)
{
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(evtchn, .init = setup, .fini = teardown, .timeout = 90);

/* Read "evtchn: port N" (or another key) from the console. */
static unsigned console_number(uint32_t d, const char *key)
{
    unsigned v = 0;

    cr_assert(wait_console(&host, d, key, 5000, con, sizeof(con)), "no '%s' in:\n%s", key,
              con);
    const char *p = strstr(con, key) + strlen(key);
    cr_assert_eq(sscanf(p, "%u", &v), 1, "console: %s", con);
    return v;
}

/* Wait up to `ms` for an event on the handle; returns the port or -1. */
static int wait_event(struct pvctrl_evtchn *e, int ms)
{
    struct pollfd pfd = { .fd = pvctrl_evtchn_fd(e), .events = POLLIN };

    if (poll(&pfd, 1, ms) <= 0)
        return -1;
    return pvctrl_evtchn_pending(e);
}

Test(evtchn, ping_pong_with_dom0)
{
    struct pvctrl_evtchn *e;
    struct pvhv_ctl_dominfo info;
    const int rounds = 200;
    char cmd[64];

    snprintf(cmd, sizeof(cmd), "cmd=evtchn-dom0 rounds=%d", rounds);
    uint32_t d = boot_refguest(&host, "pingpong", cmd, 1, 32);
    unsigned gport = console_number(d, "evtchn: port ");
    cr_assert_eq(pvctrl_evtchn_open(host.rundir, &e), 0);
    int port = pvctrl_evtchn_bind_interdomain(e, d, gport);
    cr_assert_gt(port, 0, "bind to the guest's port %u: %d", gport, port);
    /* A fresh interdomain bind starts pending on the binder's side. */
    wait_event(e, 100);

    double t0 = now_ms();
    for (int i = 0; i < rounds; i++) {
        cr_assert_eq(pvctrl_evtchn_notify(e, (uint32_t)port), 0);
        int got = wait_event(e, 5000);
        cr_assert_eq(got, port, "round %d: no reply from the guest", i);
        cr_assert_eq(pvctrl_evtchn_unmask(e, (uint32_t)port), 0);
    }
    double per = (now_ms() - t0) * 1000.0 / rounds;
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 5000, &info),
              "state %s", pvctrl_state_name(info.state));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    char want[64];
    snprintf(want, sizeof(want), "evtchn: %d round trips", rounds);
    cr_expect(strstr(con, want) != NULL, "console:\n%s", con);
    cr_log_info("dom0<->guest event round trip: %.1f us", per);
    cr_expect_eq(pvctrl_evtchn_unbind(e, (uint32_t)port), 0);
    pvctrl_evtchn_close(e);
}

Test(evtchn, ping_pong_between_guests)
{
    struct pvhv_ctl_dominfo info;
    uint32_t server, client;
    char cmd[128], why[256];

    cr_assert_eq(pvctrl_domain_create(host.ctl, "client", NULL, 32 * 1024, 1, &client), 0);
    snprintf(cmd, sizeof(cmd), "cmd=evtchn-guest role=server peer=%u rounds=100", client);
    server = boot_refguest(&host, "server", cmd, 1, 32);
    unsigned sport = console_number(server, "evtchn: port ");
    snprintf(cmd, sizeof(cmd), "cmd=evtchn-guest role=client peer=%u port=%u rounds=100",
             server, sport);
    cr_assert_eq(pvctrl_domain_load(host.ctl, client, build_path("guests/refguest.elf"), NULL,
                                    cmd, why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, client), 0);
    for (int i = 0; i < 2; i++) {
        uint32_t d = i ? server : client;
        bool down = wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 10000, &info);
        wait_console(&host, d, "\xff", 0, con, sizeof(con));
        cr_expect(down, "%s: state %s, console:\n%s", info.name,
                  pvctrl_state_name(info.state), con);
        cr_expect(strstr(con, "evtchn: 100 round trips") != NULL, "%s console:\n%s",
                  info.name, con);
    }
}

Test(evtchn, virq_timer_fires)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "virq", "cmd=virq-timer count=20", 1, 32);

    expect_shutdown(&host, d, 10000, &info, con, sizeof(con));
    cr_expect(strstr(con, "virq: 20 timer events") != NULL, "console:\n%s", con);
}

/*
 * The same through Xen's domain-wide callback vector, the way Linux takes
 * its events. With KVM's Xen support (PV_KVM_XEN=1 in the SVM lab) pvhv
 * hands the vCPU's singleshot timer to KVM once VIRQ_TIMER is bound, and
 * takes it back around each SCHEDOP_block it serves; without it (=0)
 * pvhv's timerfd runs it throughout. The events must come either way.
 */
static void virq_timer_on_the_callback_vector(const char *cmdline)
{
    struct pvhv_ctl_dominfo info;
    struct pvhv_ctl_vcpuinfo seen;
    uint32_t d = boot_refguest(&host, "virqcb", cmdline, 1, 32);

    wait_shutdown_watching_vcpu0(&host, d, 30000, &info, &seen);
    expect_shutdown(&host, d, 0, &info, con, sizeof(con));
    cr_expect(strstr(con, "virq: upcall mode 3\n") != NULL,
              "the guest must take its events through the callback vector:\n%s", con);
    cr_expect(strstr(con, "virq: 100 timer events") != NULL, "console:\n%s", con);
    if (kvm_xen_expected() == 1)
        cr_expect_neq(seen.timer_port, 0, "with KVM's Xen support KVM runs the timer");
    else if (kvm_xen_expected() == 0)
        cr_expect_eq(seen.timer_port, 0, "without KVM's Xen support pvhv runs the timer");
}

/* The guest waits in SCHEDOP_poll: pvhv takes the deadline back from KVM
 * around each wait and hands it back after. */
Test(evtchn, virq_timer_through_the_callback_vector)
{
    virq_timer_on_the_callback_vector("cmd=virq-timer count=100 pvfront.upcall=callback");
}

/* The guest spins: KVM's timer fires while the vCPU runs the guest, and
 * KVM raises the event itself. */
Test(evtchn, virq_timer_through_the_callback_vector_while_spinning)
{
    virq_timer_on_the_callback_vector(
        "cmd=virq-timer count=100 spin=1 pvfront.upcall=callback");
}

Test(evtchn, ipis_between_vcpus)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "ipi", "cmd=ipi", 2, 32);

    expect_shutdown(&host, d, 10000, &info, con, sizeof(con));
    cr_expect(strstr(con, "ipi: ") != NULL && strstr(con, " round trips") != NULL,
              "console:\n%s", con);
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff);
}

Test(evtchn, dom0_binds_are_checked)
{
    struct pvctrl_evtchn *e;

    cr_assert_eq(pvctrl_evtchn_open(host.rundir, &e), 0);
    cr_expect_eq(pvctrl_evtchn_bind_interdomain(e, 4242, 1), -XEN_ESRCH, "no such domain");
    uint32_t d = boot_refguest(&host, "target", "cmd=spin", 1, 32);
    cr_expect_eq(pvctrl_evtchn_bind_interdomain(e, d, 0), -XEN_EINVAL, "port 0");
    cr_expect_eq(pvctrl_evtchn_bind_interdomain(e, d, 5000), -XEN_EINVAL, "out of range");
    cr_expect_eq(pvctrl_evtchn_bind_interdomain(e, d, 7), -XEN_EINVAL, "closed port");
    cr_expect_eq(pvctrl_evtchn_notify(e, 3), -XEN_EINVAL, "not our port");
    cr_expect_eq(pvctrl_evtchn_unbind(e, 3), -XEN_EINVAL, "not our port");
    cr_expect_eq(pvctrl_evtchn_pending(e), -XEN_EAGAIN);
    /* An unbound dom0 port the guest never binds: no event, no harm. */
    int p = pvctrl_evtchn_bind_unbound_port(e, d);
    cr_expect_gt(p, 0);
    cr_expect_eq(pvctrl_evtchn_notify(e, (uint32_t)p), 0);
    cr_expect_eq(pvctrl_evtchn_unbind(e, (uint32_t)p), 0);
    pvctrl_evtchn_close(e);
    cr_expect(host_alive(&host));
}
