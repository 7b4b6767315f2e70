/* SPDX-License-Identifier: MIT */
/*
 * pvhv_hypercall.h: how a hypercall travels from a guest to pvhv (a pvhv
 * addition; the numbers and arguments themselves are Xen's, see xen.h).
 *
 * Xen guests call through a hypercall page: 32 bytes of code per hypercall
 * number, entered with `call hypercall_page + 32 * nr`. pvhv writes that
 * page, so guests never name the trapping instruction. On KVM, neither
 * vmcall nor vmmcall reaches a user-space monitor on every host (on PVM
 * vmcall hangs and vmmcall goes to the outer hypervisor), so each slot is a
 * port-I/O stub:
 *
 *     mov  $nr, %eax
 *     out  %eax, $PVHV_HYPERCALL_PORT     <- exits to pvhv
 *     ret
 *
 * pvhv reads rax (number) and rdi, rsi, rdx, r10, r8 (arguments), runs the
 * call and writes the result to rax before resuming the vCPU. Registers
 * other than rax are preserved. A guest may also issue the `out` itself with
 * the same registers (the reference guest does not).
 *
 * Where the page comes from:
 * 1. pvhv fills one at PVHV_HYPERCALL_PAGE_GPA before the guest starts and
 *    names it in pvhv_platform_info (pvhv_platform.h). This is the way on
 *    PVM, where the guest cannot see pvhv's CPUID leaves.
 * 2. Xen's way also works where the guest can see CPUID leaf 0x40000000
 *    ("XenVMMXenVMM"): the guest writes the guest-physical address of a page
 *    of its own RAM to MSR PVHV_XEN_HYPERCALL_MSR and pvhv fills that page.
 */
#ifndef PVHV_PUBLIC_PVHV_HYPERCALL_H
#define PVHV_PUBLIC_PVHV_HYPERCALL_H

#include "pvhv_abi.h"

/* I/O port of the hypercall stub. Any width of `out` is accepted. */
#define PVHV_HYPERCALL_PORT 0x5e

/* Bytes of code per hypercall number in the hypercall page (as on Xen). */
#define PVHV_HYPERCALL_SLOT_SIZE 32
/* Hypercall numbers the page has slots for: 4096 / 32. */
#define PVHV_HYPERCALL_NR_SLOTS 128

/* Xen's MSR for "fill the hypercall page at this guest-physical address". */
#define PVHV_XEN_HYPERCALL_MSR 0x40000000U

/* Calls a guest may nest inside one multicall batch. */
#define PVHV_MULTICALL_MAX 512

#endif /* PVHV_PUBLIC_PVHV_HYPERCALL_H */
