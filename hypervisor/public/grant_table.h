/* SPDX-License-Identifier: MIT */
/*
 * grant_table.h: grant tables, how a domain lets another domain map or
 * copy its pages: the v1 entry format and grant_table_op(cmd, uop, count).
 *
 * pvhv implements grant tables of version 1 only, and the ops Xen offers
 * to PVH and HVM guests: GNTTABOP_map_grant_ref, unmap_grant_ref,
 * setup_table, copy, query_size, set_version (version 1 only),
 * get_version and swap_grant_ref. Every other op answers -ENOSYS, as Xen
 * answers it to a PVH guest: dump_table, transfer, unmap_and_replace,
 * get_status_frames, cache_flush. Version 2 entry layouts are omitted.
 *
 * grant_table_op(cmd, uop, count): `uop` is the guest address of an array
 * of `count` structs of op `cmd`. Returns 0 once every element was
 * processed; each element's own result is in its `status` field
 * (GNTST_*), so check them all. A negative Xen errno means the call itself
 * failed: -EFAULT (array unreadable), -EINVAL (setup_table and query_size
 * take count == 1 only), -ENOSYS (op not offered).
 *
 * A table is an array of struct grant_entry_v1 filling one or more
 * frames (512 entries a frame), shared between the granting domain and
 * pvhv. A PVH guest places frame i at a guest frame of its choice with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx = i) (memory.h).
 */
#ifndef PVHV_PUBLIC_GRANT_TABLE_H
#define PVHV_PUBLIC_GRANT_TABLE_H

#include "xen.h"

/* Index of an entry in a domain's grant table. */
typedef uint32_t grant_ref_t;

/* A mapping made by GNTTABOP_map_grant_ref, to pass to the unmap. */
typedef uint32_t grant_handle_t;

/* ------------------------------------------------------------------------
 * Grant entries (version 1)
 *
 * Granting: the granter writes `domid` and `frame`, then a write barrier,
 * then `flags` (type GTF_permit_access plus any subflags). The entry is
 * live from the moment `flags` holds a type.
 *
 * pvhv writes GTF_reading and GTF_writing into `flags` while the grantee
 * uses the entry: GTF_writing while a writable mapping exists or a copy
 * writes into the page, GTF_reading while any mapping exists or any copy
 * uses it. pvhv clears them when the last such use ends, including when
 * the grantee unmaps, or dies. It takes an entry with an atomic
 * compare-exchange of `flags` and `domid` together, so an entry changed
 * meanwhile is never taken. The granter must therefore change `flags`
 * only with atomic 16-bit operations.
 *
 * Revoking (Xen's rule, kept by pvhv): a grant cannot be revoked while
 * GTF_reading or GTF_writing is set. The granter reads `flags`, checks
 * that neither bit is set, and compare-exchanges `flags` from that value
 * to 0 (GTF_invalid). If the exchange fails, the grantee is using the
 * page: the granter must wait until the grantee unmaps; pvhv offers no
 * way to force it. Only after a successful exchange may the page be
 * reused.
 * Read-only: to make a grant read-only, compare-exchange GTF_readonly
 * into `flags` while GTF_writing is clear; to make it writable again,
 * clear GTF_readonly with an atomic bit operation.
 * ------------------------------------------------------------------------ */
