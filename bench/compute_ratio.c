/* compute_ratio.c: the same integer loop in a pvhv guest and on the host,
 * timed in TSC ticks in the same run; prints the guest/host ratio.
 * Shows the guest runs at native speed (on PVM: in native mode). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compute.h"
#include "pvctrl.h"

#define RUNS 5
#define N 200000000ULL

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Boot `refguest cmd=compute n=N` and return the ticks it printed. */
static int guest_ticks(struct pvctrl *h, const char *guest, uint64_t *ticks)
{
    char cmdline[64], why[256], con[4096] = "";
    uint32_t domid;
    uint64_t off = 0;
    size_t len = 0;
    int r;

    snprintf(cmdline, sizeof(cmdline), "cmd=compute n=%llu", (unsigned long long)N);
    if ((r = pvctrl_domain_create(h, "compute", NULL, 32 * 1024, 1, &domid)) < 0)
        return r;
    if ((r = pvctrl_domain_load(h, domid, guest, NULL, cmdline, why, sizeof(why))) < 0) {
        fprintf(stderr, "load: %s\n", why);
        pvctrl_domain_destroy(h, domid);
        return r;
    }
    pvctrl_domain_unpause(h, domid);
    for (int i = 0; i < 60000 && !strstr(con, "\n"); i++) {
        int n = pvctrl_console_read(h, domid, &off, con + len, sizeof(con) - 1 - len);
        if (n > 0)
            con[len += (size_t)n] = 0;
        else
            usleep(1000);
    }
    pvctrl_domain_destroy(h, domid);
    const char *t = strstr(con, "ticks=");
    if (!t)
        return -EIO;
    *ticks = strtoull(t + 6, NULL, 10);
    return 0;
}

int main(int argc, char **argv)
{
    const char *build = argc > 1 ? argv[1] : "build";
    char pvhv[512], guest[512], rundir[] = "/tmp/pvhv-bench-XXXXXX";
    uint64_t g[RUNS], hst[RUNS];
    struct pvctrl *h;
    pid_t pid;
    int r;

    snprintf(pvhv, sizeof(pvhv), "%s/bin/pvhv", build);
    snprintf(guest, sizeof(guest), "%s/guests/refguest.elf", build);
    if (!mkdtemp(rundir) || (r = pvctrl_start_pvhv(pvhv, rundir, 1, &pid)) < 0 ||
        (r = pvctrl_open(rundir, &h)) < 0) {
        fprintf(stderr, "compute_ratio: cannot start pvhv\n");
        return 1;
    }
    /* Interleave guest and host runs so drift on this shared machine hits
     * both alike. */
    for (int i = 0; i < RUNS; i++) {
        if ((r = guest_ticks(h, guest, &g[i])) < 0) {
            fprintf(stderr, "compute_ratio: guest run failed: %s\n", strerror(-r));
            return 1;
        }
        uint64_t t0 = rdtsc();
        volatile uint64_t sink = refguest_compute(N);
        hst[i] = rdtsc() - t0;
        (void)sink;
    }
    pvctrl_close(h);
    pvctrl_stop_pvhv(pid, 5000);
    rmdir(rundir);
    qsort(g, RUNS, sizeof(g[0]), cmp_u64);
    qsort(hst, RUNS, sizeof(hst[0]), cmp_u64);
    printf("compute loop, n=%llu, %d runs (TSC ticks)\n", (unsigned long long)N, RUNS);
    printf("  %-6s %14s %14s\n", "", "min", "median");
    printf("  %-6s %14" PRIu64 " %14" PRIu64 "\n", "guest", g[0], g[RUNS / 2]);
    printf("  %-6s %14" PRIu64 " %14" PRIu64 "\n", "host", hst[0], hst[RUNS / 2]);
    printf("  guest/host ratio: min %.3f, median %.3f\n", (double)g[0] / (double)hst[0],
           (double)g[RUNS / 2] / (double)hst[RUNS / 2]);
    return 0;
}
