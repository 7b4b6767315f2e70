/* records.c: the xenstore records of a domain, laid out as xl lays them
 * out (a guest written for Xen finds its store and console rings, its
 * name and its writable directories where it expects them), and the
 * configs pvctl keeps to restart domains. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <pvhv/hvm/params.h>

#include "pvctl.h"

/* Guest-writable directories under /local/domain/N (as libxl makes them). */
static const char *const rw_dirs[] = {
    "data", "drivers", "feature", "attr", "error", "control/shutdown",
    "control/feature-poweroff", "control/feature-reboot", "control/feature-suspend",
    "control/sysrq",
};
/* Directories the guest may read but not write. */
static const char *const ro_dirs[] = { "cpu", "memory", "device", "control", "store", "console" };

static int write_once(struct session *s, uint32_t domid, const struct xlcfg *cfg,
                      const char *uuid, const uint64_t params[4])
{
    struct xs_txn r = { .xs = s->xs, .ok = true };
    char dom[64], vm[128], buf[256];

    snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
    snprintf(vm, sizeof(vm), "/vm/%s", uuid);
    r.t = xs_transaction_start(s->xs);
    if (r.t == XBT_NULL)
        return -errno;

    /* dom0 owns the domain's directory; the guest reads it. */
    txn_put(&r, "", "%s", dom);
    txn_perms(&r, dom, 0, domid);
    txn_put(&r, "", "%s", vm);
    txn_perms(&r, vm, 0, domid);
    for (size_t i = 0; i < sizeof(ro_dirs) / sizeof(ro_dirs[0]); i++) {
        snprintf(buf, sizeof(buf), "%s/%s", dom, ro_dirs[i]);
        txn_put(&r, "", "%s", buf);
        txn_perms(&r, buf, 0, domid);
    }
    for (size_t i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++) {
        snprintf(buf, sizeof(buf), "%s/%s", dom, rw_dirs[i]);
        txn_put(&r, "", "%s", buf);
        txn_perms(&r, buf, domid, domid);
    }
    txn_put(&r, cfg->name, "%s/name", dom);
    snprintf(buf, sizeof(buf), "%u", domid);
    txn_put(&r, buf, "%s/domid", dom);
    txn_put(&r, vm, "%s/vm", dom);
    for (unsigned i = 0; i < cfg->vcpus; i++)
        txn_put(&r, "online", "%s/cpu/%u/availability", dom, i);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cfg->maxmem_mib * 1024);
    txn_put(&r, buf, "%s/memory/static-max", dom);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cfg->memory_mib * 1024);
    txn_put(&r, buf, "%s/memory/target", dom);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)params[0]);
    txn_put(&r, buf, "%s/store/ring-ref", dom);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)params[1]);
    txn_put(&r, buf, "%s/store/port", dom);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)params[2]);
    txn_put(&r, buf, "%s/console/ring-ref", dom);
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)params[3]);
    txn_put(&r, buf, "%s/console/port", dom);
    txn_put(&r, "1048576", "%s/console/limit", dom);
    txn_put(&r, "xenconsoled", "%s/console/type", dom);
    txn_put(&r, "pty", "%s/console/output", dom);

    txn_put(&r, uuid, "%s/uuid", vm);
    txn_put(&r, cfg->name, "%s/name", vm);
    snprintf(buf, sizeof(buf), "%lld", (long long)time(NULL));
    txn_put(&r, buf, "%s/start_time", vm);
    txn_put(&r, cfg->type, "%s/image/ostype", vm);
    for (unsigned i = 0; i < cfg->nr_disks; i++)
        if (!cfg->disks[i].emulated) /* pvhv's own: no split driver, no records */
            disk_records(&r, domid, &cfg->disks[i]);
    for (unsigned i = 0; i < cfg->nr_vifs; i++)
        vif_records(&r, domid, cfg->uuid, i, &cfg->vifs[i]);

    if (!r.ok) {
        int e = errno;
        xs_transaction_end(s->xs, r.t, true);
        return -(e ? e : EIO);
    }
    if (!xs_transaction_end(s->xs, r.t, false))
        return -errno;
    return 0;
}

