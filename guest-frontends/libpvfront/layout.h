/* layout.h: selectors and control-register values shared by boot.S and C (private). */
#ifndef PVFRONT_LAYOUT_H
#define PVFRONT_LAYOUT_H

/*
 * GDT. Only flat segments: no TSS is loaded, because no gate changes
 * privilege or uses an IST, so the CPU never reads one (on PVM a DPL0 gate
 * would need an upper-half stack, which native mode cannot touch). The TR
 * the loader set up stays.
 */
#define SEL_KCODE 0x08 /* 64-bit code, DPL0: ring 0 on HVM */
#define SEL_KDATA 0x10 /* data, DPL0 */
#define SEL_UCODE 0x1b /* 64-bit code, DPL3: what PVM native mode runs on */
#define SEL_UDATA 0x23 /* data, DPL3 */
#define GDT_ENTRIES 5

/* Long mode with paging: PG|WP|NE|ET|MP|PE, PAE|OSFXSR|OSXMMEXCPT, LME|LMA. */
#define BOOT_CR0 0x80010033
#define BOOT_CR4 0x620
#define BOOT_EFER 0x500
#define MSR_EFER 0xC0000080

/* Page table entry bits. U/S is set everywhere: PVM runs the guest at CPL3. */
#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_US 0x4
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80
#define PTE_TABLE (PTE_P | PTE_RW | PTE_US)

#define LAPIC_BASE 0xFEE00000

/* IDT: 256 16-byte gates, and one 16-byte stub per vector. */
#define IDT_VECTORS 256
#define STUB_SIZE 16

#endif /* PVFRONT_LAYOUT_H */
