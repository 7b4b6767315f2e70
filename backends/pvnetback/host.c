/* host.c: the connections to pvhv: control (domain liveness), event
 * channels and grants, each its own libpvctrl handle. pvhv may start after
 * pvnetback and may go away; while it is away no vif is connected (their
 * TAPs stay, carrier off). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/grant_table.h>

#include "backend_host.h"
#include "log.h"
#include "pvctrl.h"
#include "pvnetback.h"

/* The handles, and the ports they numbered. */
static void close_handles(struct netback *nb)
{
    bk_host_close(&nb->host);
    memset(nb->by_port, 0, sizeof(nb->by_port));
}

void host_connect(struct netback *nb)
{
    if (nb->host.ctl)
        return;
    nb->host.rundir = nb->rundir;
    nb->host.epfd = nb->epfd;
    nb->host.evtchn_data = (uintptr_t)&nb->src_evtchn;
    nb->host.tick_ms = nb->tick_ms;
    if (bk_host_open(&nb->host) < 0) {
        memset(nb->by_port, 0, sizeof(nb->by_port));
        return;
    }
    xb_check_all(nb); /* vifs that waited for pvhv */
}

void host_lost(struct netback *nb, int err)
{
    if (!nb->host.ctl)
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
    if (!nb->host.ctl)
        return;
    for (struct vif *v = nb->vifs; v; v = v->next) {
        if (!v->connected || v->domain_gone)
            continue;
        int r = bk_host_domain_alive(&nb->host, v->domid);
        if (r < 0) {
            host_lost(nb, r);
            return;
        }
        if (r == 0) {
            log_info("vif %u/%u: domain %u is gone: disconnecting", v->domid, v->devid,
                     v->domid);
            v->domain_gone = true;
            vif_disconnect(nb, v, XenbusStateClosed);
        }
    }
}

void host_bind(struct netback *nb, struct vif *v)
{
    int r = 0;

    if (!nb->host.evtchn || !v->connected)
        return;
    if (v->local_tx_port < 0) {
        r = bk_host_bind(&nb->host, v->domid, v->remote_tx_port, NB_MAX_PORTS);
        if (r >= 0) {
            v->local_tx_port = r;
            nb->by_port[r].vif = v;
            nb->by_port[r].rings = v->split ? PORT_TX : PORT_TX | PORT_RX;
        }
    }
    if (r >= 0 && v->split && v->local_rx_port < 0) {
        r = bk_host_bind(&nb->host, v->domid, v->remote_rx_port, NB_MAX_PORTS);
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
    bk_host_unbind(&nb->host, port, "vif", v->domid, v->devid);
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

    if (!nb->host.evtchn)
        return;
    if ((rings & PORT_TX) && v->local_tx_port >= 0)
        ports[n++] = v->local_tx_port;
    if ((rings & PORT_RX) && v->local_rx_port >= 0 && (n == 0 || v->local_rx_port != ports[0]))
        ports[n++] = v->local_rx_port;
    for (int i = 0; i < n; i++)
        bk_host_notify(&nb->host, ports[i], "vif", v->domid, v->devid);
}

void host_events(struct netback *nb)
{
    int port;

    if (!nb->host.evtchn)
        return;
    /* Bounded: events still pending are seen in the next round (the fd
     * stays readable), after the other sources had theirs. */
    for (int n = 0; n < 256 && nb->host.evtchn && (port = pvctrl_evtchn_pending(nb->host.evtchn)) >= 0;
         n++) {
        pvctrl_evtchn_unmask(nb->host.evtchn, (uint32_t)port);
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
        int r = nb->host.gnttab ? pvctrl_gnttab_grant_copy(nb->host.gnttab, k, ops + done) : -ENOTCONN;
        if (r < 0) {
            for (uint32_t i = 0; i < k; i++)
                ops[done + i].status = GNTST_general_error;
            if (bk_host_conn_error(r))
                log_debug("grant copy: %s", strerror(-r));
        }
        done += k;
    }
}
