/* gnttab.c: grant tables v1. The granter writes its entries; pvhv checks
 * them at each use and marks them in use (GTF_reading / GTF_writing) so
 * the granter cannot take a page back while someone holds it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <pvhv/errno.h>
#include <pvhv/xen.h>

#include "gnttab.h"
#include "log.h"

/* One lock for every table and dom0's maps: uses are short, and a use
 * often spans two domains. */
static pthread_mutex_t gnttab_lock = PTHREAD_MUTEX_INITIALIZER;

/* dom0's mappings. */
#define DOM0_MAPS 16384
struct dom0_map {
    bool used;
    bool readonly;
    int owner;
    domid_t dom;
    grant_ref_t ref;
};
static struct dom0_map maps[DOM0_MAPS];

int gnttab_domain_init(struct domain *d)
{
    d->gnttab = calloc(1, sizeof(*d->gnttab));
    return d->gnttab ? 0 : -XEN_ENOMEM;
}

void gnttab_domain_destroy(struct domain *d)
{
    free(d->gnttab);
    d->gnttab = NULL;
}

int gnttab_place_frame(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    if (idx >= GNTTAB_MAX_FRAMES || !guest_mem_is_ram(&d->mem, gpfn))
        return -XEN_EINVAL;
    uint64_t gpa = gpfn << XEN_PAGE_SHIFT;
    void *page = guest_mem_ptr(&d->mem, gpa, XEN_PAGE_SIZE);
    pthread_mutex_lock(&gnttab_lock);
    void *old = d->gnttab->frame_gpa[idx]
        ? guest_mem_ptr(&d->mem, d->gnttab->frame_gpa[idx], XEN_PAGE_SIZE) : NULL;
    /* Moving a frame carries its grants; a new one starts empty. */
    if (old != page) {
        if (old)
            memmove(page, old, XEN_PAGE_SIZE);
        else
            memset(page, 0, XEN_PAGE_SIZE);
    }
    d->gnttab->frame_gpa[idx] = gpa;
    pthread_mutex_unlock(&gnttab_lock);
    return 0;
}

uint32_t gnttab_nr_frames(struct domain *d)
{
    uint32_t n = 0;

    pthread_mutex_lock(&gnttab_lock);
    for (uint32_t i = 0; i < GNTTAB_MAX_FRAMES; i++)
        if (d->gnttab->frame_gpa[i])
            n = i + 1;
    pthread_mutex_unlock(&gnttab_lock);
    return n;
}

uint64_t gnttab_frame_gfn(struct domain *d, uint32_t i)
{
    uint64_t gpa;

    pthread_mutex_lock(&gnttab_lock);
    gpa = i < GNTTAB_MAX_FRAMES ? d->gnttab->frame_gpa[i] : 0;
    pthread_mutex_unlock(&gnttab_lock);
    return gpa ? gpa >> XEN_PAGE_SHIFT : ~0ULL;
}

/* The entry of `ref` in d's table, or NULL. Call with gnttab_lock. */
static struct grant_entry_v1 *entry(struct domain *d, grant_ref_t ref)
{
    uint32_t frame = ref / GNTTAB_ENTRIES_PER_FRAME;

    if (!d->gnttab || frame >= GNTTAB_MAX_FRAMES || !d->gnttab->frame_gpa[frame])
        return NULL;
    return guest_mem_ptr(&d->mem,
                         d->gnttab->frame_gpa[frame] +
                             (ref % GNTTAB_ENTRIES_PER_FRAME) * sizeof(struct grant_entry_v1),
                         sizeof(struct grant_entry_v1));
}

/* flags and domid read and swapped together, so that a granter changing
 * either between pvhv's check and its mark is caught. */
static uint32_t *combo(struct grant_entry_v1 *e)
{
    return (uint32_t *)(void *)e;
}

/*
 * Check `ref` of `gd` is granted to `who` (read-only if `readonly`) and
 * mark it in use. Returns GNTST_okay and the granted frame's host
 * address, or an error. Call with gnttab_lock.
 */
