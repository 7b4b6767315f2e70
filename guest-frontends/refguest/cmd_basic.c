/* cmd_basic.c: the one-shot commands: hello, crash, crashcode, reboot, spin, compute. */
#include <pvhv/vcpu.h>

#include "compute.h"
#include "refguest.h"

int cmd_hello(const struct pvfront_boot_info *bi)
{
    (void)bi;
    pvfront_console_puts("Hello from pvhv guest\n");
    return 0;
}

int cmd_crash(const struct pvfront_boot_info *bi)
{
    (void)bi;
    pvfront_console_puts("refguest: triple fault now\n");
    pvfront_triple_fault();
}

int cmd_crashcode(const struct pvfront_boot_info *bi)
{
    (void)bi;
    pvfront_console_puts("refguest: crashing on purpose\n");
    pvfront_crash();
}

int cmd_reboot(const struct pvfront_boot_info *bi)
{
    (void)bi;
    pvfront_console_puts("refguest: rebooting\n");
    pvfront_reboot();
}

int cmd_spin(const struct pvfront_boot_info *bi)
{
    uint64_t ms = 100;

    (void)bi;
    pvfront_cmdline_get_u64("interval_ms", &ms);
    uint64_t step = ms * pvfront_tsc_khz(), start = pvfront_rdtsc(), next = start;
    if (!step) {
        pvfront_console_puts("spin: TSC rate unknown\n");
        return 1;
    }
    /* Deadlines from the first tick, so a slow print never adds drift. */
    for (uint64_t n = 0;; n++) {
        while (pvfront_rdtsc() < next)
            __asm__ volatile("pause");
        pvfront_printf("spin %lu t=%lu ms\n", (unsigned long)n,
                       (unsigned long)((pvfront_rdtsc() - start) / pvfront_tsc_khz()));
        next += step;
    }
}

int cmd_tick(const struct pvfront_boot_info *bi)
{
    uint64_t ms = 1000;

    (void)bi;
    pvfront_cmdline_get_u64("interval_ms", &ms);
    uint64_t start = pvfront_time_ns(), step = ms * 1000000ull;
    /* Idle between lines (the vCPU blocks on its timer), unlike spin. */
    for (uint64_t n = 0;; n++) {
        uint64_t now = pvfront_time_ns(), next = start + n * step;
        if (next > now && pvfront_sleep_ns(next - now) < 0) {
            pvfront_console_puts("tick: no timer\n");
            return 1;
        }
        pvfront_printf("tick %lu t=%lu ms\n", (unsigned long)n,
                       (unsigned long)((pvfront_time_ns() - start) / 1000000));
    }
}

int cmd_compute(const struct pvfront_boot_info *bi)
{
    uint64_t n = 100000000;

    (void)bi;
    if (pvfront_cmdline_get_u64("n", &n) == -XEN_EINVAL) {
        pvfront_console_puts("compute: bad n=\n");
        return 1;
    }
    uint64_t t0 = pvfront_rdtsc();
    uint64_t r = refguest_compute(n);
    uint64_t ticks = pvfront_rdtsc() - t0;
    pvfront_printf("compute: n=%lu ticks=%lu ns=%lu result=%#lx\n", (unsigned long)n,
                   (unsigned long)ticks, (unsigned long)pvfront_tsc_to_ns(ticks),
                   (unsigned long)r);
    return 0;
}

int cmd_sleep(const struct pvfront_boot_info *bi)
{
    uint64_t ms = 100;

    (void)bi;
    pvfront_cmdline_get_u64("ms", &ms);
    uint64_t t0 = pvfront_time_ns();
    int r = pvfront_sleep_ns(ms * 1000000ULL);
    if (r < 0) {
        pvfront_printf("sleep: failed: %d\n", r);
        return 1;
    }
    pvfront_printf("sleep: %lu ms asked, %lu us slept\n", (unsigned long)ms,
                   (unsigned long)((pvfront_time_ns() - t0) / 1000));
    return 0;
}

static void print_runstate(const char *how, const struct vcpu_runstate_info *r, uint64_t now)
{
    pvfront_printf("runstate: %s state=%d running=%lu runnable=%lu blocked=%lu offline=%lu "
                   "entry=%lu now=%lu\n",
                   how, r->state, (unsigned long)(r->time[RUNSTATE_running] / 1000000),
                   (unsigned long)(r->time[RUNSTATE_runnable] / 1000000),
                   (unsigned long)(r->time[RUNSTATE_blocked] / 1000000),
                   (unsigned long)(r->time[RUNSTATE_offline] / 1000000),
                   (unsigned long)(r->state_entry_time & ~XEN_RUNSTATE_UPDATE),
                   (unsigned long)now);
}

int cmd_runstate(const struct pvfront_boot_info *bi)
{
    static struct vcpu_runstate_info area;
    struct vcpu_runstate_info copy, call;
    struct vcpu_register_runstate_memory_area reg = { .addr.v = &area };
    uint64_t spin_ms = 200, sleep_ms = 300;

    (void)bi;
    pvfront_cmdline_get_u64("spin_ms", &spin_ms);
    pvfront_cmdline_get_u64("sleep_ms", &sleep_ms);
    long r = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    if (r < 0) {
        pvfront_printf("runstate: register failed: %ld\n", r);
        return 1;
    }
    pvfront_delay_ns(spin_ms * 1000000ULL);
    int s = pvfront_sleep_ns(sleep_ms * 1000000ULL);
    if (s < 0) {
        pvfront_printf("runstate: sleep failed: %d\n", s);
        return 1;
    }
    /* The hypervisor may rewrite the area under us: take a copy whose
     * state_entry_time did not change while it was read. */
    uint64_t t;
    do {
        t = __atomic_load_n(&area.state_entry_time, __ATOMIC_ACQUIRE);
        __builtin_memcpy(&copy, (const void *)&area, sizeof(copy));
    } while ((t & XEN_RUNSTATE_UPDATE) ||
             t != __atomic_load_n(&area.state_entry_time, __ATOMIC_ACQUIRE));
    r = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &call);
    uint64_t now = pvfront_time_ns();
    if (r < 0) {
        pvfront_printf("runstate: get_runstate_info failed: %ld\n", r);
        return 1;
    }
    print_runstate("area", &copy, now);
    print_runstate("call", &call, now);
    return 0;
}
