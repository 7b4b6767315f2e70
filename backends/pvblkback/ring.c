/* ring.c: the request ring of a connected device: requests are copied out
 * of the shared ring one slot at a time (the guest may rewrite a slot at
 * any moment; only the copy is checked and used), decoded and checked
 * (blkreq.c), gathered into a batch whose grants are handled together
 * (grants.c), then started on io_uring (uring.c).
 *
 * Responses are written in ring order: the response to the request taken
 * from slot i goes into slot i, once every earlier request is answered
 * (requests finish in any order; a finished one waits for those before
 * it). So a slot still holds its request until that very request is
 * answered, and a pvblkback that is killed and restarted can take the ring
 * over exactly: the requests it must serve are those in slots rsp_prod to
 * req_prod (reads and writes of the same data are idempotent). Each run of
 * responses is pushed at once (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY); the
 * event goes out after the round, if the frontend asked for one. */
#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"
#include "pvblkback.h"

/* Kinds of complaint, each logged once per device at warning level. */
enum { W_OP = 1, W_BAD = 2, W_RANGE = 4, W_RO = 8, W_GRANT = 16, W_IO = 32 };

int ring_pool_init(struct vbd *v)
{
    unsigned n = RING_SIZE(&v->ring);

    /* Entry i serves the request of ring index i modulo n: at most n are
     * taken and not answered (RING_REQUEST_CONS_OVERFLOW). */
    v->pool = calloc(n, sizeof(*v->pool));
    if (!v->pool)
        return -ENOMEM;
    v->pool_size = n;
    for (unsigned i = 0; i < n; i++)
        v->pool[i].v = v;
    v->inflight = v->submitted = 0;
    return 0;
}

/* Free what a request holds beyond its pool entry. */
static void drop(struct vbd *v, struct breq *q)
{
    grants_release(v, q); /* first: it reads the segments */
    if (q->segs && q->segs != q->r.seg)
        free(q->segs);
    if (q->iov && q->iov != q->iov_inline)
        free(q->iov);
    q->segs = NULL;
    q->iov = NULL;
}

void ring_pool_free(struct vbd *v)
{
    for (unsigned i = 0; i < v->pool_size; i++)
        drop(v, &v->pool[i]);
    free(v->pool);
    v->pool = NULL;
    v->pool_size = 0;
    v->inflight = v->submitted = 0;
    v->barrier = NULL;
    v->barrier_running = false;
    v->copyout = NULL;
}

/* The entry for the request at ring index idx. */
static struct breq *pool_get(struct vbd *v, RING_IDX idx)
{
    struct breq *q = &v->pool[idx & (v->pool_size - 1)];

    q->next = NULL;
    q->done = false;
    q->segs = NULL;
    q->iov = NULL;
    q->bounce = NULL;
    q->bounce_len = 0;
    memset(q->copy_mask, 0, sizeof(q->copy_mask));
    q->ncopy = 0;
    q->pinned = false;
    q->iov_idx = 0;
    q->err = 0;
    q->submitted = false;
    return q;
}

static void warn_once(struct vbd *v, unsigned kind, const struct breq *q, int err)
{
    if (v->warned & kind) {
        log_debug("vbd %u/%u: request %#llx (op %u) refused: %s", v->domid, v->devid,
                  (unsigned long long)q->r.id, q->r.rsp_op, strerror(-err));
        return;
    }
    v->warned |= kind;
    log_warn("vbd %u/%u: request %#llx (op %u, sector %llu, %u segments) refused: %s "
             "(further ones of this kind logged at debug level)",
             v->domid, v->devid, (unsigned long long)q->r.id, q->r.rsp_op,
             (unsigned long long)q->r.sector, q->r.nseg, strerror(-err));
}

static unsigned kind_of(int err)
{
    switch (-err) {
    case EOPNOTSUPP: return W_OP;
    case EINVAL: return W_BAD;
    case ERANGE: return W_RANGE;
    case EROFS: return W_RO;
    case EFAULT:
    case EPERM: return W_GRANT;
    default: return W_IO;
    }
}

