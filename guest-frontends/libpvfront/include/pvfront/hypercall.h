/* hypercall.h: Xen hypercalls through pvhv's hypercall page (inline wrappers). */
#ifndef PVFRONT_HYPERCALL_H
#define PVFRONT_HYPERCALL_H

#include <stdint.h>
#include <pvhv/errno.h>
#include <pvhv/pvhv_hypercall.h>
#include <pvhv/xen.h>

/*
 * Calling convention (Xen x86_64): number in rax (set by the page's stub),
 * arguments in rdi, rsi, rdx, r10, r8, result in rax: >= 0 on success or a
 * negative Xen errno (-XEN_EFAULT ...). Pointers inside arguments are
 * guest virtual addresses; libpvfront identity-maps memory, so a pointer
 * to any object of the kernel is fine.
 *
 * Every call is a `call` into the page, which pushes onto the stack: code
 * that calls these must be built with -mno-red-zone (libpvfront requires
 * it anyway, because interrupts run on the interrupted stack).
 *
 * A hypercall costs one exit to pvhv (~45 us on PVM); batch with
 * HYPERVISOR_multicall where that matters.
 */

/*
 * Guest-virtual address of the hypercall page, set by the boot stub before
 * pvfront_main runs (from pvhv_platform_info, or Xen's MSR protocol when
 * the platform info is missing). NULL if no page was found; every call
 * then answers -XEN_ENOSYS.
 */
extern uint8_t *pvfront_hypercall_page;

/*
 * pvfront_hypercall: issue hypercall `nr` with five arguments (pass 0 for
 * unused ones). Returns the hypercall's result. nr outside the page
 * (>= PVHV_HYPERCALL_NR_SLOTS) or no page: -XEN_ENOSYS without a call.
 */
static inline long pvfront_hypercall(unsigned int nr, unsigned long a1,
                                     unsigned long a2, unsigned long a3,
                                     unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    if (nr >= PVHV_HYPERCALL_NR_SLOTS || !pvfront_hypercall_page)
        return -XEN_ENOSYS;
    /* Xen's stubs may clobber the argument registers: mark them in-out. */
    __asm__ volatile("call *%[slot]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
                       "+r"(r8)
                     : [slot] "r"(pvfront_hypercall_page +
                                  nr * PVHV_HYPERCALL_SLOT_SIZE)
                     : "memory", "cc");
    return ret;
}

/* console_io(cmd, count, buffer): CONSOLEIO_write / CONSOLEIO_read (xen.h). */
static inline long HYPERVISOR_console_io(int cmd, unsigned int count, char *buf)
{
    return pvfront_hypercall(__HYPERVISOR_console_io, (unsigned)cmd, count,
                             (unsigned long)buf, 0, 0);
}

/* sched_op(cmd, arg): SCHEDOP_* (sched.h). */
static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return pvfront_hypercall(__HYPERVISOR_sched_op, (unsigned)cmd,
                             (unsigned long)arg, 0, 0, 0);
}

/* xen_version(cmd, arg): XENVER_* (version.h). */
static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return pvfront_hypercall(__HYPERVISOR_xen_version, (unsigned)cmd,
                             (unsigned long)arg, 0, 0, 0);
}

/* vcpu_op(cmd, vcpuid, arg): VCPUOP_* (vcpu.h). */
static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *arg)
{
    return pvfront_hypercall(__HYPERVISOR_vcpu_op, (unsigned)cmd, vcpuid,
                             (unsigned long)arg, 0, 0);
}

/* memory_op(cmd, arg): XENMEM_* (memory.h). */
static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return pvfront_hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg,
                             0, 0, 0);
}

/* hvm_op(op, arg): HVMOP_* (hvm/hvm_op.h). */
static inline long HYPERVISOR_hvm_op(int op, void *arg)
{
    return pvfront_hypercall(__HYPERVISOR_hvm_op, (unsigned)op,
                             (unsigned long)arg, 0, 0, 0);
}

/*
 * set_timer_op(timeout): one-shot timer at absolute system time `timeout`
 * (ns, the vcpu_time_info clock); 0 cancels. Raises VIRQ_TIMER.
 */
static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
    return pvfront_hypercall(__HYPERVISOR_set_timer_op, timeout, 0, 0, 0, 0);
}

/* multicall(calls, nr): run nr entries in one exit (xen.h). */
static inline long HYPERVISOR_multicall(multicall_entry_t *calls,
                                        unsigned int nr)
{
    return pvfront_hypercall(__HYPERVISOR_multicall, (unsigned long)calls, nr,
                             0, 0, 0);
}

/* event_channel_op(cmd, arg): EVTCHNOP_* (event_channel.h). */
static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return pvfront_hypercall(__HYPERVISOR_event_channel_op, (unsigned)cmd,
                             (unsigned long)arg, 0, 0, 0);
}

/* grant_table_op(cmd, uop, count): GNTTABOP_* (grant_table.h). */
static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
                                             unsigned int count)
{
    return pvfront_hypercall(__HYPERVISOR_grant_table_op, cmd,
                             (unsigned long)uop, count, 0, 0);
}

#endif /* PVFRONT_HYPERCALL_H */
