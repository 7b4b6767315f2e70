/* pvblkback.h: the block backend daemon (Xen's blkback, as a dom0 process):
 * which file does what, and the structures they share.
 *
 *   main.c      options, the pid file, then daemon_run
 *   daemon.c    the one epoll loop: signals, the tick timer, xenstore, the
 *               event channels, io_uring completions
 *   host.c      the connections to pvhv (control, event channels, grants),
 *               lost and found again; which domains are still alive
 *   xenbus.c    xenstore: the watches, the xenbus handshake of each device
 *               (backend and frontend states, the nodes published)
 *
 * What pvblkback shares with pvnetback and pvconsoled is in
 * backends/common (libbackend): the command line, run directory and pid
 * file (backend_main.h), the loop's epoll/signalfd/timerfd
 * (backend_loop.h), the pvhv handles (backend_host.h) and the xenstore
 * plumbing (backend_xenbus.h); the files above keep what is the block
 * device's own.
 *   vbd.c       one virtual block device: its backing file or block
 *               device, connecting and disconnecting its ring
 *   ring.c      the request ring: copying requests out, checking them,
 *               batching them, answering them
 *   blkreq.c    decoding and checking one request (no I/O)
 *   grants.c    the guest's pages: the ring map, persistent grants, grant
 *               copies through bounce buffers, indirect segment pages
 *   uring.c     the disk I/O: io_uring submissions and completions
 *
 * One thread. Nothing in the loop blocks on a guest or a disk: disk I/O is
 * asynchronous (io_uring), a device being torn down waits for its I/O in
 * flight without holding up the others. Every call into pvhv and xenstore
 * is a bounded request/reply on a local socket.
 */
#ifndef PVBLKBACK_H
#define PVBLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <liburing.h>

#include <pvhv/io/blkif.h>
#include <pvhv/io/xenbus.h>

#include "backend_host.h"
#include "backend_loop.h"
#include "backend_xenbus.h"
#include "blkreq.h"

struct pgrants; /* grants.c: a device's persistent grants */

/* Where the backend directories live (watched as a whole). */
#define BB_BACKEND_ROOT "/local/domain/0/backend/vbd"
/* Default tick: retry absent daemons and failed binds, look at every
 * connected ring (a lost notification strands nothing longer than this). */
#define BB_TICK_MS 500
/* Domain liveness and a full xenstore rescan run at most this often. */
#define BB_SLOW_MS 500
#define BB_RESCAN_MS 5000
/* The only ring ABI served (the frontend's "protocol" node; absent means
 * the same). */
#define BB_PROTOCOL "x86_64-abi"
/* Ring pages we accept: 2^4 (max-ring-page-order), as Linux's default. */
#define BB_MAX_RING_ORDER 4
/* Persistent grants kept mapped per device by default; cold ones are
 * unmapped to make room for new ones. 8192 holds a full ring of 1 MiB
 * requests (32 x 256 pages), so sequential I/O runs without copies; Linux's
 * max_persistent_grants, 1056, copied 7 pages in 8 of such a ring (0.4x
 * the host's MB/s against 0.8x, bench/blk_bench). --max-pgrants sets it,
 * within these bounds: the upper one is half of pvhv's table of dom0 maps
 * (65536, hypervisor/gnttab.c), which every backend shares; a full table
 * sends a device's data pages through grant copies, but leaves a new
 * device no room for its ring. */
#define BB_MAX_PGRANTS 8192
#define BB_MIN_PGRANTS 32
#define BB_PGRANTS_LIMIT 32768
/* Bounce buffer bytes one device may hold (grant-copy path); past it the
 * ring is not read until requests complete. */
#define BB_BOUNCE_BUDGET (32u << 20)
/* io_uring submission queue entries (the completion queue is 4x). */
#define BB_URING_ENTRIES 256
/* Local event channel ports libpvctrl hands out are below this. */
#define BB_MAX_PORTS 4096

/* What an epoll event is about. */
enum bb_tag { TAG_SIGNAL = 1, TAG_TIMER, TAG_EVTCHN, TAG_XS, TAG_URING };

/* Where one request is in its life. */
enum breq_phase {
    PH_IO,      /* the read or write */
    PH_SYNC,    /* the fdatasync of a flush or barrier */
    PH_DISCARD, /* the hole punch */
};

