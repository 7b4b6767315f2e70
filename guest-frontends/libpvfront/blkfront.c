/* blkfront.c: the block frontend's data path: requests, grants, the ring, completions (see pvfront/blkfront.h). */
#include "blkfront_priv.h"

_Static_assert(sizeof(struct pvfront_blk_shadow) == 32, "shadow header");
_Static_assert(__CONST_RING_SIZE(blkif, PAGE << PVFRONT_BLK_MAX_RING_ORDER) ==
                   32u << PVFRONT_BLK_MAX_RING_ORDER,
               "32 << order slots");

/* ---- memory ---- */

size_t pvfront_blk_shadow_bytes(unsigned int max_segs)
{
    return sizeof(struct pvfront_blk_shadow) +
           8 * (size_t)(max_segs + pvfront__blk_ind_pages(max_segs));
}

static size_t round_page(size_t n)
{
    return (n + PAGE - 1) & ~(size_t)(PAGE - 1);
}

size_t pvfront_blk_mem_size(unsigned int ring_order, unsigned int max_segs,
                            unsigned int pool_pages)
{
    if (ring_order > PVFRONT_BLK_MAX_RING_ORDER || max_segs == 0 ||
        max_segs > PVFRONT_BLK_MAX_SEGS)
        return 0;
    size_t slots = (size_t)32 << ring_order;
    return ((size_t)PAGE << ring_order) +
           round_page(slots * pvfront_blk_shadow_bytes(max_segs) + 8 * (size_t)pool_pages) +
           (size_t)PAGE * pool_pages;
}

int pvfront__blk_layout(struct pvfront_blkfront *bf, unsigned int pool_cap)
{
    unsigned int segs = bf->segs_per_req;
    size_t base = pvfront_blk_mem_size(bf->ring_order, segs, 0);
    unsigned int min = pvfront__blk_min_pool(segs);
    unsigned int most = bf->ring_size * min;

    if (base > bf->mem_len)
        return -XEN_ENOMEM;
    /* The largest pool that fits: each page costs a page and 8 bytes of meta. */
    size_t p = (bf->mem_len - base) / (PAGE + 8);
    if (p > most)
        p = most;
    if (pool_cap && p > pool_cap)
        p = pool_cap;
    while (p > 0 && pvfront_blk_mem_size(bf->ring_order, segs, (unsigned int)p) > bf->mem_len)
        p--;
    if (p < min)
        return -XEN_ENOMEM;

    uint8_t *meta = bf->mem + ((size_t)PAGE << bf->ring_order);
    bf->shadow_stride = (uint32_t)pvfront_blk_shadow_bytes(segs);
    bf->shadow = meta;
    bf->pool_ref = (uint32_t *)(meta + (size_t)bf->ring_size * bf->shadow_stride);
    bf->pool_stack = bf->pool_ref + p;
    bf->pool = meta + round_page((size_t)bf->ring_size * bf->shadow_stride + 8 * p);
    bf->pool_pages = (uint32_t)p;

    for (uint32_t i = 0; i < bf->ring_size; i++) {
        struct pvfront_blk_shadow *s = pvfront__blk_shadow(bf, i);
        s->state = SHADOW_FREE;
        s->nr_g = 0;
        s->next_free = i + 1 < bf->ring_size ? i + 1 : UINT32_MAX;
    }
    bf->shadow_free = 0;
    /* Popped from the end: page 0 first. */
    for (uint32_t i = 0; i < p; i++) {
        bf->pool_ref[i] = GREF_NONE;
        bf->pool_stack[i] = (uint32_t)p - 1 - i;
    }
    bf->pool_free_n = (uint32_t)p;
    bf->inflight = 0;
    bf->queued = 0;
    return 0;
}

/* ---- grants ---- */

/* Revoke ref if granted; 1 if the backend still maps it (ref kept), else 0 (*ref = GREF_NONE). */
static int revoke(uint32_t *ref)
{
    if (*ref == GREF_NONE)
        return 0;
    if (pvfront_gnttab_end_access(*ref) == -XEN_EBUSY)
        return 1;
    *ref = GREF_NONE;
    return 0;
}

