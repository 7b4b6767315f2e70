/* xenbus.c: xenstore: the watches (the whole backend root, and each
 * frontend's state node) and each vif's xenbus handshake, as Linux's
 * xen-netback does it:
 *
 *   B/state 1 (the toolstack)  -> TAP made (named, MTU, bridge), features
 *                                 published, hotplug-status, B/state 2
 *   F/state 3 or 4             -> rings mapped, ports bound, B/state 4
 *   F/state 5                  -> unmapped, B/state 5
 *   F/state 6 or B/online 0    -> unmapped, B/state 5 then 6
 *   F/state 1 after we closed  -> offered again (B/state 2)
 *   B removed                  -> unmapped, TAP deleted, forgotten
 *
 * A restarted daemon finds B/state 4 with F/state 4 and takes the rings
 * over (vif_connect with resume). Every write into B goes through a
 * transaction that first checks B/state still exists, so a directory the
 * toolstack removed is never brought back. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "backend_xenbus.h"
#include "log.h"
#include "pvnetback.h"

#define TOKEN_BE "pvnetback-be"
#define TOKEN_FE "pvnetback-fe"

/* ---- what backend_xenbus calls back ---- */

/* The connection is gone, and every watch with it. */
static void xs_lost(void *arg)
{
    struct netback *nb = arg;

    for (struct vif *v = nb->vifs; v; v = v->next)
        v->fe_watched = false;
}

static void xs_check(void *arg, uint32_t domid, uint32_t devid)
{
    xb_check(arg, domid, devid);
}

static bool xs_known(void *arg, uint32_t domid, uint32_t devid)
{
    return vif_find(arg, domid, devid) != NULL;
}

static bool xs_by_fpath(void *arg, const char *path, size_t len, uint32_t *domid,
                        uint32_t *devid)
{
    struct vif *v = vif_by_fpath(arg, path, len);

    if (!v)
        return false;
    *domid = v->domid;
    *devid = v->devid;
    return true;
}