/* One request taken from the ring and not answered yet. */
struct breq {
    struct vbd *v;
    struct breq *next;         /* batch, copy-out list */
    struct blkreq r;           /* the decoded, checked copy */
    struct blkreq_seg *segs;   /* r.seg, or (indirect) a heap array */
    struct iovec *iov;         /* iov_inline, or (indirect) a heap array */
    struct iovec iov_inline[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    uint8_t *bounce;           /* nseg pages for grant-copied segments */
    size_t bounce_len;
    uint64_t copy_mask[BLKREQ_MAX_INDIRECT_SEGS / 64]; /* segments that go
                                                          through `bounce` */
    unsigned ncopy;            /* bits set in copy_mask */
    bool pinned;               /* its other segments hold persistent maps */
    unsigned iov_idx;          /* first iovec not fully transferred */
    uint64_t off;              /* file offset of iov[iov_idx] */
    size_t left;               /* bytes still to transfer */
    enum breq_phase phase;
    int err;                   /* 0 or the first error (-errno) */
    bool submitted;            /* an SQE for it is in io_uring */
    bool done;                 /* answered: its response waits for the
                                  requests before it (ring order) */
    int16_t status;            /* the response's BLKIF_RSP_* */
};

/* One virtual block device: backend dir B, frontend dir F. */
struct vbd {
    struct vbd *next;
    uint32_t domid, devid;
    char bpath[96];            /* B: BB_BACKEND_ROOT/N/DEVID */
    char fpath[128];           /* F, from B/frontend */

    /* From B (the toolstack's nodes). */
    char *params;              /* the image or device path */
    bool readonly;             /* mode = "r" */
    bool cdrom;                /* device-type = "cdrom" */
    bool removable;
    bool discard_enable;       /* discard-enable, default 1 */

    /* The backing store (vbd.c). */
    int fd;                    /* -1 while not open */
    bool direct;               /* opened with O_DIRECT */
    bool blkdev;               /* a block device, not a file */
    uint64_t sectors;          /* size in 512-byte sectors */
    unsigned phys_sector_size;
    unsigned discard_granularity;
    bool can_discard;          /* offered: writable and discard-enable */

    /* xenbus. */
    int state;                 /* our B/state (XenbusState*), 0 before any */
    bool state_dirty;          /* `state` not written yet (xenstore away) */
    bool online;               /* B/online */
    bool fe_watched;           /* a watch on F/state is set */
    bool failed;               /* a fatal error was published (B/error) */
    bool removed;              /* B is gone: free once drained */
    bool domain_gone;          /* pvhv no longer has the domain */
    bool need_connect;         /* resume a ring when pvhv comes (back) */
    bool seen;                 /* found by the latest rescan */

    /* The connection (vbd.c, grants.c, ring.c). */
    bool connected;            /* ring mapped, requests served */
    void *ring_addr;           /* the mapped ring pages */
    unsigned ring_pages;
    blkif_back_ring_t ring;
    uint32_t remote_port;      /* the frontend's event channel */
    int local_port;            /* ours, or -1 while not bound */
    bool bind_warned;
    bool persistent;           /* both ends said feature-persistent */
    struct pgrants *pg;        /* persistent grants (NULL: none) */
    struct breq *pool;         /* RING_SIZE requests: entry i for ring
                                  index i modulo RING_SIZE */
    unsigned pool_size;
    unsigned inflight;         /* taken from the ring, response not written */
    unsigned submitted;        /* of those, with an SQE in io_uring */
    size_t bounce_bytes;
    bool broken;               /* the frontend broke the ring protocol */
    int closing_to;            /* 0, or the state to write once drained
                                  (XenbusStateClosing/Closed; -1: none) */
    bool closing;              /* disconnect asked, waiting for the I/O */
    struct breq *barrier;      /* a barrier waiting for the rest to drain */
    bool barrier_running;
    bool notify_pending;       /* responses pushed; the frontend asked for
                                  an event (sent after the round) */
    bool kick_again;           /* the ring may hold more: look again */
    bool touched;              /* completions this round: look at the ring */
    struct breq *copyout;      /* reads done, their grant copy pending */

    /* Counters (logged when the connection closes). */
    uint64_t n_req, n_err, n_rd_bytes, n_wr_bytes, n_flush, n_discard;
    uint64_t n_seg_mapped;     /* segments served from persistent maps */
    uint64_t n_seg_copied;     /* segments through bounce buffers */
    uint64_t n_copy_calls, n_map_calls; /* grant copy / map calls to pvhv */
    uint64_t n_evicted;        /* persistent maps dropped to make room */
    unsigned warned;           /* bit per kind of complaint already logged */
};

/* The daemon. */
struct blkback {
    const char *rundir;
    int epfd;
    int tick_ms;
    unsigned max_pgrants;      /* --max-pgrants */
    double last_slow, last_rescan;

