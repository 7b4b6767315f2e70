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
 * call and writes the result to rax before resuming the vCPU. As on Xen,
 * the argument registers may be clobbered; others are preserved. A guest
 * may also issue the `out` itself with the same registers.
 *
 * The event_channel_op slot is special: EVTCHNOP_send is the hottest call
 * there is, and a send to a dom0 port can end in the host kernel, where
 * KVM signals dom0's eventfd (an ioeventfd) without an exit to pvhv:
 *
 *     cmp  $EVTCHNOP_send, %edi ; jne  slow
 *     mov  (%rsi), %eax          <- the port, from struct evtchn_send
 *     xor  %edi, %edi            <- the result when the kernel handles it
 *     out  %eax, $PVHV_EVTCHN_DOORBELL_PORT
 *     movslq %edi, %rax ; ret
 *   slow: the ordinary stub
 *
 * A port with no fast path exits to pvhv on the doorbell; pvhv serves it
 * as EVTCHNOP_send and puts the result in rdi. One difference from Xen
 * follows: a bad `arg` pointer for EVTCHNOP_send faults in the guest (the
 * stub reads it) instead of returning -EFAULT.
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

/* I/O port of the EVTCHNOP_send doorbell (4-byte `out`, data = port). */
#define PVHV_EVTCHN_DOORBELL_PORT 0x5f

/* Bytes of code per hypercall number in the hypercall page (as on Xen). */
#define PVHV_HYPERCALL_SLOT_SIZE 32
/* Hypercall numbers the page has slots for: 4096 / 32. */
#define PVHV_HYPERCALL_NR_SLOTS 128

/* Xen's MSR for "fill the hypercall page at this guest-physical address". */
#define PVHV_XEN_HYPERCALL_MSR 0x40000000U

/* Calls a guest may nest inside one multicall batch. */
#define PVHV_MULTICALL_MAX 512

#endif /* PVHV_PUBLIC_PVHV_HYPERCALL_H */
