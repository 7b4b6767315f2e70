/* hostile_version.c: xen_version with bad buffers, submaps and sub-ops. */
#include <pvhv/version.h>

#include "hostile.h"

/*
 * Expected (version.h; Xen's do_xen_version):
 *   XENVER_version                                   0x00040011 (probe)
 *   XENVER_pagesize, arg NULL                        4096
 *   unknown sub-ops 0x7777 and XENVER_build_id + 1   -ENOSYS
 *   every string/struct sub-op, every bad pointer    -EFAULT (rule 2)
 *   XENVER_capabilities (1024 bytes) ending past RAM -EFAULT
 *   XENVER_get_features submap_idx 1, 0xffffffff     -EINVAL
 *   XENVER_get_features, struct misaligned across a page boundary
 *                                                    0, with the
 *                                                    auto_translated_physmap bit
 *   XENVER_extraversion into an odd address          0
 *   XENVER_commandline, XENVER_build_id as domU      -EPERM (rule 3)
 */
void hostile_version(struct hostile *h)
{
    static const struct { int cmd; const char *name; } outs[] = {
        { XENVER_extraversion, "extraversion" },
        { XENVER_compile_info, "compile_info" },
        { XENVER_capabilities, "capabilities" },
        { XENVER_changeset, "changeset" },
        { XENVER_platform_parameters, "platform_parameters" },
        { XENVER_get_features, "get_features" },
        { XENVER_guest_handle, "guest_handle" },
    };

    if (!available(h, "xen_version", HYPERVISOR_xen_version(XENVER_version, NULL)))
        return;
    expect(h, "xen_version version", HYPERVISOR_xen_version(XENVER_version, NULL), 0x00040011);
    expect(h, "xen_version pagesize", HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096);
    expect(h, "xen_version unknown sub-op 0x7777", HYPERVISOR_xen_version(0x7777, NULL),
           -XEN_ENOSYS);
    expect(h, "xen_version sub-op build_id+1",
           HYPERVISOR_xen_version(XENVER_build_id + 1, NULL), -XEN_ENOSYS);

    for (size_t c = 0; c < sizeof outs / sizeof outs[0]; c++)
        for (unsigned int i = 0; i < nr_bad_ptrs; i++)
            expectf(h, HYPERVISOR_xen_version(outs[c].cmd, (void *)bad_ptrs[i].addr),
                    -XEN_EFAULT, "xen_version %s arg=%s", outs[c].name, bad_ptrs[i].name);

    if (h->hole)
        expect(h, "xen_version capabilities ending past RAM",
               HYPERVISOR_xen_version(XENVER_capabilities, (void *)(h->hole - 512)),
               -XEN_EFAULT);
    else
        skip(h, "xen_version capabilities ending past RAM", "RAM reaches the mapped limit");

    struct xen_feature_info fi = { .submap_idx = 1 };
    expect(h, "xen_version get_features submap_idx=1",
           HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);
    fi.submap_idx = 0xffffffffU;
    expect(h, "xen_version get_features submap_idx=0xffffffff",
           HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);

    /* The struct starts 3 bytes before a page boundary. */
    struct xen_feature_info *mis = (void *)(h->scratch + XEN_PAGE_SIZE - 3);
    memset(mis, 0, sizeof *mis);
    expect(h, "xen_version get_features misaligned across pages",
           HYPERVISOR_xen_version(XENVER_get_features, mis), 0);
    uint32_t submap;
    memcpy(&submap, (uint8_t *)mis + 4, sizeof submap);
    expect(h, "xen_version get_features reports auto_translated_physmap",
           (submap >> XENFEAT_auto_translated_physmap) & 1, 1);

    char *odd = (char *)h->scratch + 101;
    expect(h, "xen_version extraversion odd address",
           HYPERVISOR_xen_version(XENVER_extraversion, odd), 0);

    if (h->bi->domid != 0) {
        xen_commandline_t cl;
        expect(h, "xen_version commandline as domU",
               HYPERVISOR_xen_version(XENVER_commandline, cl), -XEN_EPERM);
        expect(h, "xen_version build_id as domU",
               HYPERVISOR_xen_version(XENVER_build_id, NULL), -XEN_EPERM);
    } else {
        skip(h, "xen_version dom0-only sub-ops", "running as dom0");
    }
}
