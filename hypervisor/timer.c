/* timer.c: a vCPU's Xen timers on timerfds. A vCPU blocked in
 * SCHEDOP_block wakes when one fires (hc_sched_op.c). */
#include <sys/timerfd.h>

#include <pvhv/errno.h>

#include "pvclock.h"
#include "timer.h"

static struct timespec ts_of(uint64_t ns)
{
    return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ULL),
                              .tv_nsec = (long)(ns % 1000000000ULL) };
}

int timer_set_singleshot(struct vcpu *v, uint64_t deadline)
{
    struct itimerspec its = { 0 };

    if (deadline) {
        uint64_t host = pvclock_to_host_ns(v->dom, deadline);
        /* it_value 0 would disarm: a past deadline becomes "now". */
        its.it_value = ts_of(host ? host : 1);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
    }
    return timerfd_settime(v->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -XEN_EINVAL : 0;
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
