/* blkfront_sync.c: the block frontend's synchronous helpers: a buffer read, written, flushed or discarded, split into requests kept in flight. */
#include "blkfront_priv.h"

static int status_errno(int16_t st)
{
    if (st == BLKIF_RSP_OKAY)
        return 0;
    return st == BLKIF_RSP_EOPNOTSUPP ? -XEN_EOPNOTSUPP : -XEN_EIO;
}

/* Take completions until nothing is in flight or one wait times out; first error kept. */
static int drain_some(struct pvfront_blkfront *bf, int *first)
{
    struct pvfront_blk_done d[16];
    int r = pvfront_blk_poll(bf, d, 16);

    if (r == 0) {
        r = pvfront_blk_wait(bf, PVFRONT_BLK_IO_TIMEOUT_NS);
        if (r < 0)
            return r;
        r = pvfront_blk_poll(bf, d, 16);
    }
    if (r < 0)
        return r;
    for (int i = 0; i < r; i++)
        if (*first == 0)
            *first = status_errno(d[i].status);
    return 0;
}

/* Queue `len` bytes from `sector` in as many requests as it takes, keep them flowing, drain. */
static int sync_io(struct pvfront_blkfront *bf, int op, uint64_t sector, uint8_t *buf, size_t len)
{
    int r = pvfront__blk_usable(bf), first = 0;

    if (r < 0)
        return r;
    if (bf->inflight)
        return -XEN_EBUSY;
    while (len > 0 || bf->inflight) {
        while (len > 0 && first == 0) {
            size_t c = len;
            if (op == BLKIF_OP_READ || op == BLKIF_OP_WRITE) {
                /* What one request carries from here (the buffer's pages without persistent grants). */
                size_t most = (size_t)bf->segs_per_req * PAGE;
                if (!bf->persistent)
                    most -= (uintptr_t)buf & (PAGE - 1);
                if (c > most)
                    c = most;
            } else if (op == BLKIF_OP_DISCARD) {
                /* Large discards in 1 GiB pieces. */
                if (c > (1u << 30))
                    c = 1u << 30;
            }
            r = pvfront_blk_queue(bf, op, sector, buf, c, NULL);
            if (r == -XEN_EAGAIN && bf->inflight)
                break;
            if (r < 0) {
                first = r == -XEN_EAGAIN ? -XEN_ENOSPC : r;
                break;
            }
            sector += c / PVFRONT_BLK_SECTOR;
            if (buf)
                buf += c;
            len -= c;
        }
        if (first)
            len = 0;
        if (!bf->inflight)
            break;
        if ((r = drain_some(bf, &first)) < 0)
            return r;
    }
    return first;
}

int pvfront_blk_read(struct pvfront_blkfront *bf, uint64_t sector, void *buf, size_t len)
{
    if (len == 0)
        return -XEN_EINVAL;
    return sync_io(bf, BLKIF_OP_READ, sector, buf, len);
}

int pvfront_blk_write(struct pvfront_blkfront *bf, uint64_t sector, const void *buf, size_t len)
{
    if (len == 0)
        return -XEN_EINVAL;
    /* Only read from: the request path never writes a buffer it sends. */
    return sync_io(bf, BLKIF_OP_WRITE, sector, (uint8_t *)(uintptr_t)buf, len);
}

int pvfront_blk_flush(struct pvfront_blkfront *bf)
{
    int r = pvfront__blk_usable(bf), first = 0;

    if (r < 0)
        return r;
    if (bf->inflight)
        return -XEN_EBUSY;
    if ((r = pvfront_blk_submit(bf, BLKIF_OP_FLUSH_DISKCACHE, 0, NULL, 0, NULL)) < 0)
        return r;
    while (bf->inflight)
        if ((r = drain_some(bf, &first)) < 0)
            return r;
    return first;
}

int pvfront_blk_discard(struct pvfront_blkfront *bf, uint64_t sector, uint64_t nr_sectors)
{
    if (nr_sectors == 0 || nr_sectors > SIZE_MAX / PVFRONT_BLK_SECTOR)
        return -XEN_EINVAL;
    return sync_io(bf, BLKIF_OP_DISCARD, sector, NULL, (size_t)nr_sectors * PVFRONT_BLK_SECTOR);
}
