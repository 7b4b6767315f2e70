/* trap.h: exception and interrupt vectors, handler registration, IF control. */
#ifndef PVFRONT_TRAP_H
#define PVFRONT_TRAP_H

#include <stdint.h>

/*
 * The registers a vector stub saved, lowest address first. Handlers may
 * change them; the stub restores them and returns with iretq.
 */
struct pvfront_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector; /* 0..255 */
    uint64_t error;  /* the CPU's error code, or 0 for vectors without one */
    uint64_t rip, cs, rflags, rsp, ss; /* the CPU's interrupt frame */
};

/*
 * A handler returns nonzero if it dealt with the event (execution resumes
 * at frame->rip), 0 to fall back to the default: for an exception (vector
 * < 32) print the vector, rip and error code and crash the domain
 * (SHUTDOWN_crash); for an interrupt, count it as spurious and resume.
 */
typedef int (*pvfront_trap_fn)(struct pvfront_trap_frame *frame);

/*
 * pvfront_trap_set_handler: run fn for `vector` on every CPU (NULL
 * restores the default). Returns the previous handler. Vectors above 255
 * are ignored (returns NULL). Handlers run on the interrupted stack, with
 * interrupts off, natively on PVM.
 */
pvfront_trap_fn pvfront_trap_set_handler(unsigned int vector, pvfront_trap_fn fn);

/* pvfront_trap_spurious: interrupts that arrived with no handler, all CPUs. */
uint64_t pvfront_trap_spurious(void);

/*
 * pvfront_irq_enable / pvfront_irq_disable: sti / cli on this CPU. On PVM
 * each traps to the hypervisor (~4 us) and pushf cannot see the result, so
 * keep them out of hot paths. Event upcalls need IF on: see
 * pvfront/evtchn.h for how libpvfront lets them in while IF stays off.
 */
static inline void pvfront_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline void pvfront_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

#endif /* PVFRONT_TRAP_H */
