/* cmd_smp.c: bring every vCPU up and have each report in. */
#include "refguest.h"

/* CPUs whose line is out: counted after the print, so CPU 0's summary comes last. */
static unsigned int reported;

static void report(unsigned int cpu, void *arg)
{
    (void)arg;
    pvfront_printf("cpu %u online\n", cpu);
    __atomic_fetch_add(&reported, 1, __ATOMIC_RELEASE);
}

int cmd_smp(const struct pvfront_boot_info *bi)
{
    unsigned int n = bi->nr_cpus;

    report(pvfront_cpu_id(), NULL);
    int rc = pvfront_smp_start(report, NULL);
    if (rc < 0) {
        pvfront_printf("smp: starting vCPUs failed: %d\n", rc);
        return 1;
    }
    uint64_t deadline = pvfront_time_ns() + 5000000000ULL;
    while (__atomic_load_n(&reported, __ATOMIC_ACQUIRE) < n && pvfront_time_ns() < deadline)
        __asm__ volatile("pause");
    unsigned int got = __atomic_load_n(&reported, __ATOMIC_ACQUIRE);
    if (got < n) {
        pvfront_printf("smp: only %u of %u cpus online\n", got, n);
        return 1;
    }
    pvfront_printf("smp: %u of %u cpus online\n", got, n);
    return 0;
}
