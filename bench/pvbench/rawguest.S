/* rawguest.S: the raw platform's guest: a page of hand-written x86-64
 * code that pvbench's built-in monitor (rawvm.c) copies to RAW_CODE_GPA.
 * It never runs in pvbench's own process: it is data there, so it sits in
 * .rodata. Position independent (relative jumps only; data at fixed
 * guest-physical addresses).
 *
 * Entry (the monitor's register state): 64-bit mode, paging on, DPL0
 * selectors, rsp = RAW_STACK_TOP, ebx = 1 on PVM, 0 on VT-x/SVM.
 * On PVM the guest leaves KVM's instruction emulator the way libpvfront's
 * boot stub does: wrmsr 0x4b564d10 <- 1, then iretq to DPL3 selectors
 * (../shared/DESIGN.md: native mode runs at CPL3). On VT-x/SVM it stays
 * in ring 0. Then it loops: exit on RAW_PORT_DONE, run the mailbox's
 * command, store one TSC delta per operation at RAW_SAMPLES_GPA. */
#include "rawguest.h"

#define PVM_NATIVE_MSR 0x4b564d10

	.section .rodata.pvbench_rawguest, "a"
	.code64
	.globl	pvbench_rawguest_start, pvbench_rawguest_end, pvbench_rawguest_irq
	.balign	16
pvbench_rawguest_start:
	mov	%rsp, %r8
	test	%ebx, %ebx
	jz	1f
	mov	$PVM_NATIVE_MSR, %ecx
	mov	$1, %eax
	xor	%edx, %edx
	wrmsr
	pushq	$RAW_SEL_UDATA
	pushq	%r8
	pushq	$2
	pushq	$RAW_SEL_UCODE
	jmp	2f
1:	pushq	$RAW_SEL_KDATA
	pushq	%r8
	pushq	$2
	pushq	$RAW_SEL_KCODE
2:	lea	next(%rip), %rax
	pushq	%rax
	iretq

/* r8: where the next sample goes, r9: operations left, r10: start TSC. */
next:
	outl	%eax, $RAW_PORT_DONE
	mov	RAW_MBOX_GPA + RAW_MBOX_OP, %eax
	mov	RAW_MBOX_GPA + RAW_MBOX_COUNT, %r9
	mov	$RAW_SAMPLES_GPA, %r8
	test	%r9, %r9
	jz	next
	cmp	$RAW_OP_EXIT, %eax
	je	op_exit
	cmp	$RAW_OP_MMIO, %eax
	je	op_mmio
	cmp	$RAW_OP_KICK, %eax
	je	op_kick
	cmp	$RAW_OP_CPUID, %eax
	je	op_cpuid
	cmp	$RAW_OP_WRMSR, %eax
	je	op_wrmsr
	cmp	$RAW_OP_IRQRT, %eax
	je	op_irqrt
	jmp	next

.macro TSC_BEGIN
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, %r10
.endm

/* Store the delta, loop back to \label while operations are left. */
.macro TSC_END label
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	sub	%r10, %rax
	mov	%eax, (%r8)
	add	$4, %r8
	dec	%r9
	jnz	\label
	jmp	next
.endm

op_exit:
	TSC_BEGIN
	outl	%eax, $RAW_PORT_EXIT
	TSC_END	op_exit

op_mmio:
	TSC_BEGIN
	movl	%eax, RAW_MMIO_GPA
	TSC_END	op_mmio

op_kick:
	TSC_BEGIN
	outl	%eax, $RAW_PORT_KICK
	TSC_END	op_kick

op_cpuid:
	TSC_BEGIN
	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	TSC_END	op_cpuid

op_wrmsr:
	TSC_BEGIN
	mov	$RAW_MSR_INDEX, %ecx
	mov	$RAW_MSR_PAGE_GPA, %eax
	xor	%edx, %edx
	wrmsr
	TSC_END	op_wrmsr

/* The kick round trip: the monitor's thread reads the ioeventfd and sends
 * an MSI; sti;hlt sleeps until the handler has run (the sti shadow keeps
 * an interrupt from slipping in between the two). */
op_irqrt:
	movb	$0, RAW_MBOX_GPA + RAW_MBOX_FLAG
	TSC_BEGIN
	outl	%eax, $RAW_PORT_RT
3:	sti
	hlt
	cli
	cmpb	$0, RAW_MBOX_GPA + RAW_MBOX_FLAG
	je	3b
	TSC_END	op_irqrt

/* The interrupt handler (an IDT gate on the current privilege level's
 * code selector, so it runs natively on PVM). */
	.balign	16
pvbench_rawguest_irq:
	movb	$1, RAW_MBOX_GPA + RAW_MBOX_FLAG
	iretq
pvbench_rawguest_end:

	.section .note.GNU-stack, "", @progbits
