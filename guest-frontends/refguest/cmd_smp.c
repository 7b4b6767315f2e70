/* cmd_smp.c: bring every vCPU up and have each report in. */
#include "refguest.h"

static void ap_report(unsigned int cpu, void *arg)
{
    (void)arg;
    pvfront_printf("cpu %u online\n", cpu);
}

int cmd_smp(const struct pvfront_boot_info *bi)
{
    unsigned int n = bi->nr_cpus;

    pvfront_printf("cpu %u online\n", pvfront_cpu_id());
    int rc = pvfront_smp_start(ap_report, NULL);
    if (rc < 0) {
        pvfront_printf("smp: starting vCPUs failed: %d\n", rc);
        return 1;
    }
    if (pvfront_smp_wait(n, 5000000000ULL) < 0) {
        pvfront_printf("smp: only %u of %u cpus online\n", pvfront_smp_online(), n);
        return 1;
    }
    /* The APs print before counting in is not guaranteed: give them a moment. */
    pvfront_delay_ns(1000000);
    pvfront_printf("smp: %u of %u cpus online\n", pvfront_smp_online(), n);
    return 0;
}