struct grant_entry_v1 {
    uint16_t flags; /* GTF_*: the granter writes; pvhv sets/clears
                       GTF_reading and GTF_writing */
    domid_t domid;  /* the granter writes: the domain granted access */
    uint32_t frame; /* the granter writes: its guest frame (GFN) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
PVHV_ABI_SIZE(struct grant_entry_v1, 8);
PVHV_ABI_OFFSET(struct grant_entry_v1, flags, 0);
PVHV_ABI_OFFSET(struct grant_entry_v1, domid, 2);
PVHV_ABI_OFFSET(struct grant_entry_v1, frame, 4);

/*
 * The first entries are reserved for the domain builder, which may fill
 * them to grant dom0 the console and xenstore rings. A guest never uses
 * refs below GNTTAB_NR_RESERVED_ENTRIES for its own grants.
 */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0 /* the console ring page */
#define GNTTAB_RESERVED_XENSTORE   1 /* the xenstore ring page */

/* Entry type: flags & GTF_type_mask. */
#define GTF_invalid         0x0U /* grants nothing */
#define GTF_permit_access   0x1U /* `domid` may map and copy `frame` */
#define GTF_accept_transfer 0x2U /* for GNTTABOP_transfer: unused by pvhv */
#define GTF_transitive      0x3U /* version 2 only: refused by pvhv */
#define GTF_type_mask       0x3U

/* Subflags of GTF_permit_access, by bit number and value. */
#define _GTF_readonly  2       /* granter: read-only access only */
#define GTF_readonly   0x0004U
#define _GTF_reading   3       /* pvhv: in use for reading */
#define GTF_reading    0x0008U
#define _GTF_writing   4       /* pvhv: in use for writing */
#define GTF_writing    0x0010U
#define _GTF_PWT       5       /* granter: x86 cache attribute bit PWT */
#define GTF_PWT        0x0020U
#define _GTF_PCD       6       /* granter: x86 cache attribute bit PCD */
#define GTF_PCD        0x0040U
#define _GTF_PAT       7       /* granter: x86 cache attribute bit PAT */
#define GTF_PAT        0x0080U
#define _GTF_sub_page  8       /* version 2 only: copy from a sub-range */
#define GTF_sub_page   0x0100U
/*
 * A PVH mapper cannot honour cache attributes: on Xen and on pvhv a grant
 * with GTF_PWT, GTF_PCD or GTF_PAT set fails to map (GNTST_general_error).
 */

/* Subflags of GTF_accept_transfer (GNTTABOP_transfer; unused by pvhv). */
#define _GTF_transfer_committed 2 /* Xen: committed to the transfer */
#define GTF_transfer_committed  0x0004U
#define _GTF_transfer_completed 3 /* Xen: `frame` holds the new page */
#define GTF_transfer_completed  0x0008U

/* ------------------------------------------------------------------------
 * Grant table operations (cmd of grant_table_op). Never reused.
 * ------------------------------------------------------------------------ */
#define GNTTABOP_map_grant_ref     0  /* [pvhv] */
#define GNTTABOP_unmap_grant_ref   1  /* [pvhv] */
#define GNTTABOP_setup_table       2  /* [pvhv] */
#define GNTTABOP_dump_table        3  /* -ENOSYS (as Xen for PVH) */
#define GNTTABOP_transfer          4  /* -ENOSYS (PV only on Xen) */
#define GNTTABOP_copy              5  /* [pvhv] */
#define GNTTABOP_query_size        6  /* [pvhv] */
#define GNTTABOP_unmap_and_replace 7  /* -ENOSYS (as Xen for PVH) */
#define GNTTABOP_set_version       8  /* [pvhv] version 1 only */
#define GNTTABOP_get_status_frames 9  /* -ENOSYS (version 2 only) */
#define GNTTABOP_get_version       10 /* [pvhv] */
#define GNTTABOP_swap_grant_ref    11 /* [pvhv] */
#define GNTTABOP_cache_flush       12 /* -ENOSYS (as Xen for PVH) */

/* Per-element results (the `status` fields). All errors are negative. */
#define GNTST_okay              (0)   /* success */
#define GNTST_general_error     (-1)  /* any error not listed below */
#define GNTST_bad_domain        (-2)  /* no such domain */
#define GNTST_bad_gntref        (-3)  /* ref out of range, or its entry
                                         grants nothing to the caller */
#define GNTST_bad_handle        (-4)  /* unknown mapping handle */
#define GNTST_bad_virt_addr     (-5)  /* unusable host_addr */
#define GNTST_bad_dev_addr      (-6)  /* unusable dev_bus_addr */
#define GNTST_no_device_space   (-7)  /* no room in the IOMMU */
#define GNTST_permission_denied (-8)  /* not allowed, e.g. writing a
                                         GTF_readonly grant */
#define GNTST_bad_page          (-9)  /* the frame is unusable */
#define GNTST_bad_copy_arg      (-10) /* copy crosses a page boundary */
#define GNTST_address_too_big   (-11) /* transfer: address too large */
#define GNTST_eagain            (-12) /* not done; retry later */
#define GNTST_no_space          (-13) /* out of mapping handles */

/* Flags of gnttab_map_grant_ref.flags, by bit number and value. */
#define _GNTMAP_device_map      0  /* map for device DMA */
#define GNTMAP_device_map       0x1
#define _GNTMAP_host_map        1  /* map for the CPU at host_addr */
#define GNTMAP_host_map         0x2
#define _GNTMAP_readonly        2  /* map read-only */
#define GNTMAP_readonly         0x4
#define _GNTMAP_application_map 3  /* PV only: user-accessible mapping */
#define GNTMAP_application_map  0x8
#define _GNTMAP_contains_pte    4  /* PV only: host_addr is a PTE address */
#define GNTMAP_contains_pte     0x10
/* PV only: bits 16..31 go into the PTE's software-available bits. */
#define _GNTMAP_guest_avail0    16
#define GNTMAP_guest_avail_mask 0xFFFF0000U

/* ------------------------------------------------------------------------
 * GNTTABOP_map_grant_ref: map entry `ref` of domain `dom`'s table.
 *
 * 1. PVH (any translated guest, on Xen too): `flags` must be
 *    GNTMAP_host_map, optionally with GNTMAP_readonly. GNTMAP_device_map,
 *    GNTMAP_application_map or GNTMAP_contains_pte give
 *    GNTST_general_error; neither host_map nor device_map gives
 *    GNTST_bad_gntref. `host_addr` is a page-aligned guest physical
 *    address: the granted page appears there, replacing what was mapped
 *    at that frame. dev_bus_addr is not written.
 * 2. Status: GNTST_bad_domain (no domain `dom`; DOMID_SELF is not
 *    accepted), GNTST_bad_gntref (ref out of range, or the entry is not
 *    GTF_permit_access to the caller), GNTST_permission_denied (writable
 *    map of a GTF_readonly grant), GNTST_no_space (no free handle).
 * 3. On success pvhv sets GTF_reading, and GTF_writing unless read-only,
 *    in the granter's entry until the mapping is unmapped.
 * ------------------------------------------------------------------------ */
struct gnttab_map_grant_ref {
    uint64_t host_addr;     /* IN: where to map (guest physical on PVH) */
    uint32_t flags;         /* IN: GNTMAP_* */
    grant_ref_t ref;        /* IN: entry in the granter's table */
    domid_t dom;            /* IN: the granting domain */
    int16_t status;         /* OUT: GNTST_* */
    grant_handle_t handle;  /* OUT: the mapping, for the unmap */
    uint64_t dev_bus_addr;  /* OUT: GNTMAP_device_map only (not on PVH) */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_map_grant_ref_t);
PVHV_ABI_SIZE(struct gnttab_map_grant_ref, 32);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, host_addr, 0);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, flags, 8);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, dom, 16);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
PVHV_ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

