/* evtchn_bench.c: event channel and grant costs, each beside its raw
 * platform baseline measured in the same run: a guest's kick to dom0
 * against a bare ioeventfd `out`, a null hypercall against a bare exit to
 * user space, dom0's kick to the guest, grant map+unmap and copy. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvhv/grant_table.h>

#include "benchlib.h"
#include "pvctrl.h"

#define PAGES 64
#define N 2000

static struct pvctrl *ctl;
static struct bench_console con;

/* Read the console until `text` shows up (or 30 s pass). */
static const char *await(const char *text)
{
    const char *p = bench_console_await(ctl, &con, text, 30000, 1);

    if (!p) {
        fprintf(stderr, "evtchn_bench: no '%s' from the guest; console:\n%s\n", text, con.text);
        exit(1);
    }
    return p;
}

static int wait_event(struct pvctrl_evtchn *e)
{
    struct pollfd pfd = { .fd = pvctrl_evtchn_fd(e), .events = POLLIN };
    return poll(&pfd, 1, 10000) == 1 ? pvctrl_evtchn_pending(e) : -1;
}

/* "name=min/median/p99" from the guest's line. */
static void guest_figure(const char *line, const char *name, double out[3])
{
    char key[64];
    snprintf(key, sizeof(key), " %s=", name);
    const char *p = strstr(line, key);
    unsigned long a = 0, b = 0, c = 0;
    if (!p || sscanf(p + strlen(key), "%lu/%lu/%lu", &a, &b, &c) != 3) {
        fprintf(stderr, "evtchn_bench: no %s in '%s'\n", name, line);
        exit(1);
    }
    out[0] = (double)a;
    out[1] = (double)b;
    out[2] = (double)c;
}

