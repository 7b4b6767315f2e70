/* test_xenstore_restart.c: pvxenstored's state survives a restart: a
 * private pvhv and pvxenstored on one run directory, the toolstack's
 * steps by hand, the reference guest's `xenstore` command waiting on a
 * watch; pvxenstored is killed (kill -9, or SIGTERM) and a new one started
 * on the same run directory: dom0 finds the same tree and permissions, the
 * guest goes on over its ring through the new daemon and its old watch
 * still fires; a domain that died meanwhile is released. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
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

/* Send `sig` to pvxenstored and reap it; its wait status. */
static int xenstored_kill(int sig)
{
    int st = host_daemon_stop(xsd, sig);

    xsd = 0;
    return st;
}

static void setup(void)
{
    host_start(&host);
    xsd = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
}

static void teardown(void)
{
    if (xsd > 0) {
        int st = xenstored_kill(SIGTERM);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "pvxenstored must exit cleanly (%#x)",
                  st);
    }
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(xenstore_restart, .init = setup, .fini = teardown, .timeout = 90);

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* As the toolstack: the guest's home, dom0's "secret", device vtest/0. */
static void toolstack_setup(struct xs_handle *xs, uint32_t domid)
{
    char home[64], p[192], v[128];

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    struct xs_permissions own[] = { { .id = domid, .perms = XS_PERM_NONE } };
    cr_assert(xs_mkdir(xs, XBT_NULL, home), "mkdir %s: %s", home, strerror(errno));
    cr_assert(xs_set_permissions(xs, XBT_NULL, home, own, 1));
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

/* dom0's nodes with values of any bytes and permission lists. */
static const char binval[] = { 'b', 0, 'i', '\xff', 'n', 0, '\n' };

static void dom0_writes(struct xs_handle *xs, uint32_t d)
{
    char p[128];

    cr_assert(xs_write(xs, XBT_NULL, "/local/domain/0/persist/bin", binval, sizeof(binval)));
    cr_assert(xs_write(xs, XBT_NULL, "/local/domain/0/persist/empty", "", 0));
    snprintf(p, sizeof(p), "/local/domain/0/persist/for-%u", d);
    cr_assert(xs_write(xs, XBT_NULL, p, "readable by the guest", 21));
    struct xs_permissions rd[] = { { .id = 0, .perms = XS_PERM_NONE },
                                   { .id = d, .perms = XS_PERM_READ } };
    cr_assert(xs_set_permissions(xs, XBT_NULL, p, rd, 2));
    cr_assert(xs_write(xs, XBT_NULL, "/tool/pvctl/zz", "made first", 10));
    cr_assert(xs_write(xs, XBT_NULL, "/tool/pvctl/aa", "made second", 11));
    struct xs_permissions many[] = { { .id = 7, .perms = XS_PERM_READ },
                                     { .id = 0, .perms = XS_PERM_WRITE },
                                     { .id = d, .perms = XS_PERM_READ | XS_PERM_WRITE } };
    cr_assert(xs_set_permissions(xs, XBT_NULL, "/tool/pvctl/aa", many, 3));
}

/* The whole tree as dom0 sees it: one line per node with its value (bytes
 * escaped) and permissions, children in the order xenstored lists them. */
struct snap {
    char *text;
    size_t len, cap;
    int nodes;
};

static void snap_add(struct snap *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void snap_add(struct snap *s, const char *fmt, ...)
{
    va_list ap;
    char line[4096 * 4 + 512];

    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < sizeof(line));
    if (s->len + (size_t)n + 1 > s->cap) {
        s->cap = (s->len + (size_t)n + 1) * 2;
        s->text = realloc(s->text, s->cap);
        cr_assert_not_null(s->text);
    }
    memcpy(s->text + s->len, line, (size_t)n + 1);
    s->len += (size_t)n;
}

static void snap_walk(struct xs_handle *xs, struct snap *s, const char *path)
{
    unsigned int len = 0, np = 0, num = 0;
    char *v = xs_read(xs, XBT_NULL, path, &len);
    struct xs_permissions *perms = xs_get_permissions(xs, XBT_NULL, path, &np);
    char esc[4096 * 4 + 1];
    size_t e = 0;

    cr_assert_not_null(v, "read %s: %s", path, strerror(errno));
    cr_assert_not_null(perms, "perms %s: %s", path, strerror(errno));
    for (unsigned int i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        e += (size_t)snprintf(esc + e, sizeof(esc) - e, c >= 0x20 && c < 0x7f && c != '\\'
                                                          ? "%c" : "\\x%02x", c);
    }
    esc[e] = 0;
    snap_add(s, "%s = \"%s\" (%u bytes) perms", path, esc, len);
    for (unsigned int i = 0; i < np; i++)
        snap_add(s, " %u:%x", perms[i].id, perms[i].perms);
    snap_add(s, "\n");
    s->nodes++;
    free(v);
    free(perms);
    char **kids = xs_directory(xs, XBT_NULL, path, &num);
    cr_assert_not_null(kids, "directory %s: %s", path, strerror(errno));
    for (unsigned int i = 0; i < num; i++) {
        char child[512];
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", kids[i]);
        snap_walk(xs, s, child);
    }
    free(kids);
}

static struct snap snapshot(struct xs_handle *xs)
{
    struct snap s = { 0 };

    snap_walk(xs, &s, "/");
    return s;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void expect_line(const char *line)
{
    cr_expect(strstr(con, line) != NULL, "no line '%s' in the console:\n%s", line, con);
}

/*
 * A guest running cmd=xenstore waits on its watch of HOME/data/poke; dom0
 * has written nodes with permissions; pvxenstored dies by `sig` and a new
 * one starts. Everything must be as before, and the guest carries on.
 */
static void restart_keeps_everything(int sig)
{
    struct xs_handle *xs = xs_open(0);
    char home[64], want[512], path[192], ev[192];

    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
    uint32_t d = create_refguest(&host, "rs", "cmd=xenstore dev=vtest/0 timeout_ms=40000", 1, 32);
    snprintf(home, sizeof(home), "/local/domain/%u", d);
    toolstack_setup(xs, d);
    host_introduce(&host, xs, d);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    snprintf(want, sizeof(want), "xenstore: waiting for %s/data/poke\n", home);
    cr_assert(wait_console(&host, d, want, 30000, con, sizeof(con)),
              "the guest never said it waits; console:\n%s", con);
    dom0_writes(xs, d);
    struct snap before = snapshot(xs);
    cr_assert_gt(before.nodes, 15, "%s", before.text);

    /* Saves come at most 100 ms apart: a kill -9 loses at most that. */
    sleep_ms(300);
    int st = xenstored_kill(sig);
    if (sig == SIGKILL)
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
    else
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM: status %#x", st);
    xs_close(xs);
    sleep_ms(200);
    xsd = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    xs = xs_open(0);
    cr_assert_not_null(xs, "xs_open after the restart: %s", strerror(errno));

    /* dom0 sees the same tree: values, permissions, children's order. */
    struct snap after = snapshot(xs);
    cr_expect_str_eq(after.text, before.text, "the tree changed across the restart");
    cr_expect(xs_is_domain_introduced(xs, d), "domain %u must still be introduced", d);

    /* The guest's watch came back and fired once, as a new watch does:
     * its second event line follows the first with nothing between. */
    snprintf(ev, sizeof(ev), "xenstore: event %s/data/poke token tok\n", home);
    snprintf(want, sizeof(want), "%s%s", ev, ev);
    cr_assert(wait_console(&host, d, want, 15000, con, sizeof(con)),
              "the restored watch did not fire on restore; console:\n%s", con);

    /* Now a change: the watch set before the restart fires for it. */
    snprintf(path, sizeof(path), "%s/data/poke", home);
    cr_assert(xs_write(xs, XBT_NULL, path, "poked by dom0", 13), "write %s: %s", path,
              strerror(errno));
    cr_assert(wait_console(&host, d, "xenstore: poke = poked by dom0\n", 15000, con, sizeof(con)),
              "the watch set before the restart did not fire after it; console:\n%s", con);

    /* The guest goes on over its ring: the device handshake, through the
     * new daemon. */
    snprintf(want, sizeof(want), "xenstore: switched %s/device/vtest/0 to state 3\n", home);
    cr_assert(wait_console(&host, d, want, 20000, con, sizeof(con)), "console:\n%s", con);
    snprintf(path, sizeof(path), "%s/device/vtest/0/state", home);
    char *v = xs_read(xs, XBT_NULL, path, NULL);
    cr_expect(v && !strcmp(v, "3"), "%s = %s", path, v ? v : strerror(errno));
    free(v);
    snprintf(path, sizeof(path), "/local/domain/0/backend/vtest/%u/0/state", d);
    cr_assert(xs_write(xs, XBT_NULL, path, "4", 1));

    struct pvhv_ctl_dominfo info;
    bool down = wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 20000, &info);
    wait_console(&host, d, "xenstore: done\n", 2000, con, sizeof(con));
    cr_assert(down, "state %s (%s); console:\n%s", pvctrl_state_name(info.state),
              info.crash_msg, con);
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff);
    cr_expect_eq(count(con, ev), 3, "events: at once, on restore, for the write; console:\n%s",
                 con);
    snprintf(want, sizeof(want), "xenstore: switched %s/device/vtest/0 to state 4\n", home);
    expect_line(want);
    expect_line("xenstore: denied read /local/domain/0/secret: -13 EACCES\n");
    expect_line("xenstore: denied write /local/domain/0/secret: -13 EACCES\n");
    expect_line(" timeouts=0 ");
    expect_line("xenstore: done\n");
    snprintf(path, sizeof(path), "%s/device/vtest/0/state", home);
    v = xs_read(xs, XBT_NULL, path, NULL);
    cr_expect(v && !strcmp(v, "4"), "%s = %s", path, v ? v : strerror(errno));
    free(v);
    if (getenv("PVHV_TEST_VERBOSE"))
        fprintf(stderr, "domain %u's console:\n%s", d, con);
    free(before.text);
    free(after.text);
    xs_close(xs);
}

