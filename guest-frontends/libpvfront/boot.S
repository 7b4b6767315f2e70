/* boot.S: PVH 32-bit entry, long mode, the PVM native switch and the AP entry. */
#include <pvhv/elfnote.h>
#include <pvfront/config.h>
#include "layout.h"

/*
 * pvhv_platform.h holds C, so the few values this file needs are repeated
 * here; start.c checks them against the header at compile time.
 */
#define PLAT_OFFSET 0x800                /* PVHV_PLATFORM_INFO_OFFSET */
#define PLAT_MAGIC 0x54414c5056485650    /* PVHV_PLATFORM_MAGIC */
#define PLAT_KIND 12                     /* offsetof(..., kind) */
#define PLAT_PVM 1                       /* PVHV_PLATFORM_PVM */
#define NATIVE_MSR 0x4b564d10            /* PVHV_PVM_NATIVE_MSR */

/* The note that makes this a PVH kernel: pvhv enters at pvfront_start32. */
	.section .note.Xen, "a", @note
	.balign 4
	.long	2f - 1f
	.long	4f - 3f
	.long	XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz	"Xen"
2:	.balign	4
3:	.long	pvfront_start32
4:	.balign	4

/*
 * Until the wrmsr below, PVM runs every instruction through KVM's
 * emulator (~0.7 us each), so this path is kept to a few dozen
 * instructions: the page tables and GDT are static data (pagetables.S),
 * and .bss is zeroed only once native.
 */
	.section .text.pvfront.boot, "ax", @progbits
	.code32
	.globl	pvfront_start32
	.type	pvfront_start32, @function
pvfront_start32:
	mov	%ebx, %esi			/* hvm_start_info, kept for C */
	lgdt	pvfront__gdt_desc
	mov	$BOOT_CR4, %eax
	mov	%eax, %cr4
	mov	$pvfront__pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$0x100, %eax			/* LME; the CPU sets LMA with PG */
	wrmsr
	mov	$BOOT_CR0, %eax
	mov	%eax, %cr0
	ljmp	$SEL_KCODE, $1f

	.code64
1:	mov	%esi, %esi			/* upper halves are undefined here */
	xor	%edi, %edi			/* CPU 0 */
	/* PVM (platform info says so): go native. Anything else: ring 0. */
	movabs	$PLAT_MAGIC, %rax
	cmp	%rax, PLAT_OFFSET(%rsi)
	jne	2f
	cmpl	$PLAT_PVM, PLAT_OFFSET + PLAT_KIND(%rsi)
	jne	2f
	movb	$1, pvfront__native
2:	mov	$(pvfront_stacks + PVFRONT_STACK_SIZE), %rsp
	jmp	enter

/*
 * APs start here in 64-bit mode (VCPUOP_initialise from smp.c) with
 * rdi = CPU id and rsp = top of that CPU's stack; GDTR and IDTR are
 * still reset values. On PVM they run emulated until the wrmsr, as the
 * boot CPU did.
 */
	.globl	pvfront__ap_start64
	.type	pvfront__ap_start64, @function
pvfront__ap_start64:
	lgdt	pvfront__gdt_desc

/* rdi = CPU id, rsp = its stack top, rsi = start info (CPU 0 only). */
enter:
	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	lidt	pvfront__idt_desc
	mov	%rsp, %r8
	cmpb	$0, pvfront__native
	je	3f
	/*
	 * PVM: leave the emulator, then drop to the DPL3 selectors with an
	 * iret frame built from constants (pushf would read a wrong IF once
	 * native). Interrupts stay off (IF=0) until the kernel enables them.
	 */
	mov	$NATIVE_MSR, %ecx
	mov	$1, %eax
	xor	%edx, %edx
	wrmsr
	pushq	$SEL_UDATA
	pushq	%r8
	pushq	$2
	pushq	$SEL_UCODE
	jmp	4f
3:	pushq	$SEL_KDATA			/* HVM: stay in ring 0 */
	pushq	%r8
	pushq	$2
	pushq	$SEL_KCODE
4:	pushq	$5f
	iretq

	/* Native from here on PVM. */
5:	test	%edi, %edi
	jnz	6f
	mov	$pvfront__bss_start, %edi	/* the linker script defines both */
	mov	$pvfront__bss_end, %ecx
	sub	%edi, %ecx
	shr	$3, %ecx
	xor	%eax, %eax
	cld
	rep stosq
	mov	%rsi, %rdi
	call	pvfront__boot_main
	ud2
6:	call	pvfront__ap_main
	ud2
	.size	pvfront_start32, . - pvfront_start32

	.section .data.pvfront.boot, "aw", @progbits
	.balign	16
	.globl	pvfront__gdt
pvfront__gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* SEL_KCODE */
	.quad	0x00cf92000000ffff		/* SEL_KDATA */
	.quad	0x00affa000000ffff		/* SEL_UCODE */
	.quad	0x00cff2000000ffff		/* SEL_UDATA */
gdt_end:
	/* 32-bit lgdt reads the limit and the low 4 bytes of the base. */
pvfront__gdt_desc:
	.word	gdt_end - pvfront__gdt - 1
	.quad	pvfront__gdt
pvfront__idt_desc:
	.word	IDT_VECTORS * 16 - 1
	.quad	pvfront__idt
	/* Written before .bss is zeroed, so it lives in .data. */
	.globl	pvfront__native
pvfront__native:
	.byte	0

	.section .bss.pvfront.idt, "aw", @nobits
	.balign	4096
	.globl	pvfront__idt
pvfront__idt:
	.skip	IDT_VECTORS * 16

	.section .pvfront.stacks, "aw", @nobits
	.balign	PVFRONT_STACK_SIZE
	.globl	pvfront_stacks
pvfront_stacks:
	.skip	PVFRONT_STACK_SIZE * PVFRONT_MAX_CPUS

	.section .note.GNU-stack, "", @progbits
