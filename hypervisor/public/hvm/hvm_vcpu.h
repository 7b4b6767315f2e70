/* SPDX-License-Identifier: MIT */
/*
 * hvm/hvm_vcpu.h: vcpu_hvm_context, the start state of a PVH vCPU, the
 * argument of VCPUOP_initialise (vcpu.h).
 *
 * pvhv implements both modes. The guest fills in the registers a vCPU
 * starts with; everything not listed (other segment registers, GDTR,
 * IDTR, LDTR, debug registers, MSRs) starts as on a freshly reset CPU.
 *
 * 1. mode other than VCPU_HVM_MODE_32B or VCPU_HVM_MODE_64B answers
 *    -EINVAL.
 * 2. Register values the CPU would refuse (reserved CR0/CR4/EFER bits,
 *    paging enabled without protection, an inconsistent long mode setup,
 *    a segment that is not present, a CR3 outside guest RAM) answer
 *    -EINVAL.
 */
#ifndef PVHV_PUBLIC_HVM_HVM_VCPU_H
#define PVHV_PUBLIC_HVM_HVM_VCPU_H

#include "../xen.h"

/*
 * VCPU_HVM_MODE_32B: start in 32-bit protected mode (or, with EFER.LME
 * and LMA set and a 64-bit capable cs, compatibility mode). All segment
 * state is taken from the struct.
 */
struct vcpu_hvm_x86_32 {
    uint32_t eax;    /* IN: general registers */
    uint32_t ecx;    /* IN */
    uint32_t edx;    /* IN */
    uint32_t ebx;    /* IN */
    uint32_t esp;    /* IN */
    uint32_t ebp;    /* IN */
    uint32_t esi;    /* IN */
    uint32_t edi;    /* IN */
    uint32_t eip;    /* IN: first instruction */
    uint32_t eflags; /* IN: bit 1 must be set */
    uint32_t cr0;    /* IN: PE must be set */
    uint32_t cr3;    /* IN: page table root, if CR0.PG */
    uint32_t cr4;    /* IN */
    uint32_t pad1;   /* reserved, zero */
    /*
     * IN: only to set NXE when paging is on, or LME/LMA to start in
     * compatibility mode; other bits must be zero.
     */
    uint64_t efer;
    uint32_t cs_base;  /* IN: segment bases */
    uint32_t ds_base;  /* IN */
    uint32_t ss_base;  /* IN */
    uint32_t es_base;  /* IN */
    uint32_t tr_base;  /* IN */
    uint32_t cs_limit; /* IN: segment limits, in bytes (not pages) */
    uint32_t ds_limit; /* IN */
    uint32_t ss_limit; /* IN */
    uint32_t es_limit; /* IN */
    uint32_t tr_limit; /* IN */
    uint16_t cs_ar;    /* IN: access rights, layout below */
    uint16_t ds_ar;    /* IN */
    uint16_t ss_ar;    /* IN */
    uint16_t es_ar;    /* IN */
    uint16_t tr_ar;    /* IN */
    uint16_t pad2[3];  /* reserved, zero */
};
typedef struct vcpu_hvm_x86_32 xen_vcpu_hvm_x86_32_t;
PVHV_ABI_SIZE(struct vcpu_hvm_x86_32, 120);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, eip, 32);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, cr0, 40);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, pad1, 52);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, efer, 56);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, cs_base, 64);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, tr_base, 80);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, cs_limit, 84);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, tr_limit, 100);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, cs_ar, 104);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, tr_ar, 112);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_32, pad2, 114);

/*
 * The *_ar fields hold the descriptor's attribute bits, packed:
 *   bits 3:0   type  (descriptor bits 43:40)
 *   bit  4     s     (bit 44: code/data rather than system)
 *   bits 6:5   dpl   (bits 46:45)
 *   bit  7     p     (bit 47: present)
 *   bit  8     avl   (bit 52)
 *   bit  9     l     (bit 53: 64-bit code)
 *   bit  10    db    (bit 54: default operand size)
 *   bit  11    g     (bit 55: granularity)
 *   bits 15:12 zero
 * E.g. flat 32-bit code 0xc9b, flat data 0xc93, 32-bit busy TSS 0x8b.
 */

/*
 * VCPU_HVM_MODE_64B: start in 64-bit mode. pvhv sets the hidden segment
 * state to flat 64-bit code and flat data; cr0, cr4 and efer must already
 * describe long mode with paging (PE, PG, PAE, LME, LMA).
 */
struct vcpu_hvm_x86_64 {
    uint64_t rax;    /* IN: general registers */
    uint64_t rcx;    /* IN */
    uint64_t rdx;    /* IN */
    uint64_t rbx;    /* IN */
    uint64_t rsp;    /* IN */
    uint64_t rbp;    /* IN */
    uint64_t rsi;    /* IN */
    uint64_t rdi;    /* IN */
    uint64_t rip;    /* IN: first instruction */
    uint64_t rflags; /* IN: bit 1 must be set */
    uint64_t cr0;    /* IN */
    uint64_t cr3;    /* IN: page table root (guest physical) */
    uint64_t cr4;    /* IN */
    uint64_t efer;   /* IN */
};
typedef struct vcpu_hvm_x86_64 xen_vcpu_hvm_x86_64_t;
PVHV_ABI_SIZE(struct vcpu_hvm_x86_64, 112);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_64, rip, 64);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_64, rflags, 72);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_64, cr0, 80);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_64, cr3, 88);
PVHV_ABI_OFFSET(struct vcpu_hvm_x86_64, efer, 104);

/* vcpu_hvm_context.mode */
#define VCPU_HVM_MODE_32B 0 /* cpu_regs.x86_32 is used */
#define VCPU_HVM_MODE_64B 1 /* cpu_regs.x86_64 is used */

struct vcpu_hvm_context {
    uint32_t mode; /* IN: VCPU_HVM_MODE_* */
    uint32_t pad;  /* reserved, zero */
    union {
        xen_vcpu_hvm_x86_32_t x86_32; /* IN: for VCPU_HVM_MODE_32B */
        xen_vcpu_hvm_x86_64_t x86_64; /* IN: for VCPU_HVM_MODE_64B */
    } cpu_regs;
};
typedef struct vcpu_hvm_context vcpu_hvm_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_hvm_context_t);
PVHV_ABI_SIZE(struct vcpu_hvm_context, 128);
PVHV_ABI_OFFSET(struct vcpu_hvm_context, mode, 0);
PVHV_ABI_OFFSET(struct vcpu_hvm_context, pad, 4);
PVHV_ABI_OFFSET(struct vcpu_hvm_context, cpu_regs, 8);

#endif /* PVHV_PUBLIC_HVM_HVM_VCPU_H */
