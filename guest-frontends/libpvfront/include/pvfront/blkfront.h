/* blkfront.h: the PV block frontend: Xen's blkif protocol, on the wire as Linux's xen-blkfront. */
#ifndef PVFRONT_BLKFRONT_H
#define PVFRONT_BLKFRONT_H

#include <stddef.h>
#include <stdint.h>
#include <pvhv/event_channel.h>
#include <pvhv/grant_table.h>
#include <pvhv/io/blkif.h>

/*
 * A disk (vbd) the toolstack gave this domain: frontend directory
 * F = /local/domain/<self>/device/vbd/<devid> (backend, backend-id, state,
 * virtual-device, device-type), backend directory B named by F/backend.
 * <pvhv/io/blkif.h> lists every node; <pvhv/io/xenbus.h> the states.
 *
 * The handshake (pvfront_blk_connect), in Linux blkfront's order:
 *   1. if F/state is not Initialising (an earlier connection of this
 *      kernel ended Closed), switch it back to Initialising, as Linux does
 *      to reconnect; the backend answers with InitWait;
 *   2. wait until B/state is InitWait (or Initialised); read
 *      B/max-ring-page-order (absent: 0) and B/feature-persistent;
 *   3. choose the ring order (below), zero the ring pages, grant each to
 *      backend-id read-write, allocate an unbound event channel for it;
 *   4. in one transaction (restarted on a conflict): ring-ref (one page)
 *      or ring-page-order and ring-ref0..ring-ref<2^order - 1>;
 *      event-channel; protocol = "x86_64-abi"; feature-persistent = "1"
 *      (or "0" when the caller or the backend refuses it);
 *   5. F/state = Initialised; wait until B/state is Connected;
 *   6. read B/sectors (required), sector-size (512 if absent), info,
 *      feature-flush-cache, feature-barrier, feature-discard,
 *      feature-persistent, feature-max-indirect-segments; grant the pool
 *      (persistent mode); F/state = Connected.
 * Disconnect (pvfront_blk_disconnect): wait for requests in flight,
 * F/state = Closing, wait until B/state >= Closing, F/state = Closed, wait
 * until B/state is Closed (the backend has unmapped everything), revoke
 * every grant, close the event channel.
 *
 * The data path. One blkif request per pvfront_blk_queue: a read or write
 * of a buffer (its bytes a multiple of 512, the buffer 512-byte aligned),
 * a flush, or a discard. Requests are filled into the ring without being
 * published; pvfront_blk_kick publishes them all at once
 * (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY) and sends an event only if the
 * backend asked for one. pvfront_blk_poll takes responses
 * (RING_FINAL_CHECK_FOR_RESPONSES when it runs dry, which asks for an event
 * on the next response) and pvfront_blk_wait sleeps on the event channel
 * until there are some. Up to ring_size requests are in flight.
 *
 * Segments. A request carries up to 11 segments in its slot (44 KiB); with
 * a backend that offers feature-max-indirect-segments (> 11), larger ones
 * become BLKIF_OP_INDIRECT requests whose segments sit in granted indirect
 * pages (512 segments a page), up to segs_per_req segments.
 *
 * Grants, as Linux. Persistent mode (both sides wrote feature-persistent =
 * 1): a fixed pool of pages in the caller's memory is granted once at
 * connect; every data segment and indirect page uses pool pages, data is
 * copied into them before a write and out of them after a read, and the
 * backend may keep them mapped. Otherwise each request grants the
 * caller's own buffer pages (no copy) and the pool's pages it uses as
 * indirect pages, and revokes them when the response comes; a grant the
 * backend still holds then is a broken backend (below).
 *
 * Memory: the caller gives one page-aligned region, laid out as
 *   ring:   4096 << ring_order bytes (the shared ring pages);
 *   meta:   ring_size * pvfront_blk_shadow_bytes(segs) + 8 * pool
 *           bytes, rounded up to a page (per-request bookkeeping, the
 *           pool's grant refs and free list; segs = segs_per_req);
 *   pool:   4096 * pool bytes (persistent pages and indirect pages).
 * pvfront_blk_mem_size(order, max_segs, pool) is exactly that sum.
 * ring_size = 32 << ring_order (32, 64, 128, 256, 512 slots). At connect,
 * with max_segs = config max_segs (default 256): ring order = the largest
 * <= min(log2 config max_ring_pages, B/max-ring-page-order) for which the
 * region holds the ring, the meta and a minimum pool of
 * max_segs + ceil(max_segs / 512) pages (one largest request); once
 * Connected, segs_per_req = min(max_segs, B's feature-max-indirect-
 * segments), or 11 without indirect requests, and the pool is the rest of
 * the region, at most config pool_pages (if not 0) and at most
 * ring_size * (segs_per_req + its indirect pages). Persistent mode grants
 * every pool page, so the grant table needs 2^order + pool free refs
 * (pvfront_gnttab_init: 512 refs a frame, the first 8 reserved); pool
 * pages it cannot grant are dropped from the pool, which may leave no ref
 * for anything else: cap pool_pages to keep some. Without persistent
 * grants each request takes a ref per segment and indirect page while in
 * flight (-XEN_EAGAIN when the table is full). Example:
 * order 2 (128 slots), 256 segments (pvfront_blk_shadow_bytes = 32 + 8 *
 * (256 + 1) = 2088), 512 pool pages:
 *   16384 + round_up(128 * 2088 + 8 * 512) + 512 * 4096 = 2387968 bytes.
 * Data buffers are the caller's own memory (any mapped RAM).
 *
 * Trust: the backend may be hostile (as Linux's blkfront assumes since
 * XSA-376). A response is copied out of its slot once; a response index
 * beyond what can exist, or a response naming a request not in flight,
 * marks the device broken: every call then fails with -XEN_EIO (requests
 * still in flight are lost; disconnect still works). Unknown statuses
 * count as BLKIF_RSP_ERROR. Nothing in the ring is trusted for lengths.
 *
 * Not reentrant: one CPU at a time per device (and xenstore calls, used by
 * connect/disconnect, on one CPU overall). The event channel notifies CPU
 * 0; waiting elsewhere polls (pvfront_evtchn_wait). Errors are negative
 * Xen errnos (<pvhv/errno.h>).
 */

