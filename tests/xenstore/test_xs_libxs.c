/* test_xs_libxs.c: libxs against a real pvxenstored: the program written
 * for Xen's <xenstore.h>, threads sharing a handle, long directories,
 * domain calls, and clients that are slow or misbehave. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#include "xs_harness.h"

Test(xs_libxs, program_written_for_xens_header)
{
    char rundir[64], out[4096];
    pid_t d = xst_daemon_start(rundir, NULL);

    int rc = xst_run(xst_build_path("tests/xs_compat_prog"), out, sizeof(out));
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_str_eq(out, "PASS read/write\nPASS directory\n"
                          "PASS transactions (EAGAIN, then a retry succeeded)\n"
                          "PASS watches\nPASS permissions\n");
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
}

struct worker {
    struct xs_handle *h;
    int id, errors;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char path[64], val[32];

    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "/threads/%d/%d", w->id, i % 10);
        snprintf(val, sizeof(val), "%d", i);
        if (!xs_write(w->h, XBT_NULL, path, val, (unsigned int)strlen(val)))
            w->errors++;
        char *v = xs_read(w->h, XBT_NULL, path, NULL);
        /* Other threads write other paths: the value is ours. */
        if (!v || strcmp(v, val))
            w->errors++;
        free(v);
    }
    return NULL;
}

Test(xs_libxs, threads_share_a_handle_with_a_watch)
{
    char rundir[64];
    pid_t d = xst_daemon_start(rundir, NULL);
    struct xs_handle *h = xs_open(0);
    struct worker w[4];
    pthread_t th[4];
    unsigned int n;
    int events = 0;

    cr_assert_not_null(h);
    cr_assert(xs_watch(h, "/threads", "t"));
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){ h, i, 0 };
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_expect_eq(w[i].errors, 0, "thread %d", i);
    }
    /* 1 at once + 800 writes: every event arrives, in order of changes. */
    char **ev;
    while ((ev = xs_check_watch(h))) {
        events++;
        free(ev);
    }
    cr_expect_eq(errno, EAGAIN);
    cr_expect_eq(events, 801);
    char **kids = xs_directory(h, XBT_NULL, "/threads", &n);
    cr_expect_eq(n, 4);
    free(kids);
    xs_close(h);
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
}

Test(xs_libxs, long_directories_and_filters)
{
    char rundir[64], path[128];
    pid_t d = xst_daemon_start(rundir, NULL);
    struct xs_handle *h = xs_open(XS_UNWATCH_FILTER);
    unsigned int n;

    cr_assert_not_null(h);
    for (int i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/long/a-rather-long-child-name-%04d", i);
        cr_assert(xs_write(h, XBT_NULL, path, "", 0));
    }
    char **kids = xs_directory(h, XBT_NULL, "/long", &n);
    cr_assert_not_null(kids, "%s", strerror(errno));
    cr_expect_eq(n, 400);
    cr_expect_str_eq(kids[399], "a-rather-long-child-name-0399");
    free(kids);
    /* XS_UNWATCH_FILTER drops the queued events of the removed watch. */
    cr_assert(xs_watch(h, "/long", "f"));
    cr_assert(xs_write(h, XBT_NULL, "/long/x", "1", 1));
    cr_assert(xs_unwatch(h, "/long", "f"));
    errno = 0;
    cr_expect_null(xs_check_watch(h));
    cr_expect_eq(errno, EAGAIN);
    xs_close(h);
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
}

Test(xs_libxs, domains_control_and_errors)
{
    char rundir[64];
    pid_t d = xst_daemon_start(rundir, NULL);
    struct xs_handle *h = xs_open(0);

    cr_assert_not_null(h);
    cr_expect(!xs_is_domain_introduced(h, 3));
    cr_expect(xs_introduce_domain(h, 3, 0xfeff0, 1));
    cr_expect(xs_is_domain_introduced(h, 3));
    char *p = xs_get_domain_path(h, 3);
    cr_expect_str_eq(p, "/local/domain/3");
    free(p);
    cr_expect(xs_resume_domain(h, 3));
    cr_expect(xs_release_domain(h, 3));
    cr_expect(!xs_release_domain(h, 3));
    cr_expect_eq(errno, ENOENT);
    char *q = xs_control_command(h, "quota", NULL, 0);
    cr_expect(q && strstr(q, "nodes 1000"), "%s", q);
    free(q);
    cr_expect(!xs_restrict(h, 1));
    cr_expect(!xs_write(h, XBT_NULL, "bad//path", "", 0));
    cr_expect_eq(errno, EINVAL);
    cr_expect(xs_path_is_subpath("/a", "/a/b") && !xs_path_is_subpath("/a", "/ab"));
    cr_expect_eq(xs_suspend_evtchn_port(3), -1);
    cr_expect(xs_write(h, XBT_NULL, "/local/domain/3/device/suspend/event-channel", "17", 2));
    cr_expect_eq(xs_suspend_evtchn_port(3), 17);
    xs_close(h);
    /* The daemon goes away: calls fail, nothing hangs. */
    h = xs_open(0);
    cr_assert_not_null(h);
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
    cr_expect_null(xs_read(h, XBT_NULL, "/", NULL));
    cr_expect_null(xs_read_watch(h, NULL));
    xs_close(h);
    cr_expect_null(xs_open(0), "no daemon, no handle");
}

static int raw_connect(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

    const char *path = getenv("XENSTORED_PATH");

    cr_assert_lt(strlen(path), sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

Test(xs_libxs, slow_and_broken_clients_do_not_stall_others)
{
    char rundir[64];
    pid_t d = xst_daemon_start(rundir, NULL);
    struct xs_handle *h = xs_open(0);
    struct xsd_sockmsg hdr = { XS_READ, 1, 0, 2 };
    uint8_t msg[sizeof(hdr) + 2];

    cr_assert_not_null(h);
    memcpy(msg, &hdr, sizeof(hdr));
    memcpy(msg + sizeof(hdr), "/", 2);
    /* A client that sends requests and never reads its replies. */
    int slow = raw_connect();
    for (int i = 0; i < 200000; i++)
        if (send(slow, msg, sizeof(msg), MSG_NOSIGNAL) < 0)
            break;
    /* One that stops in the middle of a message. */
    int half = raw_connect();
    cr_assert_eq(send(half, msg, 7, 0), 7);
    /* One that sends an over-long payload (the daemon closes it). */
    int bad = raw_connect();
    struct xsd_sockmsg big = { XS_WRITE, 1, 0, 100000 };
    cr_assert_eq(send(bad, &big, sizeof(big), 0), (ssize_t)sizeof(big));
    /* Everyone else is served as usual. */
    cr_expect(xs_write(h, XBT_NULL, "/alive", "yes", 3));
    char *v = xs_read(h, XBT_NULL, "/alive", NULL);
    cr_expect_str_eq(v, "yes");
    free(v);
    close(slow);
    close(half);
    close(bad);
    xs_close(h);
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
}
