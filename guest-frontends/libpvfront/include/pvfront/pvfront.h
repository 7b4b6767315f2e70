/* pvfront.h: libpvfront's entry point contract and boot information (includes the rest). */
#ifndef PVFRONT_PVFRONT_H
#define PVFRONT_PVFRONT_H

#include <stdint.h>
#include <pvhv/hvm/start_info.h>
#include <pvhv/pvhv_platform.h>

#include <pvfront/cmdline.h>
#include <pvfront/config.h>
#include <pvfront/console.h>
#include <pvfront/evtchn.h>
#include <pvfront/gnttab.h>
#include <pvfront/hypercall.h>
#include <pvfront/shared_info.h>
#include <pvfront/shutdown.h>
#include <pvfront/smp.h>
#include <pvfront/string.h>
#include <pvfront/time.h>
#include <pvfront/trap.h>

/*
 * What the boot stub learnt, handed to pvfront_main. Everything here stays
 * valid for the kernel's life (the command line and memory map are copies)
 * except start_info, which points at the loader's record.
 */
struct pvfront_boot_info {
    const char *cmdline;   /* never NULL; "" if none */
    uint32_t platform;     /* PVHV_PLATFORM_PVM or PVHV_PLATFORM_HVM */
    uint32_t nr_cpus;      /* vCPUs (ids 0..nr_cpus-1), see pvfront_nr_cpus */
    uint32_t domid;        /* this domain's id, or DOMID_INVALID if unknown */
    uint32_t pvhv;         /* 1 if pvhv's platform info was present */
    uint64_t tsc_khz;      /* TSC rate, 0 if unknown */
    uint64_t ram_bytes;    /* guest RAM (platform info, else summed memmap) */
    const struct hvm_memmap_table_entry *memmap; /* sorted, may be NULL */
    uint32_t memmap_entries;
    uint32_t pad0;
    /*
     * The first free RAM after the kernel image (page aligned), up to the
     * end of that RAM range, the mapped limit (PVFRONT_MAPPED_LIMIT) or
     * the first boot module, whichever comes first. libpvfront never
     * allocates: this is the kernel's to use. free_end == free_start if
     * there is none.
     */
    uintptr_t free_start, free_end;
    const struct hvm_start_info *start_info; /* the loader's record */
};

/*
 * pvfront_main: the kernel's entry point, written by the kernel builder
 * (libpvfront only declares it). Runs on CPU 0 in native mode (PVM) or
 * ring 0 (HVM), interrupts off, with the console, time and traps ready.
 * Returning 0 powers the domain off (SHUTDOWN_poweroff); any other value
 * is printed and the domain crashes (SHUTDOWN_crash).
 */
int pvfront_main(const struct pvfront_boot_info *bi);

/* pvfront_boot_info: the same record pvfront_main got, from anywhere. */
const struct pvfront_boot_info *pvfront_boot_info(void);

#endif /* PVFRONT_PVFRONT_H */
