/* grants.c: reaching the guest's pages.
 *
 * - The ring: its 2^order pages mapped read-write for the connection's life.
 * - Persistent grants (both ends said feature-persistent): each data page
 *   the frontend grants is mapped once, the first time a request names it,
 *   and kept (at most --max-pgrants per device, 8192 by default);
 *   io_uring then reads and writes straight into those mappings. A
 *   batch's new grants are mapped with as few calls as pvhv allows
 *   (PVHV_GNTTAB_MAP_MAX a call), so a frontend's working set is mapped
 *   in its first batch rather than copied over many.
 * - Everything else (no persistent grants, a full table, a grant that
 *   cannot be mapped writable): bounce buffers, filled or emptied with
 *   grant copies, one call for all the segments of a batch.
 *
 * Measured with bench/evtchn_bench on the lab machine: a dom0 map+unmap of
 * one page costs ~56 us, of 64 pages ~940 us; a grant copy of 4 KiB ~31 us,
 * of 64 KiB in one call ~220 us (~14 us a page). So without persistent
 * grants, copying a batch in one call is cheaper than mapping and unmapping
 * per request, and the data never has to stay mapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <pvhv/grant_table.h>

#include "log.h"
#include "pvblkback.h"
#include "pvctrl.h"

/* A table entry for a grant that could not be mapped writable (refused):
 * it goes through bounce buffers, and is not tried again until the table
 * is next rebuilt. */
#define PG_NOMAP ((uint8_t *)1)
/* A mapped region unused for this long may be unmapped to make room (as
 * Linux's blkback purges persistent grants unused for 100 ms). */
#define PG_COLD_MS 100.0

/* Pages mapped by one call, unmapped together. */
struct pg_region {
    struct pg_region *next;
    uint8_t *addr;
    uint32_t count;
    uint32_t inuse;   /* segments of requests in flight on its pages */
    double last_use;  /* bb_now_ms() of the last batch that used it */
    uint32_t grefs[]; /* page i (at addr + i pages) is grefs[i] */
};

struct pg_slot {
    uint32_t gref;
    uint8_t *addr;          /* NULL: empty; PG_NOMAP: refused */
    struct pg_region *reg;  /* NULL for PG_NOMAP */
};

struct pgrants {
    unsigned max;           /* entries at most (--max-pgrants) */
    unsigned count;         /* entries, PG_NOMAP ones included */
    struct pg_region *regions;
    unsigned mask;          /* slots - 1: a power of two, at least twice max */
    struct pg_slot slots[];
};

static unsigned pg_hash(const struct pgrants *pg, uint32_t g)
{
    return (g * 2654435761u) & pg->mask;
}

static struct pg_slot *pg_find(struct pgrants *pg, uint32_t gref)
{
    for (unsigned i = pg_hash(pg, gref), n = 0; n <= pg->mask; i = (i + 1) & pg->mask, n++) {
        if (!pg->slots[i].addr)
            return NULL;
        if (pg->slots[i].gref == gref)
            return &pg->slots[i];
    }
    return NULL;
}

static uint8_t *pg_lookup(struct pgrants *pg, uint32_t gref)
{
    struct pg_slot *sl = pg_find(pg, gref);

    return sl ? sl->addr : NULL;
}

/* The table never holds more than max < slots entries, so a free slot is
 * always found. */
static void pg_insert(struct pgrants *pg, uint32_t gref, uint8_t *addr, struct pg_region *reg)
{
    unsigned i = pg_hash(pg, gref);

    while (pg->slots[i].addr)
        i = (i + 1) & pg->mask;
    pg->slots[i] = (struct pg_slot){ .gref = gref, .addr = addr, .reg = reg };
    pg->count++;
}

/* Rebuild the hash from the regions (after some were unmapped; the
 * refused-grant entries are forgotten, to be tried again). */
