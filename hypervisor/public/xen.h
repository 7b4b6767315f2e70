/* SPDX-License-Identifier: MIT */
/*
 * xen.h: the core of the hypercall ABI: base types, hypercall numbers,
 * domain ids, VIRQs, multicall entries and the shared_info page.
 *
 * pvhv offers the x86_64 PVH flavour of Xen's ABI. Names, numbers and
 * layouts here match Xen's public headers (checked by tests/abi), so guest
 * code written for Xen ports with little change. Only what pvhv implements
 * or reserves is declared; a number Xen retired keeps its gap.
 *
 * Calling convention (x86_64, as on Xen): hypercall number in rax, arguments
 * in rdi, rsi, rdx, r10, r8; result in rax. A negative result is a Xen errno
 * (errno.h). How the call reaches pvhv is in pvhv_hypercall.h.
 */
#ifndef PVHV_PUBLIC_XEN_H
#define PVHV_PUBLIC_XEN_H

#include "pvhv_abi.h"

/* ------------------------------------------------------------------------
 * Base types (x86_64)
 * ------------------------------------------------------------------------ */

/* A machine word as the ABI sees it: 64 bits on x86_64. */
typedef uint64_t xen_ulong_t;

/* A guest frame number (guest physical address >> 12). */
typedef uint64_t xen_pfn_t;

/* A domain id. 0 is the control domain; see DOMID_* for reserved ids. */
typedef uint16_t domid_t;

/* Pages are 4 KiB everywhere in this ABI. */
#define XEN_PAGE_SHIFT 12
#define XEN_PAGE_SIZE  4096

/*
 * Guest handles: a guest virtual address inside a hypercall argument.
 *
 * Xen declares these as plain pointers on x86. pvhv wraps the pointer in a
 * union with its 64-bit value: a guest sets `.p` (set_xen_guest_handle),
 * pvhv reads `.addr` and translates it through its guest-memory checker, so
 * hypervisor code can never dereference a guest pointer by accident. The
 * size (8) and alignment (8) are those of Xen's pointer.
 */
#define __DEFINE_XEN_GUEST_HANDLE(name, type)             \
    typedef union {                                       \
        type *p;       /* guest view: the pointer */      \
        uint64_t addr; /* hypervisor view: its value */   \
    } pvhv_guest_handle_##name
