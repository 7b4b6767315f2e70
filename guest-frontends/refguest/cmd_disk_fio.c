/* cmd_disk_fio.c: `disk op=fio`: a small fio: sequential 1 MiB and random 4 KiB jobs over blkfront, integer statistics. */
#include <pvfront/blkfront.h>

#include "refguest.h"

#define MAX_DEPTH 64
#define SEQ_BS (1u << 20)
#define RAND_BS 4096u

/* ---- latency histogram: log-linear, 32 steps per power of two (about 3%) ---- */

#define SUB 32
#define NBUCKETS (64 + 58 * SUB)

static uint32_t hist[NBUCKETS];
static uint64_t hist_n;

static unsigned int bucket(uint64_t ns)
{
    if (ns < 64)
        return (unsigned int)ns;
    unsigned int e = 63 - (unsigned int)__builtin_clzll(ns); /* >= 6 */
    unsigned int sub = (unsigned int)(ns >> (e - 5)) & (SUB - 1);
    return 64 + (e - 6) * SUB + sub;
}

/* The middle of bucket i, in ns. */
static uint64_t bucket_ns(unsigned int i)
{
    if (i < 64)
        return i;
    unsigned int e = (i - 64) / SUB + 6, sub = (i - 64) % SUB;
    uint64_t lo = (uint64_t)(SUB + sub) << (e - 5);
    return lo + ((1ULL << (e - 5)) >> 1);
}

static void hist_add(uint64_t ns)
{
    hist[bucket(ns)]++;
    hist_n++;
}

/* The pct-th percentile (1..100) in ns. */
static uint64_t hist_pct(unsigned int pct)
{
    uint64_t want = (hist_n * pct + 99) / 100, seen = 0;

    if (want == 0)
        return 0;
    for (unsigned int i = 0; i < NBUCKETS; i++) {
        seen += hist[i];
        if (seen >= want)
            return bucket_ns(i);
    }
    return 0;
}

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

struct job {
    const char *name;
    int op;
    uint32_t bs;
    unsigned int depth;
    int random;
};

