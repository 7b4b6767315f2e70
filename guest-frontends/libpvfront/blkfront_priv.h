/* blkfront_priv.h: what blkfront.c (the data path), blkfront_sync.c (the synchronous helpers) and blkfront_xenbus.c (the handshake) share. */
#ifndef PVFRONT_BLKFRONT_PRIV_H
#define PVFRONT_BLKFRONT_PRIV_H

#include <pvfront/blkfront.h>

#include "internal.h"

#define PAGE XEN_PAGE_SIZE
#define GREF_NONE UINT32_MAX
#define POOL_NONE UINT32_MAX

/* A shadow's state. */
#define SHADOW_FREE 0
#define SHADOW_INFLIGHT 1

/*
 * One ring slot's request, as Linux's blk_shadow: what to undo when its
 * response comes. g[0..nsegs-1] are the data segments, g[nsegs..nr_g-1]
 * the indirect pages. Each grant is a ref and, if it is a pool page, the
 * page's index (POOL_NONE: a page of the caller's buffer).
 */
struct pvfront_blk_shadow {
    void *cookie;
    uint8_t *buf;
    uint32_t len;
    uint32_t next_free; /* the free list, through the slot index */
    uint8_t state;      /* SHADOW_* */
    uint8_t op;         /* as queued (reported back) */
    uint8_t wire_op;    /* the operation the response must carry */
    uint8_t raw;        /* queued raw: any response operation is taken */
    uint16_t nsegs;
    uint16_t nr_g;
    struct {
        uint32_t ref;
        uint32_t pool;
    } g[];
};

/* Indirect pages a request of nsegs segments needs (0 if it fits its slot). */
static inline unsigned int pvfront__blk_ind_pages(unsigned int nsegs)
{
    if (nsegs <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return 0;
    return (nsegs + (unsigned int)PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE - 1) /
           (unsigned int)PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE;
}

/* Pool pages one largest request may take (persistent mode: data and indirect pages). */
static inline unsigned int pvfront__blk_min_pool(unsigned int segs)
{
    return segs + pvfront__blk_ind_pages(segs);
}

/* Calls on the device: -XEN_ENOTCONN before connect, -XEN_EIO once broken, else 0. */
static inline int pvfront__blk_usable(const struct pvfront_blkfront *bf)
{
    if (!bf->connected)
        return -XEN_ENOTCONN;
    return bf->broken ? -XEN_EIO : 0;
}

static inline struct pvfront_blk_shadow *pvfront__blk_shadow(const struct pvfront_blkfront *bf,
                                                             uint32_t i)
{
    return (struct pvfront_blk_shadow *)(bf->shadow + (size_t)i * bf->shadow_stride);
}

static inline uint8_t *pvfront__blk_pool_page(const struct pvfront_blkfront *bf, uint32_t i)
{
    return bf->pool + (size_t)i * PAGE;
}

/*
 * blkfront.c: lay out the meta and the pool after the ring pages for
 * requests of up to bf->segs_per_req segments (the ring is set up):
 * shadow free list, pool free stack. Returns 0 or -XEN_ENOMEM (below the
 * minimum pool).
 */
int pvfront__blk_layout(struct pvfront_blkfront *bf, unsigned int pool_cap);

/*
 * blkfront.c: revoke every grant still held (ring, pool, requests in
 * flight), once. Returns how many are still mapped by the backend.
 */
unsigned int pvfront__blk_revoke_all(struct pvfront_blkfront *bf);

#endif /* PVFRONT_BLKFRONT_PRIV_H */
