/* gnttab.h: grant tables v1: a domain's grant frames, the checks Xen
 * makes before a grant is used, and dom0's maps and copies. */
#ifndef PVHV_GNTTAB_H
#define PVHV_GNTTAB_H

#include <stdint.h>
#include <sys/types.h>

#include <pvhv/grant_table.h>

#include "domain.h"

/* Grant frames a domain may place, as Xen's default max_grant_frames. */
#define GNTTAB_MAX_FRAMES 32
#define GNTTAB_ENTRIES_PER_FRAME (4096 / sizeof(struct grant_entry_v1))

#define GNTTAB_MAX_REFS (GNTTAB_MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME)

struct gnttab {
    uint64_t frame_gpa[GNTTAB_MAX_FRAMES]; /* (gnttab lock) 0: not placed */
    /* (gnttab lock) live maps of each grant, and how many of them are
     * writable: what keeps its GTF_reading and GTF_writing set. */
    uint16_t ref_maps[GNTTAB_MAX_REFS];
    uint16_t ref_writable[GNTTAB_MAX_REFS];
};

int gnttab_domain_init(struct domain *d);
void gnttab_domain_destroy(struct domain *d);

/* XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx, gpfn): make the
 * guest page at gpfn grant frame idx. 0 or -EINVAL. */
int gnttab_place_frame(struct domain *d, uint64_t idx, uint64_t gpfn);

/* Frames placed so far: one past the highest placed index. */
uint32_t gnttab_nr_frames(struct domain *d);
/* The gfn of frame i, or ~0 if not placed. */
uint64_t gnttab_frame_gfn(struct domain *d, uint32_t i);

/* GNTTABOP_swap_grant_ref within d: GNTST_*. */
int16_t gnttab_swap(struct domain *d, grant_ref_t a, grant_ref_t b);

/*
 * One copy op as Xen does it: each side is either a grant (domain + ref,
 * checked to be granted to `caller`, read-only honoured) or memory of the
 * caller: a frame of guest `caller_dom` or, for dom0 (caller_dom NULL),
 * an address in process `pid`. Returns a GNTST_* status.
 */
int16_t gnttab_copy_one(domid_t caller, struct domain *caller_dom, pid_t pid,
                        const struct gnttab_copy *op);

/*
 * dom0 maps: check and take grant `ref` of domain `dom` for `owner`.
 * Returns GNTST_okay with a handle and the page's memfd offset, or a
 * GNTST_* error. The grant stays in use until unmapped.
 */
int16_t gnttab_dom0_map(int owner, struct domain *dom, grant_ref_t ref, bool readonly,
                        uint32_t *handle, uint64_t *offset);
int16_t gnttab_dom0_unmap(int owner, uint32_t handle);
void gnttab_dom0_release(int owner);

/*
 * A guest maps another domain's grant (GNTTABOP_map_grant_ref): the page
 * appears at guest-physical `gpa` of `mapper` through a memslot of its
 * own. gpa must be page aligned and outside the mapper's memory (Linux
 * PVH guests map into unpopulated address space, as here). Returns
 * GNTST_* and a handle.
 */
int16_t gnttab_guest_map(struct domain *mapper, domid_t dom, grant_ref_t ref, uint64_t gpa,
                         bool readonly, uint32_t *handle);
int16_t gnttab_guest_unmap(struct domain *mapper, uint64_t gpa, uint32_t handle);
/* The mapper is going away: drop its maps (the granters' marks). */
void gnttab_guest_release(struct domain *mapper);

#endif
