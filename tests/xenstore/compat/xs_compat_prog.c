/* xs_compat_prog.c: a program written only against Xen's <xenstore.h>
 * (libxen-dev's), built unchanged and linked against libxs. It checks
 * read/write, directory, a transaction conflict (EAGAIN, then a retry
 * succeeds) and watches; prints "PASS <what>" lines; exits 0 if all pass. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#define CHECK(cond, what)                                                          \
    do {                                                                           \
        if (!(cond)) {                                                             \
            printf("FAIL %s (line %d, errno %s)\n", what, __LINE__, strerror(errno)); \
            return 1;                                                              \
        }                                                                          \
    } while (0)

static int read_write(struct xs_handle *h)
{
    unsigned int len;
    char *v;

    CHECK(xs_write(h, XBT_NULL, "/compat/greeting", "hello", 5), "write");
    v = xs_read(h, XBT_NULL, "/compat/greeting", &len);
    CHECK(v && len == 5 && !strcmp(v, "hello"), "read back");
    free(v);
    errno = 0;
    CHECK(!xs_read(h, XBT_NULL, "/compat/missing", &len) && errno == ENOENT, "ENOENT");
    CHECK(xs_mkdir(h, XBT_NULL, "/compat/dir"), "mkdir");
    printf("PASS read/write\n");
    return 0;
}

static int directory(struct xs_handle *h)
{
    unsigned int n;
    char **kids;

    CHECK(xs_write(h, XBT_NULL, "/compat/list/a", "1", 1), "write a");
    CHECK(xs_write(h, XBT_NULL, "/compat/list/b", "2", 1), "write b");
    kids = xs_directory(h, XBT_NULL, "/compat/list", &n);
    CHECK(kids && n == 2 && !strcmp(kids[0], "a") && !strcmp(kids[1], "b"), "directory");
    free(kids);
    CHECK(xs_rm(h, XBT_NULL, "/compat/list/a"), "rm");
    kids = xs_directory(h, XBT_NULL, "/compat/list", &n);
    CHECK(kids && n == 1 && !strcmp(kids[0], "b"), "directory after rm");
    free(kids);
    printf("PASS directory\n");
    return 0;
}

static int transactions(struct xs_handle *h, struct xs_handle *other)
{
    xs_transaction_t t;
    char *v;
    int tries = 0;

    CHECK(xs_write(h, XBT_NULL, "/compat/count", "1", 1), "write count");
    /* First attempt: someone else writes in between, so the commit fails. */
    t = xs_transaction_start(h);
    CHECK(t != XBT_NULL, "transaction start");
    v = xs_read(h, t, "/compat/count", NULL);
    CHECK(v && !strcmp(v, "1"), "read in transaction");
    free(v);
    CHECK(xs_write(other, XBT_NULL, "/compat/count", "7", 1), "conflicting write");
    CHECK(xs_write(h, t, "/compat/count", "2", 1), "write in transaction");
    errno = 0;
    CHECK(!xs_transaction_end(h, t, false) && errno == EAGAIN, "conflict gives EAGAIN");
    /* The usual retry loop then succeeds. */
    for (;;) {
        char buf[16];
        tries++;
        t = xs_transaction_start(h);
        CHECK(t != XBT_NULL, "transaction restart");
        v = xs_read(h, t, "/compat/count", NULL);
        CHECK(v != NULL, "read on retry");
        snprintf(buf, sizeof(buf), "%d", atoi(v) + 1);
        free(v);
        CHECK(xs_write(h, t, "/compat/count", buf, (unsigned int)strlen(buf)), "write retry");
        if (xs_transaction_end(h, t, false))
            break;
        CHECK(errno == EAGAIN && tries < 10, "retry");
    }
    v = xs_read(h, XBT_NULL, "/compat/count", NULL);
    CHECK(v && !strcmp(v, "8"), "committed value");
    free(v);
    t = xs_transaction_start(h);
    CHECK(xs_write(h, t, "/compat/count", "99", 2), "write to abort");
    CHECK(xs_transaction_end(h, t, true), "abort");
    v = xs_read(h, XBT_NULL, "/compat/count", NULL);
    CHECK(v && !strcmp(v, "8"), "abort kept the value");
    free(v);
    printf("PASS transactions (EAGAIN, then a retry succeeded)\n");
    return 0;
}

static int watches(struct xs_handle *h, struct xs_handle *other)
{
    unsigned int n;
    char **ev;
    struct pollfd pfd;

    CHECK(xs_watch(h, "/compat/w", "tok"), "watch");
    ev = xs_read_watch(h, &n);
    CHECK(ev && n >= 2 && !strcmp(ev[XS_WATCH_PATH], "/compat/w") &&
          !strcmp(ev[XS_WATCH_TOKEN], "tok"), "first event at once");
    free(ev);
    CHECK(xs_write(other, XBT_NULL, "/compat/w/x", "1", 1), "write under the watch");
    ev = xs_read_watch(h, &n);
    CHECK(ev && !strcmp(ev[XS_WATCH_PATH], "/compat/w/x"), "event for the change");
    free(ev);
    /* The poll()able descriptor, then a non-blocking check. */
    pfd.fd = xs_fileno(h);
    pfd.events = POLLIN;
    CHECK(pfd.fd >= 0, "fileno");
    CHECK(xs_write(other, XBT_NULL, "/compat/w/y", "2", 1), "second write");
    CHECK(poll(&pfd, 1, 10000) == 1, "fileno readable");
    ev = xs_check_watch(h);
    CHECK(ev && !strcmp(ev[XS_WATCH_PATH], "/compat/w/y"), "check_watch");
    free(ev);
    errno = 0;
    CHECK(!xs_check_watch(h) && errno == EAGAIN, "no more events");
    CHECK(xs_unwatch(h, "/compat/w", "tok"), "unwatch");
    printf("PASS watches\n");
    return 0;
}

static int permissions(struct xs_handle *h)
{
    struct xs_permissions set[2] = { { 0, XS_PERM_NONE }, { 5, XS_PERM_READ } }, *got;
    unsigned int n;

    CHECK(xs_set_permissions(h, XBT_NULL, "/compat/greeting", set, 2), "set perms");
    got = xs_get_permissions(h, XBT_NULL, "/compat/greeting", &n);
    CHECK(got && n == 2 && got[1].id == 5 && got[1].perms == XS_PERM_READ, "get perms");
    free(got);
    printf("PASS permissions\n");
    return 0;
}

int main(void)
{
    struct xs_handle *h = xs_open(0), *other = xs_open(0);
    int rc;

    if (!h || !other) {
        printf("FAIL xs_open: %s\n", strerror(errno));
        return 1;
    }
    rc = read_write(h) || directory(h) || transactions(h, other) || watches(h, other) ||
         permissions(h);
    xs_close(other);
    xs_close(h);
    return rc;
}
