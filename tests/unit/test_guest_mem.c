/* test_guest_mem.c: guest memory bounds and the guest page-table walk. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <pvhv/pvhv_platform.h>

#include "guest_mem.h"

static struct guest_mem gm;

static void setup(void)
{
    cr_assert_eq(guest_mem_init(&gm, 64 << 20, "test"), 0);
}

static void teardown(void)
{
    guest_mem_release(&gm);
}

TestSuite(guest_mem, .init = setup, .fini = teardown);

Test(guest_mem, bounds_are_checked_without_overflow)
{
    cr_expect_not_null(guest_mem_ptr(&gm, 0, 64 << 20));
    cr_expect_null(guest_mem_ptr(&gm, 0, (64 << 20) + 1));
    cr_expect_null(guest_mem_ptr(&gm, (64 << 20) - 1, 2));
    cr_expect_null(guest_mem_ptr(&gm, 1, UINT64_MAX));
    cr_expect_null(guest_mem_ptr(&gm, UINT64_MAX, 2));
    cr_expect_not_null(guest_mem_ptr(&gm, PVHV_SPECIAL_BASE, PVHV_SPECIAL_SIZE));
    cr_expect_null(guest_mem_ptr(&gm, PVHV_SPECIAL_BASE - 1, 2));
    cr_expect(!guest_mem_is_ram(&gm, PVHV_SPECIAL_BASE >> 12));
    cr_expect(guest_mem_is_ram(&gm, 0));
    cr_expect(!guest_mem_is_ram(&gm, (64 << 20) >> 12));
}

Test(guest_mem, rejects_bad_sizes)
{
    struct guest_mem g;
    cr_expect_eq(guest_mem_init(&g, 0, "t"), -EINVAL);
    cr_expect_eq(guest_mem_init(&g, 4095, "t"), -EINVAL);
    cr_expect_eq(guest_mem_init(&g, 1ULL << 50, "t"), -EINVAL);
}

/* Page tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD), 0x4000 (PT):
 * 0x400000 maps 2 MiB to 0x600000 (writable); 0x200000 is a 4 KiB page
 * mapped read-only to 0x800000. */
static struct guest_paging build_tables(void)
{
    uint64_t *pml4 = guest_mem_ptr(&gm, 0x1000, 4096);
    uint64_t *pdpt = guest_mem_ptr(&gm, 0x2000, 4096);
    uint64_t *pd = guest_mem_ptr(&gm, 0x3000, 4096);
    uint64_t *pt = guest_mem_ptr(&gm, 0x4000, 4096);

    pml4[0] = 0x2000 | 7;
    pdpt[0] = 0x3000 | 7;
    pd[2] = 0x600000 | 0x87;
    pd[1] = 0x4000 | 7;
    pt[0] = 0x800000 | 5; /* present, user, read-only */
    return (struct guest_paging){ .cr0 = 0x80010011, .cr3 = 0x1000, .cr4 = 0x20,
                                  .efer = 0x500 };
}

Test(guest_mem, walks_four_level_tables)
{
    struct guest_paging pg = build_tables();
    uint64_t gpa = 0;

    cr_expect_eq(guest_virt_to_phys(&gm, &pg, 0x400123, true, &gpa), 0);
    cr_expect_eq(gpa, 0x600123);
    cr_expect_eq(guest_virt_to_phys(&gm, &pg, 0x200042, false, &gpa), 0);
    cr_expect_eq(gpa, 0x800042);
    cr_expect_eq(guest_virt_to_phys(&gm, &pg, 0x200042, true, &gpa), -EFAULT,
                 "read-only page must refuse a write");
    cr_expect_eq(guest_virt_to_phys(&gm, &pg, 0x40000000, false, &gpa), -EFAULT);
    cr_expect_eq(guest_virt_to_phys(&gm, &pg, 0x0000800000000000ULL, false, &gpa),
                 -EFAULT, "non-canonical");
}

Test(guest_mem, copies_across_pages_and_stops_at_holes)
{
    struct guest_paging pg = build_tables();
    char buf[64];

    memcpy(guest_mem_ptr(&gm, 0x600ff0, 32), "0123456789abcdefghijklmnopqrstu", 32);
    cr_expect_eq(guest_copy_from(&gm, &pg, buf, 0x400ff0, 32), 0);
    cr_expect_eq(memcmp(buf, "0123456789abcdef", 16), 0);
    /* 0x5ffff0 + 32 runs past the 2 MiB mapping into nothing. */
    cr_expect_eq(guest_copy_from(&gm, &pg, buf, 0x5ffff0, 32), -EFAULT);
    cr_expect_eq(guest_copy_to(&gm, &pg, 0x200000, buf, 8), -EFAULT);
    /* Paging off: identity, 32-bit only. */
    struct guest_paging flat = { .cr0 = 0x11 };
    cr_expect_eq(guest_copy_from(&gm, &flat, buf, 0x600ff0, 8), 0);
    cr_expect_eq(guest_copy_from(&gm, &flat, buf, 0x100000000ULL, 8), -EFAULT);
}
