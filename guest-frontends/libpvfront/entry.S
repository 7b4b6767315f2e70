/* entry.S: the 256 vector stubs and the common path into trap.c. */
#include "layout.h"

/*
 * Every gate targets the current privilege's code selector, so no stack
 * switch happens: on PVM a DPL3 gate keeps the vCPU native and the
 * handler runs on the interrupted stack (hence -mno-red-zone everywhere).
 * Each stub pushes a zero error code where the CPU pushes none, then the
 * vector, so trap.c sees one frame shape (struct pvfront_trap_frame).
 */
	.section .text.pvfront.entry, "ax", @progbits
	.balign	STUB_SIZE
	.globl	pvfront__vectors
pvfront__vectors:
	.set	v, 0
	.rept	IDT_VECTORS
	.balign	STUB_SIZE
	.if (v == 8) || ((v >= 10) && (v <= 14)) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	pushq	$v
	.else
	pushq	$0
	pushq	$v
	.endif
	jmp	common
	.set	v, v + 1
	.endr

	.balign	STUB_SIZE
common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	/* The frame's alignment depends on the interrupted rsp: realign. */
	mov	%rsp, %rbp
	and	$-16, %rsp
	cld
	call	pvfront__trap
	mov	%rbp, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp			/* vector, error code */
	/* The CPU's frame holds the virtual selectors: iretq restores IF. */
	iretq

	.section .note.GNU-stack, "", @progbits