unsigned int pvfront__blk_revoke_all(struct pvfront_blkfront *bf)
{
    unsigned int busy = 0;

    for (uint32_t i = 0; i < (1u << bf->ring_order); i++)
        busy += (unsigned int)revoke(&bf->ring_ref[i]);
    if (bf->shadow) {
        for (uint32_t i = 0; i < bf->pool_pages; i++)
            busy += (unsigned int)revoke(&bf->pool_ref[i]);
        for (uint32_t i = 0; i < bf->ring_size; i++) {
            struct pvfront_blk_shadow *s = pvfront__blk_shadow(bf, i);
            if (s->state != SHADOW_INFLIGHT || bf->persistent)
                continue;
            for (unsigned int j = 0; j < s->nr_g; j++)
                busy += (unsigned int)revoke(&s->g[j].ref);
        }
    }
    return busy;
}

/* ---- queueing ---- */

static struct pvfront_blk_shadow *shadow_get(struct pvfront_blkfront *bf, uint32_t *id)
{
    if (RING_FULL(&bf->ring) || bf->shadow_free == UINT32_MAX)
        return NULL;
    *id = bf->shadow_free;
    struct pvfront_blk_shadow *s = pvfront__blk_shadow(bf, *id);
    bf->shadow_free = s->next_free;
    return s;
}

static void shadow_put(struct pvfront_blkfront *bf, uint32_t id)
{
    struct pvfront_blk_shadow *s = pvfront__blk_shadow(bf, id);

    s->state = SHADOW_FREE;
    s->nr_g = 0;
    s->next_free = bf->shadow_free;
    bf->shadow_free = id;
}

static void pool_put(struct pvfront_blkfront *bf, uint32_t page)
{
    bf->pool_stack[bf->pool_free_n++] = page;
}

/* Give back a shadow's grants after a failed queue (never seen by the backend). */
static void undo_grants(struct pvfront_blkfront *bf, struct pvfront_blk_shadow *s)
{
    for (unsigned int j = 0; j < s->nr_g; j++) {
        if (!bf->persistent)
            revoke(&s->g[j].ref);
        if (s->g[j].pool != POOL_NONE)
            pool_put(bf, s->g[j].pool);
    }
    s->nr_g = 0;
}

/*
 * Take a grant for one page: a pool page (granted already in persistent
 * mode, else granted now) when gfn_page is NULL, else the caller's page
 * at gfn_page, granted now. Recorded as the shadow's next grant.
 */
static int grant_page(struct pvfront_blkfront *bf, struct pvfront_blk_shadow *s,
                      const uint8_t *caller_page)
{
    uint32_t pool = POOL_NONE, ref;
    const uint8_t *page = caller_page;

    if (!caller_page) {
        if (bf->pool_free_n == 0)
            return -XEN_EAGAIN;
        pool = bf->pool_stack[--bf->pool_free_n];
        page = pvfront__blk_pool_page(bf, pool);
    }
    if (bf->persistent && pool != POOL_NONE) {
        ref = bf->pool_ref[pool];
    } else {
        grant_ref_t r;
        int e = pvfront_gnttab_grant_access(bf->backend_id, pvfront_gfn(page), 0, &r);
        if (e < 0) {
            if (pool != POOL_NONE)
                pool_put(bf, pool);
            /* Refs come back as requests complete; with none in flight they never will. */
            return e == -XEN_ENOSPC && bf->inflight ? -XEN_EAGAIN : e;
        }
        ref = r;
    }
    s->g[s->nr_g].ref = ref;
    s->g[s->nr_g].pool = pool;
    s->nr_g++;
    return 0;
}

/* Put a filled request in its slot (not published). */
static void post(struct pvfront_blkfront *bf, const blkif_request_t *req)
{
    *RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt) = *req;
    bf->ring.req_prod_pvt++;
    bf->queued++;
    bf->inflight++;
    bf->stats.requests++;
}

static void shadow_start(struct pvfront_blk_shadow *s, void *cookie, int op, int wire_op,
                         void *buf, size_t len)
{
    s->cookie = cookie;
    s->buf = buf;
    s->len = (uint32_t)len;
    s->op = (uint8_t)op;
    s->wire_op = (uint8_t)wire_op;
    s->raw = 0;
    s->nsegs = 0;
    s->nr_g = 0;
}

