/* guest_mem.c: a domain's guest memory and checked access to it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvhv/hvm/start_info.h>
#include <pvhv/pvhv_platform.h>

#include "guest_mem.h"

#define PAGE_SIZE 4096ULL
#define HIGH_RAM_BASE 0x100000000ULL
/* Largest guest we accept: keeps every offset sum below 2^63. */
#define MAX_RAM_BYTES (1ULL << 40)

int guest_mem_init(struct guest_mem *gm, uint64_t ram_bytes, const char *name)
{
    memset(gm, 0, sizeof(*gm));
    gm->memfd = -1;
    if (ram_bytes == 0 || ram_bytes % PAGE_SIZE || ram_bytes > MAX_RAM_BYTES)
        return -EINVAL;
    gm->ram_bytes = ram_bytes;
    gm->low_bytes = ram_bytes < PVHV_LOW_RAM_LIMIT ? ram_bytes : PVHV_LOW_RAM_LIMIT;
    gm->high_bytes = ram_bytes - gm->low_bytes;
    gm->size = (size_t)(ram_bytes + PVHV_SPECIAL_SIZE + GUEST_MEM_PLACED_MAX * PAGE_SIZE);

    gm->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (gm->memfd < 0)
        return -errno;
    if (ftruncate(gm->memfd, (off_t)gm->size) < 0) {
        int err = -errno;
        guest_mem_release(gm);
        return err;
    }
    /* Nobody may shrink guest memory under a running VM. */
    fcntl(gm->memfd, F_ADD_SEALS, F_SEAL_SHRINK);
    gm->base = mmap(NULL, gm->size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_NORESERVE, gm->memfd, 0);
    if (gm->base == MAP_FAILED) {
        int err = -errno;
        gm->base = NULL;
        guest_mem_release(gm);
        return err == -ENOMEM ? -ENOMEM : err;
    }
    return 0;
}

void guest_mem_release(struct guest_mem *gm)
{
    if (gm->base)
        munmap(gm->base, gm->size);
    if (gm->memfd >= 0)
        close(gm->memfd);
    gm->base = NULL;
    gm->memfd = -1;
}

unsigned guest_mem_map(const struct guest_mem *gm,
                       struct hvm_memmap_table_entry *map)
{
    unsigned n = 0;

