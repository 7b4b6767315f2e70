/* domain.h: domains and their vCPUs: lifecycle, states, and the table
 * that maps domids to them. One pvhv process holds every domain. */
#ifndef PVHV_DOMAIN_H
#define PVHV_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include <pvhv/hvm/params.h>
#include <pvhv/pvhv_control.h>

#include "console_log.h"
#include "guest_mem.h"

struct domain;

/* Register state an AP starts from (VCPUOP_initialise). */
struct vcpu_boot_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
};

/*
 * A vCPU: one KVM vCPU and the pvhv thread that runs it. Fields marked
 * (lock) are guarded by the domain's lock; the rest belong to the vCPU
 * thread alone.
 */
struct vcpu {
    struct domain *dom;
    unsigned id;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;
    bool online;             /* (lock) VCPUOP_up done, or vCPU 0 */
    bool parked;             /* (lock) thread waits for the domain to run */
    bool blocked;            /* (lock) inside SCHEDOP_block/poll */
    bool polling;            /* inside SCHEDOP_poll: any event wakes it */
    bool boot_pending;       /* (lock) apply `boot` before the next run */
    bool initialised;        /* (lock) has a boot state (VCPUOP_initialise) */
    struct vcpu_boot_state boot; /* (lock) */
    int wake_fd;             /* eventfd: ends a SCHEDOP_block early */
    int timer_fd;            /* timerfd: the vCPU's singleshot timer */
    uint64_t timer_deadline; /* (lock) timer_fd's deadline, system time; 0 none */
    uint32_t kvm_timer_port; /* (set on own thread, read atomically) KVM runs
                              * the singleshot timer, raising this port;
                              * 0: pvhv does (timer.c) */
    bool kvm_resync;         /* (atomic) bring KVM's view of this vCPU's timer
                              * and runstate up to date before its next run */
    int periodic_fd;         /* timerfd: the vCPU's periodic timer */
    uint8_t upcall_vector;   /* (lock) HVMOP_set_evtchn_upcall_vector, 0 none */
    uint64_t vcpu_info_gpa;  /* registered vcpu_info, 0 = in shared_info */
    int stats_fd;            /* KVM binary stats of this vCPU, or -1 */
    uint64_t insn_stat_off;  /* offset of insn_emulation in stats_fd */
    uint64_t last_insn;      /* (lock) insn_emulation at the last tick */
    uint64_t emulated_since; /* (lock) PVM: start of emulated run, ns */
    uint32_t mode;           /* (lock) PVHV_VCPU_MODE_* seen last tick */
    int32_t rs_state;        /* (lock) RUNSTATE_* */
    uint64_t rs_entry;       /* (lock) system time it entered rs_state */
    uint64_t rs_time[4];     /* (lock) ns spent in each RUNSTATE_* */
    uint64_t rs_area;        /* (lock) guest-virtual runstate area, 0 none */
    uint64_t rs_kvm_want;    /* (lock) the area's guest-physical address for
                              * KVM to keep, 0 none (vcpu.c) */
    uint64_t rs_kvm_gpa;     /* (set on own thread, read atomically) the
                              * area KVM keeps now; 0: pvhv keeps it */
    uint64_t nr_hypercalls;
    uint64_t nr_exits;
};

/* Internal lifecycle (the control protocol reports PVHV_DOMSTATE_*). */
struct domain {
    uint32_t domid;
    char name[PVHV_NAME_MAX];
    uint8_t handle[16];

    pthread_mutex_t lock;
    pthread_cond_t cond;     /* parked count or state changed */
    int refs;                /* (table lock) users + 1 for the table */

    bool kernel_loaded;      /* (lock) */
    bool started;            /* (lock) unpaused at least once */
    bool paused;             /* (lock) */
    bool shutdown;           /* (lock) guest shut down or crashed */
    bool dying;              /* (lock) threads must exit */
    uint32_t shutdown_reason;/* (lock) SHUTDOWN_* */
    uint32_t shutdown_code;  /* (lock) SCHEDOP_shutdown_code, ~0 if none */
    char crash_msg[128];     /* (lock) why pvhv crashed it */
    unsigned nr_parked;      /* (lock) vCPU threads parked */
    uint64_t start_ns;       /* (lock) CLOCK_MONOTONIC of first unpause */

    int vm_fd;
    struct guest_mem mem;
    uint64_t entry32;        /* PVH entry point */
    uint64_t shared_info_gpa;/* 0 until XENMEM_add_to_physmap */
    uint64_t boot_ns;        /* system time 0 for pvclock, CLOCK_MONOTONIC */
    bool kvm_xen;            /* KVM keeps time and upcalls (kvm_xen.c) */
    struct console_log console;
    uint64_t hvm_params[HVM_NR_PARAMS]; /* (lock) HVMOP_get/set_param */

    /* pvclock: guest TSC = host TSC + tsc_offset, at tsc_khz. */
    uint32_t tsc_khz;
    uint32_t tsc_mul;        /* vcpu_time_info.tsc_to_system_mul */
    int8_t tsc_shift;        /* vcpu_time_info.tsc_shift */
    int64_t tsc_offset;

    unsigned nr_vcpus;
    struct vcpu *vcpus;      /* nr_vcpus entries */

    struct evtchn *evtchn;   /* (evtchn_lock) EVTCHN_GUEST_PORTS ports */
    uint16_t *virq_port;     /* (evtchn_lock) [vcpu * NR_VIRQS + virq] */
    struct gnttab *gnttab;   /* grant table state (gnttab.c) */
    struct emul_disk *emul_disk; /* (atomic) the emulated disk or NULL (emul_disk.c) */
};

/*
 * Create a paused domain with `memory_kib` of RAM and `max_vcpus` vCPUs
 * (created now, threads started now and parked). Returns 0 and the
 * domain (one reference, plus the table's) in *out, or -EINVAL (bad
 * sizes), -ENOMEM, -ENOSPC (no free domid), -ENODEV (KVM failed).
 */
int domain_create(const struct pvhv_ctl_create *req, struct domain **out);

/* Find a domain by id and take a reference; NULL if none. */
struct domain *domain_get(uint32_t domid);
void domain_put(struct domain *d);

/* More than the number of domids: "visit them all". */
#define DOMID_MAX_SCAN 0x8000u

/* Visit every domain with domid >= first, in domid order, until fn
 * returns non-zero or max were visited. Returns how many were visited. */
unsigned domain_foreach(uint32_t first, unsigned max,
                        int (*fn)(struct domain *d, void *arg), void *arg);

/* Let the vCPUs run. -EINVAL before a kernel was loaded. */
int domain_unpause(struct domain *d);
/* Stop every vCPU and wait until each is parked. */
int domain_pause(struct domain *d);
/* Remove from the table, stop and join the threads, free everything. The
 * caller's reference is consumed. */
void domain_destroy(struct domain *d);

/* Record a guest shutdown with `reason` (SHUTDOWN_*) and stop the vCPUs.
 * The first shutdown wins; later calls are ignored. */
void domain_shutdown(struct domain *d, uint32_t reason);
/* Crash the domain: shutdown with SHUTDOWN_crash and a message. */
void domain_crash(struct domain *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Fill the control protocol's view of a domain. */
void domain_getinfo(struct domain *d, struct pvhv_ctl_dominfo *info);

/* Make `v` leave KVM_RUN or a blocking wait soon. Call with the lock. */
void vcpu_kick(struct vcpu *v);

/* Monotonic nanoseconds. */
uint64_t now_ns(void);

#endif