#define DEFINE_XEN_GUEST_HANDLE(name)        \
    __DEFINE_XEN_GUEST_HANDLE(name, name);   \
    __DEFINE_XEN_GUEST_HANDLE(const_##name, const name)
#define XEN_GUEST_HANDLE(name)    pvhv_guest_handle_##name
#define XEN_GUEST_HANDLE_64(name) XEN_GUEST_HANDLE(name)
/* Point handle `hnd` at guest object `val`. */
#define set_xen_guest_handle(hnd, val) do { (hnd).p = (val); } while (0)

__DEFINE_XEN_GUEST_HANDLE(char, char);
__DEFINE_XEN_GUEST_HANDLE(const_char, const char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
__DEFINE_XEN_GUEST_HANDLE(int, int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
__DEFINE_XEN_GUEST_HANDLE(void, void);
__DEFINE_XEN_GUEST_HANDLE(const_void, const void);
DEFINE_XEN_GUEST_HANDLE(uint8_t);
DEFINE_XEN_GUEST_HANDLE(uint32_t);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
PVHV_ABI_SIZE(XEN_GUEST_HANDLE(void), 8);

/* ------------------------------------------------------------------------
 * Hypercall numbers (rax). Numbers are never reused.
 * pvhv implements the ones marked [pvhv]; every other number answers
 * -ENOSYS. Numbers 11 and 43..47 are unassigned in Xen as well.
 * ------------------------------------------------------------------------ */
#define __HYPERVISOR_set_trap_table        0  /* PV only */
#define __HYPERVISOR_mmu_update            1  /* PV only */
#define __HYPERVISOR_set_gdt               2  /* PV only */
#define __HYPERVISOR_stack_switch          3  /* PV only */
#define __HYPERVISOR_set_callbacks         4  /* PV only */
#define __HYPERVISOR_fpu_taskswitch        5  /* PV only */
#define __HYPERVISOR_sched_op_compat       6  /* retired form of sched_op */
#define __HYPERVISOR_platform_op           7  /* dom0 platform control */
#define __HYPERVISOR_set_debugreg          8  /* PV only */
#define __HYPERVISOR_get_debugreg          9  /* PV only */
#define __HYPERVISOR_update_descriptor    10  /* PV only */
#define __HYPERVISOR_memory_op            12  /* [pvhv] memory.h */
#define __HYPERVISOR_multicall            13  /* [pvhv] batch of calls */
#define __HYPERVISOR_update_va_mapping    14  /* PV only */
#define __HYPERVISOR_set_timer_op         15  /* [pvhv] one-shot timer */
#define __HYPERVISOR_event_channel_op_compat 16 /* retired form */
#define __HYPERVISOR_xen_version          17  /* [pvhv] version.h */
#define __HYPERVISOR_console_io           18  /* [pvhv] CONSOLEIO_* */
#define __HYPERVISOR_physdev_op_compat    19  /* retired form */
#define __HYPERVISOR_grant_table_op       20  /* [pvhv] grant_table.h */
#define __HYPERVISOR_vm_assist            21  /* PV only */
#define __HYPERVISOR_update_va_mapping_otherdomain 22 /* PV only */
#define __HYPERVISOR_iret                 23  /* PV only */
#define __HYPERVISOR_vcpu_op              24  /* [pvhv] vcpu.h */
#define __HYPERVISOR_set_segment_base     25  /* PV only */
#define __HYPERVISOR_mmuext_op            26  /* PV only */
#define __HYPERVISOR_xsm_op               27  /* security modules */
#define __HYPERVISOR_nmi_op               28  /* NMI callbacks */
#define __HYPERVISOR_sched_op             29  /* [pvhv] sched.h */
#define __HYPERVISOR_callback_op          30  /* PV only */
#define __HYPERVISOR_xenoprof_op          31  /* profiling */
#define __HYPERVISOR_event_channel_op     32  /* [pvhv] event_channel.h */
#define __HYPERVISOR_physdev_op           33  /* physical devices */
#define __HYPERVISOR_hvm_op               34  /* [pvhv] hvm/hvm_op.h */
#define __HYPERVISOR_sysctl               35  /* toolstack, system-wide */
#define __HYPERVISOR_domctl               36  /* toolstack, per domain */
#define __HYPERVISOR_kexec_op             37
#define __HYPERVISOR_tmem_op              38  /* retired */
#define __HYPERVISOR_argo_op              39
#define __HYPERVISOR_xenpmu_op            40
#define __HYPERVISOR_dm_op                41  /* device-model ops */
#define __HYPERVISOR_hypfs_op             42
/* Architecture-specific hypercalls. */
#define __HYPERVISOR_arch_0               48
#define __HYPERVISOR_arch_1               49
#define __HYPERVISOR_arch_2               50
#define __HYPERVISOR_arch_3               51
#define __HYPERVISOR_arch_4               52
#define __HYPERVISOR_arch_5               53
#define __HYPERVISOR_arch_6               54
#define __HYPERVISOR_arch_7               55

/* ------------------------------------------------------------------------
 * Virtual interrupts (bind with EVTCHNOP_bind_virq).
 * "per vCPU" VIRQs are bound once for each vCPU; "global" ones once per
 * domain. pvhv raises VIRQ_TIMER and VIRQ_CONSOLE.
 * ------------------------------------------------------------------------ */
#define VIRQ_TIMER      0  /* per vCPU: the set_timer_op/vcpu timer fired */
#define VIRQ_DEBUG      1  /* per vCPU: dump debug state */
#define VIRQ_CONSOLE    2  /* global: input on the hypervisor console (pvhv: any domain) */
#define VIRQ_DOM_EXC    3  /* global, dom0: a domain shut down or crashed */
#define VIRQ_TBUF       4  /* global, dom0: trace records ready */
#define VIRQ_DEBUGGER   6  /* global, dom0: a domain paused for a debugger */
#define VIRQ_XENOPROF   7  /* per vCPU: profiling sample */
#define VIRQ_CON_RING   8  /* global, dom0: hypervisor console ring data */
#define VIRQ_PCPU_STATE 9  /* global, dom0: a physical CPU changed state */
#define VIRQ_MEM_EVENT  10 /* global, dom0: a memory event happened */
#define VIRQ_ARGO       11 /* global: Argo message arrived */
#define VIRQ_ENOMEM     12 /* global, dom0: hypervisor low on memory */
#define VIRQ_XENPMU     13 /* per vCPU: PMU interrupt */
#define VIRQ_ARCH_0     16 /* architecture-specific VIRQs 16..23 */
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24 /* VIRQ numbers are below this */

/* ------------------------------------------------------------------------
 * console_io(cmd, count, buffer): the hypervisor's debug console.
 *   CONSOLEIO_write: write `count` bytes from guest `buffer`. Returns 0 or
 *     a negative errno (-EFAULT for a bad buffer). pvhv sends the bytes to
 *     the domain's console log.
 *   CONSOLEIO_read: read up to `count` bytes of console input into
 *     `buffer`. Returns the number of bytes read (0: none waiting). On Xen
 *     only dom0 has this console; pvhv gives every domain its own (input
 *     typed with pvhv's PVHV_CTL_CONSOLE_INPUT) and raises VIRQ_CONSOLE
 *     when input arrives.
 * ------------------------------------------------------------------------ */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* ------------------------------------------------------------------------
 * Domain ids. Ids from DOMID_FIRST_RESERVED up are never real domains.
 * ------------------------------------------------------------------------ */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U /* the calling domain */
#define DOMID_IO             0x7FF1U /* owner of I/O memory */
#define DOMID_XEN            0x7FF2U /* the hypervisor itself */
#define DOMID_COW            0x7FF3U /* owner of shared copy-on-write pages */
#define DOMID_INVALID        0x7FF4U /* "no domain" */
#define DOMID_IDLE           0x7FFFU /* the idle domain */
#define DOMID_MASK           0x7FFFU /* valid bits of a domain id */

/* ------------------------------------------------------------------------
 * multicall(entries, nr): run `nr` hypercalls in one exit.
 *
 * 1. Each entry is executed in order; its result goes in `result`.
 * 2. An entry that fails does not stop the batch: check every `result`.
 * 3. A multicall inside a multicall answers -EINVAL in that entry.
 * 4. The call returns 0 once the batch ran, or a negative errno if the
 *    array itself cannot be read (-EFAULT).
 * ------------------------------------------------------------------------ */
struct multicall_entry {
    xen_ulong_t op;      /* IN: hypercall number */
    xen_ulong_t result;  /* OUT: that hypercall's return value */
    xen_ulong_t args[6]; /* IN: its arguments, in register order */
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);
PVHV_ABI_SIZE(struct multicall_entry, 64);
PVHV_ABI_OFFSET(struct multicall_entry, result, 8);
PVHV_ABI_OFFSET(struct multicall_entry, args, 16);

/* ------------------------------------------------------------------------
 * Time: vcpu_time_info (the pvclock record) and the wallclock.
 *
 * Written by pvhv, read by the guest. pvhv makes `version` odd before an
 * update and even after it; a guest copies the record and retries while
 * the version was odd or changed across the copy.
 *
 * System time in ns since the domain booted, at TSC value `now`:
 *   delta = now - tsc_timestamp;
 *   delta = tsc_shift >= 0 ? delta << tsc_shift : delta >> -tsc_shift;
 *   time  = system_time + ((delta * tsc_to_system_mul) >> 32);
 * ------------------------------------------------------------------------ */
struct vcpu_time_info {
    uint32_t version;           /* odd while pvhv updates the record */
    uint32_t pad0;              /* reserved, zero */
    uint64_t tsc_timestamp;     /* TSC when system_time was sampled */
    uint64_t system_time;       /* ns since domain boot at tsc_timestamp */
    uint32_t tsc_to_system_mul; /* ns per TSC tick as a 32.32 fixed point */
    int8_t tsc_shift;           /* pre-scale of the TSC delta (see above) */
    uint8_t flags;              /* XEN_PVCLOCK_* */
    uint8_t pad1[2];            /* reserved, zero */
};
typedef struct vcpu_time_info vcpu_time_info_t;
PVHV_ABI_SIZE(struct vcpu_time_info, 32);
PVHV_ABI_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
PVHV_ABI_OFFSET(struct vcpu_time_info, system_time, 16);
PVHV_ABI_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
PVHV_ABI_OFFSET(struct vcpu_time_info, tsc_shift, 28);
PVHV_ABI_OFFSET(struct vcpu_time_info, flags, 29);

/* The TSC is synchronised across vCPUs: readings never go backwards. */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
/* The domain was paused; a watchdog should not count the gap. */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1)

/* ------------------------------------------------------------------------
 * vcpu_info: per-vCPU event and time state, 64 bytes.
 *
 * Lives in shared_info for vCPUs below XEN_LEGACY_MAX_VCPUS, or wherever
 * the guest put it with VCPUOP_register_vcpu_info.
 * ------------------------------------------------------------------------ */
/* x86_64 part of vcpu_info. */
struct arch_vcpu_info {
    uint64_t cr2; /* PV only: faulting address; unused on PVH */
    uint64_t pad; /* reserved, keeps vcpu_info at 64 bytes */
};
typedef struct arch_vcpu_info arch_vcpu_info_t;
PVHV_ABI_SIZE(struct arch_vcpu_info, 16);

struct vcpu_info {
    /*
     * Set to 1 by pvhv when an event for this vCPU is pending; the guest
     * clears it before scanning evtchn_pending_sel, so an event that
     * arrives during the scan raises it again.
     */
    uint8_t evtchn_upcall_pending;
    /*
     * Written by the guest. Xen honours it for PV vCPUs only; a PVH
     * vCPU's upcall is an interrupt, held off by RFLAGS.IF, and pvhv
     * does the same: it never reads this byte.
     */
    uint8_t evtchn_upcall_mask;
    uint8_t pad0; /* reserved */
    /*
     * One bit per word of shared_info.evtchn_pending holding a pending,
     * unmasked port bound to this vCPU. Set by pvhv, cleared by the guest
     * with an atomic exchange.
     */
    xen_ulong_t evtchn_pending_sel;
    struct arch_vcpu_info arch; /* x86_64 part */
    struct vcpu_time_info time; /* pvclock record, written by pvhv */
};
typedef struct vcpu_info vcpu_info_t;
PVHV_ABI_SIZE(struct vcpu_info, 64);
PVHV_ABI_OFFSET(struct vcpu_info, evtchn_upcall_mask, 1);
PVHV_ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, 8);
PVHV_ABI_OFFSET(struct vcpu_info, arch, 16);
PVHV_ABI_OFFSET(struct vcpu_info, time, 32);

/* ------------------------------------------------------------------------
 * shared_info: one page per domain, shared between pvhv and the guest.
 *
 * The guest places it with XENMEM_add_to_physmap (XENMAPSPACE_shared_info).
 * Event bits: port p is bit p % 64 of word p / 64. pvhv sets pending bits;
 * the guest clears them. The guest owns the mask bits. A port whose mask
 * bit is set stays pending but raises no upcall.
 * ------------------------------------------------------------------------ */
/* vCPUs whose vcpu_info lives in shared_info. */
#define XEN_LEGACY_MAX_VCPUS 32
/* Ports of the 2-level event channel ABI: 64 words of 64 bits. */
#define NR_EVENT_CHANNELS (64 * 64)

/* x86_64 part of shared_info. PV-only p2m fields; unused on PVH. */
struct arch_shared_info {
    uint64_t max_pfn;                    /* PV only */
    xen_pfn_t pfn_to_mfn_frame_list_list; /* PV only */
    uint64_t nmi_reason;                 /* PV only */
    uint64_t p2m_cr3;                    /* PV only */
    uint64_t p2m_vaddr;                  /* PV only */
    uint64_t p2m_generation;             /* PV only */
};
typedef struct arch_shared_info arch_shared_info_t;
PVHV_ABI_SIZE(struct arch_shared_info, 48);

struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS]; /* see vcpu_info */
    xen_ulong_t evtchn_pending[64]; /* pending bit per port; pvhv sets */
    xen_ulong_t evtchn_mask[64];    /* mask bit per port; guest owns */
    /*
     * Wallclock at system time 0: seconds since the Unix epoch in
     * wc_sec_hi:wc_sec, plus wc_nsec. wc_version is odd during an update,
     * as vcpu_time_info.version is.
     */
    uint32_t wc_version;
    uint32_t wc_sec;    /* low 32 bits of the seconds */
    uint32_t wc_nsec;   /* nanoseconds, below 10^9 */
    uint32_t wc_sec_hi; /* high 32 bits of the seconds */
    struct arch_shared_info arch; /* x86_64 part */
};
typedef struct shared_info shared_info_t;
PVHV_ABI_SIZE(struct shared_info, 3136);
PVHV_ABI_OFFSET(struct shared_info, evtchn_pending, 2048);
PVHV_ABI_OFFSET(struct shared_info, evtchn_mask, 2560);
PVHV_ABI_OFFSET(struct shared_info, wc_version, 3072);
PVHV_ABI_OFFSET(struct shared_info, wc_sec_hi, 3084);
PVHV_ABI_OFFSET(struct shared_info, arch, 3088);
_Static_assert(sizeof(struct shared_info) <= XEN_PAGE_SIZE,
               "shared_info must fit in one page");

#endif /* PVHV_PUBLIC_XEN_H */
