/* test_netfront.c: libpvfront's netfront and the reference guest's network
 * stack through its `net` command: a private pvhv and pvxenstored, the
 * toolstack's vif entries written by hand as libxl writes them, and a
 * network backend: pvnetback when it is built (build/bin/pvnetback, run as
 * `pvnetback --rundir DIR`), else a small backend in this file that
 * answers the way Linux's netback does (grant copies to and from a TAP
 * device, its checks on tx slot chains). PVHV_NETFRONT_STUB=1 forces the
 * stub.
 *
 * The whole test process moves to a network namespace of its own first
 * (unshare(CLONE_NEWNET)): the TAP devices, the bridge xenbr0 (10.77.0.1/24)
 * they join and every socket of the test live there and vanish with it;
 * the host's interfaces are never touched. pvnetback is started inside it.
 * The host side is the namespace's own kernel: it answers the guests' ARP
 * and pings, and the test's sockets (a raw ICMP socket, UDP and TCP) talk
 * to the guests from 10.77.0.1. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/grant_table.h>
#include <pvhv/hvm/params.h>
#include <pvhv/io/netif.h>
#include <pvhv/io/xenbus.h>
#include <pvhv/sched.h>
#include <xenstore.h>

#include "harness.h"

#define GUEST_MIB 64
#define BRIDGE "xenbr0"
#define HOST_IP "10.77.0.1"
#define GUEST_IP "10.77.0.2"
#define GUEST2_IP "10.77.0.3"
#define PAGE 4096u

static struct host host;
static pid_t xsd, netback;
static int orig_ns = -1;
static char con[262144];
static struct xs_handle *xs;

/* ------------------------------------------------------------------------
 * Daemons and the namespace
 * ------------------------------------------------------------------------ */

static pid_t spawn(const char *bin, const char *const argv[])
{
    pid_t p = fork();

    cr_assert_geq(p, 0, "fork: %s", strerror(errno));
    if (p == 0) {
        execv(build_path(bin), (char **)argv);
        _exit(127);
    }
    return p;
}

static bool use_pvnetback(void)
{
    const char *stub = getenv("PVHV_NETFRONT_STUB");

    if (stub && !strcmp(stub, "1"))
        return false;
    return access(build_path("bin/pvnetback"), X_OK) == 0;
}

static void netback_start(void)
{
    const char *argv[] = { "pvnetback", "--rundir", host.rundir, NULL };

    netback = spawn("bin/pvnetback", argv);
    usleep(200000);
    cr_assert(waitpid(netback, NULL, WNOHANG) == 0, "pvnetback exited at start");
}

static bool alive(pid_t p)
{
    return p > 0 && waitpid(p, NULL, WNOHANG) == 0;
}

static void stop(pid_t *p, const char *what)
{
    int st = 0;

    if (*p <= 0)
        return;
    kill(*p, SIGTERM);
    waitpid(*p, &st, 0);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s must exit cleanly (%#x)", what, st);
    *p = 0;
}

/* Run a shell command in the test's namespace; its exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void write_file(const char *path, const char *v)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (write(fd, v, strlen(v)) < 0)
            (void)0;
        close(fd);
    }
}

/* A namespace of our own with the bridge the vifs join. */
static void netns_enter(void)
{
    orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(orig_ns, 0, "open /proc/self/ns/net: %s", strerror(errno));
    cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s (needs root)",
                 strerror(errno));
    /* No IPv6 chatter toward the guests (these sysctls are the namespace's own). */
    write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    cr_assert_eq(sh("ip link set lo up && ip link add " BRIDGE " type bridge && "
                    "ip addr add " HOST_IP "/24 dev " BRIDGE " && ip link set " BRIDGE " up"),
                 0, "cannot set up the bridge in the test's namespace (iproute2 needed)");
}

static void netns_leave(void)
{
    if (orig_ns >= 0) {
        cr_expect_eq(setns(orig_ns, CLONE_NEWNET), 0, "setns back: %s", strerror(errno));
        close(orig_ns);
    }
    orig_ns = -1;
}

/* ------------------------------------------------------------------------
 * The stub backend: one thread per vif, Linux netback's rules
 * ------------------------------------------------------------------------ */

/* Linux netback: chains over 18 slots are dropped, 20 or more are fatal. */
#define LEGACY_SLOTS_MAX 18
#define FATAL_SLOTS 20
#define BATCH 32

struct vstub {
    /* set up by the test */
    uint32_t domid, devid;
    bool split, sg, mq;
    unsigned int mtu; /* 0: not published */
    char fpath[128], bpath[128], ifname[IFNAMSIZ];
    int tap;
    pthread_t th;
    atomic_bool stop;
    /* what it saw (read after the join, or atomically while it runs) */
    atomic_int connects, closes, fatal;
    atomic_int front_split, front_sg, front_rx_copy, front_rx_notify, front_no_csum, front_mq;
    atomic_ulong tx_frames, tx_multi, tx_errors, rx_frames, rx_multi, rx_dropped;
    char fatal_why[128];
    char fail[256];
};

#define MAX_STUBS 2
static struct vstub stubs[MAX_STUBS];
static int nstubs;

static char *xread(struct xs_handle *h, const char *dir, const char *node)
{
    char p[256];
    unsigned int len;

    snprintf(p, sizeof(p), "%s/%s", dir, node);
    return xs_read(h, XBT_NULL, p, &len);
}

static long xread_num(struct xs_handle *h, const char *dir, const char *node, long dflt)
{
    char *v = xread(h, dir, node);
    long n = v ? strtol(v, NULL, 10) : dflt;

    free(v);
    return n;
}

