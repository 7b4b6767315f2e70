/* xs_harness.c: xenstore test helpers. */
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

#include "xs_harness.h"

static const struct xsd_transport test_transport = { "test", NULL };

struct xsd *xst_core(void)
{
    struct xsd_quota q;
    struct xsd *d;

    log_threshold = LOG_ERR;
    xsd_quota_defaults(&q);
    d = xsd_new(&q);
    cr_assert_not_null(d);
    return d;
}

struct xsd_conn *xst_conn(struct xsd *d, uint32_t domid)
{
    struct xsd_conn *c = xsd_conn_new(d, &test_transport, NULL, 0);

    cr_assert_not_null(c);
    if (domid) {
        char id[16], cmd[] = "act-as";
        snprintf(id, sizeof(id), "%u", domid);
        if (!xsd_domain_find(d, domid))
            cr_assert_str_eq(xst_req(c, XS_INTRODUCE, 0, id, "1", "1", NULL), "OK");
        cr_assert_str_eq(xst_req(c, XS_CONTROL, 0, cmd, id, NULL), "OK");
    }
    return c;
}

/* Pop one whole message from c's output. */
static bool pop(struct xsd_conn *c, struct xst_reply *r)
{
    const void *buf;
    size_t len;
    uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    size_t have = 0;

    while (have < sizeof(struct xsd_sockmsg) ||
           have < sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)msg)->len) {
        if (!xsd_conn_out_peek(c, &buf, &len))
            return false;
        size_t want = have < sizeof(struct xsd_sockmsg)
                          ? sizeof(struct xsd_sockmsg) - have
                          : sizeof(struct xsd_sockmsg) + ((struct xsd_sockmsg *)msg)->len - have;
        if (len > want)
            len = want;
        memcpy(msg + have, buf, len);
        have += len;
        xsd_conn_out_consume(c, len);
    }
    struct xsd_sockmsg h;
    memcpy(&h, msg, sizeof(h));
    r->type = h.type;
    r->req_id = h.req_id;
    r->tx_id = h.tx_id;
    r->len = h.len;
    cr_assert_leq(h.len, XENSTORE_PAYLOAD_MAX, "a reply longer than the protocol allows");
    memcpy(r->body, msg + sizeof(h), h.len);
    r->body[h.len] = 0;
    return true;
}

/* Events popped while looking for a reply, per connection (tests use few). */
#define MAX_KEPT 256
static struct {
    struct xsd_conn *c;
    char path[XENSTORE_PAYLOAD_MAX], token[XENSTORE_PAYLOAD_MAX];
} kept[MAX_KEPT];
static int nkept;

static void keep(struct xsd_conn *c, const struct xst_reply *r)
{
    cr_assert_lt(nkept, MAX_KEPT);
    kept[nkept].c = c;
    strcpy(kept[nkept].path, r->body);
    strcpy(kept[nkept].token, r->body + strlen(r->body) + 1);
    nkept++;
}

struct xst_reply xst_call(struct xsd_conn *c, uint32_t type, uint32_t tx, const void *payload,
                          uint32_t len)
{
    static uint32_t req_id = 100;
    struct xsd_sockmsg h = { type, ++req_id, tx, len };
    uint8_t msg[sizeof(h) + XENSTORE_PAYLOAD_MAX];
    struct xst_reply r;

    /* Keep what is already queued (events) apart from this reply. */
    while (pop(c, &r))
        if (r.type == XS_WATCH_EVENT)
            keep(c, &r);
    cr_assert_leq(len, XENSTORE_PAYLOAD_MAX);
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), payload, len);
    /* Alternate whole and split deliveries: the parser must not care. */
    if (req_id % 2) {
        cr_assert_eq(xsd_conn_feed(c, msg, sizeof(h) + len), sizeof(h) + len);
    } else {
        size_t half = (sizeof(h) + len) / 2;
        cr_assert_eq(xsd_conn_feed(c, msg, half), half);
        cr_assert_eq(xsd_conn_feed(c, msg + half, sizeof(h) + len - half),
                     sizeof(h) + len - half);
    }
    for (;;) {
        cr_assert(pop(c, &r), "no reply to a request of type %u", type);
        if (r.type != XS_WATCH_EVENT)
            break;
        keep(c, &r);
    }
    cr_assert_eq(r.req_id, req_id, "the reply names its request");
    cr_assert_eq(r.tx_id, tx);
    cr_assert(r.type == type || r.type == XS_ERROR, "reply type %u to %u", r.type, type);
    return r;
}

