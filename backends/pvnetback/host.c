/* host.c: the connections to pvhv: control (domain liveness), event
 * channels and grants, each its own libpvctrl handle. pvhv may start after
 * pvnetback and may go away; while it is away no vif is connected (their
 * TAPs stay, carrier off). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <pvhv/errno.h>
#include <pvhv/grant_table.h>

#include "log.h"
#include "pvctrl.h"
#include "pvnetback.h"

bool host_conn_error(int err)
{
    switch (-err) {
    case ECONNREFUSED:
    case ECONNRESET:
    case ENOTCONN:
    case EPIPE:
    case EIO:
        return true;
    default:
        return false;
    }
}

static void close_handles(struct netback *nb)
{
    if (nb->evtchn) {
        epoll_ctl(nb->epfd, EPOLL_CTL_DEL, pvctrl_evtchn_fd(nb->evtchn), NULL);
        pvctrl_evtchn_close(nb->evtchn);
    }
    pvctrl_gnttab_close(nb->gnttab); /* unmaps whatever is still mapped */
    pvctrl_close(nb->ctl);
    nb->evtchn = NULL;
    nb->gnttab = NULL;
    nb->ctl = NULL;
    memset(nb->by_port, 0, sizeof(nb->by_port));
}

void host_connect(struct netback *nb)
{
    int r;

    if (nb->ctl)
        return;
    r = pvctrl_open(nb->rundir, &nb->ctl);
    if (r == 0)
        r = pvctrl_evtchn_open(nb->rundir, &nb->evtchn);
    if (r == 0)
        r = pvctrl_gnttab_open(nb->rundir, &nb->gnttab);
    if (r == 0) {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &nb->src_evtchn };
        if (epoll_ctl(nb->epfd, EPOLL_CTL_ADD, pvctrl_evtchn_fd(nb->evtchn), &ev) < 0)
            r = -errno;
    }
    if (r < 0) {
        close_handles(nb);
        if (!nb->waiting_logged)
            log_info("waiting for pvhv in %s (%s); retrying every %d ms", nb->rundir,
                     strerror(-r), nb->tick_ms);
        nb->waiting_logged = true;
        return;
    }
    log_info("connected to pvhv in %s", nb->rundir);
    nb->waiting_logged = false;
    xb_check_all(nb); /* vifs that waited for pvhv */
}

void host_lost(struct netback *nb, int err)
{
    if (!nb->ctl)
        return;
    log_warn("lost pvhv (%s): disconnecting every vif", strerror(-err));
    for (struct vif *v = nb->vifs; v; v = v->next) {
        if (v->connected) {
            /* A pvhv that comes back has lost its domains. */
            v->domain_gone = true;
            vif_disconnect(nb, v, -1);
        }
    }
    close_handles(nb);
}

void host_close(struct netback *nb)
{
    close_handles(nb);
}

void host_check_domains(struct netback *nb)
{
    if (!nb->ctl)
        return;
    for (struct vif *v = nb->vifs; v; v = v->next) {
        struct pvhv_ctl_dominfo info;
        if (!v->connected || v->domain_gone)
            continue;
        int r = pvctrl_domain_getinfo(nb->ctl, v->domid, &info);
        if (r < 0 && host_conn_error(r)) {
            host_lost(nb, r);
            return;
        }
        if (r == -XEN_ESRCH || (r == 0 && info.state == PVHV_DOMSTATE_DYING)) {
            log_info("vif %u/%u: domain %u is gone: disconnecting", v->domid, v->devid,
                     v->domid);
            v->domain_gone = true;
            vif_disconnect(nb, v, XenbusStateClosed);
        }
    }
}

static int bind_one(struct netback *nb, struct vif *v, uint32_t remote)
{
    int r = pvctrl_evtchn_bind_interdomain(nb->evtchn, v->domid, remote);
    if (r >= NB_MAX_PORTS) {
        pvctrl_evtchn_unbind(nb->evtchn, (uint32_t)r);
        r = -ENOSPC;
    }
    return r;
}