static void xwrite(struct xs_handle *h, const char *dir, const char *node, const char *fmt, ...)
{
    char p[256], v[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    snprintf(p, sizeof(p), "%s/%s", dir, node);
    xs_write(h, XBT_NULL, p, v, strlen(v));
}

struct pkt {
    uint8_t data[65536 + PAGE];
    size_t len;
};

struct vconn {
    struct vstub *s;
    struct xs_handle *xs;
    struct pvctrl_gnttab *gt;
    struct pvctrl_evtchn *ev;
    netif_tx_back_ring_t tx;
    netif_rx_back_ring_t rx;
    void *tx_map, *rx_map;
    int tx_port, rx_port;
    bool front_sg, dead;
    /* tx: a batch of frames being copied out of the guest */
    struct pkt *txp;
    struct gnttab_copy ops[BATCH * LEGACY_SLOTS_MAX];
    /* rx: frames read from the tap, the first maybe waiting for rx requests */
    struct pkt *rxp;
    int rx_pending;
};

static void stub_fail(struct vstub *s, const char *what)
{
    if (!s->fail[0])
        snprintf(s->fail, sizeof(s->fail), "%s", what);
}

/* The frontend broke the protocol: stop serving it (Linux's xenvif_fatal_tx_err). */
static void fatal(struct vconn *c, const char *why)
{
    if (!c->dead)
        snprintf(c->s->fatal_why, sizeof(c->s->fatal_why), "%s", why);
    c->dead = true;
    atomic_store(&c->s->fatal, 1);
}

static void tx_respond(struct vconn *c, uint16_t id, int16_t st)
{
    netif_tx_response_t *rsp = RING_GET_RESPONSE(&c->tx, c->tx.rsp_prod_pvt);

    rsp->id = id;
    rsp->status = st;
    c->tx.rsp_prod_pvt++;
}

/* One packet's slots, checked as Linux's xenvif_count_requests; its copies queued in ops. */
struct txinfo {
    netif_tx_request_t req[FATAL_SLOTS];
    unsigned int n, nops, first_op;
    bool drop;
};

/* Serve the tx ring: copy every packet out of the guest, write it to the tap, answer each slot. */
static void serve_tx(struct vconn *c)
{
    netif_tx_back_ring_t *r = &c->tx;
    static __thread struct txinfo info[BATCH];
    int more;

    do {
        RING_IDX rp = PVHV_RING_READ_IDX(r->sring->req_prod);
        xen_rmb();
        if (RING_REQUEST_PROD_OVERFLOW(r, rp)) {
            fatal(c, "tx req_prod beyond the ring");
            return;
        }
        while (r->req_cons != rp && !c->dead) {
            unsigned int np = 0, nops = 0;
            /* Gather up to BATCH packets. */
            while (np < BATCH && r->req_cons != rp) {
                struct txinfo *t = &info[np];
                RING_IDX work = rp - r->req_cons;
                RING_COPY_REQUEST(r, r->req_cons, &t->req[0]);
                t->n = 1;
                t->drop = false;
                uint32_t remaining = t->req[0].size;
                bool more_data = t->req[0].flags & NETTXF_more_data;
                if (t->req[0].flags & NETTXF_extra_info)
                    t->drop = true; /* never negotiated */
                while (more_data) {
                    if (t->n >= work) {
                        fatal(c, "tx chain longer than the requests posted");
                        return;
                    }
                    if (t->n >= FATAL_SLOTS) {
                        fatal(c, "tx chain of 20 slots or more");
                        return;
                    }
                    netif_tx_request_t *q = &t->req[t->n];
                    RING_COPY_REQUEST(r, r->req_cons + t->n, q);
                    /* A frame of 64 KiB or more wrapped the first slot's size. */
                    if (q->size > remaining)
                        t->drop = true;
                    remaining -= q->size < remaining ? q->size : remaining;
                    if (q->offset + q->size > PAGE) {
                        fatal(c, "tx slot crosses its page");
                        return;
                    }
                    more_data = q->flags & NETTXF_more_data;
                    t->n++;
                }
                if (t->n > LEGACY_SLOTS_MAX || t->req[0].size < 14)
                    t->drop = true;
                if (t->req[0].offset + remaining > PAGE) {
                    fatal(c, "tx first slot crosses its page");
                    return;
                }
                t->first_op = nops;
                t->nops = 0;
                if (!t->drop) {
                    size_t pos = 0;
                    for (unsigned int i = 0; i < t->n; i++) {
                        struct gnttab_copy *o = &c->ops[nops++];
                        uint16_t len = i == 0 ? (uint16_t)remaining : t->req[i].size;
                        memset(o, 0, sizeof(*o));
                        o->flags = GNTCOPY_source_gref;
                        o->source.u.ref = t->req[i].gref;
                        o->source.domid = (domid_t)c->s->domid;
                        o->source.offset = t->req[i].offset;
                        o->dest.u.gmfn = (uintptr_t)(c->txp[np].data + pos);
                        o->len = len;
                        pos += len;
                        t->nops++;
                    }
                    c->txp[np].len = pos;
                }
                r->req_cons += t->n;
                np++;
            }
            if (nops && pvctrl_gnttab_grant_copy(c->gt, nops, c->ops) < 0) {
                stub_fail(c->s, "grant copy (tx) failed");
                for (unsigned int k = 0; k < nops; k++)
                    c->ops[k].status = GNTST_general_error;
            }
            for (unsigned int p = 0; p < np; p++) {
                struct txinfo *t = &info[p];
                bool ok = !t->drop;
                for (unsigned int k = 0; ok && k < t->nops; k++)
                    if (c->ops[t->first_op + k].status != GNTST_okay)
                        ok = false;
                if (ok) {
                    if (write(c->s->tap, c->txp[p].data, c->txp[p].len) < 0)
                        (void)0; /* a full tap queue drops, as a NIC would */
                    atomic_fetch_add(&c->s->tx_frames, 1);
                    if (t->n > 1)
                        atomic_fetch_add(&c->s->tx_multi, 1);
                } else {
                    atomic_fetch_add(&c->s->tx_errors, 1);
                }
                for (unsigned int i = 0; i < t->n; i++)
                    tx_respond(c, t->req[i].id, ok ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
            }
            int notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
            if (notify)
                pvctrl_evtchn_notify(c->ev, (uint32_t)c->tx_port);
        }
        if (c->dead)
            return;
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
    } while (more);
}

/*
 * Serve the rx side: frames from the tap into the guest's posted pages, in
 * batches (one grant copy call each). A frame that finds too few requests
 * waits in rxp[0] (rx_pending) for the guest's refill.
 */
static void serve_rx(struct vconn *c)
{
    netif_rx_back_ring_t *r = &c->rx;
    static __thread netif_rx_request_t reqs[BATCH * LEGACY_SLOTS_MAX];
    static __thread unsigned int nslots[BATCH];
    int pushed = 0;

    for (;;) {
        unsigned int nf = 0, nops = 0;
        int carry = -1; /* index of a frame read but left for later */
        RING_IDX cons = r->req_cons;
        while (nf < BATCH) {
            struct pkt *p = &c->rxp[nf];
            if (!(nf == 0 && c->rx_pending)) {
                ssize_t n = read(c->s->tap, p->data, sizeof(p->data));
                if (n <= 0)
                    break;
                p->len = (size_t)n;
            }
            c->rx_pending = 0;
            unsigned int need = (unsigned int)((p->len + PAGE - 1) / PAGE);
            if (need == 0 || (need > 1 && !c->front_sg) || need > LEGACY_SLOTS_MAX) {
                atomic_fetch_add(&c->s->rx_dropped, 1);
                continue; /* dropped: the next read reuses this slot */
            }
            RING_IDX avail = XEN_RING_NR_UNCONSUMED_REQUESTS(r) - (cons - r->req_cons);
            if (avail < need) {
                int more;
                RING_FINAL_CHECK_FOR_REQUESTS(r, more);
                (void)more;
                avail = XEN_RING_NR_UNCONSUMED_REQUESTS(r) - (cons - r->req_cons);
                if (avail < need) {
                    carry = (int)nf;
                    break;
                }
            }
            for (unsigned int i = 0; i < need; i++) {
                netif_rx_request_t *q = &reqs[nops];
                RING_COPY_REQUEST(r, cons + i, q);
                struct gnttab_copy *o = &c->ops[nops++];
                size_t off = (size_t)i * PAGE, len = p->len - off < PAGE ? p->len - off : PAGE;
                memset(o, 0, sizeof(*o));
                o->flags = GNTCOPY_dest_gref;
                o->source.u.gmfn = (uintptr_t)(p->data + off);
                o->dest.u.ref = q->gref;
                o->dest.domid = (domid_t)c->s->domid;
                o->dest.offset = 0;
                o->len = (uint16_t)len;
            }
            cons += need;
            nslots[nf++] = need;
        }
        if (nf > 0) {
            if (pvctrl_gnttab_grant_copy(c->gt, nops, c->ops) < 0) {
                stub_fail(c->s, "grant copy (rx) failed");
                for (unsigned int k = 0; k < nops; k++)
                    c->ops[k].status = GNTST_general_error;
            }
            unsigned int k = 0;
            for (unsigned int f = 0; f < nf; f++) {
                for (unsigned int i = 0; i < nslots[f]; i++, k++) {
                    netif_rx_response_t *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
                    rsp->id = reqs[k].id;
                    rsp->offset = 0;
                    rsp->flags = (uint16_t)(i + 1 < nslots[f] ? NETRXF_more_data : 0);
                    rsp->status = c->ops[k].status == GNTST_okay ? (int16_t)c->ops[k].len
                                                                 : NETIF_RSP_ERROR;
                    r->rsp_prod_pvt++;
                }
                atomic_fetch_add(&c->s->rx_frames, 1);
                if (nslots[f] > 1)
                    atomic_fetch_add(&c->s->rx_multi, 1);
            }
            r->req_cons = cons;
            int notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
            if (notify)
                pushed = 1;
        }
        if (carry >= 0) {
            if (carry > 0) {
                memcpy(c->rxp[0].data, c->rxp[carry].data, c->rxp[carry].len);
                c->rxp[0].len = c->rxp[carry].len;
            }
            c->rx_pending = 1;
            break;
        }
        if (nf < BATCH)
            break; /* the tap is empty */
    }
    if (pushed)
        pvctrl_evtchn_notify(c->ev, (uint32_t)c->rx_port);
}

/* Map the frontend's rings and bind its channels (it went Connected). */
static bool stub_connect(struct vconn *c)
{
    struct vstub *s = c->s;
    long txref = xread_num(c->xs, s->fpath, "tx-ring-ref", -1);
    long rxref = xread_num(c->xs, s->fpath, "rx-ring-ref", -1);
    long evt = xread_num(c->xs, s->fpath, "event-channel", -1);
    long evtx = xread_num(c->xs, s->fpath, "event-channel-tx", -1);
    long evrx = xread_num(c->xs, s->fpath, "event-channel-rx", -1);

    atomic_store(&s->front_rx_copy, (int)xread_num(c->xs, s->fpath, "request-rx-copy", 0));
    atomic_store(&s->front_rx_notify, (int)xread_num(c->xs, s->fpath, "feature-rx-notify", 0));
    atomic_store(&s->front_sg, (int)xread_num(c->xs, s->fpath, "feature-sg", 0));
    atomic_store(&s->front_no_csum,
                 (int)xread_num(c->xs, s->fpath, "feature-no-csum-offload", 0));
    atomic_store(&s->front_mq, (int)xread_num(c->xs, s->fpath, "multi-queue-num-queues", 0));
    atomic_store(&s->front_split, evtx > 0 && evrx > 0);
    c->front_sg = atomic_load(&s->front_sg) == 1;
    if (txref < 0 || rxref < 0)
        return stub_fail(s, "no tx-ring-ref or rx-ring-ref"), false;
    if (atomic_load(&s->front_rx_copy) != 1)
        return stub_fail(s, "request-rx-copy is not 1"), false;
    if ((evtx > 0) != (evrx > 0) || (evtx <= 0 && evt <= 0) || (evtx > 0 && evt > 0))
        return stub_fail(s, "bad event channel nodes"), false;
    if (evtx > 0 && !s->split)
        return stub_fail(s, "split channels written but not offered"), false;
    uint32_t ref = (uint32_t)txref;
    c->tx_map = pvctrl_gnttab_map_grant_refs(c->gt, 1, s->domid, &ref, PROT_READ | PROT_WRITE);
    ref = (uint32_t)rxref;
    c->rx_map = pvctrl_gnttab_map_grant_refs(c->gt, 1, s->domid, &ref, PROT_READ | PROT_WRITE);
    if (!c->tx_map || !c->rx_map)
        return stub_fail(s, "ring map failed"), false;
    BACK_RING_INIT(&c->tx, (netif_tx_sring_t *)c->tx_map, PAGE);
    BACK_RING_INIT(&c->rx, (netif_rx_sring_t *)c->rx_map, PAGE);
    if (evtx > 0) {
        c->tx_port = pvctrl_evtchn_bind_interdomain(c->ev, s->domid, (uint32_t)evtx);
        c->rx_port = pvctrl_evtchn_bind_interdomain(c->ev, s->domid, (uint32_t)evrx);
    } else {
        c->tx_port = c->rx_port = pvctrl_evtchn_bind_interdomain(c->ev, s->domid, (uint32_t)evt);
    }
    if (c->tx_port < 0 || c->rx_port < 0)
        return stub_fail(s, "bind failed"), false;
    c->dead = false;
    c->rx_pending = 0;
    atomic_fetch_add(&s->connects, 1);
    xwrite(c->xs, s->bpath, "state", "%d", XenbusStateConnected);
    return true;
}

static void stub_disconnect(struct vconn *c)
{
    if (c->tx_map)
        pvctrl_gnttab_unmap(c->gt, c->tx_map, 1);
    if (c->rx_map)
        pvctrl_gnttab_unmap(c->gt, c->rx_map, 1);
    c->tx_map = c->rx_map = NULL;
    if (c->tx_port > 0)
        pvctrl_evtchn_unbind(c->ev, (uint32_t)c->tx_port);
    if (c->rx_port > 0 && c->rx_port != c->tx_port)
        pvctrl_evtchn_unbind(c->ev, (uint32_t)c->rx_port);
    c->tx_port = c->rx_port = 0;
}

static double mono_ms(void)
{
    return now_ms();
}

static void *stub_main(void *arg)
{
    struct vstub *s = arg;
    struct vconn *c = calloc(1, sizeof(*c));
    int state = XenbusStateInitWait;

    if (!c) {
        stub_fail(s, "calloc");
        return NULL;
    }
    c->s = s;
    c->xs = xs_open(0);
    c->txp = calloc(BATCH, sizeof(struct pkt));
    c->rxp = calloc(BATCH + 1, sizeof(struct pkt));
    if (!c->xs || !c->txp || !c->rxp || pvctrl_gnttab_open(host.rundir, &c->gt) < 0 ||
        pvctrl_evtchn_open(host.rundir, &c->ev) < 0) {
        stub_fail(s, "setup failed");
        return NULL;
    }
    /* What Linux's netback publishes before InitWait. */
    xwrite(c->xs, s->bpath, "feature-sg", "%d", s->sg ? 1 : 0);
    xwrite(c->xs, s->bpath, "feature-gso-tcpv4", "0");
    xwrite(c->xs, s->bpath, "feature-gso-tcpv6", "0");
    xwrite(c->xs, s->bpath, "feature-ipv6-csum-offload", "0");
    xwrite(c->xs, s->bpath, "feature-rx-copy", "1");
    xwrite(c->xs, s->bpath, "feature-rx-flip", "0");
    xwrite(c->xs, s->bpath, "feature-multicast-control", "0");
    xwrite(c->xs, s->bpath, "feature-split-event-channels", "%d", s->split ? 1 : 0);
    if (s->mq)
        xwrite(c->xs, s->bpath, "multi-queue-max-queues", "4");
    if (s->mtu)
        xwrite(c->xs, s->bpath, "mtu", "%u", s->mtu);
    xwrite(c->xs, s->bpath, "state", "%d", XenbusStateInitWait);

    double next_xs = 0;
    while (!atomic_load(&s->stop)) {
        if (mono_ms() >= next_xs || state != XenbusStateConnected) {
            next_xs = mono_ms() + 20;
            int fs = (int)xread_num(c->xs, s->fpath, "state", 0);
            if (state == XenbusStateInitWait && fs == XenbusStateConnected) {
                if (stub_connect(c))
                    state = XenbusStateConnected;
                else
                    stub_disconnect(c);
            } else if (state == XenbusStateConnected && fs == XenbusStateClosing) {
                xwrite(c->xs, s->bpath, "state", "%d", XenbusStateClosing);
                state = XenbusStateClosing;
            } else if ((state == XenbusStateConnected || state == XenbusStateClosing) &&
                       fs == XenbusStateClosed) {
                stub_disconnect(c);
                atomic_fetch_add(&s->closes, 1);
                xwrite(c->xs, s->bpath, "state", "%d", XenbusStateClosed);
                state = XenbusStateClosed;
            } else if (state == XenbusStateClosed && fs == XenbusStateInitialising) {
                xwrite(c->xs, s->bpath, "state", "%d", XenbusStateInitWait);
                state = XenbusStateInitWait;
            }
        }
        if (state != XenbusStateConnected) {
            usleep(2000);
            continue;
        }
        struct pollfd pfd[2] = { { .fd = pvctrl_evtchn_fd(c->ev), .events = POLLIN },
                                 { .fd = s->tap, .events = POLLIN } };
        /* A frame waiting for rx pages: wake on the guest's refill, not on the tap. */
        int nfds = c->rx_pending || c->dead ? 1 : 2;
        poll(pfd, (nfds_t)nfds, 10);
        int p;
        while ((p = pvctrl_evtchn_pending(c->ev)) >= 0)
            pvctrl_evtchn_unmask(c->ev, (uint32_t)p);
        if (c->dead) {
            /* Drain the tap so the kernel does not queue for a dead vif. */
            uint8_t junk[2048];
            while (read(s->tap, junk, sizeof(junk)) > 0)
                ;
            continue;
        }
        serve_tx(c);
        if (!c->dead)
            serve_rx(c);
    }
    stub_disconnect(c);
    pvctrl_evtchn_close(c->ev);
    pvctrl_gnttab_close(c->gt);
    xs_close(c->xs);
    free(c->txp);
    free(c->rxp);
    free(c);
    return NULL;
}

/* A TAP device named `name` in the test's namespace, on the bridge, up. */
static int make_tap(const char *name, unsigned int mtu)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

    cr_assert_geq(fd, 0, "/dev/net/tun: %s", strerror(errno));
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    cr_assert_eq(ioctl(fd, TUNSETIFF, &ifr), 0, "TUNSETIFF %s: %s", name, strerror(errno));
    cr_assert_eq(sh("ip link set %s mtu %u master " BRIDGE " up", name, mtu ? mtu : 1500), 0);
    return fd;
}

static void stubs_stop(void)
{
    for (int i = 0; i < nstubs; i++) {
        atomic_store(&stubs[i].stop, true);
        pthread_join(stubs[i].th, NULL);
        close(stubs[i].tap);
        cr_expect(!stubs[i].fail[0], "stub backend of vif %u: %s", stubs[i].devid,
                  stubs[i].fail);
    }
    nstubs = 0;
}

/* ------------------------------------------------------------------------
 * The toolstack's part, as libxl writes it
 * ------------------------------------------------------------------------ */

static void toolstack_domain(uint32_t d)
{
    char home[64];
    uint64_t pfn = 0, port = 0;

    snprintf(home, sizeof(home), "/local/domain/%u", d);
    struct xs_permissions own[] = { { .id = d, .perms = XS_PERM_NONE } };
    cr_assert(xs_mkdir(xs, XBT_NULL, home));
    cr_assert(xs_set_permissions(xs, XBT_NULL, home, own, 1));
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, d, HVM_PARAM_STORE_PFN, &pfn), 0);
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, d, HVM_PARAM_STORE_EVTCHN, &port), 0);
    cr_assert(xs_introduce_domain(xs, d, (unsigned long)pfn, (unsigned int)port),
              "introduce %u: %s", d, strerror(errno));
}

