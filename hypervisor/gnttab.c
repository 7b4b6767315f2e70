/* gnttab.c: grant tables v1. The granter writes its entries; pvhv checks
 * them at each use and marks them in use (GTF_reading / GTF_writing) so
 * the granter cannot take a page back while someone holds it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <linux/kvm.h>

#include <pvhv/errno.h>
#include <pvhv/xen.h>

#include "gnttab.h"
#include "kvm.h"
#include "log.h"

/* One lock for every table and dom0's maps: uses are short, and a use
 * often spans two domains. */
static pthread_mutex_t gnttab_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every mapping of a grant: dom0's (owner = its control connection) and
 * guests' (mapper != 0: a memslot of the mapper at gpa). */
#define DOM0_MAPS 65536
struct dom0_map {
    bool used;
    bool readonly;
    int owner;
    domid_t dom;        /* the granter */
    grant_ref_t ref;
    domid_t mapper;     /* 0 for dom0 */
    uint32_t slot;      /* guests: the KVM memslot */
    uint64_t gpa;       /* guests: where it is mapped */
    void *hva;          /* guests: pvhv's mapping behind the memslot */
};
static struct dom0_map maps[DOM0_MAPS];
/* Free handles, a stack (handle 0 is never used): taking and dropping a
 * map is O(1) however many there are. */
static uint32_t free_handles[DOM0_MAPS];
static uint32_t nr_free;
static bool free_ready;

/* A free handle, or 0 if the table is full. Call with gnttab_lock. */
static uint32_t handle_take(void)
{
    if (!free_ready) {
        for (uint32_t h = DOM0_MAPS - 1; h >= 1; h--)
            free_handles[nr_free++] = h;
        free_ready = true;
    }
    return nr_free ? free_handles[--nr_free] : 0;
}

/* Give handle h back. Call with gnttab_lock. */
static void handle_give(uint32_t h)
{
    free_handles[nr_free++] = h;
}

/* Count a new map of (gd, ref) in gd's table. Call with gnttab_lock. */
static void count_map(struct domain *gd, grant_ref_t ref, bool readonly)
{
    gd->gnttab->ref_maps[ref]++;
    if (!readonly)
        gd->gnttab->ref_writable[ref]++;
}

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

/* KVM memory slot of a grant frame placed in a hole (after the RAM and
 * special-page slots of domain.c). */
#define PLACED_SLOT(idx) (3 + (uint32_t)(idx))

