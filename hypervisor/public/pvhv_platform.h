/* SPDX-License-Identifier: MIT */
/*
 * pvhv_platform.h: what pvhv tells a guest about its platform at boot, and
 * where pvhv's special pages sit in guest-physical memory (a pvhv addition).
 *
 * On Xen a PVH guest learns the platform from CPUID leaves 0x40000000+. On
 * KVM's PVM (software virtualisation) a guest in native mode cannot see
 * pvhv's CPUID: the outer hypervisor answers cpuid. So pvhv also hands the
 * facts over in memory: struct pvhv_platform_info sits in the same page as
 * hvm_start_info, at offset PVHV_PLATFORM_INFO_OFFSET from the address in
 * ebx at the PVH entry. A guest checks `magic` before trusting it; a guest
 * booted by another PVH loader finds no magic there and must not use it.
 *
 * Guest-physical layout (the boot pages and the special region are
 * E820-reserved in the memory map pvhv gives the guest):
 *
 *   0 .. RAM below 3 GiB          guest RAM (kernel loaded at its ELF paddr),
 *                                 except the boot pages, below 1 MiB:
 *     PVHV_START_INFO_GPA         start page: hvm_start_info, then
 *                                 pvhv_platform_info at PVHV_PLATFORM_INFO_OFFSET
 *     PVHV_CMDLINE_GPA            command line (NUL-terminated, at most
 *                                 PVHV_CMDLINE_MAX)
 *     PVHV_MEMMAP_GPA             memory map (hvm_memmap_table_entry[]) and
 *                                 module list
 *     PVHV_ACPI_GPA               ACPI tables: RSDP (hvm_start_info.rsdp_paddr),
 *                                 XSDT, FADT, DSDT, MADT
 *     PVHV_MPTABLE_GPA .. 1 MiB   the Intel MP table (vCPUs, I/O APIC)
 *   PVHV_SPECIAL_BASE ..          pvhv's special pages, one page each:
 *     + 0x0000  reserved
 *     + 0x1000  hypercall page (pvhv_hypercall.h), filled by pvhv
 *     + 0x2000 .. 0x4000  reserved
 *     + 0x4000  the xenstore ring page (HVM_PARAM_STORE_PFN)
 *     + 0x5000  the console ring page (HVM_PARAM_CONSOLE_PFN)
 *     + 0x6000 .. 0x10000  reserved
 *   PVHV_SCRATCH_MMIO_GPA         the pvbench scratch register's MMIO page
 *                                 (no memory: every access exits to pvhv)
 *   4 GiB ..                      guest RAM above 3 GiB, if any
 *
 * I/O ports pvhv answers: PVHV_SCRATCH_PORT (0x58), the hypercall and
 * doorbell ports (0x5e, 0x5f, pvhv_hypercall.h), Xen's debug port
 * PVHV_DEBUG_PORT (0xe9), the ACPI sleep and reset registers
 * (PVHV_ACPI_SLEEP_PORT 0x600, PVHV_ACPI_RESET_PORT 0xcf9), the emulated
 * disk's block at PVHV_EDISK_PORT (0x5a0..0x5df); KVM's PIT and PIC
 * answer theirs.
 *
 * The boot pages sit low because Linux reads them before it has page
 * tables of its own: its PVH entry maps only the first GiB. A domain
 * therefore needs more than 1 MiB of RAM to be given a kernel.
 */
#ifndef PVHV_PUBLIC_PVHV_PLATFORM_H
#define PVHV_PUBLIC_PVHV_PLATFORM_H

#include "pvhv_abi.h"

/* Guest-physical base of pvhv's special pages, and their total size. */
#define PVHV_SPECIAL_BASE   0xFEFF0000ULL
#define PVHV_SPECIAL_SIZE   0x10000ULL
#define PVHV_HYPERCALL_PAGE_GPA (PVHV_SPECIAL_BASE + 0x1000)
#define PVHV_STORE_RING_GPA     (PVHV_SPECIAL_BASE + 0x4000)
#define PVHV_CONSOLE_RING_GPA   (PVHV_SPECIAL_BASE + 0x5000)

