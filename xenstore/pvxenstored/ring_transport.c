/* ring_transport.c: the xenstore ring of each introduced guest: the page
 * mapped through pvhv (a foreign map, as Xen's xenstored maps it), the
 * guest's event channel bound from dom0, and the bytes moved between the
 * ring and the daemon core. The guest is never trusted: indices are
 * checked and request bytes are copied out of shared memory before the
 * core parses them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/io/xs_wire.h>

#include "pvctrl.h"
#include "ring_transport.h"
#include "unix_transport.h"

#define PAGE 4096

struct rconn {
    struct rconn *next;
    struct xsd_conn *c;      /* NULL once freed */
    uint32_t domid;
    uint32_t port;           /* our (dom0) end of the guest's channel */
    struct xenstore_domain_interface *intf;
    bool gone;               /* stop serving; freed by the reaper */
};

static struct {
    struct xsd *d;
    const char *rundir;
    struct pvctrl *ctl;
    struct pvctrl_evtchn *eh;
    struct xsd_fd_handler ev_handler, reap_handler;
    int reap_fd;             /* eventfd: some rconn is gone or new */
    bool reap_in_loop;
    struct rconn *list;
} ring = { .reap_fd = -1 };

static void rc_kick(struct xsd_conn *c);
static void reap_and_serve(struct xsd_fd_handler *h, uint32_t events);
static const struct xsd_transport ring_transport = { "ring", rc_kick };

static void rc_bury(struct rconn *rc, const char *why)
{
    uint64_t one = 1;

    if (rc->gone)
        return;
    rc->gone = true;
    log_msg(LOG_INFO, "domain %u: ring no longer served: %s", rc->domid, why);
    if (write(ring.reap_fd, &one, sizeof(one)) < 0)
        log_msg(LOG_WARN, "cannot wake the ring reaper: %s", strerror(errno));
}

