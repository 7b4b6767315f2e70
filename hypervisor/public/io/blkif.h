/* SPDX-License-Identifier: MIT */
/*
 * io/blkif.h: the PV block protocol (vbd): the xenstore nodes a blkfront
 * and a blkback negotiate with, and the request ring.
 *
 * The frontend (in the guest) posts requests naming granted pages of its
 * memory; the backend (in dom0) reads or writes the disk through them and
 * answers each request with a response. pvhv itself never reads the ring.
 * Declared: all of Xen 4.17's blkif.h (x86_64 layouts).
 *
 * Units: in requests a sector is always 512 bytes (sector_number,
 * first_sect, last_sect, nr_sectors), whatever "sector-size" says. Xen's
 * text lets a frontend that writes feature-large-sector-size = 1 count in
 * "sector-size" units instead; Linux's blkfront and blkback never use
 * that, so this ABI does not either. Linux also counts "sectors" in
 * 512-byte units. A backend should therefore keep sector-size at 512.
 *
 * Xenstore nodes. Frontend directory: /local/domain/<guest>/device/vbd/<n>;
 * backend directory: /local/domain/<backend>/backend/vbd/<guest>/<n>.
 * A node that is absent has its default. Numbers are decimal, booleans
 * "0"/"1". "tools" nodes are written by the toolstack at creation.
 *
 *  node                          by     value (default): meaning
 *  ----------------------------  -----  ---------------------------------
 *  params                        tools  back: what to attach (a path)
 *  type                          tools  back: "phy", "file", ...
 *  mode                          tools  back: "r" or "w"
 *  physical-device               tools  back: "major:minor" of the
 *                                       backing device (hotplug script)
 *  discard-enable                tools  back: 0/1 (1): offer discard if
 *                                       the storage supports it
 *  virtual-device                tools  front: the device number (Xen's
 *                                       vbd numbering); also `handle`
 *  device-type                   tools  front: "disk", "cdrom", ...
 *  trusted                       tools  front: 0/1 (1): 0 means do not
 *                                       trust the backend
 *  feature-flush-cache           back   0/1 (0): BLKIF_OP_FLUSH_DISKCACHE
 *  feature-barrier               back   0/1 (0): BLKIF_OP_WRITE_BARRIER
 *  feature-discard               back   0/1 (0): BLKIF_OP_DISCARD
 *  discard-granularity           back   bytes (sector-size): discard unit
 *  discard-alignment             back   bytes (0): offset of the first
 *                                       whole discard unit
 *  discard-secure                back   0/1 (0): BLKIF_DISCARD_SECURE
 *  feature-max-indirect-segments back   N (absent: no BLKIF_OP_INDIRECT):
 *                                       most segments per indirect request
 *  feature-persistent            both   0/1 (0): the frontend reuses a
 *                                       fixed set of grants, the backend
 *                                       keeps them mapped (writable)
 *  max-ring-page-order           back   N (0): ring may have 2^N pages
 *  ring-page-order               front  N (0): ring has 2^N pages, N <=
 *                                       max-ring-page-order
 *  multi-queue-max-queues        back   N (1): most rings accepted
 *  multi-queue-num-queues        front  N (1): rings used, 1..max
 *  ring-ref                      front  grant ref of a one-page ring
 *  ring-ref%u                    front  ring-ref0.. : grant refs of each
 *                                       page of a multi-page ring
 *  event-channel                 front  port of the ring
 *  protocol                      front  ring ABI ("x86_64-abi", the
 *                                       default and only one here)
 *  feature-large-sector-size     front  0/1 (0): see Units above
 *  sectors                       back   disk size in 512-byte sectors
 *  sector-size                   back   logical block size in bytes: 512
 *                                       (see Units)
 *  physical-sector-size          back   bytes (sector-size)
 *  info                          back   VDISK_* bits
 *
 * Written by the backend before it moves to InitWait (features, limits)
 * or Connected (sectors, sector-size, physical-sector-size, info); by the
 * frontend before Initialised (xenbus.h). With multi-queue-num-queues > 1
 * the frontend writes no top-level ring-ref* / event-channel; it writes
 * them under "queue-0", "queue-1", ... instead. Retired equivalents of
 * the ring size nodes (max-ring-pages, num-ring-pages) are not used.
 *
 * Notifications: conditional on req_event/rsp_event as in ring.h.
 */
#ifndef PVHV_PUBLIC_IO_BLKIF_H
#define PVHV_PUBLIC_IO_BLKIF_H

