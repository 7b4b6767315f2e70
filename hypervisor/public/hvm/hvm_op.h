/* SPDX-License-Identifier: MIT */
/*
 * hvm/hvm_op.h: sub-ops of hvm_op(cmd, arg) a PVH guest uses: HVM
 * parameters, the event channel upcall vector, time.
 *
 * pvhv implements HVMOP_set_param, HVMOP_get_param, HVMOP_get_time and
 * HVMOP_set_evtchn_upcall_vector. HVMOP_pagetable_dying,
 * HVMOP_get_mem_type and HVMOP_guest_request_vm_event answer -ENOSYS
 * (declared for source compatibility), as does every other number.
 *
 * Left out: the structs of HVMOP_altp2m (alternate p2m views for
 * introspection; pvhv has none, only the number is here), HVMOP_xentrace
 * (11), the tools-only HVMOP_set/get_mem_access (12, 13) and the
 * interrupt-wire ops 2..4 that Xen keeps only for old interface
 * versions. Their numbers stay reserved.
 *
 * An argument that cannot be read or written answers -EFAULT.
 */
#ifndef PVHV_PUBLIC_HVM_HVM_OP_H
#define PVHV_PUBLIC_HVM_HVM_OP_H

#include "../xen.h"

/* ------------------------------------------------------------------------
 * [pvhv] HVMOP_set_param, HVMOP_get_param: arg points to a struct
 * xen_hvm_param. Parameter numbers are HVM_PARAM_* in hvm/params.h,
 * which also says which ones pvhv serves.
 *
 * 1. A guest may name only itself (DOMID_SELF or its own id); the control
 *    domain may name any domain. Otherwise -EPERM; an unknown domain
 *    answers -ESRCH.
 * 2. index >= HVM_NR_PARAMS answers -EINVAL.
 * 3. A guest may set only HVM_PARAM_CALLBACK_IRQ on itself; setting any
 *    other parameter answers -EPERM. The control domain sets the rest
 *    while building the domain.
 * ------------------------------------------------------------------------ */
#define HVMOP_set_param           0
#define HVMOP_get_param           1
struct xen_hvm_param {
    domid_t  domid; /* IN: domain, or DOMID_SELF */
    uint16_t pad;   /* reserved, zero */
    uint32_t index; /* IN: HVM_PARAM_* */
    uint64_t value; /* IN (set) / OUT (get): the parameter's value */
};
typedef struct xen_hvm_param xen_hvm_param_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_param_t);
PVHV_ABI_SIZE(struct xen_hvm_param, 16);
PVHV_ABI_OFFSET(struct xen_hvm_param, domid, 0);
PVHV_ABI_OFFSET(struct xen_hvm_param, pad, 2);
PVHV_ABI_OFFSET(struct xen_hvm_param, index, 4);
PVHV_ABI_OFFSET(struct xen_hvm_param, value, 8);

/* ------------------------------------------------------------------------
 * HVMOP_flush_tlbs: arg is NULL. Xen flushes the TLBs of every vCPU of
 * the caller. pvhv: -ENOSYS (a PVH guest flushes with IPIs, as on bare
 * metal).
 * ------------------------------------------------------------------------ */
#define HVMOP_flush_tlbs          5

/* ------------------------------------------------------------------------
 * HVMOP_pagetable_dying: arg points to a struct xen_hvm_pagetable_dying.
 * A hint that a top-level page table is about to be freed, useful only
 * to shadow paging. pvhv uses hardware paging: -ENOSYS, which guests
 * ignore.
 * ------------------------------------------------------------------------ */
#define HVMOP_pagetable_dying     9
struct xen_hvm_pagetable_dying {
    domid_t  domid;  /* IN: must be the caller (DOMID_SELF) */
    uint16_t pad[3]; /* reserved, zero */
    uint64_t gpa;    /* IN: guest physical address of the page table */
};
typedef struct xen_hvm_pagetable_dying xen_hvm_pagetable_dying_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_pagetable_dying_t);
PVHV_ABI_SIZE(struct xen_hvm_pagetable_dying, 16);
PVHV_ABI_OFFSET(struct xen_hvm_pagetable_dying, domid, 0);
PVHV_ABI_OFFSET(struct xen_hvm_pagetable_dying, pad, 2);
PVHV_ABI_OFFSET(struct xen_hvm_pagetable_dying, gpa, 8);

