/* hostile_sched.c: sched_op with bad structs, reasons, port lists and sub-ops. */
#include <pvhv/sched.h>

#include "hostile.h"

/*
 * Expected (sched.h; Xen's do_sched_op):
 *   SCHEDOP_yield                                   0 (also the probe)
 *   unknown sub-op 0x7777                           -ENOSYS
 *   SCHEDOP_remote_shutdown, _watchdog, _pin_override  -ENOSYS (sched.h)
 *   retired sched_op_compat(yield)                  -ENOSYS
 *   SCHEDOP_shutdown, every bad pointer             -EFAULT
 *   SCHEDOP_shutdown reason SHUTDOWN_MAX+1, 99, ~0  -EINVAL (sched.h rule 1;
 *     Xen itself would shut the domain down with the odd reason)
 *   SCHEDOP_shutdown_code reason 99                 -EINVAL
 *   SCHEDOP_shutdown_code, every bad pointer        -EFAULT
 *   SCHEDOP_poll, every bad pointer for the struct  -EFAULT
 *   SCHEDOP_poll, bad ports array                   -EFAULT
 *   SCHEDOP_poll nr_ports 129                       -EINVAL (rule 3)
 *   SCHEDOP_poll on a port the domain lacks          -EINVAL (rule 3)
 * Poll cases carry timeout 1 (long past), so a hypervisor that wrongly
 * accepts them returns at once instead of hanging the test.
 */
void hostile_sched(struct hostile *h)
{
    if (!available(h, "sched_op", HYPERVISOR_sched_op(SCHEDOP_yield, NULL)))
        return;
    expect(h, "sched_op yield", HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    expect(h, "sched_op unknown sub-op 0x7777", HYPERVISOR_sched_op(0x7777, NULL), -XEN_ENOSYS);
    expect(h, "sched_op remote_shutdown", HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, NULL),
           -XEN_ENOSYS);
    expect(h, "sched_op watchdog", HYPERVISOR_sched_op(SCHEDOP_watchdog, NULL), -XEN_ENOSYS);
    expect(h, "sched_op pin_override", HYPERVISOR_sched_op(SCHEDOP_pin_override, NULL),
           -XEN_ENOSYS);
    expect(h, "sched_op_compat yield",
           pvfront_hypercall(__HYPERVISOR_sched_op_compat, SCHEDOP_yield, 0, 0, 0, 0),
           -XEN_ENOSYS);

    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        void *p = (void *)bad_ptrs[i].addr;
        expectf(h, HYPERVISOR_sched_op(SCHEDOP_shutdown, p), -XEN_EFAULT,
                "sched_op shutdown arg=%s", bad_ptrs[i].name);
        expectf(h, HYPERVISOR_sched_op(SCHEDOP_shutdown_code, p), -XEN_EFAULT,
                "sched_op shutdown_code arg=%s", bad_ptrs[i].name);
        expectf(h, HYPERVISOR_sched_op(SCHEDOP_poll, p), -XEN_EFAULT,
                "sched_op poll arg=%s", bad_ptrs[i].name);
    }

    static const uint32_t reasons[] = { SHUTDOWN_MAX + 1, 99, 0xffffffffU };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        struct sched_shutdown s = { .reason = reasons[i] };
        expectf(h, HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -XEN_EINVAL,
                "sched_op shutdown reason=%u", reasons[i]);
    }
    struct sched_shutdown code = { .reason = 99 };
    expect(h, "sched_op shutdown_code reason=99",
           HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &code), -XEN_EINVAL);

    evtchn_port_t ports[1] = { 0x7ffffff0 };
    struct sched_poll poll = { .nr_ports = 1, .timeout = 1 };
    poll.ports.addr = BAD_UPPER;
    expect(h, "sched_op poll ports=upper-half", HYPERVISOR_sched_op(SCHEDOP_poll, &poll),
           -XEN_EFAULT);
    set_xen_guest_handle(poll.ports, ports);
    poll.nr_ports = 129;
    expect(h, "sched_op poll nr_ports=129", HYPERVISOR_sched_op(SCHEDOP_poll, &poll),
           -XEN_EINVAL);
    poll.nr_ports = 1;
    expect(h, "sched_op poll port=0x7ffffff0", HYPERVISOR_sched_op(SCHEDOP_poll, &poll),
           -XEN_EINVAL);
}
