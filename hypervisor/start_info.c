/* start_info.c: what a PVH guest finds at its entry: hvm_start_info,
 * pvhv_platform_info, command line, memory map, modules, hypercall page. */
#include <string.h>
#include <sys/ioctl.h>

#include <pvhv/hvm/start_info.h>
#include <pvhv/pvhv_platform.h>

#include "acpi.h"
#include "domain_build.h"
#include "hypercall.h"
#include "kvm.h"
#include "mptable.h"
#include "platform.h"

#define MODLIST_OFFSET 0x800 /* in the memory-map page */

void start_info_build(struct domain *d, const char *cmdline,
                      uint64_t initrd_gpa, uint64_t initrd_len)
{
    struct guest_mem *gm = &d->mem;
    uint8_t *start = guest_mem_ptr(gm, PVHV_START_INFO_GPA, 4096);
    struct hvm_start_info *si = (void *)start;
    struct pvhv_platform_info *pi = (void *)(start + PVHV_PLATFORM_INFO_OFFSET);
    struct hvm_memmap_table_entry *map = guest_mem_ptr(gm, PVHV_MEMMAP_GPA, 4096);
    struct hvm_modlist_entry *mod = (void *)((uint8_t *)map + MODLIST_OFFSET);
    char *cl = guest_mem_ptr(gm, PVHV_CMDLINE_GPA, PVHV_CMDLINE_MAX);
    unsigned n = 0;

    memset(guest_mem_ptr(gm, PVHV_SPECIAL_BASE, PVHV_SPECIAL_SIZE), 0,
           PVHV_SPECIAL_SIZE);
    memset(guest_mem_ptr(gm, PVHV_BOOT_PAGES_GPA, 0x100000 - PVHV_BOOT_PAGES_GPA), 0,
           0x100000 - PVHV_BOOT_PAGES_GPA);

    n = guest_mem_map(gm, map);
    mptable_write(d);
    si->rsdp_paddr = acpi_write(d);

    strncpy(cl, cmdline, PVHV_CMDLINE_MAX - 1);

    si->magic = XEN_HVM_START_MAGIC_VALUE;
    si->version = 1;
    si->cmdline_paddr = PVHV_CMDLINE_GPA;
    si->memmap_paddr = PVHV_MEMMAP_GPA;
    si->memmap_entries = n;
    if (initrd_len) {
        mod[0] = (struct hvm_modlist_entry){ initrd_gpa, initrd_len, 0, 0 };
        si->nr_modules = 1;
        si->modlist_paddr = PVHV_MEMMAP_GPA + MODLIST_OFFSET;
    }

    pi->magic = PVHV_PLATFORM_MAGIC;
    pi->version = PVHV_PLATFORM_VERSION;
    pi->kind = platform_kind;
    pi->flags = PVHV_PLATFORM_F_HYPERCALL_PAGE;
    pi->nr_vcpus = d->nr_vcpus;
    pi->hypercall_page_gpa = PVHV_HYPERCALL_PAGE_GPA;
    pi->domid = d->domid;
    pi->ram_bytes = gm->ram_bytes;
    int khz = ioctl(d->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
    if (khz > 0) {
        pi->tsc_khz = (uint64_t)khz;
        pi->flags |= PVHV_PLATFORM_F_TSC_KNOWN;
    }
    hypercall_page_fill(guest_mem_ptr(gm, PVHV_HYPERCALL_PAGE_GPA, 4096));
}
