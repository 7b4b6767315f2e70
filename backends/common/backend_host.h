/* backend_host.h: a backend daemon's connections to pvhv: control (domain
 * liveness), event channels and grants, each its own libpvctrl handle.
 * pvhv may start after the daemon and may go away: the handles are all
 * there or all NULL, and connecting is retried (quietly) at every tick.
 * What a lost pvhv means for the devices is the daemon's business. */
#ifndef BACKEND_HOST_H
#define BACKEND_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct pvctrl;
struct pvctrl_evtchn;
struct pvctrl_gnttab;

struct bk_host {
    /* Set by the daemon before the first bk_host_open: */
    const char *rundir;        /* where pvhv's socket is */
    int epfd;                  /* the loop's epoll set */
    uint64_t evtchn_data;      /* epoll data of the event channel fd */
    int tick_ms;               /* the retry period (for the message) */
    /* NULL while pvhv is not there: */
    struct pvctrl *ctl;
    struct pvctrl_evtchn *evtchn;
    struct pvctrl_gnttab *gnttab;
    bool waiting_logged;       /* "waiting for pvhv" said once per outage */
};

/* Is `err` (-errno from libpvctrl) a sign that the connection to pvhv is
 * broken (ECONNREFUSED, ECONNRESET, ENOTCONN, EPIPE, EIO), not a refusal? */
bool bk_host_conn_error(int err);

/*
 * Open the three handles and put the event channel fd in the epoll set.
 * Returns 0 once connected (logs "connected to pvhv in DIR"), or -errno
 * with every handle closed again (logs "waiting for pvhv ..." the first
 * time only). Call only while h->ctl is NULL.
 */
int bk_host_open(struct bk_host *h);

/* Close the handles (grant maps still held are unmapped by libpvctrl) and
 * take the event channel fd out of the epoll set. No-op when closed. */
void bk_host_close(struct bk_host *h);

/*
 * Is domain `domid` still there? 1: yes (or pvhv would not say: treated
 * as alive), 0: gone or dying, or -errno when the connection to pvhv
 * broke (bk_host_conn_error; the caller treats pvhv as lost). Needs
 * h->ctl.
 */
int bk_host_domain_alive(struct bk_host *h, uint32_t domid);

/* Bind a local port to port `remote` of domain `domid`. Returns the local
 * port, or -ENOSPC if it is not below `max_ports` (the daemon's by-port
 * table; unbound again), or -errno. Needs h->evtchn. */
int bk_host_bind(struct bk_host *h, uint32_t domid, uint32_t remote, int max_ports);

/* Unbind local `port` if pvhv is connected; a failure is only logged (at
 * debug, as "KIND DOMID/DEVID: unbind port N: ...": the port dies with
 * the connection anyway). */
void bk_host_unbind(struct bk_host *h, int port, const char *kind, uint32_t domid,
                    uint32_t devid);

/* Notify local `port` if pvhv is connected; a failure is logged at debug
 * ("KIND DOMID/DEVID: notify: ..."; the frontend polls, or is gone). */
void bk_host_notify(struct bk_host *h, int port, const char *kind, uint32_t domid,
                    uint32_t devid);

#endif