const char *xst_req(struct xsd_conn *c, uint32_t type, uint32_t tx, ...)
{
    static char text[XENSTORE_PAYLOAD_MAX + 16];
    char payload[XENSTORE_PAYLOAD_MAX];
    uint32_t len = 0;
    va_list ap;
    const char *s;

    va_start(ap, tx);
    while ((s = va_arg(ap, const char *))) {
        size_t l = strlen(s) + 1;
        cr_assert_leq(len + l, sizeof(payload));
        memcpy(payload + len, s, l);
        len += (uint32_t)l;
    }
    va_end(ap);
    struct xst_reply r = xst_call(c, type, tx, payload, len);
    if (r.type == XS_ERROR)
        snprintf(text, sizeof(text), "error %s", r.body);
    else
        snprintf(text, sizeof(text), "%s", r.body);
    return text;
}

const char *xst_read(struct xsd_conn *c, uint32_t tx, const char *path)
{
    return xst_req(c, XS_READ, tx, path, NULL);
}

const char *xst_write(struct xsd_conn *c, uint32_t tx, const char *path, const char *value)
{
    static char text[XENSTORE_PAYLOAD_MAX + 16];
    char payload[XENSTORE_PAYLOAD_MAX];
    size_t pl = strlen(path) + 1, vl = strlen(value);

    cr_assert_leq(pl + vl, sizeof(payload));
    memcpy(payload, path, pl);
    memcpy(payload + pl, value, vl);
    struct xst_reply r = xst_call(c, XS_WRITE, tx, payload, (uint32_t)(pl + vl));
    snprintf(text, sizeof(text), "%s%s", r.type == XS_ERROR ? "error " : "", r.body);
    return text;
}

uint32_t xst_tx_start(struct xsd_conn *c)
{
    const char *id = xst_req(c, XS_TRANSACTION_START, 0, "", NULL);
    uint32_t t = (uint32_t)strtoul(id, NULL, 10);

    cr_assert_neq(t, 0, "transaction start: %s", id);
    return t;
}

const char *xst_tx_end(struct xsd_conn *c, uint32_t tx, bool commit)
{
    return xst_req(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL);
}

bool xst_event(struct xsd_conn *c, char *path, char *token)
{
    struct xst_reply r;

    while (pop(c, &r)) {
        cr_assert_eq(r.type, XS_WATCH_EVENT, "an unsolicited reply");
        cr_assert_eq(r.req_id, 0);
        cr_assert_eq(r.tx_id, 0);
        keep(c, &r);
    }
    for (int i = 0; i < nkept; i++) {
        if (kept[i].c != c)
            continue;
        strcpy(path, kept[i].path);
        strcpy(token, kept[i].token);
        memmove(&kept[i], &kept[i + 1], (size_t)(nkept - i - 1) * sizeof(kept[0]));
        nkept--;
        return true;
    }
    return false;
}

void xst_drain(struct xsd_conn *c)
{
    static char p[XENSTORE_PAYLOAD_MAX], t[XENSTORE_PAYLOAD_MAX];

    while (xst_event(c, p, t))
        ;
}

const char *xst_build_path(const char *rel)
{
    static __thread char path[512];
    const char *b = getenv("PVHV_BUILD");

    snprintf(path, sizeof(path), "%s/%s", b ? b : "build", rel);
    return path;
}

static bool can_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    bool ok;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        close(fd);
        return false;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

pid_t xst_daemon_start(char *rundir, ...)
{
    const char *argv[32] = { "pvxenstored", "--rundir", rundir, "--quiet" };
    int argc = 4;
    char sock[128];
    va_list ap;
    pid_t pid;

    strcpy(rundir, "/tmp/pvxs-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rundir), "mkdtemp: %s", strerror(errno));
    va_start(ap, rundir);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        execv(xst_build_path("bin/pvxenstored"), (char **)argv);
        _exit(127);
    }
    snprintf(sock, sizeof(sock), "%s/xenstored/socket", rundir);
    setenv("XENSTORED_PATH", sock, 1);
    for (int i = 0; i < 1000; i++) {
        if (can_connect(sock))
            return pid;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            cr_assert_fail("pvxenstored exited at start");
        struct timespec ts = { 0, 5000000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_fail("pvxenstored did not come up");
    return -1;
}

int xst_daemon_stop(pid_t pid, const char *rundir)
{
    int st = 0;
    char cmd[128];

    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rundir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", rundir);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int xst_run(const char *cmd, char *out, size_t cap)
{
    FILE *f = popen(cmd, "r");
    size_t n = 0;
    int st;

    cr_assert_not_null(f);
    while (n + 1 < cap) {
        size_t k = fread(out + n, 1, cap - 1 - n, f);
        if (k == 0)
            break;
        n += k;
    }
    out[n] = 0;
    st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
