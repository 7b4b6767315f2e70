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

/*
 * MSR access that survives a #GP (an MSR the platform does not offer):
 * pvfront__trap sends a #GP at pvfront__msr_fault_insn to
 * pvfront__msr_fault_fixup, which returns -1 instead of crashing.
 *
 * int pvfront__wrmsr_safe(uint32_t msr, uint64_t value): 0, or -1 (#GP)
 * int pvfront__rdmsr_safe(uint32_t msr, uint64_t *value): 0, or -1 (#GP)
 */
	.section .text.pvfront.msr, "ax", @progbits
	.globl	pvfront__wrmsr_safe
	.type	pvfront__wrmsr_safe, @function
pvfront__wrmsr_safe:
	mov	%edi, %ecx
	mov	%esi, %eax
	mov	%rsi, %rdx
	shr	$32, %rdx
	.globl	pvfront__wrmsr_fault_insn
pvfront__wrmsr_fault_insn:
	wrmsr
	xor	%eax, %eax
	ret
	.size	pvfront__wrmsr_safe, . - pvfront__wrmsr_safe

	.globl	pvfront__rdmsr_safe
	.type	pvfront__rdmsr_safe, @function
pvfront__rdmsr_safe:
	mov	%edi, %ecx
	.globl	pvfront__rdmsr_fault_insn
pvfront__rdmsr_fault_insn:
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, (%rsi)
	xor	%eax, %eax
	ret
	.size	pvfront__rdmsr_safe, . - pvfront__rdmsr_safe

	/* Where a faulting wrmsr/rdmsr above resumes: return -1. */
	.globl	pvfront__msr_fault_fixup
pvfront__msr_fault_fixup:
	mov	$-1, %eax
	ret

	.section .note.GNU-stack, "", @progbits
