/* rawvm.h: pvbench's built-in minimal KVM monitor: one VM, one vCPU, the
 * hand-written guest of rawguest.S, and nothing of pvhv. */
#ifndef PVBENCH_RAWVM_H
#define PVBENCH_RAWVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rawguest.h"

struct rawvm {
    int kvm, vm, vcpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem;          /* RAW_MEM_SIZE bytes of guest RAM */
    int efd_kick;          /* ioeventfd on RAW_PORT_KICK, never read */
    int efd_rt;            /* ioeventfd on RAW_PORT_RT, read by `thread` */
    pthread_t thread;      /* answers RAW_PORT_RT kicks with an MSI */
    bool thread_started;
    int stop;              /* (atomic) the thread must end */
    bool pvm;              /* KVM is PVM: the guest switched to native mode */
    uint32_t tsc_khz;      /* the vCPU's TSC rate (KVM_GET_TSC_KHZ) */
    int stats_fd;          /* the vCPU's KVM binary stats, or -1 */
    uint64_t insn_off;     /* offset of insn_emulation in stats_fd */
    char err[256];         /* what went wrong, for the caller to print */
};

/*
 * rawvm_open: create the VM, load the guest and run it until it waits for
 * its first command (on PVM it has switched itself to native mode by
 * then). Returns 0, or -1 with r->err set; the caller closes either way.
 */
int rawvm_open(struct rawvm *r);

/*
 * rawvm_run: have the guest time `count` (at most RAW_MAX_SAMPLES)
 * operations `op` (RAW_OP_*); their TSC deltas are then in
 * rawvm_samples(r)[0 .. count-1]. *emulated gets how many instructions
 * KVM emulated meanwhile (UINT64_MAX if unknown). A guest that makes no
 * progress for 10 s fails the call. Returns 0, or -1 with r->err set.
 */
int rawvm_run(struct rawvm *r, int op, uint64_t count, uint64_t *emulated);

/* The sample area, RAW_MAX_SAMPLES entries. */
const uint32_t *rawvm_samples(const struct rawvm *r);

/* Stop the thread, free everything. Safe on a partly opened VM. */
void rawvm_close(struct rawvm *r);

#endif /* PVBENCH_RAWVM_H */