/* ------------------------------------------------------------------------
 * [pvhv] HVMOP_get_time: arg points to a struct xen_hvm_get_time.
 * Returns the current system time: ns since the domain booted, the same
 * clock vcpu_time_info (xen.h) describes.
 * ------------------------------------------------------------------------ */
#define HVMOP_get_time            10
struct xen_hvm_get_time {
    uint64_t now; /* OUT: system time in ns */
};
typedef struct xen_hvm_get_time xen_hvm_get_time_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_time_t);
PVHV_ABI_SIZE(struct xen_hvm_get_time, 8);
PVHV_ABI_OFFSET(struct xen_hvm_get_time, now, 0);

/* ------------------------------------------------------------------------
 * HVMOP_get_mem_type: arg points to a struct xen_hvm_get_mem_type. Xen
 * reports the p2m type of one guest frame (hvmmem_type_t). pvhv:
 * -ENOSYS; guests then treat the frame as RAM.
 * ------------------------------------------------------------------------ */
#define HVMOP_get_mem_type        15

/*
 * Memory types reported by HVMOP_get_mem_type. (Before interface version
 * 4.7, value 3 was called HVMMEM_mmio_write_dm.)
 */
typedef enum {
    HVMMEM_ram_rw,      /* 0: ordinary RAM */
    HVMMEM_ram_ro,      /* 1: RAM, guest writes are dropped */
    HVMMEM_mmio_dm,     /* 2: MMIO emulated by a device model */
    HVMMEM_unused,      /* 3: retired, never reported */
    HVMMEM_ioreq_server /* 4: RAM whose writes go to an ioreq server */
} hvmmem_type_t;

struct xen_hvm_get_mem_type {
    domid_t  domid;    /* IN: domain to query */
    uint16_t mem_type; /* OUT: hvmmem_type_t */
    uint16_t pad[2];   /* reserved, zero */
    uint64_t pfn;      /* IN: guest frame number */
};
typedef struct xen_hvm_get_mem_type xen_hvm_get_mem_type_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_mem_type_t);
PVHV_ABI_SIZE(struct xen_hvm_get_mem_type, 16);
PVHV_ABI_OFFSET(struct xen_hvm_get_mem_type, domid, 0);
PVHV_ABI_OFFSET(struct xen_hvm_get_mem_type, mem_type, 2);
PVHV_ABI_OFFSET(struct xen_hvm_get_mem_type, pad, 4);
PVHV_ABI_OFFSET(struct xen_hvm_get_mem_type, pfn, 8);

/* ------------------------------------------------------------------------
 * [pvhv] HVMOP_set_evtchn_upcall_vector: arg points to a struct
 * xen_hvm_evtchn_upcall_vector. Deliver event channel upcalls for one
 * vCPU as an interrupt on `vector` of that vCPU's local APIC.
 *
 * 1. Per vCPU, and takes precedence over the domain-wide
 *    HVM_PARAM_CALLBACK_IRQ for that vCPU. Linux sets it on every vCPU.
 * 2. Acts on the caller's own vCPUs; a vcpu that does not exist answers
 *    -ENOENT.
 * 3. vector below 0x10 answers -EINVAL.
 * 4. The upcall is edge-like: the guest acknowledges it at the local
 *    APIC (EOI) and then scans vcpu_info (xen.h) as usual.
 * ------------------------------------------------------------------------ */
#define HVMOP_set_evtchn_upcall_vector 23
struct xen_hvm_evtchn_upcall_vector {
    uint32_t vcpu;     /* IN: vCPU id */
    uint8_t  vector;   /* IN: interrupt vector, 0x10..0xff */
    uint8_t  _pad0[3]; /* implicit padding in Xen */
};
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_evtchn_upcall_vector_t);
PVHV_ABI_SIZE(struct xen_hvm_evtchn_upcall_vector, 8);
PVHV_ABI_OFFSET(struct xen_hvm_evtchn_upcall_vector, vcpu, 0);
PVHV_ABI_OFFSET(struct xen_hvm_evtchn_upcall_vector, vector, 4);

/* ------------------------------------------------------------------------
 * HVMOP_guest_request_vm_event: arg must be NULL. Xen passes the request
 * to a VM-event monitor in the control domain. pvhv: -ENOSYS.
 * ------------------------------------------------------------------------ */
#define HVMOP_guest_request_vm_event 24

/* HVMOP_altp2m: alternate p2m views. Not declared (see top); -ENOSYS. */
#define HVMOP_altp2m 25

#endif /* PVHV_PUBLIC_HVM_HVM_OP_H */
