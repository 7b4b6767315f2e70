/* SPDX-License-Identifier: MIT */
/*
 * memory.h: memory_op(cmd, arg): a domain's memory map, its reservation
 * and where pvhv's pages (shared_info, grant table) appear in it.
 *
 * pvhv implements XENMEM_memory_map, XENMEM_add_to_physmap for
 * XENMAPSPACE_shared_info and XENMAPSPACE_grant_table,
 * XENMEM_maximum_ram_page and XENMEM_current_reservation. The reservation
 * ops (XENMEM_increase_reservation, XENMEM_decrease_reservation,
 * XENMEM_populate_physmap) come with ballooning; until then they answer
 * -ENOSYS, as does every other op. Layouts pvhv does not use yet are
 * declared when cheap, so that guest code written for Xen compiles.
 *
 * memory_op(cmd, arg): `cmd` is a XENMEM_* number, `arg` the guest
 * address of that op's struct (or nothing, where noted). Xen keeps its
 * own continuation state in bits 6 and up of `cmd`; a guest passes them
 * as 0. Returns a value >= 0 described per op, or a negative Xen errno:
 * -EFAULT (`arg` unreadable), -ENOSYS (op not implemented), -ESRCH (no
 * such domain), -EPERM (a domain other than the caller's, unless the
 * caller is dom0).
 */
#ifndef PVHV_PUBLIC_MEMORY_H
#define PVHV_PUBLIC_MEMORY_H

#include "xen.h"

/* ------------------------------------------------------------------------
 * Memory operations (cmd of memory_op). Numbers are Xen's and never
 * reused; 8 is retired. [pvhv] marks the implemented ones.
 * ------------------------------------------------------------------------ */
#define XENMEM_increase_reservation        0  /* ballooning: -ENOSYS now */
#define XENMEM_decrease_reservation        1  /* ballooning: -ENOSYS now */
#define XENMEM_maximum_ram_page            2  /* [pvhv] */
#define XENMEM_current_reservation         3  /* [pvhv] */
#define XENMEM_maximum_reservation         4  /* domain's page limit */
#define XENMEM_machphys_mfn_list           5  /* PV only: M2P table frames */
#define XENMEM_populate_physmap            6  /* ballooning: -ENOSYS now */
#define XENMEM_add_to_physmap              7  /* [pvhv] two spaces */
#define XENMEM_memory_map                  9  /* [pvhv] */
#define XENMEM_machine_memory_map          10 /* host map; Xen: -ENOSYS
                                                 to PVH guests */
#define XENMEM_exchange                    11 /* PV only */
#define XENMEM_machphys_mapping            12 /* PV only: M2P address */
#define XENMEM_set_memory_map              13 /* toolstack: set a map */
#define XENMEM_maximum_gpfn                14 /* highest frame in use */
#define XENMEM_remove_from_physmap         15 /* undo add_to_physmap */
#define XENMEM_set_pod_target              16 /* populate-on-demand */
#define XENMEM_get_pod_target              17 /* populate-on-demand */
#define XENMEM_get_sharing_freed_pages     18 /* memory sharing */
#define XENMEM_get_sharing_shared_pages    19 /* memory sharing */
#define XENMEM_paging_op                   20 /* memory paging */
#define XENMEM_access_op                   21 /* memory access events */
#define XENMEM_sharing_op                  22 /* memory sharing */
#define XENMEM_add_to_physmap_batch        23 /* batched add_to_physmap */
#define XENMEM_claim_pages                 24 /* toolstack: claim memory */
#define XENMEM_machphys_compat_mfn_list    25 /* PV only */
#define XENMEM_get_vnumainfo               26 /* virtual NUMA layout */
#define XENMEM_reserved_device_memory_map  27 /* reserved device ranges */
#define XENMEM_acquire_resource            28 /* map another's resource */

/* ------------------------------------------------------------------------
 * XENMEM_increase_reservation, XENMEM_decrease_reservation,
 * XENMEM_populate_physmap: grow or shrink a domain by extents of
 * 2^extent_order pages. Return the number of extents done (fewer than
 * nr_extents on partial failure). Not implemented yet: -ENOSYS.
 *
 * 1. A balloon driver on a translated guest (PVH) returns pages with
 *    decrease_reservation (extent_start lists its guest frames) and gets
 *    them back with populate_physmap (extent_start lists the guest
 *    frames to fill). increase_reservation returns machine frames and is
 *    of no use to PVH.
 * 2. `domid` other than DOMID_SELF: dom0 only.
 * ------------------------------------------------------------------------ */
/* mem_flags: bits 0..7 limit the address width of the pages (0: none). */
#define XENMEMF_address_bits(bits)   (bits)
#define XENMEMF_get_address_bits(f)  ((f) & 0xFFU)
/* mem_flags: bits 8..15 hold NUMA node + 1 (0: any node). */
#define XENMEMF_node(node)           (((node) + 1) << 8)
#define XENMEMF_get_node(f)          ((((f) >> 8) - 1) & 0xFFU)
/* Fill with populate-on-demand entries instead of pages. */
#define XENMEMF_populate_on_demand   0x10000
/* Take pages from the node given by XENMEMF_node only. */
#define XENMEMF_exact_node_request   0x20000
#define XENMEMF_exact_node(node) \
    (XENMEMF_node(node) | XENMEMF_exact_node_request)