/* ------------------------------------------------------------------------
 * GNTTABOP_unmap_grant_ref: undo the mapping `handle`.
 *
 * 1. `host_addr` must be the address given to the map (0 to skip the host
 *    mapping); `dev_bus_addr` 0 on PVH.
 * 2. Status: GNTST_bad_handle (unknown handle), GNTST_general_error
 *    (host_addr does not match the handle).
 * 3. When the last mapping of an entry goes, pvhv clears GTF_reading and
 *    GTF_writing in the granter's entry. The frame at host_addr is left
 *    empty. No stale access remains once the call returns.
 * ------------------------------------------------------------------------ */
struct gnttab_unmap_grant_ref {
    uint64_t host_addr;    /* IN: address the grant was mapped at */
    uint64_t dev_bus_addr; /* IN: device address; 0 on PVH */
    grant_handle_t handle; /* IN: handle from the map */
    int16_t status;        /* OUT: GNTST_* */
    uint16_t pad0;         /* padding */
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_grant_ref_t);
PVHV_ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
PVHV_ABI_OFFSET(struct gnttab_unmap_grant_ref, dev_bus_addr, 8);
PVHV_ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
PVHV_ABI_OFFSET(struct gnttab_unmap_grant_ref, status, 20);

/* ------------------------------------------------------------------------
 * GNTTABOP_setup_table: grow domain `dom`'s table to at least `nr_frames`
 * frames and list them (count must be 1).
 *
 * 1. `dom` may be DOMID_SELF; another domain: dom0 only, else
 *    GNTST_permission_denied. Unknown: GNTST_bad_domain.
 * 2. `nr_frames` above the domain's limit (GNTTABOP_query_size's
 *    max_nr_frames): GNTST_general_error.
 * 3. pvhv writes `nr_frames` entries to `frame_list`: the guest frame at
 *    which each table frame is placed, or ~0 if the guest has not placed
 *    it. PVH guests place frames with XENMEM_add_to_physmap instead.
 * ------------------------------------------------------------------------ */