/* The boot pages (below 1 MiB; reserved from PVHV_BOOT_PAGES_GPA to 1 MiB). */
#define PVHV_BOOT_PAGES_GPA 0x9C000ULL
#define PVHV_START_INFO_GPA 0x9C000ULL
#define PVHV_CMDLINE_GPA    0x9D000ULL
#define PVHV_MEMMAP_GPA     0x9E000ULL
/*
 * ACPI, hardware-reduced, as a Xen toolstack gives a PVH guest: the MADT
 * lists the vCPUs' local APICs and the I/O APIC; the FADT names two
 * one-byte I/O registers. Writing SLP_EN (bit 5) with SLP_TYP 5 (the
 * DSDT's _S5) to the sleep control register powers the domain off (as
 * SCHEDOP_shutdown(poweroff)); writing PVHV_ACPI_RESET_VALUE to the reset
 * register reboots it. The sleep status register (at +1) is not backed:
 * Linux reads it only after the power is already off.
 */
#define PVHV_ACPI_GPA         0x9F000ULL
#define PVHV_ACPI_SIZE        0xC00
#define PVHV_ACPI_SLEEP_PORT  0x600 /* sleep control; status at +1 */
#define PVHV_ACPI_RESET_PORT  0xCF9
#define PVHV_ACPI_RESET_VALUE 0x06

/*
 * The Intel MP table (MP spec 1.4) sits in the last KiB of base memory,
 * where a PC guest looks for one. It lists the vCPUs' local APICs and the
 * I/O APIC (KVM's, at PVHV_IOAPIC_GPA); Linux needs it, or ACPI's MADT, to
 * find its APICs and to run its timers.
 */
#define PVHV_MPTABLE_GPA    0x9FC00ULL
#define PVHV_IOAPIC_GPA     0xFEC00000ULL

/* RAM above this guest-physical address is placed from 4 GiB up. */
#define PVHV_LOW_RAM_LIMIT  0xC0000000ULL
/* Longest command line pvhv passes (bytes, NUL included). */
#define PVHV_CMDLINE_MAX    4096

/* Offset of pvhv_platform_info in the start page. */
#define PVHV_PLATFORM_INFO_OFFSET 0x800
/* "PVHVPLAT" read as a little-endian uint64_t. */
#define PVHV_PLATFORM_MAGIC 0x54414c5056485650ULL
#define PVHV_PLATFORM_VERSION 1

/* Kinds of KVM pvhv runs the guest on (pvhv_platform_info.kind). */
#define PVHV_PLATFORM_PVM 1 /* KVM's PVM: guest runs natively at CPL3 */
#define PVHV_PLATFORM_HVM 2 /* VT-x or SVM: guest runs in ring 0 */

/*
 * On PVM a guest leaves KVM's instruction emulator by writing 1 to this MSR
 * from 64-bit code; it must then run at CPL3 in the lower canonical half
 * with U/S set on every mapping, and its IDT gates must target DPL3 code.
 * pvhv crashes a PVM guest still emulated after PVHV_EMULATED_BOUND_MS.
 */
#define PVHV_PVM_NATIVE_MSR   0x4b564d10U
#define PVHV_EMULATED_BOUND_MS 2000

/*
 * The pvbench scratch register: pvhv's one emulated device, there so that
 * pvbench (bench/pvbench, docs/BENCHMARKS.md) can time a trap-and-emulate
 * device access beside a PV ring. Every access exits to pvhv, which is
 * the point. One 32-bit register per vCPU, reachable two ways:
 *
 *   port I/O  PVHV_SCRATCH_PORT .. +3: a 4-byte in/out at the base reads
 *             or writes the register; narrower accesses reach its bytes
 *             (little-endian); bytes past it read all-ones, as ports with
 *             nothing behind them do.
 *   MMIO      the page at PVHV_SCRATCH_MMIO_GPA: bytes 0..3 are the
 *             register; the rest of the page reads as zero and ignores
 *             writes. It sits in the hole below 4 GiB, outside RAM and the
 *             special pages; a guest maps it itself, uncached
 *             (libpvfront's page tables do not map it).
 *
 * A read returns what the same vCPU last wrote (0 at first), through
 * either way. The value is not kept across save/restore. A grant mapped
 * over the MMIO page hides it from the mapper.
 */