    if (gm->low_bytes > 0x100000) {
        map[n++] = (struct hvm_memmap_table_entry){ 0, PVHV_BOOT_PAGES_GPA,
                                                    XEN_HVM_MEMMAP_TYPE_RAM, 0 };
        map[n++] = (struct hvm_memmap_table_entry){ PVHV_BOOT_PAGES_GPA,
                                                    0x100000 - PVHV_BOOT_PAGES_GPA,
                                                    XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
        map[n++] = (struct hvm_memmap_table_entry){ 0x100000, gm->low_bytes - 0x100000,
                                                    XEN_HVM_MEMMAP_TYPE_RAM, 0 };
    } else {
        map[n++] = (struct hvm_memmap_table_entry){ 0, gm->low_bytes,
                                                    XEN_HVM_MEMMAP_TYPE_RAM, 0 };
    }
    map[n++] = (struct hvm_memmap_table_entry){ PVHV_SPECIAL_BASE, PVHV_SPECIAL_SIZE,
                                                XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
    if (gm->high_bytes)
        map[n++] = (struct hvm_memmap_table_entry){ HIGH_RAM_BASE, gm->high_bytes,
                                                    XEN_HVM_MEMMAP_TYPE_RAM, 0 };
    return n;
}

int guest_mem_ranges(const struct guest_mem *gm, struct guest_mem_range r[3])
{
    int n = 0;

    r[n++] = (struct guest_mem_range){ 0, gm->low_bytes, 0 };
    r[n++] = (struct guest_mem_range){ PVHV_SPECIAL_BASE, PVHV_SPECIAL_SIZE,
                                       gm->low_bytes };
    if (gm->high_bytes)
        r[n++] = (struct guest_mem_range){ HIGH_RAM_BASE, gm->high_bytes,
                                           gm->low_bytes + PVHV_SPECIAL_SIZE };
    return n;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
    struct guest_mem_range r[3];
    int n;

    if (!gm->base)
        return NULL;
    n = guest_mem_ranges(gm, r);
    for (int i = 0; i < n; i++) {
        /* Written so that no sum can overflow: gpa >= r.gpa first. */
        if (gpa < r[i].gpa)
            continue;
        uint64_t off = gpa - r[i].gpa;
        if (off >= r[i].size || len > r[i].size - off)
            continue;
        return gm->base + r[i].offset + off;
    }
    for (unsigned i = 0; i < GUEST_MEM_PLACED_MAX; i++) {
        uint64_t at = __atomic_load_n(&gm->placed_gpa[i], __ATOMIC_ACQUIRE);
        if (at && gpa >= at && gpa - at < PAGE_SIZE && len <= PAGE_SIZE - (gpa - at))
            return gm->base + guest_mem_placed_offset(gm, i) + (gpa - at);
    }
    return NULL;
}

uint64_t guest_mem_placed_offset(const struct guest_mem *gm, unsigned i)
{
    return gm->ram_bytes + PVHV_SPECIAL_SIZE + i * PAGE_SIZE;
}

void *guest_mem_place(struct guest_mem *gm, unsigned i, uint64_t gpa)
{
    __atomic_store_n(&gm->placed_gpa[i], gpa, __ATOMIC_RELEASE);
    return gm->base + guest_mem_placed_offset(gm, i);
}

int guest_mem_offset(const struct guest_mem *gm, uint64_t gpa, uint64_t *off)
{
    uint8_t *p = guest_mem_ptr(gm, gpa, 1);

    if (!p)
        return -EFAULT;
    *off = (uint64_t)(p - gm->base);
    return 0;
}

bool guest_mem_is_ram(const struct guest_mem *gm, uint64_t pfn)
{
    if (pfn >= (1ULL << 52) >> 12)
        return false;
    uint64_t gpa = pfn << 12;
    if (gpa < gm->low_bytes)
        return true;
    return gpa >= HIGH_RAM_BASE && gpa - HIGH_RAM_BASE < gm->high_bytes;
}

bool guest_mem_is_hole(const struct guest_mem *gm, uint64_t pfn)
{
    if (pfn >= (1ULL << 40) >> 12)
        return false;
    uint64_t gpa = pfn << 12;
    if (gpa >= gm->low_bytes && gpa < PVHV_IOAPIC_GPA)
        return true;
    return gpa >= HIGH_RAM_BASE + gm->high_bytes;
}

#define CR0_PG (1ULL << 31)
#define CR0_WP (1ULL << 16)
#define CR4_PAE (1ULL << 5)
#define EFER_LMA (1ULL << 10)
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL

static int read_pte(const struct guest_mem *gm, uint64_t table, unsigned idx,
                    uint64_t *pte)
{
    const uint64_t *p = guest_mem_ptr(gm, (table & PTE_ADDR) + idx * 8ULL, 8);

    if (!p)
        return -EFAULT;
    *pte = __atomic_load_n(p, __ATOMIC_RELAXED);
    return (*pte & PTE_P) ? 0 : -EFAULT;
}

int guest_virt_to_phys(const struct guest_mem *gm, const struct guest_paging *pg,
                       uint64_t gva, bool write, uint64_t *gpa)
{
    uint64_t table = pg->cr3, pte = 0;
    int level;

    if (!(pg->cr0 & CR0_PG)) {
        if (gva > 0xffffffffULL)
            return -EFAULT;
        *gpa = gva;
        return 0;
    }
    /* pvhv guests are 64-bit; legacy 32-bit paging is not translated. */
    if (!(pg->efer & EFER_LMA) || !(pg->cr4 & CR4_PAE))
        return -EFAULT;
    /* Non-canonical addresses fault on hardware too. */
    if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
        return -EFAULT;
    for (level = 4; level >= 1; level--) {
        unsigned shift = 12 + 9 * (unsigned)(level - 1);
        unsigned idx = (unsigned)((gva >> shift) & 511);
        if (read_pte(gm, table, idx, &pte) < 0)
            return -EFAULT;
        /* As the CPU does for supervisor writes with CR0.WP set. */
        if (write && !(pte & PTE_RW) && (pg->cr0 & CR0_WP))
            return -EFAULT;
        if (level <= 3 && (pte & PTE_PS)) {
            uint64_t mask = (1ULL << shift) - 1;
            *gpa = ((pte & PTE_ADDR) & ~mask) | (gva & mask);
            return 0;
        }
        table = pte;
    }
    *gpa = (pte & PTE_ADDR) | (gva & 0xfff);
    return 0;
}

static int guest_copy(const struct guest_mem *gm, const struct guest_paging *pg,
                      uint64_t gva, void *buf, size_t len, bool to_guest)
{
    uint8_t *b = buf;

    while (len) {
        uint64_t gpa;
        size_t chunk = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        /* A buffer may not wrap around the top of the address space. */
        if (len > chunk && gva + chunk < gva)
            return -EFAULT;
        if (guest_virt_to_phys(gm, pg, gva, to_guest, &gpa) < 0)
            return -EFAULT;
        uint8_t *h = guest_mem_ptr(gm, gpa, chunk);
        if (!h)
            return -EFAULT;
        if (b && to_guest) /* no buffer: only check the range */
            memcpy(h, b, chunk);
        else if (b)
            memcpy(b, h, chunk);
        if (b)
            b += chunk;
        gva += chunk;
        len -= chunk;
    }
    return 0;
}

int guest_copy_from(const struct guest_mem *gm, const struct guest_paging *pg,
                    void *dst, uint64_t gva, size_t len)
{
    return guest_copy(gm, pg, gva, dst, len, false);
}

int guest_copy_to(const struct guest_mem *gm, const struct guest_paging *pg,
                  uint64_t gva, const void *src, size_t len)
{
    return guest_copy(gm, pg, gva, (void *)src, len, true);
}

int guest_check(const struct guest_mem *gm, const struct guest_paging *pg,
                uint64_t gva, size_t len, bool write)
{
    return guest_copy(gm, pg, gva, NULL, len, write);
}
