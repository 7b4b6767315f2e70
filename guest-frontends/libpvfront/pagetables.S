/* pagetables.S: the identity page tables, as static data (built at link time, not at boot). */
#include <pvfront/config.h>
#include "layout.h"

/*
 * Layout (4-level, every entry U/S because PVM runs the kernel at CPL3):
 *   0 .. 2 MiB      4 KiB pages, page 0 left out so NULL faults
 *   2 MiB .. 3 GiB  2 MiB pages (RAM and nothing else sits here on pvhv)
 *   0xFEE00000      local APIC page, uncached (PCD|PWT)
 *   0xFEFF0000 ..   pvhv's 16 special pages (hypercall page, xenstore and
 *   0xFF000000      console rings), write-back; the boot pages below 1 MiB
 *                   (start info, command line, memory map) are in pt_low
 * Addresses above PVFRONT_MAPPED_LIMIT other than those are not mapped.
 */
	.section .data.pvfront.pagetables, "aw", @progbits
	.balign	4096
	.globl	pvfront__pml4
pvfront__pml4:
	.quad	pdpt + PTE_TABLE
	.fill	511, 8, 0

pdpt:
	.quad	pd0 + PTE_TABLE
	.quad	pd1 + PTE_TABLE
	.quad	pd2 + PTE_TABLE
	.quad	pd3 + PTE_TABLE
	.fill	508, 8, 0

pd0:	/* 0 .. 1 GiB; the first 2 MiB through pt_low */
	.quad	pt_low + PTE_TABLE
	.set	i, 1
	.rept	511
	.quad	(i << 21) + PTE_TABLE + PTE_PS
	.set	i, i + 1
	.endr
pd1:	/* 1 .. 2 GiB */
	.rept	512
	.quad	(i << 21) + PTE_TABLE + PTE_PS
	.set	i, i + 1
	.endr
pd2:	/* 2 .. 3 GiB */
	.rept	512
	.quad	(i << 21) + PTE_TABLE + PTE_PS
	.set	i, i + 1
	.endr
pd3:	/* 3 .. 4 GiB: only the 2 MiB holding the APIC and special pages */
	.fill	(LAPIC_BASE >> 21) & 511, 8, 0
	.quad	pt_fee + PTE_TABLE
	.fill	511 - ((LAPIC_BASE >> 21) & 511), 8, 0

pt_low:
	.quad	0
	.set	i, 1
	.rept	511
	.quad	(i << 12) + PTE_TABLE
	.set	i, i + 1
	.endr

pt_fee:	/* 0xFEE00000 .. 0xFF000000 */
	.quad	LAPIC_BASE + PTE_TABLE + PTE_PCD + PTE_PWT
	.fill	0x1ef, 8, 0
	.set	i, 0x1f0
	.rept	16
	.quad	LAPIC_BASE + (i << 12) + PTE_TABLE
	.set	i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
