/* figures.c: the catalogue of what pvbench measures, each figure with the
 * baseline it is compared with, and the statistics every figure shares.
 * docs/BENCHMARKS.md explains each one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/pvhv_control.h>

#include "benchlib.h"
#include "pvbench.h"

/*
 * In table order. A baseline is the raw-platform cost the pvhv path is
 * built on, or for composite paths the pvhv figure it should be compared
 * with; the raw figures are in units of the raw exit (the unit everything
 * else is paid in), which is its own baseline.
 */
#define FIG(i, l, b, s, n) { .id = i, .label = l, .baseline = b, .side = s, .bytes = n }
struct figure pvbench_figures[] = {
    /* The raw platform: the built-in monitor, no pvhv. */
    FIG("raw.exit", "exit to user space (outl)", "raw.exit", SIDE_RAW, 0),
    FIG("raw.mmio_exit", "MMIO exit to user space (write)", "raw.exit", SIDE_RAW, 0),
    FIG("raw.msr_exit", "MSR exit to user space (wrmsr)", "raw.exit", SIDE_RAW, 0),
    FIG("raw.ioeventfd", "ioeventfd kick (outl, in-kernel)", "raw.exit", SIDE_RAW, 0),
    FIG("raw.cpuid", "cpuid (leaf 0)", "raw.exit", SIDE_RAW, 0),
    FIG("raw.irq_rt", "kick round trip (ioeventfd, thread, MSI)", "raw.exit", SIDE_RAW, 0),
    FIG("host.mmap", "mmap+munmap of a shared page (host)", "host.mmap", SIDE_HOST, 0),
    /* pvhv's paths, timed in a guest. */
    FIG("hc.null", "null hypercall (xen_version)", "raw.exit", SIDE_GUEST, 0),
    FIG("hc.multicall_1", "multicall of 1 null op", "hc.null", SIDE_GUEST, 0),
    FIG("hc.multicall_8", "multicall of 8 null ops", "hc.null", SIDE_GUEST, 0),
    FIG("hc.multicall_32", "multicall of 32 null ops", "hc.null", SIDE_GUEST, 0),
    FIG("trap.wrmsr", "trapped wrmsr (Xen hypercall MSR)", "raw.msr_exit", SIDE_GUEST, 0),
    FIG("trap.cpuid", "cpuid (leaf 0, below pvhv)", "raw.cpuid", SIDE_GUEST, 0),
    FIG("emul.port_write", "scratch register: port write", "raw.exit", SIDE_GUEST, 0),
    FIG("emul.port_read", "scratch register: port read", "raw.exit", SIDE_GUEST, 0),
    FIG("emul.mmio_write", "scratch register: MMIO write", "raw.mmio_exit", SIDE_GUEST, 0),
    FIG("emul.mmio_read", "scratch register: MMIO read", "raw.mmio_exit", SIDE_GUEST, 0),
    FIG("evt.kick_dom0", "guest->dom0 event kick", "raw.ioeventfd", SIDE_GUEST, 0),
    FIG("evt.rt_dom0", "event round trip guest<->dom0", "raw.irq_rt", SIDE_GUEST, 0),
    FIG("evt.rt_guest", "event round trip guest<->guest", "raw.irq_rt", SIDE_GUEST, 0),
    FIG("gnt.copy_64", "grant copy 64 B (guest to guest)", "hc.null", SIDE_GUEST, 64),
    FIG("gnt.copy_512", "grant copy 512 B", "hc.null", SIDE_GUEST, 512),
    FIG("gnt.copy_4k", "grant copy 4 KiB", "hc.null", SIDE_GUEST, 4096),
    FIG("gnt.copy_64k", "grant copy 64 KiB (16 ops)", "hc.null", SIDE_GUEST, 65536),
    FIG("ring.rt", "ring round trip guest<->dom0", "emul.device_rt", SIDE_GUEST, 0),
    FIG("emul.device_rt", "emulated-device round trip (MMIO)", "raw.mmio_exit", SIDE_GUEST, 0),
    FIG("gnt.map_guest", "grant map+unmap (guest maps guest)", "hc.null", SIDE_GUEST, 0),
    /* dom0's side, through libpvctrl. */
    FIG("gnt.map_dom0", "grant map+unmap by dom0 (1 page)", "host.mmap", SIDE_DOM0, 0),
};
const size_t pvbench_nr_figures = sizeof(pvbench_figures) / sizeof(pvbench_figures[0]);