/* The node given by XENMEMF_node is a virtual (vNUMA) node. */
#define XENMEMF_vnode                0x40000

struct xen_memory_reservation {
    /* IN or OUT by op: frame of each extent (see note 1). */
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents; /* IN: number of extents */
    uint32_t extent_order;  /* IN: log2 of pages per extent */
    uint32_t mem_flags;     /* IN: XENMEMF_* */
    domid_t domid;          /* IN: domain to change; DOMID_SELF */
    uint16_t pad0[3];       /* padding */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);
PVHV_ABI_SIZE(struct xen_memory_reservation, 32);
PVHV_ABI_OFFSET(struct xen_memory_reservation, extent_start, 0);
PVHV_ABI_OFFSET(struct xen_memory_reservation, nr_extents, 8);
PVHV_ABI_OFFSET(struct xen_memory_reservation, extent_order, 16);
PVHV_ABI_OFFSET(struct xen_memory_reservation, mem_flags, 20);
PVHV_ABI_OFFSET(struct xen_memory_reservation, domid, 24);

/* ------------------------------------------------------------------------
 * XENMEM_maximum_ram_page (no argument): Xen returns one more than the
 * highest machine frame of RAM, and never fails. A PVH guest sees no
 * machine frames; pvhv returns one more than the highest RAM frame of
 * the calling domain, so the value stays an upper bound on any frame
 * the guest can own.
 * ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------
 * XENMEM_current_reservation, XENMEM_maximum_reservation,
 * XENMEM_maximum_gpfn: a number about domain `domid`, returned as the
 * result: pages it now holds, its page limit, its highest guest frame in
 * use. pvhv implements current_reservation only: the RAM pages pvhv gave
 * the domain. `domid` may be DOMID_SELF; another domain: dom0 only
 * (-EPERM); unknown: -ESRCH.
 * ------------------------------------------------------------------------ */
struct xen_memory_domain {
    domid_t domid; /* IN: domain to query; DOMID_SELF */
};
PVHV_ABI_SIZE(struct xen_memory_domain, 2);
PVHV_ABI_OFFSET(struct xen_memory_domain, domid, 0);

/*
 * XENMEM_machphys_mfn_list: list the machine frames holding Xen's M2P
 * table. PV only; pvhv answers -ENOSYS.
 */
struct xen_machphys_mfn_list {
    uint32_t max_extents; /* IN: room in extent_start */
    uint32_t pad0;        /* padding */
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start; /* OUT: one frame per 2 MiB */
    uint32_t nr_extents;  /* OUT: entries written */
    uint32_t pad1;        /* padding */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);
PVHV_ABI_SIZE(struct xen_machphys_mfn_list, 24);
PVHV_ABI_OFFSET(struct xen_machphys_mfn_list, extent_start, 8);
PVHV_ABI_OFFSET(struct xen_machphys_mfn_list, nr_extents, 16);

/* ------------------------------------------------------------------------
 * XENMEM_add_to_physmap: make page `idx` of space `space` appear at guest
 * frame `gpfn` of domain `domid`. Returns 0 or a negative errno.
 *
 * 1. `domid` may be DOMID_SELF; another domain: dom0 only (-EPERM);
 *    unknown: -ESRCH.
 * 2. XENMAPSPACE_shared_info: `idx` must be 0 (else -EINVAL). Calling
 *    again moves the page; its old frame is left empty.
 * 3. XENMAPSPACE_grant_table: `idx` is the table frame number; the table
 *    grows to idx + 1 frames if needed. -EINVAL at or above the domain's
 *    limit (GNTTABOP_query_size's max_nr_frames), and for
 *    XENMAPIDX_grant_table_status, since pvhv has version 1 tables only.
 * 4. Whatever was at `gpfn` before is replaced: as on Xen, a RAM page
 *    there is taken from the guest; a guest picks a frame it can spare.
 * 5. Other spaces: pvhv answers -ENOSYS.
 * ------------------------------------------------------------------------ */
#define XENMAPSPACE_shared_info  0 /* [pvhv] the shared_info page */
#define XENMAPSPACE_grant_table  1 /* [pvhv] a grant table frame */
#define XENMAPSPACE_gmfn         2 /* move one of the guest's own frames */
#define XENMAPSPACE_gmfn_range   3 /* `size` such frames (add_to_physmap) */
#define XENMAPSPACE_gmfn_foreign 4 /* another domain's frame (batch only) */
#define XENMAPSPACE_dev_mmio     5 /* device MMIO (Arm only) */

/* Set in `idx` with XENMAPSPACE_grant_table: a status frame (v2 only). */
#define XENMAPIDX_grant_table_status 0x80000000U

