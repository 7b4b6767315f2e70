/* disks.c: virtual block devices: their xenstore records (the split
 * driver's meeting point: the frontend's under the guest, the backend's
 * under dom0, each naming the other), and block-attach, -detach, -list. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "pvctl.h"

/* Letters after the prefix, as bijective base 26 (a = 0, z = 25, aa = 26). */
static int disk_index(const char *s, unsigned *index)
{
    unsigned n = 0;

    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < 'a' || *s > 'z' || n > (1u << 20))
            return -EINVAL;
        n = n * 26 + (unsigned)(*s - 'a') + 1;
    }
    *index = n - 1;
    return 0;
}

int vbd_devid(const char *vdev, uint32_t *devid)
{
    unsigned disk;
    char *end;

    if (!strncmp(vdev, "xvd", 3) || !strncmp(vdev, "sd", 2)) {
        bool xvd = vdev[0] == 'x';
        if (disk_index(vdev + (xvd ? 3 : 2), &disk) < 0)
            return -EINVAL;
        if (disk < 16)
            *devid = ((xvd ? 202u : 8u) << 8) | (disk << 4);
        else if (disk < (1u << 20))
            *devid = (1u << 28) | (disk << 8);
        else
            return -EINVAL;
        return 0;
    }
    if (!strncmp(vdev, "hd", 2)) {
        /* IDE: hda/hdb on major 3, hdc/hdd on major 22, 64 minors each. */
        static const uint32_t ide[4] = { 3u << 8, (3u << 8) | 64, 22u << 8, (22u << 8) | 64 };
        if (disk_index(vdev + 2, &disk) < 0 || disk > 3)
            return -EINVAL;
        *devid = ide[disk];
        return 0;
    }
    unsigned long n = strtoul(vdev, &end, 10);
    if (!*vdev || *end || n == 0 || n > UINT32_MAX)
        return -EINVAL;
    *devid = (uint32_t)n;
    return 0;
}

void disk_records(struct xs_txn *t, uint32_t domid, const struct xlcfg_disk *d)
{
    char fe[128], be[128], path[PATH_MAX], id[16];
    const char *type = "file", *params = d->target;
    uint32_t devid;
    struct stat st;

    if (vbd_devid(d->vdev, &devid) < 0) {
        t->ok = false;
        errno = EINVAL;
        return;
    }
    if (d->target[0] && realpath(d->target, path))
        params = path;
    if (d->target[0] && stat(params, &st) == 0 && S_ISBLK(st.st_mode))
        type = "phy";
    device_dirs(t, domid, "vbd", devid, fe, be);
    snprintf(id, sizeof(id), "%u", devid);
    txn_put(t, id, "%s/virtual-device", fe);
    txn_put(t, d->cdrom ? "cdrom" : "disk", "%s/device-type", fe);
    txn_put(t, params, "%s/params", be);
    txn_put(t, d->readonly ? "r" : "w", "%s/mode", be);
    txn_put(t, type, "%s/type", be);
    txn_put(t, d->vdev, "%s/dev", be);
    txn_put(t, d->cdrom ? "cdrom" : "disk", "%s/device-type", be);
    txn_put(t, d->cdrom ? "1" : "0", "%s/removable", be);
    txn_put(t, "1", "%s/bootable", be);
    txn_put(t, d->format, "%s/format", be);
}

unsigned disks_pv_count(const struct xlcfg *cfg)
{
    unsigned n = 0;

    for (unsigned i = 0; i < cfg->nr_disks; i++)
        n += !cfg->disks[i].emulated;
    return n;
}

int disks_attach_emulated(struct session *s, uint32_t domid, const struct xlcfg *cfg)
{
    char why[512], where[4200];

    for (unsigned i = 0; i < cfg->nr_disks; i++) {
        const struct xlcfg_disk *d = &cfg->disks[i];
        if (!d->emulated)
            continue;
        int r = pvctrl_emul_disk_attach(s->ctl, domid, d->target,
                                        d->readonly ? PVHV_EMUL_DISK_F_READONLY : 0, why,
                                        sizeof(why));
        if (r < 0) {
            cfgerr("%s: disk: pvhv cannot attach %s as the emulated disk: %s",
                   xlcfg_where(cfg, d->line, where, sizeof(where)), d->target, why);
            return r;
        }
    }
    return 0;
}

