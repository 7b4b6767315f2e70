/* elf_loader.c: load a PVH kernel (ELF64 or ELF32 with Xen's PHYS32_ENTRY
 * note) into guest memory. The file is hostile: every offset is checked
 * before use, and the guest is written only after every check passed. */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pvhv/elfnote.h>
#include <pvhv/pvhv_platform.h>

#include "elf_loader.h"

#define MAX_PHDRS 64

/* A program header, either class. */
struct phdr {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
};

static int refuse(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why && why_len) {
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -ENOEXEC;
}

/* Is [off, off + size) inside a file of `len` bytes? */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

static int read_phdrs(const uint8_t *img, size_t len, struct phdr *ph,
                      unsigned *nph, char *why, size_t why_len)
{
    uint64_t phoff, phentsize, phnum;
    bool is64 = img[EI_CLASS] == ELFCLASS64;

    if (is64) {
        Elf64_Ehdr eh;
        if (len < sizeof(eh))
            return refuse(why, why_len, "truncated ELF header");
        memcpy(&eh, img, sizeof(eh));
        if (eh.e_machine != EM_X86_64)
            return refuse(why, why_len, "ELF64 machine %u is not x86_64", eh.e_machine);
        if (eh.e_type != ET_EXEC)
            return refuse(why, why_len, "ELF type %u is not an executable", eh.e_type);
        phoff = eh.e_phoff, phentsize = eh.e_phentsize, phnum = eh.e_phnum;
        if (phentsize != sizeof(Elf64_Phdr))
            return refuse(why, why_len, "bad program header size %lu", (unsigned long)phentsize);
    } else {
        Elf32_Ehdr eh;
        if (len < sizeof(eh))
            return refuse(why, why_len, "truncated ELF header");
        memcpy(&eh, img, sizeof(eh));
        if (eh.e_machine != EM_386 && eh.e_machine != EM_X86_64)
            return refuse(why, why_len, "ELF32 machine %u is not x86", eh.e_machine);
        if (eh.e_type != ET_EXEC)
            return refuse(why, why_len, "ELF type %u is not an executable", eh.e_type);
        phoff = eh.e_phoff, phentsize = eh.e_phentsize, phnum = eh.e_phnum;
        if (phentsize != sizeof(Elf32_Phdr))
            return refuse(why, why_len, "bad program header size %lu", (unsigned long)phentsize);
    }
    if (phnum == 0)
        return refuse(why, why_len, "no program headers");
    if (phnum > MAX_PHDRS)
        return refuse(why, why_len, "%lu program headers, at most %d accepted",
                      (unsigned long)phnum, MAX_PHDRS);
    if (!in_file(phoff, phnum * phentsize, len))
        return refuse(why, why_len, "program headers run past the end of the file");

    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *p = img + phoff + i * phentsize;
        if (is64) {
            Elf64_Phdr h;
            memcpy(&h, p, sizeof(h));
            ph[i] = (struct phdr){ h.p_type, h.p_offset, h.p_paddr, h.p_filesz, h.p_memsz };
        } else {
            Elf32_Phdr h;
            memcpy(&h, p, sizeof(h));
            ph[i] = (struct phdr){ h.p_type, h.p_offset, h.p_paddr, h.p_filesz, h.p_memsz };
        }
    }
    *nph = (unsigned)phnum;
    return 0;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Look for the Xen PHYS32_ENTRY note in one PT_NOTE segment. */
static int find_entry_note(const uint8_t *seg, uint64_t size, uint64_t *entry)
{
    uint64_t off = 0;

    while (size - off >= 12) {
        uint32_t namesz = rd32(seg + off), descsz = rd32(seg + off + 4);
        uint32_t type = rd32(seg + off + 8);
        uint64_t name_al = ((uint64_t)namesz + 3) & ~3ULL;
        uint64_t desc_al = ((uint64_t)descsz + 3) & ~3ULL;
        off += 12;
        if (name_al > size - off || desc_al > size - off - name_al)
            return -1; /* malformed: stop scanning this segment */
        const uint8_t *name = seg + off, *desc = seg + off + name_al;
        if (namesz == 4 && memcmp(name, "Xen", 4) == 0 &&
            type == XEN_ELFNOTE_PHYS32_ENTRY) {
            if (descsz == 4)
                *entry = rd32(desc);
            else if (descsz == 8)
                memcpy(entry, desc, 8);
            else
                return -1;
            return 1;
        }
        off += name_al + desc_al;
    }
    return 0;
}