/* What a vif offers (the stub's features; pvnetback decides its own). */
struct vifopt {
    bool no_split, no_sg, mq;
    unsigned int mtu; /* 0: none written */
};

static void guest_mac(uint32_t d, uint32_t devid, char *buf, size_t len)
{
    snprintf(buf, len, "00:16:3e:%02x:%02x:%02x", (d >> 8) & 0xff, d & 0xff, devid & 0xff);
}

/*
 * The vif's xenstore entries (libxl's device_nic_add): the frontend
 * directory owned by the guest, the backend directory owned by dom0 and
 * readable by the guest. With the stub, a TAP device vifD.N and a thread
 * play the backend; pvnetback makes its own and the test puts it on the
 * bridge once it appears.
 */
static struct vstub *toolstack_vif(uint32_t d, uint32_t devid, const struct vifopt *o)
{
    char f[128], b[128], p[192], v[192], mac[32];

    guest_mac(d, devid, mac, sizeof(mac));
    snprintf(f, sizeof(f), "/local/domain/%u/device/vif/%u", d, devid);
    snprintf(b, sizeof(b), "/local/domain/0/backend/vif/%u/%u", d, devid);
    struct xs_permissions fperm[] = { { .id = d, .perms = XS_PERM_NONE },
                                      { .id = 0, .perms = XS_PERM_READ } };
    struct xs_permissions bperm[] = { { .id = 0, .perms = XS_PERM_NONE },
                                      { .id = d, .perms = XS_PERM_READ } };
    cr_assert(xs_mkdir(xs, XBT_NULL, f));
    cr_assert(xs_set_permissions(xs, XBT_NULL, f, fperm, 2));
    cr_assert(xs_mkdir(xs, XBT_NULL, b));
    cr_assert(xs_set_permissions(xs, XBT_NULL, b, bperm, 2));
#define W(dir, node, ...)                                                    \
    do {                                                                     \
        snprintf(p, sizeof(p), "%s/%s", dir, node);                          \
        snprintf(v, sizeof(v), __VA_ARGS__);                                 \
        cr_assert(xs_write(xs, XBT_NULL, p, v, strlen(v)), "write %s", p);   \
    } while (0)
    W(b, "frontend", "%s", f);
    W(b, "frontend-id", "%u", d);
    W(b, "online", "1");
    W(b, "state", "1");
    W(b, "script", "/etc/xen/scripts/vif-bridge");
    W(b, "mac", "%s", mac);
    W(b, "bridge", BRIDGE);
    W(b, "handle", "%u", devid);
    W(b, "type", "vif");
    if (o->mtu)
        W(b, "mtu", "%u", o->mtu);
    W(f, "backend", "%s", b);
    W(f, "backend-id", "0");
    W(f, "state", "1");
    W(f, "handle", "%u", devid);
    W(f, "mac", "%s", mac);
    if (o->mtu)
        W(f, "mtu", "%u", o->mtu);
#undef W
    if (use_pvnetback())
        return NULL;
    cr_assert_lt(nstubs, MAX_STUBS);
    struct vstub *s = &stubs[nstubs++];
    memset(s, 0, sizeof(*s));
    s->domid = d;
    s->devid = devid;
    s->split = !o->no_split;
    s->sg = !o->no_sg;
    s->mq = o->mq;
    s->mtu = o->mtu;
    snprintf(s->fpath, sizeof(s->fpath), "%s", f);
    snprintf(s->bpath, sizeof(s->bpath), "%s", b);
    snprintf(s->ifname, sizeof(s->ifname), "vif%u.%u", d, devid);
    s->tap = make_tap(s->ifname, o->mtu);
    cr_assert_eq(pthread_create(&s->th, NULL, stub_main, s), 0);
    return s;
}

