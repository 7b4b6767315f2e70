/* hc_sched_op.c: __HYPERVISOR_sched_op: yield, block, poll, shutdown. */
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/event_channel.h>
#include <pvhv/sched.h>
#include <pvhv/xen.h>

#include "hypercall.h"
#include "pvclock.h"

/* Most ports one SCHEDOP_poll may name (Xen's limit). */
#define POLL_MAX_PORTS 128

/* Should a blocking vCPU stop waiting? (domain paused, dying, shut down) */
static bool must_stop(struct vcpu *v)
{
    struct domain *d = v->dom;
    bool stop;

    pthread_mutex_lock(&d->lock);
    stop = d->paused || d->dying || d->shutdown;
    pthread_mutex_unlock(&d->lock);
    return stop;
}

/*
 * Sleep until one of the vCPU's timers fires, it is kicked, or the absolute
 * monotonic time `deadline_ns` passes (0: no deadline). Marks the vCPU
 * blocked meanwhile so `pvctl list` shows 'b'.
 */
static void block_vcpu(struct vcpu *v, uint64_t deadline_ns)
{
    struct domain *d = v->dom;
    struct pollfd fds[3] = {
        { .fd = v->wake_fd, .events = POLLIN },
        { .fd = v->timer_fd, .events = POLLIN },
        { .fd = v->periodic_fd, .events = POLLIN },
    };
    uint64_t count;

    pthread_mutex_lock(&d->lock);
    v->blocked = true;
    pthread_mutex_unlock(&d->lock);
    vcpu_runstate_change(v, RUNSTATE_blocked);
    while (!must_stop(v)) {
        int timeout = -1;
        if (deadline_ns) {
            uint64_t now = now_ns();
            if (now >= deadline_ns)
                break;
            uint64_t ms = (deadline_ns - now + 999999) / 1000000;
            timeout = ms > 1000 ? 1000 : (int)ms;
        }
        int n = poll(fds, 3, timeout);
        if (n > 0) {
            /* Consume what woke us; a timer expiry ends the block. */
            if (fds[0].revents && read(v->wake_fd, &count, sizeof(count)) < 0)
                count = 0;
            if (fds[1].revents && read(v->timer_fd, &count, sizeof(count)) > 0)
                break;
            if (fds[2].revents && read(v->periodic_fd, &count, sizeof(count)) > 0)
                break;
            if (fds[0].revents)
                break;
        }
    }
    pthread_mutex_lock(&d->lock);
    v->blocked = false;
    pthread_mutex_unlock(&d->lock);
    vcpu_runstate_change(v, RUNSTATE_running);
}

static int64_t sched_poll(struct hc_ctx *c, uint64_t arg)
{
    struct sched_poll p;
    evtchn_port_t ports[POLL_MAX_PORTS];

    if (hc_copy_from(c, &p, arg, sizeof(p)) < 0)
        return -XEN_EFAULT;
    if (p.nr_ports > POLL_MAX_PORTS)
        return -XEN_EINVAL;
    if (hc_copy_from(c, ports, p.ports.addr, p.nr_ports * sizeof(ports[0])) < 0)
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < p.nr_ports; i++)
        if (ports[i] >= EVTCHN_2L_NR_CHANNELS)
            return -XEN_EINVAL;
    /* No port can be pending before event channels exist: wait for the
     * timeout or a kick. */
    block_vcpu(c->v, p.timeout ? pvclock_to_host_ns(c->dom, p.timeout) : 0);
    vcpu_runstate_publish(c->v, &c->pg);
    return 0;
}

static int64_t do_sched_op(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1];
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_block:
        block_vcpu(c->v, 0);
        vcpu_runstate_publish(c->v, &c->pg);
        return 0;
    case SCHEDOP_shutdown:
        if (hc_copy_from(c, &s, arg, sizeof(s)) < 0)
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        if (s.reason == SHUTDOWN_suspend)
            return 1; /* "cancelled": pvhv cannot save a domain yet */
        if (s.reason == SHUTDOWN_crash)
            domain_crash(c->dom, "the guest reported a crash (SCHEDOP_shutdown)");
        else
            domain_shutdown(c->dom, s.reason);
        return 0;
    case SCHEDOP_shutdown_code:
        if (hc_copy_from(c, &s, arg, sizeof(s)) < 0)
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        pthread_mutex_lock(&c->dom->lock);
        c->dom->shutdown_code = s.reason;
        pthread_mutex_unlock(&c->dom->lock);
        return 0;
    case SCHEDOP_poll:
        return sched_poll(c, arg);
    default: /* remote_shutdown, watchdog, pin_override: not offered */
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_sched_op, do_sched_op)