/* Largest ring-page-order (16 pages, Linux's XENBUS_MAX_RING_GRANT_ORDER). */
#define PVFRONT_BLK_MAX_RING_ORDER 4
/* Most segments per request: 8 indirect pages (BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST). */
#define PVFRONT_BLK_MAX_SEGS (BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * 512u)
/* Default max_segs: 1 MiB per request, Linux blkback's MAX_INDIRECT_SEGMENTS. */
#define PVFRONT_BLK_DEFAULT_SEGS 256u
/* Segments in one indirect page. */
#define PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE (XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* The unit of sector numbers and lengths on the wire. */
#define PVFRONT_BLK_SECTOR 512u
/* Default bound of each handshake wait. */
#define PVFRONT_BLK_TIMEOUT_NS 10000000000ULL
/* The synchronous helpers give up after this long without any response. */
#define PVFRONT_BLK_IO_TIMEOUT_NS 30000000000ULL

/* Options of pvfront_blk_connect (NULL: all defaults; a 0 field: its default). */
struct pvfront_blk_config {
    unsigned int max_ring_pages; /* cap on ring pages: 1, 2, 4, 8 or 16 (default 16) */
    unsigned int max_segs;       /* cap on segments per request, 11..4096 (default 256) */
    unsigned int pool_pages;     /* cap on the pool (default: what the memory holds) */
    unsigned int no_persistent;  /* 1: write feature-persistent = "0" */
    unsigned int no_indirect;    /* 1: never BLKIF_OP_INDIRECT (11 segments a request) */
    uint64_t timeout_ns;         /* each handshake wait (default PVFRONT_BLK_TIMEOUT_NS) */
};

/* One finished request, from pvfront_blk_poll. */
struct pvfront_blk_done {
    void *cookie;   /* the caller's, from pvfront_blk_queue */
    uint8_t op;     /* the operation queued (BLKIF_OP_*; for a raw request its operation) */
    uint8_t _pad;
    int16_t status; /* BLKIF_RSP_OKAY, _ERROR or _EOPNOTSUPP (anything else becomes _ERROR) */
    uint32_t bytes; /* data bytes of a read or write */
};

