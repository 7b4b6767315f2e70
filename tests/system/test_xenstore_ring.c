/* test_xenstore_ring.c: a guest talks to xenstore over its ring page: a
 * private pvhv and a private pvxenstored on one run directory, dom0 doing
 * what the toolstack does (home directory, permissions, introduce), the
 * reference guest's `xenstore` command on libpvfront's client. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/hvm/params.h>
#include <pvhv/pvhv_platform.h>
#include <pvhv/sched.h>
#include <xenstore.h>

#include "harness.h"

static struct host host;
static pid_t xsd;
static char con[65536];

static void setup(void)
{
    host_start(&host);
    xsd = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
}

static void teardown(void)
{
    /* xenstored first: it holds a control connection to pvhv. */
    if (xsd > 0) {
        int st = 0;
        kill(xsd, SIGTERM);
        waitpid(xsd, &st, 0);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "pvxenstored must exit cleanly (%#x)",
                  st);
        xsd = 0;
    }
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(xenstore_ring, .init = setup, .fini = teardown, .timeout = 90);

/*
 * What the toolstack does before it unpauses a new domain, but the
 * introduction: the domain's home owned by it, dom0's node "secret" with
 * perms "n0", and a device "vtest/0": the frontend directory (state
 * Initialising, backend path) and the backend's (state InitWait, owned by
 * dom0, readable by the guest).
 */
static void toolstack_setup(struct xs_handle *xs, uint32_t domid)
{
    char home[64], p[192], v[128];

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    struct xs_permissions own[] = { { .id = domid, .perms = XS_PERM_NONE } };
    cr_assert(xs_mkdir(xs, XBT_NULL, home), "mkdir %s: %s", home, strerror(errno));
    cr_assert(xs_set_permissions(xs, XBT_NULL, home, own, 1), "set perms on %s: %s", home,
              strerror(errno));
    /* dom0's own node, "n0": nobody else may read or write it. */
    const char *secret = "dom0 only";
    struct xs_permissions n0[] = { { .id = 0, .perms = XS_PERM_NONE } };
    cr_assert(xs_write(xs, XBT_NULL, "/local/domain/0/secret", secret, strlen(secret)));
    cr_assert(xs_set_permissions(xs, XBT_NULL, "/local/domain/0/secret", n0, 1));

    snprintf(p, sizeof(p), "/local/domain/0/backend/vtest/%u/0", domid);
    struct xs_permissions back[] = { { .id = 0, .perms = XS_PERM_NONE },
                                     { .id = domid, .perms = XS_PERM_READ } };
    cr_assert(xs_mkdir(xs, XBT_NULL, p));
    cr_assert(xs_set_permissions(xs, XBT_NULL, p, back, 2));
    snprintf(p, sizeof(p), "/local/domain/0/backend/vtest/%u/0/state", domid);
    cr_assert(xs_write(xs, XBT_NULL, p, "2", 1));
    snprintf(p, sizeof(p), "%s/device/vtest/0/state", home);
    cr_assert(xs_write(xs, XBT_NULL, p, "1", 1));
    snprintf(p, sizeof(p), "%s/device/vtest/0/backend", home);
    snprintf(v, sizeof(v), "/local/domain/0/backend/vtest/%u/0", domid);
    cr_assert(xs_write(xs, XBT_NULL, p, v, strlen(v)));
}


/* The value of `path` as dom0 reads it ("<error ...>" if it cannot). */
static const char *dom0_read(struct xs_handle *xs, const char *path)
{
    static char out[4][256];
    static int next;
    char *o = out[next++ % 4];
    unsigned int len = 0;
    char *v = xs_read(xs, XBT_NULL, path, &len);

    if (!v)
        snprintf(o, 256, "<error %s>", strerror(errno));
    else
        snprintf(o, 256, "%.*s", (int)len, v);
    free(v);
    return o;
}

static void expect_line(const char *line)
{
    cr_expect(strstr(con, line) != NULL, "no line '%s' in the console:\n%s", line, con);
}

