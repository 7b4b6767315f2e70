/* fio.c: the jobs, histogram and result line of refguest's small fio, and
 * its synchronous engine (one I/O at a time, for the emulated disk). */
#include <pvfront/xenbus.h>

#include "fio.h"
#include "refguest.h"

const struct fio_job fio_jobs[] = {
    { "seqwrite", 1, FIO_SEQ_BS, 32, 0 },
    { "seqread", 0, FIO_SEQ_BS, 32, 0 },
    { "randread", 0, FIO_RAND_BS, 1, 1 },
    { "randwrite", 1, FIO_RAND_BS, 1, 1 },
    { "randread", 0, FIO_RAND_BS, 32, 1 },
    { "randwrite", 1, FIO_RAND_BS, 32, 1 },
    { "randread", 0, FIO_RAND_BS, 64, 1 },
    { "randwrite", 1, FIO_RAND_BS, 64, 1 },
};
const unsigned int fio_nr_jobs = sizeof fio_jobs / sizeof fio_jobs[0];

int fio_setup(struct fio_run *r)
{
    uint64_t runtime_ms = 2000;

    r->size_mb = 64;
    pvfront_cmdline_get_u64("size_mb", &r->size_mb);
    pvfront_cmdline_get_u64("runtime_ms", &runtime_ms);
    r->runtime_ns = runtime_ms * 1000000ULL;
    r->size = r->size_mb << 20; /* checked against the disk before use */
    r->seqbuf = refguest_disk_take(FIO_SEQ_BS);
    r->randbufs = refguest_disk_take((size_t)FIO_MAX_DEPTH * FIO_RAND_BS);
    if (!r->seqbuf || !r->randbufs) {
        pvfront_printf("fio: not enough free RAM\n");
        return 1;
    }
    /* Anything but zeros, so a sparse file really fills. */
    for (size_t i = 0; i < FIO_SEQ_BS / 8; i++)
        ((uint64_t *)r->seqbuf)[i] = refguest_disk_pattern(7, i * 8);
    for (size_t i = 0; i < (size_t)FIO_MAX_DEPTH * FIO_RAND_BS / 8; i++)
        ((uint64_t *)r->randbufs)[i] = refguest_disk_pattern(8, i * 8);
    return 0;
}

int fio_check_size(const struct fio_run *r, uint64_t disk_bytes, const char *name)
{
    if (r->size_mb == 0 || r->size_mb > disk_bytes >> 20) {
        pvfront_printf("fio: size_mb=%lu does not fit %s (%lu MiB)\n", (unsigned long)r->size_mb,
                       name, (unsigned long)(disk_bytes >> 20));
        return 1;
    }
    return 0;
}

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

void fio_hist_reset(void)
{
    memset(hist, 0, sizeof hist);
    hist_n = 0;
}

void fio_hist_add(uint64_t ns)
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

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

uint64_t fio_rand(uint64_t blocks)
{
    /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (rng * 0x2545F4914F6CDD1DULL) % blocks;
}

void fio_report(const struct fio_job *j, unsigned int depth, uint64_t bytes, uint64_t nios,
                uint64_t ns)
{
    char asked[24] = "";

    if (ns == 0)
        ns = 1;
    if (depth != j->depth)
        pvfront_snprintf(asked, sizeof asked, " asked=%u", j->depth);
    /* Hundredths of MB/s: an emulated disk's writes run well under one. */
    uint64_t cmbs = bytes * 100000 / ns;
    pvfront_printf("fio: %s bs=%s iodepth=%u%s MB/s=%lu.%02lu iops=%lu lat_us p50=%lu p99=%lu\n",
                   j->name, j->bs == FIO_SEQ_BS ? "1M" : "4k", depth, asked,
                   (unsigned long)(cmbs / 100), (unsigned long)(cmbs % 100),
                   (unsigned long)(nios * 1000000000ULL / ns), (unsigned long)(hist_pct(50) / 1000),
                   (unsigned long)(hist_pct(99) / 1000));
}

/* ---- the synchronous engine ---- */

static int run_sync(const struct refguest_blkio *io, const struct fio_job *j,
                    const struct fio_run *r)
{
    uint64_t blocks = r->size / j->bs, next = 0, nios = 0, bytes = 0;
    uint8_t *buf = j->random ? r->randbufs : r->seqbuf;

    fio_hist_reset();
    uint64_t t_start = pvfront_time_ns(), t_end = t_start + r->runtime_ns;
    while (pvfront_time_ns() < t_end && (j->random || next < blocks)) {
        uint64_t off = (j->random ? fio_rand(blocks) : next++) * j->bs;
        uint64_t t0 = pvfront_rdtsc();
        int rc = j->write ? io->write(io->dev, off / 512, buf, j->bs)
                          : io->read(io->dev, off / 512, buf, j->bs);
        if (rc < 0) {
            pvfront_printf("fio: %s error %d %s at offset %lu\n", j->name, rc,
                           pvfront_xs_errname(rc), (unsigned long)off);
            return 1;
        }
        fio_hist_add(pvfront_tsc_to_ns(pvfront_rdtsc() - t0));
        nios++;
        bytes += j->bs;
    }
    fio_report(j, 1, bytes, nios, pvfront_time_ns() - t_start);
    return 0;
}

int fio_run_sync(const struct refguest_blkio *io, const struct fio_run *r)
{
    for (unsigned int i = 0; i < fio_nr_jobs; i++)
        if (run_sync(io, &fio_jobs[i], r))
            return 1;
    return 0;
}
