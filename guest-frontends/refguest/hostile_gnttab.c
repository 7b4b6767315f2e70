/* hostile_gnttab.c: grant_table_op with bad arrays, counts, versions, domains, refs and copies. */
#include <pvhv/grant_table.h>
#include <pvhv/memory.h>

#include "hostile.h"

/*
 * Expected values are Xen's (xen/common/grant_table.c, 4.17..4.20) unless
 * a line says pvhv.
 *
 * Ops and arguments:
 *   query_size(DOMID_SELF), count 1              0, GNTST_okay (probe)
 *   unknown op 0x7777; dump_table, transfer, unmap_and_replace,
 *   get_status_frames, cache_flush              -ENOSYS (as Xen to PVH)
 *   query_size / setup_table count 0, 2, ~0      -EINVAL
 *   every op offered, count 1, every bad pointer -EFAULT
 *   map/unmap_grant_ref from a guest             pvhv: -ENOSYS for now (the
 *                                               cases are skipped); Xen
 *                                               offers them
 *   set_version 3; 2; 1                          -EINVAL; -ENOSYS (v2
 *                                               disabled); 0; `version` reads
 *                                               1 afterwards each time
 *   get_version DOMID_SELF                       0, version 1
 *   get_version / query_size / setup_table of
 *   domain 0x7eee                                -ESRCH / GNTST_bad_domain
 *   the same of domain 0 as domU                 -EPERM / GNTST_permission_
 *                                               denied (dom0 exists on Xen)
 *   query_size max_nr_frames                     pvhv: 32 (Xen: the
 *                                               toolstack's limit, 64 by
 *                                               default)
 *   setup_table nr_frames max+1                  0, GNTST_general_error
 *   setup_table nr_frames 0                      0, GNTST_okay
 *   setup_table nr_frames 1, frame not placed    0, okay, frame_list[0] = ~0
 *   setup_table frame_list NULL, nr_frames 1     0, GNTST_bad_virt_addr
 *   add_to_physmap grant_table idx 0 at a page   0; setup_table then lists
 *                                               that frame; query_size
 *                                               nr_frames >= 1
 *   add_to_physmap idx max; idx | status bit     -EINVAL; -EINVAL
 *   add_to_physmap gpfn outside RAM              pvhv: -EINVAL (memory.h:
 *                                               a RAM page); Xen maps the
 *                                               frame there (0)
 * Copies (the guest's own table, entries written here):
 *   source: own grant (to our own id, read-only) -> own frame
 *                                                okay, bytes copied, entry
 *                                                flags back to as granted
 *   the same naming our own id instead of DOMID_SELF   okay
 *   dest: that read-only grant                   GNTST_general_error ("write-
 *                                                pin a r/o grant entry")
 *   source: entry granted to dom0                GNTST_general_error
 *   source: entry never granted                  GNTST_general_error
 *   source: ref = entries in the table; 0x7fffffff    GNTST_bad_gntref
 *   source: grant of domain 0x7eee               GNTST_bad_domain
 *   source: frame of domain 0 (no gref flag)     GNTST_permission_denied
 *   source: own frame named by our id, not
 *   DOMID_SELF                                   GNTST_permission_denied
 *                                                ("only DOMID_SELF may
 *                                                reference via frame")
 *   source: own frame outside RAM                GNTST_bad_page
 *   own frames, offset+len past the page         GNTST_bad_copy_arg
 *   own grant, offset+len past the page          GNTST_bad_copy_arg
 *   len 0 with a bad ref                         GNTST_okay (Xen returns
 *                                                before looking at either
 *                                                side)
 *   513 valid copies in one call                 0, all okay (Xen preempts
 *                                                and continues)
 *   ending the grant afterwards                  the cmpxchg succeeds (no
 *                                                GTF_reading left)
 * swap_grant_ref:
 *   two granted entries                          okay, entries exchanged
 *   a ref with itself                            okay
 *   a ref out of the table                       GNTST_bad_gntref
 */

/* One table frame, and pages to grant and to copy into. */
static uint8_t frame[XEN_PAGE_SIZE] __attribute__((aligned(XEN_PAGE_SIZE)));
static uint8_t src_page[XEN_PAGE_SIZE] __attribute__((aligned(XEN_PAGE_SIZE)));
static uint8_t dst_page[XEN_PAGE_SIZE] __attribute__((aligned(XEN_PAGE_SIZE)));
static struct gnttab_copy batch[513];

