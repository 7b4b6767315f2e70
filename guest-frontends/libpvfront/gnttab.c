/* gnttab.c: the grant table (v1): placing frames, ref allocation, granting, revoking. */
#include <pvhv/memory.h>
#include <pvfront/gnttab.h>

#include "internal.h"

#define MAX_REFS (PVFRONT_GNTTAB_MAX_FRAMES * PVFRONT_GNTTAB_REFS_PER_FRAME)
#define IN_USE (GTF_reading | GTF_writing)

static uint8_t static_frames[PVFRONT_GNTTAB_STATIC_FRAMES][XEN_PAGE_SIZE]
    __attribute__((aligned(XEN_PAGE_SIZE)));

/* 0 no table, 1 being placed, 2 placed. */
static int state;
static grant_entry_v1_t *table;
static unsigned int nr_refs;
/* Bit r set: ref r handed out (the reserved refs are never set). */
static uint64_t allocated[MAX_REFS / 64];

int pvfront_gnttab_query_size(uint32_t *nr_frames, uint32_t *max_nr_frames)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    long r = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);

    if (r < 0)
        return (int)r;
    if (q.status != GNTST_okay)
        return -XEN_EIO;
    if (nr_frames)
        *nr_frames = q.nr_frames;
    if (max_nr_frames)
        *max_nr_frames = q.max_nr_frames;
    return 0;
}

static int place(uint8_t *frames, unsigned int n)
{
    uint32_t max = 0;
    int r = pvfront_gnttab_query_size(NULL, &max);

    if (r < 0)
        return r;
    if (n > max)
        return -XEN_ENOSPC;
    for (unsigned int i = 0; i < n; i++) {
        struct xen_add_to_physmap x = {
            .domid = DOMID_SELF,
            .space = XENMAPSPACE_grant_table,
            .idx = i,
            .gpfn = pvfront_gfn(frames + (size_t)i * XEN_PAGE_SIZE),
        };
        long rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x);
        if (rc < 0)
            return (int)rc;
    }
    table = (grant_entry_v1_t *)frames;
    __atomic_store_n(&nr_refs, n * (unsigned int)PVFRONT_GNTTAB_REFS_PER_FRAME, __ATOMIC_RELEASE);
    return 0;
}

int pvfront_gnttab_init(void *frames, unsigned int nr_frames)
{
    if (!frames) {
        frames = static_frames;
        if (nr_frames > PVFRONT_GNTTAB_STATIC_FRAMES)
            return -XEN_EINVAL;
    }
    if (nr_frames == 0 || nr_frames > PVFRONT_GNTTAB_MAX_FRAMES ||
        ((uintptr_t)frames & (XEN_PAGE_SIZE - 1)))
        return -XEN_EINVAL;

    int expected = 0;
    if (!__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return -XEN_EEXIST;
    int r = place(frames, nr_frames);
    /* A failed placement may be retried (frames placed so far are simply placed again). */
    __atomic_store_n(&state, r == 0 ? 2 : 0, __ATOMIC_RELEASE);
    return r;
}

unsigned int pvfront_gnttab_nr_refs(void)
{
    return __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2 ? nr_refs : 0;
}

/* The lowest free ref, marked allocated; -1 if none. */
static long alloc_ref(void)
{
    unsigned int n = pvfront_gnttab_nr_refs();

    for (unsigned int w = 0; w < n / 64; w++) {
        for (;;) {
            uint64_t bits = __atomic_load_n(&allocated[w], __ATOMIC_RELAXED);
            if (w == 0)
                bits |= (1ULL << GNTTAB_NR_RESERVED_ENTRIES) - 1;
            if (bits == ~0ULL)
                break;
            unsigned int b = (unsigned int)__builtin_ctzll(~bits);
            uint64_t m = 1ULL << b;
            if (!(__atomic_fetch_or(&allocated[w], m, __ATOMIC_ACQ_REL) & m))
                return (long)(w * 64 + b);
            /* Another CPU took it first: look again. */
        }
    }
    return -1;
}

static int is_allocated(grant_ref_t ref)
{
    return ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < pvfront_gnttab_nr_refs() &&
           ((__atomic_load_n(&allocated[ref / 64], __ATOMIC_ACQUIRE) >> (ref % 64)) & 1);
}

int pvfront_gnttab_grant_access(domid_t domid, xen_pfn_t gfn, int readonly, grant_ref_t *ref)
{
    if (gfn > UINT32_MAX)
        return -XEN_EINVAL;
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) {
        int r = pvfront_gnttab_init(NULL, 1);
        if (r < 0 && r != -XEN_EEXIST)
            return r;
        while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 1)
            pvfront__pause();
        if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
            return -XEN_ENOSYS;
    }
    long r = alloc_ref();
    if (r < 0)
        return -XEN_ENOSPC;

    grant_entry_v1_t *e = &table[r];
    __atomic_store_n(&e->domid, domid, __ATOMIC_RELAXED);
    __atomic_store_n(&e->frame, (uint32_t)gfn, __ATOMIC_RELAXED);
    /*
     * wmb: the entry is live the moment flags holds a type, so the
     * hypervisor must never see the type before the domid and frame.
     */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
    *ref = (grant_ref_t)r;
    return 0;
}

int pvfront_gnttab_end_access(grant_ref_t ref)
{
    if (!is_allocated(ref))
        return -XEN_EINVAL;

    uint16_t *flags = &table[ref].flags;
    uint16_t f = __atomic_load_n(flags, __ATOMIC_ACQUIRE);
    /*
     * Xen's rule: only a compare-exchange from a value without
     * GTF_reading/GTF_writing to 0, so a grantee that maps the page
     * between our read and our write makes the exchange fail.
     */
    do {
        if (f & IN_USE)
            return -XEN_EBUSY;
    } while (!__atomic_compare_exchange_n(flags, &f, 0, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    __atomic_fetch_and(&allocated[ref / 64], ~(1ULL << (ref % 64)), __ATOMIC_RELEASE);
    return 0;
}

int pvfront_gnttab_in_use(grant_ref_t ref)
{
    if (!is_allocated(ref))
        return -XEN_EINVAL;
    return (__atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE) & IN_USE) != 0;
}
