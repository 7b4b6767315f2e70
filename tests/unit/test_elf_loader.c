/* test_elf_loader.c: the PVH kernel loader accepts good ELF files and
 * refuses bad ones with a reason, writing nothing to the guest. */
#include <criterion/criterion.h>
#include <errno.h>
#include <elf.h>
#include <string.h>

#include <pvhv/elfnote.h>

#include "elf_loader.h"

#define IMG_SIZE 8192

struct image {
    uint8_t b[IMG_SIZE];
    size_t len;
};

/* A minimal ELF64 kernel: one PT_LOAD at `paddr` of 0x100 bytes (memsz
 * 0x1000) and a PT_NOTE holding Xen's PHYS32_ENTRY = paddr + 0x10. */
static void make_elf64(struct image *im, uint64_t paddr, bool with_note)
{
    Elf64_Ehdr *eh = (void *)im->b;
    Elf64_Phdr *ph = (void *)(im->b + sizeof(*eh));
    uint8_t *note = im->b + 0x200;

    memset(im, 0, sizeof(*im));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 2;
    ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000, .p_paddr = paddr,
                          .p_vaddr = paddr, .p_filesz = 0x100, .p_memsz = 0x1000 };
    ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = 20 };
    if (with_note) {
        uint32_t hdr[3] = { 4, 4, XEN_ELFNOTE_PHYS32_ENTRY };
        uint32_t entry = (uint32_t)paddr + 0x10;
        memcpy(note, hdr, 12);
        memcpy(note + 12, "Xen", 4);
        memcpy(note + 16, &entry, 4);
    }
    memset(im->b + 0x1000, 0xab, 0x100);
    im->len = 0x1100;
}

static struct guest_mem gm;

static void setup(void)
{
    cr_assert_eq(guest_mem_init(&gm, 16 << 20, "test"), 0);
}

static void teardown(void)
{
    guest_mem_release(&gm);
}

TestSuite(elf_loader, .init = setup, .fini = teardown);

Test(elf_loader, loads_a_pvh_kernel)
{
    struct image im;
    struct elf_image out;
    char why[128];

    make_elf64(&im, 0x100000, true);
    cr_assert_eq(elf_load(&gm, im.b, im.len, &out, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(out.entry32, 0x100010);
    cr_expect_eq(out.load_low, 0x100000);
    cr_expect_eq(out.load_high, 0x101000);
    uint8_t *p = guest_mem_ptr(&gm, 0x100000, 0x1000);
    cr_expect_eq(p[0], 0xab);
    cr_expect_eq(p[0xff], 0xab);
    cr_expect_eq(p[0x100], 0, "bss must be zero");
}

/* Every refusal: the reason must name the problem, and RAM stays zero. */
static void expect_refused(struct image *im, const char *reason)
{
    struct elf_image out;
    char why[160] = "";

    cr_expect_eq(elf_load(&gm, im->b, im->len, &out, why, sizeof(why)), -ENOEXEC,
                 "expected a refusal for: %s", reason);
    cr_expect(strstr(why, reason) != NULL, "reason '%s' should mention '%s'", why, reason);
    uint8_t *p = guest_mem_ptr(&gm, 0x100000, 16);
    cr_expect_eq(p[0], 0, "a refused kernel must not touch guest memory");
}

Test(elf_loader, refuses_no_entry_note)
{
    struct image im;
    make_elf64(&im, 0x100000, false);
    expect_refused(&im, "PHYS32_ENTRY");
}

Test(elf_loader, refuses_truncated_file)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    im.len = 0x1080;
    expect_refused(&im, "past the end of the file");
    im.len = 40;
    expect_refused(&im, "truncated ELF header");
}

Test(elf_loader, refuses_not_elf)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    im.b[1] = 'X';
    expect_refused(&im, "not an ELF file");
}

Test(elf_loader, refuses_segment_outside_ram)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    Elf64_Phdr *ph = (void *)(im.b + sizeof(Elf64_Ehdr));
    ph[0].p_paddr = 16 << 20; /* just past the end of RAM */
    expect_refused(&im, "outside guest RAM");
    ph[0].p_paddr = 0xFEFF0000; /* pvhv's special pages are not RAM */
    expect_refused(&im, "outside guest RAM");
    ph[0].p_paddr = UINT64_MAX - 0x10; /* wraps */
    expect_refused(&im, "outside guest RAM");
}

Test(elf_loader, refuses_overlapping_segments)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    Elf64_Ehdr *eh = (void *)im.b;
    Elf64_Phdr *ph = (void *)(im.b + sizeof(*eh));
    ph[2] = ph[0];
    ph[2].p_paddr += 0x800;
    eh->e_phnum = 3;
    expect_refused(&im, "overlap");
}

Test(elf_loader, refuses_filesz_above_memsz)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    Elf64_Phdr *ph = (void *)(im.b + sizeof(Elf64_Ehdr));
    ph[0].p_memsz = 0x10;
    expect_refused(&im, "above memory size");
}

Test(elf_loader, refuses_entry_outside_image)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    uint32_t bad = 0x200000;
    memcpy(im.b + 0x200 + 16, &bad, 4);
    expect_refused(&im, "outside the loaded image");
}

Test(elf_loader, refuses_wrong_machine_and_type)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    ((Elf64_Ehdr *)im.b)->e_machine = EM_AARCH64;
    expect_refused(&im, "not x86_64");
    make_elf64(&im, 0x100000, true);
    ((Elf64_Ehdr *)im.b)->e_type = ET_DYN;
    expect_refused(&im, "not an executable");
}

Test(elf_loader, refuses_malformed_note)
{
    struct image im;
    make_elf64(&im, 0x100000, true);
    uint32_t huge = 0xfffffff0;
    memcpy(im.b + 0x200, &huge, 4); /* namesz past the segment */
    expect_refused(&im, "malformed note");
}

Test(elf_loader, loads_an_elf32_pvh_kernel)
{
    struct image im;
    struct elf_image out;
    char why[128];
    Elf32_Ehdr *eh = (void *)im.b;
    Elf32_Phdr *ph = (void *)(im.b + sizeof(*eh));
    uint32_t hdr[3] = { 4, 4, XEN_ELFNOTE_PHYS32_ENTRY }, entry = 0x200020;

    memset(&im, 0, sizeof(im));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS32;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_386;
    eh->e_phoff = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 2;
    ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000, .p_paddr = 0x200000,
                          .p_filesz = 0x80, .p_memsz = 0x2000 };
    ph[1] = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = 20 };
    memcpy(im.b + 0x200, hdr, 12);
    memcpy(im.b + 0x20c, "Xen", 4);
    memcpy(im.b + 0x210, &entry, 4);
    memset(im.b + 0x1000, 0x5c, 0x80);
    im.len = 0x1080;
    cr_assert_eq(elf_load(&gm, im.b, im.len, &out, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(out.entry32, 0x200020);
    cr_expect_eq(out.load_high, 0x202000);
    cr_expect_eq(((uint8_t *)guest_mem_ptr(&gm, 0x200000, 1))[0], 0x5c);
    ((Elf32_Ehdr *)im.b)->e_machine = EM_ARM;
    cr_expect_eq(elf_load(&gm, im.b, im.len, &out, why, sizeof(why)), -ENOEXEC);
}
