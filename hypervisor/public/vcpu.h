/* SPDX-License-Identifier: MIT */
/*
 * vcpu.h: sub-ops of vcpu_op(cmd, vcpuid, arg): bring vCPUs up and down,
 * per-vCPU timers, runstate and where vcpu_info lives.
 *
 * pvhv implements the sub-ops marked [pvhv]. VCPUOP_send_nmi,
 * VCPUOP_get_physid and VCPUOP_register_vcpu_time_memory_area answer
 * -ENOSYS, as does any number above 13.
 *
 * Rules for every sub-op:
 * 1. vcpuid names a vCPU of the calling domain; one that does not exist
 *    answers -ENOENT. No sub-op reaches another domain.
 * 2. An argument that cannot be read or written answers -EFAULT.
 * 3. Unless stated otherwise, the call returns 0 on success.
 */
#ifndef PVHV_PUBLIC_VCPU_H
#define PVHV_PUBLIC_VCPU_H

#include "xen.h"

/* ------------------------------------------------------------------------
 * Bringing vCPUs up and down.
 * ------------------------------------------------------------------------ */

/*
 * [pvhv] VCPUOP_initialise: arg points to a vcpu_hvm_context_t
 * (hvm/hvm_vcpu.h), the register state the vCPU starts with. (PV guests
 * pass a vcpu_guest_context instead; pvhv has none.)
 * 1. A vCPU is initialised once: a second call answers -EEXIST. vCPU 0 is
 *    initialised by the domain builder.
 * 2. State pvhv cannot load (bad mode, segment or control register
 *    values) answers -EINVAL.
 * 3. The vCPU does not run until VCPUOP_up.
 */
#define VCPUOP_initialise            0

/*
 * [pvhv] VCPUOP_up: arg is NULL. Make the vCPU runnable. A vCPU that was
 * never initialised answers -EINVAL.
 */
#define VCPUOP_up                    1

/*
 * [pvhv] VCPUOP_down: arg is NULL. Stop the vCPU; it keeps its state and
 * VCPUOP_up resumes it.
 * 1. Asynchronous for another vCPU: the call may return, and VCPUOP_is_up
 *    say 0, while the vCPU is still finishing its current instructions.
 *    Park it in a safe loop first. Done by a vCPU to itself, the call
 *    returns only once that vCPU is brought up again.
 */
#define VCPUOP_down                  2

/* [pvhv] VCPUOP_is_up: arg is NULL. Returns 1 if the vCPU is up, else 0. */
#define VCPUOP_is_up                 3

/* ------------------------------------------------------------------------
 * Runstate: how a vCPU's time has been spent.
 * ------------------------------------------------------------------------ */

/*
 * [pvhv] VCPUOP_get_runstate_info: arg points to a struct
 * vcpu_runstate_info (OUT), a snapshot for vCPU vcpuid.
 */
#define VCPUOP_get_runstate_info     4

/* vcpu_runstate_info.state, and the index into time[]. */
#define RUNSTATE_running  0 /* running on a physical CPU */
#define RUNSTATE_runnable 1 /* ready, waiting for a physical CPU (steal) */
#define RUNSTATE_blocked  2 /* idle: blocked or polling, waiting for events */
#define RUNSTATE_offline  3 /* neither runnable nor blocked: down, paused */

/*
 * Written by pvhv. In the copy registered with
 * VCPUOP_register_runstate_memory_area the guest only reads.
 */
struct vcpu_runstate_info {
    int32_t state;     /* OUT: RUNSTATE_* now */
    uint32_t _pad0;    /* implicit padding in Xen */
    /*
     * OUT: system time (ns, the vcpu_time_info clock) at which the vCPU
     * entered `state`. Bit 63 is XEN_RUNSTATE_UPDATE (below).
     */
    uint64_t state_entry_time;
    /*
     * OUT: ns spent in each RUNSTATE_* so far; their sum follows system
     * time without drift.
     */
    uint64_t time[4];
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);
PVHV_ABI_SIZE(struct vcpu_runstate_info, 48);
PVHV_ABI_OFFSET(struct vcpu_runstate_info, state, 0);
PVHV_ABI_OFFSET(struct vcpu_runstate_info, state_entry_time, 8);
PVHV_ABI_OFFSET(struct vcpu_runstate_info, time, 16);

/*
 * Set in state_entry_time while the hypervisor rewrites the guest's
 * registered copy, for guests that enabled it with vm_assist
 * (VMASST_TYPE_runstate_update_flag). pvhv has no vm_assist and never
 * sets it: a reader re-reads state_entry_time to detect an update.
 */
#define XEN_RUNSTATE_UPDATE ((uint64_t)1 << 63)

/*
 * [pvhv] VCPUOP_register_runstate_memory_area: arg points to a struct
 * vcpu_register_runstate_memory_area.
 * 1. addr is a guest virtual address (x86 rule), translated when the call
 *    is made. pvhv writes a vcpu_runstate_info there each time the vCPU
 *    is scheduled in, so the copy always shows RUNSTATE_running with
 *    state_entry_time the moment it last started running. Where KVM has
 *    Xen support KVM writes it instead, also counting the time the host
 *    took the CPU away as runnable (steal time).
 * 2. One area per vCPU; a new call replaces the old one. addr 0 stops
 *    the updates.
 */
#define VCPUOP_register_runstate_memory_area 5
struct vcpu_register_runstate_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_runstate_info_t) h; /* IN: as a handle */
        struct vcpu_runstate_info *v;            /* IN: as a pointer */
        uint64_t p;                              /* IN: as a number */
    } addr; /* IN: guest virtual address of the area */
};
typedef struct vcpu_register_runstate_memory_area
    vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);