struct gnttab_setup_table {
    domid_t dom;                           /* IN: DOMID_SELF */
    uint16_t pad0;                         /* padding */
    uint32_t nr_frames;                    /* IN: frames wanted */
    int16_t status;                        /* OUT: GNTST_* */
    uint16_t pad1[3];                      /* padding */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* OUT: nr_frames frames */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);
PVHV_ABI_SIZE(struct gnttab_setup_table, 24);
PVHV_ABI_OFFSET(struct gnttab_setup_table, nr_frames, 4);
PVHV_ABI_OFFSET(struct gnttab_setup_table, status, 8);
PVHV_ABI_OFFSET(struct gnttab_setup_table, frame_list, 16);

/* GNTTABOP_dump_table: print `dom`'s table on the console (debug). -ENOSYS. */
struct gnttab_dump_table {
    domid_t dom;    /* IN: DOMID_SELF */
    int16_t status; /* OUT: GNTST_* */
};
typedef struct gnttab_dump_table gnttab_dump_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_dump_table_t);
PVHV_ABI_SIZE(struct gnttab_dump_table, 4);
PVHV_ABI_OFFSET(struct gnttab_dump_table, status, 2);

/*
 * GNTTABOP_transfer: give page `mfn` to domain `domid`, into its
 * GTF_accept_transfer entry `ref`. PV only on Xen; pvhv answers -ENOSYS.
 */
struct gnttab_transfer {
    xen_pfn_t mfn;    /* IN: the page to give away */
    domid_t domid;    /* IN: receiving domain */
    uint16_t pad0;    /* padding */
    grant_ref_t ref;  /* IN: its accept-transfer entry */
    int16_t status;   /* OUT: GNTST_* */
    uint16_t pad1[3]; /* padding */
};
typedef struct gnttab_transfer gnttab_transfer_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_transfer_t);
PVHV_ABI_SIZE(struct gnttab_transfer, 24);
PVHV_ABI_OFFSET(struct gnttab_transfer, domid, 8);
PVHV_ABI_OFFSET(struct gnttab_transfer, ref, 12);
PVHV_ABI_OFFSET(struct gnttab_transfer, status, 16);

/* ------------------------------------------------------------------------
 * GNTTABOP_copy: pvhv copies `len` bytes from `source` to `dest`.
 *
 * 1. Each side is either a grant (its GNTCOPY_*_gref flag set: `u.ref` in
 *    domain `domid`'s table) or a frame of the caller (flag clear:
 *    `u.gmfn`, a guest frame, with `domid` DOMID_SELF; another domain's
 *    frame is dom0 only, else GNTST_permission_denied).
 * 2. `offset` + `len` must stay within the page on each side, else
 *    GNTST_bad_copy_arg. The source grant needs GTF_permit_access; the
 *    destination grant also must not be GTF_readonly.
 * 3. While the copy runs pvhv sets GTF_reading in each granter's entry,
 *    and GTF_writing in the destination's, as for a mapping.
 * ------------------------------------------------------------------------ */
/* Flags of gnttab_copy.flags, by bit number and value. */
#define _GNTCOPY_source_gref 0 /* source.u is a grant ref */
#define GNTCOPY_source_gref  0x1
#define _GNTCOPY_dest_gref   1 /* dest.u is a grant ref */
#define GNTCOPY_dest_gref    0x2