static void pg_rebuild(struct pgrants *pg)
{
    memset(pg->slots, 0, sizeof(pg->slots[0]) * (pg->mask + 1));
    pg->count = 0;
    for (struct pg_region *r = pg->regions; r; r = r->next)
        for (uint32_t i = 0; i < r->count; i++)
            pg_insert(pg, r->grefs[i], r->addr + (size_t)i * XEN_PAGE_SIZE, r);
}

static void region_unmap(struct blkback *bb, struct pg_region *r)
{
    if (bb->host.gnttab)
        pvctrl_gnttab_unmap(bb->host.gnttab, r->addr, r->count);
    free(r);
}

int grants_pg_init(struct vbd *v, unsigned max)
{
    unsigned slots = 64;

    while (slots < 2 * max)
        slots *= 2;
    v->pg = calloc(1, sizeof(*v->pg) + slots * sizeof(struct pg_slot));
    if (!v->pg)
        return -ENOMEM;
    v->pg->max = max;
    v->pg->mask = slots - 1;
    return 0;
}

void grants_pg_free(struct blkback *bb, struct vbd *v)
{
    if (!v->pg)
        return;
    while (v->pg->regions) {
        struct pg_region *r = v->pg->regions;
        v->pg->regions = r->next;
        region_unmap(bb, r);
    }
    free(v->pg);
    v->pg = NULL;
}

/* Unmap cold regions (nothing in flight on them, unused for PG_COLD_MS),
 * the least recently used first, until `want` more entries fit. */
static void pg_evict(struct blkback *bb, struct vbd *v, unsigned want, double now)
{
    struct pgrants *pg = v->pg;
    unsigned freed = 0;

    while (pg->max - pg->count + freed < want) {
        struct pg_region **victim = NULL;
        for (struct pg_region **p = &pg->regions; *p; p = &(*p)->next)
            if ((*p)->inuse == 0 && now - (*p)->last_use >= PG_COLD_MS &&
                (!victim || (*p)->last_use < (*victim)->last_use))
                victim = p;
        if (!victim)
            break;
        struct pg_region *r = *victim;
        *victim = r->next;
        freed += r->count;
        v->n_evicted += r->count;
        region_unmap(bb, r);
    }
    if (freed)
        pg_rebuild(pg);
}

/* Map grefs[0..n) (none mapped yet, no duplicates) persistently with one
 * call. 0 or -errno (then none is mapped). */
static int pg_map(struct blkback *bb, struct vbd *v, const uint32_t *grefs, unsigned n,
                  double now)
{
    struct pg_region *reg;

    if (!bb->host.gnttab)
        return -ENOTCONN;
    reg = calloc(1, sizeof(*reg) + n * sizeof(uint32_t));
    if (!reg)
        return -ENOMEM;
    v->n_map_calls++;
    uint8_t *addr = pvctrl_gnttab_map_grant_refs(bb->host.gnttab, n, v->domid, grefs,
                                                 PROT_READ | PROT_WRITE);
    if (!addr) {
        int e = errno;
        free(reg);
        return -e;
    }
    reg->addr = addr;
    reg->count = n;
    reg->last_use = now;
    memcpy(reg->grefs, grefs, n * sizeof(uint32_t));
    reg->next = v->pg->regions;
    v->pg->regions = reg;
    for (unsigned i = 0; i < n; i++)
        pg_insert(v->pg, grefs[i], addr + (size_t)i * XEN_PAGE_SIZE, reg);
    return 0;
}

int grants_map_ring(struct blkback *bb, struct vbd *v, const uint32_t *refs, unsigned n)
{
    if (!bb->host.gnttab)
        return -ENOTCONN;
    void *addr = pvctrl_gnttab_map_grant_refs(bb->host.gnttab, n, v->domid, refs,
                                              PROT_READ | PROT_WRITE);
    if (!addr)
        return -errno;
    v->ring_addr = addr;
    v->ring_pages = n;
    return 0;
}