struct xen_add_to_physmap {
    domid_t domid;  /* IN: domain whose physmap changes; DOMID_SELF */
    uint16_t size;  /* IN: XENMAPSPACE_gmfn_range only: pages */
    uint32_t space; /* IN: XENMAPSPACE_* */
    xen_ulong_t idx; /* IN: page within the space */
    xen_pfn_t gpfn; /* IN: guest frame to place it at */
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);
PVHV_ABI_SIZE(struct xen_add_to_physmap, 24);
PVHV_ABI_OFFSET(struct xen_add_to_physmap, domid, 0);
PVHV_ABI_OFFSET(struct xen_add_to_physmap, size, 2);
PVHV_ABI_OFFSET(struct xen_add_to_physmap, space, 4);
PVHV_ABI_OFFSET(struct xen_add_to_physmap, idx, 8);
PVHV_ABI_OFFSET(struct xen_add_to_physmap, gpfn, 16);

/*
 * XENMEM_add_to_physmap_batch: add_to_physmap for `size` pages at once,
 * with an error code per page. pvhv answers -ENOSYS; layout only.
 */
struct xen_add_to_physmap_batch {
    domid_t domid;  /* IN: domain whose physmap changes; DOMID_SELF */
    uint16_t space; /* IN: XENMAPSPACE_* */
    uint16_t size;  /* IN: number of pages */
    union xen_add_to_physmap_batch_extra {
        domid_t foreign_domid; /* IN: XENMAPSPACE_gmfn_foreign: owner */
        uint16_t res0;         /* IN: other spaces: 0 */
    } u;
    XEN_GUEST_HANDLE(xen_ulong_t) idxs; /* IN: page within the space */
    XEN_GUEST_HANDLE(xen_pfn_t) gpfns;  /* IN: guest frame for each */
    XEN_GUEST_HANDLE(int) errs;         /* OUT: errno for each */
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);
PVHV_ABI_SIZE(union xen_add_to_physmap_batch_extra, 2);
PVHV_ABI_SIZE(struct xen_add_to_physmap_batch, 32);
PVHV_ABI_OFFSET(struct xen_add_to_physmap_batch, space, 2);
PVHV_ABI_OFFSET(struct xen_add_to_physmap_batch, size, 4);
PVHV_ABI_OFFSET(struct xen_add_to_physmap_batch, u, 6);
PVHV_ABI_OFFSET(struct xen_add_to_physmap_batch, idxs, 8);
PVHV_ABI_OFFSET(struct xen_add_to_physmap_batch, gpfns, 16);
PVHV_ABI_OFFSET(struct xen_add_to_physmap_batch, errs, 24);

/*
 * XENMEM_remove_from_physmap: empty guest frame `gpfn` of domain `domid`
 * (the page there leaves the physmap). pvhv answers -ENOSYS.
 */
struct xen_remove_from_physmap {
    domid_t domid;    /* IN: domain whose physmap changes; DOMID_SELF */
    uint16_t pad0[3]; /* padding */
    xen_pfn_t gpfn;   /* IN: guest frame to empty */
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);
PVHV_ABI_SIZE(struct xen_remove_from_physmap, 16);
PVHV_ABI_OFFSET(struct xen_remove_from_physmap, domid, 0);
PVHV_ABI_OFFSET(struct xen_remove_from_physmap, gpfn, 8);

/* ------------------------------------------------------------------------
 * XENMEM_memory_map: the caller's guest physical memory map, as pvhv
 * built it when it created the domain. Returns 0 or a negative errno.
 *
 * 1. `buffer` receives e820 entries, as BIOS INT 15h AX=E820h returns
 *    them: 20 bytes each with no padding between entries: base address
 *    (uint64_t at byte 0), length in bytes (uint64_t at 8), type
 *    (uint32_t at 16: 1 RAM, 2 reserved, 3 ACPI tables, 4 ACPI NVS,
 *    5 unusable). The entries are not 8-byte aligned: read them as
 *    bytes, or with a packed struct.
 * 2. `nr_entries` holds the room in `buffer` on entry and the number of
 *    entries written on return. A map longer than the room is cut short
 *    without error, as on Xen.
 * 3. XENMEM_machine_memory_map (the host's map, same struct) and
 *    XENMEM_set_memory_map (the toolstack's way to set a domain's map)
 *    answer -ENOSYS.
 * ------------------------------------------------------------------------ */
struct xen_memory_map {
    uint32_t nr_entries;           /* IN: room; OUT: entries written */
    uint32_t pad0;                 /* padding */
    XEN_GUEST_HANDLE(void) buffer; /* OUT: the e820 entries */
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);
PVHV_ABI_SIZE(struct xen_memory_map, 16);
PVHV_ABI_OFFSET(struct xen_memory_map, nr_entries, 0);
PVHV_ABI_OFFSET(struct xen_memory_map, buffer, 8);

/* XENMEM_set_memory_map's argument: domain `domid` gets map `map`. */
struct xen_foreign_memory_map {
    domid_t domid;         /* IN: domain whose map is set */
    uint16_t pad0[3];      /* padding */
    struct xen_memory_map map; /* IN: its entries */
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);
PVHV_ABI_SIZE(struct xen_foreign_memory_map, 24);
PVHV_ABI_OFFSET(struct xen_foreign_memory_map, map, 8);

#endif /* PVHV_PUBLIC_MEMORY_H */
