/* netfront.c: the network frontend's data path: tx and rx pools, the rings, completions (see pvfront/netfront.h). */
#include <pvfront/netfront.h>

#include "internal.h"

#define PAGE XEN_PAGE_SIZE
#define GREF_NONE UINT32_MAX

/* A tx pool page's state. */
#define TXS_FREE 0
#define TXS_DATA 1 /* holds (part of) a queued frame */
#define TXS_RAW 2  /* lent its id to a raw request */

/* Refill the rx ring once this many pages came back (or it runs low). */
#define RX_REFILL_BATCH 32u
#define RX_LOW_WATER 64u
/* pvfront_net_wait's slice when it must watch two split channels. */
#define SPLIT_SLICE_NS 1000000ULL

_Static_assert(__CONST_RING_SIZE(netif_tx, PAGE) == PVFRONT_NET_RING_SIZE, "tx ring slots");
_Static_assert(__CONST_RING_SIZE(netif_rx, PAGE) == PVFRONT_NET_RING_SIZE, "rx ring slots");
_Static_assert(PVFRONT_NET_MAX_BUFS <= 65535, "pool indexes fit 16 bits");

/* ---- memory ---- */

size_t pvfront_net_mem_size(unsigned int tx_bufs, unsigned int rx_bufs)
{
    if (tx_bufs == 0 || rx_bufs == 0 || tx_bufs > PVFRONT_NET_MAX_BUFS ||
        rx_bufs > PVFRONT_NET_MAX_BUFS)
        return 0;
    return (size_t)PAGE * (2 + (size_t)tx_bufs + rx_bufs);
}

static uint8_t *tx_page(const struct pvfront_netfront *nf, uint32_t b)
{
    return nf->tx_pool + (size_t)b * PAGE;
}

static uint8_t *rx_page(const struct pvfront_netfront *nf, uint32_t b)
{
    return nf->rx_pool + (size_t)b * PAGE;
}

/* Pages one frame of len bytes takes. */
static uint32_t frame_pages(size_t len)
{
    return (uint32_t)((len + PAGE - 1) / PAGE);
}

int pvfront__net_setup_pools(struct pvfront_netfront *nf)
{
    uint32_t tx = 0, rx = 0;

    nf->tx_pool = nf->mem + 2 * (size_t)PAGE;
    nf->rx_pool = nf->tx_pool + (size_t)nf->tx_bufs * PAGE;
    for (uint32_t i = 0; i < PVFRONT_NET_MAX_BUFS; i++) {
        nf->tx_ref[i] = GREF_NONE;
        nf->rx_ref[i] = GREF_NONE;
        nf->tx_state[i] = TXS_FREE;
    }
    /* The backend only reads tx pages (grant copy from them): read-only, as Linux. */
    for (; tx < nf->tx_bufs; tx++) {
        grant_ref_t ref;
        if (pvfront_gnttab_grant_access(nf->backend_id, pvfront_gfn(tx_page(nf, tx)), 1, &ref) < 0)
            break;
        nf->tx_ref[tx] = ref;
    }
    for (; rx < nf->rx_bufs; rx++) {
        grant_ref_t ref;
        if (pvfront_gnttab_grant_access(nf->backend_id, pvfront_gfn(rx_page(nf, rx)), 0, &ref) < 0)
            break;
        nf->rx_ref[rx] = ref;
    }
    /* Pages that could not be granted leave the pools. */
    nf->tx_bufs = tx;
    nf->rx_bufs = rx;
    if (tx == 0 || rx == 0 || frame_pages(nf->max_frame) > tx)
        return -XEN_ENOSPC;
    /* Popped from the end: page 0 first. */
    for (uint32_t i = 0; i < tx; i++)
        nf->tx_free[i] = (uint16_t)(tx - 1 - i);
    nf->tx_free_n = tx;
    for (uint32_t i = 0; i < rx; i++)
        nf->rx_free[i] = (uint16_t)(rx - 1 - i);
    nf->rx_free_n = rx;
    nf->tx_queued = 0;
    nf->rx_partial = 0;
    return 0;
}

/* Revoke ref if granted; 1 if the backend still uses it (kept), else 0. */
static unsigned int revoke(uint32_t *ref)
{
    if (*ref == GREF_NONE)
        return 0;
    if (pvfront_gnttab_end_access(*ref) == -XEN_EBUSY)
        return 1;
    *ref = GREF_NONE;
    return 0;
}

