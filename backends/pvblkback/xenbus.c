/* xenbus.c: xenstore: the watches (the whole backend root, and each
 * frontend's state node) and each device's xenbus handshake, in the order
 * Linux's xen-blkback uses:
 *
 *   B/state 1 (the toolstack)  -> open params, publish, B/state 2
 *   F/state 3 or 4             -> map the ring, bind, publish, B/state 4
 *   F/state 5                  -> drain, unmap, B/state 5
 *   F/state 6 or B/online 0    -> drain, unmap, B/state 5 then 6
 *   B removed                  -> drain, unmap, forget (B is not touched)
 *
 * A restarted daemon finds B/state 4 with F/state 4 and takes the ring over
 * (vbd_connect with resume). Every write into B goes through a transaction
 * that first checks B/state still exists, so a directory the toolstack
 * removed is never brought back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <xenstore.h>

#include "log.h"
#include "pvblkback.h"

#define TOKEN_BE "pvblkback-be"
#define TOKEN_FE "pvblkback-fe"
#define TX_TRIES 16

/* A failed request: refusals are the caller's business; anything else
 * means the connection broke. Returns -errno. */
static int failed(struct blkback *bb, const char *what, const char *path)
{
    int e = errno ? errno : EIO;

    if (e == ENOENT || e == EACCES || e == EINVAL || e == ENOSPC || e == E2BIG || e == EAGAIN ||
        e == EEXIST || e == EPERM || e == EBUSY)
        return -e;
    log_warn("lost xenstore (%s %s: %s); reconnecting every %d ms", what, path, strerror(e),
             bb->tick_ms);
    xb_close(bb);
    return -e;
}

void xb_close(struct blkback *bb)
{
    if (!bb->xs)
        return;
    int fd = xs_fileno(bb->xs);
    if (fd >= 0)
        epoll_ctl(bb->epfd, EPOLL_CTL_DEL, fd, NULL);
    xs_close(bb->xs);
    bb->xs = NULL;
    for (struct vbd *v = bb->vbds; v; v = v->next)
        v->fe_watched = false;
}

