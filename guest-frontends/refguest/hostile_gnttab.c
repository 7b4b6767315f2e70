/* hostile_gnttab.c: grant_table_op with bad arrays, counts, versions and copies. */
#include <pvhv/grant_table.h>

#include "hostile.h"

/*
 * Expected (grant_table.h; Xen's do_grant_table_op):
 *   query_size(DOMID_SELF), count 1              0, status GNTST_okay (probe)
 *   unknown op 0x7777; dump_table, transfer, unmap_and_replace,
 *   get_status_frames, cache_flush              -ENOSYS
 *   query_size / setup_table count 0, 2, 0xffffffff  -EINVAL
 *   every op in use, count 1, every bad pointer  -EFAULT
 *   map_grant_ref count 0xffffffff from the last element before the end
 *   of RAM                                      -EFAULT (element 0 is
 *                                               processed: GNTST_bad_domain,
 *                                               DOMID_SELF is refused)
 *   set_version 3                               -EINVAL; 2 -> -ENOSYS; 1 -> 0
 *   get_version of domain 0x7eee                -EPERM (-ESRCH as dom0)
 *   get_version of domain 0 as domU             -EPERM
 *   query_size of domain 0x7eee                 0, status
 *                                               GNTST_permission_denied
 *                                               (GNTST_bad_domain as dom0)
 *   copy between own frames, offset+len past the page
 *                                               0, status GNTST_bad_copy_arg
 */
void hostile_gnttab(struct hostile *h)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF, .status = 0x55 };
    long probe = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);

    if (!available(h, "grant_table_op", probe))
        return;
    expect(h, "gnttab query_size", probe, 0);
    expect(h, "gnttab query_size status", q.status, GNTST_okay);

    static const unsigned int unknown[] = { 0x7777, GNTTABOP_dump_table, GNTTABOP_transfer,
                                            GNTTABOP_unmap_and_replace,
                                            GNTTABOP_get_status_frames, GNTTABOP_cache_flush };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        uint8_t zero[64] = { 0 };
        expectf(h, HYPERVISOR_grant_table_op(unknown[i], zero, 1), -XEN_ENOSYS,
                "gnttab op %u", unknown[i]);
    }

    static const unsigned int counts[] = { 0, 2, 0xffffffffU };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        struct gnttab_query_size qs = { .dom = DOMID_SELF };
        struct gnttab_setup_table su = { .dom = DOMID_SELF };
        expectf(h, HYPERVISOR_grant_table_op(GNTTABOP_query_size, &qs, counts[i]),
                -XEN_EINVAL, "gnttab query_size count=%u", counts[i]);
        expectf(h, HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &su, counts[i]),
                -XEN_EINVAL, "gnttab setup_table count=%u", counts[i]);
    }

    static const struct { unsigned int op; const char *name; } ptr_ops[] = {
        { GNTTABOP_map_grant_ref, "map_grant_ref" },
        { GNTTABOP_unmap_grant_ref, "unmap_grant_ref" },
        { GNTTABOP_setup_table, "setup_table" }, { GNTTABOP_copy, "copy" },
        { GNTTABOP_query_size, "query_size" }, { GNTTABOP_set_version, "set_version" },
        { GNTTABOP_get_version, "get_version" }, { GNTTABOP_swap_grant_ref, "swap_grant_ref" },
    };
    for (size_t c = 0; c < sizeof ptr_ops / sizeof ptr_ops[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, HYPERVISOR_grant_table_op(ptr_ops[c].op, (void *)bad_ptrs[i].addr, 1),
                    -XEN_EFAULT, "gnttab %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);

    if (h->hole) {
        struct gnttab_map_grant_ref *m = (void *)(h->hole - sizeof *m);
        *m = (struct gnttab_map_grant_ref){ .flags = 0, .ref = 0, .dom = DOMID_SELF };
        expect(h, "gnttab map_grant_ref count=0xffffffff at end of RAM",
               HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, m, 0xffffffffU), -XEN_EFAULT);
    } else {
        skip(h, "gnttab map_grant_ref at end of RAM", "RAM reaches the mapped limit");
    }

    struct gnttab_set_version sv = { .version = 3 };
    expect(h, "gnttab set_version 3", HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1),
           -XEN_EINVAL);
    sv.version = 2;
    expect(h, "gnttab set_version 2", HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1),
           -XEN_ENOSYS);
    sv.version = 1;
    expect(h, "gnttab set_version 1", HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);

    struct gnttab_get_version gv = { .dom = NO_SUCH_DOMID };
    expect(h, "gnttab get_version domid=0x7eee",
           HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1),
           WANT_NO_SUCH_DOMAIN(h));
    if (h->bi->domid != 0) {
        gv.dom = 0;
        expect(h, "gnttab get_version domid=0 as domU",
               HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), -XEN_EPERM);
    }
    q = (struct gnttab_query_size){ .dom = NO_SUCH_DOMID };
    expect(h, "gnttab query_size domid=0x7eee",
           HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
    expect(h, "gnttab query_size domid=0x7eee status", q.status,
           WANT_NO_SUCH_DOMAIN_GNTST(h));

    xen_pfn_t f = (uintptr_t)h->scratch >> XEN_PAGE_SHIFT;
    struct gnttab_copy cp = {
        .source = { .u.gmfn = f, .domid = DOMID_SELF, .offset = 4000 },
        .dest = { .u.gmfn = f + 1, .domid = DOMID_SELF, .offset = 0 },
        .len = 200,
    };
    expect(h, "gnttab copy past the page", HYPERVISOR_grant_table_op(GNTTABOP_copy, &cp, 1), 0);
    expect(h, "gnttab copy past the page status", cp.status, GNTST_bad_copy_arg);
}