int records_write(struct session *s, uint32_t domid, const struct xlcfg *cfg)
{
    static const uint32_t idx[4] = { HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
                                     HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN };
    uint64_t params[4];
    char uuid[37];
    int r = 0;

    if (!s->xs) {
        errmsg("xenstore is not running in %s: cannot write the domain's records",
               s->rundir);
        return -ENOTCONN;
    }
    for (int i = 0; i < 4 && r == 0; i++)
        r = pvctrl_hvm_param_get(s->ctl, domid, idx[i], &params[i]);
    if (r < 0) {
        errmsg("cannot read domain %u's ring parameters: %s", domid, strerror(-r));
        return r;
    }
    uuid_unparse_lower(cfg->uuid, uuid);
    /* Another writer may race us (EAGAIN): retry the transaction. */
    for (int tries = 0; tries < 10; tries++) {
        r = write_once(s, domid, cfg, uuid, params);
        if (r != -EAGAIN)
            break;
    }
    if (r < 0) {
        errmsg("cannot write domain %u's xenstore records: %s", domid, strerror(-r));
        return r;
    }
    if (!xs_introduce_domain(s->xs, domid, (unsigned long)params[0], (unsigned)params[1])) {
        r = -errno;
        errmsg("xenstore refused to introduce domain %u: %s", domid, strerror(errno));
        return r;
    }
    return 0;
}

void records_remove(struct session *s, uint32_t domid)
{
    char path[64];
    unsigned n;

    if (!s->xs)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    char *vm = xs_read(s->xs, XBT_NULL, path, &n);
    if (vm && !strncmp(vm, "/vm/", 4))
        xs_rm(s->xs, XBT_NULL, vm);
    free(vm);
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xs_rm(s->xs, XBT_NULL, path);
    /* The backends' halves: their daemons see them go and let go. */
    snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", domid);
    xs_rm(s->xs, XBT_NULL, path);
    snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
    xs_rm(s->xs, XBT_NULL, path);
    xs_release_domain(s->xs, domid); /* fails harmlessly if never introduced */
}

int records_rename(struct session *s, uint32_t domid, const char *name)
{
    char path[64];
    unsigned n;

    if (!s->xs) {
        errmsg("xenstore is not running in %s: names live there", s->rundir);
        return -ENOTCONN;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    char *vm = xs_read(s->xs, XBT_NULL, path, &n);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    bool ok = xs_write(s->xs, XBT_NULL, path, name, (unsigned)strlen(name));
    if (ok && vm && !strncmp(vm, "/vm/", 4)) {
        char vpath[256];
        snprintf(vpath, sizeof(vpath), "%s/name", vm);
        ok = xs_write(s->xs, XBT_NULL, vpath, name, (unsigned)strlen(name));
    }
    free(vm);
    return ok ? 0 : -errno;
}

/* ---- saved configs ------------------------------------------------------ */

static void config_path(const struct session *s, const uint8_t uuid[16], char *out,
                        size_t len)
{
    char u[37];

    uuid_unparse_lower(uuid, u);
    snprintf(out, len, "%s/domains/%s.cfg", s->rundir, u);
}

int config_save(struct session *s, const uint8_t uuid[16], const char *text)
{
    char dir[4200], path[4300], tmp[4400];
    size_t len = strlen(text);

    snprintf(dir, sizeof(dir), "%s/domains", s->rundir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    config_path(s, uuid, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, len);
    int r = (n == (ssize_t)len && fsync(fd) == 0) ? 0 : -EIO;
    close(fd);
    /* Renamed into place: a crash never leaves half a config. */
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    return r;
}

int config_load(struct session *s, const uint8_t uuid[16], char **text)
{
    char path[4300];
    struct stat st;
    int fd, r = 0;

    config_path(s, uuid, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || st.st_size > (1 << 20)) {
        close(fd);
        return -EINVAL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    ssize_t n = read(fd, buf, (size_t)st.st_size);
    if (n != st.st_size)
        r = -EIO;
    close(fd);
    if (r < 0) {
        free(buf);
        return r;
    }
    buf[n] = 0;
    *text = buf;
    return 0;
}

void config_remove(struct session *s, const uint8_t uuid[16])
{
    char path[4300];

    config_path(s, uuid, path, sizeof(path));
    unlink(path);
}
