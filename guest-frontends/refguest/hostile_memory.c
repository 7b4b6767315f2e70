/* hostile_memory.c: memory_op with bad structs, spaces, indexes and domains. */
#include <pvhv/grant_table.h>
#include <pvhv/memory.h>

#include "hostile.h"

/*
 * Expected (memory.h):
 *   XENMEM_current_reservation(DOMID_SELF)          > 0 pages (the probe)
 *   unknown op 0x3f (bits above 6 are Xen's)        -ENOSYS
 *   XENMEM_increase_reservation (not yet)           -ENOSYS
 *   add_to_physmap / memory_map / current_reservation, every bad pointer
 *                                                    -EFAULT
 *   add_to_physmap shared_info idx 1                 -EINVAL (rule 2)
 *   add_to_physmap space 99                          -ENOSYS (rule 5)
 *   add_to_physmap grant_table idx 0x7fffffff        -EINVAL (rule 3)
 *   add_to_physmap for domain 0x7eee (none such)     -EPERM (-ESRCH as dom0,
 *                                                    see hostile.h)
 *   current_reservation of domain 0 as domU          -EPERM
 *   memory_map with room 0                           0, nr_entries 0
 *   memory_map whose buffer ends past RAM            -EFAULT
 */
void hostile_memory(struct hostile *h)
{
    struct xen_memory_domain self = { .domid = DOMID_SELF };
    long pages = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);

    if (!available(h, "memory_op", pages))
        return;
    expect(h, "memory_op current_reservation is positive", pages > 0, 1);
    expect(h, "memory_op unknown op 0x3f", HYPERVISOR_memory_op(0x3f, NULL), -XEN_ENOSYS);
    expect(h, "memory_op increase_reservation",
           HYPERVISOR_memory_op(XENMEM_increase_reservation, NULL), -XEN_ENOSYS);

    static const struct { unsigned int cmd; const char *name; } ptr_ops[] = {
        { XENMEM_add_to_physmap, "add_to_physmap" },
        { XENMEM_memory_map, "memory_map" },
        { XENMEM_current_reservation, "current_reservation" },
    };
    for (size_t c = 0; c < sizeof ptr_ops / sizeof ptr_ops[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, HYPERVISOR_memory_op(ptr_ops[c].cmd, (void *)bad_ptrs[i].addr),
                    -XEN_EFAULT, "memory_op %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);

    /* Any frame will do: every case here must fail before touching it. */
    xen_pfn_t gpfn = (uintptr_t)h->scratch >> XEN_PAGE_SHIFT;
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 1, .gpfn = gpfn,
    };
    expect(h, "memory_op add_to_physmap shared_info idx=1",
           HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
    x.space = 99;
    x.idx = 0;
    expect(h, "memory_op add_to_physmap space=99",
           HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_ENOSYS);
    x.space = XENMAPSPACE_grant_table;
    x.idx = 0x7fffffff;
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    if (HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1) == -XEN_ENOSYS)
        skip(h, "memory_op add_to_physmap grant_table", "grant tables not implemented");
    else
        expect(h, "memory_op add_to_physmap grant_table idx=0x7fffffff",
               HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
    x.space = XENMAPSPACE_shared_info;
    x.idx = 0;
    x.domid = NO_SUCH_DOMID;
    expect(h, "memory_op add_to_physmap domid=0x7eee",
           HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), WANT_NO_SUCH_DOMAIN(h));

    if (h->bi->domid != 0) {
        struct xen_memory_domain dom0 = { .domid = 0 };
        expect(h, "memory_op current_reservation domid=0 as domU",
               HYPERVISOR_memory_op(XENMEM_current_reservation, &dom0), -XEN_EPERM);
    }

    struct xen_memory_map map = { .nr_entries = 0 };
    set_xen_guest_handle(map.buffer, h->scratch);
    expect(h, "memory_op memory_map room=0", HYPERVISOR_memory_op(XENMEM_memory_map, &map), 0);
    expect(h, "memory_op memory_map room=0 wrote none", map.nr_entries, 0);
    if (h->hole) {
        map.nr_entries = 64;
        map.buffer.addr = h->hole - 8;
        expect(h, "memory_op memory_map buffer past end of RAM",
               HYPERVISOR_memory_op(XENMEM_memory_map, &map), -XEN_EFAULT);
    }
}
