/* hc_xen_version.c: __HYPERVISOR_xen_version: version, features, identity. */
#include <string.h>

#include <pvhv/errno.h>
#include <pvhv/version.h>
#include <pvhv/xen.h>

#include "hypercall.h"

/* The Xen interface pvhv offers: that of Xen 4.17. */
#define PVHV_XEN_MAJOR 4
#define PVHV_XEN_MINOR 17

/* Features every pvhv guest has (submap 0). */
static const uint32_t features0 =
    (1U << XENFEAT_writable_page_tables) |
    (1U << XENFEAT_auto_translated_physmap) |
    (1U << XENFEAT_hvm_callback_vector) |
    (1U << XENFEAT_hvm_safe_pvclock) |
    (1U << XENFEAT_not_direct_mapped);

static int64_t copy_string(struct hc_ctx *c, uint64_t gva, const char *s, size_t field)
{
    char buf[1024];

    /* Xen writes the whole fixed-size field, NUL-padded. */
    memset(buf, 0, field);
    strncpy(buf, s, field - 1);
    return hc_copy_to(c, gva, buf, field);
}

static int64_t do_xen_version(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], arg = a[1];

    switch (cmd) {
    case XENVER_version:
        return (PVHV_XEN_MAJOR << 16) | PVHV_XEN_MINOR;
    case XENVER_extraversion:
        return copy_string(c, arg, ".0-pvhv", sizeof(xen_extraversion_t));
    case XENVER_compile_info: {
        struct xen_compile_info info;
        memset(&info, 0, sizeof(info));
        strncpy(info.compiler, "gcc", sizeof(info.compiler) - 1);
        strncpy(info.compile_by, "pvhv", sizeof(info.compile_by) - 1);
        strncpy(info.compile_domain, "pvhv", sizeof(info.compile_domain) - 1);
        strncpy(info.compile_date, __DATE__, sizeof(info.compile_date) - 1);
        return hc_copy_to(c, arg, &info, sizeof(info));
    }
    case XENVER_capabilities:
        return copy_string(c, arg, "hvm-3.0-x86_64", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string(c, arg, "pvhv", sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        /* No hypervisor hole in a PVH guest's address space. */
        struct xen_platform_parameters p = { .virt_start = 0 };
        return hc_copy_to(c, arg, &p, sizeof(p));
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (hc_copy_from(c, &fi, arg, sizeof(fi)) < 0)
            return -XEN_EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -XEN_EINVAL;
        fi.submap = features0;
        return hc_copy_to(c, arg, &fi, sizeof(fi));
    }
    case XENVER_pagesize:
        return XEN_PAGE_SIZE;
    case XENVER_guest_handle:
        return hc_copy_to(c, arg, c->dom->handle, sizeof(c->dom->handle));
    case XENVER_commandline:
    case XENVER_build_id:
        /* The hypervisor's own command line and build are dom0's business. */
        return -XEN_EPERM;
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_xen_version, do_xen_version)
