/* pvclock.c: guest time: vcpu_time_info and the shared_info wallclock. */
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "kvm.h"
#include "pvclock.h"

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void pvclock_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
    uint64_t scaled = 1000000000ULL, tps = tsc_hz;
    int s = 0;

    /* Bring the tick rate within (scaled/2, scaled*2] so that the 32.32
     * multiplier stays below 2^32, as Xen's and Linux's scale does. */
    while (tps > 2 * scaled || (tps >> 32)) {
        tps >>= 1;
        s--;
    }
    while (tps <= scaled) {
        tps <<= 1;
        s++;
    }
    *mul = (uint32_t)((scaled << 32) / tps);
    *shift = (int8_t)s;
}

void pvclock_init(struct domain *d)
{
    int khz = ioctl(d->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);

    d->tsc_khz = khz > 0 ? (uint32_t)khz : 1000000;
    /* Same TSC as the host on PVM; a fresh VM on VT-x/SVM may start its
     * TSC elsewhere, which its vCPU 0's IA32_TSC tells. */
    uint64_t guest_tsc;
    if (kvm_get_msr(d->vcpus[0].fd, 0x10, &guest_tsc) == 0)
        d->tsc_offset = (int64_t)(guest_tsc - rdtsc());
    pvclock_scale((uint64_t)d->tsc_khz * 1000, &d->tsc_mul, &d->tsc_shift);
}

/*
 * With KVM's Xen support the guest reads KVM's clock: KVM_SET_CLOCK
 * started it at pvhv's system time, but it runs on the TSC and drifts
 * from CLOCK_MONOTONIC (NTP, rounding of the TSC rate). Read KVM's clock
 * then, so that pvhv's answers and timers agree with what the guest reads:
 * a timer that fires before the guest's clock reaches its deadline leaves
 * a guest that blocks again until then with nothing left to wake it.
 * `*mono` is CLOCK_MONOTONIC read after KVM's clock, so deadlines made
 * from the pair err late, never early.
 */
static bool kvm_clock_now(const struct domain *d, uint64_t *clock, uint64_t *mono)
{
    struct kvm_clock_data cd = { 0 };

    if (!d->kvm_xen || ioctl(d->vm_fd, KVM_GET_CLOCK, &cd) < 0)
        return false;
    *mono = now_ns();
    *clock = cd.clock;
    return true;
}

uint64_t pvclock_system_time(const struct domain *d)
{
    uint64_t clock, mono;

    if (kvm_clock_now(d, &clock, &mono))
        return clock;
    return now_ns() - d->boot_ns;
}

uint64_t pvclock_to_host_ns(const struct domain *d, uint64_t t)
{
    uint64_t clock, mono;

    if (kvm_clock_now(d, &clock, &mono)) {
        if (t <= clock)
            return mono;
        if (t - clock > (UINT64_MAX >> 2) - mono)
            return UINT64_MAX >> 2;
        return mono + (t - clock);
    }
    /* Deadlines past the end of time stay there instead of wrapping. */
    if (t > (UINT64_MAX >> 2) - d->boot_ns)
        return UINT64_MAX >> 2;
    return d->boot_ns + t;
}

struct vcpu_info *pvclock_vcpu_info(struct domain *d, struct vcpu *v)
{
    if (v->vcpu_info_gpa)
        return guest_mem_ptr(&d->mem, v->vcpu_info_gpa, sizeof(struct vcpu_info));
    if (d->shared_info_gpa && v->id < XEN_LEGACY_MAX_VCPUS) {
        struct shared_info *s =
            guest_mem_ptr(&d->mem, d->shared_info_gpa, sizeof(struct shared_info));
        return s ? &s->vcpu_info[v->id] : NULL;
    }
    return NULL;
}

void pvclock_update_vcpu(struct domain *d, struct vcpu *v)
{
    struct vcpu_info *vi = pvclock_vcpu_info(d, v);

    if (!vi || d->kvm_xen)
        return; /* KVM keeps it (kvm_xen.c) */
    struct vcpu_time_info *t = &vi->time;
    uint32_t ver = __atomic_load_n(&t->version, __ATOMIC_RELAXED);
    ver += ver & 1; /* a guest may have scribbled an odd value */
    /* Odd while writing: a guest reading now retries. */
    __atomic_store_n(&t->version, ver + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t tsc = rdtsc();
    t->system_time = pvclock_system_time(d);
    t->tsc_timestamp = tsc + (uint64_t)d->tsc_offset;
    t->tsc_to_system_mul = d->tsc_mul;
    t->tsc_shift = d->tsc_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&t->version, ver + 2, __ATOMIC_RELEASE);
}

void pvclock_update_all(struct domain *d)
{
    struct shared_info *s = d->shared_info_gpa
        ? guest_mem_ptr(&d->mem, d->shared_info_gpa, sizeof(struct shared_info))
        : NULL;

    for (unsigned i = 0; i < d->nr_vcpus; i++)
        pvclock_update_vcpu(d, &d->vcpus[i]);
    if (!s)
        return;
    /* Wallclock at system time 0 = realtime now - system time now. */
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    uint64_t real = (uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec;
    uint64_t boot = real - pvclock_system_time(d);
    uint32_t ver = __atomic_load_n(&s->wc_version, __ATOMIC_RELAXED);
    ver += ver & 1;
    __atomic_store_n(&s->wc_version, ver + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t sec = boot / 1000000000ULL;
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = (uint32_t)(boot % 1000000000ULL);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&s->wc_version, ver + 2, __ATOMIC_RELEASE);
}
