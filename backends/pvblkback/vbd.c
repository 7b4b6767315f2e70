/* vbd.c: one virtual block device: its record, its backing file or block
 * device, and connecting and disconnecting its ring. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenstore.h>

#include "log.h"
#include "pvblkback.h"
#include "pvctrl.h"

struct vbd *vbd_find(struct blkback *bb, uint32_t domid, uint32_t devid)
{
    for (struct vbd *v = bb->vbds; v; v = v->next)
        if (v->domid == domid && v->devid == devid)
            return v;
    return NULL;
}

struct vbd *vbd_by_fpath(struct blkback *bb, const char *path, size_t len)
{
    for (struct vbd *v = bb->vbds; v; v = v->next)
        if (v->fpath[0] && strlen(v->fpath) == len && !memcmp(v->fpath, path, len))
            return v;
    return NULL;
}

struct vbd *vbd_new(struct blkback *bb, uint32_t domid, uint32_t devid)
{
    struct vbd *v = calloc(1, sizeof(*v));

    if (!v)
        return NULL;
    v->domid = domid;
    v->devid = devid;
    snprintf(v->bpath, sizeof(v->bpath), "%s/%u/%u", BB_BACKEND_ROOT, domid, devid);
    v->fd = -1;
    v->local_port = -1;
    v->closing_to = -1;
    v->discard_enable = true;
    v->online = true;
    v->next = bb->vbds;
    bb->vbds = v;
    return v;
}

/* Can this descriptor do O_DIRECT I/O in 512-byte units at 512-byte
 * aligned addresses (what blkif segments give)? */
static bool direct_works(int fd)
{
    void *buf = NULL;
    bool ok;

    if (posix_memalign(&buf, 4096, 8192) != 0)
        return false;
    ok = pread(fd, (char *)buf + 512, 512, 0) >= 0 || errno != EINVAL;
    free(buf);
    return ok;
}

int vbd_open_backing(struct vbd *v)
{
    int flags = (v->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    struct stat st;
    uint64_t bytes = 0;
    int fd, r;

    if (!v->params || v->params[0] != '/')
        return -EINVAL;
    v->direct = true;
    fd = open(v->params, flags | O_DIRECT);
    if (fd >= 0 && !direct_works(fd)) {
        close(fd);
        fd = -1;
        errno = EINVAL;
    }
    if (fd < 0 && errno == EINVAL) {
        v->direct = false;
        fd = open(v->params, flags);
    }
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    v->blkdev = S_ISBLK(st.st_mode);
    if (v->blkdev) {
        int lbs = 512, pbs = 512;
        if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            r = -errno;
            close(fd);
            return r;
        }
        if (ioctl(fd, BLKSSZGET, &lbs) < 0)
            lbs = 512;
        if (ioctl(fd, BLKPBSZGET, &pbs) < 0)
            pbs = lbs;
        if (lbs > 512 && v->direct) {
            /* Segments come in 512-byte units: O_DIRECT would refuse them. */
            close(fd);
            v->direct = false;
            fd = open(v->params, flags);
            if (fd < 0)
                return -errno;
        }
        v->phys_sector_size = pbs >= 512 && pbs <= 65536 ? (unsigned)pbs : 512;
        v->discard_granularity = v->phys_sector_size;
    } else if (S_ISREG(st.st_mode)) {
        bytes = (uint64_t)st.st_size;
        unsigned bs = st.st_blksize >= 512 && st.st_blksize <= 4096 ? (unsigned)st.st_blksize
                                                                     : 4096;
        v->phys_sector_size = bs;
        v->discard_granularity = bs;
    } else {
        close(fd);
        return -EINVAL; /* neither a file nor a block device */
    }
    v->fd = fd;
    v->sectors = bytes / 512;
    v->can_discard = !v->readonly && v->discard_enable;
    log_info("vbd %u/%u: %s: %llu sectors, %s%s%s", v->domid, v->devid, v->params,
             (unsigned long long)v->sectors, v->readonly ? "read-only" : "read-write",
             v->direct ? ", O_DIRECT" : ", buffered", v->blkdev ? ", block device" : "");
    return 0;
}