unsigned int pvfront__net_revoke_all(struct pvfront_netfront *nf)
{
    unsigned int busy = revoke(&nf->tx_ring_ref) + revoke(&nf->rx_ring_ref);

    for (uint32_t i = 0; i < PVFRONT_NET_MAX_BUFS; i++)
        busy += revoke(&nf->tx_ref[i]) + revoke(&nf->rx_ref[i]);
    return busy;
}

/* ---- helpers ---- */

static int usable(const struct pvfront_netfront *nf)
{
    if (!nf || !nf->connected)
        return -XEN_ENOTCONN;
    return nf->broken ? -XEN_EIO : 0;
}

static int broke(struct pvfront_netfront *nf)
{
    nf->broken = 1;
    nf->stats.bad_responses++;
    return -XEN_EIO;
}

/* ---- transmit ---- */

int pvfront__net_tx_gc(struct pvfront_netfront *nf)
{
    netif_tx_front_ring_t *r = &nf->tx;
    RING_IDX rp = PVHV_RING_READ_IDX(r->sring->rsp_prod);

    xen_rmb(); /* the index before the slots it covers */
    /* Never more responses than requests published (our own count: the page is shared). */
    if ((RING_IDX)(rp - r->rsp_cons) > (RING_IDX)(r->req_prod_pvt - nf->tx_queued - r->rsp_cons) ||
        RING_RESPONSE_PROD_OVERFLOW(r, rp))
        return broke(nf);
    while (r->rsp_cons != rp) {
        netif_tx_response_t rsp;
        RING_COPY_RESPONSE(r, r->rsp_cons, &rsp);
        r->rsp_cons++;
        uint32_t id = rsp.id;
        if (id >= nf->tx_bufs || nf->tx_state[id] == TXS_FREE)
            return broke(nf);
        if (nf->tx_state[id] == TXS_RAW) {
            if (nf->raw_answered++ == 0)
                nf->raw_status = rsp.status;
        }
        nf->stats.tx_responses++;
        if (rsp.status != NETIF_RSP_OKAY && rsp.status != NETIF_RSP_NULL)
            nf->stats.tx_errors++;
        nf->tx_state[id] = TXS_FREE;
        nf->tx_free[nf->tx_free_n++] = (uint16_t)id;
    }
    return 0;
}

/* Room for `slots` more slots (ring and pool), taking responses if needed. */
static int tx_room(struct pvfront_netfront *nf, uint32_t slots)
{
    if (nf->tx_free_n >= slots && RING_FREE_REQUESTS(&nf->tx) >= slots)
        return 1;
    if (pvfront__net_tx_gc(nf) < 0)
        return -XEN_EIO;
    return nf->tx_free_n >= slots && RING_FREE_REQUESTS(&nf->tx) >= slots;
}

int pvfront_net_queue(struct pvfront_netfront *nf, const void *frame, size_t len)
{
    int r = usable(nf);

    if (r < 0)
        return r;
    if (!frame || len < PVFRONT_NET_ETH_HLEN || len > nf->max_frame)
        return -XEN_EINVAL;
    uint32_t n = frame_pages(len);
    if ((r = tx_room(nf, n)) <= 0) {
        if (r == 0)
            nf->stats.tx_busy++;
        return r < 0 ? r : -XEN_EAGAIN;
    }
    const uint8_t *src = frame;
    size_t done = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = nf->tx_free[--nf->tx_free_n];
        size_t c = len - done < PAGE ? len - done : PAGE;
        memcpy(tx_page(nf, b), src + done, c);
        nf->tx_state[b] = TXS_DATA;
        netif_tx_request_t *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
        req->gref = nf->tx_ref[b];
        req->offset = 0;
        req->flags = (uint16_t)(i + 1 < n ? NETTXF_more_data : 0);
        req->id = (uint16_t)b;
        /* The first slot carries the whole frame's length, the others their own. */
        req->size = (uint16_t)(i == 0 ? len : c);
        nf->tx.req_prod_pvt++;
        done += c;
    }
    nf->tx_queued += n;
    nf->stats.tx_frames++;
    nf->stats.tx_bytes += len;
    nf->stats.tx_slots += n;
    return 0;
}