static long gt(unsigned int cmd, void *arg, unsigned int count)
{
    return HYPERVISOR_grant_table_op(cmd, arg, count);
}

static void grant(grant_entry_v1_t *e, domid_t dom, const void *page, uint16_t flags)
{
    __atomic_store_n(&e->flags, 0, __ATOMIC_SEQ_CST);
    e->domid = dom;
    e->frame = (uint32_t)((uintptr_t)page >> XEN_PAGE_SHIFT);
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

/* One copy from `src` to our dst_page; returns its status (or the call's error). */
static long copy1(struct gnttab_copy *op)
{
    long r = gt(GNTTABOP_copy, op, 1);
    return r < 0 ? r : op->status;
}

static struct gnttab_copy from_gref(domid_t dom, grant_ref_t ref, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.ref = ref, .domid = dom },
        .dest = { .u.gmfn = pvfront_gfn(dst_page), .domid = DOMID_SELF },
        .len = len,
        .flags = GNTCOPY_source_gref,
    };
}

static void basics(struct hostile *h)
{
    static const unsigned int unknown[] = { 0x7777, GNTTABOP_dump_table, GNTTABOP_transfer,
                                            GNTTABOP_unmap_and_replace,
                                            GNTTABOP_get_status_frames, GNTTABOP_cache_flush };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        uint8_t zero[64] = { 0 };
        expectf(h, gt(unknown[i], zero, 1), -XEN_ENOSYS, "gnttab op %u", unknown[i]);
    }

    static const unsigned int counts[] = { 0, 2, 0xffffffffU };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        struct gnttab_query_size qs = { .dom = DOMID_SELF };
        struct gnttab_setup_table su = { .dom = DOMID_SELF };
        expectf(h, gt(GNTTABOP_query_size, &qs, counts[i]), -XEN_EINVAL,
                "gnttab query_size count=%u", counts[i]);
        expectf(h, gt(GNTTABOP_setup_table, &su, counts[i]), -XEN_EINVAL,
                "gnttab setup_table count=%u", counts[i]);
    }

    static const struct { unsigned int op; const char *name; } ptr_ops[] = {
        { GNTTABOP_setup_table, "setup_table" }, { GNTTABOP_copy, "copy" },
        { GNTTABOP_query_size, "query_size" }, { GNTTABOP_set_version, "set_version" },
        { GNTTABOP_get_version, "get_version" }, { GNTTABOP_swap_grant_ref, "swap_grant_ref" },
    };
    for (size_t c = 0; c < sizeof ptr_ops / sizeof ptr_ops[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, gt(ptr_ops[c].op, (void *)bad_ptrs[i].addr, 1), -XEN_EFAULT,
                    "gnttab %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);
}

/* map/unmap from a guest, if offered (Xen: count 0 is a no-op returning 0). */
static void maps(struct hostile *h)
{
    if (gt(GNTTABOP_map_grant_ref, NULL, 0) == -XEN_ENOSYS) {
        skip(h, "gnttab map/unmap_grant_ref", "not offered to guests (-ENOSYS)");
        return;
    }
    static const struct { unsigned int op; const char *name; } ptr_ops[] = {
        { GNTTABOP_map_grant_ref, "map_grant_ref" },
        { GNTTABOP_unmap_grant_ref, "unmap_grant_ref" },
    };
    for (size_t c = 0; c < 2; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, gt(ptr_ops[c].op, (void *)bad_ptrs[i].addr, 1), -XEN_EFAULT,
                    "gnttab %s arg=%s", ptr_ops[c].name, bad_ptrs[i].name);
    if (h->hole) {
        /* Element 0 is processed (DOMID_SELF is refused: GNTST_bad_domain), element 1 faults. */
        struct gnttab_map_grant_ref *m = (void *)(h->hole - sizeof *m);
        *m = (struct gnttab_map_grant_ref){ .flags = GNTMAP_host_map, .ref = 0, .dom = DOMID_SELF };
        expect(h, "gnttab map_grant_ref count=2 running off the end of RAM",
               gt(GNTTABOP_map_grant_ref, m, 2), -XEN_EFAULT);
    } else {
        skip(h, "gnttab map_grant_ref at end of RAM", "RAM reaches the mapped limit");
    }
}

static void versions_and_domains(struct hostile *h)
{
    struct gnttab_set_version sv = { .version = 3 };
    expect(h, "gnttab set_version 3", gt(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    expect(h, "gnttab set_version 3 reads back 1", sv.version, 1);
    sv.version = 2;
    expect(h, "gnttab set_version 2", gt(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS);
    expect(h, "gnttab set_version 2 reads back 1", sv.version, 1);
    sv.version = 1;
    expect(h, "gnttab set_version 1", gt(GNTTABOP_set_version, &sv, 1), 0);

    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    expect(h, "gnttab get_version", gt(GNTTABOP_get_version, &gv, 1), 0);
    expect(h, "gnttab get_version reads 1", gv.version, 1);
    gv.dom = NO_SUCH_DOMID;
    expect(h, "gnttab get_version domid=0x7eee", gt(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH);

    struct gnttab_query_size q = { .dom = NO_SUCH_DOMID };
    expect(h, "gnttab query_size domid=0x7eee", gt(GNTTABOP_query_size, &q, 1), 0);
    expect_st(h, "gnttab query_size domid=0x7eee status", q.status, GNTST_bad_domain);
    xen_pfn_t list[1] = { 0 };
    struct gnttab_setup_table su = { .dom = NO_SUCH_DOMID, .nr_frames = 1 };
    set_xen_guest_handle(su.frame_list, list);
    expect(h, "gnttab setup_table domid=0x7eee", gt(GNTTABOP_setup_table, &su, 1), 0);
    expect_st(h, "gnttab setup_table domid=0x7eee status", su.status, GNTST_bad_domain);

    if (h->bi->domid == 0)
        return;
    gv.dom = 0;
    expect(h, "gnttab get_version domid=0 as domU", gt(GNTTABOP_get_version, &gv, 1), -XEN_EPERM);
    q = (struct gnttab_query_size){ .dom = 0 };
    expect(h, "gnttab query_size domid=0 as domU", gt(GNTTABOP_query_size, &q, 1), 0);
    expect_st(h, "gnttab query_size domid=0 as domU status", q.status, GNTST_permission_denied);
    su = (struct gnttab_setup_table){ .dom = 0, .nr_frames = 1 };
    set_xen_guest_handle(su.frame_list, list);
    expect(h, "gnttab setup_table domid=0 as domU", gt(GNTTABOP_setup_table, &su, 1), 0);
    expect_st(h, "gnttab setup_table domid=0 as domU status", su.status, GNTST_permission_denied);
}

/* Sizes, setup_table and placing frame 0. Returns 1 if frame 0 is placed at `frame`. */
static int table(struct hostile *h)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    gt(GNTTABOP_query_size, &q, 1);
    expect(h, "gnttab query_size max_nr_frames (pvhv: 32)", q.max_nr_frames, 32);
    uint32_t max = q.max_nr_frames;

    xen_pfn_t list[2] = { 0x55, 0x55 };
    struct gnttab_setup_table su = { .dom = DOMID_SELF, .nr_frames = max + 1 };
    set_xen_guest_handle(su.frame_list, list);
    expect(h, "gnttab setup_table nr_frames=max+1", gt(GNTTABOP_setup_table, &su, 1), 0);
    expect_st(h, "gnttab setup_table nr_frames=max+1 status", su.status, GNTST_general_error);
    su.nr_frames = 0;
    expect(h, "gnttab setup_table nr_frames=0", gt(GNTTABOP_setup_table, &su, 1), 0);
    expect_st(h, "gnttab setup_table nr_frames=0 status", su.status, GNTST_okay);
    su.nr_frames = 1;
    set_xen_guest_handle(su.frame_list, (xen_pfn_t *)NULL);
    expect(h, "gnttab setup_table frame_list=NULL", gt(GNTTABOP_setup_table, &su, 1), 0);
    expect_st(h, "gnttab setup_table frame_list=NULL status", su.status, GNTST_bad_virt_addr);

    q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    gt(GNTTABOP_query_size, &q, 1);
    if (q.nr_frames == 0) {
        su = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 1 };
        set_xen_guest_handle(su.frame_list, list);
        expect(h, "gnttab setup_table before placing", gt(GNTTABOP_setup_table, &su, 1), 0);
        expect(h, "gnttab setup_table before placing: frame ~0", list[0], (long)~0ULL);
    } else {
        skip(h, "gnttab setup_table before placing", "a frame is placed already");
    }

    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = max,
        .gpfn = pvfront_gfn(frame),
    };
    expect(h, "gnttab add_to_physmap idx=max", HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x),
           -XEN_EINVAL);
    x.idx = XENMAPIDX_grant_table_status;
    expect(h, "gnttab add_to_physmap status frame 0",
           HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
    x.idx = 0;
    x.gpfn = PVHV_SPECIAL_BASE >> XEN_PAGE_SHIFT;
    expect(h, "gnttab add_to_physmap gpfn outside RAM (pvhv; Xen: 0)",
           HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_EINVAL);
    x.gpfn = pvfront_gfn(frame);
    long r = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x);
    expect(h, "gnttab add_to_physmap idx=0", r, 0);
    if (r != 0)
        return 0;
    list[0] = 0;
    su = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(su.frame_list, list);
    expect_st(h, "gnttab setup_table lists the placed frame",
           gt(GNTTABOP_setup_table, &su, 1) == 0 && su.status == GNTST_okay &&
               list[0] == pvfront_gfn(frame), 1);
    q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    expect(h, "gnttab query_size counts the placed frame",
           gt(GNTTABOP_query_size, &q, 1) == 0 && q.nr_frames >= 1, 1);
    return 1;
}

static void copies(struct hostile *h)
{
    grant_entry_v1_t *e = (grant_entry_v1_t *)frame;
    domid_t self = (domid_t)h->bi->domid;
    const grant_ref_t RO = 8, TO_DOM0 = 9, NEVER = 10, OTHER = 11;
    struct gnttab_copy op;

    for (unsigned int i = 0; i < XEN_PAGE_SIZE; i++)
        src_page[i] = (uint8_t)(i * 7 + 1);
    memset(dst_page, 0, sizeof dst_page);
    grant(&e[RO], self, src_page, GTF_permit_access | GTF_readonly);
    grant(&e[TO_DOM0], 0, src_page, GTF_permit_access);
    memset(&e[NEVER], 0, sizeof e[NEVER]);
    grant(&e[OTHER], self, dst_page, GTF_permit_access);

    op = from_gref(DOMID_SELF, RO, 64);
    op.source.offset = 100;
    op.dest.offset = 200;
    expect_st(h, "gnttab copy from own read-only grant", copy1(&op), GNTST_okay);
    expect(h, "gnttab copy: bytes arrived", memcmp(dst_page + 200, src_page + 100, 64), 0);
    expect(h, "gnttab copy: entry flags as granted afterwards",
           __atomic_load_n(&e[RO].flags, __ATOMIC_ACQUIRE), GTF_permit_access | GTF_readonly);
    op = from_gref(self, RO, 16);
    expect_st(h, "gnttab copy from own grant naming our id", copy1(&op), GNTST_okay);

    op = (struct gnttab_copy){
        .source = { .u.gmfn = pvfront_gfn(dst_page), .domid = DOMID_SELF },
        .dest = { .u.ref = RO, .domid = DOMID_SELF },
        .len = 16, .flags = GNTCOPY_dest_gref,
    };
    expect_st(h, "gnttab copy into a read-only grant", copy1(&op), GNTST_general_error);
    op = from_gref(DOMID_SELF, TO_DOM0, 16);
    expect_st(h, "gnttab copy from an entry granted to dom0", copy1(&op), GNTST_general_error);
    op = from_gref(DOMID_SELF, NEVER, 16);
    expect_st(h, "gnttab copy from an entry never granted", copy1(&op), GNTST_general_error);
    op = from_gref(DOMID_SELF, (grant_ref_t)PVFRONT_GNTTAB_REFS_PER_FRAME, 16);
    expect_st(h, "gnttab copy from ref = table size", copy1(&op), GNTST_bad_gntref);
    op = from_gref(DOMID_SELF, 0x7fffffff, 16);
    expect_st(h, "gnttab copy from ref 0x7fffffff", copy1(&op), GNTST_bad_gntref);
    op = from_gref(NO_SUCH_DOMID, RO, 16);
    expect_st(h, "gnttab copy from a grant of domain 0x7eee", copy1(&op), GNTST_bad_domain);

    op = from_gref(0, 0, 16);
    op.flags = 0;
    op.source.u.gmfn = pvfront_gfn(src_page);
    expect_st(h, "gnttab copy from a frame of domain 0", copy1(&op), GNTST_permission_denied);
    op.source.domid = self;
    expect_st(h, "gnttab copy from own frame naming our id", copy1(&op), GNTST_permission_denied);
    op.source.domid = DOMID_SELF;
    op.source.u.gmfn = 1ULL << 36; /* 256 TiB: no RAM there */
    expect_st(h, "gnttab copy from own frame outside RAM", copy1(&op), GNTST_bad_page);

    xen_pfn_t f = (uintptr_t)h->scratch >> XEN_PAGE_SHIFT;
    op = (struct gnttab_copy){
        .source = { .u.gmfn = f, .domid = DOMID_SELF, .offset = 4000 },
        .dest = { .u.gmfn = f + 1, .domid = DOMID_SELF, .offset = 0 },
        .len = 200,
    };
    expect_st(h, "gnttab copy past the page", copy1(&op), GNTST_bad_copy_arg);
    op = from_gref(DOMID_SELF, RO, 200);
    op.dest.offset = 4000;
    expect_st(h, "gnttab copy from a grant past the page", copy1(&op), GNTST_bad_copy_arg);
    op = from_gref(DOMID_SELF, 0x7fffffff, 0);
    expect_st(h, "gnttab copy len=0 with a bad ref", copy1(&op), GNTST_okay);

    for (unsigned int i = 0; i < 513; i++)
        batch[i] = (struct gnttab_copy){
            .source = { .u.gmfn = pvfront_gfn(src_page), .domid = DOMID_SELF },
            .dest = { .u.gmfn = pvfront_gfn(dst_page), .domid = DOMID_SELF },
            .len = 1, .status = 0x55,
        };
    long r = gt(GNTTABOP_copy, batch, 513);
    unsigned int ok = 0;
    for (unsigned int i = 0; i < 513; i++)
        ok += batch[i].status == GNTST_okay;
    expect(h, "gnttab copy 513 in one call", r, 0);
    expect(h, "gnttab copy 513 in one call: all okay", ok, 513);

    /* The revoke rule: nothing holds RO now. */
    uint16_t fl = GTF_permit_access | GTF_readonly;
    expect(h, "gnttab end of a grant after copies",
           __atomic_compare_exchange_n(&e[RO].flags, &fl, 0, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST), 1);
    grant(&e[RO], self, src_page, GTF_permit_access | GTF_readonly);

    struct gnttab_swap_grant_ref sw = { .ref_a = RO, .ref_b = OTHER };
    expect(h, "gnttab swap_grant_ref", gt(GNTTABOP_swap_grant_ref, &sw, 1), 0);
    expect_st(h, "gnttab swap_grant_ref status", sw.status, GNTST_okay);
    expect(h, "gnttab swap_grant_ref exchanged the entries",
           e[RO].frame == (uint32_t)pvfront_gfn(dst_page) &&
               e[OTHER].frame == (uint32_t)pvfront_gfn(src_page) &&
               e[OTHER].flags == (GTF_permit_access | GTF_readonly), 1);
    sw = (struct gnttab_swap_grant_ref){ .ref_a = RO, .ref_b = RO };
    expect_st(h, "gnttab swap_grant_ref with itself",
           gt(GNTTABOP_swap_grant_ref, &sw, 1) == 0 ? sw.status : 99, GNTST_okay);
    sw = (struct gnttab_swap_grant_ref){ .ref_a = RO, .ref_b = 0x7fffffff };
    expect_st(h, "gnttab swap_grant_ref with a ref out of the table",
           gt(GNTTABOP_swap_grant_ref, &sw, 1) == 0 ? sw.status : 99, GNTST_bad_gntref);
    for (grant_ref_t r2 = RO; r2 <= OTHER; r2++)
        __atomic_store_n(&e[r2].flags, 0, __ATOMIC_SEQ_CST);
}

void hostile_gnttab(struct hostile *h)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF, .status = 0x55 };
    long probe = gt(GNTTABOP_query_size, &q, 1);

    if (!available(h, "grant_table_op", probe))
        return;
    expect(h, "gnttab query_size", probe, 0);
    expect_st(h, "gnttab query_size status", q.status, GNTST_okay);

    basics(h);
    maps(h);
    versions_and_domains(h);
    if (!table(h)) {
        skip(h, "gnttab copies", "no grant frame placed");
        return;
    }
    if (h->bi->domid == DOMID_INVALID) {
        skip(h, "gnttab copies", "own domain id unknown");
        return;
    }
    copies(h);
}