/* One side of a copy. */
struct gnttab_copy_ptr {
    union {
        grant_ref_t ref; /* IN: a grant ref (GNTCOPY_*_gref set) */
        xen_pfn_t gmfn;  /* IN: a guest frame (flag clear) */
    } u;
    domid_t domid;   /* IN: domain owning the ref or frame; DOMID_SELF */
    uint16_t offset; /* IN: byte offset in the page */
    uint32_t pad0;   /* padding */
};
PVHV_ABI_SIZE(struct gnttab_copy_ptr, 16);
PVHV_ABI_OFFSET(struct gnttab_copy_ptr, domid, 8);
PVHV_ABI_OFFSET(struct gnttab_copy_ptr, offset, 10);

struct gnttab_copy {
    struct gnttab_copy_ptr source; /* IN: where to read */
    struct gnttab_copy_ptr dest;   /* IN: where to write */
    uint16_t len;                  /* IN: bytes to copy */
    uint16_t flags;                /* IN: GNTCOPY_* */
    int16_t status;                /* OUT: GNTST_* */
    uint16_t pad0;                 /* padding */
};
typedef struct gnttab_copy gnttab_copy_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_copy_t);
PVHV_ABI_SIZE(struct gnttab_copy, 40);
PVHV_ABI_OFFSET(struct gnttab_copy, dest, 16);
PVHV_ABI_OFFSET(struct gnttab_copy, len, 32);
PVHV_ABI_OFFSET(struct gnttab_copy, flags, 34);
PVHV_ABI_OFFSET(struct gnttab_copy, status, 36);

/* ------------------------------------------------------------------------
 * GNTTABOP_query_size: current and maximum size of `dom`'s table, in
 * frames (count must be 1). `dom` may be DOMID_SELF; another domain: dom0
 * only (GNTST_permission_denied); unknown: GNTST_bad_domain.
 * ------------------------------------------------------------------------ */
struct gnttab_query_size {
    domid_t dom;            /* IN: DOMID_SELF */
    uint16_t pad0;          /* padding */
    uint32_t nr_frames;     /* OUT: frames now */
    uint32_t max_nr_frames; /* OUT: the domain's limit */
    int16_t status;         /* OUT: GNTST_* */
    uint16_t pad1;          /* padding */
};
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);
PVHV_ABI_SIZE(struct gnttab_query_size, 16);
PVHV_ABI_OFFSET(struct gnttab_query_size, nr_frames, 4);
PVHV_ABI_OFFSET(struct gnttab_query_size, max_nr_frames, 8);
PVHV_ABI_OFFSET(struct gnttab_query_size, status, 12);

/*
 * GNTTABOP_unmap_and_replace: unmap `handle` and point `host_addr` at
 * `new_addr`'s page instead. Xen refuses it to PVH guests; pvhv answers
 * -ENOSYS.
 */
struct gnttab_unmap_and_replace {
    uint64_t host_addr;    /* IN: address the grant was mapped at */
    uint64_t new_addr;     /* IN: page to put there instead */
    grant_handle_t handle; /* IN: handle from the map */
    int16_t status;        /* OUT: GNTST_* */
    uint16_t pad0;         /* padding */
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_and_replace_t);
PVHV_ABI_SIZE(struct gnttab_unmap_and_replace, 24);
PVHV_ABI_OFFSET(struct gnttab_unmap_and_replace, new_addr, 8);
PVHV_ABI_OFFSET(struct gnttab_unmap_and_replace, handle, 16);
PVHV_ABI_OFFSET(struct gnttab_unmap_and_replace, status, 20);

/* ------------------------------------------------------------------------
 * GNTTABOP_set_version: choose the caller's entry format. Returns a
 * negative errno, not a status; `version` is rewritten with the version
 * in effect afterwards, even on failure.
 *
 * 1. 1: returns 0 (already in effect).
 * 2. 2: -ENOSYS, exactly as Xen answers when version 2 is disabled for
 *    the domain ("behave as before set_version existed").
 * 3. Any other value: -EINVAL.
 * ------------------------------------------------------------------------ */
