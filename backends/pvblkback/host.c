/* host.c: the connections to pvhv: control (domain liveness), event
 * channels and grants, each its own libpvctrl handle. pvhv may start after
 * pvblkback and may go away; while it is away no device is connected. */
#include <errno.h>
#include <string.h>

#include "backend_host.h"
#include "log.h"
#include "pvblkback.h"
#include "pvctrl.h"

/* The handles, and the ports they numbered. */
static void close_handles(struct blkback *bb)
{
    bk_host_close(&bb->host);
    memset(bb->by_port, 0, sizeof(bb->by_port));
}

void host_connect(struct blkback *bb)
{
    if (bb->host.ctl || bb->host_closing)
        return;
    bb->host.rundir = bb->rundir;
    bb->host.epfd = bb->epfd;
    bb->host.evtchn_data = TAG_EVTCHN;
    bb->host.tick_ms = bb->tick_ms;
    if (bk_host_open(&bb->host) < 0) {
        memset(bb->by_port, 0, sizeof(bb->by_port));
        return;
    }
    /* Devices that waited for pvhv (InitWait with a ready frontend, or a
     * Connected ring to take over) are looked at again. */
    xb_check_all(bb);
}

void host_lost(struct blkback *bb, int err)
{
    if (!bb->host.ctl || bb->host_closing)
        return;
    log_warn("lost pvhv (%s): disconnecting every device", strerror(-err));
    bb->host_closing = true;
    for (struct vbd *v = bb->vbds; v; v = v->next) {
        if (v->connected) {
            /* A pvhv that comes back has lost its domains: nothing to
             * resume. The records stay until the toolstack removes them. */
            v->domain_gone = true;
            vbd_disconnect(bb, v, -1);
        }
    }
    host_reap_closed(bb);
}

void host_reap_closed(struct blkback *bb)
{
    if (!bb->host_closing)
        return;
    for (struct vbd *v = bb->vbds; v; v = v->next)
        if (v->connected || v->ring_addr)
            return; /* still draining */
    close_handles(bb);
    bb->host_closing = false;
}

void host_close(struct blkback *bb)
{
    close_handles(bb);
    bb->host_closing = false;
}

void host_check_domains(struct blkback *bb)
{
    if (!bb->host.ctl || bb->host_closing)
        return;
    for (struct vbd *v = bb->vbds, *next; v; v = next) {
        next = v->next;
        if (!v->connected || v->closing || v->domain_gone)
            continue;
        int r = bk_host_domain_alive(&bb->host, v->domid);
        if (r < 0) {
            host_lost(bb, r);
            return;
        }
        if (r == 0) {
            log_info("vbd %u/%u: domain %u is gone: disconnecting", v->domid, v->devid,
                     v->domid);
            v->domain_gone = true;
            vbd_disconnect(bb, v, XenbusStateClosed);
        }
    }
}

void host_bind(struct blkback *bb, struct vbd *v)
{
    if (v->local_port >= 0 || !bb->host.evtchn)
        return;
    int r = bk_host_bind(&bb->host, v->domid, v->remote_port, BB_MAX_PORTS);
    if (r < 0) {
        /* E.g. a killed pvblkback's port that pvhv has not closed yet:
         * retried at every tick, the ring polled meanwhile. */
        if (!v->bind_warned)
            log_warn("vbd %u/%u: cannot bind port %u of domain %u: %s (polling the ring; "
                     "retrying)", v->domid, v->devid, v->remote_port, v->domid, strerror(-r));
        v->bind_warned = true;
        return;
    }
    if (v->bind_warned)
        log_info("vbd %u/%u: port %u bound at last", v->domid, v->devid, v->remote_port);
    v->bind_warned = false;
    v->local_port = r;
    bb->by_port[r] = v;
}

void host_unbind(struct blkback *bb, struct vbd *v)
{
    if (v->local_port < 0)
        return;
    bk_host_unbind(&bb->host, v->local_port, "vbd", v->domid, v->devid);
    bb->by_port[v->local_port] = NULL;
    v->local_port = -1;
}

void host_notify(struct blkback *bb, struct vbd *v)
{
    if (v->local_port >= 0)
        bk_host_notify(&bb->host, v->local_port, "vbd", v->domid, v->devid);
}

void host_events(struct blkback *bb)
{
    int port;

    if (!bb->host.evtchn)
        return;
    while ((port = pvctrl_evtchn_pending(bb->host.evtchn)) >= 0) {
        pvctrl_evtchn_unmask(bb->host.evtchn, (uint32_t)port);
        struct vbd *v = port < BB_MAX_PORTS ? bb->by_port[port] : NULL;
        if (v)
            ring_kick(bb, v);
    }
}