int pvfront_net_tx_raw(struct pvfront_netfront *nf, const netif_tx_request_t *reqs,
                       unsigned int n, const void *data, size_t len)
{
    int r = usable(nf);

    if (r < 0)
        return r;
    if (!reqs || n == 0 || n > PVFRONT_NET_RING_SIZE || (data && len > (size_t)n * PAGE))
        return -XEN_EINVAL;
    if ((r = tx_room(nf, n)) <= 0) {
        if (r == 0)
            nf->stats.tx_busy++;
        return r < 0 ? r : -XEN_EAGAIN;
    }
    nf->raw_answered = 0;
    nf->raw_status = 0;
    for (unsigned int i = 0; i < n; i++) {
        uint32_t b = nf->tx_free[--nf->tx_free_n];
        nf->tx_state[b] = TXS_RAW;
        if (data && (size_t)i * PAGE < len) {
            size_t c = len - (size_t)i * PAGE < PAGE ? len - (size_t)i * PAGE : PAGE;
            memcpy(tx_page(nf, b), (const uint8_t *)data + (size_t)i * PAGE, c);
        }
        netif_tx_request_t *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
        *req = reqs[i];
        if (reqs[i].gref == PVFRONT_NET_OWN_GREF)
            req->gref = nf->tx_ref[b];
        req->id = (uint16_t)b;
        nf->tx.req_prod_pvt++;
    }
    nf->tx_queued += n;
    nf->stats.tx_slots += n;
    return 0;
}

int pvfront_net_kick(struct pvfront_netfront *nf)
{
    int notify, r = usable(nf);

    if (r < 0)
        return r;
    if (!nf->tx_queued)
        return 0;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
    nf->tx_queued = 0;
    nf->stats.tx_pushes++;
    if (!notify)
        return 0;
    nf->stats.tx_notifies++;
    r = pvfront_evtchn_send(nf->tx_port);
    return r < 0 ? r : 1;
}

int pvfront_net_send(struct pvfront_netfront *nf, const void *frame, size_t len)
{
    int r = pvfront_net_queue(nf, frame, len);

    if (r == 0)
        pvfront_net_kick(nf);
    return r;
}

unsigned int pvfront_net_tx_inflight(const struct pvfront_netfront *nf)
{
    if (!nf || !nf->connected)
        return 0;
    return (unsigned int)(nf->tx.req_prod_pvt - nf->tx.rsp_cons);
}

/* ---- receive ---- */

/* Lend every free rx page the ring has room for; publish and notify if asked. */
static void rx_post(struct pvfront_netfront *nf)
{
    netif_rx_front_ring_t *r = &nf->rx;
    uint32_t n = 0;
    int notify;

    while (nf->rx_free_n > 0 && RING_FREE_REQUESTS(r) > 0) {
        uint32_t b = nf->rx_free[--nf->rx_free_n];
        RING_IDX s = r->req_prod_pvt++;
        netif_rx_request_t *req = RING_GET_REQUEST(r, s);
        req->id = (uint16_t)(s & (PVFRONT_NET_RING_SIZE - 1));
        req->pad = 0;
        req->gref = nf->rx_ref[b];
        nf->rx_slot_buf[s & (PVFRONT_NET_RING_SIZE - 1)] = (uint16_t)b;
        n++;
    }
    if (!n)
        return;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify);
    nf->stats.rx_pushes++;
    if (notify) {
        nf->stats.rx_notifies++;
        pvfront_evtchn_send(nf->rx_port);
    }
}

void pvfront__net_rx_refill(struct pvfront_netfront *nf)
{
    rx_post(nf);
}

/* Refill in batches: once enough pages came back, or few are left with the backend. */
static void rx_maybe_refill(struct pvfront_netfront *nf)
{
    uint32_t posted = nf->rx.req_prod_pvt - nf->rx.rsp_cons;

    if (nf->rx_free_n >= RX_REFILL_BATCH || posted < RX_LOW_WATER || posted < nf->rx_bufs / 2)
        rx_post(nf);
}

