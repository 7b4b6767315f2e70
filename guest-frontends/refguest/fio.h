/* fio.h: what refguest's two fio engines share (cmd_disk_fio.c, many
 * requests in flight over blkfront; fio_run_sync, one at a time over any
 * refguest_blkio): the jobs, the options and buffers, the latency
 * histogram, random offsets and the "fio:" line. Integer math only. */
#ifndef REFGUEST_FIO_H
#define REFGUEST_FIO_H

#include <pvfront/pvfront.h>

#define FIO_SEQ_BS (1u << 20)
#define FIO_RAND_BS 4096u
#define FIO_MAX_DEPTH 64

/* One job: the same list for every engine (refguest.h, op=fio). */
struct fio_job {
    const char *name;   /* "seqwrite", "seqread", "randread", "randwrite" */
    int write;
    uint32_t bs;        /* FIO_SEQ_BS or FIO_RAND_BS */
    unsigned int depth; /* asked iodepth */
    int random;         /* 4 KiB-aligned random offsets for runtime_ns; else
                         * each block of [0, size) once in order */
};
extern const struct fio_job fio_jobs[];
extern const unsigned int fio_nr_jobs;

/* A run's options and buffers (fio_setup). */
struct fio_run {
    uint64_t size_mb;    /* size_mb=, 64 */
    uint64_t size;       /* bytes of the disk the jobs cover: size_mb MiB */
    uint64_t runtime_ns; /* each random job's time (runtime_ms=, 2000) */
    uint8_t *seqbuf;     /* FIO_SEQ_BS */
    uint8_t *randbufs;   /* FIO_MAX_DEPTH * FIO_RAND_BS, one block per slot */
};

/*
 * Read size_mb= and runtime_ms= from the command line, take the buffers
 * (refguest_disk_take) and fill them with a pattern (so a sparse file
 * really fills). 0, or 1 after printing why ("fio: ...").
 */
int fio_setup(struct fio_run *r);

/* Does the run's size fit a disk of `disk_bytes` (`name` for the
 * message)? 0, or 1 after printing "fio: size_mb=M does not fit ...". */
int fio_check_size(const struct fio_run *r, uint64_t disk_bytes, const char *name);

/* The latency histogram, log-linear with 32 steps per power of two
 * (percentiles within about 3%). Reset before each job. */
void fio_hist_reset(void);
void fio_hist_add(uint64_t ns);

/* A random block number in [0, blocks) (xorshift64*, the same sequence on
 * every run). */
uint64_t fio_rand(uint64_t blocks);

/*
 * Print the job's line: "fio: NAME bs=B iodepth=D MB/s=X iops=Y lat_us
 * p50=A p99=C", with " asked=N" after iodepth when the engine ran at a
 * depth `depth` other than the job's (a synchronous device: 1). `ns` the
 * job's time, `bytes` and `nios` what completed in it; MB/s is 10^6 bytes a
 * second.
 */
void fio_report(const struct fio_job *j, unsigned int depth, uint64_t bytes, uint64_t nios,
                uint64_t ns);

struct refguest_blkio;
/*
 * Run every job one I/O at a time through `io` (a synchronous device: the
 * depth is 1 whatever the job asks, and the line says so). Sequential jobs
 * also stop after runtime_ns, since such a device may take minutes over
 * the whole size. 0, or 1 after printing "fio: NAME error ...".
 */
int fio_run_sync(const struct refguest_blkio *io, const struct fio_run *r);

#endif /* REFGUEST_FIO_H */
