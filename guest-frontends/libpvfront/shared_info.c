/* shared_info.c: placing the shared_info page at boot. */
#include <pvhv/memory.h>
#include <pvfront/shared_info.h>

#include "internal.h"

/* The frame pvhv replaces with shared_info; its RAM page is given up. */
static uint8_t frame[XEN_PAGE_SIZE] __attribute__((aligned(XEN_PAGE_SIZE)));
static shared_info_t *shared;

void pvfront__shared_info_init(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (uintptr_t)frame >> XEN_PAGE_SHIFT,
    };
    if (HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp) == 0)
        shared = (shared_info_t *)frame;
}

shared_info_t *pvfront_shared_info(void)
{
    return shared;
}

int pvfront__evtchn_live;
