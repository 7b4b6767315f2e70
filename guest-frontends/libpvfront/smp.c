/* smp.c: starting the application processors and counting them in. */
#include <pvhv/hvm/hvm_vcpu.h>
#include <pvhv/vcpu.h>

#include "internal.h"
#include "layout.h"

static unsigned int nr_cpus = 1;
static unsigned int online = 1; /* CPU 0 is */
static pvfront_smp_fn job_fn;
static void *job_arg;

void pvfront__smp_init(unsigned int n)
{
    nr_cpus = n == 0 ? 1 : n > PVFRONT_MAX_CPUS ? PVFRONT_MAX_CPUS : n;
}

unsigned int pvfront_nr_cpus(void)
{
    return nr_cpus;
}

unsigned int pvfront_smp_online(void)
{
    return __atomic_load_n(&online, __ATOMIC_ACQUIRE);
}

int pvfront_smp_start(pvfront_smp_fn fn, void *arg)
{
    int started = 0;

    job_fn = fn;
    job_arg = arg;
    /* The hypercalls below order these stores before any AP runs. */
    for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
        vcpu_hvm_context_t ctx = {
            .mode = VCPU_HVM_MODE_64B,
            .cpu_regs.x86_64 = {
                .rip = (uintptr_t)pvfront__ap_start64,
                .rsp = (uintptr_t)pvfront_stacks + ((uintptr_t)(cpu + 1) << PVFRONT_STACK_SHIFT),
                .rdi = cpu,
                .rflags = 2,
                .cr0 = BOOT_CR0,
                .cr3 = (uintptr_t)pvfront__pml4,
                .cr4 = BOOT_CR4,
                .efer = BOOT_EFER,
            },
        };
        long rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, cpu, &ctx);
        if (rc == 0)
            rc = HYPERVISOR_vcpu_op(VCPUOP_up, cpu, NULL);
        if (rc < 0)
            return (int)rc;
        started++;
    }
    return started;
}

int pvfront_smp_wait(unsigned int n, uint64_t timeout_ns)
{
    uint64_t end = pvfront_time_ns() + timeout_ns;
    /* Without a clock, bound the wait by spins (a pause is >= ~10 ns). */
    uint64_t spins = timeout_ns / 10;

    while (pvfront_smp_online() < n) {
        if (pvfront_time_ns() >= end && (pvfront_tsc_khz() || pvfront_pvclock()))
            return -XEN_ETIMEDOUT;
        if (!pvfront_tsc_khz() && !pvfront_pvclock() && spins-- == 0)
            return -XEN_ETIMEDOUT;
        pvfront__pause();
    }
    return 0;
}

void (*volatile pvfront__ap_init_hook)(unsigned int cpu);

void pvfront__ap_main(unsigned int cpu)
{
    void (*hook)(unsigned int) = pvfront__ap_init_hook;

    if (hook)
        hook(cpu);
    __atomic_fetch_add(&online, 1, __ATOMIC_ACQ_REL);
    job_fn(cpu, job_arg);
    /* Park. VCPUOP_down on ourselves returns only if someone ups us again. */
    for (;;) {
        if (HYPERVISOR_vcpu_op(VCPUOP_down, cpu, NULL) < 0)
            for (;;)
                __asm__ volatile("hlt"); /* IF is off: stays halted */
    }
}
