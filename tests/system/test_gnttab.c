/* test_gnttab.c: a guest grants pages; dom0 maps them as a backend would,
 * with Xen's checks: read-only honoured, no revocation while mapped, bad
 * refs and foreign grants refused; grant copies with per-op status. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/grant_table.h>

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

TestSuite(gnttab, .init = setup, .fini = teardown, .timeout = 90);

static int wait_event(struct pvctrl_evtchn *e, int ms)
{
    struct pollfd pfd = { .fd = pvctrl_evtchn_fd(e), .events = POLLIN };

    if (poll(&pfd, 1, ms) <= 0)
        return -1;
    return pvctrl_evtchn_pending(e);
}

/* Does writing one byte at p fault? Checked in a child process. */
static bool write_faults(volatile char *p)
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        /* ASan catches SIGSEGV itself and exits; let the kernel's
         * default action show the fault instead. */
        signal(SIGSEGV, SIG_DFL);
        p[0] = 'X';
        _exit(0);
    }
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

Test(gnttab, dom0_maps_a_guest_grant)
{
    struct pvctrl_gnttab *g;
    struct pvctrl_evtchn *e;
    struct pvhv_ctl_dominfo info;
    unsigned ref, roref, gport;

    uint32_t d = boot_refguest(&host, "granter", "cmd=grant", 1, 32);
    cr_assert(wait_console(&host, d, "grant: ref=", 5000, con, sizeof(con)), "%s", con);
    cr_assert(wait_console(&host, d, "\n", 100, con, sizeof(con)));
    cr_assert_eq(sscanf(strstr(con, "grant: ref="), "grant: ref=%u roref=%u port=%u", &ref,
                        &roref, &gport), 3, "console: %s", con);
    cr_assert_eq(pvctrl_gnttab_open(host.rundir, &g), 0);
    cr_assert_eq(pvctrl_evtchn_open(host.rundir, &e), 0);
    int port = pvctrl_evtchn_bind_interdomain(e, d, gport);
    cr_assert_gt(port, 0);
    wait_event(e, 100); /* the bind's own pending event */

    /* Read what the guest wrote; write back. */
    uint32_t r = ref;
    char *page = pvctrl_gnttab_map_grant_refs(g, 1, d, &r, PROT_READ | PROT_WRITE);
    cr_assert_not_null(page, "map: %s", strerror(errno));
    char want[64];
    snprintf(want, sizeof(want), "hello from domU %u", d);
    cr_expect_str_eq(page, want);
    strcpy(page, "hello from dom0");

    /* The read-only grant maps read-only, and refuses a writable map. */
    uint32_t ro = roref;
    cr_expect_null(pvctrl_gnttab_map_grant_refs(g, 1, d, &ro, PROT_READ | PROT_WRITE),
                   "a read-only grant must not map writable");
    char *rop = pvctrl_gnttab_map_grant_refs(g, 1, d, &ro, PROT_READ);
    cr_assert_not_null(rop, "read-only map: %s", strerror(errno));
    cr_expect_str_eq(rop, "readonly page");
    cr_expect(write_faults(rop), "writing a read-only grant must fault");
    cr_expect_eq(pvctrl_gnttab_unmap(g, rop, 1), 0);

    /* The guest tries to revoke while we hold the map, then tells us. */
    cr_assert_eq(pvctrl_evtchn_notify(e, (uint32_t)port), 0);
    cr_assert_eq(wait_event(e, 10000), port, "the guest did not answer");
    cr_expect_eq(pvctrl_gnttab_unmap(g, page, 1), 0);
    cr_assert_eq(pvctrl_evtchn_notify(e, (uint32_t)port), 0);

    expect_shutdown(&host, d, 10000, &info, con, sizeof(con));
    cr_expect(strstr(con, "grant: dom0 wrote 'hello from dom0'") != NULL, "%s", con);
    cr_expect(strstr(con, "grant: revoke while mapped: busy") != NULL, "%s", con);
    cr_expect(strstr(con, "grant: revoke after unmap: ok") != NULL, "%s", con);
    pvctrl_evtchn_close(e);
    pvctrl_gnttab_close(g);
}

Test(gnttab, bad_grants_are_refused)
{
    struct pvctrl_gnttab *g;
    uint32_t refs[2] = { 0, 99999 };

    cr_assert_eq(pvctrl_gnttab_open(host.rundir, &g), 0);
    cr_expect_null(pvctrl_gnttab_map_grant_refs(g, 1, 4242, refs, PROT_READ));
    cr_expect_eq(errno, ESRCH, "no such domain: %s", strerror(errno));
    uint32_t d = boot_refguest(&host, "nogrants", "cmd=spin", 1, 32);
    cr_assert(wait_console(&host, d, "spin 1", 5000, con, sizeof(con)));
    cr_expect_null(pvctrl_gnttab_map_grant_refs(g, 1, d, &refs[1], PROT_READ),
                   "a ref out of range");
    cr_expect_eq(errno, EPERM);
    cr_expect_null(pvctrl_gnttab_map_grant_refs(g, 1, d, &refs[0], PROT_READ),
                   "a ref never granted (no table even)");
    cr_expect_eq(errno, EPERM);
    cr_expect_null(pvctrl_gnttab_map_grant_refs(g, 0, d, refs, PROT_READ));
    cr_expect_eq(pvctrl_gnttab_unmap(g, (void *)0x1000, 1), -XEN_EINVAL);

    struct gnttab_copy op = { .flags = GNTCOPY_source_gref, .len = 16 };
    char buf[16];
    op.source.u.ref = 5;
    op.source.domid = (domid_t)d;
    op.dest.u.gmfn = (uintptr_t)buf;
    cr_expect_eq(pvctrl_gnttab_grant_copy(g, 1, &op), 0);
    cr_expect_eq(op.status, GNTST_bad_gntref, "status %d", op.status);
    op.source.domid = 4242;
    cr_expect_eq(pvctrl_gnttab_grant_copy(g, 1, &op), 0);
    cr_expect_eq(op.status, GNTST_bad_domain, "status %d", op.status);
    op.source.domid = (domid_t)d;
    op.source.offset = 4090;
    cr_expect_eq(pvctrl_gnttab_grant_copy(g, 1, &op), 0);
    cr_expect_eq(op.status, GNTST_bad_copy_arg, "status %d", op.status);
    pvctrl_gnttab_close(g);
    cr_expect(host_alive(&host));
}