int elf_load(struct guest_mem *gm, const uint8_t *img, size_t len,
             struct elf_image *out, char *why, size_t why_len)
{
    struct phdr ph[MAX_PHDRS];
    unsigned nph = 0, nload = 0;
    uint64_t entry = 0, low = UINT64_MAX, high = 0;
    bool have_entry = false;
    int r;

    if (len < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0)
        return refuse(why, why_len, "not an ELF file");
    if (img[EI_CLASS] != ELFCLASS64 && img[EI_CLASS] != ELFCLASS32)
        return refuse(why, why_len, "unknown ELF class %u", img[EI_CLASS]);
    if (img[EI_DATA] != ELFDATA2LSB)
        return refuse(why, why_len, "not a little-endian ELF file");
    r = read_phdrs(img, len, ph, &nph, why, why_len);
    if (r < 0)
        return r;

    for (unsigned i = 0; i < nph; i++) {
        const struct phdr *p = &ph[i];
        if (p->type == PT_NOTE) {
            if (!in_file(p->offset, p->filesz, len))
                return refuse(why, why_len, "note segment %u runs past the end of the file", i);
            if (!have_entry) {
                int found = find_entry_note(img + p->offset, p->filesz, &entry);
                if (found < 0)
                    return refuse(why, why_len, "malformed note in segment %u", i);
                have_entry = found == 1;
            }
            continue;
        }
        if (p->type != PT_LOAD)
            continue;
        nload++;
        if (p->filesz > p->memsz)
            return refuse(why, why_len, "segment %u: file size 0x%lx above memory size 0x%lx",
                          i, (unsigned long)p->filesz, (unsigned long)p->memsz);
        if (!in_file(p->offset, p->filesz, len))
            return refuse(why, why_len, "segment %u runs past the end of the file (truncated?)", i);
        if (p->memsz == 0)
            continue;
        if (p->paddr + p->memsz < p->paddr ||
            !guest_mem_ptr(gm, p->paddr, p->memsz) ||
            !guest_mem_is_ram(gm, p->paddr >> 12) ||
            !guest_mem_is_ram(gm, (p->paddr + p->memsz - 1) >> 12))
            return refuse(why, why_len,
                          "segment %u at 0x%lx..0x%lx is outside guest RAM (0x%lx bytes)",
                          i, (unsigned long)p->paddr,
                          (unsigned long)(p->paddr + p->memsz),
                          (unsigned long)gm->ram_bytes);
        if (p->paddr < 0x100000 && p->paddr + p->memsz > PVHV_BOOT_PAGES_GPA)
            return refuse(why, why_len,
                          "segment %u at 0x%lx..0x%lx overlaps pvhv's boot pages "
                          "(0x%lx..0x100000)", i, (unsigned long)p->paddr,
                          (unsigned long)(p->paddr + p->memsz),
                          (unsigned long)PVHV_BOOT_PAGES_GPA);
        for (unsigned j = 0; j < i; j++) {
            const struct phdr *q = &ph[j];
            if (q->type != PT_LOAD || q->memsz == 0)
                continue;
            if (p->paddr < q->paddr + q->memsz && q->paddr < p->paddr + p->memsz)
                return refuse(why, why_len, "segments %u and %u overlap at 0x%lx", j, i,
                              (unsigned long)(p->paddr > q->paddr ? p->paddr : q->paddr));
        }
        if (p->paddr < low)
            low = p->paddr;
        if (p->paddr + p->memsz > high)
            high = p->paddr + p->memsz;
    }
    if (nload == 0 || high == 0)
        return refuse(why, why_len, "no loadable segment");
    if (!have_entry)
        return refuse(why, why_len,
                      "no Xen PHYS32_ENTRY note (type %d): not a PVH kernel",
                      XEN_ELFNOTE_PHYS32_ENTRY);
    if (entry < low || entry >= high || entry > 0xffffffffULL)
        return refuse(why, why_len, "PVH entry 0x%lx is outside the loaded image",
                      (unsigned long)entry);

    /* Every check passed: now write the guest. */
    for (unsigned i = 0; i < nph; i++) {
        const struct phdr *p = &ph[i];
        if (p->type != PT_LOAD || p->memsz == 0)
            continue;
        uint8_t *dst = guest_mem_ptr(gm, p->paddr, p->memsz);
        memcpy(dst, img + p->offset, p->filesz);
        memset(dst + p->filesz, 0, p->memsz - p->filesz);
    }
    out->entry32 = entry;
    out->load_low = low;
    out->load_high = high;
    return 0;
}
