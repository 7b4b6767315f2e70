/* hc_grant_table.c: __HYPERVISOR_grant_table_op: a guest's grant table
 * (v1), grant copies, and mapping other domains' grants into its physical
 * address space. dom0 maps through the control socket instead. */
#include <pvhv/errno.h>
#include <pvhv/grant_table.h>
#include <pvhv/xen.h>

#include "gnttab.h"
#include "hypercall.h"

/* Ops between two looks at whether the domain is going away. */
#define STOP_CHECK_EVERY 256

static bool is_self(struct hc_ctx *c, domid_t dom)
{
    return dom == DOMID_SELF || dom == c->dom->domid;
}

/* The status Xen gives a domU naming another domain. */
static int16_t foreign_status(domid_t dom)
{
    if (dom == 0)
        return GNTST_permission_denied; /* dom0 exists, as a host */
    struct domain *o = domain_get(dom);

    if (!o)
        return GNTST_bad_domain;
    domain_put(o);
    return GNTST_permission_denied;
}

static int64_t setup_table(struct hc_ctx *c, uint64_t arg, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        struct gnttab_setup_table op;
        uint64_t at = arg + i * sizeof(op);
        if (hc_copy_from(c, &op, at, sizeof(op)) < 0)
            return -XEN_EFAULT;
        if (!is_self(c, op.dom)) {
            op.status = foreign_status(op.dom);
        } else if (op.nr_frames > GNTTAB_MAX_FRAMES) {
            op.status = GNTST_general_error;
        } else {
            op.status = GNTST_okay;
            for (uint32_t f = 0; f < op.nr_frames; f++) {
                xen_pfn_t gfn = gnttab_frame_gfn(c->dom, f);
                /* As Xen: an unwritable list is the op's failure, not
                 * the call's. */
                if (hc_copy_to(c, op.frame_list.addr + f * sizeof(gfn), &gfn, sizeof(gfn)) < 0) {
                    op.status = GNTST_bad_virt_addr;
                    break;
                }
            }
        }
        if (hc_copy_to(c, at, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

static int64_t query_size(struct hc_ctx *c, uint64_t arg, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        struct gnttab_query_size op;
        uint64_t at = arg + i * sizeof(op);
        if (hc_copy_from(c, &op, at, sizeof(op)) < 0)
            return -XEN_EFAULT;
        if (!is_self(c, op.dom)) {
            op.status = foreign_status(op.dom);
        } else {
            op.nr_frames = gnttab_nr_frames(c->dom);
            op.max_nr_frames = GNTTAB_MAX_FRAMES;
            op.status = GNTST_okay;
        }
        if (hc_copy_to(c, at, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

/* Is the calling domain being shut down or destroyed? A long batch stops
 * early then: nobody is left to read its results. */
static bool going_away(struct hc_ctx *c)
{
    return __atomic_load_n(&c->dom->shutdown, __ATOMIC_RELAXED) ||
           __atomic_load_n(&c->dom->dying, __ATOMIC_RELAXED);
}

/* Any number of ops, as on Xen (which preempts where pvhv just runs on). */
static int64_t copy(struct hc_ctx *c, uint64_t arg, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        if (i % STOP_CHECK_EVERY == STOP_CHECK_EVERY - 1 && going_away(c))
            break;
        struct gnttab_copy op;
        uint64_t at = arg + i * sizeof(op);
        if (hc_copy_from(c, &op, at, sizeof(op)) < 0)
            return -XEN_EFAULT;
        op.status = gnttab_copy_one((domid_t)c->dom->domid, c->dom, 0, &op);
        if (hc_copy_to(c, at, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

static int64_t map(struct hc_ctx *c, uint64_t arg, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        struct gnttab_map_grant_ref op;
        uint64_t at = arg + i * sizeof(op);
        if (i % STOP_CHECK_EVERY == STOP_CHECK_EVERY - 1 && going_away(c))
            break;
        if (hc_copy_from(c, &op, at, sizeof(op)) < 0)
            return -XEN_EFAULT;
        uint32_t handle = 0;
        /* PVH maps are host maps into the guest's physical space. */
        if (!(op.flags & GNTMAP_host_map) || (op.flags & ~(GNTMAP_host_map | GNTMAP_readonly)))
            op.status = GNTST_general_error;
        else
            op.status = gnttab_guest_map(c->dom, op.dom, op.ref, op.host_addr,
                                         op.flags & GNTMAP_readonly, &handle);
        op.handle = op.status == GNTST_okay ? handle : 0;
        if (hc_copy_to(c, at, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

static int64_t unmap(struct hc_ctx *c, uint64_t arg, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        struct gnttab_unmap_grant_ref op;
        uint64_t at = arg + i * sizeof(op);
        if (hc_copy_from(c, &op, at, sizeof(op)) < 0)
            return -XEN_EFAULT;
        op.status = gnttab_guest_unmap(c->dom, op.host_addr, op.handle);
        if (hc_copy_to(c, at, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

static int64_t swap(struct hc_ctx *c, uint64_t arg, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        if (i % STOP_CHECK_EVERY == STOP_CHECK_EVERY - 1 && going_away(c))
            break;
        struct gnttab_swap_grant_ref op;
        uint64_t at = arg + i * sizeof(op);
        if (hc_copy_from(c, &op, at, sizeof(op)) < 0)
            return -XEN_EFAULT;
        op.status = gnttab_swap(c->dom, op.ref_a, op.ref_b);
        if (hc_copy_to(c, at, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

static int64_t do_grant_table_op(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1], count = (uint32_t)a[2];

    switch (cmd) {
    case GNTTABOP_setup_table:
        return count == 1 ? setup_table(c, arg, count) : -XEN_EINVAL;
    case GNTTABOP_query_size:
        return count == 1 ? query_size(c, arg, count) : -XEN_EINVAL;
    case GNTTABOP_copy:
        return copy(c, arg, count);
    case GNTTABOP_map_grant_ref:
        return map(c, arg, count);
    case GNTTABOP_unmap_grant_ref:
        return unmap(c, arg, count);
    case GNTTABOP_swap_grant_ref:
        return swap(c, arg, count);
    case GNTTABOP_set_version: {
        struct gnttab_set_version op;
        if (count != 1)
            return -XEN_EINVAL;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        int64_t r = op.version == 1 ? 0 : op.version == 2 ? -XEN_ENOSYS : -XEN_EINVAL;
        op.version = 1; /* the version in effect, written back either way */
        if (hc_copy_to(c, arg, &op, sizeof(op)) < 0)
            return -XEN_EFAULT;
        return r;
    }
    case GNTTABOP_get_version: {
        struct gnttab_get_version op;
        if (count != 1)
            return -XEN_EINVAL;
        if (hc_copy_from(c, &op, arg, sizeof(op)) < 0)
            return -XEN_EFAULT;
        if (!is_self(c, op.dom))
            return foreign_status(op.dom) == GNTST_bad_domain ? -XEN_ESRCH : -XEN_EPERM;
        op.version = 1;
        return hc_copy_to(c, arg, &op, sizeof(op));
    }
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_grant_table_op, do_grant_table_op)