#define PVHV_SCRATCH_PORT      0x58
#define PVHV_SCRATCH_PORT_SIZE 4
#define PVHV_SCRATCH_MMIO_GPA  0xFEFE0000ULL
#define PVHV_SCRATCH_MMIO_SIZE 0x1000ULL

/*
 * Xen's debug port: bytes a guest writes to it (as Linux's early console
 * does in a Xen HVM or PVH guest) join what it writes with console_io, in
 * the domain's hypervisor console (`pvctl dmesg`). Reads see all-ones.
 */
#define PVHV_DEBUG_PORT 0xE9

/*
 * The emulated disk: a minimal trap-and-emulate block device, there so
 * that bench/blk_bench (docs/BENCHMARKS.md) can set the PV disk
 * (blkfront and pvblkback) beside the same workload done the classic way.
 * Every register access and every data word is a port I/O exit to pvhv,
 * whose vCPU thread does the file I/O itself before the guest continues;
 * that is the point. A domain has at most one, given by the toolstack
 * (PVHV_CTL_EMUL_DISK_ATTACH in pvhv_control.h; xl.cfg's
 * `backendtype=emulated`). A domain without one finds nothing at these
 * ports: every read gives all-ones, as on a bus with nothing behind it.
 *
 * Ports PVHV_EDISK_PORT + offset, one 32-bit register each. Only a 4-byte
 * `in`/`out` at a register's offset reaches it; any other width or offset
 * in the block reads all-ones and writes are ignored.
 *
 *   0x00 ID       R   PVHV_EDISK_ID
 *   0x04 SIZE_LO  R   disk size in 512-byte sectors, bits 0..31
 *   0x08 SIZE_HI  R   bits 32..63
 *   0x0c FLAGS    R   PVHV_EDISK_F_*
 *   0x10 LBA_LO   RW  first sector of the next command, bits 0..31
 *   0x14 LBA_HI   RW  bits 32..63
 *   0x18 COUNT    RW  sectors the next READ or WRITE moves,
 *                     1..PVHV_EDISK_MAX_SECTORS
 *   0x1c CMD      W   start a command (PVHV_EDISK_CMD_*); a transfer still
 *                     under way is abandoned (written words are dropped)
 *        STATUS   R   PVHV_EDISK_ST_*, and after an error the reason,
 *                     PVHV_EDISK_ERR_*, in bits 8..15
 *   0x20 DATA     RW  the transfer window, moved with `rep insl` or
 *                     `rep outsl` (or single inl/outl): one dword of the
 *                     transfer per element, in disk order
 *
 * Commands. Each is done, or refused, before the `out` that starts it
 * returns:
 *   READ   reads COUNT sectors at LBA into the device's buffer; then
 *          STATUS is READY | DRQ and DATA yields COUNT * 128 dwords. DRQ
 *          clears with the last one.
 *   WRITE  STATUS becomes DRQ; DATA takes COUNT * 128 dwords. The `out`
 *          that delivers the last one writes them to the disk; then STATUS
 *          is READY (or READY | ERROR).
 *   FLUSH  writes everything written so far through to stable storage.
 * Errors leave STATUS = READY | ERROR | (PVHV_EDISK_ERR_* << 8), no DRQ,
 * and the disk untouched: RANGE (LBA + COUNT past the end), COUNT (0 or
 * over PVHV_EDISK_MAX_SECTORS), RO (WRITE to a read-only disk), CMD (an
 * unknown command), IO (the host's read, write or flush failed), PROTO
 * (DATA used with no transfer under way: reads give all-ones, writes are
 * dropped). LBA and COUNT keep their values from one command to the next.
 *
 * The registers are the device's, shared by every vCPU: a driver runs one
 * command at a time, as with any single-channel controller. pvhv serves
 * one vCPU's access at a time, so no access sees another half done.
 */
