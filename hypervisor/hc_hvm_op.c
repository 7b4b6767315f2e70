/* hc_hvm_op.c: __HYPERVISOR_hvm_op: the HVM parameters a PVH guest reads
 * (xenstore and console rings, callback), upcall vectors, time. */
#include <pvhv/errno.h>
#include <pvhv/hvm/hvm_op.h>
#include <pvhv/hvm/params.h>
#include <pvhv/xen.h>

#include "evtchn.h"
#include "hypercall.h"
#include "timer.h"
#include "vcpu.h"
#include "kvm_xen.h"
#include "pvclock.h"

static int64_t hvm_param(struct hc_ctx *c, uint64_t arg, bool set)
{
    struct xen_hvm_param p;
    struct domain *d = c->dom;

    if (hc_copy_from(c, &p, arg, sizeof(p)) < 0)
        return -XEN_EFAULT;
    if (p.domid != DOMID_SELF && p.domid != d->domid) {
        /* As Xen: an unknown domain first, then no rights over others. */
        struct domain *o = p.domid ? domain_get(p.domid) : NULL;
        if (p.domid && !o)
            return -XEN_ESRCH;
        if (o)
            domain_put(o);
        return -XEN_EPERM;
    }
    if (p.index >= HVM_NR_PARAMS)
        return -XEN_EINVAL;
    if (set) {
        /* A guest sets only how it wants its upcall; the rest is the
         * toolstack's. */
        if (p.index != HVM_PARAM_CALLBACK_IRQ)
            return -XEN_EPERM;
        uint64_t type = p.value >> PVHV_HVM_CALLBACK_TYPE_SHIFT;
        if (p.value != 0 && type != HVM_PARAM_CALLBACK_TYPE_VECTOR)
            return -XEN_EINVAL;
        if (type == HVM_PARAM_CALLBACK_TYPE_VECTOR && (p.value & 0xff) < 0x10)
            return -XEN_EINVAL;
        if (kvm_xen_set_callback_vector(d, type == HVM_PARAM_CALLBACK_TYPE_VECTOR
                                               ? (uint8_t)p.value : 0) < 0)
            return -XEN_EINVAL;
        pthread_mutex_lock(&d->lock);
        d->hvm_params[p.index] = p.value;
        pthread_mutex_unlock(&d->lock);
        evtchn_upcall_reassert(d);
        timer_resync_request_all(d);
        return 0;
    }
    pthread_mutex_lock(&d->lock);
    p.value = d->hvm_params[p.index];
    pthread_mutex_unlock(&d->lock);
    return hc_copy_to(c, arg, &p, sizeof(p));
}

static int64_t do_hvm_op(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1];

    switch (cmd) {
    case HVMOP_set_param:
        return hvm_param(c, arg, true);
    case HVMOP_get_param:
        return hvm_param(c, arg, false);
    case HVMOP_get_time: {
        struct xen_hvm_get_time t = { .now = pvclock_system_time(c->dom) };
        return hc_copy_to(c, arg, &t, sizeof(t));
    }
    case HVMOP_set_evtchn_upcall_vector: {
        struct xen_hvm_evtchn_upcall_vector u;
        if (hc_copy_from(c, &u, arg, sizeof(u)) < 0)
            return -XEN_EFAULT;
        if (u.vector < 0x10)
            return -XEN_EINVAL;
        if (u.vcpu >= c->dom->nr_vcpus)
            return -XEN_ENOENT;
        pthread_mutex_lock(&c->dom->lock);
        c->dom->vcpus[u.vcpu].upcall_vector = u.vector;
        pthread_mutex_unlock(&c->dom->lock);
        evtchn_upcall_reassert(c->dom);
        vcpu_kvm_resync_request(&c->dom->vcpus[u.vcpu]);
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_hvm_op, do_hvm_op)
