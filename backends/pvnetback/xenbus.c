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
#include <sys/epoll.h>

#include <xenstore.h>

#include "log.h"
#include "pvnetback.h"

#define TOKEN_BE "pvnetback-be"
#define TOKEN_FE "pvnetback-fe"
#define TX_TRIES 16

/* A failed request: refusals are the caller's business; anything else
 * means the connection broke. Returns -errno. */
static int failed(struct netback *nb, const char *what, const char *path)
{
    int e = errno ? errno : EIO;

    if (e == ENOENT || e == EACCES || e == EINVAL || e == ENOSPC || e == E2BIG || e == EAGAIN ||
        e == EEXIST || e == EPERM || e == EBUSY)
        return -e;
    log_warn("lost xenstore (%s %s: %s); reconnecting every %d ms", what, path, strerror(e),
             nb->tick_ms);
    xb_close(nb);
    return -e;
}

void xb_close(struct netback *nb)
{
    if (!nb->xs)
        return;
    int fd = xs_fileno(nb->xs);
    if (fd >= 0)
        epoll_ctl(nb->epfd, EPOLL_CTL_DEL, fd, NULL);
    xs_close(nb->xs);
    nb->xs = NULL;
    for (struct vif *v = nb->vifs; v; v = v->next)
        v->fe_watched = false;
}

