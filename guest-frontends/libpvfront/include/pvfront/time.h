/* time.h: the TSC and system time (pvclock when pvhv offers it, else the TSC). */
#ifndef PVFRONT_TIME_H
#define PVFRONT_TIME_H

#include <stdint.h>

/*
 * pvfront_rdtsc: the CPU's time stamp counter. Runs natively on PVM (no
 * exit, ~12 ns) and equals the host TSC there; constant rate.
 */
static inline uint64_t pvfront_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * pvfront_tsc_khz: TSC ticks per millisecond, from pvhv's platform info
 * (or Xen's CPUID leaf, or the pvclock record). 0 if nothing told us;
 * pvfront_time_ns then stays 0 too.
 */
uint64_t pvfront_tsc_khz(void);

/*
 * pvfront_time_ns: monotonic nanoseconds. With pvclock (pvhv mapped
 * shared_info at boot) this is Xen system time, ns since the domain
 * booted, the clock set_timer_op and SCHEDOP_poll deadlines use. Without
 * it, ns since libpvfront's boot computed from the TSC; pvfront_pvclock()
 * says which. Never goes backwards on one CPU.
 */
uint64_t pvfront_time_ns(void);

/* pvfront_pvclock: 1 if pvfront_time_ns reads pvhv's vcpu_time_info, 0 if the TSC. */
int pvfront_pvclock(void);

/*
 * pvfront_tsc_to_ns: convert a TSC tick count (e.g. a difference of two
 * pvfront_rdtsc values) to ns with the known TSC rate. 0 if the rate is
 * unknown.
 */
uint64_t pvfront_tsc_to_ns(uint64_t ticks);

/* pvfront_delay_ns: spin (with `pause`) for at least ns nanoseconds. */
void pvfront_delay_ns(uint64_t ns);

/*
 * pvfront_sleep_ns: give the CPU back for at least ns nanoseconds: arm the
 * vCPU's singleshot timer (set_timer_op) and SCHEDOP_block until the clock
 * says the time has passed. Needs pvclock (pvfront_pvclock() == 1).
 * Returns 0, or a negative Xen errno from the timer (-ENOSYS without
 * pvclock, where it falls back to nothing and the caller should spin).
 */
int pvfront_sleep_ns(uint64_t ns);

#endif /* PVFRONT_TIME_H */
