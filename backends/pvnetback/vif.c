/* vif.c: one vif: its record, its TAP's life (made when the toolstack
 * declares the vif, as Xen's netback makes vifN.M at probe; gone with
 * the record), and connecting and disconnecting its two rings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenstore.h>

#include "log.h"
#include "pvctrl.h"
#include "pvnetback.h"

struct vif *vif_find(struct netback *nb, uint32_t domid, uint32_t devid)
{
    for (struct vif *v = nb->vifs; v; v = v->next)
        if (v->domid == domid && v->devid == devid)
            return v;
    return NULL;
}

struct vif *vif_by_fpath(struct netback *nb, const char *path, size_t len)
{
    for (struct vif *v = nb->vifs; v; v = v->next)
        if (v->fpath[0] && strlen(v->fpath) == len && !memcmp(v->fpath, path, len))
            return v;
    return NULL;
}

struct vif *vif_new(struct netback *nb, uint32_t domid, uint32_t devid)
{
    struct vif *v = calloc(1, sizeof(*v));

    if (!v)
        return NULL;
    v->domid = domid;
    v->devid = devid;
    v->src.tag = TAG_TAP;
    v->src.vif = v;
    snprintf(v->bpath, sizeof(v->bpath), "%s/%u/%u", NB_BACKEND_ROOT, domid, devid);
    v->tapfd = -1;
    v->local_tx_port = v->local_rx_port = -1;
    v->online = true;
    v->mtu = NB_DEFAULT_MTU;
    v->next = nb->vifs;
    nb->vifs = v;
    return v;
}

int vif_set_up_tap(struct netback *nb, struct vif *v)
{
    int fd, r;

    if (v->tapfd >= 0)
        return 0;
    if (v->vifname[0])
        snprintf(v->ifname, sizeof(v->ifname), "%s", v->vifname);
    else if ((size_t)snprintf(v->ifname, sizeof(v->ifname), "vif%u.%u", v->domid, v->devid) >=
             sizeof(v->ifname)) {
        xb_fatal(nb, v, -ENAMETOOLONG, "vif%u.%u is too long for an interface name (give "
                 "vifname=)", v->domid, v->devid);
        return -ENAMETOOLONG;
    }
    fd = tap_create(v->ifname);
    if (fd < 0) {
        if (fd == -EEXIST)
            xb_fatal(nb, v, fd, "an interface named %s exists already", v->ifname);
        else if (fd == -ENOENT || fd == -ENODEV)
            xb_fatal(nb, v, fd, "creating TAP %s: no /dev/net/tun (load the tun module)",
                     v->ifname);
        else
            xb_fatal(nb, v, fd, "creating TAP %s", v->ifname);
        return fd;
    }
    if ((r = tap_configure(fd, v->ifname, v->mtu)) < 0) {
        close(fd);
        xb_fatal(nb, v, r, "setting TAP %s up (MTU %u)", v->ifname, v->mtu);
        return r;
    }
    if (v->bridge[0] && (r = tap_join_bridge(v->ifname, v->bridge)) < 0) {
        close(fd);
        if (r == -ENODEV)
            xb_fatal(nb, v, r, "bridge %s does not exist", v->bridge);
        else if (r == -ENOTTY)
            xb_fatal(nb, v, r, "%s is not a bridge", v->bridge);
        else
            xb_fatal(nb, v, r, "adding %s to bridge %s", v->ifname, v->bridge);
        return r;
    }
    struct epoll_event ev = { .events = 0, .data.ptr = &v->src };
    if (epoll_ctl(nb->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        r = -errno;
        close(fd);
        xb_fatal(nb, v, r, "watching TAP %s", v->ifname);
        return r;
    }
    v->tapfd = fd;
    v->tap_events = 0;
    v->offload = 0;
    v->mtu_now = v->mtu;
    int mtu = tap_get_mtu(v->ifname);
    log_info("vif %u/%u: TAP %s, MTU %d%s%s, guest MAC %s", v->domid, v->devid, v->ifname, mtu,
             v->bridge[0] ? ", in bridge " : "", v->bridge, v->macstr);
    return 0;
}

/* F/key as an unsigned: 0 and *out, -ENOENT, -EINVAL, or -errno. */
static int fe_uint(struct netback *nb, struct vif *v, const char *key, unsigned long *out)
{
    char *s = xb_read_fe(nb, v, key), *end;

    if (!s)
        return -errno;
    errno = 0;
    *out = strtoul(s, &end, 10);
    int r = (errno || end == s || *end || *out > UINT32_MAX) ? -EINVAL : 0;
    free(s);
    return r;
}