static void xs_seen(void *arg, uint32_t domid, uint32_t devid)
{
    struct vif *v = vif_find(arg, domid, devid);

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

void xb_close(struct netback *nb)
{
    bk_xs_close(&nb->xb);
}

void xb_connect(struct netback *nb)
{
    struct bk_xs *x = &nb->xb;

    x->root = NB_BACKEND_ROOT;
    x->token_be = TOKEN_BE;
    x->token_fe = TOKEN_FE;
    x->epfd = nb->epfd;
    x->data = (uintptr_t)&nb->src_xs;
    x->tick_ms = nb->tick_ms;
    x->ops = &xs_ops;
    x->arg = nb;
    bk_xs_connect(x);
}

char *xb_read_fe(struct netback *nb, struct vif *v, const char *key)
{
    return bk_xs_read(&nb->xb, XBT_NULL, v->fpath, key);
}

int xb_read_fe_bool(struct netback *nb, struct vif *v, const char *key, int dflt)
{
    char *s = xb_read_fe(nb, v, key);

    if (!s)
        return errno == ENOENT ? dflt : -errno;
    int r = !strcmp(s, "1") ? 1 : !strcmp(s, "0") ? 0 : -EINVAL;
    free(s);
    return r;
}

void xb_watch_fe(struct netback *nb, struct vif *v, bool on)
{
    bk_xs_watch_fe(&nb->xb, v->fpath, &v->fe_watched, on);
}

int xb_switch_state(struct netback *nb, struct vif *v, int state)
{
    struct bk_kv kv = { .key = "state" };

    snprintf(kv.val, sizeof(kv.val), "%d", state);
    v->state = state;
    if (v->removed)
        return -ENOENT;
    int r = bk_xs_write_guarded(&nb->xb, v->bpath, &kv, 1);
    if (r < 0 && r != -ENOENT)
        log_warn("vif %u/%u: cannot write state %d: %s", v->domid, v->devid, state,
                 strerror(-r));
    else if (r == 0)
        log_debug("vif %u/%u: state %d", v->domid, v->devid, state);
    return r;
}

int xb_publish(struct netback *nb, struct vif *v, int state)
{
    struct bk_kv kvs[20];
    unsigned n = 0;

    if (v->removed)
        return -ENOENT;
#define KV(k, fmt, x) \
    do { kvs[n].key = (k); snprintf(kvs[n].val, sizeof(kvs[n].val), fmt, x); n++; } while (0)
    KV("feature-sg", "%d", 1);
    KV("feature-gso-tcpv4", "%d", 1);
    KV("feature-gso-tcpv6", "%d", 1);
    KV("feature-ipv6-csum-offload", "%d", 1);
    KV("feature-no-csum-offload", "%d", 0);
    KV("feature-rx-copy", "%d", 1);
    KV("feature-rx-flip", "%d", 0);
    KV("feature-multicast-control", "%d", 0);
    KV("feature-split-event-channels", "%d", 1);
    KV("multi-queue-max-queues", "%d", 1);
    KV("mtu", "%u", v->mtu);
    /* What Xen's vif-bridge script says once the vif is in its bridge
     * (the toolstack may wait for it). */
    KV("hotplug-status", "%s", "connected");
    KV("state", "%d", state); /* last: the frontend acts on it */
#undef KV
    int r = bk_xs_write_guarded(&nb->xb, v->bpath, kvs, n);
    if (r == 0) {
        v->state = state;
        log_debug("vif %u/%u: published, state %d", v->domid, v->devid, state);
    } else if (r != -ENOENT) {
        log_warn("vif %u/%u: cannot publish: %s", v->domid, v->devid, strerror(-r));
    }
    return r;
}

/* netif.h has the MTU in the frontend directory too ("mtu", the
 * toolstack's): write it there if nobody did, so a frontend reading F
 * learns the configured MTU. */
static void advertise_mtu(struct netback *nb, struct vif *v)
{
    struct bk_kv kv = { .key = "mtu" };
    char *have = xb_read_fe(nb, v, "mtu");

    if (have || errno != ENOENT) {
        free(have);
        return;
    }
    snprintf(kv.val, sizeof(kv.val), "%u", v->mtu);
    int r = bk_xs_write_guarded(&nb->xb, v->fpath, &kv, 1);
    if (r < 0 && r != -ENOENT)
        log_debug("vif %u/%u: cannot write %s/mtu: %s", v->domid, v->devid, v->fpath,
                  strerror(-r));
}

void xb_fatal(struct netback *nb, struct vif *v, int err, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_warn("vif %u/%u: %s: %s", v->domid, v->devid, msg, strerror(-err));
    v->failed = true;
    /* As xenbus_dev_fatal: "<errno> <message>", in B, only while B exists. */
    if (!v->removed)
        bk_xs_write_error(&nb->xb, v->bpath, err, msg);
    vif_disconnect(nb, v, XenbusStateClosing);
}

void xb_events(struct netback *nb)
{
    bk_xs_events(&nb->xb);
}

/* "xx:xx:xx:xx:xx:xx" (hex digits, either case). */
static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        const char *p = s + i * 3;
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
            p[2] != (i == 5 ? 0 : ':'))
            return false;
        char h[3] = { p[0], p[1], 0 };
        mac[i] = (uint8_t)strtoul(h, NULL, 16);
    }
    return true;
}

/* An interface name: 1..15 of [A-Za-z0-9_.-]. */
static bool ifname_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
    return true;
}

/* Read the toolstack's nodes of a new vif. 0, -ENOENT (not all written
 * yet), -EINVAL (a record to ignore: its frontend is not its domain's),
 * -EBADMSG (a bad value: published as a fatal error), or -errno. */