#include "ring.h"
#include "../grant_table.h" /* grant_ref_t */

/* The `handle` of a request: the vbd's virtual-device number. A macro,
 * as in Xen, so an includer may choose another 16-bit type. */
#ifndef blkif_vdev_t
#define blkif_vdev_t   uint16_t
#endif
/* A sector number: 512-byte units (see Units above). */
#define blkif_sector_t uint64_t

/* ------------------------------------------------------------------------
 * Operations (blkif_request.operation)
 * ------------------------------------------------------------------------ */
#define BLKIF_OP_READ            0 /* read disk into the segments' pages */
#define BLKIF_OP_WRITE           1 /* write the segments' pages to disk */
/* A write that completes only after every earlier write, and before any
 * later one starts. Needs feature-barrier; may still fail EOPNOTSUPP. */
#define BLKIF_OP_WRITE_BARRIER   2
/* Make every completed write stable (flush the disk's volatile cache).
 * Needs feature-flush-cache; may have no segments. */
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_OP_RESERVED_1      4 /* reserved (a vendor's pass-through) */
/* The sectors' contents are no longer needed (ATA trim, SCSI unmap).
 * Uses struct blkif_request_discard. Needs feature-discard. */
#define BLKIF_OP_DISCARD         5
/* A read or write with more segments than fit in the slot: the segments
 * are in separate granted pages. Uses struct blkif_request_indirect.
 * Needs feature-max-indirect-segments. */
#define BLKIF_OP_INDIRECT        6

/* Segments in one direct request (they fill its 112-byte slot). */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
/* Pages of segments in one indirect request. Each page holds
 * XEN_PAGE_SIZE / sizeof(struct blkif_request_segment) = 512 segments. */
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

/* ------------------------------------------------------------------------
 * Requests (frontend writes; the backend must RING_COPY_REQUEST them and
 * check the copy: operation, nr_segments, each segment's sectors)
 * ------------------------------------------------------------------------ */

/* Part of one granted 4 KiB page: sectors first_sect..last_sect of it. */
struct blkif_request_segment {
    grant_ref_t gref;   /* IN: grant of the data page (writable for reads) */
    uint8_t first_sect; /* IN: first 512-byte sector in the page, 0..7 */
    uint8_t last_sect;  /* IN: last one (inclusive), first_sect..7 */
    uint16_t _pad0;     /* zero */
};
PVHV_ABI_SIZE(struct blkif_request_segment, 8);
PVHV_ABI_OFFSET(struct blkif_request_segment, gref, 0);
PVHV_ABI_OFFSET(struct blkif_request_segment, first_sect, 4);
PVHV_ABI_OFFSET(struct blkif_request_segment, last_sect, 5);

/* Every request starts like this; read, write, barrier and flush are
 * exactly this. Data is transferred through the segments in order,
 * starting at sector_number. */
struct blkif_request {
    uint8_t operation;         /* IN: BLKIF_OP_* */
    uint8_t nr_segments;       /* IN: segments used, at most
                                  BLKIF_MAX_SEGMENTS_PER_REQUEST */
    blkif_vdev_t handle;       /* IN: virtual-device (read/write only) */
    uint32_t _pad0;            /* zero */
    uint64_t id;               /* IN: chosen by the frontend, echoed */
    blkif_sector_t sector_number; /* IN: first disk sector (read/write) */
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
                               /* IN: the data pages */
};
typedef struct blkif_request blkif_request_t;
PVHV_ABI_SIZE(struct blkif_request, 112);
PVHV_ABI_OFFSET(struct blkif_request, nr_segments, 1);
PVHV_ABI_OFFSET(struct blkif_request, handle, 2);
PVHV_ABI_OFFSET(struct blkif_request, id, 8);
PVHV_ABI_OFFSET(struct blkif_request, sector_number, 16);
PVHV_ABI_OFFSET(struct blkif_request, seg, 24);

/* BLKIF_OP_DISCARD: same slot, read as this. */
struct blkif_request_discard {
    uint8_t operation;         /* IN: BLKIF_OP_DISCARD */
    uint8_t flag;              /* IN: BLKIF_DISCARD_SECURE or 0 */
    blkif_vdev_t handle;       /* IN: as for read/write */
    uint32_t _pad0;            /* zero */
    uint64_t id;               /* IN: echoed */
    blkif_sector_t sector_number; /* IN: first sector to discard */
    uint64_t nr_sectors;       /* IN: how many, contiguous */
};
/* Make the discarded data unrecoverable (needs discard-secure = 1;
 * ignored otherwise). */
