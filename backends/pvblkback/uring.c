/* uring.c: the disk I/O, all through one io_uring shared by every device:
 * readv/writev straight from and into the guest's pages (persistent
 * grants) or bounce buffers, fdatasync for flushes and barriers, hole
 * punching for discards. Completions are announced on an eventfd the loop
 * watches. A device whose disk hangs keeps only its own requests waiting. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "pvblkback.h"

/* Linux 6.12's asynchronous discard of a block device (uapi linux/fs.h;
 * Debian 12's headers predate it): IORING_OP_URING_CMD with the byte
 * range in addr and addr3. Older kernels refuse it; ring.c then falls back
 * to BLKDISCARD. */
#ifndef BLOCK_URING_CMD_DISCARD
#define BLOCK_URING_CMD_DISCARD _IO(0x12, 0)
#endif

int uring_init(struct blkback *bb)
{
    struct io_uring_params p;
    int r;

    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = BB_URING_ENTRIES * 4;
    r = io_uring_queue_init_params(BB_URING_ENTRIES, &bb->uring, &p);
    if (r < 0)
        return r;
    bb->uring_ok = true;
    if (!(p.features & IORING_FEAT_NODROP))
        log_warn("io_uring without IORING_FEAT_NODROP: completions may be lost under load");
    bb->uring_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (bb->uring_efd < 0)
        return -errno;
    r = io_uring_register_eventfd(&bb->uring, bb->uring_efd);
    return r < 0 ? r : 0;
}

void uring_fini(struct blkback *bb)
{
    if (bb->uring_ok)
        io_uring_queue_exit(&bb->uring);
    bb->uring_ok = false;
    if (bb->uring_efd >= 0)
        close(bb->uring_efd);
    bb->uring_efd = -1;
}

/* A free submission slot, submitting what is queued if there is none. */
static struct io_uring_sqe *get_sqe(struct blkback *bb)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&bb->uring);

    if (!sqe) {
        int r = io_uring_submit(&bb->uring);
        if (r < 0)
            bb->submit_again = true;
        sqe = io_uring_get_sqe(&bb->uring);
    }
    return sqe;
}

int uring_queue(struct blkback *bb, struct breq *q)
{
    struct vbd *v = q->v;
    struct io_uring_sqe *sqe;

    if (!bb->uring_ok || v->fd < 0)
        return -EIO;
    sqe = get_sqe(bb);
    if (!sqe)
        return -EBUSY;
    switch (q->phase) {
    case PH_IO: {
        unsigned cnt = q->r.nseg - q->iov_idx;
        if (q->r.kind == BLKREQ_READ)
            io_uring_prep_readv(sqe, v->fd, &q->iov[q->iov_idx], cnt, q->off);
        else
            io_uring_prep_writev(sqe, v->fd, &q->iov[q->iov_idx], cnt, q->off);
        break;
    }
    case PH_SYNC:
        io_uring_prep_fsync(sqe, v->fd, IORING_FSYNC_DATASYNC);
        break;
    case PH_DISCARD:
        if (v->blkdev) {
            io_uring_prep_rw(IORING_OP_URING_CMD, sqe, v->fd, NULL, 0, 0);
            sqe->cmd_op = BLOCK_URING_CMD_DISCARD;
            sqe->addr = q->off;
            sqe->addr3 = q->left;
        } else {
            io_uring_prep_fallocate(sqe, v->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                    (off_t)q->off, (off_t)q->left);
        }
        break;
    }
    io_uring_sqe_set_data(sqe, q);
    return 0;
}

void uring_flush(struct blkback *bb)
{
    static bool warned;

    bb->submit_again = false;
    if (!bb->uring_ok || io_uring_sq_ready(&bb->uring) == 0)
        return;
    int r = io_uring_submit(&bb->uring);
    if (r >= 0)
        return;
    /* Retried at once after the next round of completions. */
    bb->submit_again = true;
    if (r != -EAGAIN && r != -EBUSY && r != -EINTR && !warned) {
        log_warn("io_uring_submit: %s (retrying)", strerror(-r));
        warned = true;
    }
}

void uring_reap(struct blkback *bb)
{
    struct io_uring_cqe *cqe;
    uint64_t cnt;

    if (!bb->uring_ok)
        return;
    if (read(bb->uring_efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
        log_debug("io_uring eventfd: %s", strerror(errno));
    /* peek (not for_each): it also flushes completions the kernel kept
     * aside when the queue overflowed. */
    while (io_uring_peek_cqe(&bb->uring, &cqe) == 0) {
        struct breq *q = io_uring_cqe_get_data(cqe);
        int res = cqe->res;
        io_uring_cqe_seen(&bb->uring, cqe);
        if (q)
            ring_io_done(bb, q, res);
    }
    ring_after_io(bb);
}