/* ------------------------------------------------------------------------
 * Setup
 * ------------------------------------------------------------------------ */

static void setup(void)
{
    nstubs = 0;
    host_start(&host);
    netns_enter();
    xsd = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    if (use_pvnetback())
        netback_start();
    xs = xs_open(0);
    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
}

static void teardown(void)
{
    stubs_stop();
    if (xs)
        xs_close(xs);
    xs = NULL;
    if (netback > 0)
        cr_expect(alive(netback), "pvnetback must survive every test");
    stop(&netback, "pvnetback");
    stop(&xsd, "pvxenstored");
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
    netns_leave();
}

TestSuite(netfront, .init = setup, .fini = teardown, .timeout = 90);

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static void expect_line(const char *line)
{
    cr_expect(strstr(con, line) != NULL, "no line '%s' in the console:\n%s", line, con);
}

static void wait_backend_state(uint32_t d, uint32_t devid, const char *state)
{
    char p[128];

    snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%u/%u/state", d, devid);
    for (int i = 0; i < 2500; i++) {
        unsigned int len;
        char *v = xs_read(xs, XBT_NULL, p, &len);
        bool ok = v && !strcmp(v, state);
        free(v);
        if (ok)
            return;
        usleep(2000);
    }
    cr_assert_fail("%s never became %s", p, state);
}