void xb_connect(struct blkback *bb)
{
    int fd;

    if (bb->xs)
        return;
    bb->xs = xs_open(0);
    if (!bb->xs) {
        if (!bb->xs_waiting_logged)
            log_info("waiting for xenstore (%s); retrying every %d ms", strerror(errno),
                     bb->tick_ms);
        bb->xs_waiting_logged = true;
        return;
    }
    if (!xs_watch(bb->xs, BB_BACKEND_ROOT, TOKEN_BE) || (fd = xs_fileno(bb->xs)) < 0) {
        log_warn("xenstore: cannot watch %s: %s", BB_BACKEND_ROOT, strerror(errno));
        xs_close(bb->xs);
        bb->xs = NULL;
        return;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_XS };
    if (epoll_ctl(bb->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        log_warn("xenstore: epoll: %s", strerror(errno));
        xs_close(bb->xs);
        bb->xs = NULL;
        return;
    }
    log_info("connected to xenstore (%s)", xs_daemon_socket());
    bb->xs_waiting_logged = false;
    bb->xs_fresh = true;
    bb->rescan_now = true;
}

/* Read dir/key into a malloc'd NUL-terminated string; NULL with errno. */
static char *read_node(struct blkback *bb, xs_transaction_t t, const char *dir, const char *key)
{
    char path[256];
    char *v;

    if (!bb->xs) {
        errno = ENOTCONN;
        return NULL;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    errno = 0;
    v = xs_read(bb->xs, t, path, NULL);
    if (!v) {
        int e = failed(bb, "read", path);
        errno = -e;
    }
    return v;
}

char *xb_read_fe(struct blkback *bb, struct vbd *v, const char *key)
{
    return read_node(bb, XBT_NULL, v->fpath, key);
}

/* dir/key as an unsigned decimal: 0, -ENOENT, -EINVAL or -errno. */
static int read_uint(struct blkback *bb, const char *dir, const char *key,
                     unsigned long long *out)
{
    char *s = read_node(bb, XBT_NULL, dir, key), *end;

    if (!s)
        return -errno;
    errno = 0;
    *out = strtoull(s, &end, 10);
    int r = (errno || end == s || *end) ? -EINVAL : 0;
    free(s);
    return r;
}

void xb_watch_fe(struct blkback *bb, struct vbd *v, bool on)
{
    char path[sizeof(v->fpath) + 8];

    if (!bb->xs || !v->fpath[0] || v->fe_watched == on)
        return;
    snprintf(path, sizeof(path), "%s/state", v->fpath);
    errno = 0;
    bool ok = on ? xs_watch(bb->xs, path, TOKEN_FE) : xs_unwatch(bb->xs, path, TOKEN_FE);
    if (ok)
        v->fe_watched = on;
    else
        failed(bb, on ? "watch" : "unwatch", path);
}

/* One node to write in a transaction. */
struct kv {
    const char *key;
    char val[32];
};

/* Write the nodes into B in one transaction, if B/state exists. */
static int write_guarded(struct blkback *bb, struct vbd *v, const struct kv *kvs, unsigned n)
{
    char path[sizeof(v->bpath) + 48];

    if (v->removed)
        return -ENOENT;
    for (int tries = 0; tries < TX_TRIES; tries++) {
        if (!bb->xs)
            return -ENOTCONN;
        errno = 0;
        xs_transaction_t t = xs_transaction_start(bb->xs);
        if (t == XBT_NULL)
            return failed(bb, "transaction_start", v->bpath);
        char *st = read_node(bb, t, v->bpath, "state");
        if (!st) {
            int e = errno;
            if (bb->xs)
                xs_transaction_end(bb->xs, t, true);
            return -e;
        }
        free(st);
        int r = 0;
        for (unsigned i = 0; i < n && r == 0; i++) {
            snprintf(path, sizeof(path), "%s/%s", v->bpath, kvs[i].key);
            errno = 0;
            if (!xs_write(bb->xs, t, path, kvs[i].val, (unsigned)strlen(kvs[i].val)))
                r = failed(bb, "write", path);
        }
        if (!bb->xs)
            return r ? r : -ENOTCONN;
        if (r < 0) {
            xs_transaction_end(bb->xs, t, true);
            return r;
        }
        errno = 0;
        if (xs_transaction_end(bb->xs, t, false))
            return 0;
        if (errno != EAGAIN)
            return failed(bb, "transaction_end", v->bpath);
    }
    return -EAGAIN;
}

int xb_switch_state(struct blkback *bb, struct vbd *v, int state)
{
    struct kv kv = { .key = "state" };

    snprintf(kv.val, sizeof(kv.val), "%d", state);
    v->state = state;
    int r = write_guarded(bb, v, &kv, 1);
    /* Not written (xenstore away): written again once it is back. */
    v->state_dirty = r < 0 && r != -ENOENT;
    if (r < 0 && r != -ENOENT)
        log_warn("vbd %u/%u: cannot write state %d: %s", v->domid, v->devid, state,
                 strerror(-r));
    else if (r == 0)
        log_debug("vbd %u/%u: state %d", v->domid, v->devid, state);
    return r;
}

int xb_publish(struct blkback *bb, struct vbd *v, int state)
{
    struct kv kvs[20];
    unsigned n = 0;
    unsigned info = (v->readonly ? VDISK_READONLY : 0) | (v->cdrom ? VDISK_CDROM : 0) |
                    (v->removable ? VDISK_REMOVABLE : 0);

#define KV(k, fmt, x) \
    do { kvs[n].key = (k); snprintf(kvs[n].val, sizeof(kvs[n].val), fmt, x); n++; } while (0)
    KV("sectors", "%llu", (unsigned long long)v->sectors);
    KV("sector-size", "%u", 512u);
    KV("physical-sector-size", "%u", v->phys_sector_size);
    KV("info", "%u", info);
    KV("feature-flush-cache", "%d", 1);
    KV("feature-barrier", "%d", 1);
    KV("feature-discard", "%d", v->can_discard ? 1 : 0);
    if (v->can_discard) {
        KV("discard-granularity", "%u", v->discard_granularity);
        KV("discard-alignment", "%u", 0u);
        KV("discard-secure", "%d", 0);
    }
    KV("feature-persistent", "%d", 1);
    KV("feature-max-indirect-segments", "%d", BLKREQ_MAX_INDIRECT_SEGS);
    KV("max-ring-page-order", "%d", BB_MAX_RING_ORDER);
    KV("multi-queue-max-queues", "%d", 1);
    KV("state", "%d", state); /* last: the frontend acts on it */
#undef KV
    int r = write_guarded(bb, v, kvs, n);
    if (r == 0) {
        v->state = state;
        log_debug("vbd %u/%u: published, state %d", v->domid, v->devid, state);
    } else if (r != -ENOENT) {
        log_warn("vbd %u/%u: cannot publish: %s", v->domid, v->devid, strerror(-r));
    }
    return r;
}

void xb_fatal(struct blkback *bb, struct vbd *v, int err, const char *fmt, ...)
{
    char msg[256], full[300], path[sizeof(v->bpath) + 8];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_warn("vbd %u/%u: %s: %s", v->domid, v->devid, msg, strerror(-err));
    v->failed = true;
    /* As xenbus_dev_fatal: "<errno> <message>", but in B (it goes with B),
     * and only while B exists. */
    snprintf(full, sizeof(full), "%d %s", -err, msg);
    snprintf(path, sizeof(path), "%s/error", v->bpath);
    if (!v->removed && bb->xs) {
        errno = 0;
        xs_transaction_t t = xs_transaction_start(bb->xs);
        if (t != XBT_NULL) {
            char *st = read_node(bb, t, v->bpath, "state");
            bool ok = st && bb->xs && xs_write(bb->xs, t, path, full, (unsigned)strlen(full));
            free(st);
            if (bb->xs)
                xs_transaction_end(bb->xs, t, !ok);
        } else {
            failed(bb, "transaction_start", v->bpath);
        }
    }
    if (v->connected || v->ring_addr)
        vbd_disconnect(bb, v, XenbusStateClosing);
    else if (v->state != XenbusStateClosing && v->state != XenbusStateClosed)
        xb_switch_state(bb, v, XenbusStateClosing);
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

static void be_event(struct blkback *bb, const char *path)
{
    size_t rl = strlen(BB_BACKEND_ROOT);
    uint32_t domid = 0, devid = 0;
    const char *rest = "";
    int depth;

    if (strncmp(path, BB_BACKEND_ROOT, rl) || parse_be_path(path + rl, &domid, &devid, &rest,
                                                             &depth) < 0)
        return;
    if (depth < 2) {
        bb->rescan_now = true; /* a domain's directory came or went */
        return;
    }
    struct vbd *v = vbd_find(bb, domid, devid);
    /* Ours: only the nodes that move the state machine. A device not set
     * up yet: any node (its records may be arriving). */
    if (!v || !*rest || !strcmp(rest, "online") || !strcmp(rest, "state"))
        xb_check(bb, domid, devid);
}

static void fe_event(struct blkback *bb, const char *path)
{
    size_t len = strlen(path);

    if (len < 6 || strcmp(path + len - 6, "/state"))
        return;
    struct vbd *v = vbd_by_fpath(bb, path, len - 6);
    if (v)
        xb_check(bb, v->domid, v->devid);
}

void xb_events(struct blkback *bb)
{
    char **w;

    while (bb->xs) {
        errno = 0;
        w = xs_check_watch(bb->xs);
        if (w) {
            log_debug("xenstore: %s fired", w[XS_WATCH_PATH]);
            if (!strcmp(w[XS_WATCH_TOKEN], TOKEN_BE))
                be_event(bb, w[XS_WATCH_PATH]);
            else if (!strcmp(w[XS_WATCH_TOKEN], TOKEN_FE))
                fe_event(bb, w[XS_WATCH_PATH]);
            free(w);
            continue;
        }
        if (errno == EBADMSG || errno == ENOMEM) {
            bb->rescan_now = true; /* an event was dropped */
            continue;
        }
        if (errno != EAGAIN && bb->xs) {
            log_warn("lost xenstore (%s); reconnecting every %d ms", strerror(errno),
                     bb->tick_ms);
            xb_close(bb);
        }
        break;
    }
}

/* Does B exist? 1, 0, or -errno (connection trouble). */
static int be_exists(struct blkback *bb, const char *bpath)
{
    errno = 0;
    char *v = xs_read(bb->xs, XBT_NULL, bpath, NULL);
    if (v) {
        free(v);
        return 1;
    }
    int e = failed(bb, "read", bpath);
    return e == -ENOENT ? 0 : e;
}

/* Read the toolstack's nodes of a new device into v. 0, or -errno
 * (-ENOENT: not all written yet). */
static int read_config(struct blkback *bb, struct vbd *v)
{
    char *s;
    unsigned long long x;
    int r;

    s = read_node(bb, XBT_NULL, v->bpath, "frontend");
    if (!s)
        return -errno;
    char want[40];
    snprintf(want, sizeof(want), "/local/domain/%u/", v->domid);
    bool ok = !strncmp(s, want, strlen(want)) && strlen(s) < sizeof(v->fpath) &&
              !strstr(s, "//") && s[strlen(s) - 1] != '/';
    if (ok)
        strcpy(v->fpath, s);
    free(s);
    if (!ok)
        return -EINVAL;
    r = read_uint(bb, v->bpath, "frontend-id", &x);
    if (r == 0 && x != v->domid)
        return -EINVAL;
    if (r < 0 && r != -ENOENT)
        return r;
    v->params = read_node(bb, XBT_NULL, v->bpath, "params");
    if (!v->params)
        return -errno;
    s = read_node(bb, XBT_NULL, v->bpath, "mode");
    if (!s && errno != ENOENT)
        return -errno;
    /* Only "w" writes (xl writes "w" or "r"): anything else is read-only. */
    v->readonly = !(s && (!strcmp(s, "w") || !strcmp(s, "rw")));
    free(s);
    s = read_node(bb, XBT_NULL, v->bpath, "device-type");
    v->cdrom = s && !strcmp(s, "cdrom");
    free(s);
    v->removable = read_uint(bb, v->bpath, "removable", &x) == 0 && x;
    r = read_uint(bb, v->bpath, "discard-enable", &x);
    v->discard_enable = r < 0 || x != 0;
    return 0;
}

/* Open the backing store and publish: InitWait. */
static void set_up(struct blkback *bb, struct vbd *v)
{
    int r = v->fd >= 0 ? 0 : vbd_open_backing(v);

    if (r < 0) {
        xb_fatal(bb, v, r, "opening %.160s", v->params ? v->params : "(no params)");
        return;
    }
    v->failed = false;
    xb_publish(bb, v, XenbusStateInitWait);
}

/* The frontend is ready (Initialised or Connected). */
static void frontend_ready(struct blkback *bb, struct vbd *v)
{
    int r;

    if (v->failed || v->closing || v->domain_gone || v->connected)
        return;
    if (v->state == XenbusStateInitWait) {
        r = vbd_connect(bb, v, false);
        if (r == 0 && xb_publish(bb, v, XenbusStateConnected) == 0)
            ring_kick(bb, v);
        else if (r == 0)
            vbd_disconnect(bb, v, -1);
    } else if (v->state == XenbusStateConnected) {
        /* A restarted daemon: the ring is there, take it over. */
        if (v->fd < 0 && (r = vbd_open_backing(v)) < 0) {
            xb_fatal(bb, v, r, "opening %.160s", v->params);
            return;
        }
        if (vbd_connect(bb, v, true) == 0)
            ring_kick(bb, v);
    }
}

/* The frontend's state moved (or anything else worth a look). */
static void frontend_changed(struct blkback *bb, struct vbd *v, int fstate)
{
    bool mapped = v->connected || v->ring_addr;

    switch (fstate) {
    case XenbusStateInitialising:
        /* A frontend starting over after we closed: offer the disk again. */
        if (v->state == XenbusStateClosed && v->online && !v->closing && !v->domain_gone) {
            log_info("vbd %u/%u: frontend reconnecting", v->domid, v->devid);
            set_up(bb, v);
        }
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        frontend_ready(bb, v);
        break;
    case XenbusStateClosing:
        if (mapped)
            vbd_disconnect(bb, v, XenbusStateClosing);
        else if (v->state != XenbusStateClosing && v->state != XenbusStateClosed)
            xb_switch_state(bb, v, XenbusStateClosing);
        break;
    case XenbusStateClosed:
        if (mapped) {
            vbd_disconnect(bb, v, XenbusStateClosed);
        } else if (v->state != XenbusStateClosed && v->state != 0) {
            if (v->state != XenbusStateClosing)
                xb_switch_state(bb, v, XenbusStateClosing);
            xb_switch_state(bb, v, XenbusStateClosed);
        }
        break;
    case XenbusStateUnknown:
        /* The frontend's directory is gone: its domain is going away. */
        if (mapped)
            vbd_disconnect(bb, v, XenbusStateClosed);
        break;
    default:
        break;
    }
}

void xb_check(struct blkback *bb, uint32_t domid, uint32_t devid)
{
    char bpath[96];
    unsigned long long x;
    int r;

    if (!bb->xs)
        return;
    snprintf(bpath, sizeof(bpath), "%s/%u/%u", BB_BACKEND_ROOT, domid, devid);
    struct vbd *v = vbd_find(bb, domid, devid);
    r = be_exists(bb, bpath);
    if (r < 0)
        return;
    if (r == 0) {
        if (v) {
            log_info("vbd %u/%u: %s removed", domid, devid, bpath);
            vbd_remove(bb, v);
        }
        return;
    }
    if (!v) {
        v = vbd_new(bb, domid, devid);
        if (!v) {
            log_err("vbd %u/%u: out of memory", domid, devid);
            return;
        }
        r = read_config(bb, v);
        if (r < 0) {
            /* -ENOENT: the toolstack is still writing; a later event
             * brings us back. Anything else is a bad record. */
            static uint32_t last_bad[2] = { UINT32_MAX, UINT32_MAX };
            if (r == -EINVAL && (last_bad[0] != domid || last_bad[1] != devid))
                log_warn("vbd %u/%u: bad frontend or frontend-id in %s: ignored", domid,
                         devid, bpath);
            if (r == -EINVAL) {
                last_bad[0] = domid; /* said once, not at every rescan */
                last_bad[1] = devid;
            }
            v->removed = true;
            vbd_drained(bb, v);
            return;
        }
        xb_watch_fe(bb, v, true);
        r = read_uint(bb, bpath, "state", &x);
        v->state = r == 0 && x <= XenbusStateReconfigured ? (int)x : XenbusStateInitialising;
        r = read_uint(bb, bpath, "online", &x);
        v->online = r < 0 || x != 0;
        log_info("vbd %u/%u: new: %s (%s%s), frontend %s, state %d", domid, devid, v->params,
                 v->readonly ? "r" : "w", v->cdrom ? ", cdrom" : "", v->fpath, v->state);
        if (v->online) {
            if (v->state == XenbusStateConnected) {
                /* Taken over below once the frontend is seen Connected. */
                r = vbd_open_backing(v);
                if (r < 0)
                    xb_fatal(bb, v, r, "opening %.160s", v->params);
            } else if (v->state < XenbusStateConnected) {
                set_up(bb, v);
            }
        }
    } else {
        /* After a xenstore reconnection: the watch again, a lost state. */
        if (!v->fe_watched)
            xb_watch_fe(bb, v, true);
        if (v->state_dirty && bb->xs)
            xb_switch_state(bb, v, v->state);
        r = read_uint(bb, bpath, "online", &x);
        if (r < 0 && r != -ENOENT && r != -EINVAL)
            return;
        v->online = r < 0 || x != 0;
    }
    if (!bb->xs)
        return;
    if (!v->online) {
        /* Detach (pvctl block-detach): drain, unmap, 5 then 6. */
        if (v->connected || v->ring_addr)
            vbd_disconnect(bb, v, XenbusStateClosed);
        else if (v->state != XenbusStateClosed && !v->closing) {
            if (v->state != XenbusStateClosing)
                xb_switch_state(bb, v, XenbusStateClosing);
            xb_switch_state(bb, v, XenbusStateClosed);
        }
        return;
    }
    r = read_uint(bb, v->fpath, "state", &x);
    if (r < 0 && r != -ENOENT && r != -EINVAL)
        return;
    frontend_changed(bb, v, r == 0 && x <= XenbusStateReconfigured ? (int)x : XenbusStateUnknown);
}

void xb_check_all(struct blkback *bb)
{
    uint32_t ids[256][2];
    unsigned n = 0;

    /* By id: a check may free the record. */
    for (struct vbd *v = bb->vbds; v && n < 256; v = v->next) {
        ids[n][0] = v->domid;
        ids[n][1] = v->devid;
        n++;
    }
    for (unsigned i = 0; i < n && bb->xs; i++)
        xb_check(bb, ids[i][0], ids[i][1]);
    if (n == 256)
        bb->rescan_now = true;
}

/* The numeric entries of a directory (malloc'd array, *n entries). */
static unsigned long *list_numbers(struct blkback *bb, const char *path, unsigned *n, int *err)
{
    unsigned num = 0;
    errno = 0;
    char **ents = xs_directory(bb->xs, XBT_NULL, path, &num);
    unsigned long *out;

    *n = 0;
    *err = 0;
    if (!ents) {
        int e = failed(bb, "directory", path);
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
        unsigned long x = strtoul(ents[i], &end, 10);
        if (!errno && end != ents[i] && !*end && x <= UINT32_MAX)
            out[(*n)++] = x;
    }
    free(ents);
    return out;
}

void xb_rescan(struct blkback *bb)
{
    unsigned nd = 0;
    int err;

    if (!bb->xs)
        return;
    bb->last_rescan = bb_now_ms();
    unsigned long *doms = list_numbers(bb, BB_BACKEND_ROOT, &nd, &err);
    if (err < 0)
        return;
    for (struct vbd *v = bb->vbds; v; v = v->next)
        v->seen = false;
    for (unsigned i = 0; i < nd && bb->xs; i++) {
        char path[64];
        unsigned ndev = 0;
        if (doms[i] > 0x7FEF)
            continue;
        snprintf(path, sizeof(path), "%s/%lu", BB_BACKEND_ROOT, doms[i]);
        unsigned long *devs = list_numbers(bb, path, &ndev, &err);
        for (unsigned j = 0; j < ndev && bb->xs; j++) {
            xb_check(bb, (uint32_t)doms[i], (uint32_t)devs[j]);
            struct vbd *v = vbd_find(bb, (uint32_t)doms[i], (uint32_t)devs[j]);
            if (v)
                v->seen = true;
        }
        free(devs);
        if (err < 0)
            break;
    }
    free(doms);
    if (!bb->xs || err < 0)
        return;
    for (struct vbd *v = bb->vbds, *next; v; v = next) {
        next = v->next;
        if (v->seen || v->removed)
            continue;
        if (bb->xs_fresh && v->connected) {
            /* A xenstore that restarted empty: keep serving the guest;
             * the device goes when its domain does. */
            log_warn("vbd %u/%u: %s not in the new xenstore: serving on until domain %u goes",
                     v->domid, v->devid, v->bpath, v->domid);
            v->seen = true;
            continue;
        }
        log_info("vbd %u/%u: %s removed", v->domid, v->devid, v->bpath);
        vbd_remove(bb, v);
    }
    bb->xs_fresh = false;
}
