/* blkreq.c: decoding and checking blkif requests (see blkreq.h). */
#include <errno.h>
#include <string.h>

#include "blkreq.h"

bool blkreq_range_ok(uint64_t sector, uint64_t count, uint64_t disk_sectors)
{
    return sector <= disk_sectors && count <= disk_sectors - sector;
}

int blkreq_check_segs(const struct blkreq_seg *seg, unsigned n, uint64_t sector,
                      uint64_t disk_sectors, uint64_t *nr_sectors)
{
    uint64_t total = 0;

    for (unsigned i = 0; i < n; i++) {
        if (seg[i].first_sect > seg[i].last_sect ||
            seg[i].last_sect >= BLKREQ_SECTORS_PER_PAGE)
            return -EINVAL;
        total += (uint64_t)(seg[i].last_sect - seg[i].first_sect + 1);
    }
    if (!blkreq_range_ok(sector, total, disk_sectors))
        return -ERANGE;
    *nr_sectors = total;
    return 0;
}

bool blkreq_writes(const struct blkreq *r)
{
    switch (r->kind) {
    case BLKREQ_WRITE:
    case BLKREQ_DISCARD:
        return true;
    case BLKREQ_FLUSH:
    case BLKREQ_BARRIER:
        return r->nseg > 0;
    case BLKREQ_READ:
        break;
    }
    return false;
}

static void take_segs(struct blkreq *out, const struct blkif_request *rq)
{
    for (unsigned i = 0; i < out->nseg; i++) {
        out->seg[i].gref = rq->seg[i].gref;
        out->seg[i].first_sect = rq->seg[i].first_sect;
        out->seg[i].last_sect = rq->seg[i].last_sect;
    }
}

/* READ, WRITE, FLUSH_DISKCACHE, WRITE_BARRIER: the plain layout. */
static int decode_rw(const struct blkif_request *rq, const struct blkreq_disk *disk,
                     struct blkreq *out)
{
    unsigned min = (out->kind == BLKREQ_READ || out->kind == BLKREQ_WRITE) ? 1 : 0;

    out->sector = rq->sector_number;
    out->nseg = rq->nr_segments;
    if (out->nseg < min || out->nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return -EINVAL;
    take_segs(out, rq);
    if (out->nseg == 0)
        return 0; /* a flush or barrier without data: no sectors to check */
    int r = blkreq_check_segs(out->seg, out->nseg, out->sector, disk->sectors, &out->nr_sectors);
    if (r < 0)
        return r;
    return blkreq_writes(out) && disk->readonly ? -EROFS : 0;
}

static int decode_indirect(const struct blkif_request_indirect *ind,
                           const struct blkreq_disk *disk, struct blkreq *out)
{
    out->rsp_op = ind->indirect_op;
    if (disk->max_indirect == 0)
        return -EOPNOTSUPP;
    if (ind->indirect_op == BLKIF_OP_READ)
        out->kind = BLKREQ_READ;
    else if (ind->indirect_op == BLKIF_OP_WRITE)
        out->kind = BLKREQ_WRITE;
    else
        return -EINVAL;
    out->indirect = true;
    out->sector = ind->sector_number;
    out->nseg = ind->nr_segments;
    if (out->nseg == 0 || out->nseg > disk->max_indirect)
        return -EINVAL;
    out->nr_indirect_pages =
        (unsigned)((out->nseg + BLKREQ_SEGS_PER_PAGE - 1) / BLKREQ_SEGS_PER_PAGE);
    if (out->nr_indirect_pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
        return -EINVAL;
    for (unsigned i = 0; i < out->nr_indirect_pages; i++)
        out->indirect_grefs[i] = ind->indirect_grefs[i];
    /* A sector number past the end is refused now; the full range once
     * the segments are known. */
    if (out->sector >= disk->sectors)
        return -ERANGE;
    return out->kind == BLKREQ_WRITE && disk->readonly ? -EROFS : 0;
}

static int decode_discard(const struct blkif_request_discard *dq,
                          const struct blkreq_disk *disk, struct blkreq *out)
{
    out->sector = dq->sector_number;
    out->nr_sectors = dq->nr_sectors;
    out->secure = dq->flag & BLKIF_DISCARD_SECURE;
    if (disk->readonly)
        return -EROFS;
    if (!disk->discard)
        return -EOPNOTSUPP;
    if (!blkreq_range_ok(out->sector, out->nr_sectors, disk->sectors))
        return -ERANGE;
    return 0;
}

int blkreq_decode(const union blkreq_raw *raw, const struct blkreq_disk *disk,
                  struct blkreq *out)
{
    memset(out, 0, sizeof(*out));
    out->id = raw->rw.id;
    out->rsp_op = raw->rw.operation;
    switch (raw->rw.operation) {
    case BLKIF_OP_READ:
        out->kind = BLKREQ_READ;
        return decode_rw(&raw->rw, disk, out);
    case BLKIF_OP_WRITE:
        out->kind = BLKREQ_WRITE;
        return decode_rw(&raw->rw, disk, out);
    case BLKIF_OP_FLUSH_DISKCACHE:
        out->kind = BLKREQ_FLUSH;
        return decode_rw(&raw->rw, disk, out);
    case BLKIF_OP_WRITE_BARRIER:
        out->kind = BLKREQ_BARRIER;
        return decode_rw(&raw->rw, disk, out);
    case BLKIF_OP_DISCARD:
        out->kind = BLKREQ_DISCARD;
        return decode_discard(&raw->discard, disk, out);
    case BLKIF_OP_INDIRECT:
        return decode_indirect(&raw->indirect, disk, out);
    default:
        return -EOPNOTSUPP;
    }
}

int16_t blkreq_status(int err)
{
    if (err == 0)
        return BLKIF_RSP_OKAY;
    return err == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR;
}