/* The frontend's ring-ref nodes, as Linux's blkback reads them: with
 * ring-page-order, ring-ref0..ring-ref(2^order - 1); without it, ring-ref.
 * *n gets the page count. 0 or -errno (a fatal error is published for a
 * frontend's mistake). */
static int read_ring_refs(struct blkback *bb, struct vbd *v, uint32_t *refs, unsigned *n)
{
    unsigned order = 0;
    bool multi = false;
    char *s = xb_read_fe(bb, v, "ring-page-order");
    char *end;

    if (s) {
        errno = 0;
        unsigned long o = strtoul(s, &end, 10);
        bool bad = errno || end == s || *end || o > BB_MAX_RING_ORDER;
        free(s);
        if (bad) {
            xb_fatal(bb, v, -EINVAL, "ring-page-order must be 0..%d", BB_MAX_RING_ORDER);
            return -EINVAL;
        }
        order = (unsigned)o;
        multi = true;
    } else if (errno != ENOENT) {
        return -errno;
    }
    *n = 1u << order;
    for (unsigned i = 0; i < *n; i++) {
        char key[24];
        snprintf(key, sizeof(key), multi ? "ring-ref%u" : "ring-ref", i);
        char *ref = xb_read_fe(bb, v, key);
        if (!ref) {
            int e = errno;
            if (e == ENOENT)
                xb_fatal(bb, v, -ENOENT, "reading %s/%s", v->fpath, key);
            return -e;
        }
        errno = 0;
        unsigned long val = strtoul(ref, &end, 10);
        bool bad = errno || end == ref || *end || val > UINT32_MAX;
        free(ref);
        if (bad) {
            xb_fatal(bb, v, -EINVAL, "bad %s/%s", v->fpath, key);
            return -EINVAL;
        }
        refs[i] = (uint32_t)val;
    }
    return 0;
}

/* The other frontend nodes: event-channel, protocol, feature-persistent,
 * multi-queue-num-queues. 0 or -errno (a fatal error is published). */
static int read_fe_params(struct blkback *bb, struct vbd *v)
{
    char *s, *end;

    s = xb_read_fe(bb, v, "multi-queue-num-queues");
    if (s) {
        bool one = !strcmp(s, "1");
        free(s);
        if (!one) {
            xb_fatal(bb, v, -EINVAL, "multi-queue-num-queues must be 1 (one queue offered)");
            return -EINVAL;
        }
    }
    s = xb_read_fe(bb, v, "event-channel");
    if (!s) {
        int e = errno;
        if (e == ENOENT)
            xb_fatal(bb, v, -ENOENT, "reading %s/event-channel", v->fpath);
        return -e;
    }
    errno = 0;
    unsigned long port = strtoul(s, &end, 10);
    bool bad = errno || end == s || *end || port == 0 || port > UINT32_MAX;
    free(s);
    if (bad) {
        xb_fatal(bb, v, -EINVAL, "bad %s/event-channel", v->fpath);
        return -EINVAL;
    }
    v->remote_port = (uint32_t)port;
    s = xb_read_fe(bb, v, "protocol");
    if (s) {
        bool native = !strcmp(s, BB_PROTOCOL);
        if (!native)
            xb_fatal(bb, v, -EPROTONOSUPPORT, "unsupported protocol %.64s (only %s)", s,
                     BB_PROTOCOL);
        free(s);
        if (!native)
            return -EPROTONOSUPPORT;
    }
    s = xb_read_fe(bb, v, "feature-persistent");
    v->persistent = s && !strcmp(s, "1");
    free(s);
    return 0;
}

