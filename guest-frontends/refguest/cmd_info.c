/* cmd_info.c: print what the boot stub learnt (platform, memory, clock) and power off. */
#include <pvfront/shared_info.h>

#include "refguest.h"

int cmd_info(const struct pvfront_boot_info *bi)
{
    pvfront_printf("info: platform %s%s, %u vcpus, domid %u, tsc %lu kHz, ram %lu MiB\n",
                   bi->platform == PVHV_PLATFORM_PVM ? "PVM (native, CPL3)" : "HVM (ring 0)",
                   bi->pvhv ? "" : ", no pvhv platform info", bi->nr_cpus, bi->domid,
                   (unsigned long)bi->tsc_khz, (unsigned long)(bi->ram_bytes >> 20));
    for (uint32_t i = 0; i < bi->memmap_entries; i++)
        pvfront_printf("info: memmap 0x%012lx-0x%012lx type %u\n",
                       (unsigned long)bi->memmap[i].addr,
                       (unsigned long)(bi->memmap[i].addr + bi->memmap[i].size - 1),
                       bi->memmap[i].type);
    const struct hvm_start_info *si = bi->start_info;
    const struct hvm_modlist_entry *mod = (const void *)(uintptr_t)si->modlist_paddr;
    for (uint32_t i = 0; i < si->nr_modules; i++) {
        const char *p = (const char *)(uintptr_t)mod[i].paddr;
        char head[17];
        uint32_t n = mod[i].size < 16 ? (uint32_t)mod[i].size : 16;
        for (uint32_t k = 0; k < n; k++)
            head[k] = p[k] >= 0x20 && p[k] < 0x7f ? p[k] : '.';
        head[n] = 0;
        pvfront_printf("info: module %u at %#lx, %lu bytes, begins '%s'\n", i,
                       (unsigned long)mod[i].paddr, (unsigned long)mod[i].size, head);
    }
    pvfront_printf("info: free RAM %#lx-%#lx (%lu KiB), cmdline '%s'\n",
                   (unsigned long)bi->free_start, (unsigned long)bi->free_end,
                   (unsigned long)((bi->free_end - bi->free_start) >> 10), bi->cmdline);

    /* The clock against the TSC over 100 ms: both must agree. */
    uint64_t t0 = pvfront_time_ns(), c0 = pvfront_rdtsc();
    pvfront_delay_ns(100000000);
    uint64_t t1 = pvfront_time_ns(), c1 = pvfront_rdtsc();
    pvfront_printf("info: clock %s, now %lu ns; 100 ms delay measured %lu ns by it, %lu ns by "
                   "the TSC\n", pvfront_pvclock() ? "pvclock (shared_info)" : "TSC",
                   (unsigned long)t1, (unsigned long)(t1 - t0),
                   (unsigned long)pvfront_tsc_to_ns(c1 - c0));
    shared_info_t *s = pvfront_shared_info();
    if (s)
        pvfront_printf("info: wallclock at boot %u.%09u s since the epoch\n", s->wc_sec,
                       s->wc_nsec);
    return 0;
}
