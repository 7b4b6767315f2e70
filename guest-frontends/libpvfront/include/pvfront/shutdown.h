/* shutdown.h: ending the domain (SCHEDOP_shutdown). */
#ifndef PVFRONT_SHUTDOWN_H
#define PVFRONT_SHUTDOWN_H

/*
 * pvfront_shutdown: shut the domain down with `reason` (SHUTDOWN_* from
 * <pvhv/sched.h>). Does not return: if pvhv refuses (a bad reason, or
 * SHUTDOWN_suspend, which pvhv cancels), it shuts down with SHUTDOWN_crash
 * instead, and if even that fails (no hypercall page) it triple-faults,
 * which pvhv also reports as a crash.
 */
__attribute__((noreturn)) void pvfront_shutdown(unsigned int reason);

/* pvfront_poweroff: pvfront_shutdown(SHUTDOWN_poweroff). */
__attribute__((noreturn)) void pvfront_poweroff(void);
/* pvfront_reboot: pvfront_shutdown(SHUTDOWN_reboot). */
__attribute__((noreturn)) void pvfront_reboot(void);
/* pvfront_crash: pvfront_shutdown(SHUTDOWN_crash). */
__attribute__((noreturn)) void pvfront_crash(void);

/*
 * pvfront_triple_fault: load an empty IDT and raise an exception, so the
 * CPU shuts down without any hypercall (KVM reports KVM_EXIT_SHUTDOWN).
 * The last resort, and a test of the hypervisor's crash path.
 */
__attribute__((noreturn)) void pvfront_triple_fault(void);

#endif /* PVFRONT_SHUTDOWN_H */