#define PVHV_EDISK_PORT        0x5a0 /* clear of the PC's legacy ports and pvhv's */
#define PVHV_EDISK_PORT_SIZE   0x40  /* the block pvhv answers; 0x24.. reserved */
#define PVHV_EDISK_REG_ID      0x00
#define PVHV_EDISK_REG_SIZE_LO 0x04
#define PVHV_EDISK_REG_SIZE_HI 0x08
#define PVHV_EDISK_REG_FLAGS   0x0c
#define PVHV_EDISK_REG_LBA_LO  0x10
#define PVHV_EDISK_REG_LBA_HI  0x14
#define PVHV_EDISK_REG_COUNT   0x18
#define PVHV_EDISK_REG_CMD     0x1c /* written: command; read: status */
#define PVHV_EDISK_REG_STATUS  0x1c
#define PVHV_EDISK_REG_DATA    0x20

#define PVHV_EDISK_ID          0x4b445650U /* "PVDK" read as a little-endian dword */
#define PVHV_EDISK_SECTOR      512
#define PVHV_EDISK_MAX_SECTORS 256         /* 128 KiB a command */

#define PVHV_EDISK_F_READONLY  (1U << 0)

#define PVHV_EDISK_CMD_READ    1
#define PVHV_EDISK_CMD_WRITE   2
#define PVHV_EDISK_CMD_FLUSH   3

#define PVHV_EDISK_ST_READY    (1U << 0) /* no command under way */
#define PVHV_EDISK_ST_DRQ      (1U << 1) /* DATA has words to give or take */
#define PVHV_EDISK_ST_ERROR    (1U << 2) /* the last command failed: see bits 8..15 */
#define PVHV_EDISK_ERR_SHIFT   8
#define PVHV_EDISK_ERR_RANGE   1
#define PVHV_EDISK_ERR_COUNT   2
#define PVHV_EDISK_ERR_RO      3
#define PVHV_EDISK_ERR_CMD     4
#define PVHV_EDISK_ERR_IO      5
#define PVHV_EDISK_ERR_PROTO   6

/* pvhv_platform_info.flags */
#define PVHV_PLATFORM_F_HYPERCALL_PAGE (1U << 0) /* hypercall_page_gpa valid */
#define PVHV_PLATFORM_F_TSC_KNOWN      (1U << 1) /* tsc_khz valid */

/*
 * Written by pvhv before the first instruction; read-only to the guest
 * (pvhv never looks at it again, so a guest that scribbles on it only
 * fools itself).
 */
struct pvhv_platform_info {
    uint64_t magic;              /* PVHV_PLATFORM_MAGIC */
    uint32_t version;            /* PVHV_PLATFORM_VERSION */
    uint32_t kind;               /* PVHV_PLATFORM_PVM or _HVM */
    uint32_t flags;              /* PVHV_PLATFORM_F_* */
    uint32_t nr_vcpus;           /* vCPUs the domain has (ids 0..n-1) */
    uint64_t hypercall_page_gpa; /* pvhv-filled hypercall page */
    uint64_t tsc_khz;            /* guest TSC frequency */
    uint32_t domid;              /* this domain's id */
    uint32_t pad0;               /* zero */
    uint64_t ram_bytes;          /* guest RAM in bytes, both ranges */
    uint64_t reserved[8];        /* zero; later versions use these */
};
PVHV_ABI_SIZE(struct pvhv_platform_info, 120);
PVHV_ABI_OFFSET(struct pvhv_platform_info, hypercall_page_gpa, 24);
PVHV_ABI_OFFSET(struct pvhv_platform_info, tsc_khz, 32);
PVHV_ABI_OFFSET(struct pvhv_platform_info, domid, 40);
PVHV_ABI_OFFSET(struct pvhv_platform_info, ram_bytes, 48);

#endif /* PVHV_PUBLIC_PVHV_PLATFORM_H */
