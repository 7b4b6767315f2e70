/* blkreq.h: one blkif request, copied out of the shared ring, decoded and
 * checked. No I/O, no grants, no state: the ring code (ring.c) calls these
 * on its private copy, and the tests call them directly.
 *
 * Errors are negative errnos; blkreq_status() turns one into the status a
 * response carries:
 *   -EOPNOTSUPP  an operation this disk does not offer  BLKIF_RSP_EOPNOTSUPP
 *   -EINVAL      a malformed request                    BLKIF_RSP_ERROR
 *   -ERANGE      sectors outside the disk               BLKIF_RSP_ERROR
 *   -EROFS       a write to a read-only disk            BLKIF_RSP_ERROR
 *   anything else (I/O, grants)                         BLKIF_RSP_ERROR
 */
#ifndef PVBLKBACK_BLKREQ_H
#define PVBLKBACK_BLKREQ_H

#include <stdbool.h>
#include <stdint.h>

#include <pvhv/io/blkif.h>

/* Most segments of one indirect request we accept (and advertise as
 * feature-max-indirect-segments): Linux's blkback limit. */
#define BLKREQ_MAX_INDIRECT_SEGS 256
/* Segment descriptors in one indirect page. */
#define BLKREQ_SEGS_PER_PAGE (XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* Sectors (512 bytes) in a page. */
#define BLKREQ_SECTORS_PER_PAGE (XEN_PAGE_SIZE / 512)

/* A ring slot read as each of the request layouts that share it. */
union blkreq_raw {
    struct blkif_request rw;
    struct blkif_request_discard discard;
    struct blkif_request_indirect indirect;
};

/* What a request asks for, once decoded. */
enum blkreq_kind {
    BLKREQ_READ,    /* read sectors into the segments */
    BLKREQ_WRITE,   /* write the segments */
    BLKREQ_FLUSH,   /* write the segments if any, then make writes stable */
    BLKREQ_BARRIER, /* after every earlier request: write (if any), flush */
    BLKREQ_DISCARD, /* forget sectors [sector, sector + nr_sectors) */
};

/* One segment: sectors first_sect..last_sect of granted page gref. */
struct blkreq_seg {
    uint32_t gref;
    uint8_t first_sect;
    uint8_t last_sect;
};

/* A decoded request. */
struct blkreq {
    uint64_t id;           /* echoed in the response */
    uint8_t rsp_op;        /* the response's operation: the request's, or
                              indirect_op for BLKIF_OP_INDIRECT (as Linux) */
    enum blkreq_kind kind;
    uint64_t sector;       /* first disk sector */
    uint64_t nr_sectors;   /* sectors moved or discarded (0 before the
                              segments of an indirect request are checked) */
    unsigned nseg;         /* data segments */
    bool indirect;         /* segments are in the indirect pages below */
    unsigned nr_indirect_pages;
    uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    bool secure;           /* BLKIF_DISCARD_SECURE asked */
    struct blkreq_seg seg[BLKIF_MAX_SEGMENTS_PER_REQUEST]; /* direct ones */
};

/* What the requests are checked against. */
struct blkreq_disk {
    uint64_t sectors;      /* disk size in 512-byte sectors */
    bool readonly;         /* refuse anything that writes */
    bool discard;          /* BLKIF_OP_DISCARD offered */
    unsigned max_indirect; /* feature-max-indirect-segments (0: no indirect) */
};

/*
 * Decode the copy `raw` of one ring slot into *out and check it against
 * `disk`: the operation, the segment count, each direct segment's sectors
 * and the sector range. For an indirect request only the header is checked
 * here (nr_segments against max_indirect, the page count); the caller
 * fetches the segments and calls blkreq_check_segs. out->id and
 * out->rsp_op are set even when the request is refused, so it can be
 * answered. Returns 0 or a negative errno (see the top of this file).
 */
int blkreq_decode(const union blkreq_raw *raw, const struct blkreq_disk *disk,
                  struct blkreq *out);

/*
 * Check `n` segments transferred consecutively from disk sector `sector`:
 * each first_sect <= last_sect < 8, and the whole range inside a disk of
 * `disk_sectors` sectors (without overflow). Sets *nr_sectors to the
 * sectors they cover. 0, -EINVAL (a bad segment) or -ERANGE.
 */
int blkreq_check_segs(const struct blkreq_seg *seg, unsigned n, uint64_t sector,
                      uint64_t disk_sectors, uint64_t *nr_sectors);

/* Is [sector, sector + count) inside a disk of disk_sectors, without
 * overflow? */
bool blkreq_range_ok(uint64_t sector, uint64_t count, uint64_t disk_sectors);

/* The BLKIF_RSP_* status answering a request that ended with `err` (0 or
 * a negative errno). */
int16_t blkreq_status(int err);

/* Does this request write to the disk? (WRITE, DISCARD, and FLUSH or
 * BARRIER carrying data.) */
bool blkreq_writes(const struct blkreq *r);

#endif