struct gnttab_set_version {
    uint32_t version; /* IN: version wanted; OUT: version in effect */
};
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);
PVHV_ABI_SIZE(struct gnttab_set_version, 4);
PVHV_ABI_OFFSET(struct gnttab_set_version, version, 0);

/*
 * GNTTABOP_get_status_frames: list the status frames of a version 2
 * table. pvhv has no version 2 and answers -ENOSYS.
 */
struct gnttab_get_status_frames {
    uint32_t nr_frames;                    /* IN: room in frame_list */
    domid_t dom;                           /* IN: DOMID_SELF */
    int16_t status;                        /* OUT: GNTST_* */
    XEN_GUEST_HANDLE(uint64_t) frame_list; /* OUT: the frames */
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_status_frames_t);
PVHV_ABI_SIZE(struct gnttab_get_status_frames, 16);
PVHV_ABI_OFFSET(struct gnttab_get_status_frames, dom, 4);
PVHV_ABI_OFFSET(struct gnttab_get_status_frames, status, 6);
PVHV_ABI_OFFSET(struct gnttab_get_status_frames, frame_list, 8);

/* ------------------------------------------------------------------------
 * GNTTABOP_get_version: the entry format of `dom`'s table (always 1 on
 * pvhv). Returns a negative errno, not a status: -ESRCH for an unknown
 * domain, -EPERM for another domain unless the caller is dom0.
 * ------------------------------------------------------------------------ */
struct gnttab_get_version {
    domid_t dom;      /* IN: DOMID_SELF */
    uint16_t pad;     /* padding */
    uint32_t version; /* OUT: 1 */
};
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);
PVHV_ABI_SIZE(struct gnttab_get_version, 8);
PVHV_ABI_OFFSET(struct gnttab_get_version, pad, 2);
PVHV_ABI_OFFSET(struct gnttab_get_version, version, 4);

/* ------------------------------------------------------------------------
 * GNTTABOP_swap_grant_ref: swap entries `ref_a` and `ref_b` of the
 * caller's table. Status: GNTST_bad_gntref if either is out of range,
 * GNTST_eagain if either is in use (mapped or being copied). Equal refs
 * succeed without change.
 * ------------------------------------------------------------------------ */
struct gnttab_swap_grant_ref {
    grant_ref_t ref_a; /* IN: first entry */
    grant_ref_t ref_b; /* IN: second entry */
    int16_t status;    /* OUT: GNTST_* */
    uint16_t pad0;     /* padding */
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_swap_grant_ref_t);
PVHV_ABI_SIZE(struct gnttab_swap_grant_ref, 12);
PVHV_ABI_OFFSET(struct gnttab_swap_grant_ref, ref_b, 4);
PVHV_ABI_OFFSET(struct gnttab_swap_grant_ref, status, 8);

/*
 * GNTTABOP_cache_flush: clean or invalidate the data cache over part of a
 * granted page (for non-coherent devices). Xen refuses it to PVH guests;
 * pvhv answers -ENOSYS.
 */
#define GNTTAB_CACHE_CLEAN       0x1U        /* write back */
#define GNTTAB_CACHE_INVAL       0x2U        /* invalidate */
#define GNTTAB_CACHE_SOURCE_GREF 0x80000000U /* `a` is a grant ref */

struct gnttab_cache_flush {
    union {
        uint64_t dev_bus_addr; /* IN: page by device address */
        grant_ref_t ref;       /* IN: page by grant (SOURCE_GREF) */
    } a;
    uint16_t offset; /* IN: start within the page */
    uint16_t length; /* IN: bytes */
    uint32_t op;     /* IN: GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_cache_flush_t);
PVHV_ABI_SIZE(struct gnttab_cache_flush, 16);
PVHV_ABI_OFFSET(struct gnttab_cache_flush, offset, 8);
PVHV_ABI_OFFSET(struct gnttab_cache_flush, length, 10);
PVHV_ABI_OFFSET(struct gnttab_cache_flush, op, 12);

#endif /* PVHV_PUBLIC_GRANT_TABLE_H */
