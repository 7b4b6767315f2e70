/* kvm_xen.c: KVM's in-kernel Xen help, where pvhv uses it.
 *
 * Why: a pvclock published from user space goes stale whenever KVM moves
 * the guest's TSC (migration between host CPUs, TSC adjustments), and on
 * VT-x/SVM KVM already keeps a kvmclock for the VM. With KVM's Xen support
 * KVM writes the same clock into the guest's vcpu_info on every update it
 * makes, as Xen does. And Xen's callback vector is not a local APIC
 * interrupt (no EOI; re-raised while evtchn_upcall_pending is set), which
 * pvhv cannot inject from user space but KVM can. And a singleshot timer
 * in KVM costs a Linux guest no exit to user space per tick, and a
 * runstate area KVM keeps counts steal time as the host scheduler sees
 * it. pvhv keeps everything else: event channels, periodic timers,
 * grants. */
#include <errno.h>
#include <sys/ioctl.h>

#include <pvhv/vcpu.h>
#include <pvhv/xen.h>

#include "kvm.h"
#include "kvm_xen.h"
#include "pvclock.h"

int kvm_xen_domain_init(struct domain *d)
{
    if (!kvm_host.use_xen)
        return 0;
    struct kvm_xen_hvm_attr lm = { .type = KVM_XEN_ATTR_TYPE_LONG_MODE, .u.long_mode = 1 };
    if (ioctl(d->vm_fd, KVM_XEN_HVM_SET_ATTR, &lm) < 0)
        return -errno;
    /* KVM's guest clock counts from VM creation; pvhv's from boot_ns. */
    struct kvm_clock_data cd = { .clock = pvclock_system_time(d) };
    if (ioctl(d->vm_fd, KVM_SET_CLOCK, &cd) < 0)
        return -errno;
    d->kvm_xen = true;
    return 0;
}

static int set_vcpu_info(struct vcpu *v, uint64_t gpa)
{
    struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO, .u.gpa = gpa };

    /* A vCPU ioctl waits for that vCPU to leave KVM_RUN, where another
     * vCPU may sit halted: make it leave. */
    vcpu_kick(v);
    return ioctl(v->fd, KVM_XEN_VCPU_SET_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_xen_set_shared_info(struct domain *d, uint64_t gpa)
{
    if (!d->kvm_xen)
        return 0;
    struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_SHARED_INFO,
                                  .u.shared_info.gfn = gpa >> XEN_PAGE_SHIFT };
    if (ioctl(d->vm_fd, KVM_XEN_HVM_SET_ATTR, &a) < 0)
        return -errno;
    /* KVM writes a vcpu_info only where it is told, the default one in
     * shared_info included. */
    for (unsigned i = 0; i < d->nr_vcpus && i < XEN_LEGACY_MAX_VCPUS; i++) {
        struct vcpu *v = &d->vcpus[i];
        if (v->vcpu_info_gpa)
            continue;
        int r = set_vcpu_info(v, gpa + i * sizeof(struct vcpu_info));
        if (r < 0)
            return r;
    }
    return 0;
}

int kvm_xen_set_vcpu_info(struct domain *d, struct vcpu *v, uint64_t gpa)
{
    return d->kvm_xen ? set_vcpu_info(v, gpa) : 0;
}

int kvm_xen_set_callback_vector(struct domain *d, uint8_t vec)
{
    if (!d->kvm_xen)
        return 0;
    struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_UPCALL_VECTOR, .u.vector = vec };
    return ioctl(d->vm_fd, KVM_XEN_HVM_SET_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_xen_send(struct domain *d, uint32_t vcpu, uint32_t port)
{
    struct kvm_irq_routing_xen_evtchn e = {
        .port = port, .vcpu = vcpu, .priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL,
    };

    if (!d->kvm_xen)
        return -ENODEV;
    return ioctl(d->vm_fd, KVM_XEN_HVM_EVTCHN_SEND, &e) < 0 ? -errno : 0;
}

int kvm_xen_timer_set(struct vcpu *v, uint32_t port, uint64_t deadline)
{
    struct kvm_xen_vcpu_attr a = {
        .type = KVM_XEN_VCPU_ATTR_TYPE_TIMER,
        .u.timer = { .port = port, .priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL,
                     .expires_ns = port ? deadline : 0 },
    };

    return ioctl(v->fd, KVM_XEN_VCPU_SET_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_xen_timer_get(struct vcpu *v, uint64_t *deadline)
{
    struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_TIMER };

    if (ioctl(v->fd, KVM_XEN_VCPU_GET_ATTR, &a) < 0)
        return -errno;
    *deadline = a.u.timer.expires_ns;
    return 0;
}

/* "No area": named in newer kernels' headers than Debian 12's. */
#ifndef KVM_XEN_INVALID_GPA
#define KVM_XEN_INVALID_GPA (~(uint64_t)0)
#endif

int kvm_xen_runstate_area(struct vcpu *v, uint64_t gpa)
{
    struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_RUNSTATE_ADDR,
                                   .u.gpa = gpa ? gpa : KVM_XEN_INVALID_GPA };

    return ioctl(v->fd, KVM_XEN_VCPU_SET_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_xen_runstate_current(struct vcpu *v, int32_t state)
{
    struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_RUNSTATE_CURRENT,
                                   .u.runstate.state = (uint32_t)state };

    return ioctl(v->fd, KVM_XEN_VCPU_SET_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_xen_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out)
{
    struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_RUNSTATE_DATA };

    if (ioctl(v->fd, KVM_XEN_VCPU_GET_ATTR, &a) < 0)
        return -errno;
    out->state = (int32_t)a.u.runstate.state;
    out->state_entry_time = a.u.runstate.state_entry_time;
    out->time[RUNSTATE_running] = a.u.runstate.time_running;
    out->time[RUNSTATE_runnable] = a.u.runstate.time_runnable;
    out->time[RUNSTATE_blocked] = a.u.runstate.time_blocked;
    out->time[RUNSTATE_offline] = a.u.runstate.time_offline;
    return 0;
}