int vbd_connect(struct blkback *bb, struct vbd *v, bool resume)
{
    uint32_t refs[1u << BB_MAX_RING_ORDER];
    unsigned n = 0;
    int r;

    if (v->connected)
        return 0;
    if (!bb->host.ctl || bb->host_closing) {
        v->need_connect = true;
        return -EAGAIN; /* host_connect looks again */
    }
    v->need_connect = false;
    if ((r = read_fe_params(bb, v)) < 0 || (r = read_ring_refs(bb, v, refs, &n)) < 0)
        return r;
    r = grants_map_ring(bb, v, refs, n);
    if (r < 0) {
        if (r == -ESRCH) {
            v->domain_gone = true;
            return r;
        }
        if (bk_host_conn_error(r)) {
            host_lost(bb, r);
            v->need_connect = true;
            return -EAGAIN;
        }
        xb_fatal(bb, v, r, "mapping the ring (%u pages, first ref %u)", n, refs[0]);
        return r;
    }
    blkif_sring_t *sring = v->ring_addr;
    RING_IDX rsp = PVHV_RING_READ_IDX(sring->rsp_prod);
    /* As Linux's blkback: take the ring up where its responses stand. A
     * fresh ring is at 0; a ring taken over from a killed pvblkback has
     * requests consumed but not answered, which are served again (reads
     * and writes of the same data are idempotent). */
    BACK_RING_ATTACH(&v->ring, sring, rsp, XEN_PAGE_SIZE * n);
    if ((r = ring_pool_init(v)) < 0 || (v->persistent && (r = grants_pg_init(v, bb->max_pgrants)) < 0)) {
        ring_pool_free(v);
        grants_unmap_ring(bb, v);
        log_err("vbd %u/%u: %s", v->domid, v->devid, strerror(-r));
        return r;
    }
    v->broken = false;
    v->connected = true;
    host_bind(bb, v);
    log_info("vbd %u/%u: %s ring of %u page%s (%u slots), port %u, %s grants%s", v->domid,
             v->devid, resume ? "took over the" : "connected", n, n > 1 ? "s" : "",
             RING_SIZE(&v->ring), v->remote_port, v->persistent ? "persistent" : "copied",
             resume ? " (restarted daemon)" : "");
    return 0;
}

static void log_stats(struct vbd *v)
{
    log_info("vbd %u/%u: disconnected after %llu requests (%llu refused or failed), "
             "%llu bytes read, %llu written, %llu flushes, %llu discards; segments: %llu "
             "through persistent maps, %llu copied; %llu grant copy calls, %llu map calls, "
             "%llu maps recycled",
             v->domid, v->devid, (unsigned long long)v->n_req, (unsigned long long)v->n_err,
             (unsigned long long)v->n_rd_bytes, (unsigned long long)v->n_wr_bytes,
             (unsigned long long)v->n_flush, (unsigned long long)v->n_discard,
             (unsigned long long)v->n_seg_mapped, (unsigned long long)v->n_seg_copied,
             (unsigned long long)v->n_copy_calls, (unsigned long long)v->n_map_calls,
             (unsigned long long)v->n_evicted);
}

bool vbd_disconnect(struct blkback *bb, struct vbd *v, int target)
{
    if (target > v->closing_to)
        v->closing_to = target;
    if (!v->closing) {
        v->closing = true;
        ring_cancel_barrier(v); /* a barrier still waiting never starts */
        ring_push(bb, v);
    }
    return vbd_drained(bb, v);
}

bool vbd_drained(struct blkback *bb, struct vbd *v)
{
    if (v->inflight > 0 || v->barrier || v->copyout)
        return false;
    if (v->ring_addr) {
        ring_push(bb, v);
        ring_pool_free(v); /* before the persistent maps its requests held */
        grants_pg_free(bb, v);
        grants_unmap_ring(bb, v);
        host_unbind(bb, v);
        if (v->connected)
            log_stats(v);
        v->connected = false;
    }
    if (v->closing) {
        int t = v->closing_to;
        v->closing = false;
        v->closing_to = -1;
        if (!v->removed && t >= XenbusStateClosing) {
            if (v->state != XenbusStateClosing && v->state != XenbusStateClosed)
                xb_switch_state(bb, v, XenbusStateClosing);
            if (t == XenbusStateClosed)
                xb_switch_state(bb, v, XenbusStateClosed);
        }
    }
    if (!v->removed)
        return false;
    for (struct vbd **p = &bb->vbds; *p; p = &(*p)->next) {
        if (*p == v) {
            *p = v->next;
            break;
        }
    }
    if (v->fd >= 0)
        close(v->fd);
    log_info("vbd %u/%u: released", v->domid, v->devid);
    free(v->params);
    free(v);
    return true;
}

void vbd_remove(struct blkback *bb, struct vbd *v)
{
    v->removed = true;
    xb_watch_fe(bb, v, false);
    vbd_disconnect(bb, v, -1); /* frees v now, or once its I/O is done */
}
