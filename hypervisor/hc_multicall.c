/* hc_multicall.c: __HYPERVISOR_multicall: many hypercalls for one exit. */
#include <stddef.h>

#include <pvhv/errno.h>
#include <pvhv/pvhv_hypercall.h>
#include <pvhv/xen.h>

#include "hypercall.h"

static int64_t do_multicall(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t list = a[0], nr = a[1];

    if (c->multicall_depth)
        return -XEN_EINVAL;
    if (nr > PVHV_MULTICALL_MAX)
        return -XEN_EINVAL;
    c->multicall_depth = 1;
    for (uint64_t i = 0; i < nr; i++) {
        struct multicall_entry e;
        uint64_t at = list + i * sizeof(e);
        if (hc_copy_from(c, &e, at, sizeof(e)) < 0) {
            c->multicall_depth = 0;
            return -XEN_EFAULT;
        }
        /* A nested multicall would let a guest stack unbounded work. */
        e.result = e.op == __HYPERVISOR_multicall
                       ? (xen_ulong_t)-XEN_EINVAL
                       : (xen_ulong_t)hypercall_call(c, e.op, e.args);
        if (hc_copy_to(c, at + offsetof(struct multicall_entry, result), &e.result,
                       sizeof(e.result)) < 0) {
            c->multicall_depth = 0;
            return -XEN_EFAULT;
        }
        /* A call that shut the domain down ends the batch. */
        if (__atomic_load_n(&c->dom->shutdown, __ATOMIC_RELAXED))
            break;
    }
    c->multicall_depth = 0;
    return 0;
}
HYPERCALL(__HYPERVISOR_multicall, do_multicall)