    /* pvhv (host.c, on backend_host): its handles NULL while it is not
     * there. */
    struct bk_host host;
    bool host_closing;         /* lost pvhv: waiting for I/O to drain */
    struct vbd *by_port[BB_MAX_PORTS];

    /* xenstore (xenbus.c, on backend_xenbus): xb.xs NULL while it is not
     * there. */
    struct bk_xs xb;

    /* io_uring (uring.c). */
    struct io_uring uring;
    bool uring_ok;
    int uring_efd;
    bool submit_again;         /* io_uring_submit failed for now */

    struct vbd *vbds;
    bool kick_pending;         /* some vbd has kick_again */
};

/* ---- daemon.c ---- */
/* The loop; returns the exit status once SIGTERM or SIGINT arrived. */
int daemon_run(struct blkback *bb);
/* Monotonic milliseconds (backend_loop.h). */
#define bb_now_ms bk_now_ms

/* ---- host.c ---- */
/* Connect to pvhv if not connected (retried at every tick, quietly). */
void host_connect(struct blkback *bb);
/* Take every pending event channel event and kick its ring. */
void host_events(struct blkback *bb);
/* Slow tick: devices of domains that pvhv no longer has are disconnected;
 * a broken connection to pvhv starts host_lost. */
void host_check_domains(struct blkback *bb);
/* pvhv went away: disconnect every device; the handles are closed once
 * their I/O drained (host_reap_closed). */
void host_lost(struct blkback *bb, int err);
/* Close the handles of a lost pvhv once no device holds a mapping. */
void host_reap_closed(struct blkback *bb);
/* Close everything of pvhv (at exit, after every device is gone). */
void host_close(struct blkback *bb);
/* Bind the device's event channel if it is not bound (retried at ticks;
 * the ring is polled meanwhile). */
void host_bind(struct blkback *bb, struct vbd *v);
/* Undo host_bind. */
void host_unbind(struct blkback *bb, struct vbd *v);
/* Notify the frontend of `v` (no-op while unbound). */
void host_notify(struct blkback *bb, struct vbd *v);

/* ---- xenbus.c ---- */
/* Connect to pvxenstored if not connected, watch the backend root, rescan. */
void xb_connect(struct blkback *bb);
/* The xenstore fd is readable: take the watch events, check the devices
 * they concern. A broken connection is closed, to be retried. */
void xb_events(struct blkback *bb);
/* List every backend directory: new devices are set up, vanished ones
 * removed. */
void xb_rescan(struct blkback *bb);
/* Look again at one device (B and F nodes) and move its state machine. */
void xb_check(struct blkback *bb, uint32_t domid, uint32_t devid);
/* Look again at every known device. */
void xb_check_all(struct blkback *bb);
/* Write B/state = state if B still exists (never recreating it), in a
 * transaction. 0, -ENOENT (B is gone) or -errno. v->state is updated
 * either way. */
int xb_switch_state(struct blkback *bb, struct vbd *v, int state);
/* Publish the backend's features and disk facts (and state InitWait or
 * Connected: `state`) in one transaction. 0 or -errno. */
int xb_publish(struct blkback *bb, struct vbd *v, int state);
/* A fatal error of a device: log it, write B/error, move to Closing. */
void xb_fatal(struct blkback *bb, struct vbd *v, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Read F/key (F: the device's frontend dir) into a malloc'd string, or
 * NULL (errno set). */
char *xb_read_fe(struct blkback *bb, struct vbd *v, const char *key);
/* Set or drop the watch on F/state. */
void xb_watch_fe(struct blkback *bb, struct vbd *v, bool on);
/* Close the xenstore connection (kept devices go on serving). */
void xb_close(struct blkback *bb);

/* ---- vbd.c ---- */
/* The record of backend directory BB_BACKEND_ROOT/domid/devid, or NULL. */
struct vbd *vbd_find(struct blkback *bb, uint32_t domid, uint32_t devid);
/* The record whose frontend directory is path[0..len), or NULL. */
struct vbd *vbd_by_fpath(struct blkback *bb, const char *path, size_t len);
/* A new device record for B (domid, devid), not yet opened. NULL on ENOMEM. */
struct vbd *vbd_new(struct blkback *bb, uint32_t domid, uint32_t devid);
/* Open v->params as the disk: O_DIRECT when the file takes it, else
 * buffered; read-only for mode r. Fills size and discard facts.
 * 0 or -errno (nothing left open). */
int vbd_open_backing(struct vbd *v);
/*
 * Connect the ring the frontend published in F (ring-ref or
 * ring-page-order/ring-refN, event-channel, protocol,
 * feature-persistent): map it, bind the event channel, get the request
 * pool. `resume` (a restarted daemon taking over a Connected ring): the
 * indexes are taken from the shared ring; requests consumed but not
 * answered before are served again. 0 or -errno (nothing left mapped).
 */
int vbd_connect(struct blkback *bb, struct vbd *v, bool resume);
/*
 * Stop serving: no more requests are taken (a barrier not started yet is
 * answered with an error); once the I/O in flight is done the ring and
 * grants are unmapped, the port closed, and B/state set to `target`
 * (XenbusStateClosing: 5; XenbusStateClosed: 5 then 6; -1: no write).
 * Returns at once, true if that already happened and freed `v` (a removed
 * record); the rest happens in vbd_drained, after the last completion.
 */
bool vbd_disconnect(struct blkback *bb, struct vbd *v, int target);
/* Called whenever a device's in-flight count may have reached 0: finish a
 * pending disconnect or removal. Returns true if `v` was freed. */
bool vbd_drained(struct blkback *bb, struct vbd *v);
/* B vanished (or the daemon stops): disconnect without touching
 * xenstore's B, then free the record once drained. */
void vbd_remove(struct blkback *bb, struct vbd *v);

/* ---- ring.c ---- */
/* Take and start every request the ring holds (as far as the device can
 * take them now), answer refused ones, push responses, and re-arm
 * req_event (RING_FINAL_CHECK_FOR_REQUESTS) so none is left behind. */
void ring_kick(struct blkback *bb, struct vbd *v);
/* Answer a barrier that has not started with an error (disconnecting). */
void ring_cancel_barrier(struct vbd *v);
/* Send the event the pushed responses call for (one per round). */
void ring_push(struct blkback *bb, struct vbd *v);
/* io_uring finished one operation of q with result `res`. */
void ring_io_done(struct blkback *bb, struct breq *q, int res);
/* After a round of completions: copy finished reads out, answer, push;
 * run a waiting barrier; take more requests; finish disconnects. */
void ring_after_io(struct blkback *bb);
/* The request pool of a connected ring (RING_SIZE entries). 0 or -ENOMEM. */
int ring_pool_init(struct vbd *v);
/* Free it (nothing may be in flight). */
void ring_pool_free(struct vbd *v);

/* ---- grants.c ---- */
/* Map the `n` ring pages refs[] of the frontend read-write. 0 or -errno. */
int grants_map_ring(struct blkback *bb, struct vbd *v, const uint32_t *refs, unsigned n);
/* Unmap the ring (no-op if not mapped). */
void grants_unmap_ring(struct blkback *bb, struct vbd *v);
/* Start a persistent grant table for v (feature-persistent) that keeps
 * at most `max` grants mapped. 0 or -ENOMEM. */
int grants_pg_init(struct vbd *v, unsigned max);
/* Unmap every persistent grant of v and free the table. */
void grants_pg_free(struct blkback *bb, struct vbd *v);
/* Fetch the segment descriptors of an indirect request from its indirect
 * pages into q->segs (allocated). 0 or -errno (-EFAULT: a page could not
 * be read). */
int grants_fetch_indirect(struct blkback *bb, struct vbd *v, struct breq *q);
/*
 * Make the data of a batch of requests (linked by ->next) reachable: with
 * persistent grants, map the grants not mapped yet (one call) and point
 * the iovecs into the mappings; every other segment gets a bounce buffer,
 * and the bounce segments of writes are filled with one grant copy call
 * for the whole batch. A request that fails gets q->err set.
 */
void grants_prepare(struct blkback *bb, struct vbd *v, struct breq *batch);
/* Copy the bounce segments of finished reads (linked by ->next) out to the
 * guest with one grant copy call; a request whose copy failed gets q->err. */
void grants_copy_out(struct blkback *bb, struct vbd *v, struct breq *list);
/* Release what grants_prepare took for q: its hold on persistent maps,
 * its bounce buffer. */
void grants_release(struct vbd *v, struct breq *q);

/* ---- uring.c ---- */
/* Set up the io_uring and its eventfd. 0 or -errno. */
int uring_init(struct blkback *bb);
/* Tear them down (in-flight operations are cancelled by the kernel). */
void uring_fini(struct blkback *bb);
/* Queue the operation of q's current phase (submitted at uring_flush).
 * 0 or -errno (q is not queued then). */
int uring_queue(struct blkback *bb, struct breq *q);
/* Submit what is queued. */
void uring_flush(struct blkback *bb);
/* The eventfd fired: hand every completion to ring_io_done, then
 * ring_after_io. */
void uring_reap(struct blkback *bb);

#endif
