/* hostile_hvm.c: hvm_op with bad structs, parameters, vCPUs, vectors and domains. */
#include <pvhv/hvm/hvm_op.h>
#include <pvhv/hvm/params.h>

#include "hostile.h"

/*
 * Expected (hvm/hvm_op.h, hvm/params.h; Xen's do_hvm_op):
 *   get_time                                      0 (the probe)
 *   unknown op 0x7777; flush_tlbs; pagetable_dying; get_mem_type;
 *   guest_request_vm_event; altp2m                -ENOSYS
 *   set_param/get_param/get_time/set_evtchn_upcall_vector,
 *   every bad pointer                             -EFAULT
 *   get_param index HVM_NR_PARAMS, 0xffffffff     -EINVAL (rule 2)
 *   get_param of domain 0 as domU                 -EPERM (rule 1)
 *   set_param HVM_PARAM_STORE_PFN on itself       -EPERM (rule 3)
 *   set_param CALLBACK_IRQ of type GSI            -EINVAL (params.h rule 1)
 *   set_evtchn_upcall_vector vcpu nr_cpus         -ENOENT
 *   set_evtchn_upcall_vector vector 0x0f          -EINVAL
 */

static void hvm_param(struct xen_hvm_param *p, domid_t dom, uint32_t index, uint64_t value)
{
    *p = (struct xen_hvm_param){ .domid = dom, .index = index, .value = value };
}

void hostile_hvm(struct hostile *h)
{
    struct xen_hvm_get_time t = { 0 };
    long probe = HYPERVISOR_hvm_op(HVMOP_get_time, &t);

    if (!available(h, "hvm_op", probe))
        return;
    expect(h, "hvm_op get_time", probe, 0);

    static const int unknown[] = { 0x7777, HVMOP_flush_tlbs, HVMOP_pagetable_dying,
                                   HVMOP_get_mem_type, HVMOP_guest_request_vm_event,
                                   HVMOP_altp2m };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        uint8_t zero[32] = { 0 };
        expectf(h, HYPERVISOR_hvm_op(unknown[i], zero), -XEN_ENOSYS, "hvm_op op %d", unknown[i]);
    }

    static const struct { int op; const char *name; } ptr_ops[] = {
        { HVMOP_set_param, "set_param" }, { HVMOP_get_param, "get_param" },
        { HVMOP_get_time, "get_time" },
        { HVMOP_set_evtchn_upcall_vector, "set_evtchn_upcall_vector" },
    };
    for (size_t c = 0; c < sizeof ptr_ops / sizeof ptr_ops[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, HYPERVISOR_hvm_op(ptr_ops[c].op, (void *)bad_ptrs[i].addr), -XEN_EFAULT,
                    "hvm_op %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);

    struct xen_hvm_param p;
    static const uint32_t bad_index[] = { HVM_NR_PARAMS, 0xffffffffU };
    for (size_t i = 0; i < sizeof bad_index / sizeof bad_index[0]; i++) {
        hvm_param(&p, DOMID_SELF, bad_index[i], 0);
        expectf(h, HYPERVISOR_hvm_op(HVMOP_get_param, &p), -XEN_EINVAL,
                "hvm_op get_param index=%u", bad_index[i]);
    }
    if (h->bi->domid != 0) {
        hvm_param(&p, 0, HVM_PARAM_STORE_PFN, 0);
        expect(h, "hvm_op get_param domid=0 as domU", HYPERVISOR_hvm_op(HVMOP_get_param, &p),
               -XEN_EPERM);
    }
    hvm_param(&p, DOMID_SELF, HVM_PARAM_STORE_PFN, 0x1234);
    expect(h, "hvm_op set_param STORE_PFN on itself", HYPERVISOR_hvm_op(HVMOP_set_param, &p),
           -XEN_EPERM);
    hvm_param(&p, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ,
              (uint64_t)HVM_PARAM_CALLBACK_TYPE_GSI << 56 | 5);
    expect(h, "hvm_op set_param CALLBACK_IRQ type GSI", HYPERVISOR_hvm_op(HVMOP_set_param, &p),
           -XEN_EINVAL);

    struct xen_hvm_evtchn_upcall_vector uv = { .vcpu = h->bi->nr_cpus, .vector = 0xf3 };
    expect(h, "hvm_op set_evtchn_upcall_vector vcpu=nr_cpus",
           HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv), -XEN_ENOENT);
    uv = (struct xen_hvm_evtchn_upcall_vector){ .vcpu = 0, .vector = 0x0f };
    expect(h, "hvm_op set_evtchn_upcall_vector vector=0x0f",
           HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv), -XEN_EINVAL);
}