/* Read or write: segments, then a direct or an indirect request. */
static int queue_rw(struct pvfront_blkfront *bf, int op, uint64_t sector, uint8_t *buf,
                    size_t len, void *cookie)
{
    uintptr_t a = (uintptr_t)buf;

    if (len == 0 || len % PVFRONT_BLK_SECTOR || a % PVFRONT_BLK_SECTOR ||
        a + len < a || a + len > PVFRONT_MAPPED_LIMIT || a < PAGE)
        return -XEN_EINVAL;
    uint64_t n = len / PVFRONT_BLK_SECTOR;
    if (sector > bf->sectors || n > bf->sectors - sector)
        return -XEN_EINVAL;
    /* Persistent: packed into whole pool pages; else the buffer's own pages. */
    size_t nsegs = bf->persistent ? (len + PAGE - 1) / PAGE
                                  : ((a & (PAGE - 1)) + len + PAGE - 1) / PAGE;
    if (nsegs > bf->segs_per_req)
        return -XEN_E2BIG;
    unsigned int nind = pvfront__blk_ind_pages((unsigned int)nsegs);
    unsigned int need_pool = (bf->persistent ? (unsigned int)nsegs : 0) + nind;
    uint32_t id;
    struct pvfront_blk_shadow *s;
    if (need_pool > bf->pool_free_n || !(s = shadow_get(bf, &id))) {
        bf->stats.busy++;
        return -XEN_EAGAIN;
    }
    shadow_start(s, cookie, op, op, buf, len);
    s->nsegs = (uint16_t)nsegs;

    /* Data segments. */
    int e = 0;
    size_t done = 0;
    for (size_t i = 0; i < nsegs && e == 0; i++) {
        if (bf->persistent) {
            size_t c = len - done < PAGE ? len - done : PAGE;
            e = grant_page(bf, s, NULL);
            if (e == 0 && op == BLKIF_OP_WRITE)
                memcpy(pvfront__blk_pool_page(bf, s->g[i].pool), buf + done, c);
            done += c;
        } else {
            e = grant_page(bf, s, (const uint8_t *)((a + done) & ~(uintptr_t)(PAGE - 1)));
            size_t off = (a + done) & (PAGE - 1), c = PAGE - off;
            if (c > len - done)
                c = len - done;
            done += c;
        }
    }
    /* Indirect pages. */
    for (unsigned int j = 0; j < nind && e == 0; j++)
        e = grant_page(bf, s, NULL);
    if (e < 0) {
        undo_grants(bf, s);
        shadow_put(bf, id);
        if (e == -XEN_EAGAIN)
            bf->stats.busy++;
        return e;
    }

    /* The descriptors: in the slot, or in the indirect pages. */
    union {
        blkif_request_t rw;
        blkif_request_indirect_t ind;
    } req;
    memset(&req, 0, sizeof req);
    done = 0;
    for (size_t i = 0; i < nsegs; i++) {
        struct blkif_request_segment *sg;
        size_t off = bf->persistent ? 0 : (a + done) & (PAGE - 1);
        size_t c = PAGE - off;
        if (c > len - done)
            c = len - done;
        if (nind) {
            uint8_t *ip = pvfront__blk_pool_page(bf, s->g[nsegs + i / PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE].pool);
            sg = (struct blkif_request_segment *)ip + i % PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE;
        } else {
            sg = &req.rw.seg[i];
        }
        sg->gref = s->g[i].ref;
        sg->first_sect = (uint8_t)(off / PVFRONT_BLK_SECTOR);
        sg->last_sect = (uint8_t)((off + c) / PVFRONT_BLK_SECTOR - 1);
        sg->_pad0 = 0;
        done += c;
    }
    if (nind) {
        req.ind.operation = BLKIF_OP_INDIRECT;
        req.ind.indirect_op = (uint8_t)op;
        req.ind.nr_segments = (uint16_t)nsegs;
        req.ind.id = id;
        req.ind.sector_number = sector;
        req.ind.handle = (blkif_vdev_t)bf->devid;
        for (unsigned int j = 0; j < nind; j++)
            req.ind.indirect_grefs[j] = s->g[nsegs + j].ref;
        bf->stats.indirect++;
    } else {
        req.rw.operation = (uint8_t)op;
        req.rw.nr_segments = (uint8_t)nsegs;
        req.rw.handle = (blkif_vdev_t)bf->devid;
        req.rw.id = id;
        req.rw.sector_number = sector;
    }
    s->state = SHADOW_INFLIGHT;
    post(bf, &req.rw);
    return 0;
}