/* What the frontend wrote: rings, ports, features. 0 or -errno (a fatal
 * error is published for the frontend's mistakes). */
static int read_frontend(struct netback *nb, struct vif *v, uint32_t refs[2])
{
    unsigned long x, tx, rx;
    int r;

    r = fe_uint(nb, v, "multi-queue-num-queues", &x);
    if (r == 0 && x != 1) {
        xb_fatal(nb, v, -EINVAL, "the frontend asked for %lu queues; 1 is offered", x);
        return -EINVAL;
    }
    if (r < 0 && r != -ENOENT) {
        if (r == -EINVAL)
            xb_fatal(nb, v, r, "bad %s/multi-queue-num-queues", v->fpath);
        return r;
    }
    if ((r = fe_uint(nb, v, "tx-ring-ref", &tx)) < 0 ||
        (r = fe_uint(nb, v, "rx-ring-ref", &rx)) < 0) {
        if (r == -ENOENT || r == -EINVAL)
            xb_fatal(nb, v, r, "reading %s/tx-ring-ref and rx-ring-ref", v->fpath);
        return r;
    }
    refs[0] = (uint32_t)tx;
    refs[1] = (uint32_t)rx;
    /* Split event channels first, then one for both, as Linux. */
    unsigned long ptx = 0, prx = 0;
    r = fe_uint(nb, v, "event-channel-tx", &ptx);
    if (r == 0)
        r = fe_uint(nb, v, "event-channel-rx", &prx);
    if (r == 0) {
        v->split = ptx != prx;
    } else if (r == -ENOENT) {
        r = fe_uint(nb, v, "event-channel", &ptx);
        prx = ptx;
        v->split = false;
    }
    if (r < 0 || ptx == 0 || prx == 0) {
        if (r == -ENOENT || r == -EINVAL || r == 0)
            xb_fatal(nb, v, r ? r : -EINVAL, "reading %s/event-channel(-tx/-rx)", v->fpath);
        return r ? r : -EINVAL;
    }
    v->remote_tx_port = (uint32_t)ptx;
    v->remote_rx_port = (uint32_t)prx;
    r = xb_read_fe_bool(nb, v, "request-rx-copy", 0);
    if (r != 1) {
        if (r == 0 || r == -EINVAL)
            xb_fatal(nb, v, -EOPNOTSUPP, "request-rx-copy must be 1 (only the copying "
                     "receive path is served)");
        return r == 0 || r == -EINVAL ? -EOPNOTSUPP : r;
    }
    int sg = xb_read_fe_bool(nb, v, "feature-sg", 0);
    int g4 = xb_read_fe_bool(nb, v, "feature-gso-tcpv4", 0);
    int g6 = xb_read_fe_bool(nb, v, "feature-gso-tcpv6", 0);
    int nocsum = xb_read_fe_bool(nb, v, "feature-no-csum-offload", 0);
    int c6 = xb_read_fe_bool(nb, v, "feature-ipv6-csum-offload", 0);
    int notify = xb_read_fe_bool(nb, v, "feature-rx-notify", 0);
    if (!nb->xb.xs)
        return -ENOTCONN;
    /* A feature node we cannot read counts as not offered. */
    v->fe_sg = sg == 1;
    v->fe_gso4 = g4 == 1;
    v->fe_gso6 = g6 == 1;
    v->fe_csum = nocsum != 1;
    v->fe_csum6 = c6 == 1;
    v->fe_rx_notify = notify == 1;
    return 0;
}

