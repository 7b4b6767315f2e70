/* shutdown.c: ending the domain, with fallbacks that cannot return. */
#include <pvhv/sched.h>

#include "internal.h"

void pvfront_triple_fault(void)
{
    /* An empty IDT: the exception cannot be delivered, nor the #DF after it. */
    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } empty = { 0, 0 };

    __asm__ volatile("lidt %0; ud2" ::"m"(empty) : "memory");
    __builtin_unreachable();
}

void pvfront_shutdown(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };

    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    /* Refused, cancelled (suspend) or no hypercall page: crash instead. */
    s.reason = SHUTDOWN_crash;
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    pvfront_triple_fault();
}

void pvfront_poweroff(void)
{
    pvfront_shutdown(SHUTDOWN_poweroff);
}

void pvfront_reboot(void)
{
    pvfront_shutdown(SHUTDOWN_reboot);
}

void pvfront_crash(void)
{
    pvfront_shutdown(SHUTDOWN_crash);
}