/*
 * The guest's run once it talks to xenstore (cmd=xenstore dev=vtest/0):
 * dom0 checks what it wrote, pokes its watch, plays the backend of
 * vtest/0, and reads its report.
 */
static void guest_run(struct xs_handle *xs, uint32_t d)
{
    struct pvhv_ctl_dominfo info;
    char want[256], home[64], path[192];

    snprintf(home, sizeof(home), "/local/domain/%u", d);
    snprintf(want, sizeof(want), "xenstore: waiting for %s/data/poke\n", home);
    bool waiting = wait_console(&host, d, want, 30000, con, sizeof(con));
    if (!waiting && strstr(con, "-110 ETIMEDOUT"))
        cr_assert_fail("the guest's xenstore requests time out: pvxenstored does not serve "
                       "its ring (no ring transport?). Console:\n%s", con);
    cr_assert(waiting, "the guest never said it waits; console:\n%s", con);

    /* Everything before the wait, as the guest printed it and as dom0 sees it. */
    snprintf(want, sizeof(want), "xenstore: read %s = ''\n", home);
    expect_line(want);
    snprintf(want, sizeof(want), "xenstore: read %s/data/greeting = hello from %u\n", home, d);
    expect_line(want);
    snprintf(want, sizeof(want), "xenstore: directory %s/data: 1 entries: greeting\n", home);
    expect_line(want);
    expect_line("xenstore: transaction committed (tries=");
    expect_line("xenstore: big value of 2000 bytes read back intact\n");
    snprintf(path, sizeof(path), "%s/data/greeting", home);
    snprintf(want, sizeof(want), "hello from %u", d);
    cr_expect_str_eq(dom0_read(xs, path), want);
    snprintf(path, sizeof(path), "%s/data/tx-a", home);
    cr_expect_str_eq(dom0_read(xs, path), "one");
    snprintf(path, sizeof(path), "%s/data/tx-b", home);
    cr_expect(!strncmp(dom0_read(xs, path), "two ", 4), "tx-b: %s", dom0_read(xs, path));
    snprintf(path, sizeof(path), "%s/data/big", home);
    unsigned int blen = 0;
    char *big = xs_read(xs, XBT_NULL, path, &blen);
    cr_expect(big && blen == 2000 && big[0] == 'a' && big[1999] == 'a' + 1999 % 26,
              "big value: %u bytes", blen);
    free(big);

    /* The guest's nodes are its own (inherited from its home). */
    unsigned int np = 0;
    snprintf(path, sizeof(path), "%s/data/greeting", home);
    struct xs_permissions *perms = xs_get_permissions(xs, XBT_NULL, path, &np);
    cr_assert_not_null(perms, "get perms %s: %s", path, strerror(errno));
    cr_expect(np >= 1 && perms[0].id == d, "owner of %s: %u", path, np ? perms[0].id : 0);
    free(perms);

    /* Wake the guest's watch. */
    snprintf(path, sizeof(path), "%s/data/poke", home);
    cr_assert(xs_write(xs, XBT_NULL, path, "poked by dom0", 13), "write %s: %s", path,
              strerror(errno));

    /* The backend's side of vtest/0: Connected once the frontend is Initialised. */
    snprintf(want, sizeof(want), "xenstore: switched %s/device/vtest/0 to state 3\n", home);
    cr_assert(wait_console(&host, d, want, 20000, con, sizeof(con)), "console:\n%s", con);
    snprintf(path, sizeof(path), "%s/device/vtest/0/state", home);
    cr_expect_str_eq(dom0_read(xs, path), "3");
    snprintf(path, sizeof(path), "/local/domain/0/backend/vtest/%u/0/state", d);
    cr_assert(xs_write(xs, XBT_NULL, path, "4", 1));

    expect_shutdown(&host, d, 20000, &info, con, sizeof(con));
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff);
    snprintf(want, sizeof(want), "xenstore: event %s/data/poke token tok\n", home);
    expect_line(want);
    expect_line("xenstore: poke = poked by dom0\n");
    snprintf(want, sizeof(want),
             "xenstore: backend /local/domain/0/backend/vtest/%u/0/state reached state 4\n", d);
    expect_line(want);
    snprintf(want, sizeof(want), "xenstore: switched %s/device/vtest/0 to state 4\n", home);
    expect_line(want);
    snprintf(path, sizeof(path), "%s/device/vtest/0/state", home);
    cr_expect_str_eq(dom0_read(xs, path), "4");
    expect_line("xenstore: denied read /local/domain/0/secret: -13 EACCES\n");
    expect_line("xenstore: denied write /local/domain/0/secret: -13 EACCES\n");
    expect_line("xenstore: stats requests=");
    expect_line("xenstore: done\n");
    cr_expect_str_eq(dom0_read(xs, "/local/domain/0/secret"), "dom0 only",
                     "the refused write must change nothing");
    if (getenv("PVHV_TEST_VERBOSE"))
        fprintf(stderr, "domain %u's console:\n%s", d, con);
}