int gnttab_place_frame(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    _Static_assert(GNTTAB_MAX_FRAMES <= GUEST_MEM_PLACED_MAX,
                   "every grant frame can be placed in a hole");
    bool ram = guest_mem_is_ram(&d->mem, gpfn);

    /* A hole is where Linux puts its grant frames: pages it never had
     * ("unpopulated"), to which pvhv gives a page of its own. */
    if (idx >= GNTTAB_MAX_FRAMES || (!ram && !guest_mem_is_hole(&d->mem, gpfn)))
        return -XEN_EINVAL;
    uint64_t gpa = gpfn << XEN_PAGE_SHIFT;
    int r = 0;
    pthread_mutex_lock(&gnttab_lock);
    uint64_t old_gpa = d->gnttab->frame_gpa[idx];
    void *old = old_gpa ? guest_mem_ptr(&d->mem, old_gpa, XEN_PAGE_SIZE) : NULL;
    bool was_placed = old_gpa && !guest_mem_is_ram(&d->mem, old_gpa >> XEN_PAGE_SHIFT);
    void *page;
    if (ram) {
        page = guest_mem_ptr(&d->mem, gpa, XEN_PAGE_SIZE);
    } else {
        page = d->mem.base + guest_mem_placed_offset(&d->mem, (unsigned)idx);
        if (was_placed && old_gpa != gpa)
            kvm_set_memslot(d->vm_fd, PLACED_SLOT(idx), old_gpa, 0, page);
        if (old_gpa != gpa) {
            r = kvm_set_memslot(d->vm_fd, PLACED_SLOT(idx), gpa, XEN_PAGE_SIZE, page);
            if (r < 0) {
                /* Another frame already sits there: nothing moved. */
                if (was_placed)
                    kvm_set_memslot(d->vm_fd, PLACED_SLOT(idx), old_gpa, XEN_PAGE_SIZE, page);
                pthread_mutex_unlock(&gnttab_lock);
                return -XEN_EINVAL;
            }
        }
    }
    /* Moving a frame carries its grants; a new one starts empty. */
    if (old != page) {
        if (old)
            memmove(page, old, XEN_PAGE_SIZE);
        else
            memset(page, 0, XEN_PAGE_SIZE);
    }
    if (ram && was_placed) {
        kvm_set_memslot(d->vm_fd, PLACED_SLOT(idx), old_gpa, 0, old);
        guest_mem_place(&d->mem, (unsigned)idx, 0);
    } else if (!ram) {
        guest_mem_place(&d->mem, (unsigned)idx, gpa);
    }
    d->gnttab->frame_gpa[idx] = gpa;
    pthread_mutex_unlock(&gnttab_lock);
    return r;
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
        /* Undo only our own mark: release() recomputes it from the map counts. */
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
    /* (maps by any mapper: dom0 or a guest) */
    reading = gd->gnttab->ref_maps[ref] != 0;
    writing = gd->gnttab->ref_writable[ref] != 0;
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
    /* (handles are shared by dom0 and guests; each is checked on use) */
    h = handle_take();
    if (h == 0) {
        st = GNTST_no_space;
        goto out;
    }
    st = acquire(dom, ref, 0, readonly, &page, &gfn);
    if (st == GNTST_okay && guest_mem_offset(&dom->mem, gfn << XEN_PAGE_SHIFT, offset) < 0)
        st = GNTST_bad_page;
    if (st != GNTST_okay) {
        release(dom, ref);
        handle_give(h);
        goto out;
    }
    count_map(dom, ref, readonly);
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
    handle_give(h);
    struct domain *d = domain_get(m.dom);
    if (d) {
        d->gnttab->ref_maps[m.ref]--;
        if (!m.readonly)
            d->gnttab->ref_writable[m.ref]--;
        release(d, m.ref);
        domain_put(d);
    }
}

int16_t gnttab_dom0_unmap(int owner, uint32_t handle)
{
    int16_t st = GNTST_okay;

    pthread_mutex_lock(&gnttab_lock);
    if (handle == 0 || handle >= DOM0_MAPS || !maps[handle].used ||
        maps[handle].mapper != 0 || maps[handle].owner != owner)
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
        if (maps[h].used && maps[h].mapper == 0 && maps[h].owner == owner)
            drop(h);
    pthread_mutex_unlock(&gnttab_lock);
}

/* ------------------------------------------------------------------------
 * Guests' maps of other domains' grants
 * ------------------------------------------------------------------------ */

/* First memslot number for grant maps: below it sit the RAM and special
 * regions (guest_mem_ranges). */
#define GRANT_SLOT_BASE 16

/* Is gpa's page free in the mapper's physical address space? Call with
 * gnttab_lock. */
static bool gpa_free(struct domain *m, uint64_t gpa)
{
    struct guest_mem_range r[3];
    int n = guest_mem_ranges(&m->mem, r);

    for (int i = 0; i < n; i++)
        if (gpa >= r[i].gpa && gpa - r[i].gpa < r[i].size)
            return false;
    for (unsigned h = 1; h < DOM0_MAPS; h++)
        if (maps[h].used && maps[h].mapper == m->domid && maps[h].gpa == gpa)
            return false;
    return true;
}

static uint32_t free_slot(struct domain *m)
{
    for (uint32_t slot = GRANT_SLOT_BASE;; slot++) {
        bool used = false;
        for (unsigned h = 1; h < DOM0_MAPS && !used; h++)
            used = maps[h].used && maps[h].mapper == m->domid && maps[h].slot == slot;
        if (!used)
            return slot;
    }
}

