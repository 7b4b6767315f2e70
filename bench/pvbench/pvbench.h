/* pvbench.h: pvbench's pieces: the figures it measures, the options, and
 * one entry point per part (raw platform, pvhv's paths, the reports). */
#ifndef PVBENCH_H
#define PVBENCH_H

#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PVBENCH_MAX_RUNS 9

/* Who measured a figure (the table's groups). */
enum fig_side {
    SIDE_RAW,   /* the built-in monitor's guest (rawvm.c), TSC */
    SIDE_HOST,  /* pvbench itself, on the host, no VM */
    SIDE_GUEST, /* refguest cmd=pvbench in a pvhv domain, TSC */
    SIDE_DOM0,  /* pvbench as dom0 through libpvctrl */
};

enum fig_state {
    FIG_MISSING,     /* not measured (the run stopped before it) */
    FIG_OK,
    FIG_REFUSED,     /* measured in PVM's emulated mode: not reported */
    FIG_UNAVAILABLE, /* the platform cannot do it (why says so) */
};

/* PVM/pvhv view of the vCPU while a guest-side figure ran. */
struct fig_mode {
    bool known;
    uint32_t before, after;      /* PVHV_VCPU_MODE_* */
    double emulated_per_s;       /* KVM's emulated instructions, per second */
    unsigned long probe_ns;      /* the guest's speed probe, slower of two */
};

struct figure {
    /* The catalogue (figures.c). */
    const char *id;       /* stable name: CSV/JSON key, guest line */
    const char *label;    /* the table's words */
    const char *baseline; /* id of the figure it is compared with */
    enum fig_side side;
    uint32_t bytes;       /* payload (grant copies), else 0 */
    /* Results. Times are ns per operation. */
    enum fig_state state;
    char why[320];        /* REFUSED / UNAVAILABLE / MISSING: the reason */
    double min, median, p99;
    unsigned runs;
    uint64_t k;           /* operations per run */
    double run_median[PVBENCH_MAX_RUNS];
    double ratio;         /* median / the baseline's median; 0 if unknown */
    double ratio_min;     /* min / the baseline's min: robust to a noisy host */
    struct fig_mode mode; /* SIDE_GUEST and SIDE_RAW */
    /*
     * The baseline timed again right before each of this figure's runs,
     * on the same CPU, so both see the machine at the same moments: by
     * dom0 in the raw VM for a raw baseline (pvpaths.c; the samples are
     * kept), by the guest itself for a guest baseline (the guest sends
     * the statistics). The ratios use it when it is there.
     */
    double *paired;       /* ns, dom0's samples (raw baselines only) */
    size_t npaired;
    unsigned paired_runs;
    double paired_min, paired_median, paired_p99;
};

extern struct figure pvbench_figures[];
extern const size_t pvbench_nr_figures;

/* The promises: figure `id` over its baseline at most `target`. */
struct pvbench_target {
    const char *what, *id;
    double target;
};
extern const struct pvbench_target pvbench_targets[];
extern const size_t pvbench_nr_targets;

/* The figure called `id`, or NULL. */
struct figure *figure_find(const char *id);

/*
 * figure_set_samples: fill f's statistics from runs x k samples in ns
 * (run r at v[r*k ..]); sorts v. Marks f FIG_OK.
 */
void figure_set_samples(struct figure *f, double *v, unsigned runs, uint64_t k);

/* Compute every figure's ratio to its baseline (both must be FIG_OK). */
void figures_compute_ratios(void);

/* Printable name of a side / a state / a PVHV_VCPU_MODE_*. */
const char *figure_side_name(enum fig_side s);
const char *figure_state_name(enum fig_state s);
const char *figure_mode_name(uint32_t mode);

/*
 * Above this rate of instructions KVM emulated while a figure ran, the
 * vCPU was in PVM's emulated mode: natively, only trapped instructions
 * count (one each, a few microseconds apart: a few hundred thousand a
 * second at most); emulated, every instruction does (~1.4 million a
 * second, ../shared/DESIGN.md).
 */
#define PVBENCH_EMULATED_RATE 700000.0

/*
 * Above this, the guest's speed probe (1000 rounds of a two-instruction
 * loop, refguest.h) ran in PVM's emulator: ~1.4 ms there, under 1 us
 * natively. The rate above misses figures whose time is mostly exits or
 * sleep; the probe does not.
 */
#define PVBENCH_PROBE_NS 100000UL

struct pvbench_opts {
    unsigned runs;     /* runs per figure */
    unsigned run_ms;   /* target length of one run */
    bool quick;
    bool verbose;
    bool unpaired;     /* baselines timed once, before pvhv; no raw VM after */
    int cpu;           /* where measured code runs (cpu.c), -1 anywhere */
    const char *csv, *json, *plot;
    char pvhv[PATH_MAX + 64], guest[PATH_MAX + 64]; /* the daemon, refguest.elf */
};

/* The run's facts, for the reports. */
struct pvbench_host {
    const char *platform; /* "pvm" or "hvm" */
    uint32_t tsc_khz;
    char date[32];        /* UTC, ISO 8601 */
    char kernel[128];     /* uname -r */
    int cpu;              /* the CPU measured code ran on, -1 anywhere */
};

/*
 * cpu.c. cpu_default: the lowest CPU this process may run on (-1 if
 * unknown). cpu_allowed: may it run on `cpu`? cpu_pin_self: run the
 * calling thread on `cpu` only (-1: leave it), saving its mask in *old
 * (may be NULL); cpu_restore_self puts that mask back. cpu_pin_thread: pin
 * the thread of process `pid` called `name` to `cpu`. 0 or -errno.
 */
int cpu_default(void);
bool cpu_allowed(int cpu);
int cpu_pin_self(int cpu, cpu_set_t *old);
void cpu_restore_self(const cpu_set_t *old);
int cpu_pin_thread(pid_t pid, const char *name, int cpu);

/* raw.c: the built-in monitor's figures and the host's own. 0 or -1. */
int raw_measure(const struct pvbench_opts *o, struct pvbench_host *host);

/*
 * raw_time_run: one more run of raw figure `b` (measured by raw_measure,
 * b->k operations) in the raw VM, which stays open for this; the samples
 * (ns) go to out[0 .. b->k-1]. 0, or -1 if the VM is gone or failed.
 * raw_close: close the VM.
 */
int raw_time_run(const struct figure *b, double *out);
void raw_close(void);

/* pvpaths.c: boot pvhv and its guests, measure its paths. 0 or -1. */
int pvpaths_measure(const struct pvbench_opts *o);

/* report.c: the table on stdout; the CSV file. */
void report_table(const struct pvbench_opts *o, const struct pvbench_host *host);
int report_csv(const char *path);

/* json.c: the JSON file (yajl). 0 or -1 with a message printed. */
int report_json(const char *path, const struct pvbench_opts *o,
                const struct pvbench_host *host);

/* plot.c: is gnuplot there? PNG plots into dir. 0 or -1 with a message. */
bool plot_available(void);
int report_plots(const char *dir, const struct pvbench_host *host);

/*
 * Time `op` like the guest does: calibrate K so a run lasts o->run_ms,
 * then o->runs runs of K, one sample per call (ns, CLOCK_MONOTONIC).
 * op returns 0 or -1 (the figure becomes unavailable with `what`).
 */
int time_host_op(const struct pvbench_opts *o, struct figure *f, int (*op)(void *), void *arg,
                 const char *what);

#endif /* PVBENCH_H */