static int read_config(struct netback *nb, struct vif *v, char *why, size_t whylen)
{
    unsigned long long x;
    char *s;
    bool ok;
    int r;

    r = bk_xs_read_frontend(&nb->xb, v->bpath, v->domid, v->fpath, sizeof(v->fpath));
    if (r < 0)
        return r;
    s = bk_xs_read(&nb->xb, XBT_NULL, v->bpath, "mac");
    if (!s)
        return -errno;
    ok = parse_mac(s, v->mac);
    if (ok)
        snprintf(v->macstr, sizeof(v->macstr), "%s", s);
    else
        snprintf(why, whylen, "bad mac '%.40s'", s);
    free(s);
    if (!ok)
        return -EBADMSG;
    s = bk_xs_read(&nb->xb, XBT_NULL, v->bpath, "bridge");
    if (!s && errno != ENOENT)
        return -errno;
    ok = !s || !*s || ifname_ok(s);
    if (ok && s)
        snprintf(v->bridge, sizeof(v->bridge), "%s", s);
    else if (!ok)
        snprintf(why, whylen, "bad bridge name '%.40s'", s);
    free(s);
    if (!ok)
        return -EBADMSG;
    s = bk_xs_read(&nb->xb, XBT_NULL, v->bpath, "vifname");
    if (!s && errno != ENOENT)
        return -errno;
    ok = !s || !*s || ifname_ok(s);
    if (ok && s)
        snprintf(v->vifname, sizeof(v->vifname), "%s", s);
    else if (!ok)
        snprintf(why, whylen, "bad vifname '%.40s'", s);
    free(s);
    if (!ok)
        return -EBADMSG;
    s = bk_xs_read(&nb->xb, XBT_NULL, v->bpath, "script");
    if (s)
        snprintf(v->script, sizeof(v->script), "%s", s);
    free(s);
    r = bk_xs_read_uint(&nb->xb, v->bpath, "mtu", &x);
    if (r == -ENOENT) {
        v->mtu = NB_DEFAULT_MTU;
    } else if (r == -EINVAL || (r == 0 && x < NB_MIN_MTU)) {
        snprintf(why, whylen, "bad mtu (%d to %d)", NB_MIN_MTU, NB_MAX_MTU);
        return -EBADMSG;
    } else if (r < 0) {
        return r;
    } else {
        v->mtu_clamped = x > NB_MAX_MTU;
        v->mtu = v->mtu_clamped ? NB_MAX_MTU : (unsigned)x;
    }
    return 0;
}

/* Make the TAP and publish: InitWait. */
static void set_up(struct netback *nb, struct vif *v)
{
    if (vif_set_up_tap(nb, v) < 0)
        return;
    v->failed = false;
    advertise_mtu(nb, v);
    xb_publish(nb, v, XenbusStateInitWait);
}

/* The frontend is ready (Initialised or Connected). */
static void frontend_ready(struct netback *nb, struct vif *v)
{
    if (v->failed || v->domain_gone || v->connected)
        return;
    if (v->state == XenbusStateInitWait) {
        if (vif_connect(nb, v, false) == 0) {
            if (xb_switch_state(nb, v, XenbusStateConnected) == 0) {
                tx_kick(nb, v);
                rx_kick(nb, v);
            } else {
                vif_disconnect(nb, v, -1);
            }
        }
    } else if (v->state == XenbusStateConnected) {
        /* A restarted daemon: the rings are there, take them over. */
        if (vif_connect(nb, v, true) == 0) {
            tx_kick(nb, v);
            rx_kick(nb, v);
        }
    }
}

/* The frontend's state moved (or anything else worth a look). */
static void frontend_changed(struct netback *nb, struct vif *v, int fstate)
{
    switch (fstate) {
    case XenbusStateInitialising:
        /* A frontend starting over after we closed: offer the vif again. */
        if (v->state == XenbusStateClosed && v->online && !v->domain_gone && !v->failed) {
            log_info("vif %u/%u: frontend reconnecting", v->domid, v->devid);
            set_up(nb, v);
        }
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        frontend_ready(nb, v);
        break;
    case XenbusStateClosing:
        if (v->state != 0)
            vif_disconnect(nb, v, XenbusStateClosing);
        break;
    case XenbusStateClosed:
        if (v->state != 0)
            vif_disconnect(nb, v, XenbusStateClosed);
        break;
    case XenbusStateUnknown:
        /* The frontend's directory is gone: its domain is going away. */
        if (v->connected)
            vif_disconnect(nb, v, XenbusStateClosed);
        break;
    default:
        break;
    }
}

