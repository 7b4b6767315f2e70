/* SPDX-License-Identifier: MIT */
/*
 * hvm/start_info.h: hvm_start_info, the boot record a PVH kernel finds in
 * ebx at its 32-bit entry point.
 *
 * Xen keeps this file at arch-x86/hvm/start_info.h; pvhv, being x86 only,
 * keeps it beside the other hvm/ headers. pvhv writes version 1 of the
 * record, with a memory map. There are no hypercalls here.
 *
 * Entry state (Xen's docs/misc/pvh; pvhv's loader sets exactly this):
 *   eip     the XEN_ELFNOTE_PHYS32_ENTRY address of the kernel (elfnote.h)
 *   ebx     guest physical address of the struct hvm_start_info
 *   cr0     PE set, every other writable bit clear: paging is off
 *   cr4     0
 *   cs      32-bit execute/read code segment, base 0, limit 0xffffffff
 *   ds, es, ss  32-bit read/write data segments, base 0, limit 0xffffffff
 *           (Xen's document requires ds and es; pvhv sets ss the same)
 *   tr      32-bit TSS, active, base 0, limit 0x67
 *   eflags  VM, IF and TF clear
 *   Selector values and every other register are unspecified. The kernel
 *   sets up its own stack, GDT and IDT.
 *
 * What pvhv puts where:
 * 1. The start info, module list, module command lines, kernel command
 *    line and memory map all lie below 4 GiB, in memory the map reports
 *    as XEN_HVM_MEMMAP_TYPE_RAM, outside the kernel image and modules.
 *    The kernel must copy what it needs before it reuses that RAM.
 * 2. An address field of 0 means "not provided": pvhv never loads
 *    anything at physical address 0.
 * 3. flags holds Xen's SIF_* bits (defined in Xen's xen.h): pvhv sets
 *    SIF_PRIVILEGED | SIF_INITDOMAIN (bits 0 and 1) for the control
 *    domain only, 0 for every other domain.
 * 4. Modules: one per file the toolstack passed, in order; an initrd,
 *    if any, is module 0.
 * 5. rsdp_paddr is 0 unless pvhv built ACPI tables for the domain.
 * 6. The memory map is sorted by address, entries do not overlap, and it
 *    is the same map XENMEM_memory_map returns.
 */
#ifndef PVHV_PUBLIC_HVM_START_INFO_H
#define PVHV_PUBLIC_HVM_START_INFO_H

#include "../pvhv_abi.h"

/* hvm_start_info.magic: "xEn3" with bit 7 of the 'E' set, little endian. */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

/*
 * Written by pvhv before the first instruction runs; the guest only reads.
 * Later versions only append fields: a guest reads the version 1 fields
 * only when version >= 1.
 */
struct hvm_start_info {
    uint32_t magic;          /* OUT: XEN_HVM_START_MAGIC_VALUE */
    uint32_t version;        /* OUT: layout version; pvhv writes 1 */
    uint32_t flags;          /* OUT: SIF_* bits (see note 3) */
    uint32_t nr_modules;     /* OUT: entries at modlist_paddr */
    uint64_t modlist_paddr;  /* OUT: array of struct hvm_modlist_entry */
    uint64_t cmdline_paddr;  /* OUT: kernel command line, NUL-terminated */
    uint64_t rsdp_paddr;     /* OUT: ACPI RSDP, or 0 (see note 5) */
    /* Version 1 and later: */
    uint64_t memmap_paddr;   /* OUT: array of struct hvm_memmap_table_entry */
    uint32_t memmap_entries; /* OUT: entries in the map; 0 = no map given */
    uint32_t reserved;       /* zero */
};
PVHV_ABI_SIZE(struct hvm_start_info, 56);
PVHV_ABI_OFFSET(struct hvm_start_info, magic, 0);
PVHV_ABI_OFFSET(struct hvm_start_info, version, 4);
PVHV_ABI_OFFSET(struct hvm_start_info, flags, 8);
PVHV_ABI_OFFSET(struct hvm_start_info, nr_modules, 12);
PVHV_ABI_OFFSET(struct hvm_start_info, modlist_paddr, 16);
PVHV_ABI_OFFSET(struct hvm_start_info, cmdline_paddr, 24);
PVHV_ABI_OFFSET(struct hvm_start_info, rsdp_paddr, 32);
PVHV_ABI_OFFSET(struct hvm_start_info, memmap_paddr, 40);
PVHV_ABI_OFFSET(struct hvm_start_info, memmap_entries, 48);
PVHV_ABI_OFFSET(struct hvm_start_info, reserved, 52);

/* One module (initrd or other file), written by pvhv. */
struct hvm_modlist_entry {
    uint64_t paddr;         /* OUT: guest physical address of the module */
    uint64_t size;          /* OUT: its size in bytes */
    uint64_t cmdline_paddr; /* OUT: its command line, NUL-terminated, or 0 */
    uint64_t reserved;      /* zero */
};
PVHV_ABI_SIZE(struct hvm_modlist_entry, 32);
PVHV_ABI_OFFSET(struct hvm_modlist_entry, paddr, 0);
PVHV_ABI_OFFSET(struct hvm_modlist_entry, size, 8);
PVHV_ABI_OFFSET(struct hvm_modlist_entry, cmdline_paddr, 16);
PVHV_ABI_OFFSET(struct hvm_modlist_entry, reserved, 24);

/* One range of the memory map, written by pvhv. */
struct hvm_memmap_table_entry {
    uint64_t addr;     /* OUT: start, guest physical */
    uint64_t size;     /* OUT: length in bytes */
    uint32_t type;     /* OUT: XEN_HVM_MEMMAP_TYPE_* */
    uint32_t reserved; /* zero */
};
PVHV_ABI_SIZE(struct hvm_memmap_table_entry, 24);
PVHV_ABI_OFFSET(struct hvm_memmap_table_entry, addr, 0);
PVHV_ABI_OFFSET(struct hvm_memmap_table_entry, size, 8);
PVHV_ABI_OFFSET(struct hvm_memmap_table_entry, type, 16);
PVHV_ABI_OFFSET(struct hvm_memmap_table_entry, reserved, 20);

/*
 * hvm_memmap_table_entry.type: the ACPI address range types (E820).
 * pvhv reports RAM, RESERVED and, with ACPI tables, ACPI.
 */
#define XEN_HVM_MEMMAP_TYPE_RAM       1 /* usable RAM */
#define XEN_HVM_MEMMAP_TYPE_RESERVED  2 /* do not use */
#define XEN_HVM_MEMMAP_TYPE_ACPI      3 /* ACPI tables; RAM once read */
#define XEN_HVM_MEMMAP_TYPE_NVS       4 /* ACPI non-volatile storage */
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE  5 /* RAM with detected errors */
#define XEN_HVM_MEMMAP_TYPE_DISABLED  6 /* RAM not enabled */
#define XEN_HVM_MEMMAP_TYPE_PMEM      7 /* persistent memory */

#endif /* PVHV_PUBLIC_HVM_START_INFO_H */
