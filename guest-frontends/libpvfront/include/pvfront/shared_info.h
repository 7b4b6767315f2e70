/* shared_info.h: the shared_info page (event channels, pvclock, wallclock). */
#ifndef PVFRONT_SHARED_INFO_H
#define PVFRONT_SHARED_INFO_H

#include <pvhv/xen.h>

/*
 * pvfront_shared_info: the domain's shared_info page, which the boot stub
 * asks pvhv to place over a page of the kernel's .bss
 * (XENMEM_add_to_physmap, XENMAPSPACE_shared_info). NULL if pvhv refused
 * (e.g. -XEN_ENOSYS on an older pvhv); time then falls back to the TSC.
 * The fields' owners are described in <pvhv/xen.h>.
 */
shared_info_t *pvfront_shared_info(void);

#endif /* PVFRONT_SHARED_INFO_H */
