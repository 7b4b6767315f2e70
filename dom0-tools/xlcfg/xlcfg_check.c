/* xlcfg_check.c: what the config names must exist on this host. Kept
 * apart from parsing so a config can be checked where it is written and
 * run where the files are. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xlcfg_int.h"

enum kind { KERNEL_FILE, DISK_TARGET };

/* One path: exists, is the right kind of file, and the effective user may
 * read it (and write it if `rw`). */
static int check_path(const struct xlcfg *cfg, char *err, size_t errlen, int line,
                      const char *key, const char *what, const char *path, enum kind kind,
                      bool rw)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        int e = errno;
        return xlcfg__errc(cfg, err, errlen, -e, line, key, "%s'%s': %s (give the path of %s)",
                           what, path, strerror(e),
                           kind == KERNEL_FILE ? "an existing file" :
                                                 "an existing image file or block device");
    }
    if (S_ISDIR(st.st_mode))
        return xlcfg__errc(cfg, err, errlen, -EISDIR, line, key,
                           "%s'%s' is a directory (give the path of %s)", what, path,
                           kind == KERNEL_FILE ? "a file in it" : "an image file or block device");
    if (kind == KERNEL_FILE ? !S_ISREG(st.st_mode) : !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return xlcfg__errc(cfg, err, errlen, -EINVAL, line, key,
                           "%s'%s' is not a %s", what, path,
                           kind == KERNEL_FILE ? "regular file (give the path of an image file)"
                                               : "regular file or block device");
    if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) < 0) {
        int e = errno;
        return xlcfg__errc(cfg, err, errlen, -e, line, key, "%s'%s' is not readable: %s "
                           "(fix its permissions or run as a user who may read it)",
                           what, path, strerror(e));
    }
    if (rw && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0) {
        int e = errno;
        return xlcfg__errc(cfg, err, errlen, -e, line, key, "%s'%s' is not writable: %s "
                           "(fix its permissions, or make the disk read-only with access=ro)",
                           what, path, strerror(e));
    }
    return 0;
}

int xlcfg_check_host(const struct xlcfg *cfg, char *err, size_t errlen)
{
    char what[32];
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!cfg)
        return -EINVAL;
    if ((rc = check_path(cfg, err, errlen, cfg->lines.kernel, "kernel", "", cfg->kernel,
                         KERNEL_FILE, false)))
        return rc;
    if (cfg->ramdisk[0] &&
        (rc = check_path(cfg, err, errlen, cfg->lines.ramdisk, "ramdisk", "", cfg->ramdisk,
                         KERNEL_FILE, false)))
        return rc;
    for (unsigned i = 0; i < cfg->nr_disks && i < XLCFG_MAX_DISKS; i++) {
        const struct xlcfg_disk *d = &cfg->disks[i];
        if (d->cdrom && !d->target[0])
            continue;   /* an empty drive */
        snprintf(what, sizeof(what), "entry %u: ", i + 1);
        if ((rc = check_path(cfg, err, errlen, d->line, "disk", what, d->target, DISK_TARGET,
                             !d->readonly)))
            return rc;
    }
    return 0;
}