static void disk_records_of(struct xs_txn *t, uint32_t domid, const void *d)
{
    disk_records(t, domid, d);
}

int cmd_block_attach(struct session *s, int argc, char **argv)
{
    struct xlcfg_disk d;
    char err[1024];
    uint32_t domid, devid;
    int r = device_args(s, argc, argv, 2, &domid);

    if (r >= 0)
        return r;
    if (xlcfg_parse_disk("block-attach", argv[optind + 1], &d, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_FAILURE;
    }
    if (d.emulated) {
        errmsg("block-attach: a backendtype=emulated disk is given at create only (pvhv "
               "cannot hot-plug it); drop backendtype for a PV disk");
        return EXIT_FAILURE;
    }
    if (vbd_devid(d.vdev, &devid) < 0) {
        errmsg("block-attach: '%s' is not a virtual device name", d.vdev);
        return EXIT_FAILURE;
    }
    if (d.target[0] && access(d.target, d.readonly ? R_OK : R_OK | W_OK) < 0) {
        errmsg("block-attach: %s: %s", d.target, strerror(errno));
        return EXIT_FAILURE;
    }
    char *have = xs_readf(s, "/local/domain/%u/device/vbd/%u/backend", domid, devid);
    free(have);
    if (have) {
        errmsg("block-attach: domain %u already has a %s (device %u)", domid, d.vdev, devid);
        return EXIT_FAILURE;
    }
    if (host_need_backend(s, "pvblkback") < 0)
        return EXIT_FAILURE;
    r = device_commit(s, domid, disk_records_of, &d);
    if (r < 0) {
        errmsg("block-attach: cannot write the device's records: %s", strerror(-r));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int cmd_block_detach(struct session *s, int argc, char **argv)
{
    uint32_t domid, devid;
    int r = device_args(s, argc, argv, 2, &domid);

    if (r >= 0)
        return r;
    if (vbd_devid(argv[optind + 1], &devid) < 0) {
        errmsg("block-detach: '%s' is not a virtual device name or number", argv[optind + 1]);
        return EXIT_FAILURE;
    }
    return device_detach(s, domid, "vbd", devid, argv[optind + 1]) < 0 ? EXIT_FAILURE
                                                                      : EXIT_SUCCESS;
}

int cmd_block_list(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    unsigned n = 0;
    char dir[64];
    int r = device_args(s, argc, argv, 1, &domid);

    if (r >= 0)
        return r;
    snprintf(dir, sizeof(dir), "/local/domain/%u/device/vbd", domid);
    char **ids = xs_directory(s->xs, XBT_NULL, dir, &n);
    printf("%-10s %-3s %-6s %-5s %-6s %-8s %s\n", "Vdev", "BE", "handle", "state", "evt-ch",
           "ring-ref", "BE-path");
    for (unsigned i = 0; i < n; i++) {
        char *be = xs_readf(s, "%s/%s/backend", dir, ids[i]);
        char *st = xs_readf(s, "%s/%s/state", dir, ids[i]);
        char *ev = xs_readf(s, "%s/%s/event-channel", dir, ids[i]);
        char *rr = xs_readf(s, "%s/%s/ring-ref", dir, ids[i]);
        if (!rr)
            rr = xs_readf(s, "%s/%s/ring-ref0", dir, ids[i]);
        char *dev = be ? xs_readf(s, "%s/dev", be) : NULL;
        printf("%-10s %-3s %-6s %-5s %-6s %-8s %s\n", dev ? dev : ids[i], "0", ids[i],
               st ? st : "-", ev ? ev : "-1", rr ? rr : "-1", be ? be : "-");
        free(be);
        free(st);
        free(ev);
        free(rr);
        free(dev);
    }
    free(ids);
    return EXIT_SUCCESS;
}