void grants_unmap_ring(struct blkback *bb, struct vbd *v)
{
    if (!v->ring_addr)
        return;
    if (bb->host.gnttab) {
        int r = pvctrl_gnttab_unmap(bb->host.gnttab, v->ring_addr, v->ring_pages);
        if (r < 0)
            log_debug("vbd %u/%u: unmapping the ring: %s", v->domid, v->devid, strerror(-r));
    }
    v->ring_addr = NULL;
    v->ring_pages = 0;
}

/* Run `n` grant copies for v, in calls of at most PVHV_GNTTAB_MAP_MAX. A
 * call that fails marks all its ops failed. */
static void run_copies(struct blkback *bb, struct vbd *v, struct gnttab_copy *ops, size_t n)
{
    for (size_t done = 0; done < n;) {
        v->n_copy_calls++;
        uint32_t k = (uint32_t)(n - done < PVHV_GNTTAB_MAP_MAX ? n - done : PVHV_GNTTAB_MAP_MAX);
        int r = bb->host.gnttab ? pvctrl_gnttab_grant_copy(bb->host.gnttab, k, ops + done) : -ENOTCONN;
        if (r < 0)
            for (uint32_t i = 0; i < k; i++)
                ops[done + i].status = GNTST_general_error;
        done += k;
    }
}

int grants_fetch_indirect(struct blkback *bb, struct vbd *v, struct breq *q)
{
    static struct blkif_request_segment page[BLKREQ_SEGS_PER_PAGE];
    unsigned n = q->r.nseg;

    for (unsigned p = 0; p < q->r.nr_indirect_pages; p++) {
        uint32_t gref = q->r.indirect_grefs[p];
        unsigned cnt = n - p * (unsigned)BLKREQ_SEGS_PER_PAGE;
        if (cnt > BLKREQ_SEGS_PER_PAGE)
            cnt = BLKREQ_SEGS_PER_PAGE;
        size_t bytes = cnt * sizeof(page[0]);
        uint8_t *src = NULL;

        if (v->pg) {
            double now = bb_now_ms();
            if (!pg_lookup(v->pg, gref)) {
                pg_evict(bb, v, 1, now);
                if (v->pg->count < v->pg->max) {
                    int r = pg_map(bb, v, &gref, 1, now);
                    if (r == -EPERM || r == -EINVAL)
                        pg_insert(v->pg, gref, PG_NOMAP, NULL);
                }
            }
            struct pg_slot *sl = pg_find(v->pg, gref);
            if (sl && sl->reg) {
                src = sl->addr;
                sl->reg->last_use = now;
            }
        }
        if (src) {
            /* Copied once into our memory: the guest may change its page. */
            memcpy(page, src, bytes);
        } else {
            struct gnttab_copy op = {
                .source = { .u.ref = gref, .domid = (domid_t)v->domid },
                .dest = { .u.gmfn = (uintptr_t)page },
                .len = (uint16_t)bytes,
                .flags = GNTCOPY_source_gref,
            };
            run_copies(bb, v, &op, 1);
            if (op.status != GNTST_okay)
                return -EFAULT;
        }
        for (unsigned i = 0; i < cnt; i++) {
            struct blkreq_seg *s = &q->segs[p * BLKREQ_SEGS_PER_PAGE + i];
            s->gref = page[i].gref;
            s->first_sect = page[i].first_sect;
            s->last_sect = page[i].last_sect;
        }
    }
    return 0;
}

static bool copied(const struct breq *q, unsigned i)
{
    return q->copy_mask[i / 64] & (1ull << (i % 64));
}

static size_t seg_len(const struct blkreq_seg *s)
{
    return (size_t)(s->last_sect - s->first_sect + 1) * 512;
}

/* Map grefs[0..n) (none mapped yet) in calls of at most
 * PVHV_GNTTAB_MAP_MAX. A call refused for a bad grant is retried one by
 * one, so the good ones become persistent; a refused one is remembered and
 * goes through grant copies (which fail its request if it is bad). */