Test(xenstore_ring, guest_reads_writes_watches_and_is_refused)
{
    struct xs_handle *xs = xs_open(0);

    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
    uint32_t d = create_refguest(&host, "xs", "cmd=xenstore dev=vtest/0", 1, 32);
    toolstack_setup(xs, d);
    host_introduce(&host, xs, d);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    guest_run(xs, d);
    expect_line(" timeouts=0 ");
    expect_line(" late=0 bad=0\n");
    xs_close(xs);
}

/*
 * Introduced only after the guest's first request timed out: that request
 * sat in the ring; its late reply must be dropped, not taken for the
 * retry's, and everything after works.
 */
Test(xenstore_ring, guest_introduced_late_recovers)
{
    struct xs_handle *xs = xs_open(0);
    char want[128];

    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
    uint32_t d = create_refguest(&host, "late", "cmd=xenstore dev=vtest/0 retry=3", 1, 32);
    toolstack_setup(xs, d);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    snprintf(want, sizeof(want), "xenstore: read /local/domain/%u failed: -110 ETIMEDOUT, retrying\n",
             d);
    cr_assert(wait_console(&host, d, want, 15000, con, sizeof(con)), "console:\n%s", con);
    host_introduce(&host, xs, d);
    guest_run(xs, d);
    cr_expect(strstr(con, " late=0 ") == NULL, "the abandoned request's reply: %s", con);
    cr_expect(strstr(con, " bad=0\n") != NULL, "console: %s", con);
    xs_close(xs);
}

Test(xenstore_ring, guest_never_introduced_times_out_cleanly)
{
    struct pvhv_ctl_dominfo info;
    char want[128];

    /* Created and started with no xenstore setup at all: nobody serves its ring. */
    uint32_t d = create_refguest(&host, "lonely", "cmd=xenstore", 1, 32);
    cr_assert_eq(pvctrl_domain_getinfo(host.ctl, d, &info), 0);
    cr_expect_eq(info.state, PVHV_DOMSTATE_PAUSED, "created, not started: %s",
                 pvctrl_state_name(info.state));
    double t0 = now_ms();
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    cr_assert(wait_console(&host, d, "xenstore: init ok", 5000, con, sizeof(con)),
              "console:\n%s", con);
    snprintf(want, sizeof(want), "xenstore: read /local/domain/%u failed: -110 ETIMEDOUT\n", d);
    bool seen = wait_console(&host, d, want, 15000, con, sizeof(con));
    double waited = now_ms() - t0;
    cr_assert(seen, "no '%s' within 15 s; console:\n%s", want, con);
    /* The client's bound is 5 s of guest time: not at once, and not a hang. */
    cr_expect_geq(waited, 4500, "gave up after %.0f ms: before the 5 s bound", waited);
    cr_expect_leq(waited, 12000, "gave up after %.0f ms", waited);
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_CRASHED, 5000, &info),
              "a failed command crashes the guest; state %s", pvctrl_state_name(info.state));
    cr_expect(host_alive(&host));
}
