/* backend.h: pvbench's dom0 end of the guest's figures: a thread that
 * answers round trips, serves the benchmark ring and takes the vCPU's mode
 * at every handshake. */
#ifndef PVBENCH_BACKEND_H
#define PVBENCH_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pvbench_proto.h"
#include "pvctrl.h"

#define BACKEND_MAX_SNAPS 256

/* pvhv's view of the measuring guest's vCPU 0 at one handshake. */
struct backend_snap {
    bool ok;          /* pvctrl_vcpu_info answered */
    uint32_t mode;    /* PVHV_VCPU_MODE_* */
    uint64_t insn;    /* KVM's emulated-instruction count */
    double t_ns;      /* when (CLOCK_MONOTONIC) */
    double hook_ns;   /* time spent in on_sync so far (the guest waited) */
};

struct backend {
    /* Set up by the caller before backend_start. */
    struct pvctrl *ctl;           /* the thread's own control handle */
    struct pvctrl_evtchn *evtchn; /* the thread's: rt, ring and sync ports */
    uint32_t domid;               /* the measuring guest */
    int rt_port, ring_port, sync_port; /* dom0's local ports */
    pvbench_back_ring_t ring;     /* attached to the mapped ring page */
    const volatile struct pvbench_control *control; /* the guest's, mapped */
    /* Called at each handshake after the snapshot, before the answer,
     * with a checked copy of the guest's control block. */
    void (*on_sync)(const struct pvbench_control *c, void *arg);
    void *on_sync_arg;
    /* The thread's. Read by the caller only after backend_stop. */
    struct backend_snap snaps[BACKEND_MAX_SNAPS];
    unsigned nsnaps;
    uint64_t served;              /* ring requests answered */
    double hook_ns;               /* time spent in on_sync */
    char err[200];                /* the first thing that went wrong */
    /* Shared. */
    int stop;                     /* (atomic) */
    unsigned progress;            /* (atomic) syncs so far, for the caller */
    pthread_t thread;
    bool started;
};

/* Start the thread; its first act is the guest's go (an event on
 * sync_port). 0 or -errno. */
int backend_start(struct backend *b);

/* Stop it and wait for it. */
void backend_stop(struct backend *b);

#endif /* PVBENCH_BACKEND_H */