static const char *xs_get(const char *path)
{
    static char out[4][256];
    static int next;
    char *o = out[next++ % 4];
    unsigned int len = 0;
    char *v = xs_read(xs, XBT_NULL, path, &len);

    snprintf(o, 256, "%s", v ? v : "<none>");
    free(v);
    return o;
}

/* pvnetback's TAP: wait for vifD.N in our namespace and put it on the bridge. */
static void attach_backend_tap(uint32_t d, uint32_t devid, unsigned int mtu)
{
    char name[IFNAMSIZ];

    if (!use_pvnetback())
        return;
    snprintf(name, sizeof(name), "vif%u.%u", d, devid);
    for (int i = 0; i < 500 && !if_nametoindex(name); i++)
        usleep(10000);
    cr_assert(if_nametoindex(name), "pvnetback made no %s in the test's namespace", name);
    if (mtu)
        sh("ip link set %s mtu %u", name, mtu);
    sh("ip link set %s master " BRIDGE " 2>/dev/null; ip link set %s up", name, name);
}

/* A guest with one vif, created, set up as the toolstack does, and started. */
static uint32_t guest_with(const char *name, const char *cmdline, const struct vifopt *o,
                           struct vstub **stub)
{
    static const struct vifopt dflt;
    uint32_t d = create_refguest(&host, name, cmdline, 1, GUEST_MIB);

    if (!o)
        o = &dflt;
    toolstack_domain(d);
    struct vstub *s = toolstack_vif(d, 0, o);
    if (stub)
        *stub = s;
    wait_backend_state(d, 0, "2");
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    return d;
}

static void wait_line(uint32_t d, const char *line, int ms)
{
    bool ok = wait_console(&host, d, line, ms, con, sizeof(con));

    cr_assert(ok, "no '%s' within %d ms; console:\n%s", line, ms, con);
}

/* Wait for power off; the console into con. */
static void expect_poweroff(uint32_t d, int ms)
{
    struct pvhv_ctl_dominfo info;
    bool down = wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, ms, &info);

    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    if (getenv("PVHV_TEST_VERBOSE"))
        fprintf(stderr, "domain %u's console:\n%s", d, con);
    cr_assert(down, "state %s (%s); console:\n%s", pvctrl_state_name(info.state), info.crash_msg,
              con);
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff, "console:\n%s", con);
}

static uint16_t icmp_csum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t s = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)(p[len - 1] << 8);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return htons((uint16_t)~s);
}

/* Ping `ip` `count` times from the namespace (raw ICMP socket), 1 s per reply; replies got. */
static int ping_from_host(const char *ip, int count, size_t payload)
{
    int s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    struct sockaddr_in to = { .sin_family = AF_INET };
    uint16_t id = (uint16_t)(getpid() ^ 0x5a5a);
    int got = 0;

    cr_assert_geq(s, 0, "raw socket: %s", strerror(errno));
    inet_pton(AF_INET, ip, &to.sin_addr);
    for (int seq = 1; seq <= count; seq++) {
        static uint8_t pkt[65536], in[65536];
        struct icmphdr *h = (struct icmphdr *)pkt;
        memset(pkt, 0, sizeof(pkt));
        h->type = ICMP_ECHO;
        h->un.echo.id = htons(id);
        h->un.echo.sequence = htons((uint16_t)seq);
        for (size_t i = 0; i < payload; i++)
            pkt[sizeof(*h) + i] = (uint8_t)(i + seq);
        h->checksum = icmp_csum(pkt, sizeof(*h) + payload);
        cr_assert_eq(sendto(s, pkt, sizeof(*h) + payload, 0, (struct sockaddr *)&to, sizeof(to)),
                     (ssize_t)(sizeof(*h) + payload), "sendto: %s", strerror(errno));
        double end = now_ms() + 1000;
        while (now_ms() < end) {
            struct pollfd pfd = { .fd = s, .events = POLLIN };
            if (poll(&pfd, 1, (int)(end - now_ms()) + 1) <= 0)
                break;
            ssize_t n = recv(s, in, sizeof(in), 0);
            if (n < (ssize_t)sizeof(struct iphdr))
                continue;
            size_t hl = (size_t)(in[0] & 15) * 4;
            if ((size_t)n < hl + sizeof(*h))
                continue;
            struct icmphdr *r = (struct icmphdr *)(in + hl);
            if (r->type == ICMP_ECHOREPLY && ntohs(r->un.echo.id) == id &&
                ntohs(r->un.echo.sequence) == seq && (size_t)n == hl + sizeof(*h) + payload &&
                !memcmp(in + hl + sizeof(*h), pkt + sizeof(*h), payload)) {
                got++;
                break;
            }
        }
    }
    close(s);
    return got;
}

static int udp_socket(const char *bind_ip, uint16_t port)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    int big = 4 << 20;

    cr_assert_geq(s, 0);
    inet_pton(AF_INET, bind_ip, &a.sin_addr);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0, "bind %s:%u: %s", bind_ip, port,
                 strerror(errno));
    return s;
}

/* Send `count` datagrams of `size` bytes to ip:7 and count exact echoes (1 s each). */
static int udp_echo_from_host(const char *ip, int count, size_t size)
{
    int s = udp_socket(HOST_IP, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(7) };
    static uint8_t out[65536], in[65536];
    int got = 0;

    inet_pton(AF_INET, ip, &to.sin_addr);
    for (int k = 0; k < count; k++) {
        for (size_t i = 0; i < size; i++)
            out[i] = (uint8_t)(i * 7 + (size_t)k);
        cr_assert_eq(sendto(s, out, size, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)size,
                     "sendto: %s", strerror(errno));
        double end = now_ms() + 1000;
        while (now_ms() < end) {
            struct pollfd pfd = { .fd = s, .events = POLLIN };
            if (poll(&pfd, 1, (int)(end - now_ms()) + 1) <= 0)
                break;
            ssize_t n = recv(s, in, sizeof(in), 0);
            if (n == (ssize_t)size && !memcmp(in, out, size)) {
                got++;
                break;
            }
        }
    }
    close(s);
    return got;
}

static void udp_quit(const char *ip)
{
    int s = udp_socket(HOST_IP, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(7) };

    inet_pton(AF_INET, ip, &to.sin_addr);
    cr_assert_eq(sendto(s, "quit", 4, 0, (struct sockaddr *)&to, sizeof(to)), 4);
    close(s);
}

