/* guest_mem.h: a domain's guest-physical memory, and the one checked way
 * pvhv reads or writes it. */
#ifndef PVHV_GUEST_MEM_H
#define PVHV_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pages pvhv can put in a hole of the guest's address space (grant frames
 * a guest places outside its RAM, as Linux does). */
#define GUEST_MEM_PLACED_MAX 32

/*
 * One memfd holds all of a domain's memory: RAM below PVHV_LOW_RAM_LIMIT,
 * pvhv's special pages, then RAM from 4 GiB up. dom0 programs can be handed
 * the memfd (or a mapping of exactly the granted pages of it).
 */
struct guest_mem {
    int memfd;
    uint8_t *base;        /* host mapping of the whole memfd */
    size_t size;          /* memfd bytes */
    uint64_t ram_bytes;   /* all guest RAM */
    uint64_t low_bytes;   /* RAM at [0, low_bytes) */
    uint64_t high_bytes;  /* RAM at [4 GiB, 4 GiB + high_bytes) */
    /* Where each placed page sits (guest_mem_place); 0: nowhere. */
    uint64_t placed_gpa[GUEST_MEM_PLACED_MAX];
};

/* Guest-physical ranges and where they sit in the memfd. */
struct guest_mem_range {
    uint64_t gpa, size, offset;
};

/*
 * Create the memfd and map it. ram_bytes must be a non-zero multiple of
 * 4 KiB. Returns 0, -EINVAL or -ENOMEM (or another -errno).
 */
int guest_mem_init(struct guest_mem *gm, uint64_t ram_bytes, const char *name);

/* Unmap and close. Safe on a zeroed or already released struct. */
void guest_mem_release(struct guest_mem *gm);

/*
 * The memory map a guest is given (hvm_start_info and XENMEM_memory_map
 * both come from here): RAM, the boot pages below 1 MiB, the special
 * pages, RAM above 4 GiB. Fills map[0 .. GUEST_MEM_MAP_MAX) at most, in
 * address order; returns how many entries.
 */
#define GUEST_MEM_MAP_MAX 5
struct hvm_memmap_table_entry;
unsigned guest_mem_map(const struct guest_mem *gm,
                       struct hvm_memmap_table_entry *map);

/* The up-to-three ranges to register with KVM; returns how many. */
int guest_mem_ranges(const struct guest_mem *gm, struct guest_mem_range r[3]);

/*
 * Host pointer to guest-physical [gpa, gpa + len), or NULL when any byte of
 * it is outside guest memory or the range wraps. The range must lie in one
 * region (RAM below 3 GiB, special pages, RAM above 4 GiB, one placed
 * page).
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* The memfd offset of guest-physical `gpa` (any region). Returns 0 and
 * sets *off, or -EFAULT outside guest memory. */
int guest_mem_offset(const struct guest_mem *gm, uint64_t gpa, uint64_t *off);

/* Is guest-physical frame `pfn` RAM (not special, not a hole)? */
bool guest_mem_is_ram(const struct guest_mem *gm, uint64_t pfn);

/*
 * Is `pfn` in a hole where a guest may have a page placed: above low RAM
 * and below the I/O APIC, or above high RAM and below 2^40? (Not RAM, not
 * pvhv's special pages, not an emulated device's page.)
 */
bool guest_mem_is_hole(const struct guest_mem *gm, uint64_t pfn);

/*
 * Put placed page `i` (< GUEST_MEM_PLACED_MAX) at guest-physical `gpa`, or
 * nowhere with gpa 0; guest_mem_ptr then finds it there. Its contents stay
 * with it. Returns its host address. The caller maps it into the VM (it is
 * memfd offset guest_mem_placed_offset(gm, i)) and serialises calls.
 */
void *guest_mem_place(struct guest_mem *gm, unsigned i, uint64_t gpa);
uint64_t guest_mem_placed_offset(const struct guest_mem *gm, unsigned i);

/* Paging state needed to translate a guest-virtual address. */
struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/*
 * Translate guest-virtual `gva` through the guest's own page tables (or
 * identity when paging is off). `write` requires a writable mapping.
 * Returns 0 and sets *gpa, or -EFAULT (not mapped, not writable, page
 * tables outside guest memory, non-canonical address).
 */
int guest_virt_to_phys(const struct guest_mem *gm, const struct guest_paging *pg,
                       uint64_t gva, bool write, uint64_t *gpa);

/*
 * Copy between host memory and guest-virtual memory, page by page through
 * guest_virt_to_phys. Return 0 or -EFAULT; on -EFAULT a copy_to may have
 * written a prefix (as Xen's copy_to_guest may).
 */
/* Would a copy of `len` bytes at gva succeed (writable if `write`)?
 * 0 or -EFAULT; nothing is copied. */
int guest_check(const struct guest_mem *gm, const struct guest_paging *pg,
                uint64_t gva, size_t len, bool write);

int guest_copy_from(const struct guest_mem *gm, const struct guest_paging *pg,
                    void *dst, uint64_t gva, size_t len);
int guest_copy_to(const struct guest_mem *gm, const struct guest_paging *pg,
                  uint64_t gva, const void *src, size_t len);

#endif