/* Set the TAP's MTU (the configured one, or less for now). */
static void set_mtu_now(struct vif *v, unsigned mtu)
{
    if (v->tapfd < 0 || v->mtu_now == mtu)
        return;
    int r = tap_set_mtu(v->ifname, mtu);
    if (r < 0) {
        log_warn("vif %u/%u: MTU %u on %s: %s", v->domid, v->devid, mtu, v->ifname,
                 strerror(-r));
        return;
    }
    if (mtu < v->mtu)
        log_info("vif %u/%u: MTU %u on %s while the frontend takes no multi-slot frames "
                 "(feature-sg)", v->domid, v->devid, mtu, v->ifname);
    v->mtu_now = mtu;
}

int vif_connect(struct netback *nb, struct vif *v, bool resume)
{
    uint32_t refs[2];
    int r;

    if (v->connected)
        return 0;
    if (!nb->host.ctl) {
        v->need_connect = true;
        return -EAGAIN; /* host_connect looks again */
    }
    v->need_connect = false;
    if (v->tapfd < 0 && (r = vif_set_up_tap(nb, v)) < 0)
        return r;
    if ((r = read_frontend(nb, v, refs)) < 0)
        return r;
    void *addr = pvctrl_gnttab_map_grant_refs(nb->host.gnttab, 2, v->domid, refs,
                                              PROT_READ | PROT_WRITE);
    if (!addr) {
        r = -errno;
        if (r == -ESRCH) {
            v->domain_gone = true;
            return r;
        }
        if (bk_host_conn_error(r)) {
            host_lost(nb, r);
            v->need_connect = true;
            return -EAGAIN;
        }
        xb_fatal(nb, v, r, "mapping the rings (tx-ring-ref %u, rx-ring-ref %u)", refs[0],
                 refs[1]);
        return r;
    }
    netif_tx_sring_t *txs = addr;
    netif_rx_sring_t *rxs = (netif_rx_sring_t *)((uint8_t *)addr + XEN_PAGE_SIZE);
    /* As Linux's netback: take each ring up where its responses stand (0
     * on a fresh ring; a restarted daemon serves again what the old one
     * took and never answered). */
    BACK_RING_ATTACH(&v->tx, txs, PVHV_RING_READ_IDX(txs->rsp_prod), XEN_PAGE_SIZE);
    BACK_RING_ATTACH(&v->rx, rxs, PVHV_RING_READ_IDX(rxs->rsp_prod), XEN_PAGE_SIZE);
    v->rings = addr;
    v->connected = true;
    v->broken = false;
    v->tx_again = v->tx_partial = false;
    rx_reset(v);
    memset(&v->st, 0, sizeof(v->st));
    v->warned = 0;
    host_bind(nb, v);
    unsigned off = rx_offload_for(v);
    if ((r = tap_set_offload(v->tapfd, off)) < 0) {
        log_warn("vif %u/%u: TAP offloads %#x refused (%s): none used", v->domid, v->devid,
                 off, strerror(-r));
        off = 0;
        tap_set_offload(v->tapfd, 0);
    }
    v->offload = off;
    /* A frontend that takes no multi-slot frames gets none larger than
     * Ethernet's 1500 (as Linux's netback caps its vif's MTU then), so
     * the host sizes its packets instead of pvnetback dropping them. */
    set_mtu_now(v, v->fe_sg || v->mtu <= 1500 ? v->mtu : 1500);
    if ((r = tap_set_carrier(v->tapfd, true)) < 0)
        log_warn("vif %u/%u: carrier on: %s", v->domid, v->devid, strerror(-r));
    nb_tap_watch(nb, v, EPOLLIN);
    char ports[32];
    if (v->split)
        snprintf(ports, sizeof(ports), "ports %u/%u", v->remote_tx_port, v->remote_rx_port);
    else
        snprintf(ports, sizeof(ports), "port %u", v->remote_tx_port);
    log_info("vif %u/%u: %s rings tx %u rx %u, %s, %s, sg %s, csum offload %s%s, GSO %s%s%s",
             v->domid, v->devid, resume ? "took over the" : "connected", refs[0], refs[1],
             ports, v->ifname, v->fe_sg ? "on" : "off", v->fe_csum ? "ipv4" : "none",
             v->fe_csum6 ? "+ipv6" : "", v->fe_gso4 ? "tcpv4 " : "",
             v->fe_gso6 ? "tcpv6" : "", v->fe_gso4 || v->fe_gso6 ? "" : "off");
    if (!v->fe_rx_notify)
        log_info("vif %u/%u: the frontend does not say feature-rx-notify: its receive ring is "
                 "polled every %d ms while it has too few buffers", v->domid, v->devid,
                 NB_RX_POLL_MS);
    return 0;
}