void xb_check(struct netback *nb, uint32_t domid, uint32_t devid)
{
    char bpath[96];
    unsigned long long x;
    int r;

    if (!nb->xb.xs)
        return;
    snprintf(bpath, sizeof(bpath), "%s/%u/%u", NB_BACKEND_ROOT, domid, devid);
    struct vif *v = vif_find(nb, domid, devid);
    r = bk_xs_exists(&nb->xb, bpath);
    if (r < 0)
        return;
    if (r == 0) {
        if (v) {
            log_info("vif %u/%u: %s removed", domid, devid, bpath);
            vif_remove(nb, v);
        }
        return;
    }
    if (!v) {
        char why[96] = "";
        v = vif_new(nb, domid, devid);
        if (!v) {
            log_err("vif %u/%u: out of memory", domid, devid);
            return;
        }
        r = read_config(nb, v, why, sizeof(why));
        if (r == -EBADMSG) {
            /* Keep the record (so B is watched) in a failed state. */
            xb_watch_fe(nb, v, true);
            r = bk_xs_read_uint(&nb->xb, bpath, "state", &x);
            v->state = r == 0 && x <= XenbusStateReconfigured ? (int)x : 0;
            xb_fatal(nb, v, -EINVAL, "%s in %s", why, bpath);
            return;
        }
        if (r < 0) {
            /* -ENOENT: the toolstack is still writing; a later event
             * brings us back. -EINVAL: a record that is not right. */
            if (r == -EINVAL)
                log_warn("vif %u/%u: bad frontend or frontend-id in %s: ignored", domid, devid,
                         bpath);
            vif_remove(nb, v);
            return;
        }
        xb_watch_fe(nb, v, true);
        r = bk_xs_read_uint(&nb->xb, bpath, "state", &x);
        v->state = r == 0 && x <= XenbusStateReconfigured ? (int)x : XenbusStateInitialising;
        r = bk_xs_read_uint(&nb->xb, bpath, "online", &x);
        v->online = r < 0 || x != 0;
        log_info("vif %u/%u: new: mac %s, bridge %s, mtu %u%s, frontend %s, state %d", domid,
                 devid, v->macstr, v->bridge[0] ? v->bridge : "(none)", v->mtu,
                 v->mtu_clamped ? " (B/mtu was larger: clamped)" : "", v->fpath, v->state);
        if (v->script[0] && strcmp(v->script, "vif-bridge") &&
            !strstr(v->script, "/vif-bridge"))
            log_info("vif %u/%u: script '%s' is not run: pvnetback does vif-bridge's work "
                     "itself (the TAP joins B/bridge if set)", domid, devid, v->script);
        if (v->online) {
            if (v->state == XenbusStateConnected)
                vif_set_up_tap(nb, v); /* taken over below when F says Connected */
            else if (v->state < XenbusStateConnected)
                set_up(nb, v);
        }
    } else {
        r = bk_xs_read_uint(&nb->xb, bpath, "online", &x);
        if (r < 0 && r != -ENOENT && r != -EINVAL)
            return;
        v->online = r < 0 || x != 0;
    }
    if (!nb->xb.xs)
        return;
    if (!v->online) {
        /* Detach (pvctl network-detach): unmap, 5 then 6. */
        if (v->state != XenbusStateClosed)
            vif_disconnect(nb, v, XenbusStateClosed);
        return;
    }
    r = bk_xs_read_uint(&nb->xb, v->fpath, "state", &x);
    if (r < 0 && r != -ENOENT && r != -EINVAL)
        return;
    frontend_changed(nb, v, r == 0 && x <= XenbusStateReconfigured ? (int)x : XenbusStateUnknown);
}

void xb_check_all(struct netback *nb)
{
    uint32_t ids[256][2];
    unsigned n = 0;

    /* By id: a check may free the record. */
    for (struct vif *v = nb->vifs; v && n < 256; v = v->next) {
        ids[n][0] = v->domid;
        ids[n][1] = v->devid;
        n++;
    }
    for (unsigned i = 0; i < n && nb->xb.xs; i++)
        xb_check(nb, ids[i][0], ids[i][1]);
    if (n == 256)
        nb->xb.rescan_now = true;
}

void xb_rescan(struct netback *nb)
{
    if (!nb->xb.xs)
        return;
    nb->last_rescan = nb_now_ms();
    for (struct vif *v = nb->vifs; v; v = v->next)
        v->seen = false;
    if (bk_xs_scan(&nb->xb) < 0)
        return;
    for (struct vif *v = nb->vifs, *next; v; v = next) {
        next = v->next;
        if (v->seen)
            continue;
        if (nb->xb.fresh && v->connected) {
            /* A xenstore that restarted empty: keep serving the guest;
             * the vif goes when its domain does. */
            log_warn("vif %u/%u: %s not in the new xenstore: serving on until domain %u goes",
                     v->domid, v->devid, v->bpath, v->domid);
            v->seen = true;
            continue;
        }
        log_info("vif %u/%u: %s removed", v->domid, v->devid, v->bpath);
        vif_remove(nb, v);
    }
    nb->xb.fresh = false;
}
