/* gnttab.h: grant tables (version 1): placing the table, granting pages, revoking grants. */
#ifndef PVFRONT_GNTTAB_H
#define PVFRONT_GNTTAB_H

#include <stdint.h>
#include <pvhv/grant_table.h>

/*
 * A grant lets one other domain map or copy one page of this domain
 * (struct grant_entry_v1 in <pvhv/grant_table.h>). The table lives in
 * frames of the kernel's own RAM that it hands to the hypervisor with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table): frame i of the table is
 * then whatever the hypervisor put at that guest frame (on pvhv, the same
 * page, zeroed when it became a frame). Those pages are the table's from
 * then on; the kernel must not use them for anything else.
 *
 * Refs 0..GNTTAB_NR_RESERVED_ENTRIES-1 belong to the domain builder and
 * are never handed out. libpvfront allocates the rest, 512 per frame.
 * Every function may run on any CPU. Errors are negative Xen errnos.
 */

/* Frames libpvfront keeps in its own .bss for pvfront_gnttab_init(NULL, n). */
#define PVFRONT_GNTTAB_STATIC_FRAMES 4
/* Most frames libpvfront manages (pvhv's limit is 32 too). */
#define PVFRONT_GNTTAB_MAX_FRAMES 32
/* Entries in one frame. */
#define PVFRONT_GNTTAB_REFS_PER_FRAME (XEN_PAGE_SIZE / sizeof(grant_entry_v1_t))

/* The guest frame number of a kernel address (libpvfront maps 1:1). */
static inline xen_pfn_t pvfront_gfn(const void *p)
{
    return (xen_pfn_t)((uintptr_t)p >> XEN_PAGE_SHIFT);
}

/*
 * pvfront_gnttab_init: place the table: nr_frames pages at `frames`
 * (page-aligned, contiguous, RAM of this domain that the kernel gives
 * up), or NULL for libpvfront's static frames (nr_frames at most
 * PVFRONT_GNTTAB_STATIC_FRAMES). Checks the hypervisor's limit
 * (GNTTABOP_query_size), then places frame i at frames + i pages. The
 * frames are not zeroed by libpvfront: the builder's reserved entries
 * stay. Returns 0; -XEN_EEXIST if already placed; -XEN_EINVAL for a bad
 * count or alignment; -XEN_ENOSPC if nr_frames exceeds the domain's
 * limit; or the hypercall's error (-XEN_ENOSYS without grant tables).
 * Called with no table, pvfront_gnttab_grant_access places one static
 * frame itself.
 */
int pvfront_gnttab_init(void *frames, unsigned int nr_frames);

/*
 * pvfront_gnttab_query_size: this domain's table size now and its limit,
 * in frames (GNTTABOP_query_size). Either pointer may be NULL.
 */
int pvfront_gnttab_query_size(uint32_t *nr_frames, uint32_t *max_nr_frames);

/* pvfront_gnttab_nr_refs: refs in the placed table (0 before init). */
unsigned int pvfront_gnttab_nr_refs(void);

/*
 * pvfront_gnttab_grant_access: let domain `domid` access guest frame
 * `gfn` (read-only if `readonly`). Writes the entry's domid and frame,
 * a write barrier, then flags = GTF_permit_access (| GTF_readonly).
 * Returns 0 and the ref in *ref; -XEN_ENOSPC when no ref is free;
 * -XEN_EINVAL if gfn does not fit the entry's 32 bits.
 */
int pvfront_gnttab_grant_access(domid_t domid, xen_pfn_t gfn, int readonly, grant_ref_t *ref);

/*
 * pvfront_gnttab_end_access: revoke `ref` and free it. Uses the
 * compare-exchange Xen requires: fails with -XEN_EBUSY, changing nothing,
 * while the grantee has the page mapped or a copy is using it
 * (GTF_reading or GTF_writing, set by the hypervisor); retry after the
 * grantee unmaps. After 0 the page is the kernel's again. -XEN_EINVAL for
 * a ref libpvfront did not hand out.
 */
int pvfront_gnttab_end_access(grant_ref_t ref);

/*
 * pvfront_gnttab_in_use: 1 if the grantee is using `ref` now (GTF_reading
 * or GTF_writing), 0 if not, -XEN_EINVAL for a ref not handed out. A
 * snapshot: end_access decides.
 */
int pvfront_gnttab_in_use(grant_ref_t ref);

#endif /* PVFRONT_GNTTAB_H */
