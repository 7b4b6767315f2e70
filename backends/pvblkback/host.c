/* host.c: the connections to pvhv: control (domain liveness), event
 * channels and grants, each its own libpvctrl handle. pvhv may start after
 * pvblkback and may go away; while it is away no device is connected. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include <pvhv/errno.h>

#include "log.h"
#include "pvblkback.h"
#include "pvctrl.h"

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

static void close_handles(struct blkback *bb)
{
    if (bb->evtchn) {
        epoll_ctl(bb->epfd, EPOLL_CTL_DEL, pvctrl_evtchn_fd(bb->evtchn), NULL);
        pvctrl_evtchn_close(bb->evtchn);
    }
    /* Unmaps whatever is still mapped (nothing, once every device is off). */
    pvctrl_gnttab_close(bb->gnttab);
    pvctrl_close(bb->ctl);
    bb->evtchn = NULL;
    bb->gnttab = NULL;
    bb->ctl = NULL;
    memset(bb->by_port, 0, sizeof(bb->by_port));
}

void host_connect(struct blkback *bb)
{
    int r;

    if (bb->ctl || bb->host_closing)
        return;
    r = pvctrl_open(bb->rundir, &bb->ctl);
    if (r == 0)
        r = pvctrl_evtchn_open(bb->rundir, &bb->evtchn);
    if (r == 0)
        r = pvctrl_gnttab_open(bb->rundir, &bb->gnttab);
    if (r == 0) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_EVTCHN };
        if (epoll_ctl(bb->epfd, EPOLL_CTL_ADD, pvctrl_evtchn_fd(bb->evtchn), &ev) < 0)
            r = -errno;
    }
    if (r < 0) {
        close_handles(bb);
        if (!bb->waiting_logged)
            log_info("waiting for pvhv in %s (%s); retrying every %d ms", bb->rundir,
                     strerror(-r), bb->tick_ms);
        bb->waiting_logged = true;
        return;
    }
    log_info("connected to pvhv in %s", bb->rundir);
    bb->waiting_logged = false;
    /* Devices that waited for pvhv (InitWait with a ready frontend, or a
     * Connected ring to take over) are looked at again. */
    xb_check_all(bb);
}

void host_lost(struct blkback *bb, int err)
{
    if (!bb->ctl || bb->host_closing)
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
    if (!bb->ctl || bb->host_closing)
        return;
    for (struct vbd *v = bb->vbds, *next; v; v = next) {
        struct pvhv_ctl_dominfo info;
        next = v->next;
        if (!v->connected || v->closing || v->domain_gone)
            continue;
        int r = pvctrl_domain_getinfo(bb->ctl, v->domid, &info);
        if (r < 0 && host_conn_error(r)) {
            host_lost(bb, r);
            return;
        }
        if (r == -XEN_ESRCH || (r == 0 && info.state == PVHV_DOMSTATE_DYING)) {
            log_info("vbd %u/%u: domain %u is gone: disconnecting", v->domid, v->devid,
                     v->domid);
            v->domain_gone = true;
            vbd_disconnect(bb, v, XenbusStateClosed);
        }
    }
}

void host_bind(struct blkback *bb, struct vbd *v)
{
    if (v->local_port >= 0 || !bb->evtchn)
        return;
    int r = pvctrl_evtchn_bind_interdomain(bb->evtchn, v->domid, v->remote_port);
    if (r >= BB_MAX_PORTS) {
        pvctrl_evtchn_unbind(bb->evtchn, (uint32_t)r);
        r = -ENOSPC;
    }
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
    if (bb->evtchn) {
        int r = pvctrl_evtchn_unbind(bb->evtchn, (uint32_t)v->local_port);
        if (r < 0)
            log_debug("vbd %u/%u: unbind port %d: %s", v->domid, v->devid, v->local_port,
                      strerror(-r));
    }
    bb->by_port[v->local_port] = NULL;
    v->local_port = -1;
}

void host_notify(struct blkback *bb, struct vbd *v)
{
    if (v->local_port < 0 || !bb->evtchn)
        return;
    int r = pvctrl_evtchn_notify(bb->evtchn, (uint32_t)v->local_port);
    if (r < 0)
        log_debug("vbd %u/%u: notify: %s", v->domid, v->devid, strerror(-r));
}

void host_events(struct blkback *bb)
{
    int port;

    if (!bb->evtchn)
        return;
    while ((port = pvctrl_evtchn_pending(bb->evtchn)) >= 0) {
        pvctrl_evtchn_unmask(bb->evtchn, (uint32_t)port);
        struct vbd *v = port < BB_MAX_PORTS ? bb->by_port[port] : NULL;
        if (v)
            ring_kick(bb, v);
    }
}
