/* backend_xenbus.c: xenstore plumbing shared by the xenbus backend
 * daemons (backend_xenbus.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "backend_xenbus.h"
#include "log.h"

/* Conflicting transactions are retried this many times. */
#define TX_TRIES 16

int bk_xs_failed(struct bk_xs *x, const char *what, const char *path)
{
    int e = errno ? errno : EIO;

    if (e == ENOENT || e == EACCES || e == EINVAL || e == ENOSPC || e == E2BIG || e == EAGAIN ||
        e == EEXIST || e == EPERM || e == EBUSY)
        return -e;
    log_warn("lost xenstore (%s %s: %s); reconnecting every %d ms", what, path, strerror(e),
             x->tick_ms);
    bk_xs_close(x);
    return -e;
}

void bk_xs_close(struct bk_xs *x)
{
    if (!x->xs)
        return;
    int fd = xs_fileno(x->xs);
    if (fd >= 0)
        epoll_ctl(x->epfd, EPOLL_CTL_DEL, fd, NULL);
    xs_close(x->xs);
    x->xs = NULL;
    x->ops->lost(x->arg);
}

bool bk_xs_connect(struct bk_xs *x)
{
    int fd;

    if (x->xs)
        return false;
    x->xs = xs_open(0);
    if (!x->xs) {
        if (!x->waiting_logged)
            log_info("waiting for xenstore (%s); retrying every %d ms", strerror(errno),
                     x->tick_ms);
        x->waiting_logged = true;
        return false;
    }
    if (!xs_watch(x->xs, x->root, x->token_be) || (fd = xs_fileno(x->xs)) < 0) {
        log_warn("xenstore: cannot watch %s: %s", x->root, strerror(errno));
        xs_close(x->xs);
        x->xs = NULL;
        return false;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = x->data };
    if (epoll_ctl(x->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        log_warn("xenstore: epoll: %s", strerror(errno));
        xs_close(x->xs);
        x->xs = NULL;
        return false;
    }
    log_info("connected to xenstore (%s)", xs_daemon_socket());
    x->waiting_logged = false;
    /* The store may have restarted empty, or changed while we were away:
     * a full rescan, which knows it is the first. */
    x->fresh = true;
    x->rescan_now = true;
    return true;
}

char *bk_xs_read(struct bk_xs *x, xs_transaction_t t, const char *dir, const char *key)
{
    char path[256];
    char *v;

    if (!x->xs) {
        errno = ENOTCONN;
        return NULL;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    errno = 0;
    v = xs_read(x->xs, t, path, NULL);
    if (!v) {
        int e = bk_xs_failed(x, "read", path);
        errno = -e;
    }
    return v;
}

int bk_xs_read_uint(struct bk_xs *x, const char *dir, const char *key, unsigned long long *out)
{
    char *s = bk_xs_read(x, XBT_NULL, dir, key), *end;

    if (!s)
        return -errno;
    errno = 0;
    *out = strtoull(s, &end, 10);
    int r = (errno || end == s || *end) ? -EINVAL : 0;
    free(s);
    return r;
}

int bk_xs_read_frontend(struct bk_xs *x, const char *bpath, uint32_t domid, char *fpath,
                        size_t size)
{
    unsigned long long id;
    char want[40];
    char *s = bk_xs_read(x, XBT_NULL, bpath, "frontend");

    if (!s)
        return -errno;
    snprintf(want, sizeof(want), "/local/domain/%u/", domid);
    bool ok = !strncmp(s, want, strlen(want)) && strlen(s) < size && !strstr(s, "//") &&
              s[strlen(s) - 1] != '/';
    if (ok)
        strcpy(fpath, s);
    free(s);
    if (!ok)
        return -EINVAL;
    int r = bk_xs_read_uint(x, bpath, "frontend-id", &id);
    if (r == 0 && id != domid)
        return -EINVAL;
    if (r < 0 && r != -ENOENT)
        return r;
    return 0;
}

int bk_xs_exists(struct bk_xs *x, const char *path)
{
    errno = 0;
    char *v = xs_read(x->xs, XBT_NULL, path, NULL);
    if (v) {
        free(v);
        return 1;
    }
    int e = bk_xs_failed(x, "read", path);
    return e == -ENOENT ? 0 : e;
}

void bk_xs_watch_fe(struct bk_xs *x, const char *fpath, bool *watched, bool on)
{
    char path[256];

    if (!x->xs || !fpath[0] || *watched == on)
        return;
    snprintf(path, sizeof(path), "%s/state", fpath);
    errno = 0;
    bool ok = on ? xs_watch(x->xs, path, x->token_fe) : xs_unwatch(x->xs, path, x->token_fe);
    if (ok)
        *watched = on;
    else
        bk_xs_failed(x, on ? "watch" : "unwatch", path);
}

int bk_xs_write_guarded(struct bk_xs *x, const char *dir, const struct bk_kv *kvs, unsigned n)
{
    char path[256];

    for (int tries = 0; tries < TX_TRIES; tries++) {
        if (!x->xs)
            return -ENOTCONN;
        errno = 0;
        xs_transaction_t t = xs_transaction_start(x->xs);
        if (t == XBT_NULL)
            return bk_xs_failed(x, "transaction_start", dir);
        /* dir/state, read inside the transaction: the toolstack removing
         * dir meanwhile makes the commit fail rather than recreate it. */
        char *st = bk_xs_read(x, t, dir, "state");
        if (!st) {
            int e = errno;
            if (x->xs)
                xs_transaction_end(x->xs, t, true);
            return -e;
        }
        free(st);
        int r = 0;
        for (unsigned i = 0; i < n && r == 0; i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, kvs[i].key);
            errno = 0;
            if (!xs_write(x->xs, t, path, kvs[i].val, (unsigned)strlen(kvs[i].val)))
                r = bk_xs_failed(x, "write", path);
        }
        if (!x->xs)
            return r ? r : -ENOTCONN;
        if (r < 0) {
            xs_transaction_end(x->xs, t, true);
            return r;
        }
        errno = 0;
        if (xs_transaction_end(x->xs, t, false))
            return 0;
        if (errno != EAGAIN)
            return bk_xs_failed(x, "transaction_end", dir);
    }
    return -EAGAIN;
}

void bk_xs_write_error(struct bk_xs *x, const char *bpath, int err, const char *msg)
{
    char full[300], path[256];

    if (!x->xs)
        return;
    snprintf(full, sizeof(full), "%d %s", -err, msg);
    snprintf(path, sizeof(path), "%s/error", bpath);
    errno = 0;
    xs_transaction_t t = xs_transaction_start(x->xs);
    if (t == XBT_NULL) {
        bk_xs_failed(x, "transaction_start", bpath);
        return;
    }
    char *st = bk_xs_read(x, t, bpath, "state");
    bool ok = st && x->xs && xs_write(x->xs, t, path, full, (unsigned)strlen(full));
    free(st);
    if (x->xs)
        xs_transaction_end(x->xs, t, !ok);
}

/* Parse "/N/D..." (after the root): 0 and domid/devid/rest, or -EINVAL.
 * *depth: 0 the root, 1 a domain dir, 2 a device or deeper. */
static int parse_be_path(const char *rel, uint32_t *domid, uint32_t *devid, const char **rest,
                         int *depth)
{
    char *end;

    *depth = 0;
    if (*rel == 0)
        return 0;
    if (*rel != '/' || rel[1] < '0' || rel[1] > '9')
        return -EINVAL;
    errno = 0;
    unsigned long d = strtoul(rel + 1, &end, 10);
    if (errno || d > 0x7FEF)
        return -EINVAL;
    *domid = (uint32_t)d;
    *depth = 1;
    if (*end == 0)
        return 0;
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return -EINVAL;
    const char *p = end + 1;
    unsigned long id = strtoul(p, &end, 10);
    if (errno || id > UINT32_MAX || (*end && *end != '/'))
        return -EINVAL;
    *devid = (uint32_t)id;
    *depth = 2;
    *rest = *end ? end + 1 : end;
    return 0;
}

static void be_event(struct bk_xs *x, const char *path)
{
    size_t rl = strlen(x->root);
    uint32_t domid = 0, devid = 0;
    const char *rest = "";
    int depth;

    if (strncmp(path, x->root, rl) ||
        parse_be_path(path + rl, &domid, &devid, &rest, &depth) < 0)
        return;
    if (depth < 2) {
        x->rescan_now = true; /* a domain's directory came or went */
        return;
    }
    /* Known devices: only the nodes that move the state machine. One not
     * set up yet: any node (its records may be arriving). */
    if (!x->ops->known(x->arg, domid, devid) || !*rest || !strcmp(rest, "online") ||
        !strcmp(rest, "state"))
        x->ops->check(x->arg, domid, devid);
}

static void fe_event(struct bk_xs *x, const char *path)
{
    size_t len = strlen(path);
    uint32_t domid, devid;

    if (len < 6 || strcmp(path + len - 6, "/state"))
        return;
    if (x->ops->by_fpath(x->arg, path, len - 6, &domid, &devid))
        x->ops->check(x->arg, domid, devid);
}

void bk_xs_events(struct bk_xs *x)
{
    char **w;

    while (x->xs) {
        errno = 0;
        w = xs_check_watch(x->xs);
        if (w) {
            log_debug("xenstore: %s fired", w[XS_WATCH_PATH]);
            if (!strcmp(w[XS_WATCH_TOKEN], x->token_be))
                be_event(x, w[XS_WATCH_PATH]);
            else if (!strcmp(w[XS_WATCH_TOKEN], x->token_fe))
                fe_event(x, w[XS_WATCH_PATH]);
            free(w);
            continue;
        }
        if (errno == EBADMSG || errno == ENOMEM) {
            x->rescan_now = true; /* an event was dropped */
            continue;
        }
        if (errno != EAGAIN && x->xs) {
            log_warn("lost xenstore (%s); reconnecting every %d ms", strerror(errno),
                     x->tick_ms);
            bk_xs_close(x);
        }
        break;
    }
}

/* The numeric entries of a directory (malloc'd array, *n entries); *err
 * 0 (an absent directory is empty) or -errno. */
static unsigned long *list_numbers(struct bk_xs *x, const char *path, unsigned *n, int *err)
{
    unsigned num = 0;
    errno = 0;
    char **ents = xs_directory(x->xs, XBT_NULL, path, &num);
    unsigned long *out;

    *n = 0;
    *err = 0;
    if (!ents) {
        int e = bk_xs_failed(x, "directory", path);
        *err = e == -ENOENT ? 0 : e;
        return NULL;
    }
    out = calloc(num ? num : 1, sizeof(*out));
    if (!out) {
        free(ents);
        *err = -ENOMEM;
        return NULL;
    }
    for (unsigned i = 0; i < num; i++) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(ents[i], &end, 10);
        if (!errno && end != ents[i] && !*end && v <= UINT32_MAX)
            out[(*n)++] = v;
    }
    free(ents);
    return out;
}

int bk_xs_scan(struct bk_xs *x)
{
    unsigned nd = 0;
    int err;

    if (!x->xs)
        return -ENOTCONN;
    unsigned long *doms = list_numbers(x, x->root, &nd, &err);
    if (err < 0)
        return err;
    for (unsigned i = 0; i < nd && x->xs; i++) {
        char path[256];
        unsigned ndev = 0;
        if (doms[i] > 0x7FEF)
            continue;
        snprintf(path, sizeof(path), "%s/%lu", x->root, doms[i]);
        unsigned long *devs = list_numbers(x, path, &ndev, &err);
        for (unsigned j = 0; j < ndev && x->xs; j++) {
            x->ops->check(x->arg, (uint32_t)doms[i], (uint32_t)devs[j]);
            x->ops->seen(x->arg, (uint32_t)doms[i], (uint32_t)devs[j]);
        }
        free(devs);
        if (err < 0)
            break;
    }
    free(doms);
    if (!x->xs)
        return -ENOTCONN;
    return err < 0 ? err : 0;
}
