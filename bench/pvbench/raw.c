/* raw.c: the raw platform's figures, timed by the built-in monitor's guest
 * (rawvm.c), and the host's own mmap baseline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/pvhv_control.h>

#include "benchlib.h"
#include "pvbench.h"
#include "rawvm.h"

#define CALIBRATE_OPS 16
#define MIN_K 16
#define MAX_K 200000

static const struct {
    const char *id;
    int op;
} raw_ops[] = {
    { "raw.exit", RAW_OP_EXIT },   { "raw.mmio_exit", RAW_OP_MMIO },
    { "raw.ioeventfd", RAW_OP_KICK }, { "raw.cpuid", RAW_OP_CPUID },
    { "raw.irq_rt", RAW_OP_IRQRT },
    /* Last: where KVM keeps this MSR (Hyper-V's) the guest takes #GP and
     * triple-faults, and the VM is rebuilt for nothing else. */
    { "raw.msr_exit", RAW_OP_WRMSR },
};

/* The VM, kept open after raw_measure for raw_time_run. */
static struct rawvm vm;
static bool vm_open;
static int vm_cpu = -1; /* where its vCPU runs, whichever thread runs it */

static void unavailable(struct figure *f, const char *why)
{
    f->state = FIG_UNAVAILABLE;
    snprintf(f->why, sizeof(f->why), "%s", why);
}

/* Calibrate, then o->runs runs of K operations; refuse the figure if the
 * vCPU was emulated meanwhile. */
static int measure(struct rawvm *vm, const struct pvbench_opts *o, struct figure *f, int op)
{
    const double ns_per_tick = 1e6 / vm->tsc_khz;
    const uint32_t *s = rawvm_samples(vm);
    uint64_t emulated, total_emulated = 0;

    if (rawvm_run(vm, op, CALIBRATE_OPS, &emulated) < 0) {
        unavailable(f, vm->err);
        return -1;
    }
    double ticks = 0;
    for (int i = 0; i < CALIBRATE_OPS; i++)
        ticks += s[i];
    double want = o->run_ms * 1e6 / (ticks / CALIBRATE_OPS * ns_per_tick + 1);
    uint64_t k = want < MIN_K ? MIN_K : want > MAX_K ? MAX_K : (uint64_t)want;

    double *v = malloc(sizeof(double) * o->runs * k), wall = 0;
    if (!v) {
        unavailable(f, "out of memory");
        return -1;
    }
    for (unsigned r = 0; r < o->runs; r++) {
        double t0 = bench_now_ns();
        if (rawvm_run(vm, op, k, &emulated) < 0) {
            unavailable(f, vm->err);
            free(v);
            return -1;
        }
        wall += bench_now_ns() - t0;
        total_emulated = emulated == UINT64_MAX || total_emulated == UINT64_MAX
                             ? UINT64_MAX : total_emulated + emulated;
        for (uint64_t i = 0; i < k; i++)
            v[r * k + i] = s[i] * ns_per_tick;
    }
    figure_set_samples(f, v, o->runs, k);
    free(v);

    uint32_t mode = PVHV_VCPU_MODE_HVM;
    f->mode.known = total_emulated != UINT64_MAX;
    f->mode.emulated_per_s = f->mode.known ? total_emulated / (wall / 1e9) : 0;
    /* Natively only the trapping instructions count: one per operation,
     * four for the round trip. Emulated, every instruction of the loop. */
    double per_op = f->mode.known ? (double)total_emulated / (double)(o->runs * k) : 0;
    if (vm->pvm)
        mode = !f->mode.known ? PVHV_VCPU_MODE_UNKNOWN
               : f->mode.emulated_per_s > PVBENCH_EMULATED_RATE || per_op > 8
                   ? PVHV_VCPU_MODE_EMULATED
                   : PVHV_VCPU_MODE_NATIVE;
    f->mode.before = f->mode.after = mode;
    if (mode == PVHV_VCPU_MODE_EMULATED) {
        f->state = FIG_REFUSED;
        snprintf(f->why, sizeof(f->why),
                 "KVM emulated %.0f instructions a second (%.1f per operation) while it ran: "
                 "the raw guest was in PVM's emulated mode, where every instruction costs "
                 "~0.7 us, so the figure says nothing about the platform",
                 f->mode.emulated_per_s, per_op);
    }
    return 0;
}

static int host_mmap(void *arg)
{
    int fd = *(int *)arg;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    if (p == MAP_FAILED)
        return -1;
    return munmap(p, 4096);
}

int raw_time_run(const struct figure *b, double *out)
{
    uint64_t emulated;

    for (size_t i = 0; i < sizeof(raw_ops) / sizeof(raw_ops[0]); i++) {
        if (strcmp(raw_ops[i].id, b->id) != 0)
            continue;
        if (!vm_open || b->state != FIG_OK || !b->k)
            return -1;
        cpu_set_t old;
        cpu_pin_self(vm_cpu, &old);
        int r = rawvm_run(&vm, raw_ops[i].op, b->k, &emulated);
        cpu_restore_self(&old);
        if (r < 0)
            return -1;
        const uint32_t *s = rawvm_samples(&vm);
        for (uint64_t j = 0; j < b->k; j++)
            out[j] = s[j] * 1e6 / vm.tsc_khz;
        return 0;
    }
    return -1;
}

void raw_close(void)
{
    if (vm_open)
        rawvm_close(&vm);
    vm_open = false;
}

int raw_measure(const struct pvbench_opts *o, struct pvbench_host *host)
{
    struct utsname u;
    time_t now = time(NULL);
    int rc = 0;

    strftime(host->date, sizeof(host->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    snprintf(host->kernel, sizeof(host->kernel), "%s", uname(&u) == 0 ? u.release : "?");

    bool open = false;
    cpu_set_t old;
    raw_close();
    vm_cpu = o->cpu;
    cpu_pin_self(o->cpu, &old);
    for (size_t i = 0; i < sizeof(raw_ops) / sizeof(raw_ops[0]); i++) {
        struct figure *f = figure_find(raw_ops[i].id);
        if (!open && rawvm_open(&vm) < 0) {
            fprintf(stderr, "pvbench: the raw platform VM: %s\n", vm.err);
            unavailable(f, vm.err);
            rawvm_close(&vm);
            rc = -1;
            continue;
        }
        open = true;
        host->platform = vm.pvm ? "pvm" : "hvm";
        host->tsc_khz = vm.tsc_khz;
        if (o->verbose)
            fprintf(stderr, "pvbench: %s\n", f->id);
        if (measure(&vm, o, f, raw_ops[i].op) < 0) {
            /* The guest is in an unknown state: a fresh VM for the next. */
            fprintf(stderr, "pvbench: %s: %s\n", f->id, f->why);
            rawvm_close(&vm);
            open = false;
        }
    }
    vm_open = open; /* kept for raw_time_run */

    int fd = memfd_create("pvbench", MFD_CLOEXEC);
    struct figure *f = figure_find("host.mmap");
    if (fd < 0 || ftruncate(fd, 4096) < 0) {
        unavailable(f, strerror(errno));
        rc = -1;
    } else if (time_host_op(o, f, host_mmap, &fd, "mmap") < 0) {
        rc = -1;
    }
    if (fd >= 0)
        close(fd);
    cpu_restore_self(&old);
    return rc;
}
