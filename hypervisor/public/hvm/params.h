/* SPDX-License-Identifier: MIT */
/*
 * hvm/params.h: the HVM parameter numbers read and written with
 * HVMOP_get_param / HVMOP_set_param (hvm/hvm_op.h).
 *
 * pvhv serves the parameters marked [pvhv]: the event channel callback a
 * guest sets, and the xenstore and console rings the control domain sets
 * up when it builds the domain and the guest then reads. pvhv stores any
 * other parameter the control domain sets, without acting on it; get
 * returns the stored value, 0 if never set. Privilege rules and errors
 * are those of HVMOP_set_param (hvm/hvm_op.h).
 *
 * The whole numbered list is kept so numbers are never reused. 3, 7 and
 * 8 are unassigned in Xen too. Left out: the Viridian (Hyper-V
 * enlightenment) feature bits HVMPV_* for HVM_PARAM_VIRIDIAN.
 */
#ifndef PVHV_PUBLIC_HVM_PARAMS_H
#define PVHV_PUBLIC_HVM_PARAMS_H

#include "hvm_op.h"

/* ------------------------------------------------------------------------
 * [pvhv] HVM_PARAM_CALLBACK_IRQ: how event channel upcalls reach the
 * guest when no per-vCPU vector was set (HVMOP_set_evtchn_upcall_vector).
 *
 * Set by the guest. value 0 turns the callback off. Otherwise bits 63:56
 * are an HVM_PARAM_CALLBACK_TYPE_* and bits 55:0 its payload.
 *
 * 1. pvhv supports HVM_PARAM_CALLBACK_TYPE_VECTOR only; GSI and PCI_INTX
 *    answer -EINVAL.
 * 2. With TYPE_VECTOR, pvhv injects the vector into the vCPU the event
 *    is for, as a fixed MSI through that vCPU's local APIC: the guest
 *    must have its LAPIC enabled and must EOI (a no-op on PVM, needed on
 *    VT-x/SVM). This differs from Xen, which injects past the LAPIC with
 *    no EOI; HVMOP_set_evtchn_upcall_vector (the per-vCPU vector, which
 *    Xen also delivers through the LAPIC) behaves the same on both.
 * ------------------------------------------------------------------------ */
#define HVM_PARAM_CALLBACK_IRQ 0
/* The type field of an HVM_PARAM_CALLBACK_IRQ value. */
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK 0xFF00000000000000ULL

/* Payload bits 55:0 are a GSI (not 0, which would read as "off"). */
#define HVM_PARAM_CALLBACK_TYPE_GSI      0
/*
 * Payload is a PCI INTx line: PCI segment in bits 47:32, bus 31:16,
 * devfn 15:8, INTx pin (0 = INTA) 1:0.
 */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1
/* Payload bits 7:0 are an interrupt vector (x86 only). */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR   2

/*
 * pvhv helpers (not in Xen; Linux has its own HVM_CALLBACK_VIA_TYPE_SHIFT
 * and HVM_CALLBACK_VECTOR): build an HVM_PARAM_CALLBACK_IRQ value.
 */