#define BLKIF_DISCARD_SECURE (1 << 0)
typedef struct blkif_request_discard blkif_request_discard_t;
PVHV_ABI_SIZE(struct blkif_request_discard, 32);
PVHV_ABI_OFFSET(struct blkif_request_discard, flag, 1);
PVHV_ABI_OFFSET(struct blkif_request_discard, handle, 2);
PVHV_ABI_OFFSET(struct blkif_request_discard, id, 8);
PVHV_ABI_OFFSET(struct blkif_request_discard, sector_number, 16);
PVHV_ABI_OFFSET(struct blkif_request_discard, nr_sectors, 24);

/*
 * BLKIF_OP_INDIRECT: same slot, read as this. The segments are
 * struct blkif_request_segment arrays filling the pages granted by
 * indirect_grefs[0..n-1], n = ceil(nr_segments / 512); nr_segments is at
 * most feature-max-indirect-segments.
 */
struct blkif_request_indirect {
    uint8_t operation;         /* IN: BLKIF_OP_INDIRECT */
    uint8_t indirect_op;       /* IN: BLKIF_OP_READ or BLKIF_OP_WRITE */
    uint16_t nr_segments;      /* IN: segments in the indirect pages */
    uint32_t _pad0;            /* zero */
    uint64_t id;               /* IN: echoed */
    blkif_sector_t sector_number; /* IN: first disk sector */
    blkif_vdev_t handle;       /* IN: as for read/write */
    uint16_t _pad1;            /* zero */
    grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
                               /* IN: grants of the segment pages */
    uint32_t _pad2;            /* zero; the struct is 64 bytes */
};
typedef struct blkif_request_indirect blkif_request_indirect_t;
PVHV_ABI_SIZE(struct blkif_request_indirect, 64);
PVHV_ABI_OFFSET(struct blkif_request_indirect, indirect_op, 1);
PVHV_ABI_OFFSET(struct blkif_request_indirect, nr_segments, 2);
PVHV_ABI_OFFSET(struct blkif_request_indirect, id, 8);
PVHV_ABI_OFFSET(struct blkif_request_indirect, sector_number, 16);
PVHV_ABI_OFFSET(struct blkif_request_indirect, handle, 24);
PVHV_ABI_OFFSET(struct blkif_request_indirect, indirect_grefs, 28);

/* ------------------------------------------------------------------------
 * Responses (backend writes, one per request, in any order)
 * ------------------------------------------------------------------------ */
struct blkif_response {
    uint64_t id;        /* OUT: the request's id */
    uint8_t operation;  /* OUT: the request's operation */
    uint8_t _pad0;      /* zero */
    int16_t status;     /* OUT: BLKIF_RSP_* */
    uint32_t _pad1;     /* zero */
};
typedef struct blkif_response blkif_response_t;
PVHV_ABI_SIZE(struct blkif_response, 16);
PVHV_ABI_OFFSET(struct blkif_response, operation, 8);
PVHV_ABI_OFFSET(struct blkif_response, status, 10);

/* Status of a response. Padding in a response must be written as zero:
 * the slot is guest memory and must not leak the backend's. */
#define BLKIF_RSP_EOPNOTSUPP (-2) /* operation not supported (barrier,
                                     flush, discard not offered) */
#define BLKIF_RSP_ERROR      (-1) /* failed (an I/O error, a bad request) */
#define BLKIF_RSP_OKAY       0    /* done */

/* ------------------------------------------------------------------------
 * Ring: struct blkif_sring and its views (ring.h). A one-page ring has 32
 * slots; a 2^order-page ring, __RING_SIZE(s, XEN_PAGE_SIZE << order).
 * ------------------------------------------------------------------------ */
DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);
PVHV_ABI_SIZE(union blkif_sring_entry, 112);
PVHV_ABI_SIZE(struct blkif_sring, 176);
_Static_assert(__CONST_RING_SIZE(blkif, XEN_PAGE_SIZE) == 32,
               "a one-page blkif ring has 32 slots");

/* Bits of the backend's "info" node. */
#define VDISK_CDROM     0x1 /* a CD-ROM drive */
#define VDISK_REMOVABLE 0x2 /* removable media */
#define VDISK_READONLY  0x4 /* writes will fail */

#endif /* PVHV_PUBLIC_IO_BLKIF_H */