static void row(const char *what, const double f[3], const char *base, const double b[3])
{
    printf("  %-34s %9.2f %9.2f %9.2f", what, f[0] / 1000, f[1] / 1000, f[2] / 1000);
    if (b)
        printf("   %5.2fx %s", f[1] / b[1], base);
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *build = argc > 1 ? argv[1] : "build";
    char pvhv[512], guest[512], rundir[] = "/tmp/pvhv-bench-XXXXXX", why[256], cmd[64];
    struct pvctrl_evtchn *e;
    struct pvctrl_gnttab *g;
    static double v[N];
    double raw_exit[3], raw_io[3], send[3], nullhc[3], kick[3], rt[3];
    double map1[3], map64[3], copy4[3], copy64[3];
    uint32_t domid;
    pid_t pid;

    snprintf(pvhv, sizeof(pvhv), "%s/bin/pvhv", build);
    snprintf(guest, sizeof(guest), "%s/guests/refguest.elf", build);
    if (!mkdtemp(rundir) || pvctrl_start_pvhv(pvhv, rundir, 1, &pid) < 0 ||
        pvctrl_open(rundir, &ctl) < 0 || pvctrl_evtchn_open(rundir, &e) < 0 ||
        pvctrl_gnttab_open(rundir, &g) < 0) {
        fprintf(stderr, "evtchn_bench: cannot start pvhv\n");
        return 1;
    }
    snprintf(cmd, sizeof(cmd), "cmd=kickbench n=%d timeout_ms=30000", N);
    if (pvctrl_domain_create(ctl, "kickbench", NULL, 64 * 1024, 1, &domid) < 0 ||
        pvctrl_domain_load(ctl, domid, guest, NULL, cmd, why, sizeof(why)) < 0 ||
        pvctrl_domain_unpause(ctl, domid) < 0) {
        fprintf(stderr, "evtchn_bench: cannot boot the guest: %s\n", why);
        return 1;
    }
    bench_console_init(&con, domid);
    unsigned gport, ref0, pages;
    if (sscanf(await("kickbench: port="), "kickbench: port=%u ref=%u pages=%u", &gport,
               &ref0, &pages) != 3 || pages < PAGES) {
        fprintf(stderr, "evtchn_bench: bad guest line\n");
        return 1;
    }
    int port = pvctrl_evtchn_bind_interdomain(e, domid, gport);
    uint32_t refs[PAGES];
    for (unsigned i = 0; i < PAGES; i++)
        refs[i] = ref0 + i;
    volatile uint64_t *stamp = pvctrl_gnttab_map_grant_refs(g, 1, domid, refs,
                                                            PROT_READ | PROT_WRITE);
    if (port < 0 || !stamp) {
        fprintf(stderr, "evtchn_bench: bind/map failed\n");
        return 1;
    }
    /* Go: the guest times its side; its kicks to us pile up unread. */
    pvctrl_evtchn_notify(e, (uint32_t)port);
    const char *gl = await("kickbench: guest ns");
    guest_figure(gl, "raw_exit", raw_exit);
    guest_figure(gl, "raw_ioeventfd", raw_io);
    guest_figure(gl, "evtchn_send", send);
    guest_figure(gl, "null_hypercall", nullhc);

    /* dom0 -> guest, and the whole round trip from here. The guest's
     * "ready" kick is the last one before the loop. */
    while (pvctrl_evtchn_pending(e) >= 0)
        ;
    await("kickbench: guest ns"); /* (already there) */
    usleep(100000);
    while (pvctrl_evtchn_pending(e) >= 0)
        ;
    for (int i = 0; i < N; i++) {
        double t0 = bench_now_ns();
        *stamp = bench_rdtsc();
        pvctrl_evtchn_notify(e, (uint32_t)port);
        if (wait_event(e) != port) {
            fprintf(stderr, "evtchn_bench: the guest stopped answering\n");
            return 1;
        }
        v[i] = bench_now_ns() - t0;
    }
    bench_stats(v, N, rt);
    guest_figure(await("kickbench: dom0_to_guest"), "kick", kick);

    /* Grant map + unmap of 1 and of 64 pages; copies of 4 KiB and 64 KiB. */
    for (int i = 0; i < N / 4; i++) {
        double t0 = bench_now_ns();
        void *p = pvctrl_gnttab_map_grant_refs(g, 1, domid, &refs[1], PROT_READ | PROT_WRITE);
        if (!p || pvctrl_gnttab_unmap(g, p, 1) < 0)
            return 1;
        v[i] = bench_now_ns() - t0;
    }
    bench_stats(v, N / 4, map1);
    for (int i = 0; i < N / 20; i++) {
        double t0 = bench_now_ns();
        void *p = pvctrl_gnttab_map_grant_refs(g, PAGES, domid, refs, PROT_READ | PROT_WRITE);
        if (!p || pvctrl_gnttab_unmap(g, p, PAGES) < 0)
            return 1;
        v[i] = bench_now_ns() - t0;
    }
    bench_stats(v, N / 20, map64);
    static uint8_t buf[PAGES * 4096];
    struct gnttab_copy ops[16];
    for (int size = 0; size < 2; size++) {
        int nops = size ? 16 : 1;
        for (int k = 0; k < nops; k++)
            ops[k] = (struct gnttab_copy){
                .source = { .u.ref = refs[1 + k], .domid = (domid_t)domid },
                .dest = { .u.gmfn = (uintptr_t)(buf + k * 4096) },
                .len = 4096, .flags = GNTCOPY_source_gref,
            };
        for (int i = 0; i < N / 4; i++) {
            double t0 = bench_now_ns();
            if (pvctrl_gnttab_grant_copy(g, (uint32_t)nops, ops) < 0 || ops[0].status)
                return 1;
            v[i] = bench_now_ns() - t0;
        }
        bench_stats(v, N / 4, size ? copy64 : copy4);
    }
    pvctrl_gnttab_unmap(g, (void *)stamp, 1);
    pvctrl_evtchn_notify(e, (uint32_t)port);
    await("kickbench: done");

    printf("event channels and grants (us: min, median, p99; ratio of medians)\n");
    printf("  raw platform (measured in the guest)\n");
    row("exit to user space (out, no device)", raw_exit, NULL, NULL);
    row("ioeventfd kick (out, in-kernel)", raw_io, NULL, NULL);
    printf("  pvhv\n");
    row("null hypercall (xen_version)", nullhc, "raw exit", raw_exit);
    row("guest->dom0 kick (EVTCHNOP_send)", send, "raw ioeventfd kick", raw_io);
    row("dom0->guest kick (notify to guest)", kick, "raw exit", raw_exit);
    row("dom0->guest->dom0 round trip", rt, "raw exit", raw_exit);
    row("grant map+unmap, 1 page (dom0)", map1, NULL, NULL);
    row("grant map+unmap, 64 pages (dom0)", map64, NULL, NULL);
    row("grant copy 4 KiB (dom0)", copy4, NULL, NULL);
    row("grant copy 64 KiB (dom0, 16 ops)", copy64, NULL, NULL);

    pvctrl_gnttab_close(g);
    pvctrl_evtchn_close(e);
    pvctrl_domain_destroy(ctl, domid);
    pvctrl_close(ctl);
    pvctrl_stop_pvhv(pid, 5000);
    rmdir(rundir);
    return 0;
}