/* Send one console line to a guest. */
static void type_line(uint32_t d, const char *line)
{
    cr_assert_eq(pvctrl_console_input(host.ctl, d, line, strlen(line)), (int)strlen(line));
}

Test(gnttab, a_guest_maps_another_guests_grant)
{
    struct pvhv_ctl_dominfo info;
    uint32_t a, b;
    unsigned ref;
    char cmd[96], why[256];

    /* B first, so A can name it as the peer. */
    cr_assert_eq(pvctrl_domain_create(host.ctl, "mapper", NULL, 32 * 1024, 1, &b), 0);
    snprintf(cmd, sizeof(cmd), "cmd=grant-to peer=%u", b);
    a = boot_refguest(&host, "granter", cmd, 1, 32);
    cr_assert(wait_console(&host, a, "grantto: ref=", 5000, con, sizeof(con)), "%s", con);
    cr_assert(wait_console(&host, a, "\n", 100, con, sizeof(con)));
    cr_assert_eq(sscanf(strstr(con, "grantto: ref="), "grantto: ref=%u", &ref), 1);
    snprintf(cmd, sizeof(cmd), "cmd=gntmap peer=%u ref=%u", a, ref);
    cr_assert_eq(pvctrl_domain_load(host.ctl, b, build_path("guests/refguest.elf"), NULL, cmd,
                                    why, sizeof(why)), 0, "%s", why);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, b), 0);
    static char bcon[16384];
    cr_assert(wait_console(&host, b, "gntmap: mapped\n", 5000, bcon, sizeof(bcon)), "%s", bcon);
    char want[64];
    snprintf(want, sizeof(want), "gntmap: read 'shared by domU %u'", a);
    cr_expect(strstr(bcon, want) != NULL, "B's console:\n%s", bcon);
    cr_expect(strstr(bcon, "second map at the same address status=-1") != NULL, "%s", bcon);

    /* While B maps it, A cannot take the page back; A sees B's write. */
    type_line(a, "show\nrevoke\n");
    cr_assert(wait_console(&host, a, "grantto: revoke ", 5000, con, sizeof(con)), "%s", con);
    snprintf(want, sizeof(want), "grantto: page says 'written by domU %u'", b);
    cr_expect(strstr(con, want) != NULL, "A's console:\n%s", con);
    cr_expect(strstr(con, "grantto: revoke busy") != NULL, "A's console:\n%s", con);

    type_line(b, "unmap\n");
    cr_assert(wait_state(&host, b, PVHV_DOMSTATE_SHUTDOWN, 5000, &info),
              "B state %s", pvctrl_state_name(info.state));
    wait_console(&host, b, "\xff", 0, bcon, sizeof(bcon));
    cr_expect(strstr(bcon, "gntmap: unmap rc=0 status=0") != NULL, "%s", bcon);
    type_line(a, "revoke\nquit\n");
    cr_assert(wait_state(&host, a, PVHV_DOMSTATE_SHUTDOWN, 5000, &info));
    wait_console(&host, a, "\xff", 0, con, sizeof(con));
    cr_expect(strstr(con, "grantto: revoke ok") != NULL, "A's console:\n%s", con);
}

Test(gnttab, a_guest_cannot_map_what_was_not_granted_to_it)
{
    struct pvhv_ctl_dominfo info;
    uint32_t a, b, c;
    unsigned ref;
    char cmd[96];

    cr_assert_eq(pvctrl_domain_create(host.ctl, "intended", NULL, 32 * 1024, 1, &b), 0);
    snprintf(cmd, sizeof(cmd), "cmd=grant-to peer=%u", b);
    a = boot_refguest(&host, "granter", cmd, 1, 32);
    cr_assert(wait_console(&host, a, "grantto: ref=", 5000, con, sizeof(con)));
    cr_assert(wait_console(&host, a, "\n", 100, con, sizeof(con)));
    cr_assert_eq(sscanf(strstr(con, "grantto: ref="), "grantto: ref=%u", &ref), 1);
    /* A third domain tries A's grant meant for B. */
    snprintf(cmd, sizeof(cmd), "cmd=gntmap peer=%u ref=%u", a, ref);
    c = boot_refguest(&host, "thief", cmd, 1, 32);
    bool crashed = wait_state(&host, c, PVHV_DOMSTATE_CRASHED, 5000, &info);
    wait_console(&host, c, "\xff", 0, con, sizeof(con));
    cr_expect(crashed, "state %s", pvctrl_state_name(info.state));
    cr_expect(strstr(con, "gntmap: map rc=0 status=-1") != NULL, "console:\n%s", con);
}
