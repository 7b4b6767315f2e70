/* elf_loader.h: load a PVH kernel (ELF64 or ELF32 with Xen's PHYS32_ENTRY
 * note) into guest memory. */
#ifndef PVHV_ELF_LOADER_H
#define PVHV_ELF_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

struct elf_image {
    uint64_t entry32;   /* XEN_ELFNOTE_PHYS32_ENTRY: 32-bit PVH entry */
    uint64_t load_low;  /* lowest guest-physical byte loaded */
    uint64_t load_high; /* one past the highest (memsz counted) */
};

/* Largest kernel file pvhv reads. */
#define ELF_MAX_FILE (256u << 20)

/*
 * Check `image` (the whole file, `len` bytes) and copy its PT_LOAD segments
 * to their physical addresses in `gm`, zeroing each segment's bss.
 *
 * Refused with -ENOEXEC, and a one-line reason in `why` (size `why_len`):
 * not ELF, wrong class/machine/type, truncated headers or segments, filesz
 * above memsz, overlapping segments, a segment outside guest RAM (or over
 * pvhv's special pages), no PT_LOAD, no Xen PHYS32_ENTRY note, an entry
 * outside the loaded image. Nothing is written to guest memory unless every
 * check passed.
 */
int elf_load(struct guest_mem *gm, const uint8_t *image, size_t len,
             struct elf_image *out, char *why, size_t why_len);

#endif