/* Counters since connect. */
struct pvfront_blk_stats {
    uint64_t requests;        /* requests queued (raw ones included) */
    uint64_t indirect;        /* of which BLKIF_OP_INDIRECT */
    uint64_t responses;       /* responses taken */
    uint64_t errors;          /* responses with a status other than OKAY */
    uint64_t pushes;          /* kicks that published requests */
    uint64_t notifies;        /* of which sent an event (the backend asked for one) */
    uint64_t waits;           /* sleeps on the event channel in pvfront_blk_wait */
    uint64_t busy;            /* queue attempts refused with -XEN_EAGAIN (ring, pool or refs full) */
    uint64_t bad_responses;   /* responses that broke the device (see Trust) */
    uint64_t leaked_grants;   /* grants the backend still held when they had to be revoked */
};

/* Request bookkeeping (private to libpvfront; see blkfront.c). */
struct pvfront_blk_shadow;

/*
 * One disk. The caller provides the struct (zeroing is not needed);
 * pvfront_blk_connect fills it. The fields up to `ring` may be read once
 * connected; the rest are libpvfront's. Hostile tests may write the ring
 * directly (see pvfront_blk_queue_raw for the supported way).
 */
struct pvfront_blkfront {
    uint32_t devid;        /* virtual-device */
    domid_t backend_id;    /* backend-id */
    uint8_t connected;     /* 1 between connect and disconnect */
    uint8_t broken;        /* the backend broke the protocol: calls fail -XEN_EIO */
    char fpath[64];        /* F */
    char bpath[128];       /* B */
    /* What the backend published (at Connected). */
    uint64_t sectors;      /* disk size in 512-byte sectors */
    uint32_t sector_size;  /* logical block size in bytes */
    uint32_t info;         /* VDISK_* bits */
    uint8_t ro;            /* VDISK_READONLY: writes will fail (they are still sent) */
    uint8_t flush;         /* feature-flush-cache */
    uint8_t barrier;       /* feature-barrier */
    uint8_t discard;       /* feature-discard */
    uint8_t persistent;    /* persistent grants in use (both sides said 1) */
    uint8_t _pad0[3];
    uint32_t max_indirect; /* the backend's feature-max-indirect-segments (0: none) */
    uint32_t segs_per_req; /* most segments this frontend puts in a request */
    uint32_t max_bytes;    /* most data bytes in a request (segs_per_req pages) */
    uint32_t ring_order;   /* ring-page-order in use */
    uint32_t ring_size;    /* slots: 32 << ring_order */
    uint32_t pool_pages;   /* pages in the pool */
    evtchn_port_t port;    /* the ring's event channel (bound to CPU 0) */
    grant_ref_t ring_ref[1u << PVFRONT_BLK_MAX_RING_ORDER];
    blkif_front_ring_t ring;
    struct pvfront_blk_stats stats;

    /* ---- libpvfront's ---- */
    uint8_t *mem;
    size_t mem_len;
    uint32_t cfg_segs, inflight, shadow_stride, shadow_free, pool_free_n, pool_refs_n;
    uint8_t *shadow;       /* ring_size entries of shadow_stride bytes */
    uint32_t *pool_ref;    /* pool_pages grant refs (persistent mode) */
    uint32_t *pool_stack;  /* free pool page indexes, pool_free_n of them */
    uint8_t *pool;         /* pool_pages pages */
    uint32_t queued;       /* requests filled but not published */
    uint32_t _pad1;
};

/* ---- finding disks ---- */

/*
 * pvfront_blk_parse_vdev: a disk's name in Xen's vbd numbering
 * (docs/misc/vbd-interface.txt) to its device number: "xvda" -> 51712
 * (202 << 8 | disk << 4 | partition), "xvdb3" -> 51731, "xvdq" (disk 16
 * and up, or a partition over 15) -> 1 << 28 | disk << 8 | partition,
 * "sda" -> 8 << 8 | ..., "hda"/"hdc" -> 3 << 8 / 22 << 8 | disk << 6 |
 * partition, "d3p1" as xvd, or a decimal number as is. Returns 0 and
 * *devid, or -XEN_EINVAL.
 */
int pvfront_blk_parse_vdev(const char *name, uint32_t *devid);

/*
 * pvfront_blk_vdev_name: the name of `devid` ("xvda", "xvdq", "sda2",
 * "hdc", else the decimal number) into buf (len bytes, NUL-terminated).
 * Returns its length, or -XEN_E2BIG if it does not fit.
 */
int pvfront_blk_vdev_name(uint32_t devid, char *buf, size_t len);