static void pg_map_all(struct blkback *bb, struct vbd *v, const uint32_t *grefs, unsigned n,
                       double now)
{
    for (unsigned done = 0; done < n;) {
        unsigned k = n - done < PVHV_GNTTAB_MAP_MAX ? n - done : PVHV_GNTTAB_MAP_MAX;
        int r = pg_map(bb, v, grefs + done, k, now);
        for (unsigned i = 0; (r == -EPERM || r == -EINVAL) && i < k; i++) {
            int r1 = k > 1 ? pg_map(bb, v, &grefs[done + i], 1, now) : r;
            if (r1 == -EPERM || r1 == -EINVAL)
                pg_insert(v->pg, grefs[done + i], PG_NOMAP, NULL);
        }
        if (r < 0 && r != -EPERM && r != -EINVAL)
            return; /* pvhv cannot map more now: the rest is copied */
        done += k;
    }
}

static int cmp_gref(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* With persistent grants: map the batch's grants that are not mapped yet,
 * making room by unmapping cold regions if needed. */
static void map_new_grants(struct blkback *bb, struct vbd *v, struct breq *batch, double now)
{
    static uint32_t want[BB_PGRANTS_LIMIT];
    unsigned n = 0, max = v->pg->max;

    for (struct breq *q = batch; q && n < max; q = q->next) {
        if (q->err)
            continue;
        for (unsigned i = 0; i < q->r.nseg && n < max; i++)
            if (!pg_lookup(v->pg, q->segs[i].gref))
                want[n++] = q->segs[i].gref;
    }
    /* Pages named twice in the batch are mapped once. */
    qsort(want, n, sizeof(want[0]), cmp_gref);
    unsigned u = 0;
    for (unsigned i = 0; i < n; i++)
        if (u == 0 || want[u - 1] != want[i])
            want[u++] = want[i];
    n = u;
    if (n == 0)
        return;
    if (max - v->pg->count < n)
        pg_evict(bb, v, n, now);
    if (max - v->pg->count < n)
        n = max - v->pg->count; /* the rest is copied */
    if (n)
        pg_map_all(bb, v, want, n, now);
}

void grants_prepare(struct blkback *bb, struct vbd *v, struct breq *batch)
{
    size_t nops = 0;
    double now = v->pg ? bb_now_ms() : 0;

    if (v->pg)
        map_new_grants(bb, v, batch, now);
    /* Point every segment at its page: a persistent mapping or a bounce page. */
    for (struct breq *q = batch; q; q = q->next) {
        unsigned nseg = q->r.nseg;
        if (q->err || nseg == 0)
            continue;
        q->pinned = v->pg != NULL; /* grants_release drops the region refs */
        for (unsigned i = 0; i < nseg; i++) {
            struct pg_slot *sl = v->pg ? pg_find(v->pg, q->segs[i].gref) : NULL;
            if (sl && sl->reg) {
                q->iov[i].iov_base = sl->addr + q->segs[i].first_sect * 512;
                q->iov[i].iov_len = seg_len(&q->segs[i]);
                sl->reg->inuse++;
                sl->reg->last_use = now;
                v->n_seg_mapped++;
            } else {
                v->n_seg_copied++;
                q->copy_mask[i / 64] |= 1ull << (i % 64);
                q->ncopy++;
            }
        }
        if (!q->ncopy)
            continue;
        void *buf = NULL;
        size_t len = (size_t)nseg * XEN_PAGE_SIZE;
        if (posix_memalign(&buf, XEN_PAGE_SIZE, len) != 0) {
            q->err = -ENOMEM;
            continue;
        }
        q->bounce = buf;
        q->bounce_len = len;
        v->bounce_bytes += len;
        for (unsigned i = 0; i < nseg; i++) {
            if (!copied(q, i))
                continue;
            q->iov[i].iov_base = q->bounce + (size_t)i * XEN_PAGE_SIZE +
                                 q->segs[i].first_sect * 512;
            q->iov[i].iov_len = seg_len(&q->segs[i]);
        }
        if (q->r.kind != BLKREQ_READ)
            nops += q->ncopy;
    }
    if (nops == 0)
        return;
    /* Writes: fill the bounce pages from the guest, one call for the batch. */
    struct gnttab_copy *ops = calloc(nops, sizeof(*ops));
    struct breq **owner = calloc(nops, sizeof(*owner));
    if (!ops || !owner) {
        free(ops);
        free(owner);
        for (struct breq *q = batch; q; q = q->next)
            if (!q->err && q->ncopy && q->r.kind != BLKREQ_READ)
                q->err = -ENOMEM;
        return;
    }
    size_t k = 0;
    for (struct breq *q = batch; q; q = q->next) {
        if (q->err || !q->ncopy || q->r.kind == BLKREQ_READ)
            continue;
        for (unsigned i = 0; i < q->r.nseg; i++) {
            if (!copied(q, i))
                continue;
            ops[k] = (struct gnttab_copy){
                .source = { .u.ref = q->segs[i].gref, .domid = (domid_t)v->domid,
                            .offset = (uint16_t)(q->segs[i].first_sect * 512) },
                .dest = { .u.gmfn = (uintptr_t)q->iov[i].iov_base },
                .len = (uint16_t)seg_len(&q->segs[i]),
                .flags = GNTCOPY_source_gref,
            };
            owner[k++] = q;
        }
    }
    run_copies(bb, v, ops, k);
    for (size_t i = 0; i < k; i++)
        if (ops[i].status != GNTST_okay && !owner[i]->err)
            owner[i]->err = ops[i].status == GNTST_permission_denied ? -EPERM : -EFAULT;
    free(ops);
    free(owner);
}

void grants_copy_out(struct blkback *bb, struct vbd *v, struct breq *list)
{
    size_t nops = 0, k = 0;

    for (struct breq *q = list; q; q = q->next)
        if (!q->err && q->r.kind == BLKREQ_READ)
            nops += q->ncopy;
    if (nops == 0)
        return;
    struct gnttab_copy *ops = calloc(nops, sizeof(*ops));
    struct breq **owner = calloc(nops, sizeof(*owner));
    if (!ops || !owner) {
        free(ops);
        free(owner);
        for (struct breq *q = list; q; q = q->next)
            if (!q->err && q->ncopy)
                q->err = -ENOMEM;
        return;
    }
    for (struct breq *q = list; q; q = q->next) {
        if (q->err || q->r.kind != BLKREQ_READ)
            continue;
        for (unsigned i = 0; i < q->r.nseg; i++) {
            if (!copied(q, i))
                continue;
            ops[k] = (struct gnttab_copy){
                .source = { .u.gmfn = (uintptr_t)(q->bounce + (size_t)i * XEN_PAGE_SIZE +
                                                  q->segs[i].first_sect * 512) },
                .dest = { .u.ref = q->segs[i].gref, .domid = (domid_t)v->domid,
                          .offset = (uint16_t)(q->segs[i].first_sect * 512) },
                .len = (uint16_t)seg_len(&q->segs[i]),
                .flags = GNTCOPY_dest_gref,
            };
            owner[k++] = q;
        }
    }
    run_copies(bb, v, ops, k);
    for (size_t i = 0; i < k; i++)
        if (ops[i].status != GNTST_okay && !owner[i]->err)
            owner[i]->err = ops[i].status == GNTST_permission_denied ? -EPERM : -EFAULT;
    free(ops);
    free(owner);
}

void grants_release(struct vbd *v, struct breq *q)
{
    if (q->pinned && v->pg) {
        for (unsigned i = 0; i < q->r.nseg; i++) {
            if (copied(q, i))
                continue;
            struct pg_slot *sl = pg_find(v->pg, q->segs[i].gref);
            if (sl && sl->reg && sl->reg->inuse)
                sl->reg->inuse--;
        }
    }
    q->pinned = false;
    if (!q->bounce)
        return;
    free(q->bounce);
    v->bounce_bytes -= q->bounce_len;
    q->bounce = NULL;
    q->bounce_len = 0;
}
