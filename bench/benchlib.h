/* benchlib.h: what the host halves of the benchmarks share: clocks,
 * sample statistics and reading a guest's console for its result lines. */
#ifndef BENCHLIB_H
#define BENCHLIB_H

#include <stddef.h>
#include <stdint.h>

#include "pvctrl.h"

/* The CPU's time stamp counter (the guest's TSC equals it on PVM). */
static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* CLOCK_MONOTONIC in nanoseconds. */
double bench_now_ns(void);

/*
 * bench_stats: sort v[0..n-1] (n > 0) in place and put its minimum, median
 * (v[n/2]) and 99th percentile (v[n*99/100]) in out[0..2].
 */
void bench_stats(double *v, size_t n, double out[3]);

/* Run a shell command built from `fmt`; its exit status (128 and up when
 * it did not exit). */
int bench_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The build tree `arg` (NULL: "build") as an absolute path into out (`len`
 * bytes): pvctl and the daemons resolve paths from elsewhere. 0, or -1
 * when there is no such directory or the path does not fit.
 */
int bench_build_dir(const char *arg, char *out, size_t len);

/* A domain's hypervisor console as read so far. */
struct bench_console {
    uint32_t domid;
    uint64_t offset;  /* stream offset of the next read */
    size_t len;       /* bytes held in text */
    char text[65536]; /* NUL-terminated; the newest 64 KiB are what pvhv keeps */
};

/* Start reading domain `domid`'s console from its beginning. */
void bench_console_init(struct bench_console *c, uint32_t domid);

/* Read whatever the console has now. Returns the bytes added, or a
 * negative errno. */
int bench_console_poll(struct pvctrl *ctl, struct bench_console *c);

/*
 * bench_console_await: read until a whole line containing `text` has
 * arrived, or `timeout_ms` passed (polling every poll_ms). Returns that
 * occurrence of `text` in c->text, or NULL on timeout.
 */
const char *bench_console_await(struct pvctrl *ctl, struct bench_console *c, const char *text,
                                int timeout_ms, int poll_ms);

#endif /* BENCHLIB_H */