static void log_stats(struct vif *v)
{
    const struct vif_stats *s = &v->st;
    log_info("vif %u/%u: disconnected; tx %llu packets %llu bytes (%llu refused, %llu dropped), "
             "rx %llu frames %llu bytes (%llu copy errors, %llu over the MTU, %llu malformed; "
             "%llu waits for buffers)", v->domid, v->devid, (unsigned long long)s->tx_pkts,
             (unsigned long long)s->tx_bytes, (unsigned long long)s->tx_err,
             (unsigned long long)s->tx_drop, (unsigned long long)s->rx_pkts,
             (unsigned long long)s->rx_bytes, (unsigned long long)s->rx_err,
             (unsigned long long)s->rx_drop_mtu, (unsigned long long)s->rx_drop_bad,
             (unsigned long long)s->rx_waits);
}

void vif_disconnect(struct netback *nb, struct vif *v, int target)
{
    if (v->connected) {
        host_unbind(nb, v);
        if (nb->host.gnttab) {
            int r = pvctrl_gnttab_unmap(nb->host.gnttab, v->rings, 2);
            if (r < 0)
                log_debug("vif %u/%u: unmapping the rings: %s", v->domid, v->devid,
                          strerror(-r));
        }
        v->rings = NULL;
        v->connected = false;
        v->tx_again = v->tx_partial = false;
        rx_reset(v);
        if (v->tapfd >= 0) {
            nb_tap_watch(nb, v, 0);
            tap_set_carrier(v->tapfd, false);
            set_mtu_now(v, v->mtu);
        }
        log_stats(v);
    }
    if (v->removed || target < XenbusStateClosing)
        return;
    if (v->state != XenbusStateClosing && v->state != XenbusStateClosed)
        xb_switch_state(nb, v, XenbusStateClosing);
    if (target == XenbusStateClosed && v->state != XenbusStateClosed)
        xb_switch_state(nb, v, XenbusStateClosed);
}

void vif_tap_lost(struct netback *nb, struct vif *v, int err)
{
    if (v->tapfd < 0)
        return;
    /* Its fd would poll as an error for ever: out of the loop at once. */
    epoll_ctl(nb->epfd, EPOLL_CTL_DEL, v->tapfd, NULL);
    close(v->tapfd);
    v->tapfd = -1;
    v->tap_events = 0;
    xb_fatal(nb, v, err, "TAP %s vanished (deleted behind pvnetback's back?)", v->ifname);
}

void vif_remove(struct netback *nb, struct vif *v)
{
    v->removed = true;
    xb_watch_fe(nb, v, false);
    vif_disconnect(nb, v, -1);
    if (v->tapfd >= 0) {
        epoll_ctl(nb->epfd, EPOLL_CTL_DEL, v->tapfd, NULL);
        close(v->tapfd); /* a TAP nobody holds is deleted by the kernel */
        log_info("vif %u/%u: TAP %s removed", v->domid, v->devid, v->ifname);
    }
    for (struct vif **p = &nb->vifs; *p; p = &(*p)->next) {
        if (*p == v) {
            *p = v->next;
            break;
        }
    }
    free(v->held);
    free(v);
}
