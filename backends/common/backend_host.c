/* backend_host.c: the pvhv handles of a backend daemon (backend_host.h). */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include <pvhv/errno.h>

#include "backend_host.h"
#include "log.h"
#include "pvctrl.h"

bool bk_host_conn_error(int err)
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

void bk_host_close(struct bk_host *h)
{
    if (h->evtchn) {
        epoll_ctl(h->epfd, EPOLL_CTL_DEL, pvctrl_evtchn_fd(h->evtchn), NULL);
        pvctrl_evtchn_close(h->evtchn);
    }
    /* Unmaps whatever is still mapped (nothing, once every device is off). */
    pvctrl_gnttab_close(h->gnttab);
    pvctrl_close(h->ctl);
    h->evtchn = NULL;
    h->gnttab = NULL;
    h->ctl = NULL;
}

int bk_host_open(struct bk_host *h)
{
    int r = pvctrl_open(h->rundir, &h->ctl);

    if (r == 0)
        r = pvctrl_evtchn_open(h->rundir, &h->evtchn);
    if (r == 0)
        r = pvctrl_gnttab_open(h->rundir, &h->gnttab);
    if (r == 0) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = h->evtchn_data };
        if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, pvctrl_evtchn_fd(h->evtchn), &ev) < 0)
            r = -errno;
    }
    if (r < 0) {
        bk_host_close(h);
        /* Once per outage: the tick retries quietly. */
        if (!h->waiting_logged)
            log_info("waiting for pvhv in %s (%s); retrying every %d ms", h->rundir,
                     strerror(-r), h->tick_ms);
        h->waiting_logged = true;
        return r;
    }
    log_info("connected to pvhv in %s", h->rundir);
    h->waiting_logged = false;
    return 0;
}

int bk_host_domain_alive(struct bk_host *h, uint32_t domid)
{
    struct pvhv_ctl_dominfo info;
    int r = pvctrl_domain_getinfo(h->ctl, domid, &info);

    if (r < 0 && bk_host_conn_error(r))
        return r;
    if (r == -XEN_ESRCH || (r == 0 && info.state == PVHV_DOMSTATE_DYING))
        return 0;
    return 1;
}

int bk_host_bind(struct bk_host *h, uint32_t domid, uint32_t remote, int max_ports)
{
    int r = pvctrl_evtchn_bind_interdomain(h->evtchn, domid, remote);

    /* A port past the daemon's table could not be looked up: give it back. */
    if (r >= max_ports) {
        pvctrl_evtchn_unbind(h->evtchn, (uint32_t)r);
        r = -ENOSPC;
    }
    return r;
}

void bk_host_unbind(struct bk_host *h, int port, const char *kind, uint32_t domid,
                    uint32_t devid)
{
    if (!h->evtchn)
        return;
    int r = pvctrl_evtchn_unbind(h->evtchn, (uint32_t)port);
    if (r < 0)
        log_debug("%s %u/%u: unbind port %d: %s", kind, domid, devid, port, strerror(-r));
}

void bk_host_notify(struct bk_host *h, int port, const char *kind, uint32_t domid,
                    uint32_t devid)
{
    if (!h->evtchn)
        return;
    int r = pvctrl_evtchn_notify(h->evtchn, (uint32_t)port);
    if (r < 0)
        log_debug("%s %u/%u: notify: %s", kind, domid, devid, strerror(-r));
}