static int16_t acquire(struct domain *gd, grant_ref_t ref, domid_t who, bool readonly,
                       uint8_t **page, uint64_t *gfn)
{
    struct grant_entry_v1 *e = entry(gd, ref);
    uint32_t old, new;

    if (!e)
        return GNTST_bad_gntref;
    old = __atomic_load_n(combo(e), __ATOMIC_ACQUIRE);
    do {
        uint16_t flags = (uint16_t)old;
        domid_t dom = (domid_t)(old >> 16);
        if ((flags & GTF_type_mask) != GTF_permit_access || dom != who)
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_general_error; /* Xen's answer to a write-pin */
        new = old | GTF_reading | (readonly ? 0 : GTF_writing);
    } while (!__atomic_compare_exchange_n(combo(e), &old, new, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    /* The frame is read after the mark: from here the granter cannot
     * revoke, so it cannot change under us either. */
    uint32_t frame = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
    uint8_t *p = guest_mem_is_ram(&gd->mem, frame)
        ? guest_mem_ptr(&gd->mem, (uint64_t)frame << XEN_PAGE_SHIFT, XEN_PAGE_SIZE) : NULL;
    if (!p) {
        /* Undo only our own mark: recompute from dom0's maps. */
        return GNTST_bad_page;
    }
    *page = p;
    *gfn = frame;
    return GNTST_okay;
}

/* Clear the in-use marks of (gd, ref) that no dom0 map still needs. Call
 * with gnttab_lock. */
static void release(struct domain *gd, grant_ref_t ref)
{
    struct grant_entry_v1 *e = entry(gd, ref);
    bool reading = false, writing = false;

    if (!e)
        return;
    for (unsigned i = 0; i < DOM0_MAPS; i++) {
        if (maps[i].used && maps[i].dom == gd->domid && maps[i].ref == ref) {
            reading = true;
            writing |= !maps[i].readonly;
        }
    }
    uint16_t clear = (uint16_t)((reading ? 0 : GTF_reading) | (writing ? 0 : GTF_writing));
    if (clear)
        __atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

int16_t gnttab_swap(struct domain *d, grant_ref_t a, grant_ref_t b)
{
    int16_t st = GNTST_okay;

    pthread_mutex_lock(&gnttab_lock);
    struct grant_entry_v1 *ea = entry(d, a), *eb = entry(d, b);
    if (!ea || !eb) {
        st = GNTST_bad_gntref;
    } else if ((ea->flags | eb->flags) & (GTF_reading | GTF_writing)) {
        st = GNTST_eagain; /* in use: the guest retries, as on Xen */
    } else {
        struct grant_entry_v1 t = *ea;
        *ea = *eb;
        *eb = t;
    }
    pthread_mutex_unlock(&gnttab_lock);
    return st;
}

/* ------------------------------------------------------------------------
 * Copies
 * ------------------------------------------------------------------------ */

/* One side of a copy, resolved. */
struct side {
    struct domain *dom;   /* granting domain held, or NULL */
    grant_ref_t ref;
    bool granted;         /* acquired: release afterwards */
    uint8_t *page;        /* host address of the page, or NULL for dom0 memory */
    uint64_t addr;        /* dom0: the address in the client */
};

static int16_t resolve(domid_t caller, struct domain *caller_dom,
                       const struct gnttab_copy_ptr *p, bool is_gref, bool write,
                       struct side *s)
{
    memset(s, 0, sizeof(*s));
    if (is_gref) {
        domid_t dom = p->domid == DOMID_SELF ? caller : p->domid;
        s->dom = domain_get(dom);
        if (!s->dom)
            return GNTST_bad_domain;
        uint64_t gfn;
        int16_t st = acquire(s->dom, p->u.ref, caller, !write, &s->page, &gfn);
        if (st != GNTST_okay) {
            /* acquire() may have marked before finding a bad frame. */
            release(s->dom, p->u.ref);
            domain_put(s->dom);
            s->dom = NULL;
            return st;
        }
        s->ref = p->u.ref;
        s->granted = true;
        return GNTST_okay;
    }
    if (caller_dom) {
        /* The caller's own frame, named DOMID_SELF as Xen insists. */
        if (p->domid != DOMID_SELF)
            return GNTST_permission_denied;
        if (!guest_mem_is_ram(&caller_dom->mem, p->u.gmfn))
            return GNTST_bad_page;
        s->page = guest_mem_ptr(&caller_dom->mem, p->u.gmfn << XEN_PAGE_SHIFT, XEN_PAGE_SIZE);
        return s->page ? GNTST_okay : GNTST_bad_page;
    }
    s->addr = p->u.gmfn; /* dom0: an address in the client */
    return GNTST_okay;
}

static void unresolve(struct side *s)
{
    if (s->granted)
        release(s->dom, s->ref);
    if (s->dom)
        domain_put(s->dom);
}

int16_t gnttab_copy_one(domid_t caller, struct domain *caller_dom, pid_t pid,
                        const struct gnttab_copy *op)
{
    struct side src, dst;
    int16_t st;

    if (op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref))
        return GNTST_bad_copy_arg;
    if (op->len == 0)
        return GNTST_okay; /* nothing to copy, nothing checked (as Xen) */
    if ((uint32_t)op->source.offset + op->len > XEN_PAGE_SIZE ||
        (uint32_t)op->dest.offset + op->len > XEN_PAGE_SIZE)
        return GNTST_bad_copy_arg;
    pthread_mutex_lock(&gnttab_lock);
    st = resolve(caller, caller_dom, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
    if (st != GNTST_okay)
        goto out;
    st = resolve(caller, caller_dom, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
    if (st != GNTST_okay) {
        unresolve(&src);
        goto out;
    }
    if (src.page && dst.page) {
        memmove(dst.page + op->dest.offset, src.page + op->source.offset, op->len);
    } else if (src.page || dst.page) {
        /* One side is dom0's memory, in the client's process. */
        struct iovec local = {
            .iov_base = src.page ? src.page + op->source.offset : dst.page + op->dest.offset,
            .iov_len = op->len,
        };
        struct iovec remote = {
            .iov_base = (void *)(uintptr_t)(src.page ? dst.addr : src.addr),
            .iov_len = op->len,
        };
        ssize_t n = src.page ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
                             : process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n != (ssize_t)op->len)
            st = GNTST_bad_virt_addr;
    } else {
        st = GNTST_bad_copy_arg; /* dom0 memory on both sides: not a grant copy */
    }
    unresolve(&src);
    unresolve(&dst);
out:
    pthread_mutex_unlock(&gnttab_lock);
    return st;
}

/* ------------------------------------------------------------------------
 * dom0's maps
 * ------------------------------------------------------------------------ */

int16_t gnttab_dom0_map(int owner, struct domain *dom, grant_ref_t ref, bool readonly,
                        uint32_t *handle, uint64_t *offset)
{
    uint8_t *page;
    uint64_t gfn;
    int16_t st;
    unsigned h;

    pthread_mutex_lock(&gnttab_lock);
    for (h = 1; h < DOM0_MAPS && maps[h].used; h++)
        ;
    if (h == DOM0_MAPS) {
        st = GNTST_no_space;
        goto out;
    }
    st = acquire(dom, ref, 0, readonly, &page, &gfn);
    if (st != GNTST_okay) {
        release(dom, ref);
        goto out;
    }
    if (guest_mem_offset(&dom->mem, gfn << XEN_PAGE_SHIFT, offset) < 0) {
        release(dom, ref);
        st = GNTST_bad_page;
        goto out;
    }
    maps[h] = (struct dom0_map){ .used = true, .readonly = readonly, .owner = owner,
                                 .dom = (domid_t)dom->domid, .ref = ref };
    *handle = h;
out:
    pthread_mutex_unlock(&gnttab_lock);
    return st;
}

/* Drop map h. Call with gnttab_lock. */
static void drop(unsigned h)
{
    struct dom0_map m = maps[h];

    memset(&maps[h], 0, sizeof(maps[h]));
    struct domain *d = domain_get(m.dom);
    if (d) {
        release(d, m.ref);
        domain_put(d);
    }
}

int16_t gnttab_dom0_unmap(int owner, uint32_t handle)
{
    int16_t st = GNTST_okay;

    pthread_mutex_lock(&gnttab_lock);
    if (handle == 0 || handle >= DOM0_MAPS || !maps[handle].used || maps[handle].owner != owner)
        st = GNTST_bad_handle;
    else
        drop(handle);
    pthread_mutex_unlock(&gnttab_lock);
    return st;
}

void gnttab_dom0_release(int owner)
{
    pthread_mutex_lock(&gnttab_lock);
    for (unsigned h = 1; h < DOM0_MAPS; h++)
        if (maps[h].used && maps[h].owner == owner)
            drop(h);
    pthread_mutex_unlock(&gnttab_lock);
}
