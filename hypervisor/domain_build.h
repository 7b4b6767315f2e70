/* domain_build.h: turn a created domain into a bootable one: load the
 * kernel and initrd, write the start page, set vCPU 0's entry state. */
#ifndef PVHV_DOMAIN_BUILD_H
#define PVHV_DOMAIN_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

/*
 * Load the ELF kernel read from `kernel_fd` (and, if `ramdisk_fd` >= 0, an
 * initrd) into `d`, which must never have run. `cmdline` is NUL-terminated
 * and at most PVHV_CMDLINE_MAX bytes with the NUL.
 * Returns 0; -EBUSY if the domain already ran or was loaded; -EBADF/-EIO if
 * a file cannot be read; -E2BIG if a file or the command line is too large;
 * -ENOMEM if the initrd does not fit; -ENOEXEC for a bad kernel. On error a
 * one-line reason is in `why` and the domain is left as it was (loadable).
 */
int domain_load_kernel(struct domain *d, int kernel_fd, int ramdisk_fd,
                       const char *cmdline, char *why, size_t why_len);

/*
 * Write the start page (hvm_start_info, pvhv_platform_info), the command
 * line, the memory map, the module list and the hypercall page into `d`'s
 * special pages. `initrd_gpa`/`initrd_len` describe the initrd (len 0: none).
 */
void start_info_build(struct domain *d, const char *cmdline,
                      uint64_t initrd_gpa, uint64_t initrd_len);

#endif
