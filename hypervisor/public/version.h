/* SPDX-License-Identifier: MIT */
/*
 * version.h: sub-ops of xen_version(cmd, arg): version strings, build
 * information and the feature bitmap.
 *
 * pvhv implements every sub-op below. It reports itself as the Xen
 * interface version it follows (4.17), so guest version checks pass; the
 * strings say "pvhv" where Xen would put its own build details. A cmd
 * above XENVER_build_id answers -ENOSYS.
 *
 * 1. All sub-ops return 0 on success except XENVER_version,
 *    XENVER_pagesize and XENVER_build_id, which return a value (below).
 * 2. A buffer that cannot be written answers -EFAULT.
 * 3. XENVER_commandline and XENVER_build_id are for the control domain
 *    only; other domains get -EPERM. Every other sub-op is open to all.
 */
#ifndef PVHV_PUBLIC_VERSION_H
#define PVHV_PUBLIC_VERSION_H

#include "xen.h"

/* ------------------------------------------------------------------------
 * XENVER_version: arg is NULL. Returns (major << 16) | minor.
 * pvhv returns 0x00040011 (4.17).
 * ------------------------------------------------------------------------ */
#define XENVER_version      0

/* ------------------------------------------------------------------------
 * XENVER_extraversion: arg points to a xen_extraversion_t (OUT), filled
 * with the version suffix as a NUL-terminated string (e.g. ".0-pvhv").
 * ------------------------------------------------------------------------ */
#define XENVER_extraversion 1
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t)) /* 16 */
PVHV_ABI_SIZE(xen_extraversion_t, 16);

/* ------------------------------------------------------------------------
 * XENVER_compile_info: arg points to a struct xen_compile_info (OUT).
 * Each member is a NUL-terminated string, cut to fit.
 * ------------------------------------------------------------------------ */
#define XENVER_compile_info 2
struct xen_compile_info {
    char compiler[64];       /* OUT: compiler that built pvhv */
    char compile_by[16];     /* OUT: user who built it */
    char compile_domain[32]; /* OUT: build host's domain name */
    char compile_date[32];   /* OUT: build date */
};
typedef struct xen_compile_info xen_compile_info_t;
PVHV_ABI_SIZE(struct xen_compile_info, 144);
PVHV_ABI_OFFSET(struct xen_compile_info, compiler, 0);
PVHV_ABI_OFFSET(struct xen_compile_info, compile_by, 64);
PVHV_ABI_OFFSET(struct xen_compile_info, compile_domain, 80);
PVHV_ABI_OFFSET(struct xen_compile_info, compile_date, 112);

/* ------------------------------------------------------------------------
 * XENVER_capabilities: arg points to a xen_capabilities_info_t (OUT),
 * filled with a space-separated list of guest ABIs the hypervisor runs,
 * Xen style ("hvm-3.0-x86_64"). pvhv lists only x86_64 PVH.
 * ------------------------------------------------------------------------ */
#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t)) /* 1024 */
PVHV_ABI_SIZE(xen_capabilities_info_t, 1024);

/* ------------------------------------------------------------------------
 * XENVER_changeset: arg points to a xen_changeset_info_t (OUT), filled
 * with the source revision pvhv was built from (or "unavailable").
 * ------------------------------------------------------------------------ */
#define XENVER_changeset 4
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t)) /* 64 */
PVHV_ABI_SIZE(xen_changeset_info_t, 64);

/* ------------------------------------------------------------------------
 * XENVER_platform_parameters: arg points to a struct
 * xen_platform_parameters (OUT).
 *
 * 1. virt_start is where a PV guest's hypervisor hole begins. A PVH guest
 *    has no hole in its address space, so pvhv writes 0.
 * ------------------------------------------------------------------------ */
#define XENVER_platform_parameters 5
struct xen_platform_parameters {
    xen_ulong_t virt_start; /* OUT: start of the hypervisor hole; 0 */
};
typedef struct xen_platform_parameters xen_platform_parameters_t;
PVHV_ABI_SIZE(struct xen_platform_parameters, 8);
PVHV_ABI_OFFSET(struct xen_platform_parameters, virt_start, 0);

/* ------------------------------------------------------------------------
 * XENVER_get_features: arg points to a struct xen_feature_info (IN/OUT).
 *
 * 1. The guest names a 32-bit submap; pvhv fills in its bits, bit n being
 *    feature n of features.h (XENFEAT_*).
 * 2. submap_idx >= XENFEAT_NR_SUBMAPS answers -EINVAL.
 * ------------------------------------------------------------------------ */
#define XENVER_get_features 6
struct xen_feature_info {
    uint32_t submap_idx; /* IN: which 32-bit submap (0 only) */
    uint32_t submap;     /* OUT: its feature bits */
};
typedef struct xen_feature_info xen_feature_info_t;
PVHV_ABI_SIZE(struct xen_feature_info, 8);
PVHV_ABI_OFFSET(struct xen_feature_info, submap_idx, 0);
PVHV_ABI_OFFSET(struct xen_feature_info, submap, 4);

/* The XENFEAT_* bit numbers, as in Xen. */
#include "features.h"

/* ------------------------------------------------------------------------
 * XENVER_pagesize: arg is NULL. Returns the page size, 4096.
 * ------------------------------------------------------------------------ */
#define XENVER_pagesize 7

/* ------------------------------------------------------------------------
 * XENVER_guest_handle: arg points to a 16-byte buffer (OUT), Xen's
 * xen_domain_handle_t. pvhv copies in the domain's handle, the UUID the
 * toolstack gave the domain at creation (all zero if it gave none).
 * ------------------------------------------------------------------------ */
#define XENVER_guest_handle 8

/* ------------------------------------------------------------------------
 * XENVER_commandline: arg points to a xen_commandline_t (OUT), filled
 * with pvhv's own command line as a NUL-terminated string. Control
 * domain only (-EPERM otherwise).
 * ------------------------------------------------------------------------ */
#define XENVER_commandline 9
typedef char xen_commandline_t[1024];
PVHV_ABI_SIZE(xen_commandline_t, 1024);

/* ------------------------------------------------------------------------
 * XENVER_build_id: arg points to a struct xen_build_id (IN/OUT), or is
 * NULL.
 *
 * 1. Control domain only (-EPERM otherwise).
 * 2. With arg NULL, returns the length of the build id in bytes.
 * 3. Otherwise copies the build id (raw bytes, not a string) into buf and
 *    returns its length; len smaller than that answers -ENOBUFS.
 * 4. pvhv answers -ENODATA if it was built without a build id.
 * ------------------------------------------------------------------------ */
#define XENVER_build_id 10
struct xen_build_id {
    uint32_t len;        /* IN: bytes available in buf */
    unsigned char buf[]; /* OUT: the build id, len bytes at most */
};
typedef struct xen_build_id xen_build_id_t;
PVHV_ABI_SIZE(struct xen_build_id, 4);
PVHV_ABI_OFFSET(struct xen_build_id, buf, 4);

#endif /* PVHV_PUBLIC_VERSION_H */