/* Move queued output into the rsp ring. Returns true if any moved. */
static bool rc_write(struct rconn *rc)
{
    struct xenstore_domain_interface *in = rc->intf;
    bool moved = false;
    const void *buf;
    size_t len;

    while (!rc->gone && xsd_conn_out_peek(rc->c, &buf, &len)) {
        XENSTORE_RING_IDX cons = __atomic_load_n(&in->rsp_cons, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX prod = __atomic_load_n(&in->rsp_prod, __ATOMIC_RELAXED);
        if (prod - cons > XENSTORE_RING_SIZE) {
            rc_bury(rc, "guest corrupted rsp_cons");
            break;
        }
        size_t space = XENSTORE_RING_SIZE - (prod - cons);
        size_t off = MASK_XENSTORE_IDX(prod);
        size_t n = len;
        if (n > space)
            n = space;
        if (n > XENSTORE_RING_SIZE - off)
            n = XENSTORE_RING_SIZE - off;
        if (n == 0)
            break;
        memcpy(in->rsp + off, buf, n);
        __atomic_store_n(&in->rsp_prod, prod + (XENSTORE_RING_IDX)n, __ATOMIC_RELEASE);
        xsd_conn_out_consume(rc->c, n);
        moved = true;
    }
    return moved;
}

/* Feed requests from the req ring to the core. Returns true if any. */
static bool rc_read(struct rconn *rc)
{
    struct xenstore_domain_interface *in = rc->intf;
    bool moved = false;
    char tmp[XENSTORE_RING_SIZE];

    while (!rc->gone && !xsd_conn_blocked(rc->c) && !xsd_conn_dead(rc->c)) {
        XENSTORE_RING_IDX prod = __atomic_load_n(&in->req_prod, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX cons = __atomic_load_n(&in->req_cons, __ATOMIC_RELAXED);
        if (prod - cons > XENSTORE_RING_SIZE) {
            rc_bury(rc, "guest corrupted req_prod");
            break;
        }
        size_t off = MASK_XENSTORE_IDX(cons);
        size_t n = prod - cons;
        if (n > XENSTORE_RING_SIZE - off)
            n = XENSTORE_RING_SIZE - off;
        if (n == 0)
            break;
        memcpy(tmp, in->req + off, n);
        size_t used = xsd_conn_feed(rc->c, tmp, n);
        __atomic_store_n(&in->req_cons, cons + (XENSTORE_RING_IDX)used, __ATOMIC_RELEASE);
        moved |= used > 0;
        if (used < n)
            break;
    }
    if (!rc->gone && xsd_conn_dead(rc->c))
        rc_bury(rc, "protocol error");
    return moved;
}

static void rc_notify(struct rconn *rc)
{
    int r = pvctrl_evtchn_notify(ring.eh, rc->port);

    if (r < 0)
        log_msg(LOG_WARN, "domain %u: notify: %s", rc->domid, strerror(-r));
}

/* The guest signalled (or we just attached): move what can move, in both
 * directions, until nothing does, then tell the guest once. */
static void rc_serve(struct rconn *rc)
{
    bool any = false;

    for (;;) {
        bool w = rc_write(rc), r = rc_read(rc);
        if (!w && !r)
            break;
        any = true;
    }
    if (any && !rc->gone)
        rc_notify(rc);
}

/* Output was queued from inside the core: only write (reading now would
 * re-enter the core). */
static void rc_kick(struct xsd_conn *c)
{
    struct rconn *rc = c->tp_data;

    if (xsd_conn_dead(c)) {
        rc_bury(rc, "connection ended");
        return;
    }
    if (rc_write(rc))
        rc_notify(rc);
}

static void rc_free(struct rconn *rc)
{
    if (rc->c)
        xsd_conn_free(rc->c);
    if (ring.eh)
        pvctrl_evtchn_unbind(ring.eh, rc->port);
    munmap(rc->intf, PAGE);
    free(rc);
}

static void reap(struct xsd_fd_handler *h, uint32_t events)
{
    uint64_t n;

    (void)h;
    (void)events;
    if (read(ring.reap_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        log_msg(LOG_WARN, "ring reaper: %s", strerror(errno));
    for (struct rconn **p = &ring.list; *p;) {
        struct rconn *rc = *p;
        if (rc->gone) {
            *p = rc->next;
            rc_free(rc);
        } else {
            p = &rc->next;
        }
    }
}

/* pvhv went away: every ring is unserved until domains are introduced
 * again (their ports closed with our connection). */
static void lose_pvhv(void)
{
    log_msg(LOG_WARN, "lost the connection to pvhv: guest rings are not served");
    for (struct rconn *rc = ring.list; rc; rc = rc->next)
        rc_bury(rc, "pvhv gone");
    reap(NULL, 0);
    xsd_loop_del(ring.d, pvctrl_evtchn_fd(ring.eh));
    pvctrl_evtchn_close(ring.eh);
    pvctrl_close(ring.ctl);
    ring.eh = NULL;
    ring.ctl = NULL;
}

static void on_events(struct xsd_fd_handler *h, uint32_t events)
{
    int port;

    (void)h;
    if (events & (EPOLLHUP | EPOLLERR)) {
        lose_pvhv();
        return;
    }
    while ((port = pvctrl_evtchn_pending(ring.eh)) >= 0) {
        pvctrl_evtchn_unmask(ring.eh, (uint32_t)port);
        for (struct rconn *rc = ring.list; rc; rc = rc->next)
            if (rc->port == (uint32_t)port && !rc->gone)
                rc_serve(rc);
    }
    if (port != -XEN_EAGAIN)
        lose_pvhv();
}

/* Reach pvhv on first use. 0 or a negative errno. */
static int connect_pvhv(void)
{
    int r;

    if (!ring.reap_in_loop) {
        ring.reap_handler.ready = reap_and_serve;
        r = xsd_loop_add(ring.d, ring.reap_fd, EPOLLIN, &ring.reap_handler);
        if (r < 0)
            return r;
        ring.reap_in_loop = true;
    }
    if (ring.eh)
        return 0;
    r = pvctrl_open(ring.rundir, &ring.ctl);
    if (r < 0)
        return r;
    r = pvctrl_evtchn_open(ring.rundir, &ring.eh);
    if (r == 0) {
        ring.ev_handler.ready = on_events;
        r = xsd_loop_add(ring.d, pvctrl_evtchn_fd(ring.eh), EPOLLIN, &ring.ev_handler);
        if (r < 0) {
            pvctrl_evtchn_close(ring.eh);
            ring.eh = NULL;
        }
    }
    if (r < 0) {
        pvctrl_close(ring.ctl);
        ring.ctl = NULL;
    }
    return r;
}

static int attach(struct xsd *d, struct xsd_domain *dom)
{
    struct rconn *rc;
    int r = connect_pvhv();

    if (r < 0) {
        log_msg(LOG_WARN, "domain %u: cannot reach pvhv: %s", dom->domid, strerror(-r));
        return r;
    }
    rc = calloc(1, sizeof(*rc));
    if (!rc)
        return -XEN_ENOMEM;
    rc->domid = dom->domid;
    rc->intf = pvctrl_foreign_map(ring.ctl, dom->domid, dom->gfn, 1);
    if (!rc->intf) {
        r = -errno;
        log_msg(LOG_WARN, "domain %u: cannot map ring gfn %#llx: %s", dom->domid,
                (unsigned long long)dom->gfn, strerror(errno));
        free(rc);
        return r;
    }
    r = pvctrl_evtchn_bind_interdomain(ring.eh, dom->domid, dom->evtchn);
    if (r < 0) {
        log_msg(LOG_WARN, "domain %u: cannot bind event channel %u: %s", dom->domid,
                dom->evtchn, strerror(-r));
        munmap(rc->intf, PAGE);
        free(rc);
        return r;
    }
    rc->port = (uint32_t)r;
    rc->c = xsd_conn_new(d, &ring_transport, rc, dom->domid);
    if (!rc->c) {
        pvctrl_evtchn_unbind(ring.eh, rc->port);
        munmap(rc->intf, PAGE);
        free(rc);
        return -XEN_ENOMEM;
    }
    /* The guest's ring outlives this daemon: its watches are saved. */
    rc->c->persist = true;
    rc->next = ring.list;
    ring.list = rc;
    /* The guest may have queued requests before it was introduced. Serve
     * them from the loop, not from inside this INTRODUCE. */
    uint64_t one = 1;
    if (write(ring.reap_fd, &one, sizeof(one)) < 0)
        log_msg(LOG_WARN, "cannot wake the loop: %s", strerror(errno));
    return 0;
}

static void detach(struct xsd *d, struct xsd_domain *dom)
{
    (void)d;
    /* RELEASE has already ended the connection; the reaper frees it. */
    for (struct rconn *rc = ring.list; rc; rc = rc->next)
        if (rc->domid == dom->domid)
            rc_bury(rc, "released");
}

/* The reaper also serves rings just attached (see attach). */
static void reap_and_serve(struct xsd_fd_handler *h, uint32_t events)
{
    reap(h, events);
    for (struct rconn *rc = ring.list; rc; rc = rc->next)
        if (!rc->gone)
            rc_serve(rc);
}

static const struct xsd_ring_ops ring_ops = { attach, detach };

void xsd_ring_setup(struct xsd *d, const char *rundir)
{
    ring.d = d;
    ring.rundir = rundir;
    ring.reap_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ring.reap_fd < 0) {
        log_msg(LOG_ERR, "eventfd: %s: guest rings will not be served", strerror(errno));
        return;
    }
    d->ring = &ring_ops;
}

void xsd_ring_teardown(struct xsd *d)
{
    (void)d;
    for (struct rconn *rc = ring.list; rc; rc = rc->next)
        rc->gone = true;
    reap(NULL, 0);
    if (ring.eh)
        pvctrl_evtchn_close(ring.eh);
    if (ring.ctl)
        pvctrl_close(ring.ctl);
    ring.eh = NULL;
    ring.ctl = NULL;
    if (ring.reap_fd >= 0)
        close(ring.reap_fd);
    ring.reap_fd = -1;
    ring.reap_in_loop = false;
}