/* Write the responses of the finished requests that are next in ring
 * order and push them at once. */
static void emit(struct vbd *v)
{
    RING_IDX start = v->ring.rsp_prod_pvt;
    int notify = 0;

    while (v->ring.rsp_prod_pvt != v->ring.req_cons) {
        struct breq *q = &v->pool[v->ring.rsp_prod_pvt & (v->pool_size - 1)];
        struct blkif_response rsp;

        if (!q->done)
            break;
        memset(&rsp, 0, sizeof(rsp)); /* the padding must not leak our memory */
        rsp.id = q->r.id;
        rsp.operation = q->r.rsp_op;
        rsp.status = q->status;
        memcpy(RING_GET_RESPONSE(&v->ring, v->ring.rsp_prod_pvt), &rsp, sizeof(rsp));
        v->ring.rsp_prod_pvt++;
        q->done = false;
        v->inflight--;
    }
    if (v->ring.rsp_prod_pvt == start)
        return;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->ring, notify);
    v->notify_pending |= notify != 0;
}

/* q is finished with `err`: release what it holds, answer it (in ring
 * order, see emit). */
static void respond(struct vbd *v, struct breq *q, int err)
{
    if (err) {
        v->n_err++;
        if (err != -ECANCELED)
            warn_once(v, kind_of(err), q, err);
    }
    q->status = blkreq_status(err);
    q->done = true;
    if (v->barrier == q) {
        v->barrier = NULL;
        v->barrier_running = false;
    }
    drop(v, q);
    emit(v);
}

void ring_cancel_barrier(struct vbd *v)
{
    struct breq *q = v->barrier;

    if (q && !v->barrier_running)
        respond(v, q, -ECANCELED);
}

/* A request finished (its response is the error or success). */
static void complete(struct vbd *v, struct breq *q)
{
    if (q->err == 0) {
        uint64_t bytes = q->r.nr_sectors * 512;
        switch (q->r.kind) {
        case BLKREQ_READ: v->n_rd_bytes += bytes; break;
        case BLKREQ_WRITE: v->n_wr_bytes += bytes; break;
        case BLKREQ_FLUSH:
        case BLKREQ_BARRIER: v->n_wr_bytes += bytes; v->n_flush++; break;
        case BLKREQ_DISCARD: v->n_discard++; break;
        }
    }
    respond(v, q, q->err);
}

void ring_push(struct blkback *bb, struct vbd *v)
{
    if (!v->notify_pending)
        return;
    v->notify_pending = false;
    host_notify(bb, v);
}

/* Put q on io_uring in its first phase. */
static void start(struct blkback *bb, struct vbd *v, struct breq *q)
{
    switch (q->r.kind) {
    case BLKREQ_READ:
    case BLKREQ_WRITE:
        q->phase = PH_IO;
        break;
    case BLKREQ_FLUSH:
    case BLKREQ_BARRIER:
        q->phase = q->r.nseg ? PH_IO : PH_SYNC;
        break;
    case BLKREQ_DISCARD:
        if (q->r.nr_sectors == 0) {
            complete(v, q);
            return;
        }
        q->phase = PH_DISCARD;
        break;
    }
    q->iov_idx = 0;
    q->off = q->r.sector * 512;
    q->left = (size_t)(q->r.nr_sectors * 512);
    int r = uring_queue(bb, q);
    if (r < 0) {
        q->err = r;
        complete(v, q);
        return;
    }
    q->submitted = true;
    v->submitted++;
}

/* Grants of a batch (or of one barrier), then start what is left. */
static void start_batch(struct blkback *bb, struct vbd *v, struct breq *batch)
{
    grants_prepare(bb, v, batch);
    for (struct breq *q = batch, *next; q; q = next) {
        next = q->next;
        q->next = NULL;
        if (q->err)
            complete(v, q);
        else
            start(bb, v, q);
    }
}