const struct pvbench_target pvbench_targets[] = {
    { "null hypercall / raw exit to user space", "hc.null", 1.10 },
    { "guest->dom0 event kick / raw ioeventfd kick", "evt.kick_dom0", 1.25 },
};
const size_t pvbench_nr_targets = sizeof(pvbench_targets) / sizeof(pvbench_targets[0]);

struct figure *figure_find(const char *id)
{
    for (size_t i = 0; i < pvbench_nr_figures; i++)
        if (!strcmp(pvbench_figures[i].id, id))
            return &pvbench_figures[i];
    return NULL;
}

void figure_set_samples(struct figure *f, double *v, unsigned runs, uint64_t k)
{
    double s[3];

    if (runs > PVBENCH_MAX_RUNS)
        runs = PVBENCH_MAX_RUNS;
    for (unsigned r = 0; r < runs; r++) {
        bench_stats(v + r * k, (size_t)k, s);
        f->run_median[r] = s[1];
    }
    bench_stats(v, (size_t)(runs * k), s);
    f->min = s[0];
    f->median = s[1];
    f->p99 = s[2];
    f->runs = runs;
    f->k = k;
    f->state = FIG_OK;
    f->why[0] = 0;
}

void figures_compute_ratios(void)
{
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        struct figure *f = &pvbench_figures[i], *b = figure_find(f->baseline);
        double bmin = b ? b->min : 0, bmed = b ? b->median : 0;
        bool ok = f->state == FIG_OK && b && b->state == FIG_OK;
        if (f->npaired) { /* dom0 timed a raw baseline between the runs */
            double s[3];
            bench_stats(f->paired, f->npaired, s);
            f->paired_min = s[0];
            f->paired_median = s[1];
            f->paired_p99 = s[2];
        }
        if (f->paired_runs) { /* that, or the guest timed its own */
            bmin = f->paired_min;
            bmed = f->paired_median;
        }
        ok = ok && bmin > 0 && bmed > 0;
        f->ratio = ok ? f->median / bmed : 0;
        f->ratio_min = ok ? f->min / bmin : 0;
    }
}

const char *figure_side_name(enum fig_side s)
{
    switch (s) {
    case SIDE_RAW:
        return "raw platform (built-in monitor)";
    case SIDE_HOST:
        return "host";
    case SIDE_GUEST:
        return "pvhv, timed in a guest";
    case SIDE_DOM0:
        return "pvhv, timed in dom0";
    }
    return "?";
}

const char *figure_state_name(enum fig_state s)
{
    switch (s) {
    case FIG_MISSING:
        return "missing";
    case FIG_OK:
        return "ok";
    case FIG_REFUSED:
        return "refused";
    case FIG_UNAVAILABLE:
        return "unavailable";
    }
    return "?";
}

const char *figure_mode_name(uint32_t mode)
{
    switch (mode) {
    case PVHV_VCPU_MODE_NATIVE:
        return "native";
    case PVHV_VCPU_MODE_EMULATED:
        return "emulated";
    case PVHV_VCPU_MODE_HVM:
        return "hvm";
    default:
        return "unknown";
    }
}

int time_host_op(const struct pvbench_opts *o, struct figure *f, int (*op)(void *), void *arg,
                 const char *what)
{
    enum { CALIBRATE = 8, MIN_K = 16, MAX_K = 100000 };

    double t0 = bench_now_ns();
    for (int i = 0; i < CALIBRATE; i++)
        if (op(arg) < 0)
            goto failed;
    double per = (bench_now_ns() - t0) / CALIBRATE;
    double want = o->run_ms * 1e6 / (per > 1 ? per : 1);
    uint64_t k = want < MIN_K ? MIN_K : want > MAX_K ? MAX_K : (uint64_t)want;
    double *v = malloc(sizeof(double) * o->runs * k);
    if (!v)
        goto failed;
    for (size_t i = 0; i < o->runs * k; i++) {
        double t = bench_now_ns();
        int rc = op(arg);
        v[i] = bench_now_ns() - t;
        if (rc < 0) {
            free(v);
            goto failed;
        }
    }
    figure_set_samples(f, v, o->runs, k);
    free(v);
    return 0;
failed:
    f->state = FIG_UNAVAILABLE;
    snprintf(f->why, sizeof(f->why), "%s failed", what);
    return -1;
}
