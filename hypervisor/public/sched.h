/* SPDX-License-Identifier: MIT */
/*
 * sched.h: sub-ops of sched_op(cmd, arg): yield, block, poll and shut
 * down the calling domain.
 *
 * pvhv implements SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown,
 * SCHEDOP_poll and SCHEDOP_shutdown_code. SCHEDOP_remote_shutdown,
 * SCHEDOP_watchdog and SCHEDOP_pin_override answer -ENOSYS; their
 * structs are declared so code written for Xen still compiles. The
 * retired sched_op_compat hypercall (xen.h) answers -ENOSYS too.
 *
 * Every sub-op acts on the calling vCPU or its domain. An argument that
 * cannot be read answers -EFAULT.
 */
#ifndef PVHV_PUBLIC_SCHED_H
#define PVHV_PUBLIC_SCHED_H

/* For evtchn_port_t and its guest handle, as in Xen. */
#include "event_channel.h"

/* ------------------------------------------------------------------------
 * Sub-op numbers (first argument of sched_op).
 * ------------------------------------------------------------------------ */

/*
 * [pvhv] SCHEDOP_yield: arg is NULL. Give up the physical CPU; the vCPU
 * stays runnable. Returns 0.
 */
#define SCHEDOP_yield       0

/*
 * [pvhv] SCHEDOP_block: arg is NULL. Sleep until an event is pending for
 * this vCPU or its timer fires.
 * 1. pvhv first clears this vCPU's evtchn_upcall_mask (xen.h vcpu_info)
 *    and then checks evtchn_upcall_pending, so an event that arrived just
 *    before the call is not lost: the call then returns at once.
 * 2. Returns 0.
 */
#define SCHEDOP_block       1

/*
 * [pvhv] SCHEDOP_shutdown: arg points to a struct sched_shutdown. Stop
 * every vCPU of the calling domain and report the reason to the control
 * domain (VIRQ_DOM_EXC).
 * 1. reason above SHUTDOWN_MAX answers -EINVAL.
 * 2. On success the call does not return, except for SHUTDOWN_suspend.
 * 3. SHUTDOWN_suspend: on Xen this returns 1 when the suspend was
 *    cancelled and 0 when the domain resumes elsewhere. pvhv cannot save
 *    a domain, so it returns 1 at once (cancelled) and the domain runs on.
 */
#define SCHEDOP_shutdown    2

/*
 * [pvhv] SCHEDOP_poll: arg points to a struct sched_poll. Sleep until one
 * of the listed event channel ports is pending, or until the timeout.
 * 1. A port counts when its pending bit is set, even if it is masked: this
 *    is how a guest waits on one port with upcalls off.
 * 2. Returns 0 at once if a listed port is already pending; otherwise 0
 *    when one becomes pending or the timeout passes.
 * 3. nr_ports above 128 answers -EINVAL; a port the domain does not have
 *    answers -EINVAL.
 */
#define SCHEDOP_poll        3

/*
 * SCHEDOP_remote_shutdown: arg points to a struct sched_remote_shutdown.
 * Xen lets a device model shut another domain down. pvhv: -ENOSYS.
 */
#define SCHEDOP_remote_shutdown 4

/*
 * [pvhv] SCHEDOP_shutdown_code: arg points to a struct sched_shutdown.
 * Record `reason` without shutting down; a later shutdown that comes from
 * pvhv rather than from the guest (for example a crash) reports this
 * reason instead. reason above SHUTDOWN_MAX answers -EINVAL. Returns 0.
 */
#define SCHEDOP_shutdown_code 5

/*
 * SCHEDOP_watchdog: arg points to a struct sched_watchdog. Xen's domain
 * watchdog timers. pvhv: -ENOSYS.
 */
#define SCHEDOP_watchdog    6

/*
 * SCHEDOP_pin_override: arg points to a struct sched_pin_override. Xen
 * lets the hardware domain pin a vCPU to a physical CPU. pvhv: -ENOSYS.
 */
#define SCHEDOP_pin_override 7

/* ------------------------------------------------------------------------
 * Argument structs.
 * ------------------------------------------------------------------------ */

/* SCHEDOP_shutdown and SCHEDOP_shutdown_code. */
struct sched_shutdown {
    uint32_t reason; /* IN: SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);
PVHV_ABI_SIZE(struct sched_shutdown, 4);
PVHV_ABI_OFFSET(struct sched_shutdown, reason, 0);

/* SCHEDOP_poll. */
struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports; /* IN: array of ports to watch */
    uint32_t nr_ports;                     /* IN: entries in ports */
    uint32_t _pad0;                        /* implicit padding in Xen */
    /*
     * IN: absolute system time (ns since domain boot, the vcpu_time_info
     * clock) at which to give up; 0 waits with no timeout.
     */
    uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);
PVHV_ABI_SIZE(struct sched_poll, 24);
PVHV_ABI_OFFSET(struct sched_poll, ports, 0);
PVHV_ABI_OFFSET(struct sched_poll, nr_ports, 8);
PVHV_ABI_OFFSET(struct sched_poll, timeout, 16);

/* SCHEDOP_remote_shutdown (not implemented). */
struct sched_remote_shutdown {
    domid_t domain_id; /* IN: domain to shut down */
    uint16_t _pad0;    /* implicit padding in Xen */
    uint32_t reason;   /* IN: SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);
PVHV_ABI_SIZE(struct sched_remote_shutdown, 8);
PVHV_ABI_OFFSET(struct sched_remote_shutdown, domain_id, 0);
PVHV_ABI_OFFSET(struct sched_remote_shutdown, reason, 4);

/* SCHEDOP_watchdog (not implemented). */
struct sched_watchdog {
    /*
     * IN: 0 creates a watchdog (the call returns its id); otherwise the
     * id of the watchdog to pet (timeout != 0) or destroy (timeout == 0).
     */
    uint32_t id;
    uint32_t timeout; /* IN: seconds until the domain is shut down */
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);
PVHV_ABI_SIZE(struct sched_watchdog, 8);
PVHV_ABI_OFFSET(struct sched_watchdog, id, 0);
PVHV_ABI_OFFSET(struct sched_watchdog, timeout, 4);

/* SCHEDOP_pin_override (not implemented). */
struct sched_pin_override {
    int32_t pcpu; /* IN: physical CPU to pin to; negative undoes the pin */
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);
PVHV_ABI_SIZE(struct sched_pin_override, 4);
PVHV_ABI_OFFSET(struct sched_pin_override, pcpu, 0);

/* ------------------------------------------------------------------------
 * Shutdown reasons (sched_shutdown.reason), reported to the control
 * domain. pvhv acts on none of them itself; the toolstack decides.
 * ------------------------------------------------------------------------ */
#define SHUTDOWN_poweroff   0 /* the guest is done: destroy the domain */
#define SHUTDOWN_reboot     1 /* destroy the domain and start it again */
#define SHUTDOWN_suspend    2 /* save the domain (pvhv: not supported) */
#define SHUTDOWN_crash      3 /* the guest crashed */
#define SHUTDOWN_watchdog   4 /* a watchdog expired: restart the domain */
/*
 * The guest asks to be reset to its just-created state, keeping its
 * memory and vCPU registers, so it can set up its Xen interfaces afresh
 * (kexec). pvhv reports it like any other reason.
 */
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX        5 /* highest valid reason */

#endif /* PVHV_PUBLIC_SCHED_H */
