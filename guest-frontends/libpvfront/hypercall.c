/* hypercall.c: finding the hypercall page (pvhv platform info, or Xen's MSR protocol). */
#include "internal.h"

uint8_t *pvfront_hypercall_page;

/* A page of our own for Xen's protocol, where the hypervisor writes the stubs. */
static uint8_t own_page[4096] __attribute__((aligned(4096)));

uint32_t pvfront__xen_cpuid_base(void)
{
    uint32_t r[4];

    /* Xen's leaves sit at 0x40000000 or 0x100 apart above it (Viridian first). */
    for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
        pvfront__cpuid(base, 0, r);
        if (r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e &&
            r[0] >= base + 2) /* "XenVMMXenVMM" */
            return base;
    }
    return 0;
}

int pvfront__hypercall_init(const struct pvhv_platform_info *pi)
{
    if (pi && (pi->flags & PVHV_PLATFORM_F_HYPERCALL_PAGE)) {
        pvfront_hypercall_page = (uint8_t *)(uintptr_t)pi->hypercall_page_gpa;
        return 0;
    }
    /*
     * No platform info: a PVH loader other than pvhv, e.g. Xen on HVM. Ask
     * for a page the Xen way. On PVM cpuid is answered by the outer
     * hypervisor and shows no Xen, so this cannot misfire there.
     */
    uint32_t base = pvfront__xen_cpuid_base();
    if (!base)
        return -XEN_ENOSYS;
    uint32_t r[4];
    pvfront__cpuid(base + 2, 0, r);
    pvfront__wrmsr(r[1], (uint64_t)(uintptr_t)own_page);
    pvfront_hypercall_page = own_page;
    return 0;
}