int pvfront_blk_queue(struct pvfront_blkfront *bf, int op, uint64_t sector, void *buf,
                      size_t len, void *cookie)
{
    int r = pvfront__blk_usable(bf);

    if (r < 0)
        return r;
    if (op == BLKIF_OP_READ || op == BLKIF_OP_WRITE)
        return queue_rw(bf, op, sector, buf, len, cookie);

    union {
        blkif_request_t rw;
        blkif_request_discard_t discard;
    } req;
    int wire;
    memset(&req, 0, sizeof req);
    if (op == BLKIF_OP_FLUSH_DISKCACHE) {
        /* As Linux: a flush, or a barrier where only that is offered; no segments. */
        if (bf->flush)
            wire = BLKIF_OP_FLUSH_DISKCACHE;
        else if (bf->barrier)
            wire = BLKIF_OP_WRITE_BARRIER;
        else
            return -XEN_EOPNOTSUPP;
        len = 0;
        buf = NULL;
    } else if (op == BLKIF_OP_DISCARD) {
        if (!bf->discard)
            return -XEN_EOPNOTSUPP;
        uint64_t n = len / PVFRONT_BLK_SECTOR;
        if (len == 0 || len % PVFRONT_BLK_SECTOR || sector > bf->sectors ||
            n > bf->sectors - sector)
            return -XEN_EINVAL;
        wire = BLKIF_OP_DISCARD;
        buf = NULL;
    } else {
        return -XEN_EINVAL;
    }
    uint32_t id;
    struct pvfront_blk_shadow *s = shadow_get(bf, &id);
    if (!s) {
        bf->stats.busy++;
        return -XEN_EAGAIN;
    }
    shadow_start(s, cookie, op, wire, buf, 0);
    if (wire == BLKIF_OP_DISCARD) {
        req.discard.operation = BLKIF_OP_DISCARD;
        req.discard.flag = 0;
        req.discard.handle = (blkif_vdev_t)bf->devid;
        req.discard.id = id;
        req.discard.sector_number = sector;
        req.discard.nr_sectors = len / PVFRONT_BLK_SECTOR;
    } else {
        req.rw.operation = (uint8_t)wire;
        req.rw.nr_segments = 0;
        req.rw.handle = (blkif_vdev_t)bf->devid;
        req.rw.id = id;
        req.rw.sector_number = 0;
    }
    s->state = SHADOW_INFLIGHT;
    post(bf, &req.rw);
    return 0;
}

int pvfront_blk_queue_raw(struct pvfront_blkfront *bf, const blkif_request_t *req, void *cookie)
{
    int r = pvfront__blk_usable(bf);
    uint32_t id;

    if (r < 0)
        return r;
    struct pvfront_blk_shadow *s = shadow_get(bf, &id);
    if (!s) {
        bf->stats.busy++;
        return -XEN_EAGAIN;
    }
    shadow_start(s, cookie, req->operation, req->operation, NULL, 0);
    s->raw = 1;
    s->state = SHADOW_INFLIGHT;
    blkif_request_t copy = *req;
    copy.id = id;
    post(bf, &copy);
    return 0;
}

int pvfront_blk_kick(struct pvfront_blkfront *bf)
{
    int notify, r = pvfront__blk_usable(bf);

    if (r < 0)
        return r;
    if (!bf->queued)
        return 0;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->ring, notify);
    bf->queued = 0;
    bf->stats.pushes++;
    if (!notify)
        return 0;
    bf->stats.notifies++;
    r = pvfront_evtchn_send(bf->port);
    return r < 0 ? r : 1;
}

int pvfront_blk_submit(struct pvfront_blkfront *bf, int op, uint64_t sector, void *buf,
                       size_t len, void *cookie)
{
    int r = pvfront_blk_queue(bf, op, sector, buf, len, cookie);

    if (r == 0)
        pvfront_blk_kick(bf);
    return r;
}

unsigned int pvfront_blk_inflight(const struct pvfront_blkfront *bf)
{
    return bf->connected ? bf->inflight : 0;
}

/* ---- completions ---- */

static int broke(struct pvfront_blkfront *bf)
{
    bf->broken = 1;
    bf->stats.bad_responses++;
    return -XEN_EIO;
}

/* Finish the request a response names; -XEN_EIO if the response is a lie. */
static int complete(struct pvfront_blkfront *bf, const blkif_response_t *rsp,
                    struct pvfront_blk_done *d)
{
    uint64_t id = rsp->id;

    if (id >= bf->ring_size)
        return broke(bf);
    struct pvfront_blk_shadow *s = pvfront__blk_shadow(bf, (uint32_t)id);
    if (s->state != SHADOW_INFLIGHT)
        return broke(bf);
    /* Linux's check: the response carries the operation (an indirect one's inner op). */
    if (!s->raw && rsp->operation != s->wire_op)
        return broke(bf);