void host_bind(struct netback *nb, struct vif *v)
{
    int r = 0;

    if (!nb->evtchn || !v->connected)
        return;
    if (v->local_tx_port < 0) {
        r = bind_one(nb, v, v->remote_tx_port);
        if (r >= 0) {
            v->local_tx_port = r;
            nb->by_port[r].vif = v;
            nb->by_port[r].rings = v->split ? PORT_TX : PORT_TX | PORT_RX;
        }
    }
    if (r >= 0 && v->split && v->local_rx_port < 0) {
        r = bind_one(nb, v, v->remote_rx_port);
        if (r >= 0) {
            v->local_rx_port = r;
            nb->by_port[r].vif = v;
            nb->by_port[r].rings = PORT_RX;
        }
    }
    if (!v->split)
        v->local_rx_port = v->local_tx_port;
    if (r < 0) {
        /* E.g. a killed pvnetback's port pvhv has not closed yet: retried
         * at every tick, the rings polled meanwhile. */
        if (!v->bind_warned)
            log_warn("vif %u/%u: cannot bind port %u/%u of domain %u: %s (polling the rings; "
                     "retrying)", v->domid, v->devid, v->remote_tx_port, v->remote_rx_port,
                     v->domid, strerror(-r));
        v->bind_warned = true;
        return;
    }
    if (v->bind_warned)
        log_info("vif %u/%u: ports bound at last", v->domid, v->devid);
    v->bind_warned = false;
}

static void unbind_one(struct netback *nb, struct vif *v, int port)
{
    if (port < 0)
        return;
    if (nb->evtchn) {
        int r = pvctrl_evtchn_unbind(nb->evtchn, (uint32_t)port);
        if (r < 0)
            log_debug("vif %u/%u: unbind port %d: %s", v->domid, v->devid, port, strerror(-r));
    }
    nb->by_port[port].vif = NULL;
    nb->by_port[port].rings = 0;
}

void host_unbind(struct netback *nb, struct vif *v)
{
    unbind_one(nb, v, v->local_tx_port);
    if (v->split)
        unbind_one(nb, v, v->local_rx_port);
    v->local_tx_port = v->local_rx_port = -1;
}

void host_notify(struct netback *nb, struct vif *v, unsigned rings)
{
    int ports[2], n = 0;

    if (!nb->evtchn)
        return;
    if ((rings & PORT_TX) && v->local_tx_port >= 0)
        ports[n++] = v->local_tx_port;
    if ((rings & PORT_RX) && v->local_rx_port >= 0 && (n == 0 || v->local_rx_port != ports[0]))
        ports[n++] = v->local_rx_port;
    for (int i = 0; i < n; i++) {
        int r = pvctrl_evtchn_notify(nb->evtchn, (uint32_t)ports[i]);
        if (r < 0)
            log_debug("vif %u/%u: notify: %s", v->domid, v->devid, strerror(-r));
    }
}

void host_events(struct netback *nb)
{
    int port;

    if (!nb->evtchn)
        return;
    /* Bounded: events still pending are seen in the next round (the fd
     * stays readable), after the other sources had theirs. */
    for (int n = 0; n < 256 && nb->evtchn && (port = pvctrl_evtchn_pending(nb->evtchn)) >= 0;
         n++) {
        pvctrl_evtchn_unmask(nb->evtchn, (uint32_t)port);
        if (port >= NB_MAX_PORTS || !nb->by_port[port].vif)
            continue;
        struct vif *v = nb->by_port[port].vif;
        unsigned rings = nb->by_port[port].rings;
        if (rings & PORT_TX)
            tx_kick(nb, v);
        /* tx_kick may have closed v's connection (a broken ring): look
         * the port up again. */
        if ((rings & PORT_RX) && nb->by_port[port].vif == v)
            rx_kick(nb, v);
    }
}

int host_ops_reserve(struct netback *nb, size_t n)
{
    if (n <= nb->nops_cap)
        return 0;
    size_t cap = nb->nops_cap ? nb->nops_cap : 256;
    while (cap < n)
        cap *= 2;
    struct gnttab_copy *ops = realloc(nb->ops, cap * sizeof(*ops));
    if (!ops)
        return -ENOMEM;
    nb->ops = ops;
    nb->nops_cap = cap;
    return 0;
}

void host_copy(struct netback *nb, struct gnttab_copy *ops, size_t n)
{
    for (size_t done = 0; done < n;) {
        uint32_t k = (uint32_t)(n - done < PVHV_GNTTAB_MAP_MAX ? n - done : PVHV_GNTTAB_MAP_MAX);
        int r = nb->gnttab ? pvctrl_gnttab_grant_copy(nb->gnttab, k, ops + done) : -ENOTCONN;
        if (r < 0) {
            for (uint32_t i = 0; i < k; i++)
                ops[done + i].status = GNTST_general_error;
            if (host_conn_error(r))
                log_debug("grant copy: %s", strerror(-r));
        }
        done += k;
    }
}
