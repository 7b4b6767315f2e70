/* hc_event_channel.c: __HYPERVISOR_event_channel_op: the guest's view of
 * its event channels (evtchn.c does the work). */
#include <pvhv/errno.h>
#include <pvhv/event_channel.h>
#include <pvhv/xen.h>

#include "evtchn.h"
#include "hypercall.h"

static bool is_self(struct hc_ctx *c, domid_t dom)
{
    return dom == DOMID_SELF || dom == c->dom->domid;
}

/* What Xen answers a guest naming another domain: -ESRCH if there is no
 * such domain, else -EPERM (only dom0 may act on others). */
static int foreign(domid_t dom)
{
    if (dom == 0)
        return -XEN_EPERM; /* dom0 always exists, without a struct domain */
    struct domain *o = domain_get(dom);

    if (!o)
        return -XEN_ESRCH;
    domain_put(o);
    return -XEN_EPERM;
}

/* Read the op's struct, run `body`, write the struct back on success. */
#define OP(type, body)                                        \
    do {                                                      \
        type op;                                              \
        int r;                                                \
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)        \
            return -XEN_EFAULT;                               \
        body;                                                 \
        if (r == 0 && hc_copy_to(c, arg, &op, sizeof(op)) < 0) \
            return -XEN_EFAULT;                               \
        return r;                                             \
    } while (0)

static int64_t do_event_channel_op(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1];
    struct domain *d = c->dom;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        OP(struct evtchn_alloc_unbound, {
            r = is_self(c, op.dom) ? evtchn_alloc_unbound(d, op.remote_dom, &op.port)
                                   : foreign(op.dom);
        });
    case EVTCHNOP_bind_interdomain:
        OP(struct evtchn_bind_interdomain,
           r = evtchn_bind_interdomain(d, op.remote_dom, op.remote_port, &op.local_port));
    case EVTCHNOP_bind_virq:
        OP(struct evtchn_bind_virq, r = evtchn_bind_virq(d, op.virq, op.vcpu, &op.port));
    case EVTCHNOP_bind_ipi:
        OP(struct evtchn_bind_ipi, r = evtchn_bind_ipi(d, op.vcpu, &op.port));
    case EVTCHNOP_close: {
        struct evtchn_close op;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        return evtchn_close(d, op.port);
    }
    case EVTCHNOP_send: {
        struct evtchn_send op;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        return evtchn_send(d, op.port);
    }
    case EVTCHNOP_status:
        OP(struct evtchn_status, {
            r = is_self(c, op.dom) ? evtchn_status(d, &op) : foreign(op.dom);
        });
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu op;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        return evtchn_bind_vcpu(d, op.port, op.vcpu);
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask op;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        return evtchn_unmask(d, op.port);
    }
    case EVTCHNOP_reset:
    case EVTCHNOP_reset_cont: {
        struct evtchn_reset op;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        return is_self(c, op.dom) ? evtchn_reset(d) : foreign(op.dom);
    }
    default: /* bind_pirq and the FIFO ABI */
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_event_channel_op, do_event_channel_op)