int16_t gnttab_guest_map(struct domain *mapper, domid_t dom, grant_ref_t ref, uint64_t gpa,
                         bool readonly, uint32_t *handle)
{
    struct domain *gd;
    uint8_t *page;
    uint64_t gfn, off;
    int16_t st;
    unsigned h;

    /* Below 2^52 (MAXPHYADDR) and page aligned. */
    if ((gpa & (XEN_PAGE_SIZE - 1)) || gpa >= (1ULL << 52))
        return GNTST_general_error;
    gd = domain_get(dom == DOMID_SELF ? (domid_t)mapper->domid : dom);
    if (!gd)
        return GNTST_bad_domain;
    pthread_mutex_lock(&gnttab_lock);
    h = handle_take();
    if (h == 0) {
        st = GNTST_no_space;
        goto out;
    }
    if (!gpa_free(mapper, gpa)) {
        handle_give(h);
        st = GNTST_general_error; /* over RAM or another map */
        goto out;
    }
    st = acquire(gd, ref, (domid_t)mapper->domid, readonly, &page, &gfn);
    if (st != GNTST_okay) {
        release(gd, ref);
        handle_give(h);
        goto out;
    }
    void *hva = MAP_FAILED;
    uint32_t slot = free_slot(mapper);
    if (guest_mem_offset(&gd->mem, gfn << XEN_PAGE_SHIFT, &off) == 0)
        hva = mmap(NULL, XEN_PAGE_SIZE, readonly ? PROT_READ : PROT_READ | PROT_WRITE,
                   MAP_SHARED, gd->mem.memfd, (off_t)off);
    struct kvm_userspace_memory_region r = {
        .slot = slot, .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa, .memory_size = XEN_PAGE_SIZE,
        .userspace_addr = (uint64_t)(uintptr_t)hva,
    };
    if (hva == MAP_FAILED || ioctl(mapper->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
        if (hva != MAP_FAILED)
            munmap(hva, XEN_PAGE_SIZE);
        release(gd, ref);
        handle_give(h);
        st = GNTST_general_error;
        goto out;
    }
    count_map(gd, ref, readonly);
    maps[h] = (struct dom0_map){ .used = true, .readonly = readonly, .dom = (domid_t)gd->domid,
                                 .ref = ref, .mapper = (domid_t)mapper->domid, .slot = slot,
                                 .gpa = gpa, .hva = hva };
    *handle = h;
out:
    pthread_mutex_unlock(&gnttab_lock);
    domain_put(gd);
    return st;
}

/* Drop a guest map: its memslot (if the VM still runs), pvhv's mapping,
 * the granter's marks. Call with gnttab_lock. */
static void drop_guest_map(struct domain *mapper, unsigned h)
{
    if (mapper) {
        struct kvm_userspace_memory_region r = { .slot = maps[h].slot,
                                                 .guest_phys_addr = maps[h].gpa };
        ioctl(mapper->vm_fd, KVM_SET_USER_MEMORY_REGION, &r); /* size 0: delete */
    }
    munmap(maps[h].hva, XEN_PAGE_SIZE);
    drop(h);
}

int16_t gnttab_guest_unmap(struct domain *mapper, uint64_t gpa, uint32_t handle)
{
    int16_t st = GNTST_okay;

    pthread_mutex_lock(&gnttab_lock);
    if (handle == 0 || handle >= DOM0_MAPS || !maps[handle].used ||
        maps[handle].mapper != mapper->domid)
        st = GNTST_bad_handle;
    else if (maps[handle].gpa != gpa)
        st = GNTST_general_error; /* as Xen: the address must match */
    else
        drop_guest_map(mapper, handle);
    pthread_mutex_unlock(&gnttab_lock);
    return st;
}

void gnttab_guest_release(struct domain *mapper)
{
    pthread_mutex_lock(&gnttab_lock);
    for (unsigned h = 1; h < DOM0_MAPS; h++)
        if (maps[h].used && maps[h].mapper != 0 && maps[h].mapper == mapper->domid)
            drop_guest_map(NULL, h);
    pthread_mutex_unlock(&gnttab_lock);
}
