/* hostile_evtchn.c: event_channel_op with bad structs, ports, vCPUs, VIRQs, domains and states. */
#include <pvhv/event_channel.h>
#include <pvhv/pvhv_hypercall.h>

#include "hostile.h"

/*
 * Expected values are Xen's (xen/common/event_channel.c, 4.17..4.20)
 * unless a line says pvhv; pvhv documents a deviation in its headers
 * where one is marked so. "limit" is pvhv's per-domain port limit, 1024
 * port numbers (ports 1..1023), Xen's default for a domU (max_evtchn_port
 * 1023).
 *
 * Arguments and numbers:
 *   status of port 0 (DOMID_SELF)                   0, EVTCHNSTAT_closed (probe)
 *   unknown cmd 0x7777; bind_pirq; FIFO init_control, expand_array,
 *   set_priority                                    -ENOSYS (pvhv: no pirqs,
 *                                                   no FIFO ABI)
 *   every op but send, every bad pointer            -EFAULT
 *   send, every bad pointer, issued by `out`        -EFAULT
 *   send through the hypercall page, arg NULL or
 *   unmapped                                        pvhv: the page's stub
 *                                                   reads the port and the
 *                                                   guest takes #PF
 *                                                   (pvhv_hypercall.h);
 *                                                   Xen: -EFAULT
 *   status port limit, 4096, 0x7fffffff, ~0         -EINVAL
 *   send, close, unmask, bind_vcpu(vcpu 0) on those -EINVAL
 *   send, close port 0 (reserved)                   -EINVAL
 *   unmask port 0                                   pvhv: -EINVAL (event_channel.h:
 *                                                   port 0 always fails); Xen: 0,
 *                                                   unmask checks only the range
 *   bind_vcpu port 0x7fffffff to vcpu nr_cpus       -ENOENT (the vCPU is checked
 *                                                   first)
 *   bind_virq virq NR_VIRQS, 0xffffffff             -EINVAL
 *   bind_virq VIRQ_TIMER on vcpu nr_cpus            -ENOENT
 *   bind_virq global VIRQ_DOM_EXC on vcpu 1         -EINVAL (2+ vCPUs)
 *   bind_ipi vcpu nr_cpus, 0xffffffff               -ENOENT
 *   status/alloc_unbound/reset in domain 0x7eee     -ESRCH
 *   status/alloc_unbound/reset in domain 0 as domU  -EPERM
 *   bind_interdomain to domain 0x7eee               -ESRCH
 *   bind_interdomain to own port 0x7fffffff         -EINVAL
 *   bind_interdomain to dom0's port 1, not offered  -EINVAL
 * States, with every port masked (nothing reaches the vCPU):
 *   alloc_unbound(remote DOMID_SELF)                0; status unbound, remote =
 *                                                   our own id, vcpu 0
 *   alloc_unbound(dom = own id, remote 0x7eee)      0 (the remote is checked
 *                                                   only when it binds)
 *   send on an unbound port                         0, dropped: nothing pending
 *   bind_interdomain(DOMID_SELF, that port)         0, a loopback; the new
 *                                                   port starts pending; both
 *                                                   ends read interdomain
 *   bind_interdomain to it again                    -EINVAL (not unbound)
 *   send on one end                                 0, the other end pending,
 *                                                   no upcall (masked)
 *   EVTCHNOP_unmask of a masked pending port        0; mask clear; its word's
 *                                                   bit in evtchn_pending_sel
 *                                                   and evtchn_upcall_pending
 *                                                   set
 *   EVTCHNOP_unmask again (mask already clear)      0, no new notification
 *   close one end                                   0; its pending bit cleared;
 *                                                   the other end unbound,
 *                                                   offered to us
 *   close it again; send on it                      -EINVAL; status closed
 *   unmask a closed port below the limit            0
 *   bind_vcpu on unbound: vcpu 0; vcpu nr_cpus      0; -ENOENT
 *   bind_interdomain to a port offered to dom0      -EINVAL
 *   bind_interdomain to a closed port               -EINVAL
 *   bind_virq VIRQ_TIMER vcpu 0; again              0; -EEXIST
 *   status of it                                    virq, u.virq VIRQ_TIMER
 *   send on it; bind_vcpu it                        -EINVAL; -EINVAL (per-vCPU
 *                                                   VIRQ)
 *   close; bind again                               0; 0
 *   bind_virq VIRQ_DOM_EXC vcpu 0; bind_vcpu 0 (1)  0; 0 (and status vcpu 1)
 *   bind_ipi vcpu 0; status; send; bind_vcpu        0; ipi vcpu 0; 0 and
 *                                                   pending; -EINVAL
 * Exhaustion:
 *   alloc_unbound until it fails                    -ENOSPC, after exactly the
 *                                                   free ports (1023 minus
 *                                                   those in use); every port
 *                                                   below the limit
 *   then bind_ipi, bind_virq, bind_interdomain to
 *   a valid offer                                   -ENOSPC
 *   EVTCHNOP_reset(DOMID_SELF) (only if no port
 *   was in use before)                              0; every port closed;
 *                                                   the next port is 1
 */

