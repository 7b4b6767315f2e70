/* domain_build.c: load a kernel and initrd into a new domain and set up
 * vCPU 0 to enter it the PVH way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/pvhv_platform.h>

#include "domain_build.h"
#include "elf_loader.h"
#include "log.h"
#include "vcpu.h"

/* Largest initrd pvhv reads. */
#define INITRD_MAX (1024u << 20)

/* Read a whole file from `fd` (any position). Returns 0, -EBADF, -EIO or
 * -E2BIG; *buf is malloc'd. */
static int slurp(int fd, size_t max, uint8_t **buf, size_t *len)
{
    struct stat st;
    uint8_t *p;
    size_t got = 0;

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return -EBADF;
    if ((uint64_t)st.st_size > max)
        return -E2BIG;
    p = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!p)
        return -ENOMEM;
    while (got < (size_t)st.st_size) {
        ssize_t n = pread(fd, p + got, (size_t)st.st_size - got, (off_t)got);
        if (n <= 0) {
            free(p);
            return -EIO;
        }
        got += (size_t)n;
    }
    *buf = p;
    *len = got;
    return 0;
}

int domain_load_kernel(struct domain *d, int kernel_fd, int ramdisk_fd,
                       const char *cmdline, char *why, size_t why_len)
{
    struct elf_image img;
    uint8_t *kernel = NULL, *initrd = NULL;
    size_t klen = 0, ilen = 0;
    uint64_t initrd_gpa = 0;
    int r;

    snprintf(why, why_len, "ok");
    pthread_mutex_lock(&d->lock);
    bool busy = d->started || d->kernel_loaded;
    pthread_mutex_unlock(&d->lock);
    if (busy) {
        snprintf(why, why_len, "domain %u already has a kernel", d->domid);
        return -EBUSY;
    }
    if (d->mem.low_bytes <= 0x100000) {
        /* The boot pages live below 1 MiB (pvhv_platform.h). */
        snprintf(why, why_len, "domain %u has %lu KiB of RAM: a kernel needs more than 1 MiB",
                 d->domid, (unsigned long)(d->mem.low_bytes >> 10));
        return -ENOMEM;
    }
    if (strlen(cmdline) >= PVHV_CMDLINE_MAX) {
        snprintf(why, why_len, "command line longer than %d bytes", PVHV_CMDLINE_MAX - 1);
        return -E2BIG;
    }
    r = slurp(kernel_fd, ELF_MAX_FILE, &kernel, &klen);
    if (r < 0) {
        snprintf(why, why_len, "cannot read the kernel: %s", strerror(-r));
        return r;
    }
    if (ramdisk_fd >= 0) {
        r = slurp(ramdisk_fd, INITRD_MAX, &initrd, &ilen);
        if (r < 0) {
            snprintf(why, why_len, "cannot read the ramdisk: %s", strerror(-r));
            free(kernel);
            return r;
        }
    }

    /* Guest RAM is all zero until now, so a refused kernel leaves no trace
     * (elf_load writes only after all its checks). */
    r = elf_load(&d->mem, kernel, klen, &img, why, why_len);
    free(kernel);
    if (r < 0) {
        free(initrd);
        return r;
    }
    if (ilen) {
        /* The initrd goes at the top of low RAM, page aligned, above the
         * kernel (as Linux loaders place it). */
        uint64_t top = d->mem.low_bytes;
        uint64_t size = (ilen + 4095) & ~4095ULL;
        if (size > top || top - size < ((img.load_high + 4095) & ~4095ULL)) {
            snprintf(why, why_len, "the ramdisk (%zu bytes) does not fit above the kernel "
                     "in %lu MiB of RAM", ilen, (unsigned long)(top >> 20));
            memset(guest_mem_ptr(&d->mem, 0, d->mem.low_bytes), 0, d->mem.low_bytes);
            free(initrd);
            return -ENOMEM;
        }
        initrd_gpa = top - size;
        memcpy(guest_mem_ptr(&d->mem, initrd_gpa, ilen), initrd, ilen);
        free(initrd);
    }
    start_info_build(d, cmdline, initrd_gpa, ilen);

    pthread_mutex_lock(&d->lock);
    d->entry32 = img.entry32;
    vcpu_pvh_entry_state(&d->vcpus[0].boot, img.entry32, PVHV_START_INFO_GPA);
    d->vcpus[0].boot_pending = true;
    d->kernel_loaded = true;
    pthread_mutex_unlock(&d->lock);
    log_info("domain %u: kernel loaded at 0x%lx..0x%lx, entry 0x%lx%s", d->domid,
             (unsigned long)img.load_low, (unsigned long)img.load_high,
             (unsigned long)img.entry32, ilen ? ", with initrd" : "");
    return 0;
}
