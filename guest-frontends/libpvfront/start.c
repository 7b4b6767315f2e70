/* start.c: the boot sequence in C, from the first native instruction to pvfront_main. */
#include <stddef.h>
#include <pvhv/sched.h>

#include "internal.h"

/* boot.S repeats these values (it cannot include C headers): keep them in step. */
_Static_assert(PVHV_PLATFORM_INFO_OFFSET == 0x800, "boot.S PLAT_OFFSET");
_Static_assert(PVHV_PLATFORM_MAGIC == 0x54414c5056485650ULL, "boot.S PLAT_MAGIC");
_Static_assert(offsetof(struct pvhv_platform_info, kind) == 12, "boot.S PLAT_KIND");
_Static_assert(PVHV_PLATFORM_PVM == 1, "boot.S PLAT_PVM");
_Static_assert(PVHV_PVM_NATIVE_MSR == 0x4b564d10, "boot.S NATIVE_MSR");

/* Copies of what the loader left in memory the kernel may reuse. */
#define MEMMAP_MAX 128
static struct hvm_memmap_table_entry memmap[MEMMAP_MAX];
static struct pvfront_boot_info info;

/* Defined by the linker script (pvfront.ld). */
extern char pvfront_image_start[], pvfront_image_end[];

const struct pvfront_boot_info *pvfront_boot_info(void)
{
    return &info;
}

static void copy_memmap(const struct hvm_start_info *si)
{
    if (!si || si->version < 1 || !si->memmap_paddr)
        return;
    const struct hvm_memmap_table_entry *src =
        (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    uint32_t n = si->memmap_entries < MEMMAP_MAX ? si->memmap_entries : MEMMAP_MAX;
    memcpy(memmap, src, n * sizeof *src);
    info.memmap = memmap;
    info.memmap_entries = n;
}

/* The RAM after the image, stopping at the end of its range or the first module. */
static void find_free(const struct hvm_start_info *si)
{
    uint64_t start = ((uintptr_t)pvfront_image_end + 4095) & ~4095ULL;
    uint64_t end = start;

    for (uint32_t i = 0; i < info.memmap_entries; i++) {
        const struct hvm_memmap_table_entry *e = &memmap[i];
        if (e->type == XEN_HVM_MEMMAP_TYPE_RAM && e->addr <= start &&
            start < e->addr + e->size)
            end = e->addr + e->size;
    }
    if (!info.memmap_entries && info.ram_bytes > start)
        end = info.ram_bytes; /* no map: RAM is assumed to start at 0 */
    if (end > PVFRONT_MAPPED_LIMIT)
        end = PVFRONT_MAPPED_LIMIT;
    if (si && si->nr_modules && si->modlist_paddr) {
        const struct hvm_modlist_entry *m =
            (const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;
        for (uint32_t i = 0; i < si->nr_modules; i++)
            if (m[i].paddr >= start && m[i].paddr < end)
                end = m[i].paddr & ~4095ULL;
    }
    info.free_start = (uintptr_t)start;
    info.free_end = (uintptr_t)(end > start ? end : start);
}

static uint64_t memmap_ram(void)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < info.memmap_entries; i++)
        if (memmap[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
            sum += memmap[i].size;
    return sum;
}

/*
 * The boot sequence, after boot.S (PVH entry, long mode, native switch,
 * .bss zeroed):
 *   1. IDT gates, so a fault from here on is reported, not a triple fault
 *   2. platform info and the hypercall page (nothing prints before this)
 *   3. copies of the command line and memory map
 *   4. shared_info, then time (pvclock or TSC)
 *   5. SMP bookkeeping
 *   6. pvfront_main; its return value picks poweroff or crash
 */
void pvfront__boot_main(uint64_t start_info_pa)
{
    const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)start_info_pa;
    const struct pvhv_platform_info *pi = NULL;

    pvfront__trap_init();

    if (si && si->magic != XEN_HVM_START_MAGIC_VALUE)
        si = NULL;
    if (si) {
        pi = (const struct pvhv_platform_info *)((uintptr_t)si + PVHV_PLATFORM_INFO_OFFSET);
        if (pi->magic != PVHV_PLATFORM_MAGIC || pi->version < 1)
            pi = NULL;
    }
    if (pvfront__hypercall_init(pi) < 0)
        pvfront_triple_fault(); /* no way to print or shut down otherwise */

    pvfront__cmdline_init(si && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr
                                                  : NULL);
    copy_memmap(si);

    pvfront__shared_info_init();
    pvfront__time_init(pi);
    pvfront__smp_init(pi ? pi->nr_vcpus : 1);

    info.cmdline = pvfront_cmdline();
    info.platform = pvfront__native ? PVHV_PLATFORM_PVM : PVHV_PLATFORM_HVM;
    info.nr_cpus = pvfront_nr_cpus();
    info.domid = pi ? pi->domid : DOMID_INVALID;
    info.pvhv = pi != NULL;
    info.tsc_khz = pvfront_tsc_khz();
    info.ram_bytes = pi ? pi->ram_bytes : memmap_ram();
    info.start_info = si;
    find_free(si);

    int rc = pvfront_main(&info);
    if (rc == 0)
        pvfront_poweroff();
    pvfront_printf("pvfront: pvfront_main returned %d\n", rc);
    pvfront_crash();
}