static struct io ios[MAX_DEPTH];

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next_rand(void)
{
    /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

/* Queue what fits of io's remaining bytes; 0, or an error other than "ring full". */
static int push_io(struct pvfront_blkfront *bf, const struct job *j, struct io *io)
{
    while (io->queued < io->len) {
        uint32_t c = io->len - io->queued;
        if (c > bf->max_bytes)
            c = bf->max_bytes;
        if (io->queued == 0 && io->parts == 0)
            io->t0 = pvfront_rdtsc();
        int r = pvfront_blk_queue(bf, j->op, (io->off + io->queued) / PVFRONT_BLK_SECTOR,
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
    const struct job *j;
    uint64_t size, blocks, next, t_end;
    unsigned int active;
    uint8_t *seqbuf, *randbufs;
};

/* Start (or restart) slot i with the job's next I/O, if there is one. */
static void start(struct run *c, unsigned int i)
{
    const struct job *j = c->j;
    struct io *io = &ios[i];

    if (j->random ? pvfront_time_ns() >= c->t_end : c->next >= c->size)
        return;
    io->buf = j->random ? c->randbufs + (size_t)i * RAND_BS : c->seqbuf;
    io->off = j->random ? (next_rand() % c->blocks) * j->bs : c->next;
    c->next += j->bs;
    io->len = j->bs;
    io->queued = io->parts = 0;
    io->busy = 1;
    c->active++;
}

static int run(struct pvfront_blkfront *bf, const struct job *j, uint64_t size,
               uint64_t runtime_ns, uint8_t *seqbuf, uint8_t *randbufs)
{
    struct run c = { .j = j, .size = size, .blocks = size / j->bs, .seqbuf = seqbuf,
                     .randbufs = randbufs };
    uint64_t nios = 0, bytes = 0;
    int r;

    memset(hist, 0, sizeof hist);
    hist_n = 0;
    uint64_t t_start = pvfront_time_ns();
    c.t_end = t_start + runtime_ns;
    for (unsigned int i = 0; i < j->depth; i++) {
        ios[i].busy = 0;
        start(&c, i);
    }
    while (c.active) {
        /* Fill the ring as far as it goes, then one kick for the lot. */
        for (unsigned int i = 0; i < j->depth; i++)
            if (ios[i].busy && (r = push_io(bf, j, &ios[i])) < 0)
                return refguest_disk_failed("fio queue", r);
        pvfront_blk_kick(bf);

        struct pvfront_blk_done d[MAX_DEPTH];
        int n = pvfront_blk_poll(bf, d, MAX_DEPTH);
        if (n == 0) {
            if ((r = pvfront_blk_wait(bf, PVFRONT_BLK_IO_TIMEOUT_NS)) < 0)
                return refguest_disk_failed("fio wait", r);
            n = pvfront_blk_poll(bf, d, MAX_DEPTH);
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
            hist_add(pvfront_tsc_to_ns(pvfront_rdtsc() - io->t0));
            nios++;
            bytes += io->len;
            io->busy = 0;
            c.active--;
            start(&c, (unsigned int)(io - ios));
        }
    }
    uint64_t ns = pvfront_time_ns() - t_start;
    if (ns == 0)
        ns = 1;
    /* MB/s as fio's "MB/s": 10^6 bytes a second. */
    pvfront_printf("fio: %s bs=%s iodepth=%u MB/s=%lu iops=%lu lat_us p50=%lu p99=%lu\n",
                   j->name, j->bs == SEQ_BS ? "1M" : "4k", j->depth,
                   (unsigned long)(bytes * 1000 / ns), (unsigned long)(nios * 1000000000ULL / ns),
                   (unsigned long)(hist_pct(50) / 1000), (unsigned long)(hist_pct(99) / 1000));
    return 0;
}

int refguest_disk_fio(const char *vdev)
{
    static struct pvfront_blkfront bf;
    static const struct job jobs[] = {
        { "seqwrite", BLKIF_OP_WRITE, SEQ_BS, 32, 0 },
        { "seqread", BLKIF_OP_READ, SEQ_BS, 32, 0 },
        { "randread", BLKIF_OP_READ, RAND_BS, 1, 1 },
        { "randwrite", BLKIF_OP_WRITE, RAND_BS, 1, 1 },
        { "randread", BLKIF_OP_READ, RAND_BS, 32, 1 },
        { "randwrite", BLKIF_OP_WRITE, RAND_BS, 32, 1 },
        { "randread", BLKIF_OP_READ, RAND_BS, 64, 1 },
        { "randwrite", BLKIF_OP_WRITE, RAND_BS, 64, 1 },
    };
    char name[24];
    uint64_t size_mb = 64, runtime_ms = 2000;

    pvfront_cmdline_get_u64("size_mb", &size_mb);
    pvfront_cmdline_get_u64("runtime_ms", &runtime_ms);
    uint8_t *seqbuf = refguest_disk_take(SEQ_BS);
    uint8_t *randbufs = refguest_disk_take((size_t)MAX_DEPTH * RAND_BS);
    if (!seqbuf || !randbufs) {
        pvfront_printf("fio: not enough free RAM\n");
        return 1;
    }
    /* Anything but zeros, so a sparse file really fills. */
    for (size_t i = 0; i < SEQ_BS / 8; i++)
        ((uint64_t *)seqbuf)[i] = refguest_disk_pattern(7, i * 8);
    for (size_t i = 0; i < (size_t)MAX_DEPTH * RAND_BS / 8; i++)
        ((uint64_t *)randbufs)[i] = refguest_disk_pattern(8, i * 8);

    if (refguest_disk_connect(&bf, vdev, refguest_disk_free(), name, sizeof name))
        return 1;
    uint64_t size = size_mb << 20;
    if (size_mb == 0 || size_mb > bf.sectors >> 11) {
        pvfront_printf("fio: size_mb=%lu does not fit %s (%lu MiB)\n", (unsigned long)size_mb,
                       name, (unsigned long)(bf.sectors >> 11));
        return 1;
    }
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
        if (run(&bf, &jobs[i], size, runtime_ms * 1000000ULL, seqbuf, randbufs))
            return 1;
    refguest_disk_stats(&bf);
    return refguest_disk_disconnect(&bf, name);
}