/*
 * pvfront_blk_list: the disks of this domain (the names under
 * /local/domain/<self>/device/vbd that are device numbers), up to max of
 * them into devids, in xenstore's order. Returns how many there are (may
 * exceed max: only max are written), 0 if none (no vbd directory), or a
 * xenstore error.
 */
int pvfront_blk_list(uint32_t *devids, unsigned int max);

/*
 * pvfront_blk_find: resolve `name` (as pvfront_blk_parse_vdev) to a disk
 * this domain has (its frontend directory exists). Returns 0 and *devid,
 * -XEN_EINVAL for a bad name, -XEN_ENODEV if there is no such disk, or a
 * xenstore error.
 */
int pvfront_blk_find(const char *name, uint32_t *devid);

/* ---- memory ---- */

/* Bytes of bookkeeping per ring slot for requests of up to max_segs segments. */
size_t pvfront_blk_shadow_bytes(unsigned int max_segs);

/*
 * pvfront_blk_mem_size: the exact region size for a ring of 2^ring_order
 * pages, requests of up to max_segs segments and a pool of pool_pages
 * pages (the layout above). 0 for an order over PVFRONT_BLK_MAX_RING_ORDER
 * or max_segs outside 1..PVFRONT_BLK_MAX_SEGS.
 */
size_t pvfront_blk_mem_size(unsigned int ring_order, unsigned int max_segs,
                            unsigned int pool_pages);

/* ---- connecting ---- */

/*
 * pvfront_blk_connect: run the handshake above for disk `devid` with the
 * page-aligned region mem (len bytes, the caller's until disconnect
 * returns; its contents need not be zero) and options cfg (NULL:
 * defaults). Initializes xenstore and event channels if needed. On
 * success the disk is Connected and bf's public fields describe it.
 * Returns 0, or:
 *   -XEN_EINVAL   mem not page aligned, or a cfg field out of range;
 *   -XEN_ENODEV   no such disk, or the domain's id is unknown;
 *   -XEN_ENOMEM   the region cannot hold an order-0 ring, its meta and
 *                 the minimum pool;
 *   -XEN_ENOSPC   no free grant refs for the ring or the minimum pool;
 *   -XEN_ETIMEDOUT the backend did not reach InitWait or Connected in
 *                 cfg timeout_ns;
 *   -XEN_EIO      the backend closed instead, or published bad values
 *                 (no sectors, a sector-size not a multiple of 512);
 *   -XEN_E2BIG    the backend path is over 127 bytes;
 *   or a xenstore, grant or event channel error.
 * On failure after the ring was offered, the frontend goes Closing then
 * Closed and revokes what it granted (as a disconnect). One struct per
 * disk at a time: connecting a disk another struct holds connected takes
 * it over (the handshake closes the old connection first).
 */
int pvfront_blk_connect(struct pvfront_blkfront *bf, uint32_t devid, void *mem, size_t len,
                        const struct pvfront_blk_config *cfg);

/*
 * pvfront_blk_disconnect: wait up to timeout_ns for requests in flight
 * (their completions are dropped), then the close handshake above, each
 * backend wait bounded by timeout_ns; grants still mapped are retried for
 * timeout_ns. Afterwards the region is the caller's again, except pages
 * whose grants the backend never released (counted in
 * stats.leaked_grants). Returns 0; -XEN_ETIMEDOUT if the backend did not
 * answer (everything that could be revoked was); -XEN_EBUSY if some grant
 * is still mapped; -XEN_ENOTCONN if not connected.
 */
int pvfront_blk_disconnect(struct pvfront_blkfront *bf, uint64_t timeout_ns);

/* ---- asynchronous I/O ---- */

/*
 * pvfront_blk_queue: fill one request into the ring, not yet published.
 *   op:     BLKIF_OP_READ (disk -> buf), BLKIF_OP_WRITE (buf -> disk),
 *           BLKIF_OP_FLUSH_DISKCACHE (every completed write stable; sent as
 *           WRITE_BARRIER if the backend offers only barriers; sector, buf,
 *           len ignored), BLKIF_OP_DISCARD (len bytes from sector; buf
 *           ignored).
 *   sector: first 512-byte sector.
 *   buf, len: the data; len > 0 and a multiple of 512, at most
 *           max_bytes (persistent mode) or, without persistent grants,
 *           touching at most segs_per_req pages; buf 512-byte aligned
 *           and mapped RAM. The buffer must stay untouched until the
 *           request completes.
 *   cookie: handed back in its struct pvfront_blk_done.
 * Returns 0, or: -XEN_EAGAIN no free slot, pool page or grant ref now
 * (take completions, then retry); -XEN_EINVAL bad op, length, alignment
 * or range (the end beyond the disk); -XEN_E2BIG more than one request
 * carries; -XEN_EOPNOTSUPP flush or discard the backend does not offer;
 * -XEN_ENOSPC no grant refs with nothing in flight; -XEN_ENOTCONN;
 * -XEN_EIO broken.
 */