void xb_connect(struct netback *nb)
{
    int fd;

    if (nb->xs)
        return;
    nb->xs = xs_open(0);
    if (!nb->xs) {
        if (!nb->xs_waiting_logged)
            log_info("waiting for xenstore (%s); retrying every %d ms", strerror(errno),
                     nb->tick_ms);
        nb->xs_waiting_logged = true;
        return;
    }
    if (!xs_watch(nb->xs, NB_BACKEND_ROOT, TOKEN_BE) || (fd = xs_fileno(nb->xs)) < 0) {
        log_warn("xenstore: cannot watch %s: %s", NB_BACKEND_ROOT, strerror(errno));
        xs_close(nb->xs);
        nb->xs = NULL;
        return;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &nb->src_xs };
    if (epoll_ctl(nb->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        log_warn("xenstore: epoll: %s", strerror(errno));
        xs_close(nb->xs);
        nb->xs = NULL;
        return;
    }
    log_info("connected to xenstore (%s)", xs_daemon_socket());
    nb->xs_waiting_logged = false;
    nb->xs_fresh = true;
    nb->rescan_now = true;
}

/* Read dir/key into a malloc'd NUL-terminated string; NULL with errno. */
static char *read_node(struct netback *nb, xs_transaction_t t, const char *dir, const char *key)
{
    char path[256];
    char *v;

    if (!nb->xs) {
        errno = ENOTCONN;
        return NULL;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >= sizeof(path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    errno = 0;
    v = xs_read(nb->xs, t, path, NULL);
    if (!v) {
        int e = failed(nb, "read", path);
        errno = -e;
    }
    return v;
}

char *xb_read_fe(struct netback *nb, struct vif *v, const char *key)
{
    return read_node(nb, XBT_NULL, v->fpath, key);
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

/* dir/key as an unsigned decimal: 0, -ENOENT, -EINVAL or -errno. */
static int read_uint(struct netback *nb, const char *dir, const char *key,
                     unsigned long long *out)
{
    char *s = read_node(nb, XBT_NULL, dir, key), *end;

    if (!s)
        return -errno;
    errno = 0;
    *out = strtoull(s, &end, 10);
    int r = (errno || end == s || *end) ? -EINVAL : 0;
    free(s);
    return r;
}

void xb_watch_fe(struct netback *nb, struct vif *v, bool on)
{
    char path[sizeof(v->fpath) + 8];

    if (!nb->xs || !v->fpath[0] || v->fe_watched == on)
        return;
    snprintf(path, sizeof(path), "%s/state", v->fpath);
    errno = 0;
    bool ok = on ? xs_watch(nb->xs, path, TOKEN_FE) : xs_unwatch(nb->xs, path, TOKEN_FE);
    if (ok)
        v->fe_watched = on;
    else
        failed(nb, on ? "watch" : "unwatch", path);
}

/* One node to write in a transaction. */
struct kv {
    const char *key;
    char val[32];
};

/* Write the nodes into `dir` in one transaction, if dir/state exists. */
static int write_guarded(struct netback *nb, const char *dir, const struct kv *kvs, unsigned n)
{
    char path[256];

    for (int tries = 0; tries < TX_TRIES; tries++) {
        if (!nb->xs)
            return -ENOTCONN;
        errno = 0;
        xs_transaction_t t = xs_transaction_start(nb->xs);
        if (t == XBT_NULL)
            return failed(nb, "transaction_start", dir);
        char *st = read_node(nb, t, dir, "state");
        if (!st) {
            int e = errno;
            if (nb->xs)
                xs_transaction_end(nb->xs, t, true);
            return -e;
        }
        free(st);
        int r = 0;
        for (unsigned i = 0; i < n && r == 0; i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, kvs[i].key);
            errno = 0;
            if (!xs_write(nb->xs, t, path, kvs[i].val, (unsigned)strlen(kvs[i].val)))
                r = failed(nb, "write", path);
        }
        if (!nb->xs)
            return r ? r : -ENOTCONN;
        if (r < 0) {
            xs_transaction_end(nb->xs, t, true);
            return r;
        }
        errno = 0;
        if (xs_transaction_end(nb->xs, t, false))
            return 0;
        if (errno != EAGAIN)
            return failed(nb, "transaction_end", dir);
    }
    return -EAGAIN;
}

int xb_switch_state(struct netback *nb, struct vif *v, int state)
{
    struct kv kv = { .key = "state" };

    snprintf(kv.val, sizeof(kv.val), "%d", state);
    v->state = state;
    if (v->removed)
        return -ENOENT;
    int r = write_guarded(nb, v->bpath, &kv, 1);
    if (r < 0 && r != -ENOENT)
        log_warn("vif %u/%u: cannot write state %d: %s", v->domid, v->devid, state,
                 strerror(-r));
    else if (r == 0)
        log_debug("vif %u/%u: state %d", v->domid, v->devid, state);
    return r;
}

int xb_publish(struct netback *nb, struct vif *v, int state)
{
    struct kv kvs[20];
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
    int r = write_guarded(nb, v->bpath, kvs, n);
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
    struct kv kv = { .key = "mtu" };
    char *have = xb_read_fe(nb, v, "mtu");

    if (have || errno != ENOENT) {
        free(have);
        return;
    }
    snprintf(kv.val, sizeof(kv.val), "%u", v->mtu);
    int r = write_guarded(nb, v->fpath, &kv, 1);
    if (r < 0 && r != -ENOENT)
        log_debug("vif %u/%u: cannot write %s/mtu: %s", v->domid, v->devid, v->fpath,
                  strerror(-r));
}

void xb_fatal(struct netback *nb, struct vif *v, int err, const char *fmt, ...)
{
    char msg[256], full[300], path[sizeof(v->bpath) + 8];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_warn("vif %u/%u: %s: %s", v->domid, v->devid, msg, strerror(-err));
    v->failed = true;
    /* As xenbus_dev_fatal: "<errno> <message>", in B, only while B exists. */
    snprintf(full, sizeof(full), "%d %s", -err, msg);
    snprintf(path, sizeof(path), "%s/error", v->bpath);
    if (!v->removed && nb->xs) {
        errno = 0;
        xs_transaction_t t = xs_transaction_start(nb->xs);
        if (t != XBT_NULL) {
            char *st = read_node(nb, t, v->bpath, "state");
            bool ok = st && nb->xs && xs_write(nb->xs, t, path, full, (unsigned)strlen(full));
            free(st);
            if (nb->xs)
                xs_transaction_end(nb->xs, t, !ok);
        } else {
            failed(nb, "transaction_start", v->bpath);
        }
    }
    vif_disconnect(nb, v, XenbusStateClosing);
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

static void be_event(struct netback *nb, const char *path)
{
    size_t rl = strlen(NB_BACKEND_ROOT);
    uint32_t domid = 0, devid = 0;
    const char *rest = "";
    int depth;

    if (strncmp(path, NB_BACKEND_ROOT, rl) ||
        parse_be_path(path + rl, &domid, &devid, &rest, &depth) < 0)
        return;
    if (depth < 2) {
        nb->rescan_now = true; /* a domain's directory came or went */
        return;
    }
    struct vif *v = vif_find(nb, domid, devid);
    /* Ours: only the nodes that move the state machine. A vif not set up
     * yet: any node (its records may be arriving). */
    if (!v || !*rest || !strcmp(rest, "online") || !strcmp(rest, "state"))
        xb_check(nb, domid, devid);
}

static void fe_event(struct netback *nb, const char *path)
{
    size_t len = strlen(path);

    if (len < 6 || strcmp(path + len - 6, "/state"))
        return;
    struct vif *v = vif_by_fpath(nb, path, len - 6);
    if (v)
        xb_check(nb, v->domid, v->devid);
}

void xb_events(struct netback *nb)
{
    char **w;

    while (nb->xs) {
        errno = 0;
        w = xs_check_watch(nb->xs);
        if (w) {
            log_debug("xenstore: %s fired", w[XS_WATCH_PATH]);
            if (!strcmp(w[XS_WATCH_TOKEN], TOKEN_BE))
                be_event(nb, w[XS_WATCH_PATH]);
            else if (!strcmp(w[XS_WATCH_TOKEN], TOKEN_FE))
                fe_event(nb, w[XS_WATCH_PATH]);
            free(w);
            continue;
        }
        if (errno == EBADMSG || errno == ENOMEM) {
            nb->rescan_now = true; /* an event was dropped */
            continue;
        }
        if (errno != EAGAIN && nb->xs) {
            log_warn("lost xenstore (%s); reconnecting every %d ms", strerror(errno),
                     nb->tick_ms);
            xb_close(nb);
        }
        break;
    }
}

/* Does B exist? 1, 0, or -errno (connection trouble). */
static int be_exists(struct netback *nb, const char *bpath)
{
    errno = 0;
    char *v = xs_read(nb->xs, XBT_NULL, bpath, NULL);
    if (v) {
        free(v);
        return 1;
    }
    int e = failed(nb, "read", bpath);
    return e == -ENOENT ? 0 : e;
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
    int r;

    s = read_node(nb, XBT_NULL, v->bpath, "frontend");
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
    r = read_uint(nb, v->bpath, "frontend-id", &x);
    if (r == 0 && x != v->domid)
        return -EINVAL;
    if (r < 0 && r != -ENOENT)
        return r;
    s = read_node(nb, XBT_NULL, v->bpath, "mac");
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
    s = read_node(nb, XBT_NULL, v->bpath, "bridge");
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
    s = read_node(nb, XBT_NULL, v->bpath, "vifname");
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
    s = read_node(nb, XBT_NULL, v->bpath, "script");
    if (s)
        snprintf(v->script, sizeof(v->script), "%s", s);
    free(s);
    r = read_uint(nb, v->bpath, "mtu", &x);
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

    if (!nb->xs)
        return;
    snprintf(bpath, sizeof(bpath), "%s/%u/%u", NB_BACKEND_ROOT, domid, devid);
    struct vif *v = vif_find(nb, domid, devid);
    r = be_exists(nb, bpath);
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
            r = read_uint(nb, bpath, "state", &x);
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
        r = read_uint(nb, bpath, "state", &x);
        v->state = r == 0 && x <= XenbusStateReconfigured ? (int)x : XenbusStateInitialising;
        r = read_uint(nb, bpath, "online", &x);
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
        r = read_uint(nb, bpath, "online", &x);
        if (r < 0 && r != -ENOENT && r != -EINVAL)
            return;
        v->online = r < 0 || x != 0;
    }
    if (!nb->xs)
        return;
    if (!v->online) {
        /* Detach (pvctl network-detach): unmap, 5 then 6. */
        if (v->state != XenbusStateClosed)
            vif_disconnect(nb, v, XenbusStateClosed);
        return;
    }
    r = read_uint(nb, v->fpath, "state", &x);
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
    for (unsigned i = 0; i < n && nb->xs; i++)
        xb_check(nb, ids[i][0], ids[i][1]);
    if (n == 256)
        nb->rescan_now = true;
}

/* The numeric entries of a directory (malloc'd array, *n entries). */
static unsigned long *list_numbers(struct netback *nb, const char *path, unsigned *n, int *err)
{
    unsigned num = 0;
    errno = 0;
    char **ents = xs_directory(nb->xs, XBT_NULL, path, &num);
    unsigned long *out;

    *n = 0;
    *err = 0;
    if (!ents) {
        int e = failed(nb, "directory", path);
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

void xb_rescan(struct netback *nb)
{
    unsigned nd = 0;
    int err;

    if (!nb->xs)
        return;
    nb->last_rescan = nb_now_ms();
    unsigned long *doms = list_numbers(nb, NB_BACKEND_ROOT, &nd, &err);
    if (err < 0)
        return;
    for (struct vif *v = nb->vifs; v; v = v->next)
        v->seen = false;
    for (unsigned i = 0; i < nd && nb->xs; i++) {
        char path[64];
        unsigned ndev = 0;
        if (doms[i] > 0x7FEF)
            continue;
        snprintf(path, sizeof(path), "%s/%lu", NB_BACKEND_ROOT, doms[i]);
        unsigned long *devs = list_numbers(nb, path, &ndev, &err);
        for (unsigned j = 0; j < ndev && nb->xs; j++) {
            xb_check(nb, (uint32_t)doms[i], (uint32_t)devs[j]);
            struct vif *v = vif_find(nb, (uint32_t)doms[i], (uint32_t)devs[j]);
            if (v)
                v->seen = true;
        }
        free(devs);
        if (err < 0)
            break;
    }
    free(doms);
    if (!nb->xs || err < 0)
        return;
    for (struct vif *v = nb->vifs, *next; v; v = next) {
        next = v->next;
        if (v->seen)
            continue;
        if (nb->xs_fresh && v->connected) {
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
    nb->xs_fresh = false;
}
