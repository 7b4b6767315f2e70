/* hc_memory_op.c: __HYPERVISOR_memory_op: the memory map, placing
 * shared_info, and the guest's size. */
#include <string.h>

#include <pvhv/errno.h>
#include <pvhv/hvm/start_info.h>
#include <pvhv/memory.h>
#include <pvhv/pvhv_platform.h>
#include <pvhv/xen.h>

#include "gnttab.h"
#include "guest_mem.h"
#include "hypercall.h"
#include "timer.h"
#include "kvm_xen.h"
#include "pvclock.h"

/* E820 entry as XENMEM_memory_map returns it: 20 bytes, packed. */
struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct e820_entry) == 20, "e820 entries are 20 bytes");

/* Only the caller itself: pvhv guests have no rights over others. */
static bool is_self(struct hc_ctx *c, domid_t domid)
{
    return domid == DOMID_SELF || domid == c->dom->domid;
}

/* As Xen: look the domain up first (-ESRCH), then refuse (-EPERM). */
static int64_t foreign(domid_t dom)
{
    if (dom == 0)
        return -XEN_EPERM;
    struct domain *o = domain_get(dom);
    if (!o)
        return -XEN_ESRCH;
    domain_put(o);
    return -XEN_EPERM;
}

static int64_t memory_map(struct hc_ctx *c, uint64_t arg)
{
    struct xen_memory_map m;
    struct hvm_memmap_table_entry map[GUEST_MEM_MAP_MAX];
    struct e820_entry e[GUEST_MEM_MAP_MAX];
    uint32_t n = guest_mem_map(&c->dom->mem, map);

    if (hc_copy_from(c, &m, arg, sizeof(m)) < 0)
        return -XEN_EFAULT;
    /* The same map as hvm_start_info's; the type numbers are E820's. */
    for (uint32_t i = 0; i < n; i++)
        e[i] = (struct e820_entry){ map[i].addr, map[i].size, map[i].type };
    /* As Xen: as many entries as fit, and say how many were written. */
    if (m.nr_entries < n)
        n = m.nr_entries;
    if (hc_copy_to(c, m.buffer.addr, e, n * sizeof(e[0])) < 0)
        return -XEN_EFAULT;
    m.nr_entries = n;
    return hc_copy_to(c, arg, &m, sizeof(m));
}

static int64_t add_to_physmap(struct hc_ctx *c, uint64_t arg)
{
    struct xen_add_to_physmap x;
    struct domain *d = c->dom;

    if (hc_copy_from(c, &x, arg, sizeof(x)) < 0)
        return -XEN_EFAULT;
    if (!is_self(c, x.domid))
        return foreign(x.domid);
    switch (x.space) {
    case XENMAPSPACE_shared_info:
        if (x.idx != 0)
            return -XEN_EINVAL;
        if (!guest_mem_is_ram(&d->mem, x.gpfn))
            return -XEN_EINVAL;
        break;
    case XENMAPSPACE_grant_table:
        /* Version 1 has no status frames to place. */
        if (x.idx & XENMAPIDX_grant_table_status)
            return -XEN_EINVAL;
        return gnttab_place_frame(d, x.idx, x.gpfn);
    default:
        return -XEN_ENOSYS;
    }

    /* pvhv's shared_info is the guest page at gpfn: the guest sees Xen's
     * layout there, and moving it carries the contents along. */
    uint64_t gpa = x.gpfn << XEN_PAGE_SHIFT;
    void *dst = guest_mem_ptr(&d->mem, gpa, XEN_PAGE_SIZE);
    pthread_mutex_lock(&d->lock);
    void *old = d->shared_info_gpa
        ? guest_mem_ptr(&d->mem, d->shared_info_gpa, XEN_PAGE_SIZE) : NULL;
    if (old != dst) {
        if (old)
            memmove(dst, old, XEN_PAGE_SIZE);
        else
            memset(dst, 0, XEN_PAGE_SIZE);
    }
    d->shared_info_gpa = gpa;
    pthread_mutex_unlock(&d->lock);
    if (kvm_xen_set_shared_info(d, gpa) < 0)
        domain_crash(d, "KVM refused shared_info at 0x%lx", (unsigned long)gpa);
    pvclock_update_all(d);
    timer_resync_request_all(d);
    return 0;
}

static int64_t do_memory_op(struct hc_ctx *c, const uint64_t a[5])
{
    /* Bits above the sub-op are Xen's continuation state; a guest never
     * sets them. */
    uint64_t cmd = a[0], arg = a[1];
    const struct guest_mem *gm = &c->dom->mem;

    switch (cmd) {
    case XENMEM_memory_map:
        return memory_map(c, arg);
    case XENMEM_add_to_physmap:
        return add_to_physmap(c, arg);
    case XENMEM_maximum_ram_page:
        return gm->high_bytes ? (int64_t)((0x100000000ULL + gm->high_bytes) >> XEN_PAGE_SHIFT)
                              : (int64_t)(gm->low_bytes >> XEN_PAGE_SHIFT);
    case XENMEM_current_reservation: {
        struct xen_memory_domain md;
        if (hc_copy_from(c, &md, arg, sizeof(md)) < 0)
            return -XEN_EFAULT;
        if (!is_self(c, md.domid))
            return foreign(md.domid);
        return (int64_t)(gm->ram_bytes >> XEN_PAGE_SHIFT);
    }
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_memory_op, do_memory_op)