/*
 * Walk the frame at rsp_cons (rp: the published responses). Copies its
 * data into buf as it goes when ok. Returns the slots it takes (> 0) and
 * sets *out_len (-1: drop it; the reason counted in *why: 1 error, 2 too
 * big), or 0 if it is not complete yet, or -XEN_EIO if it can never be.
 */
static int rx_walk(struct pvfront_netfront *nf, RING_IDX rp, uint8_t *buf, size_t len,
                   long *out_len, unsigned int *flags, int *why)
{
    netif_rx_front_ring_t *r = &nf->rx;
    RING_IDX cons = r->rsp_cons, avail = rp - cons;
    RING_IDX posted = r->req_prod_pvt - cons;
    netif_rx_response_t rsp;
    uint32_t k = 0, data_slots = 0;
    RING_IDX slot = cons; /* the slot of the data response in rsp */
    size_t total = 0;
    int bad = 0;

    RING_COPY_RESPONSE(r, cons, &rsp);
    k = 1;
    *flags = rsp.flags;
    uint16_t more = rsp.flags & NETRXF_more_data;
    /* Extra-info slots follow the first response. */
    if (rsp.flags & NETRXF_extra_info) {
        for (;;) {
            if (k >= avail)
                goto incomplete;
            netif_extra_info_t ex;
            memcpy(&ex, RING_GET_RESPONSE(r, cons + k), sizeof ex);
            PVHV_RING_COMPILER_BARRIER();
            k++;
            if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE || ex.type >= XEN_NETIF_EXTRA_TYPE_MAX)
                bad = 1;
            if (!(ex.flags & XEN_NETIF_EXTRA_FLAG_MORE))
                break;
        }
    }
    for (;;) {
        /* rsp is a data response: check it, copy it. */
        data_slots++;
        if (rsp.status < 0 || (uint32_t)rsp.offset + (uint32_t)rsp.status > PAGE) {
            bad = bad ? bad : 1;
        } else if (!bad) {
            if (total + (size_t)rsp.status > len) {
                bad = 2;
            } else {
                uint32_t b = nf->rx_slot_buf[slot & (PVFRONT_NET_RING_SIZE - 1)];
                memcpy(buf + total, rx_page(nf, b) + rsp.offset, (size_t)rsp.status);
                total += (size_t)rsp.status;
            }
        }
        if (!more)
            break;
        if (k >= avail)
            goto incomplete;
        slot = cons + k;
        RING_COPY_RESPONSE(r, slot, &rsp);
        k++;
        more = rsp.flags & NETRXF_more_data;
    }
    if (k > PVFRONT_NET_MAX_RX_SLOTS && !bad)
        bad = 2;
    if (data_slots > 1)
        nf->stats.rx_multi++;
    *why = bad;
    *out_len = bad ? -1 : (long)total;
    return (int)k;

incomplete:
    /* Every request posted is in the chain and it still goes on: it never ends. */
    if (avail >= posted)
        return broke(nf);
    return 0;
}

int pvfront_net_recv(struct pvfront_netfront *nf, void *buf, size_t len, unsigned int *flags)
{
    int r = usable(nf);

    if (r < 0)
        return r;
    if (pvfront__net_tx_gc(nf) < 0)
        return -XEN_EIO;
    netif_rx_front_ring_t *rr = &nf->rx;
    for (;;) {
        RING_IDX rp = PVHV_RING_READ_IDX(rr->sring->rsp_prod);
        xen_rmb();
        if ((RING_IDX)(rp - rr->rsp_cons) > (RING_IDX)(rr->req_prod_pvt - rr->rsp_cons))
            return broke(nf);
        if (rr->rsp_cons == rp) {
            rx_maybe_refill(nf);
            return 0;
        }
        long flen;
        unsigned int fl = 0;
        int why = 0;
        int k = rx_walk(nf, rp, buf, len, &flen, &fl, &why);
        if (k < 0)
            return k;
        if (k == 0) {
            /* Part of a frame: wait for the rest (pvfront_net_wait watches rsp_prod). */
            nf->rx_partial = 1;
            nf->rx_wait_prod = rp;
            rx_maybe_refill(nf);
            return 0;
        }
        nf->rx_partial = 0;
        /* Give the frame's pages back. */
        for (int i = 0; i < k; i++) {
            uint32_t b = nf->rx_slot_buf[(rr->rsp_cons + (RING_IDX)i) & (PVFRONT_NET_RING_SIZE - 1)];
            nf->rx_free[nf->rx_free_n++] = (uint16_t)b;
        }
        rr->rsp_cons += (RING_IDX)k;
        nf->stats.rx_slots += (uint64_t)k;
        rx_maybe_refill(nf);
        if (flen < 0) {
            if (why == 2)
                nf->stats.rx_too_big++;
            else
                nf->stats.rx_errors++;
            continue;
        }
        nf->stats.rx_frames++;
        nf->stats.rx_bytes += (uint64_t)flen;
        if (flags)
            *flags = fl & (NETRXF_data_validated | NETRXF_csum_blank);
        return (int)flen;
    }
}

