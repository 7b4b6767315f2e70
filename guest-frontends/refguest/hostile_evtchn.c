/* hostile_evtchn.c: event_channel_op with bad structs, ports, vCPUs, VIRQs and domains. */
#include <pvhv/event_channel.h>

#include "hostile.h"

/*
 * Expected (event_channel.h's error list; Xen's do_event_channel_op):
 *   status of port 0 (DOMID_SELF)                   0, EVTCHNSTAT_closed (probe)
 *   unknown cmd 0x7777; bind_pirq; FIFO init_control, expand_array,
 *   set_priority                                    -ENOSYS
 *   status/send/close/unmask/alloc_unbound/bind_virq/bind_ipi/
 *   bind_interdomain/bind_vcpu, every bad pointer   -EFAULT
 *   status port 0x7fffffff                          -EINVAL
 *   status of domain 0x7eee                         -EPERM (-ESRCH as dom0)
 *   status of domain 0 as domU                      -EPERM
 *   send, close, unmask, bind_vcpu port 0x7fffffff  -EINVAL
 *   send, close port 0 (never handed out)           -EINVAL
 *   bind_virq virq NR_VIRQS, 0xffffffff             -EINVAL
 *   bind_virq VIRQ_TIMER on vcpu nr_cpus            -ENOENT
 *   bind_virq global VIRQ_DOM_EXC on vcpu 1         -EINVAL (2+ vCPUs)
 *   bind_ipi vcpu nr_cpus                           -ENOENT
 *   alloc_unbound in domain 0x7eee                  -EPERM (-ESRCH as dom0)
 *   alloc_unbound in domain 0 as domU               -EPERM
 *   bind_interdomain to domain 0x7eee               -ESRCH (binding to another
 *                                                   domain is allowed)
 *   bind_interdomain to own port 0x7fffffff         -EINVAL
 */
void hostile_evtchn(struct hostile *h)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 0, .status = 0x55 };
    long probe = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);

    if (!available(h, "event_channel_op", probe))
        return;
    expect(h, "evtchn status port=0", probe, 0);
    expect(h, "evtchn status port=0 reads closed", st.status, EVTCHNSTAT_closed);

    static const int unknown[] = { 0x7777, EVTCHNOP_bind_pirq, EVTCHNOP_init_control,
                                   EVTCHNOP_expand_array, EVTCHNOP_set_priority };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        uint8_t zero[32] = { 0 };
        expectf(h, HYPERVISOR_event_channel_op(unknown[i], zero), -XEN_ENOSYS,
                "evtchn cmd %d", unknown[i]);
    }

    static const struct { int cmd; const char *name; } ptr_ops[] = {
        { EVTCHNOP_status, "status" }, { EVTCHNOP_send, "send" },
        { EVTCHNOP_close, "close" }, { EVTCHNOP_unmask, "unmask" },
        { EVTCHNOP_alloc_unbound, "alloc_unbound" }, { EVTCHNOP_bind_virq, "bind_virq" },
        { EVTCHNOP_bind_ipi, "bind_ipi" }, { EVTCHNOP_bind_interdomain, "bind_interdomain" },
        { EVTCHNOP_bind_vcpu, "bind_vcpu" },
    };
    for (size_t c = 0; c < sizeof ptr_ops / sizeof ptr_ops[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, HYPERVISOR_event_channel_op(ptr_ops[c].cmd, (void *)bad_ptrs[i].addr),
                    -XEN_EFAULT, "evtchn %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);

    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = 0x7fffffff };
    expect(h, "evtchn status port=0x7fffffff",
           HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), -XEN_EINVAL);
    st = (struct evtchn_status){ .dom = NO_SUCH_DOMID, .port = 1 };
    expect(h, "evtchn status domid=0x7eee",
           HYPERVISOR_event_channel_op(EVTCHNOP_status, &st),
           WANT_NO_SUCH_DOMAIN(h));

    static const uint32_t bad_ports[] = { 0x7fffffff, 0 };
    for (size_t i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; i++) {
        evtchn_port_t p = bad_ports[i];
        struct evtchn_send s = { .port = p };
        struct evtchn_close c = { .port = p };
        expectf(h, HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), -XEN_EINVAL,
                "evtchn send port=%#x", p);
        expectf(h, HYPERVISOR_event_channel_op(EVTCHNOP_close, &c), -XEN_EINVAL,
                "evtchn close port=%#x", p);
    }
    struct evtchn_unmask um = { .port = 0x7fffffff };
    expect(h, "evtchn unmask port=0x7fffffff",
           HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &um), -XEN_EINVAL);
    struct evtchn_bind_vcpu bv = { .port = 0x7fffffff, .vcpu = 0 };
    expect(h, "evtchn bind_vcpu port=0x7fffffff",
           HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);

    static const uint32_t bad_virqs[] = { NR_VIRQS, 0xffffffffU };
    for (size_t i = 0; i < sizeof bad_virqs / sizeof bad_virqs[0]; i++) {
        struct evtchn_bind_virq bvq = { .virq = bad_virqs[i], .vcpu = 0 };
        expectf(h, HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bvq), -XEN_EINVAL,
                "evtchn bind_virq virq=%u", bad_virqs[i]);
    }
    struct evtchn_bind_virq bvq = { .virq = VIRQ_TIMER, .vcpu = h->bi->nr_cpus };
    expect(h, "evtchn bind_virq VIRQ_TIMER vcpu=nr_cpus",
           HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bvq), -XEN_ENOENT);
    if (h->bi->nr_cpus > 1) {
        bvq = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
        expect(h, "evtchn bind_virq global VIRQ_DOM_EXC vcpu=1",
               HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bvq), -XEN_EINVAL);
    }
    struct evtchn_bind_ipi bi = { .vcpu = h->bi->nr_cpus };
    expect(h, "evtchn bind_ipi vcpu=nr_cpus",
           HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi), -XEN_ENOENT);

    struct evtchn_alloc_unbound au = { .dom = NO_SUCH_DOMID, .remote_dom = DOMID_SELF };
    expect(h, "evtchn alloc_unbound dom=0x7eee",
           HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au),
           WANT_NO_SUCH_DOMAIN(h));
    struct evtchn_bind_interdomain bid = { .remote_dom = NO_SUCH_DOMID, .remote_port = 1 };
    expect(h, "evtchn bind_interdomain remote_dom=0x7eee",
           HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bid), -XEN_ESRCH);
    bid = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = 0x7fffffff };
    expect(h, "evtchn bind_interdomain own port=0x7fffffff",
           HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bid), -XEN_EINVAL);

    if (h->bi->domid != 0) {
        st = (struct evtchn_status){ .dom = 0, .port = 1 };
        expect(h, "evtchn status domid=0 as domU",
               HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), -XEN_EPERM);
        au = (struct evtchn_alloc_unbound){ .dom = 0, .remote_dom = DOMID_SELF };
        expect(h, "evtchn alloc_unbound dom=0 as domU",
               HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au), -XEN_EPERM);
    }
}
