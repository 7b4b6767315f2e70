/* cmd_disk_fio.c: `disk op=fio`: refguest's small fio over blkfront, many requests in flight (fio.h has the jobs, histogram and line). */
#include <pvfront/blkfront.h>

#include "fio.h"
#include "refguest.h"

/* ---- the engine ---- */

struct io {
    uint8_t *buf;
    uint64_t off;    /* disk byte offset */
    uint32_t len;
    uint32_t queued; /* bytes queued so far */
    uint32_t parts;  /* requests in flight */
    uint32_t busy;
    uint64_t t0;     /* TSC at its first request */
};

static struct io ios[FIO_MAX_DEPTH];

/* Queue what fits of io's remaining bytes; 0, or an error other than "ring full". */
static int push_io(struct pvfront_blkfront *bf, const struct fio_job *j, struct io *io)
{
    int op = j->write ? BLKIF_OP_WRITE : BLKIF_OP_READ;

    while (io->queued < io->len) {
        uint32_t c = io->len - io->queued;
        if (c > bf->max_bytes)
            c = bf->max_bytes;
        if (io->queued == 0 && io->parts == 0)
            io->t0 = pvfront_rdtsc();
        int r = pvfront_blk_queue(bf, op, (io->off + io->queued) / PVFRONT_BLK_SECTOR,
                                  io->buf + io->queued, c, io);
        if (r == -XEN_EAGAIN)
            return 0;
        if (r < 0)
            return r;
        io->queued += c;
        io->parts++;
    }
    return 0;
}

/* One job's run: its I/Os in flight, where the next one goes, when it stops. */
struct run {
    const struct fio_job *j;
    const struct fio_run *r;
    uint64_t blocks, next, t_end;
    unsigned int active;
};

/* Start (or restart) slot i with the job's next I/O, if there is one. */
static void start(struct run *c, unsigned int i)
{
    const struct fio_job *j = c->j;
    struct io *io = &ios[i];

    if (j->random ? pvfront_time_ns() >= c->t_end : c->next >= c->r->size)
        return;
    io->buf = j->random ? c->r->randbufs + (size_t)i * FIO_RAND_BS : c->r->seqbuf;
    io->off = j->random ? fio_rand(c->blocks) * j->bs : c->next;
    c->next += j->bs;
    io->len = j->bs;
    io->queued = io->parts = 0;
    io->busy = 1;
    c->active++;
}

static int run(struct pvfront_blkfront *bf, const struct fio_job *j, const struct fio_run *r)
{
    struct run c = { .j = j, .r = r, .blocks = r->size / j->bs };
    uint64_t nios = 0, bytes = 0;
    int rc;

    fio_hist_reset();
    uint64_t t_start = pvfront_time_ns();
    c.t_end = t_start + r->runtime_ns;
    for (unsigned int i = 0; i < j->depth; i++) {
        ios[i].busy = 0;
        start(&c, i);
    }
    while (c.active) {
        /* Fill the ring as far as it goes, then one kick for the lot. */
        for (unsigned int i = 0; i < j->depth; i++)
            if (ios[i].busy && (rc = push_io(bf, j, &ios[i])) < 0)
                return refguest_disk_failed("fio queue", rc);
        pvfront_blk_kick(bf);

        struct pvfront_blk_done d[FIO_MAX_DEPTH];
        int n = pvfront_blk_poll(bf, d, FIO_MAX_DEPTH);
        if (n == 0) {
            if ((rc = pvfront_blk_wait(bf, PVFRONT_BLK_IO_TIMEOUT_NS)) < 0)
                return refguest_disk_failed("fio wait", rc);
            n = pvfront_blk_poll(bf, d, FIO_MAX_DEPTH);
        }
        if (n < 0)
            return refguest_disk_failed("fio poll", n);
        for (int k = 0; k < n; k++) {
            struct io *io = d[k].cookie;
            if (d[k].status != BLKIF_RSP_OKAY) {
                pvfront_printf("fio: %s error status=%d\n", j->name, d[k].status);
                return 1;
            }
            if (--io->parts || io->queued < io->len)
                continue;
            fio_hist_add(pvfront_tsc_to_ns(pvfront_rdtsc() - io->t0));
            nios++;
            bytes += io->len;
            io->busy = 0;
            c.active--;
            start(&c, (unsigned int)(io - ios));
        }
    }
    fio_report(j, j->depth, bytes, nios, pvfront_time_ns() - t_start);
    return 0;
}

int refguest_disk_fio(const char *vdev)
{
    static struct pvfront_blkfront bf;
    struct fio_run r;
    char name[24];

    /* The buffers first: the disk takes what RAM is left. */
    if (fio_setup(&r) ||
        refguest_disk_connect(&bf, vdev, refguest_disk_free(), name, sizeof name) ||
        fio_check_size(&r, bf.sectors * PVFRONT_BLK_SECTOR, name))
        return 1;
    for (unsigned int i = 0; i < fio_nr_jobs; i++)
        if (run(&bf, &fio_jobs[i], &r))
            return 1;
    refguest_disk_stats(&bf);
    return refguest_disk_disconnect(&bf, name);
}
