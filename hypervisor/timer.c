/* timer.c: a vCPU's Xen timers. pvhv runs them on timerfds (the event
 * thread raises VIRQ_TIMER when one fires, and wakes a vCPU blocked in
 * SCHEDOP_block: hc_sched_op.c). Where KVM can raise the vCPU's events
 * itself (KVM's Xen support with the callback vector: evtchn.c), KVM runs
 * the singleshot timer instead, so a tick costs no exit to user space. */
#include <sys/timerfd.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/xen.h>

#include "evtchn.h"
#include "kvm_xen.h"
#include "log.h"
#include "pvclock.h"
#include "timer.h"
#include "vcpu.h"

static struct timespec ts_of(uint64_t ns)
{
    return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ULL),
                              .tv_nsec = (long)(ns % 1000000000ULL) };
}

/*
 * pvhv's own singleshot timer of v at system time `deadline` (0: off).
 * timer_deadline and the timerfd change together under the domain lock,
 * against the event thread's timer_expired: setting a timerfd drops an
 * expiry not yet read, so a deadline is either still armed here or was
 * taken by the event thread, never both.
 */
static int arm_timerfd(struct vcpu *v, uint64_t deadline)
{
    struct itimerspec its = { 0 };

    if (deadline) {
        uint64_t host = pvclock_to_host_ns(v->dom, deadline);
        /* it_value 0 would disarm: a past deadline becomes "now". */
        its.it_value = ts_of(host ? host : 1);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
    }
    pthread_mutex_lock(&v->dom->lock);
    v->timer_deadline = deadline;
    int r = timerfd_settime(v->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
    pthread_mutex_unlock(&v->dom->lock);
    return r < 0 ? -XEN_EINVAL : 0;
}

/* Disarm pvhv's singleshot timer; the deadline it held (0: none, or the
 * event thread took its expiry). */
static uint64_t disarm_timerfd(struct vcpu *v)
{
    struct itimerspec off = { 0 };

    pthread_mutex_lock(&v->dom->lock);
    uint64_t deadline = v->timer_deadline;
    v->timer_deadline = 0;
    timerfd_settime(v->timer_fd, 0, &off, NULL);
    pthread_mutex_unlock(&v->dom->lock);
    return deadline;
}

int timer_set_singleshot(struct vcpu *v, uint64_t deadline)
{
    if (v->kvm_timer_port)
        return kvm_xen_timer_set(v, v->kvm_timer_port, deadline) < 0 ? -XEN_EINVAL : 0;
    return arm_timerfd(v, deadline);
}

bool timer_expired(struct vcpu *v)
{
    uint64_t n;

    pthread_mutex_lock(&v->dom->lock);
    bool fired = read(v->timer_fd, &n, sizeof(n)) > 0;
    if (fired)
        v->timer_deadline = 0;
    pthread_mutex_unlock(&v->dom->lock);
    return fired;
}

int timer_set_periodic(struct vcpu *v, uint64_t period_ns)
{
    struct itimerspec its = { 0 };

    if (period_ns) {
        its.it_value = ts_of(period_ns);
        its.it_interval = ts_of(period_ns);
    }
    return timerfd_settime(v->periodic_fd, 0, &its, NULL) < 0 ? -XEN_EINVAL : 0;
}

void timer_resync_request_all(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        vcpu_kvm_resync_request(&d->vcpus[i]);
}

void timer_resync(struct vcpu *v)
{
    struct domain *d = v->dom;
    uint32_t want = 0;
    uint64_t deadline = 0;

    /* KVM delivers the timer's event only into a shared_info it knows,
     * and raises only Xen's callback vector, not pvhv's per-vCPU one. */
    if (d->kvm_xen && d->shared_info_gpa && evtchn_kvm_raises(d, v))
        want = evtchn_virq_port(d, v->id, VIRQ_TIMER);
    if (want == v->kvm_timer_port)
        return;
    /* Carry a running timer across, whoever ran it. */
    if (v->kvm_timer_port)
        kvm_xen_timer_get(v, &deadline);
    else
        deadline = disarm_timerfd(v);
    if (want && kvm_xen_timer_set(v, want, deadline) == 0) {
        log_debug("d%u v%u: singleshot timer in KVM, port %u", d->domid, v->id, want);
        __atomic_store_n(&v->kvm_timer_port, want, __ATOMIC_RELAXED);
        return;
    }
    if (v->kvm_timer_port)
        kvm_xen_timer_set(v, 0, 0);
    __atomic_store_n(&v->kvm_timer_port, 0, __ATOMIC_RELAXED);
    arm_timerfd(v, deadline);
}

bool timer_take_from_kvm(struct vcpu *v)
{
    uint64_t deadline;

    if (!v->kvm_timer_port || kvm_xen_timer_get(v, &deadline) < 0 || !deadline)
        return false;
    /* Due already: KVM raises it (or has); the guest must not sleep. */
    if (deadline <= pvclock_system_time(v->dom))
        return true;
    /* Stop KVM's, keeping the port, and run the same deadline here. Past
     * it by now, KVM may have fired in between: no second event. */
    kvm_xen_timer_set(v, v->kvm_timer_port, 0);
    if (deadline <= pvclock_system_time(v->dom))
        return true;
    arm_timerfd(v, deadline);
    return false;
}

void timer_give_to_kvm(struct vcpu *v)
{
    if (!v->kvm_timer_port)
        return;
    uint64_t deadline = disarm_timerfd(v);
    if (deadline && kvm_xen_timer_set(v, v->kvm_timer_port, deadline) < 0)
        arm_timerfd(v, deadline); /* KVM refused: keep it here */
}
