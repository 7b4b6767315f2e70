/* rawguest.h: the raw platform VM's layout and mailbox, shared by the
 * monitor (rawvm.c) and the guest code (rawguest.S). Plain defines: C and
 * assembly both read it. */
#ifndef PVBENCH_RAWGUEST_H
#define PVBENCH_RAWGUEST_H

/*
 * Guest-physical layout (identity-mapped with 2 MiB pages, U/S set on
 * every entry because PVM runs the guest at CPL3):
 *   0x1000 PML4, 0x2000 PDPT, 0x3000 PD (0 .. 1 GiB)
 *   0x4000 GDT, 0x5000 IDT, 0x6000 mailbox
 *   0x10000 the code (rawguest.S, copied here)
 *   .. 0x80000 the stack (grows down from RAW_STACK_TOP)
 *   0x100000 .. RAW_MEM_SIZE  samples: one 32-bit TSC delta per operation
 *   RAW_MMIO_GPA  a page with no memory behind it (KVM_EXIT_MMIO)
 */
#define RAW_MEM_SIZE     0x1000000 /* 16 MiB of RAM from 0 */
#define RAW_PML4_GPA     0x1000
#define RAW_PDPT_GPA     0x2000
#define RAW_PD_GPA       0x3000
#define RAW_GDT_GPA      0x4000
#define RAW_IDT_GPA      0x5000
#define RAW_MBOX_GPA     0x6000
#define RAW_CODE_GPA     0x10000
#define RAW_STACK_TOP    0x80000
#define RAW_SAMPLES_GPA  0x100000
#define RAW_MAX_SAMPLES  ((RAW_MEM_SIZE - RAW_SAMPLES_GPA) / 4)
#define RAW_MMIO_GPA     0x20000000 /* 512 MiB: mapped by the PD, no memslot */
#define RAW_MSR_PAGE_GPA 0x7000     /* the value the wrmsr figure writes */

/* Selectors: the same flat GDT layout libpvfront uses. */
#define RAW_SEL_KCODE 0x08
#define RAW_SEL_KDATA 0x10
#define RAW_SEL_UCODE 0x1b /* DPL3: what PVM's native mode runs on */
#define RAW_SEL_UDATA 0x23

/* Mailbox (offsets from RAW_MBOX_GPA): the monitor writes op and count,
 * then resumes the guest; the guest runs `count` operations and exits on
 * RAW_PORT_DONE. `flag` is the interrupt handler's. */
#define RAW_MBOX_OP    0x0  /* u32: RAW_OP_* */
#define RAW_MBOX_COUNT 0x8  /* u64: operations to time */
#define RAW_MBOX_FLAG  0x10 /* u8: set by the interrupt handler */

/* Ports. */
#define RAW_PORT_DONE 0x00f0 /* the guest waits for the next command: exits */
#define RAW_PORT_EXIT 0x00f4 /* nothing in the kernel: exits to the monitor */
#define RAW_PORT_KICK 0x00f8 /* an ioeventfd nobody reads: never exits */
#define RAW_PORT_RT   0x00fc /* an ioeventfd the monitor's thread reads */

/* The MSR the wrmsr figure writes: Xen's hypercall-page MSR, which KVM
 * here does not handle itself (PVHV_XEN_HYPERCALL_MSR, as a pvhv guest
 * writes it). */
#define RAW_MSR_INDEX 0x40000000

/* The interrupt vector of the round trip (KVM_SIGNAL_MSI). */
#define RAW_IRQ_VECTOR 0xf3

/* Operations. */
#define RAW_OP_EXIT  1 /* outl to RAW_PORT_EXIT */
#define RAW_OP_MMIO  2 /* movl to RAW_MMIO_GPA */
#define RAW_OP_KICK  3 /* outl to RAW_PORT_KICK */
#define RAW_OP_CPUID 4 /* cpuid leaf 0 */
#define RAW_OP_WRMSR 5 /* wrmsr RAW_MSR_INDEX */
#define RAW_OP_IRQRT 6 /* outl to RAW_PORT_RT, then sti; hlt until the interrupt */

#endif /* PVBENCH_RAWGUEST_H */
