/* SPDX-License-Identifier: MIT */
/*
 * features.h: feature bit numbers reported by XENVER_get_features.
 *
 * Each XENFEAT_* value is a bit number: bit n of submap 0 is feature n.
 * The same names, without the XENFEAT_ prefix, are what a kernel lists in
 * its XEN_ELFNOTE_FEATURES string note (elfnote.h); a leading '!' marks a
 * feature the kernel cannot run without.
 *
 * pvhv reports the features marked [pvhv] to every PVH guest, plus
 * XENFEAT_dom0 to the control domain. The PV-only bits are never set, and
 * their numbers are listed only so they keep their meaning. version.h
 * includes this file, as Xen's version.h does.
 */
#ifndef PVHV_PUBLIC_FEATURES_H
#define PVHV_PUBLIC_FEATURES_H

/* [pvhv] The guest writes its page tables directly (true of any PVH). */
#define XENFEAT_writable_page_tables       0
/* PV only: the guest writes its GDT/LDT directly. */
#define XENFEAT_writable_descriptor_tables 1
/* [pvhv] pvhv translates guest frames to host frames (guest uses gfns). */
#define XENFEAT_auto_translated_physmap    2
/* The guest kernel runs in ring 0 (retired PV mode). */
#define XENFEAT_supervisor_mode_kernel     3
/* PV only: PAE page directories may live above 4 GiB. */
#define XENFEAT_pae_pgdir_above_4gb        4
/* PV only: MMU_PT_UPDATE_PRESERVE_AD is available. */
#define XENFEAT_mmu_pt_update_preserve_ad  5
/* PV only: MMUEXT_CLEAR_PAGE / MMUEXT_COPY_PAGE are available. */
#define XENFEAT_highmem_assist             6
/* PV only: GNTTABOP_map_grant_ref honours GNTMAP_guest_avail bits. */
#define XENFEAT_gnttab_map_avail_bits      7
/* [pvhv] HVM_PARAM_CALLBACK_TYPE_VECTOR upcalls work (hvm/params.h). */
#define XENFEAT_hvm_callback_vector        8
/* [pvhv] The vcpu_time_info pvclock record is safe to use. */
#define XENFEAT_hvm_safe_pvclock           9
/* Physical IRQs can be routed to event channels (pvhv: no). */
#define XENFEAT_hvm_pirqs                 10
/* [pvhv, control domain only] The domain may act as dom0. */
#define XENFEAT_dom0                      11
/* 12 was XENFEAT_grant_map_identity: retired, never reused. */
/* XENMEMF_vnode is understood by memory_op (pvhv: no). */
#define XENFEAT_memory_op_vnode_supported 13
/* Arm only: SMCCC calling convention. */
#define XENFEAT_ARM_SMCCC_supported       14
/*
 * x86 PVH: the ACPI RSDP may sit anywhere, not only below 1 MiB. Only
 * looked at for kernels whose XEN_ELFNOTE_GUEST_OS names "linux".
 * pvhv does not set it.
 */
#define XENFEAT_linux_rsdp_unrestricted   15
/*
 * [pvhv] Exactly one of the next two is set. pvhv guests are never
 * direct-mapped (gfn != host frame), so pvhv sets not_direct_mapped.
 */
#define XENFEAT_not_direct_mapped         16
#define XENFEAT_direct_mapped             17

/* Number of 32-bit submaps: only submap_idx 0 exists. */
#define XENFEAT_NR_SUBMAPS 1

_Static_assert(XENFEAT_direct_mapped < 32 * XENFEAT_NR_SUBMAPS,
               "every XENFEAT_* bit must fit in the submaps");

#endif /* PVHV_PUBLIC_FEATURES_H */