int pvfront_blk_queue(struct pvfront_blkfront *bf, int op, uint64_t sector, void *buf,
                      size_t len, void *cookie);

/*
 * pvfront_blk_queue_raw: fill `req` into the ring as it is (for hostile
 * tests: any operation, segment count, grant refs or sector), except its
 * id, which names a slot of ours so the response is matched. Its grants
 * are the caller's. Returns 0, -XEN_EAGAIN (no free slot), -XEN_ENOTCONN
 * or -XEN_EIO.
 */
int pvfront_blk_queue_raw(struct pvfront_blkfront *bf, const blkif_request_t *req,
                          void *cookie);

/*
 * pvfront_blk_kick: publish every queued request
 * (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY) and notify the backend if it asked.
 * Returns 1 if an event was sent, 0 if not (nothing queued, or the backend
 * is still busy with earlier ones), or the send's error.
 */
int pvfront_blk_kick(struct pvfront_blkfront *bf);

/* pvfront_blk_submit: pvfront_blk_queue then pvfront_blk_kick. Returns the queue's result. */
int pvfront_blk_submit(struct pvfront_blkfront *bf, int op, uint64_t sector, void *buf,
                       size_t len, void *cookie);

/*
 * pvfront_blk_poll: take up to max responses into done[] (kicks queued
 * requests first). For each: read data copied out of the pool (persistent
 * mode), grants revoked (otherwise), its slot and pool pages free again.
 * When the ring runs dry it arms rsp_event (RING_FINAL_CHECK_FOR_RESPONSES)
 * and looks once more. Returns the number taken (0: none yet), or -XEN_EIO
 * if the backend broke the protocol (see Trust), -XEN_ENOTCONN.
 */
int pvfront_blk_poll(struct pvfront_blkfront *bf, struct pvfront_blk_done *done,
                     unsigned int max);

/*
 * pvfront_blk_wait: kick queued requests, then sleep on the event channel
 * until a response is waiting or timeout_ns passes (0: only look). Returns
 * 0 (take it with pvfront_blk_poll), -XEN_ETIMEDOUT, -XEN_ENOENT if no
 * request is in flight, -XEN_ENOTCONN, -XEN_EIO.
 */
int pvfront_blk_wait(struct pvfront_blkfront *bf, uint64_t timeout_ns);

/* pvfront_blk_inflight: requests queued or in flight (their responses not yet polled). */
unsigned int pvfront_blk_inflight(const struct pvfront_blkfront *bf);

/* ---- synchronous helpers (nothing else may be in flight: -XEN_EBUSY) ---- */

/*
 * pvfront_blk_read / pvfront_blk_write: len bytes between the disk at
 * `sector` and buf (the rules of pvfront_blk_queue, but any length: split
 * into as many requests as needed, all in flight at once as far as the
 * ring and pool allow). pvfront_blk_flush: one flush.
 * pvfront_blk_discard: nr_sectors from sector. Each returns 0 once every
 * request completed OKAY, else the first failure: -XEN_EIO
 * (BLKIF_RSP_ERROR), -XEN_EOPNOTSUPP (BLKIF_RSP_EOPNOTSUPP, or not
 * offered), -XEN_ETIMEDOUT (no response for PVFRONT_BLK_IO_TIMEOUT_NS;
 * the requests stay in flight), or pvfront_blk_queue's errors.
 */
int pvfront_blk_read(struct pvfront_blkfront *bf, uint64_t sector, void *buf, size_t len);
int pvfront_blk_write(struct pvfront_blkfront *bf, uint64_t sector, const void *buf, size_t len);
int pvfront_blk_flush(struct pvfront_blkfront *bf);
int pvfront_blk_discard(struct pvfront_blkfront *bf, uint64_t sector, uint64_t nr_sectors);

#endif /* PVFRONT_BLKFRONT_H */