PVHV_ABI_SIZE(struct vcpu_register_runstate_memory_area, 8);
PVHV_ABI_OFFSET(struct vcpu_register_runstate_memory_area, addr, 0);

/* ------------------------------------------------------------------------
 * Timers. Each vCPU has one periodic and one single-shot timer; either
 * firing raises VIRQ_TIMER on that vCPU.
 * ------------------------------------------------------------------------ */

/*
 * [pvhv] VCPUOP_set_periodic_timer: arg points to a struct
 * vcpu_set_periodic_timer. A period below 1 ms answers -EINVAL.
 * [pvhv] VCPUOP_stop_periodic_timer: arg is NULL.
 * pvhv starts every vCPU with no periodic timer.
 */
#define VCPUOP_set_periodic_timer    6
#define VCPUOP_stop_periodic_timer   7
struct vcpu_set_periodic_timer {
    uint64_t period_ns; /* IN: period in ns, at least 1000000 */
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);
PVHV_ABI_SIZE(struct vcpu_set_periodic_timer, 8);
PVHV_ABI_OFFSET(struct vcpu_set_periodic_timer, period_ns, 0);

/*
 * [pvhv] VCPUOP_set_singleshot_timer: arg points to a struct
 * vcpu_set_singleshot_timer. Arms the timer, replacing any earlier
 * deadline.
 * 1. Only a vCPU's own timer: vcpuid other than the caller's answers
 *    -EINVAL.
 * 2. A deadline already past fires at once, unless flags has
 *    VCPU_SSHOTTMR_future: then the call answers -ETIME and arms nothing.
 * [pvhv] VCPUOP_stop_singleshot_timer: arg is NULL; same rule 1.
 */
#define VCPUOP_set_singleshot_timer  8
#define VCPUOP_stop_singleshot_timer 9
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns; /* IN: deadline, absolute system time in ns */
    uint32_t flags;          /* IN: VCPU_SSHOTTMR_* */
    uint32_t _pad0;          /* implicit padding in Xen */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);
PVHV_ABI_SIZE(struct vcpu_set_singleshot_timer, 16);
PVHV_ABI_OFFSET(struct vcpu_set_singleshot_timer, timeout_abs_ns, 0);
PVHV_ABI_OFFSET(struct vcpu_set_singleshot_timer, flags, 8);

/* vcpu_set_singleshot_timer.flags */
#define _VCPU_SSHOTTMR_future 0 /* bit number of VCPU_SSHOTTMR_future */
/* Refuse (-ETIME) a deadline that has already passed. */
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

/* ------------------------------------------------------------------------
 * Placing vcpu_info.
 * ------------------------------------------------------------------------ */

/*
 * [pvhv] VCPUOP_register_vcpu_info: arg points to a struct
 * vcpu_register_vcpu_info. Move this vCPU's vcpu_info (xen.h) out of
 * shared_info into a guest page, e.g. per-CPU data; required for vCPUs
 * at or above XEN_LEGACY_MAX_VCPUS.
 * 1. On PVH `mfn` is a guest frame number (gfn) of guest RAM; anything
 *    else answers -EINVAL.
 * 2. The 64-byte vcpu_info must not cross the page: offset above
 *    XEN_PAGE_SIZE - 64 answers -EINVAL.
 * 3. Once per vCPU: a second call answers -EINVAL.
 * 4. pvhv copies the current contents across, then updates only the new
 *    place.
 */
#define VCPUOP_register_vcpu_info   10
struct vcpu_register_vcpu_info {
    uint64_t mfn;    /* IN: frame holding the vcpu_info (a gfn on PVH) */
    uint32_t offset; /* IN: byte offset of the vcpu_info in that frame */
    uint32_t rsvd;   /* reserved, zero */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);
PVHV_ABI_SIZE(struct vcpu_register_vcpu_info, 16);
PVHV_ABI_OFFSET(struct vcpu_register_vcpu_info, mfn, 0);
PVHV_ABI_OFFSET(struct vcpu_register_vcpu_info, offset, 8);
PVHV_ABI_OFFSET(struct vcpu_register_vcpu_info, rsvd, 12);

/* ------------------------------------------------------------------------
 * Not implemented by pvhv (-ENOSYS); declared for source compatibility.
 * ------------------------------------------------------------------------ */

/* VCPUOP_send_nmi: arg is NULL. Xen injects an NMI into the vCPU. */
#define VCPUOP_send_nmi             11

/*
 * VCPUOP_get_physid: arg points to a struct vcpu_get_physid (OUT). Xen
 * reports the physical CPU under a pinned vCPU of the control domain.
 */
#define VCPUOP_get_physid           12
struct vcpu_get_physid {
    uint64_t phys_id; /* OUT: bits 31:0 APIC id, bits 63:32 ACPI id */
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);
PVHV_ABI_SIZE(struct vcpu_get_physid, 8);
PVHV_ABI_OFFSET(struct vcpu_get_physid, phys_id, 0);
/* Split a vcpu_get_physid.phys_id into its two ids. */
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

/*
 * VCPUOP_register_vcpu_time_memory_area: arg points to a struct
 * vcpu_register_time_memory_area. Xen keeps a second copy of the vCPU's
 * vcpu_time_info at this guest virtual address, for user-mode clocks.
 */
#define VCPUOP_register_vcpu_time_memory_area 13
DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_time_info_t) h; /* IN: as a handle */
        struct vcpu_time_info *v;            /* IN: as a pointer */
        uint64_t p;                          /* IN: as a number */
    } addr; /* IN: guest virtual address of the copy */
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);
PVHV_ABI_SIZE(struct vcpu_register_time_memory_area, 8);
PVHV_ABI_OFFSET(struct vcpu_register_time_memory_area, addr, 0);

#endif /* PVHV_PUBLIC_VCPU_H */