/* Parse "KEY=value" after `prefix` in con, as unsigned (floats: the integer part). */
static unsigned long field(const char *prefix, const char *key)
{
    const char *p = strstr(con, prefix);
    char k[40];

    cr_assert_not_null(p, "no '%s' line:\n%s", prefix, con);
    while (p > con && p[-1] != '\n')
        p--;
    const char *eol = strchr(p, '\n');
    snprintf(k, sizeof(k), " %s=", key);
    const char *q = strstr(p, k);
    cr_assert(q && (!eol || q < eol), "no %s in the '%s' line:\n%s", key, prefix, con);
    return strtoul(q + strlen(k), NULL, 10);
}

static void print_line(const char *prefix, const char *backend)
{
    const char *p = strstr(con, prefix);

    while (p && p > con && p[-1] != '\n')
        p--;
    if (p)
        fprintf(stderr, "  %s: %.*s\n", backend, (int)strcspn(p, "\n"), p);
}

static const char *backend_name(void)
{
    return use_pvnetback() ? "pvnetback" : "the test's stub backend";
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

/* Connect, answer pings and UDP echo from the host, "quit", close cleanly. */
Test(netfront, serve_ping_and_udp_echo)
{
    struct vstub *s;
    char mac[32], want[160], p[192];

    uint32_t d = guest_with("serve", "cmd=net op=serve ip=" GUEST_IP, NULL, &s);
    attach_backend_tap(d, 0, 0);
    wait_line(d, "net: serving\n", 30000);
    guest_mac(d, 0, mac, sizeof(mac));
    snprintf(want, sizeof(want), "net: vif0 mac=%s mtu=1500 ip=" GUEST_IP "\n", mac);
    expect_line(want);

    cr_expect_eq(ping_from_host(GUEST_IP, 5, 56), 5, "5 pings from the host");
    wait_line(d, "net: ping from " HOST_IP "\n", 5000);
    cr_expect_eq(ping_from_host(GUEST_IP, 2, 1472), 2, "full-size pings");
    cr_expect_eq(udp_echo_from_host(GUEST_IP, 20, 100), 20, "UDP echo");
    cr_expect_eq(udp_echo_from_host(GUEST_IP, 3, 1472), 3, "UDP echo of full frames");
    cr_expect_eq(udp_echo_from_host(GUEST_IP, 1, 1), 1, "UDP echo of one byte");

    /* The frontend's nodes, as Linux's netfront writes them. */
    snprintf(p, sizeof(p), "/local/domain/%u/device/vif/0/", d);
    char q[256];
#define NODE(n) (snprintf(q, sizeof(q), "%s%s", p, n), xs_get(q))
    cr_expect_str_eq(NODE("state"), "4", "Connected while serving");
    cr_expect_str_eq(NODE("request-rx-copy"), "1");
    cr_expect_str_eq(NODE("feature-rx-notify"), "1");
    cr_expect_str_eq(NODE("feature-sg"), "1");
    cr_expect_str_eq(NODE("feature-no-csum-offload"), "1");
    cr_expect_str_neq(NODE("tx-ring-ref"), "<none>");
    cr_expect_str_neq(NODE("rx-ring-ref"), "<none>");
    if (!use_pvnetback()) {
        /* The stub offers split channels: both written, no shared one. */
        cr_expect_str_neq(NODE("event-channel-tx"), "<none>");
        cr_expect_str_neq(NODE("event-channel-rx"), "<none>");
        cr_expect_str_eq(NODE("event-channel"), "<none>");
        cr_expect_str_eq(NODE("multi-queue-num-queues"), "<none>", "not offered, not written");
    }

    udp_quit(GUEST_IP);
    expect_poweroff(d, 20000);
    expect_line("net: quit\n");
    expect_line("net: closed vif0\n");
    cr_expect_str_eq(NODE("state"), "6", "the frontend ends Closed");
#undef NODE
    if (s) {
        stubs_stop();
        cr_expect_eq(atomic_load(&s->connects), 1);
        cr_expect_eq(atomic_load(&s->closes), 1);
        cr_expect_eq(atomic_load(&s->fatal), 0, "%s", s->fatal_why);
        cr_expect_eq(atomic_load(&s->front_split), 1);
        cr_expect_eq(atomic_load(&s->front_no_csum), 1);
        cr_expect_gt(atomic_load(&s->rx_frames), 30);
        cr_expect_gt(atomic_load(&s->tx_frames), 30);
        cr_expect_eq(atomic_load(&s->tx_errors), 0);
    }
    cr_expect(host_alive(&host));
}

/* One event channel when the backend offers no split ones; multi-queue offered: 1 queue. */
Test(netfront, single_channel_guest_pings_host)
{
    struct vstub *s;
    struct vifopt o = { .no_split = true, .mq = true };

    uint32_t d = guest_with("ping", "cmd=net op=ping ip=" GUEST_IP " dst=" HOST_IP " count=5",
                            &o, &s);
    attach_backend_tap(d, 0, 0);
    expect_poweroff(d, 30000);
    for (int k = 1; k <= 5; k++) {
        char want[80];
        snprintf(want, sizeof(want), "net: reply from " HOST_IP " seq=%d time_us=", k);
        expect_line(want);
    }
    expect_line("net: ping 5 sent 5 received\n");
    expect_line("net: closed vif0\n");
    print_line("net: reply from " HOST_IP " seq=5", backend_name());
    if (s) {
        char p[128];
        snprintf(p, sizeof(p), "/local/domain/%u/device/vif/0/event-channel", d);
        cr_expect_str_neq(xs_get(p), "<none>", "one channel: event-channel");
        snprintf(p, sizeof(p), "/local/domain/%u/device/vif/0/multi-queue-num-queues", d);
        cr_expect_str_eq(xs_get(p), "1");
        stubs_stop();
        cr_expect_eq(atomic_load(&s->front_split), 0);
        cr_expect_eq(atomic_load(&s->front_mq), 1);
    }
}

/* Connect, close, connect again (back to Initialising, as Linux reconnects), then ping. */
Test(netfront, reconnect_then_ping)
{
    struct vstub *s;

    uint32_t d = guest_with("again",
                            "cmd=net op=ping reconnect=1 ip=" GUEST_IP " dst=" HOST_IP " count=3",
                            NULL, &s);
    attach_backend_tap(d, 0, 0);
    expect_poweroff(d, 30000);
    const char *first = strstr(con, "net: closed vif0\n");
    cr_assert(first && strstr(first + 1, "net: vif0 mac=") &&
                  strstr(first + 1, "net: ping 3 sent 3 received\n") &&
                  strstr(first + 1, "net: closed vif0\n"),
              "two sessions:\n%s", con);
    if (s) {
        stubs_stop();
        cr_expect_eq(atomic_load(&s->connects), 2);
        cr_expect_eq(atomic_load(&s->closes), 2);
    }
}

/* Two guests on the bridge ping each other (each answers while it pings), then quit. */
Test(netfront, two_guests_ping_each_other)
{
    uint32_t a = create_refguest(&host, "a",
                                 "cmd=net op=ping ip=" GUEST_IP " dst=" GUEST2_IP
                                 " count=3 serve=1",
                                 1, GUEST_MIB);
    uint32_t b = create_refguest(&host, "b",
                                 "cmd=net op=ping ip=" GUEST2_IP " dst=" GUEST_IP
                                 " count=3 serve=1",
                                 1, GUEST_MIB);
    static const struct vifopt o;
    toolstack_domain(a);
    toolstack_domain(b);
    toolstack_vif(a, 0, &o);
    toolstack_vif(b, 0, &o);
    wait_backend_state(a, 0, "2");
    wait_backend_state(b, 0, "2");
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, a), 0);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, b), 0);
    attach_backend_tap(a, 0, 0);
    attach_backend_tap(b, 0, 0);
    wait_line(a, "net: serving\n", 30000);
    cr_expect(strstr(con, "net: ping 3 sent 3 received\n"), "a:\n%s", con);
    cr_expect(strstr(con, "net: ping from " GUEST2_IP "\n"), "a:\n%s", con);
    wait_line(b, "net: serving\n", 30000);
    cr_expect(strstr(con, "net: ping 3 sent 3 received\n"), "b:\n%s", con);
    cr_expect(strstr(con, "net: ping from " GUEST_IP "\n"), "b:\n%s", con);
    udp_quit(GUEST_IP);
    udp_quit(GUEST2_IP);
    expect_poweroff(a, 20000);
    expect_line("net: closed vif0\n");
    expect_poweroff(b, 20000);
    expect_line("net: closed vif0\n");
}

