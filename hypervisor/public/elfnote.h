/* SPDX-License-Identifier: MIT */
/*
 * elfnote.h: the XEN_ELFNOTE_* types of the ELF notes a guest kernel
 * carries to tell the domain builder how to load and start it.
 *
 * The notes sit in a PT_NOTE segment, with name "Xen" (namesz 4, counting
 * the NUL) and one of the types below. A numeric note's desc is 4 or 8
 * bytes, little endian; a string note's desc is NUL-terminated ASCII.
 * Types 0..17 serve Xen's PV loader; the CRASH_* and DUMPCORE_* types
 * appear only in crash dumps and core files, never in a kernel.
 *
 * pvhv's loader needs one note: XEN_ELFNOTE_PHYS32_ENTRY.
 * 1. A kernel without it is refused: pvhv has no PV boot path to fall
 *    back on.
 * 2. Its value is the physical address of the 32-bit entry point, below
 *    4 GiB. pvhv loads each PT_LOAD segment at its p_paddr and jumps to
 *    that address in the state described in hvm/start_info.h.
 * 3. pvhv does not act on any other note.
 *
 * Plain defines only, no includes: usable from assembly (guest kernels
 * emit their notes there).
 */
#ifndef PVHV_PUBLIC_ELFNOTE_H
#define PVHV_PUBLIC_ELFNOTE_H

/* ------------------------------------------------------------------------
 * Note types in a kernel image. "Legacy" means Xen's old __xen_guest
 * string carried the same information.
 * ------------------------------------------------------------------------ */
#define XEN_ELFNOTE_INFO           0 /* string: NAME=VALUE pair */
#define XEN_ELFNOTE_ENTRY          1 /* numeric: PV entry, virtual address */
#define XEN_ELFNOTE_HYPERCALL_PAGE 2 /* numeric: PV hypercall page, virtual */
#define XEN_ELFNOTE_VIRT_BASE      3 /* numeric: where the image is mapped */
/* numeric: subtract from p_paddr to get the pseudo-physical address */
#define XEN_ELFNOTE_PADDR_OFFSET   4
#define XEN_ELFNOTE_XEN_VERSION    5 /* string: Xen version expected */
#define XEN_ELFNOTE_GUEST_OS       6 /* string: guest OS name, e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION  7 /* string: guest OS version */
#define XEN_ELFNOTE_LOADER         8 /* string: loader type, "generic" */
#define XEN_ELFNOTE_PAE_MODE       9 /* string: x86_32 PAE "yes"/"no"/... */
/*
 * string: features the kernel supports, the XENFEAT_* names (features.h)
 * without prefix, separated by '|'; a leading '!' marks a required one.
 */
#define XEN_ELFNOTE_FEATURES      10
#define XEN_ELFNOTE_BSD_SYMTAB    11 /* string: "yes" to load the symtab */
#define XEN_ELFNOTE_HV_START_LOW  12 /* numeric: PV, lowest hole start */
/* numeric: PV, mask/value pairs recognising L1 entries holding MFNs */
#define XEN_ELFNOTE_L1_MFN_VALID  13
#define XEN_ELFNOTE_SUSPEND_CANCEL 14 /* numeric: 1 if suspend may cancel */
#define XEN_ELFNOTE_INIT_P2M      15 /* numeric: PV, where to map the p2m */
#define XEN_ELFNOTE_MOD_START_PFN 16 /* numeric: PV, initrd may be unmapped */
/* numeric: XENFEAT_* bitmap the kernel supports (adds to FEATURES) */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17
/*
 * numeric: physical address of the 32-bit PVH entry point, entered in
 * protected mode with paging off (hvm/start_info.h). Required by pvhv.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY  18

/* The highest note type a kernel may carry. */
#define XEN_ELFNOTE_MAX XEN_ELFNOTE_PHYS32_ENTRY

/* ------------------------------------------------------------------------
 * Note types in crash dumps (kexec) and in domain core files.
 * ------------------------------------------------------------------------ */
#define XEN_ELFNOTE_CRASH_INFO 0x1000001 /* one per crash: system info */
#define XEN_ELFNOTE_CRASH_REGS 0x1000002 /* one per CPU: extra registers */

#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000 /* marks a core file */
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001 /* core file header */
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002 /* XENVER_* answers */
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003 /* core format version */

/* (Also keeps this a non-empty translation unit when compiled alone.) */
#ifndef __ASSEMBLER__
_Static_assert(XEN_ELFNOTE_MAX < XEN_ELFNOTE_CRASH_INFO,
               "kernel note types stay below the crash-dump types");
#endif

#endif /* PVHV_PUBLIC_ELFNOTE_H */