    int16_t st = rsp->status;
    if (st != BLKIF_RSP_OKAY && st != BLKIF_RSP_EOPNOTSUPP)
        st = BLKIF_RSP_ERROR;
    if (st != BLKIF_RSP_OKAY)
        bf->stats.errors++;
    /* As Linux: a feature the backend turns out not to support is dropped. */
    if (st == BLKIF_RSP_EOPNOTSUPP && !s->raw) {
        if (s->wire_op == BLKIF_OP_FLUSH_DISKCACHE)
            bf->flush = 0;
        else if (s->wire_op == BLKIF_OP_WRITE_BARRIER)
            bf->barrier = 0;
        else if (s->wire_op == BLKIF_OP_DISCARD)
            bf->discard = 0;
    }

    if (bf->persistent) {
        if (st == BLKIF_RSP_OKAY && s->op == BLKIF_OP_READ && !s->raw) {
            for (unsigned int i = 0; i < s->nsegs; i++) {
                size_t off = (size_t)i * PAGE, c = s->len - off < PAGE ? s->len - off : PAGE;
                memcpy(s->buf + off, pvfront__blk_pool_page(bf, s->g[i].pool), c);
            }
        }
        for (unsigned int j = 0; j < s->nr_g; j++)
            pool_put(bf, s->g[j].pool);
    } else {
        /*
         * The backend must have unmapped everything before answering; a
         * grant it still holds is a broken backend (Linux, XSA-396). Such
         * a pool page is never reused.
         */
        int held = 0;
        for (unsigned int j = 0; j < s->nr_g; j++) {
            if (revoke(&s->g[j].ref)) {
                held = 1;
                bf->stats.leaked_grants++;
                continue;
            }
            if (s->g[j].pool != POOL_NONE)
                pool_put(bf, s->g[j].pool);
        }
        if (held) {
            st = BLKIF_RSP_ERROR;
            bf->broken = 1;
        }
    }

    d->cookie = s->cookie;
    d->op = s->op;
    d->_pad = 0;
    d->status = st;
    d->bytes = (s->op == BLKIF_OP_READ || s->op == BLKIF_OP_WRITE) ? s->len : 0;
    bf->inflight--;
    bf->stats.responses++;
    shadow_put(bf, (uint32_t)id);
    return 0;
}

int pvfront_blk_poll(struct pvfront_blkfront *bf, struct pvfront_blk_done *done,
                     unsigned int max)
{
    int r = pvfront__blk_usable(bf);
    unsigned int n = 0;

    if (r < 0)
        return r;
    if (bf->queued)
        pvfront_blk_kick(bf);
    while (n < max) {
        RING_IDX rp = PVHV_RING_READ_IDX(bf->ring.sring->rsp_prod);
        xen_rmb(); /* the index before the slots it covers */
        if (RING_RESPONSE_PROD_OVERFLOW(&bf->ring, rp) ||
            (RING_IDX)(rp - bf->ring.rsp_cons) > (RING_IDX)(bf->ring.req_prod_pvt - bf->ring.rsp_cons))
            return broke(bf);
        while (bf->ring.rsp_cons != rp && n < max) {
            blkif_response_t rsp;
            RING_COPY_RESPONSE(&bf->ring, bf->ring.rsp_cons, &rsp);
            bf->ring.rsp_cons++;
            if (complete(bf, &rsp, &done[n]) < 0)
                return -XEN_EIO;
            n++;
        }
        if (bf->ring.rsp_cons != rp)
            break;
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
        if (!more)
            break;
    }
    return (int)n;
}

int pvfront_blk_wait(struct pvfront_blkfront *bf, uint64_t timeout_ns)
{
    int r = pvfront__blk_usable(bf);

    if (r < 0)
        return r;
    if (bf->queued)
        pvfront_blk_kick(bf);
    if (!bf->inflight)
        return -XEN_ENOENT;
    uint64_t now = pvfront_time_ns();
    uint64_t deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
    for (;;) {
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
        if (more)
            return 0;
        now = pvfront_time_ns();
        if (now >= deadline)
            return -XEN_ETIMEDOUT;
        bf->stats.waits++;
        r = pvfront_evtchn_wait(bf->port, deadline - now);
        if (r < 0 && r != -XEN_ETIMEDOUT)
            return r;
    }
}