/* The guest's UDP echo client against an echo server in the namespace. */
static void *echo_server(void *arg)
{
    int s = *(int *)arg;
    static uint8_t buf[65536];

    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        struct pollfd pfd = { .fd = s, .events = POLLIN };
        if (poll(&pfd, 1, 100) < 0)
            break;
        if (!(pfd.revents & POLLIN))
            continue;
        ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (n < 0)
            break;
        if (n == 4 && !memcmp(buf, "stop", 4))
            break;
        sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

Test(netfront, udp_echo_client)
{
    int s = udp_socket(HOST_IP, 7777);
    pthread_t th;

    cr_assert_eq(pthread_create(&th, NULL, echo_server, &s), 0);
    uint32_t d = guest_with("uec",
                            "cmd=net op=udp-echo-client ip=" GUEST_IP " dst=" HOST_IP
                            " port=7777 count=20 size=1000",
                            NULL, NULL);
    attach_backend_tap(d, 0, 0);
    expect_poweroff(d, 30000);
    expect_line("net: udp echo 20 of 20\n");
    int c = udp_socket(HOST_IP, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(7777) };
    inet_pton(AF_INET, HOST_IP, &to.sin_addr);
    sendto(c, "stop", 4, 0, (struct sockaddr *)&to, sizeof(to));
    pthread_join(th, NULL);
    close(c);
    close(s);
}

/* udp-send: the guest blasts, the namespace counts. */
struct counter {
    int s;
    atomic_bool stop;
    atomic_ulong packets, bytes, max_seq;
};

static void *count_udp(void *arg)
{
    struct counter *c = arg;
    static uint8_t buf[65536];

    while (!atomic_load(&c->stop)) {
        struct pollfd pfd = { .fd = c->s, .events = POLLIN };
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t n;
        while ((n = recv(c->s, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
            atomic_fetch_add(&c->packets, 1);
            atomic_fetch_add(&c->bytes, (unsigned long)n);
            if (n >= 8) {
                unsigned long seq = 0;
                for (int i = 0; i < 8; i++)
                    seq = seq << 8 | buf[i];
                if (seq > atomic_load(&c->max_seq))
                    atomic_store(&c->max_seq, seq);
            }
        }
    }
    return NULL;
}

Test(netfront, udp_send_throughput)
{
    struct counter c = { .s = udp_socket(HOST_IP, 5201) };
    pthread_t th;

    cr_assert_eq(pthread_create(&th, NULL, count_udp, &c), 0);
    uint32_t d = guest_with("usend",
                            "cmd=net op=udp-send ip=" GUEST_IP " dst=" HOST_IP
                            " port=5201 seconds=2 size=1472",
                            NULL, NULL);
    attach_backend_tap(d, 0, 0);
    expect_poweroff(d, 40000);
    usleep(200000);
    atomic_store(&c.stop, true);
    pthread_join(th, NULL);
    close(c.s);
    unsigned long bytes = field("net: udp-send bytes=", "bytes");
    unsigned long packets = field("net: udp-send bytes=", "packets");
    field("net: udp-send bytes=", "Mbit/s");
    field("net: udp-send bytes=", "pps");
    cr_expect_eq(bytes, packets * 1472);
    cr_expect_gt(packets, 1000, "a blast is more than 1000 datagrams in 2 s");
    unsigned long got = atomic_load(&c.packets);
    cr_expect_gt(got, packets / 2, "the namespace got %lu of %lu", got, packets);
    cr_expect_leq(got, packets);
    cr_expect_lt(atomic_load(&c.max_seq), packets);
    print_line("net: udp-send bytes=", backend_name());
    fprintf(stderr, "  the namespace received %lu of %lu datagrams\n", got, packets);
    expect_line("net: closed vif0\n");
}

/* udp-recv: the namespace blasts (sequence numbers in the payload), the guest counts. */
Test(netfront, udp_recv_counts_and_loss)
{
    uint32_t d = guest_with("urecv", "cmd=net op=udp-recv ip=" GUEST_IP " port=5201 seconds=3",
                            NULL, NULL);
    attach_backend_tap(d, 0, 0);
    wait_line(d, "net: udp-recv ready port=5201\n", 30000);
    /* ARP first, so no datagram waits in the neighbour queue (a few
     * tries: on a loaded host the first may take over a second). */
    cr_assert_geq(ping_from_host(GUEST_IP, 5, 8), 1);
    int s = udp_socket(HOST_IP, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(5201) };
    inet_pton(AF_INET, GUEST_IP, &to.sin_addr);
    uint8_t buf[1472];
    memset(buf, 0x5a, sizeof(buf));
    unsigned long sent = 0;
    double end = now_ms() + 1500;
    while (now_ms() < end) {
        for (int i = 0; i < 8; i++)
            buf[i] = (uint8_t)(sent >> (56 - 8 * i));
        if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to)) ==
            (ssize_t)sizeof(buf))
            sent++;
        else
            usleep(100);
        /* Pace lightly: a burst of 32, then yield. */
        if ((sent & 31) == 0)
            usleep(50);
    }
    close(s);
    expect_poweroff(d, 30000);
    unsigned long packets = field("net: udp-recv bytes=", "packets");
    unsigned long bytes = field("net: udp-recv bytes=", "bytes");
    unsigned long lost = field("net: udp-recv bytes=", "lost");
    field("net: udp-recv bytes=", "Mbit/s");
    cr_expect_eq(bytes, packets * sizeof(buf));
    cr_expect_gt(packets, 0);
    cr_expect_leq(packets, sent);
    cr_expect_leq(packets + lost, sent, "received %lu + lost %lu <= sent %lu", packets, lost,
                  sent);
    print_line("net: udp-recv bytes=", backend_name());
    fprintf(stderr, "  the namespace sent %lu datagrams\n", sent);
    expect_line("net: closed vif0\n");
}

/* A jumbo MTU: frames over a page take several tx slots and rx slots (feature-sg). */
Test(netfront, jumbo_frames_take_several_slots)
{
    struct vstub *s;
    struct vifopt o = { .mtu = 9000 };

    uint32_t d = guest_with("jumbo", "cmd=net op=serve ip=" GUEST_IP, &o, &s);
    attach_backend_tap(d, 0, 9000);
    sh("ip link set " BRIDGE " mtu 9000");
    wait_line(d, "net: serving\n", 30000);
    expect_line("mtu=9000 ip=" GUEST_IP "\n");
    cr_expect_eq(udp_echo_from_host(GUEST_IP, 5, 8000), 5, "8000-byte datagrams echoed");
    cr_expect_eq(ping_from_host(GUEST_IP, 3, 8900), 3, "8900-byte pings");
    cr_expect_eq(udp_echo_from_host(GUEST_IP, 5, 100), 5, "small ones too");
    udp_quit(GUEST_IP);
    expect_poweroff(d, 20000);
    cr_expect_gt(field("net: stats ", "rx_multi"), 0, "multi-slot rx frames");
    cr_expect_eq(field("net: stats ", "rx_errors"), 0);
    cr_expect_eq(field("net: stats ", "tx_errors"), 0);
    if (s) {
        stubs_stop();
        cr_expect_geq(atomic_load(&s->tx_multi), 8, "multi-slot tx frames");
        cr_expect_geq(atomic_load(&s->rx_multi), 8, "multi-slot rx frames");
        cr_expect_eq(atomic_load(&s->tx_errors), 0);
    }
}

