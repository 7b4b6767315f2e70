/* time.c: system time from the pvclock record, or from the TSC and its known rate. */
#include <pvfront/hypercall.h>
#include <pvfront/shared_info.h>
#include <pvhv/errno.h>
#include <pvhv/sched.h>

#include "internal.h"

static uint64_t tsc_khz;
static uint64_t boot_tsc;
static uint64_t ns_per_tick_32; /* ns per TSC tick, 32.32 fixed point */

void pvfront__time_init(const struct pvhv_platform_info *pi)
{
    boot_tsc = pvfront_rdtsc();
    if (pi && (pi->flags & PVHV_PLATFORM_F_TSC_KNOWN)) {
        tsc_khz = pi->tsc_khz;
    } else {
        /* Xen's leaf base+3, subleaf 0: ecx = guest TSC kHz. */
        uint32_t base = pvfront__xen_cpuid_base(), r[4];
        if (base) {
            pvfront__cpuid(base + 3, 0, r);
            tsc_khz = r[2];
        }
    }
    if (tsc_khz)
        ns_per_tick_32 = (1000000ULL << 32) / tsc_khz;
}

uint64_t pvfront_tsc_khz(void)
{
    return tsc_khz;
}

uint64_t pvfront_tsc_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_32) >> 32);
}

int pvfront_pvclock(void)
{
    return pvfront_shared_info() != NULL;
}

static uint64_t pvclock_ns(const volatile struct vcpu_time_info *t)
{
    uint32_t ver;
    uint64_t stamp, sys, now;
    uint32_t mul;
    int8_t shift;

    /* pvhv makes version odd while it rewrites the record: retry then. */
    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        stamp = t->tsc_timestamp;
        sys = t->system_time;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        now = pvfront_rdtsc();
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((ver & 1) || ver != t->version);
    uint64_t delta = now - stamp;
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t pvfront_time_ns(void)
{
    shared_info_t *s = pvfront_shared_info();
    unsigned cpu = pvfront_cpu_id();

    /* CPUs without a slot in shared_info read CPU 0's: the TSC is synchronised. */
    if (s)
        return pvclock_ns(&s->vcpu_info[cpu < XEN_LEGACY_MAX_VCPUS ? cpu : 0].time);
    return pvfront_tsc_to_ns(pvfront_rdtsc() - boot_tsc);
}

void pvfront_delay_ns(uint64_t ns)
{
    if (!tsc_khz && !pvfront_pvclock())
        return; /* no clock to measure with */
    uint64_t end = pvfront_time_ns() + ns;
    while (pvfront_time_ns() < end)
        pvfront__pause();
}

/* Before event channels are handled, a pending flag left by an event (a
 * backend acknowledging console output, say) would end every
 * SCHEDOP_block at once. Dropping it loses nothing: the port bits stay
 * set for the scan pvfront_evtchn_init() makes. */
static void quiesce_events(void)
{
    unsigned int cpu = pvfront_cpu_id();
    shared_info_t *sh = pvfront_shared_info();

    if (!__atomic_load_n(&pvfront__evtchn_live, __ATOMIC_ACQUIRE) && sh &&
        cpu < XEN_LEGACY_MAX_VCPUS)
        __atomic_store_n(&sh->vcpu_info[cpu].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
}

int pvfront_sleep_ns(uint64_t ns)
{
    if (!pvfront_pvclock())
        return -XEN_ENOSYS; /* timers count in pvclock time */
    uint64_t end = pvfront_time_ns() + ns;
    /* A block may end early (another event, a pause): block again, with
     * the timer armed again each time. Its first firing may have ended an
     * earlier block, or come a little before this clock read `end` (a
     * hypervisor timing on another clock than ours), and a singleshot
     * timer fires once. */
    while (pvfront_time_ns() < end) {
        long r = HYPERVISOR_set_timer_op(end);
        if (r < 0)
            return (int)r;
        quiesce_events();
        r = HYPERVISOR_sched_op(SCHEDOP_block, 0);
        if (r < 0)
            return (int)r;
    }
    return 0;
}
