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

#include <xenstore.h>

#include "backend_xenbus.h"
#include "log.h"
#include "pvblkback.h"

#define TOKEN_BE "pvblkback-be"
#define TOKEN_FE "pvblkback-fe"

/* ---- what backend_xenbus calls back ---- */

/* The connection is gone, and every watch with it. */
static void xs_lost(void *arg)
{
    struct blkback *bb = arg;

    for (struct vbd *v = bb->vbds; v; v = v->next)
        v->fe_watched = false;
}

static void xs_check(void *arg, uint32_t domid, uint32_t devid)
{
    xb_check(arg, domid, devid);
}

static bool xs_known(void *arg, uint32_t domid, uint32_t devid)
{
    return vbd_find(arg, domid, devid) != NULL;
}

static bool xs_by_fpath(void *arg, const char *path, size_t len, uint32_t *domid,
                        uint32_t *devid)
{
    struct vbd *v = vbd_by_fpath(arg, path, len);

    if (!v)
        return false;
    *domid = v->domid;
    *devid = v->devid;
    return true;
}

static void xs_seen(void *arg, uint32_t domid, uint32_t devid)
{
    struct vbd *v = vbd_find(arg, domid, devid);

    if (v)
        v->seen = true;
}

static const struct bk_xs_ops xs_ops = {
    .lost = xs_lost,
    .check = xs_check,
    .known = xs_known,
    .by_fpath = xs_by_fpath,
    .seen = xs_seen,
};

void xb_close(struct blkback *bb)
{
    bk_xs_close(&bb->xb);
}

void xb_connect(struct blkback *bb)
{
    struct bk_xs *x = &bb->xb;

    x->root = BB_BACKEND_ROOT;
    x->token_be = TOKEN_BE;
    x->token_fe = TOKEN_FE;
    x->epfd = bb->epfd;
    x->data = TAG_XS;
    x->tick_ms = bb->tick_ms;
    x->ops = &xs_ops;
    x->arg = bb;
    bk_xs_connect(x);
}

char *xb_read_fe(struct blkback *bb, struct vbd *v, const char *key)
{
    return bk_xs_read(&bb->xb, XBT_NULL, v->fpath, key);
}

void xb_watch_fe(struct blkback *bb, struct vbd *v, bool on)
{
    bk_xs_watch_fe(&bb->xb, v->fpath, &v->fe_watched, on);
}

/* Write the nodes into B in one transaction, if B/state exists. */
static int write_guarded(struct blkback *bb, struct vbd *v, const struct bk_kv *kvs, unsigned n)
{
    if (v->removed)
        return -ENOENT;
    return bk_xs_write_guarded(&bb->xb, v->bpath, kvs, n);
}

int xb_switch_state(struct blkback *bb, struct vbd *v, int state)
{
    struct bk_kv kv = { .key = "state" };

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
    struct bk_kv kvs[20];
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
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_warn("vbd %u/%u: %s: %s", v->domid, v->devid, msg, strerror(-err));
    v->failed = true;
    /* As xenbus_dev_fatal: "<errno> <message>", but in B (it goes with B),
     * and only while B exists. */
    if (!v->removed)
        bk_xs_write_error(&bb->xb, v->bpath, err, msg);
    if (v->connected || v->ring_addr)
        vbd_disconnect(bb, v, XenbusStateClosing);
    else if (v->state != XenbusStateClosing && v->state != XenbusStateClosed)
        xb_switch_state(bb, v, XenbusStateClosing);
}

void xb_events(struct blkback *bb)
{
    bk_xs_events(&bb->xb);
}

/* Read the toolstack's nodes of a new device into v. 0, or -errno
 * (-ENOENT: not all written yet). */
static int read_config(struct blkback *bb, struct vbd *v)
{
    char *s;
    unsigned long long x;
    int r;

    r = bk_xs_read_frontend(&bb->xb, v->bpath, v->domid, v->fpath, sizeof(v->fpath));
    if (r < 0)
        return r;
    v->params = bk_xs_read(&bb->xb, XBT_NULL, v->bpath, "params");
    if (!v->params)
        return -errno;
    s = bk_xs_read(&bb->xb, XBT_NULL, v->bpath, "mode");
    if (!s && errno != ENOENT)
        return -errno;
    /* Only "w" writes (xl writes "w" or "r"): anything else is read-only. */
    v->readonly = !(s && (!strcmp(s, "w") || !strcmp(s, "rw")));
    free(s);
    s = bk_xs_read(&bb->xb, XBT_NULL, v->bpath, "device-type");
    v->cdrom = s && !strcmp(s, "cdrom");
    free(s);
    v->removable = bk_xs_read_uint(&bb->xb, v->bpath, "removable", &x) == 0 && x;
    r = bk_xs_read_uint(&bb->xb, v->bpath, "discard-enable", &x);
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

    if (!bb->xb.xs)
        return;
    snprintf(bpath, sizeof(bpath), "%s/%u/%u", BB_BACKEND_ROOT, domid, devid);
    struct vbd *v = vbd_find(bb, domid, devid);
    r = bk_xs_exists(&bb->xb, bpath);
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
        r = bk_xs_read_uint(&bb->xb, bpath, "state", &x);
        v->state = r == 0 && x <= XenbusStateReconfigured ? (int)x : XenbusStateInitialising;
        r = bk_xs_read_uint(&bb->xb, bpath, "online", &x);
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
        if (v->state_dirty && bb->xb.xs)
            xb_switch_state(bb, v, v->state);
        r = bk_xs_read_uint(&bb->xb, bpath, "online", &x);
        if (r < 0 && r != -ENOENT && r != -EINVAL)
            return;
        v->online = r < 0 || x != 0;
    }
    if (!bb->xb.xs)
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
    r = bk_xs_read_uint(&bb->xb, v->fpath, "state", &x);
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
    for (unsigned i = 0; i < n && bb->xb.xs; i++)
        xb_check(bb, ids[i][0], ids[i][1]);
    if (n == 256)
        bb->xb.rescan_now = true;
}

void xb_rescan(struct blkback *bb)
{
    if (!bb->xb.xs)
        return;
    bb->last_rescan = bb_now_ms();
    for (struct vbd *v = bb->vbds; v; v = v->next)
        v->seen = false;
    if (bk_xs_scan(&bb->xb) < 0)
        return;
    for (struct vbd *v = bb->vbds, *next; v; v = next) {
        next = v->next;
        if (v->seen || v->removed)
            continue;
        if (bb->xb.fresh && v->connected) {
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
    bb->xb.fresh = false;
}