#define PVHV_HVM_CALLBACK_TYPE_SHIFT 56 /* position of the type field */
/* Value selecting upcalls on interrupt vector `vec` (0x10..0xff). */
#define PVHV_HVM_CALLBACK_VECTOR(vec)                               \
    (((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR                      \
      << PVHV_HVM_CALLBACK_TYPE_SHIFT) | (uint64_t)(uint8_t)(vec))

/* ------------------------------------------------------------------------
 * Parameter numbers.
 * ------------------------------------------------------------------------ */
/*
 * [pvhv] xenstore ring: the guest frame number of the xenstore ring page
 * and the event channel port bound to xenstored. Set by the control
 * domain, read by the guest.
 */
#define HVM_PARAM_STORE_PFN    1
#define HVM_PARAM_STORE_EVTCHN 2
/* Deprecated, meaning undefined (Xen's tools see it; guests do not). */
#define HVM_PARAM_PAE_ENABLED  4
/* Frames of a device model's ioreq and buffered ioreq pages. */
#define HVM_PARAM_IOREQ_PFN    5
#define HVM_PARAM_BUFIOREQ_PFN 6
/* Viridian (Hyper-V) enlightenments to offer, a HVMPV_* mask. */
#define HVM_PARAM_VIRIDIAN     9

/* Virtual timer policy for missed ticks, one of HVMPTM_*. */
#define HVM_PARAM_TIMER_MODE   10
#define HVMPTM_delay_for_missed_ticks    0 /* default: replay, time steps */
#define HVMPTM_no_delay_for_missed_ticks 1 /* replay, time follows wallclock */
#define HVMPTM_no_missed_ticks_pending   2 /* drop missed ticks */
#define HVMPTM_one_missed_tick_pending   3 /* collapse missed ticks into one */

/* Boolean: emulate an HPET. */
#define HVM_PARAM_HPET_ENABLED 11
/* Identity-map page directory Intel EPT needs while CR0.PG is 0. */
#define HVM_PARAM_IDENT_PT     12
/* Deprecated, meaning undefined (Xen's tools see it; guests do not). */
#define HVM_PARAM_DM_DOMAIN    13
/* ACPI sleep state of the domain: 0 (S0) or 3 (S3). */
#define HVM_PARAM_ACPI_S_STATE 14
/* TSS Intel needs to run real-mode code while CR0.PE is 0. */
#define HVM_PARAM_VM86_TSS     15
/* Boolean: align periodic virtual timers to cut interrupts. */
#define HVM_PARAM_VPT_ALIGN    16
/*
 * [pvhv] Console ring: the guest frame number of the console ring page
 * (struct xencons_interface) and its event channel port. Set by the
 * control domain, read by the guest.
 */
#define HVM_PARAM_CONSOLE_PFN    17
#define HVM_PARAM_CONSOLE_EVTCHN 18
/*
 * Where the ACPI PM1a and PM timer blocks live: 0 = the old addresses
 * (0x1f40 event, 0x1f44 control, 0x1f48 timer), 1 = QEMU's (0xb000,
 * 0xb004, 0xb008).
 */
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19
/* 20..26: deprecated, meaning undefined (Xen's tools see them). */
#define HVM_PARAM_MEMORY_EVENT_CR0          20
#define HVM_PARAM_MEMORY_EVENT_CR3          21
#define HVM_PARAM_MEMORY_EVENT_CR4          22
#define HVM_PARAM_MEMORY_EVENT_INT3         23
#define HVM_PARAM_NESTEDHVM                 24
#define HVM_PARAM_MEMORY_EVENT_SINGLE_STEP  25
#define HVM_PARAM_BUFIOREQ_EVTCHN           26
/* Frames of the paging, monitor and sharing VM-event rings. */
#define HVM_PARAM_PAGING_RING_PFN   27
#define HVM_PARAM_MONITOR_RING_PFN  28
#define HVM_PARAM_SHARING_RING_PFN  29
/* Deprecated, meaning undefined (Xen's tools see it). */
#define HVM_PARAM_MEMORY_EVENT_MSR  30
/* SHUTDOWN_* (sched.h) reported when the guest triple-faults. */
#define HVM_PARAM_TRIPLE_FAULT_REASON 31
/* First frame and number of frames reserved for ioreq servers. */
#define HVM_PARAM_IOREQ_SERVER_PFN 32
#define HVM_PARAM_NR_IOREQ_SERVER_PAGES 33
/* Guest physical address of the VM Generation ID. */
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34

/* Who may use alternate p2m views, one of XEN_ALTP2M_*. */
#define HVM_PARAM_ALTP2M       35
#define XEN_ALTP2M_disabled      0 /* no altp2m (default) */
#define XEN_ALTP2M_mixed         1 /* guest and tools */
#define XEN_ALTP2M_external      2 /* privileged tools only */
#define XEN_ALTP2M_limited       3 /* guest: VMFUNC and #VE control only */

/*
 * Bytes of x87 FIP/FDP to save and restore: 8 (64-bit, FCS/FDS cleared),
 * 4 (32-bit plus FCS/FDS) or 0 (hypervisor chooses).
 */
#define HVM_PARAM_X87_FIP_WIDTH 36
/* Real-mode TSS: address in bits 31:0, size in bits 63:32. */
#define HVM_PARAM_VM86_TSS_SIZED 37

/* Machine-check capabilities offered, a mask of XEN_HVM_MCA_CAP_*. */
#define HVM_PARAM_MCA_CAP 38
#define XEN_HVM_MCA_CAP_LMCE   (1ULL << 0) /* local machine check */
#define XEN_HVM_MCA_CAP_MASK   XEN_HVM_MCA_CAP_LMCE /* all defined bits */

/* Parameter numbers are below this. */
#define HVM_NR_PARAMS 39

#endif /* PVHV_PUBLIC_HVM_PARAMS_H */