/* A barrier waits until it is the only request of its device in flight;
 * then it runs alone (nothing is taken from the ring until it is done). */
static void maybe_run_barrier(struct blkback *bb, struct vbd *v)
{
    struct breq *q = v->barrier;

    if (!q || v->barrier_running || v->inflight != 1 || v->closing)
        return;
    v->barrier_running = true;
    q->next = NULL;
    start_batch(bb, v, q);
}

static bool can_take(const struct vbd *v)
{
    return v->connected && !v->closing && !v->broken && !v->barrier &&
           v->bounce_bytes < BB_BOUNCE_BUDGET;
}

/* The segments of an indirect request: fetched from its indirect pages,
 * then checked like direct ones. */
static int take_indirect(struct blkback *bb, struct vbd *v, struct breq *q)
{
    unsigned n = q->r.nseg;

    q->segs = calloc(n, sizeof(*q->segs));
    q->iov = calloc(n, sizeof(*q->iov));
    if (!q->segs || !q->iov)
        return -ENOMEM;
    int r = grants_fetch_indirect(bb, v, q);
    if (r < 0)
        return r;
    return blkreq_check_segs(q->segs, n, q->r.sector, v->sectors, &q->r.nr_sectors);
}

/*
 * Copy requests out of the ring while the device can take them (at most
 * *budget). Refused ones are answered at once; a barrier stops the batch
 * (and the ring) until everything before it is done. Returns the batch.
 */
static struct breq *take(struct blkback *bb, struct vbd *v, unsigned *budget)
{
    struct blkreq_disk disk = { .sectors = v->sectors, .readonly = v->readonly,
                                .discard = v->can_discard,
                                .max_indirect = BLKREQ_MAX_INDIRECT_SEGS };
    struct breq *head = NULL, **tail = &head;
    RING_IDX rp = PVHV_RING_READ_IDX(v->ring.sring->req_prod);

    xen_rmb(); /* the slots after the index that published them */
    if (RING_REQUEST_PROD_OVERFLOW(&v->ring, rp)) {
        log_warn("vbd %u/%u: the frontend's req_prod %u is more than a ring (%u) ahead of "
                 "the responses (%u): broken frontend, closing the device", v->domid,
                 v->devid, rp, RING_SIZE(&v->ring), v->ring.rsp_prod_pvt);
        v->broken = true;
        return NULL;
    }
    while (v->ring.req_cons != rp && *budget > 0 && can_take(v) &&
           !RING_REQUEST_CONS_OVERFLOW(&v->ring, v->ring.req_cons)) {
        union blkreq_raw raw;
        struct breq *q = pool_get(v, v->ring.req_cons);

        RING_COPY_REQUEST(&v->ring, v->ring.req_cons, &raw.rw);
        v->ring.req_cons++;
        (*budget)--;
        v->inflight++;
        v->n_req++;
        int err = blkreq_decode(&raw, &disk, &q->r);
        q->segs = q->r.seg;
        q->iov = q->iov_inline;
        if (err == 0 && q->r.indirect)
            err = take_indirect(bb, v, q);
        if (err) {
            respond(v, q, err);
            continue;
        }
        if (q->r.kind == BLKREQ_BARRIER) {
            v->barrier = q;
            break;
        }
        *tail = q;
        tail = &q->next;
    }
    return head;
}

void ring_kick(struct blkback *bb, struct vbd *v)
{
    if (!v->connected || v->closing || v->broken)
        return;
    /* Bounded, so a frontend that keeps the ring full of requests refused
     * at once cannot keep the loop here; the rest waits one round. */
    unsigned budget = 4 * RING_SIZE(&v->ring);
    for (;;) {
        struct breq *batch = take(bb, v, &budget);
        if (batch)
            start_batch(bb, v, batch);
        maybe_run_barrier(bb, v);
        ring_push(bb, v);
        if (v->broken) {
            uring_flush(bb);
            xb_fatal(bb, v, -EPROTO, "frontend overran its ring");
            return;
        }
        if (!can_take(v))
            break; /* completions kick again (v->touched) */
        if (budget == 0) {
            v->kick_again = true;
            bb->kick_pending = true;
            break;
        }
        int more = 0;
        RING_FINAL_CHECK_FOR_REQUESTS(&v->ring, more);
        if (!more)
            break;
    }
    uring_flush(bb);
}