Test(xenstore_restart, kill_9_keeps_tree_domains_and_ring_watches)
{
    restart_keeps_everything(SIGKILL);
}

Test(xenstore_restart, sigterm_keeps_tree_domains_and_ring_watches)
{
    restart_keeps_everything(SIGTERM);
}

/* A domain destroyed while pvxenstored was down is released at restart;
 * one still there is served again. */
Test(xenstore_restart, domain_gone_meanwhile_is_released)
{
    struct xs_handle *xs = xs_open(0);
    struct pvhv_ctl_dominfo info;

    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
    uint32_t gone = create_refguest(&host, "gone", "cmd=xenstore", 1, 32);
    uint32_t kept = create_refguest(&host, "kept", "cmd=xenstore", 1, 32);
    toolstack_setup(xs, gone);
    toolstack_setup(xs, kept);
    host_introduce(&host, xs, gone);
    host_introduce(&host, xs, kept);
    sleep_ms(300);
    int st = xenstored_kill(SIGKILL);
    cr_assert(WIFSIGNALED(st), "status %#x", st);
    xs_close(xs);

    cr_assert_eq(pvctrl_domain_destroy(host.ctl, gone), 0);
    for (int i = 0; i < 500 && pvctrl_domain_getinfo(host.ctl, gone, &info) == 0; i++)
        sleep_ms(10);
    cr_assert_neq(pvctrl_domain_getinfo(host.ctl, gone, &info), 0, "domain %u not destroyed",
                  gone);

    xsd = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    xs = xs_open(0);
    cr_assert_not_null(xs);
    cr_expect(!xs_is_domain_introduced(xs, gone), "domain %u is gone: released", gone);
    cr_expect(xs_is_domain_introduced(xs, kept), "domain %u is still there", kept);
    /* Its nodes are the toolstack's to remove, as with Xen. */
    char home[64];
    snprintf(home, sizeof(home), "/local/domain/%u", gone);
    char *v = xs_read(xs, XBT_NULL, home, NULL);
    cr_expect_not_null(v, "%s", home);
    free(v);

    /* The kept one is served: it runs and talks to the new daemon. */
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, kept), 0);
    char want[128];
    snprintf(want, sizeof(want), "xenstore: waiting for /local/domain/%u/data/poke\n", kept);
    cr_assert(wait_console(&host, kept, want, 30000, con, sizeof(con)), "console:\n%s", con);
    expect_line(" = hello from ");
    xs_close(xs);
}