/*
 * Without scatter-gather the MTU stays at 1500 even if the toolstack says
 * more: the stub offers no feature-sg; pvnetback does, so there the guest
 * refuses it (sg=0, which also writes feature-sg = 0).
 */
Test(netfront, no_sg_keeps_one_slot_frames)
{
    struct vstub *s;
    struct vifopt o = { .mtu = 9000, .no_sg = true };

    uint32_t d = guest_with("nosg",
                            use_pvnetback() ? "cmd=net op=serve sg=0 ip=" GUEST_IP
                                            : "cmd=net op=serve ip=" GUEST_IP,
                            &o, &s);
    attach_backend_tap(d, 0, 1500);
    wait_line(d, "net: serving\n", 30000);
    expect_line(" mtu=1500 ip=" GUEST_IP "\n");
    expect_line("net: vif0 split=1 sg=0 ");
    cr_expect_eq(udp_echo_from_host(GUEST_IP, 5, 1472), 5);
    udp_quit(GUEST_IP);
    expect_poweroff(d, 20000);
    if (s) {
        stubs_stop();
        cr_expect_eq(atomic_load(&s->front_sg), 1, "the frontend still takes rx chains");
        cr_expect_eq(atomic_load(&s->tx_multi), 0);
    }
}

/* Garbage in the tx ring: error responses, the backend (and pvhv) survive. */
Test(netfront, hostile_tx_ring)
{
    struct vstub *s;

    uint32_t d = guest_with("hostile", "cmd=net op=hostile ip=" GUEST_IP, NULL, &s);
    attach_backend_tap(d, 0, 0);
    expect_poweroff(d, 60000);
    expect_line("net: hostile badgref status=");
    expect_line("net: hostile oversize status=");
    expect_line("net: hostile sane status=");
    expect_line("net: hostile slots status=");
    expect_line("net: hostile overflow status=");
    expect_line("net: hostile done\n");
    if (s) {
        /* Linux netback's answers: errors for the non-fatal cases, then the vif is disabled. */
        expect_line("net: hostile badgref status=-1\n");
        expect_line("net: hostile oversize status=-1\n");
        expect_line("net: hostile sane status=0\n");
        expect_line("net: hostile slots status=none\n");
        expect_line("net: hostile overflow status=none\n");
        stubs_stop();
        cr_expect_eq(atomic_load(&s->fatal), 1, "the stub disabled the vif");
        cr_expect_eq(atomic_load(&s->tx_errors), 2);
        cr_expect_eq(atomic_load(&s->tx_frames), 1, "only the sane frame went out");
    } else {
        fprintf(stderr, "  pvnetback's answers:\n");
        for (const char *l = strstr(con, "net: hostile "); l; l = strstr(l + 1, "net: hostile "))
            fprintf(stderr, "    %.*s\n", (int)strcspn(l, "\n"), l);
    }
    cr_expect(host_alive(&host));
}

/* TCP: the guest sends to a socket in the namespace, which checks the o mod 256 stream. */
struct tcp_sink {
    int ls;
    atomic_ulong bytes, bad;
};

static void *tcp_sink(void *arg)
{
    struct tcp_sink *t = arg;
    static uint8_t buf[1 << 16];
    int c = accept(t->ls, NULL, NULL);
    unsigned long off = 0;

    if (c < 0)
        return NULL;
    for (;;) {
        ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != (uint8_t)(off + (unsigned long)i))
                atomic_fetch_add(&t->bad, 1);
        off += (unsigned long)n;
        atomic_store(&t->bytes, off);
    }
    close(c);
    return NULL;
}

Test(netfront, tcp_send_throughput)
{
    struct tcp_sink t = { .ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) };
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5202) };
    int one = 1;
    pthread_t th;

    inet_pton(AF_INET, HOST_IP, &a.sin_addr);
    setsockopt(t.ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    cr_assert_eq(bind(t.ls, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(listen(t.ls, 1), 0);
    cr_assert_eq(pthread_create(&th, NULL, tcp_sink, &t), 0);
    uint32_t d = guest_with("tsend",
                            "cmd=net op=tcp-send ip=" GUEST_IP " dst=" HOST_IP
                            " port=5202 seconds=2",
                            NULL, NULL);
    attach_backend_tap(d, 0, 0);
    expect_poweroff(d, 40000);
    pthread_join(th, NULL);
    close(t.ls);
    unsigned long bytes = field("net: tcp-send bytes=", "bytes");
    field("net: tcp-send bytes=", "Mbit/s");
    cr_expect_gt(bytes, 100000, "more than 100 kB in 2 s");
    cr_expect_eq(atomic_load(&t.bytes), bytes, "the namespace got every acknowledged byte");
    cr_expect_eq(atomic_load(&t.bad), 0, "the stream is intact");
    print_line("net: tcp-send bytes=", backend_name());
    expect_line("net: closed vif0\n");
}

/* TCP the other way: the namespace sends the stream, the guest checks and counts it. */
Test(netfront, tcp_recv_throughput)
{
    uint32_t d = guest_with("trecv", "cmd=net op=tcp-recv ip=" GUEST_IP " port=5203 seconds=10",
                            NULL, NULL);
    attach_backend_tap(d, 0, 0);
    wait_line(d, "net: tcp-recv ready port=5203\n", 30000);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(5203) };
    inet_pton(AF_INET, GUEST_IP, &to.sin_addr);
    cr_assert_eq(connect(s, (struct sockaddr *)&to, sizeof(to)), 0, "connect: %s",
                 strerror(errno));
    struct timeval tmo = { .tv_sec = 5 };
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));
    static uint8_t buf[1 << 16];
    unsigned long sent = 0;
    double end = now_ms() + 1500;
    while (now_ms() < end) {
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (uint8_t)(sent + i);
        ssize_t n = send(s, buf, sizeof(buf), 0);
        cr_assert_gt(n, 0, "send: %s", strerror(errno));
        sent += (unsigned long)n;
        if ((size_t)n < sizeof(buf)) {
            /* Keep the stream's pattern aligned with what was sent. */
            size_t rest = sizeof(buf) - (size_t)n;
            memmove(buf, buf + n, rest);
            while (rest) {
                ssize_t m = send(s, buf, rest, 0);
                cr_assert_gt(m, 0);
                memmove(buf, buf + m, rest - (size_t)m);
                rest -= (size_t)m;
                sent += (unsigned long)m;
            }
        }
    }
    shutdown(s, SHUT_WR);
    expect_poweroff(d, 30000);
    close(s);
    unsigned long bytes = field("net: tcp-recv bytes=", "bytes");
    cr_expect_eq(bytes, sent, "the guest got %lu of %lu bytes", bytes, sent);
    cr_expect_eq(field("net: tcp-recv bytes=", "bad"), 0, "the stream is intact");
    print_line("net: tcp-recv bytes=", backend_name());
    expect_line("net: closed vif0\n");
}