#define LIMIT 1024 /* pvhv's EVTCHN_GUEST_PORTS: ports 1..1023 */

static long ev(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static long ev_status(evtchn_port_t port, struct evtchn_status *st)
{
    *st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    return ev(EVTCHNOP_status, st);
}

static long ev_port(int cmd, evtchn_port_t port)
{
    /* close, send and unmask share the layout { port }. */
    struct evtchn_close c = { .port = port };
    return ev(cmd, &c);
}

static long ev_alloc(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    long r = ev(EVTCHNOP_alloc_unbound, &a);
    *port = r == 0 ? a.port : 0;
    return r;
}

static long ev_bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };
    return ev(EVTCHNOP_bind_vcpu, &b);
}

static int pending(evtchn_port_t p)
{
    shared_info_t *s = pvfront_shared_info();
    return (int)((__atomic_load_n(&s->evtchn_pending[p / 64], __ATOMIC_ACQUIRE) >> (p % 64)) & 1);
}

static int masked(evtchn_port_t p)
{
    shared_info_t *s = pvfront_shared_info();
    return (int)((__atomic_load_n(&s->evtchn_mask[p / 64], __ATOMIC_ACQUIRE) >> (p % 64)) & 1);
}

/* Every port masked, nothing pending, vCPU 0's upcall state clear. */
static void quiesce(void)
{
    shared_info_t *s = pvfront_shared_info();

    for (unsigned int w = 0; w < 64; w++) {
        __atomic_store_n(&s->evtchn_mask[w], ~0ULL, __ATOMIC_SEQ_CST);
        __atomic_store_n(&s->evtchn_pending[w], 0, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&s->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->vcpu_info[0].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
}

/* EVTCHNOP_send through the page with a bad pointer: the stub's read faults here. */
static volatile uint64_t stub_fault_vector;

static int stub_fault(struct pvfront_trap_frame *f)
{
    uintptr_t page = (uintptr_t)pvfront_hypercall_page;

    if (f->rip < page || f->rip >= page + 4096)
        return 0; /* not the stub: the default report */
    stub_fault_vector = f->vector;
    /* Return from the stub to its caller (it was `call`ed, nothing pushed since). */
    f->rip = *(uint64_t *)(uintptr_t)f->rsp;
    f->rsp += 8;
    f->rax = (uint64_t)-XEN_EFAULT;
    return 1;
}

static void pointers(struct hostile *h)
{
    static const struct { int cmd; const char *name; } ptr_ops[] = {
        { EVTCHNOP_status, "status" }, { EVTCHNOP_close, "close" },
        { EVTCHNOP_unmask, "unmask" }, { EVTCHNOP_alloc_unbound, "alloc_unbound" },
        { EVTCHNOP_bind_virq, "bind_virq" }, { EVTCHNOP_bind_ipi, "bind_ipi" },
        { EVTCHNOP_bind_interdomain, "bind_interdomain" }, { EVTCHNOP_bind_vcpu, "bind_vcpu" },
        { EVTCHNOP_reset, "reset" },
    };
    for (size_t c = 0; c < sizeof ptr_ops / sizeof ptr_ops[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, ev(ptr_ops[c].cmd, (void *)bad_ptrs[i].addr), -XEN_EFAULT,
                    "evtchn %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        expectf(h, raw_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, bad_ptrs[i].addr, 0),
                -XEN_EFAULT, "evtchn send arg=%s (by out)", bad_ptrs[i].name);

    /* Through the page: pvhv's documented difference (pvhv_hypercall.h). */
    pvfront_trap_fn old13 = pvfront_trap_set_handler(13, stub_fault);
    pvfront_trap_fn old14 = pvfront_trap_set_handler(14, stub_fault);
    static const struct bad_ptr faulting[] = { { "NULL", BAD_NULL }, { "unmapped", BAD_UNMAPPED } };
    for (unsigned int i = 0; i < 2; i++) {
        stub_fault_vector = 0;
        long r = ev(EVTCHNOP_send, (void *)faulting[i].addr);
        if (stub_fault_vector) {
            expectf(h, (long)stub_fault_vector, 14,
                    "evtchn send via the page arg=%s faults in the guest (pvhv)",
                    faulting[i].name);
        } else {
            /* No fault: the page checked the pointer itself, as Xen would. */
            expectf(h, r, -XEN_EFAULT, "evtchn send via the page arg=%s", faulting[i].name);
        }
    }
    pvfront_trap_set_handler(13, old13);
    pvfront_trap_set_handler(14, old14);
}

static void numbers(struct hostile *h)
{
    struct evtchn_status st;
    static const uint32_t bad_ports[] = { LIMIT, EVTCHN_2L_NR_CHANNELS, 0x7fffffff, 0xffffffffU };

    for (size_t i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; i++) {
        evtchn_port_t p = bad_ports[i];
        expectf(h, ev_status(p, &st), -XEN_EINVAL, "evtchn status port=%#x", p);
        expectf(h, ev_port(EVTCHNOP_send, p), -XEN_EINVAL, "evtchn send port=%#x", p);
        expectf(h, ev_port(EVTCHNOP_close, p), -XEN_EINVAL, "evtchn close port=%#x", p);
        expectf(h, ev_port(EVTCHNOP_unmask, p), -XEN_EINVAL, "evtchn unmask port=%#x", p);
        expectf(h, ev_bind_vcpu(p, 0), -XEN_EINVAL, "evtchn bind_vcpu port=%#x", p);
    }
    expect(h, "evtchn send port=0", ev_port(EVTCHNOP_send, 0), -XEN_EINVAL);
    expect(h, "evtchn close port=0", ev_port(EVTCHNOP_close, 0), -XEN_EINVAL);
    expect(h, "evtchn unmask port=0 (pvhv; Xen: 0)", ev_port(EVTCHNOP_unmask, 0), -XEN_EINVAL);
    expect(h, "evtchn bind_vcpu port=0", ev_bind_vcpu(0, 0), -XEN_EINVAL);
    expect(h, "evtchn bind_vcpu port=0x7fffffff vcpu=nr_cpus",
           ev_bind_vcpu(0x7fffffff, h->bi->nr_cpus), -XEN_ENOENT);

    static const uint32_t bad_virqs[] = { NR_VIRQS, 0xffffffffU };
    for (size_t i = 0; i < sizeof bad_virqs / sizeof bad_virqs[0]; i++) {
        struct evtchn_bind_virq bvq = { .virq = bad_virqs[i], .vcpu = 0 };
        expectf(h, ev(EVTCHNOP_bind_virq, &bvq), -XEN_EINVAL, "evtchn bind_virq virq=%u",
                bad_virqs[i]);
    }
    struct evtchn_bind_virq bvq = { .virq = VIRQ_TIMER, .vcpu = h->bi->nr_cpus };
    expect(h, "evtchn bind_virq VIRQ_TIMER vcpu=nr_cpus", ev(EVTCHNOP_bind_virq, &bvq),
           -XEN_ENOENT);
    if (h->bi->nr_cpus > 1) {
        bvq = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
        expect(h, "evtchn bind_virq global VIRQ_DOM_EXC vcpu=1", ev(EVTCHNOP_bind_virq, &bvq),
               -XEN_EINVAL);
    }
    struct evtchn_bind_ipi bi = { .vcpu = h->bi->nr_cpus };
    expect(h, "evtchn bind_ipi vcpu=nr_cpus", ev(EVTCHNOP_bind_ipi, &bi), -XEN_ENOENT);
    bi.vcpu = 0xffffffffU;
    expect(h, "evtchn bind_ipi vcpu=0xffffffff", ev(EVTCHNOP_bind_ipi, &bi), -XEN_ENOENT);
}

static void domains(struct hostile *h)
{
    struct evtchn_status st = { .dom = NO_SUCH_DOMID, .port = 1 };
    expect(h, "evtchn status domid=0x7eee", ev(EVTCHNOP_status, &st), -XEN_ESRCH);
    struct evtchn_alloc_unbound au = { .dom = NO_SUCH_DOMID, .remote_dom = DOMID_SELF };
    expect(h, "evtchn alloc_unbound dom=0x7eee", ev(EVTCHNOP_alloc_unbound, &au), -XEN_ESRCH);
    struct evtchn_reset rs = { .dom = NO_SUCH_DOMID };
    expect(h, "evtchn reset dom=0x7eee", ev(EVTCHNOP_reset, &rs), -XEN_ESRCH);
    struct evtchn_bind_interdomain bid = { .remote_dom = NO_SUCH_DOMID, .remote_port = 1 };
    expect(h, "evtchn bind_interdomain remote_dom=0x7eee", ev(EVTCHNOP_bind_interdomain, &bid),
           -XEN_ESRCH);
    bid = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = 0x7fffffff };
    expect(h, "evtchn bind_interdomain own port=0x7fffffff", ev(EVTCHNOP_bind_interdomain, &bid),
           -XEN_EINVAL);
    if (h->bi->domid == 0)
        return;
    st = (struct evtchn_status){ .dom = 0, .port = 1 };
    expect(h, "evtchn status domid=0 as domU", ev(EVTCHNOP_status, &st), -XEN_EPERM);
    au = (struct evtchn_alloc_unbound){ .dom = 0, .remote_dom = DOMID_SELF };
    expect(h, "evtchn alloc_unbound dom=0 as domU", ev(EVTCHNOP_alloc_unbound, &au), -XEN_EPERM);
    rs.dom = 0;
    expect(h, "evtchn reset dom=0 as domU", ev(EVTCHNOP_reset, &rs), -XEN_EPERM);
    /* dom0 offered nothing to us (no backend runs during this test). */
    bid = (struct evtchn_bind_interdomain){ .remote_dom = 0, .remote_port = 1 };
    expect(h, "evtchn bind_interdomain to dom0 port 1, not offered",
           ev(EVTCHNOP_bind_interdomain, &bid), -XEN_EINVAL);
}

/* Unbound and interdomain (loopback) ports, and the notification rules. */
static void interdomain(struct hostile *h)
{
    shared_info_t *s = pvfront_shared_info();
    vcpu_info_t *v0 = &s->vcpu_info[0];
    struct evtchn_status st;
    evtchn_port_t a, b, c;
    domid_t self = (domid_t)h->bi->domid;

    expect(h, "evtchn alloc_unbound remote=DOMID_SELF", ev_alloc(DOMID_SELF, &a), 0);
    expect(h, "evtchn alloc_unbound gives a port below the limit", a >= 1 && a < LIMIT, 1);
    expect(h, "evtchn status of it", ev_status(a, &st), 0);
    expect(h, "evtchn status of it: unbound", st.status, EVTCHNSTAT_unbound);
    expect(h, "evtchn status of it: remote is our own id", st.u.unbound.dom, self);
    expect(h, "evtchn status of it: vcpu 0", st.vcpu, 0);

    struct evtchn_alloc_unbound au = { .dom = self, .remote_dom = NO_SUCH_DOMID };
    expect(h, "evtchn alloc_unbound dom=own id remote=0x7eee", ev(EVTCHNOP_alloc_unbound, &au), 0);
    if (au.port) {
        expect(h, "evtchn status: offered to 0x7eee",
               ev_status(au.port, &st) == 0 ? st.u.unbound.dom : 0, NO_SUCH_DOMID);
        ev_port(EVTCHNOP_close, au.port);
    }

    expect(h, "evtchn send on an unbound port", ev_port(EVTCHNOP_send, a), 0);
    expect(h, "evtchn send on an unbound port leaves it idle", pending(a), 0);

    struct evtchn_bind_interdomain bid = { .remote_dom = DOMID_SELF, .remote_port = a };
    expect(h, "evtchn bind_interdomain loopback", ev(EVTCHNOP_bind_interdomain, &bid), 0);
    b = bid.local_port;
    expect(h, "evtchn bind_interdomain: new port pending", pending(b), 1);
    expect(h, "evtchn bind_interdomain: remote end interdomain",
           ev_status(a, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
               st.u.interdomain.dom == self && st.u.interdomain.port == b, 1);
    expect(h, "evtchn bind_interdomain: local end interdomain",
           ev_status(b, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
               st.u.interdomain.dom == self && st.u.interdomain.port == a, 1);
    bid = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = a };
    expect(h, "evtchn bind_interdomain to a bound port", ev(EVTCHNOP_bind_interdomain, &bid),
           -XEN_EINVAL);

    quiesce();
    expect(h, "evtchn send on interdomain", ev_port(EVTCHNOP_send, b), 0);
    expect(h, "evtchn send: the other end pending", pending(a), 1);
    expect(h, "evtchn send: not the sender's end", pending(b), 0);
    expect(h, "evtchn send to a masked port: no upcall",
           __atomic_load_n(&v0->evtchn_upcall_pending, __ATOMIC_ACQUIRE), 0);
    expect(h, "evtchn unmask a masked pending port", ev_port(EVTCHNOP_unmask, a), 0);
    expect(h, "evtchn unmask: mask bit cleared", masked(a), 0);
    expect(h, "evtchn unmask: pending_sel bit set",
           (int)((__atomic_load_n(&v0->evtchn_pending_sel, __ATOMIC_ACQUIRE) >> (a / 64)) & 1), 1);
    expect(h, "evtchn unmask: upcall pending",
           __atomic_load_n(&v0->evtchn_upcall_pending, __ATOMIC_ACQUIRE), 1);
    __atomic_store_n(&v0->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v0->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    expect(h, "evtchn unmask an unmasked pending port", ev_port(EVTCHNOP_unmask, a), 0);
    expect(h, "evtchn unmask an unmasked port: no new upcall",
           __atomic_load_n(&v0->evtchn_upcall_pending, __ATOMIC_ACQUIRE), 0);
    quiesce();

    expect(h, "evtchn send on the other end", ev_port(EVTCHNOP_send, a), 0);
    expect(h, "evtchn send: pending", pending(b), 1);
    expect(h, "evtchn close one end", ev_port(EVTCHNOP_close, b), 0);
    expect(h, "evtchn close clears the pending bit", pending(b), 0);
    expect(h, "evtchn close: the other end unbound, offered to us",
           ev_status(a, &st) == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == self, 1);
    expect(h, "evtchn close a closed port", ev_port(EVTCHNOP_close, b), -XEN_EINVAL);
    expect(h, "evtchn send on a closed port", ev_port(EVTCHNOP_send, b), -XEN_EINVAL);
    expect(h, "evtchn status of a closed port", ev_status(b, &st) == 0 ? st.status : 99,
           EVTCHNSTAT_closed);
    expect(h, "evtchn unmask a closed port below the limit", ev_port(EVTCHNOP_unmask, b), 0);

    expect(h, "evtchn bind_vcpu unbound vcpu=0", ev_bind_vcpu(a, 0), 0);
    expect(h, "evtchn bind_vcpu unbound vcpu=nr_cpus", ev_bind_vcpu(a, h->bi->nr_cpus),
           -XEN_ENOENT);
    expect(h, "evtchn close the unbound end", ev_port(EVTCHNOP_close, a), 0);

    expect(h, "evtchn alloc_unbound remote=0", ev_alloc(0, &c), 0);
    bid = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = c };
    expect(h, "evtchn bind_interdomain to a port offered to dom0",
           ev(EVTCHNOP_bind_interdomain, &bid), -XEN_EINVAL);
    ev_port(EVTCHNOP_close, c);
    bid = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = a };
    expect(h, "evtchn bind_interdomain to a closed port", ev(EVTCHNOP_bind_interdomain, &bid),
           -XEN_EINVAL);
}

static void virqs_and_ipis(struct hostile *h)
{
    struct evtchn_status st;
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };

    expect(h, "evtchn bind_virq VIRQ_TIMER vcpu=0", ev(EVTCHNOP_bind_virq, &bv), 0);
    evtchn_port_t t = bv.port;
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(h, "evtchn bind_virq VIRQ_TIMER vcpu=0 again", ev(EVTCHNOP_bind_virq, &bv), -XEN_EEXIST);
    expect(h, "evtchn status of a VIRQ port",
           ev_status(t, &st) == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
               st.vcpu == 0, 1);
    expect(h, "evtchn send on a VIRQ port", ev_port(EVTCHNOP_send, t), -XEN_EINVAL);
    expect(h, "evtchn bind_vcpu a per-vCPU VIRQ", ev_bind_vcpu(t, 0), -XEN_EINVAL);
    expect(h, "evtchn close a VIRQ port", ev_port(EVTCHNOP_close, t), 0);
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(h, "evtchn bind_virq VIRQ_TIMER after close", ev(EVTCHNOP_bind_virq, &bv), 0);
    ev_port(EVTCHNOP_close, bv.port);

    bv = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    expect(h, "evtchn bind_virq global VIRQ_DOM_EXC vcpu=0", ev(EVTCHNOP_bind_virq, &bv), 0);
    expect(h, "evtchn bind_vcpu a global VIRQ to vcpu 0", ev_bind_vcpu(bv.port, 0), 0);
    if (h->bi->nr_cpus > 1) {
        expect(h, "evtchn bind_vcpu a global VIRQ to vcpu 1", ev_bind_vcpu(bv.port, 1), 0);
        expect(h, "evtchn bind_vcpu: status shows vcpu 1",
               ev_status(bv.port, &st) == 0 ? st.vcpu : 99, 1);
        struct evtchn_bind_virq b1 = { .virq = VIRQ_TIMER, .vcpu = 1 };
        expect(h, "evtchn bind_virq VIRQ_TIMER vcpu=1", ev(EVTCHNOP_bind_virq, &b1), 0);
        expect(h, "evtchn status of it: vcpu 1", ev_status(b1.port, &st) == 0 ? st.vcpu : 99, 1);
        ev_port(EVTCHNOP_close, b1.port);
    }
    ev_port(EVTCHNOP_close, bv.port);

    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    expect(h, "evtchn bind_ipi vcpu=0", ev(EVTCHNOP_bind_ipi, &bi), 0);
    expect(h, "evtchn status of an IPI port",
           ev_status(bi.port, &st) == 0 && st.status == EVTCHNSTAT_ipi && st.vcpu == 0, 1);
    expect(h, "evtchn send on an IPI port", ev_port(EVTCHNOP_send, bi.port), 0);
    expect(h, "evtchn send on an IPI port: pending", pending(bi.port), 1);
    expect(h, "evtchn bind_vcpu an IPI port", ev_bind_vcpu(bi.port, 0), -XEN_EINVAL);
    expect(h, "evtchn close an IPI port", ev_port(EVTCHNOP_close, bi.port), 0);
    quiesce();
}

/* Fill the table: -ENOSPC after exactly the free ports. */
static void exhaustion(struct hostile *h)
{
    /* Room for every 2-level port, so a hypervisor without a limit still ends. */
    static evtchn_port_t mine[EVTCHN_2L_NR_CHANNELS];
    struct evtchn_status st;
    unsigned int used = 0, n = 0;
    int below = 1;
    long r = 0;

    for (evtchn_port_t p = 1; p < LIMIT; p++)
        if (ev_status(p, &st) == 0 && st.status != EVTCHNSTAT_closed)
            used++;
    while (n < EVTCHN_2L_NR_CHANNELS && (r = ev_alloc(DOMID_SELF, &mine[n])) == 0) {
        below &= mine[n] >= 1 && mine[n] < LIMIT;
        n++;
    }
    expectf(h, r, -XEN_ENOSPC, "evtchn alloc_unbound when full (after %u ports)", n);
    expect(h, "evtchn ports handed out = free ports", n, LIMIT - 1 - used);
    expect(h, "evtchn every port handed out is below the limit", below, 1);
    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    expect(h, "evtchn bind_ipi when full", ev(EVTCHNOP_bind_ipi, &bi), -XEN_ENOSPC);
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(h, "evtchn bind_virq when full", ev(EVTCHNOP_bind_virq, &bv), -XEN_ENOSPC);
    if (n) {
        struct evtchn_bind_interdomain bid = { .remote_dom = DOMID_SELF, .remote_port = mine[0] };
        expect(h, "evtchn bind_interdomain to a valid offer when full",
               ev(EVTCHNOP_bind_interdomain, &bid), -XEN_ENOSPC);
    }

    if (used) {
        /* Ports we did not make: close ours one by one instead of a reset. */
        for (unsigned int i = 0; i < n; i++)
            ev_port(EVTCHNOP_close, mine[i]);
        skip(h, "evtchn reset", "ports were in use before the test");
        return;
    }
    struct evtchn_reset rs = { .dom = DOMID_SELF };
    expect(h, "evtchn reset DOMID_SELF", ev(EVTCHNOP_reset, &rs), 0);
    unsigned int open = 0;
    for (unsigned int i = 0; i < n; i++)
        if (ev_status(mine[i], &st) != 0 || st.status != EVTCHNSTAT_closed)
            open++;
    expect(h, "evtchn reset closed every port", open, 0);
    evtchn_port_t p;
    expect(h, "evtchn alloc_unbound after reset", ev_alloc(DOMID_SELF, &p), 0);
    expect(h, "evtchn lowest free port first: 1", p, 1);
    ev_port(EVTCHNOP_close, p);
    quiesce();
}

void hostile_evtchn(struct hostile *h)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 0, .status = 0x55 };
    long probe = ev(EVTCHNOP_status, &st);

    if (!available(h, "event_channel_op", probe))
        return;
    expect(h, "evtchn status port=0", probe, 0);
    expect(h, "evtchn status port=0 reads closed", st.status, EVTCHNSTAT_closed);

    static const int unknown[] = { 0x7777, EVTCHNOP_bind_pirq, EVTCHNOP_init_control,
                                   EVTCHNOP_expand_array, EVTCHNOP_set_priority };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        uint8_t zero[32] = { 0 };
        expectf(h, ev(unknown[i], zero), -XEN_ENOSYS, "evtchn cmd %d", unknown[i]);
    }

    pointers(h);
    numbers(h);
    domains(h);
    if (!pvfront_shared_info()) {
        skip(h, "evtchn port states", "no shared_info");
        return;
    }
    if (h->bi->domid == DOMID_INVALID) {
        skip(h, "evtchn port states", "own domain id unknown");
        return;
    }
    quiesce();
    interdomain(h);
    virqs_and_ipis(h);
    exhaustion(h);
}