/* BLKDISCARD q's range (block devices whose kernel has no asynchronous
 * discard). Synchronous: discards are rare. */
static int blkdev_discard(struct vbd *v, struct breq *q, int why)
{
    uint64_t range[2] = { q->r.sector * 512, q->r.nr_sectors * 512 };
    static bool said;

    if (!said)
        log_info("asynchronous discard refused (%s): BLKDISCARD instead", strerror(-why));
    said = true;

    return ioctl(v->fd, BLKDISCARD, range) < 0 ? -errno : 0;
}

/* Move q's iovec cursor past `n` transferred bytes. */
static void advance(struct breq *q, size_t n)
{
    q->left -= n;
    q->off += n;
    while (n > 0) {
        struct iovec *io = &q->iov[q->iov_idx];
        if (n >= io->iov_len) {
            n -= io->iov_len;
            q->iov_idx++;
        } else {
            io->iov_base = (char *)io->iov_base + n;
            io->iov_len -= n;
            n = 0;
        }
    }
}

/* Done with q's I/O: reads through bounce buffers wait for their copy out
 * (batched in ring_after_io); everything else is answered. */
static void finish(struct vbd *v, struct breq *q)
{
    v->touched = true;
    if (q->err == 0 && q->r.kind == BLKREQ_READ && q->ncopy) {
        q->next = v->copyout;
        v->copyout = q;
        return;
    }
    complete(v, q);
}

static void requeue(struct blkback *bb, struct vbd *v, struct breq *q)
{
    int r = uring_queue(bb, q);

    if (r < 0) {
        q->err = r;
        finish(v, q);
        return;
    }
    q->submitted = true;
    v->submitted++;
}

void ring_io_done(struct blkback *bb, struct breq *q, int res)
{
    struct vbd *v = q->v;

    q->submitted = false;
    v->submitted--;
    if (res < 0) {
        /* A kernel without asynchronous block discard: BLKDISCARD. */
        if (q->phase == PH_DISCARD && v->blkdev &&
            (res == -EOPNOTSUPP || res == -EINVAL || res == -ENOTTY))
            res = blkdev_discard(v, q, res);
        q->err = res == -EOPNOTSUPP && q->phase != PH_DISCARD ? -EIO : res;
        finish(v, q);
        return;
    }
    switch (q->phase) {
    case PH_IO:
        if ((size_t)res > q->left || (res == 0 && q->left > 0)) {
            q->err = -EIO; /* past the end of the file: it shrank under us */
            break;
        }
        advance(q, (size_t)res);
        if (q->left > 0) {
            requeue(bb, v, q); /* a short transfer: the rest */
            return;
        }
        if (q->r.kind == BLKREQ_FLUSH || q->r.kind == BLKREQ_BARRIER) {
            q->phase = PH_SYNC;
            requeue(bb, v, q);
            return;
        }
        break;
    case PH_SYNC:
    case PH_DISCARD:
        break;
    }
    finish(v, q);
}

void ring_after_io(struct blkback *bb)
{
    for (struct vbd *v = bb->vbds, *next; v; v = next) {
        next = v->next;
        if (v->copyout) {
            struct breq *list = v->copyout;
            v->copyout = NULL;
            grants_copy_out(bb, v, list);
            for (struct breq *q = list, *n; q; q = n) {
                n = q->next;
                q->next = NULL;
                complete(v, q);
            }
        }
        maybe_run_barrier(bb, v);
        ring_push(bb, v);
        if (v->closing) {
            vbd_drained(bb, v); /* may free v */
            continue;
        }
        if (v->touched) {
            v->touched = false;
            ring_kick(bb, v);
        }
    }
    uring_flush(bb);
}