/* ---- waiting ---- */

/* Is a received frame waiting? Arms rsp_event when not (the final check). */
static int rx_ready(struct pvfront_netfront *nf)
{
    netif_rx_front_ring_t *r = &nf->rx;

    if (nf->rx_partial) {
        /* Only news beyond the incomplete frame counts. */
        if (PVHV_RING_READ_IDX(r->sring->rsp_prod) != nf->rx_wait_prod)
            return 1;
        PVHV_RING_WRITE_IDX(r->sring->rsp_event, nf->rx_wait_prod + 1);
        xen_mb();
        return PVHV_RING_READ_IDX(r->sring->rsp_prod) != nf->rx_wait_prod;
    }
    int more;
    RING_FINAL_CHECK_FOR_RESPONSES(r, more);
    return more != 0;
}

/* Are the tx conditions in `what` true? Takes responses; arms rsp_event when not. */
static int tx_ready(struct pvfront_netfront *nf, unsigned int what, int *err)
{
    unsigned int ok = 0;
    uint32_t need = frame_pages(nf->max_frame);

    for (int pass = 0; pass < 2; pass++) {
        if (pvfront__net_tx_gc(nf) < 0) {
            *err = -XEN_EIO;
            return 0;
        }
        ok = 0;
        if ((what & PVFRONT_NET_TX) && nf->tx_free_n >= need &&
            RING_FREE_REQUESTS(&nf->tx) >= need)
            ok |= PVFRONT_NET_TX;
        if ((what & PVFRONT_NET_TX_IDLE) && nf->tx.req_prod_pvt == nf->tx.rsp_cons)
            ok |= PVFRONT_NET_TX_IDLE;
        if (ok || pass)
            break;
        /* Nothing yet: ask for an event on the next response, look again. */
        PVHV_RING_WRITE_IDX(nf->tx.sring->rsp_event, nf->tx.rsp_cons + 1);
        xen_mb();
    }
    return (int)ok;
}

int pvfront_net_wait(struct pvfront_netfront *nf, unsigned int what, uint64_t timeout_ns)
{
    int r = usable(nf);

    if (r < 0)
        return r;
    what &= PVFRONT_NET_RX | PVFRONT_NET_TX | PVFRONT_NET_TX_IDLE;
    if (!what)
        return -XEN_EINVAL;
    if (nf->tx_queued)
        pvfront_net_kick(nf);
    uint64_t now = pvfront_time_ns();
    uint64_t deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
    int want_tx = (what & (PVFRONT_NET_TX | PVFRONT_NET_TX_IDLE)) != 0;
    for (;;) {
        int err = 0;
        unsigned int ok = 0;
        if (want_tx)
            ok |= (unsigned int)tx_ready(nf, what, &err);
        if (err)
            return err;
        if ((what & PVFRONT_NET_RX) && rx_ready(nf))
            ok |= PVFRONT_NET_RX;
        if (ok)
            return (int)ok;
        now = pvfront_time_ns();
        if (now >= deadline)
            return -XEN_ETIMEDOUT;
        /* Which channel to sleep on. */
        evtchn_port_t port = want_tx ? nf->tx_port : nf->rx_port;
        uint64_t slice = deadline - now;
        if (nf->split && want_tx && (what & PVFRONT_NET_RX) && slice > SPLIT_SLICE_NS)
            slice = SPLIT_SLICE_NS;
        nf->stats.waits++;
        r = pvfront_evtchn_wait(port, slice);
        if (r < 0 && r != -XEN_ETIMEDOUT)
            return r;
        if (nf->broken)
            return -XEN_EIO;
    }
}
