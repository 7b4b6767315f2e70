/* hc_sched_op.c: __HYPERVISOR_sched_op: yield, block, poll, shutdown. */
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/event_channel.h>
#include <pvhv/sched.h>
#include <pvhv/xen.h>

#include "evtchn.h"
#include "hypercall.h"
#include "pvclock.h"
#include "timer.h"

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

/* Has v an upcall outstanding (an event it has not handled)? */
static bool upcall_pending(struct vcpu *v)
{
    struct vcpu_info *vi = pvclock_vcpu_info(v->dom, v);

    return vi && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE);
}

/* An upcall KVM raised on its own (its timer) since SCHEDOP_block looked. */
static bool upcall_pending_from_kvm(struct vcpu *v)
{
    return v->kvm_timer_port && upcall_pending(v);
}

/*
 * Sleep until `ready(arg)` holds, the absolute monotonic time
 * `deadline_ns` passes (0: none), or the domain stops running. A NULL
 * `ready` ends at the first wake-up: an event for this vCPU, its timer
 * (the event thread wakes it), or a kick. Marks the vCPU blocked
 * meanwhile, so `pvctl list` shows 'b'.
 */
static void block_vcpu(struct vcpu *v, uint64_t deadline_ns,
                       bool (*ready)(struct vcpu *v, void *arg), void *arg)
{
    struct domain *d = v->dom;
    struct pollfd pfd = { .fd = v->wake_fd, .events = POLLIN };
    uint64_t count;

    /* KVM's timer cannot end a wait outside KVM_RUN: pvhv's does. It may
     * have fired just before, leaving an upcall a block must not sleep on. */
    if (timer_take_from_kvm(v))
        return;
    pthread_mutex_lock(&d->lock);
    v->blocked = true;
    pthread_mutex_unlock(&d->lock);
    vcpu_runstate_change(v, RUNSTATE_blocked);
    while (!must_stop(v) && !(ready ? ready(v, arg) : upcall_pending_from_kvm(v))) {
        int timeout = -1;
        if (deadline_ns) {
            uint64_t now = now_ns();
            if (now >= deadline_ns)
                break;
            uint64_t ms = (deadline_ns - now + 999999) / 1000000;
            timeout = ms > 1000 ? 1000 : (int)ms;
        }
        if (poll(&pfd, 1, timeout) > 0 && read(v->wake_fd, &count, sizeof(count)) > 0 &&
            !ready)
            break;
    }
    pthread_mutex_lock(&d->lock);
    v->blocked = false;
    pthread_mutex_unlock(&d->lock);
    vcpu_runstate_change(v, RUNSTATE_running);
    timer_give_to_kvm(v);
}

struct poll_set {
    evtchn_port_t *ports;
    uint32_t n;
};

static bool any_pending(struct vcpu *v, void *arg)
{
    const struct poll_set *ps = arg;

    for (uint32_t i = 0; i < ps->n; i++)
        if (evtchn_is_pending(v->dom, ps->ports[i]))
            return true;
    return false;
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
        if (ports[i] == 0 || ports[i] >= EVTCHN_GUEST_PORTS)
            return -XEN_EINVAL;
    struct poll_set ps = { ports, p.nr_ports };
    __atomic_store_n(&c->v->polling, true, __ATOMIC_SEQ_CST);
    block_vcpu(c->v, p.timeout ? pvclock_to_host_ns(c->dom, p.timeout) : 0, any_pending, &ps);
    __atomic_store_n(&c->v->polling, false, __ATOMIC_RELEASE);
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
        if (!upcall_pending(c->v))
            block_vcpu(c->v, 0, NULL, NULL);
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
