/* smp.h: CPU ids and bringing up the other vCPUs. */
#ifndef PVFRONT_SMP_H
#define PVFRONT_SMP_H

#include <stdint.h>
#include <pvfront/config.h>

/* The per-CPU stacks (PVFRONT_MAX_CPUS of PVFRONT_STACK_SIZE bytes). */
extern char pvfront_stacks[];

/*
 * pvfront_cpu_id: this CPU's id, 0 for the boot CPU, read from the stack
 * pointer (each CPU runs on its own stack, interrupts included). Valid
 * only on the stacks libpvfront set up; do not switch stacks.
 */
static inline unsigned int pvfront_cpu_id(void)
{
    uintptr_t sp;
    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (unsigned int)((sp - (uintptr_t)pvfront_stacks) >> PVFRONT_STACK_SHIFT);
}

/* pvfront_nr_cpus: vCPUs the domain has (pvhv_platform_info.nr_vcpus, capped
 * at PVFRONT_MAX_CPUS; 1 if the platform did not say). */
unsigned int pvfront_nr_cpus(void);

/* Function an AP runs once it is up: fn(cpu id, arg). */
typedef void (*pvfront_smp_fn)(unsigned int cpu, void *arg);

/*
 * pvfront_smp_start: bring up every other vCPU (1 .. nr_cpus-1) with
 * VCPUOP_initialise + VCPUOP_up; each switches itself to native mode (on
 * PVM), then runs fn(cpu, arg) on its own stack with interrupts off.
 * When fn returns the vCPU takes itself down (VCPUOP_down).
 * Returns at once, without waiting for fn: the number of APs started, or
 * the negative Xen errno of the first vCPU that failed (those before it
 * run on). Call it once, from CPU 0: a second call answers -XEN_EEXIST
 * (the vCPUs are already initialised), as does pvhv.
 */
int pvfront_smp_start(pvfront_smp_fn fn, void *arg);

/* pvfront_smp_online: CPUs that have reached their fn so far, CPU 0 included. */
unsigned int pvfront_smp_online(void);

/*
 * pvfront_smp_wait: spin until at least n CPUs are online or timeout_ns
 * passes (TSC time). Returns 0, or -XEN_ETIMEDOUT.
 */
int pvfront_smp_wait(unsigned int n, uint64_t timeout_ns);

#endif /* PVFRONT_SMP_H */
