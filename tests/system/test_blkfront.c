/* test_blkfront.c: libpvfront's blkfront through the reference guest's
 * `disk` command: a private pvhv and pvxenstored, the toolstack's vbd
 * entries written by hand as libxl writes them, and a block backend:
 * pvblkback when it is built (build/bin/pvblkback), else a small backend
 * in this file that answers the way Linux's blkback does (grant copies,
 * pread/pwrite on a sparse raw file). PVHV_BLKFRONT_STUB=1 forces the
 * stub. The host checks the raw file against the guest's pattern. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvhv/grant_table.h>
#include <pvhv/hvm/params.h>
#include <pvhv/io/blkif.h>
#include <pvhv/io/xenbus.h>
#include <pvhv/sched.h>
/* libxs's header (tests/system/module.mk puts it on the path only for test_xenstore_ring.o). */
#include <xenstore.h>

#include "disk_pattern.h"
#include "harness.h"

#define XVDA 51712u
#define XVDB 51728u
#define MIB (1024ULL * 1024)
#define GUEST_MIB 128

static struct host host;
static pid_t xsd, blkback;
static char con[131072];

/* ------------------------------------------------------------------------
 * Daemons
 * ------------------------------------------------------------------------ */

static pid_t spawn(const char *bin, const char *const argv[])
{
    pid_t p = fork();

    cr_assert_geq(p, 0, "fork: %s", strerror(errno));
    if (p == 0) {
        execv(build_path(bin), (char **)argv);
        _exit(127);
    }
    return p;
}

/* pvblkback serves every vbd the toolstack declares under /local/domain/0/backend/vbd. */
static bool use_pvblkback(void)
{
    const char *stub = getenv("PVHV_BLKFRONT_STUB");

    if (stub && !strcmp(stub, "1"))
        return false;
    return access(build_path("bin/pvblkback"), X_OK) == 0;
}

static void blkback_start(void)
{
    const char *argv[] = { "pvblkback", "--rundir", host.rundir, NULL };

    blkback = spawn("bin/pvblkback", argv);
    usleep(200000);
    cr_assert(waitpid(blkback, NULL, WNOHANG) == 0, "pvblkback exited at start");
}

static void stop(pid_t *p, const char *what)
{
    int st = 0;

    if (*p <= 0)
        return;
    kill(*p, SIGTERM);
    waitpid(*p, &st, 0);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s must exit cleanly (%#x)", what, st);
    *p = 0;
}

/* ------------------------------------------------------------------------
 * The stub backend: one thread per disk
 * ------------------------------------------------------------------------ */

struct stub {
    /* set up by the test */
    uint32_t domid, devid;
    int fd;
    uint64_t sectors;
    bool ro;
    char fpath[128], bpath[128];
    pthread_t th;
    atomic_bool stop;
    /* what it saw (read after the join) */
    atomic_int connects, closes;
    atomic_ulong requests, indirect, max_segs, flushes, discards, errors;
    atomic_int front_persistent, ring_order, broken;
    char fail[256];
};

#define STUB_INDIRECT_MAX 256
#define STUB_RING_ORDER_MAX 4

static struct stub stubs[2];
static int nstubs;

static char *xread(struct xs_handle *xs, const char *dir, const char *node)
{
    char p[256];
    unsigned int len;

    snprintf(p, sizeof(p), "%s/%s", dir, node);
    return xs_read(xs, XBT_NULL, p, &len);
}

static long xread_num(struct xs_handle *xs, const char *dir, const char *node, long dflt)
{
    char *v = xread(xs, dir, node);
    long n = v ? strtol(v, NULL, 10) : dflt;

    free(v);
    return n;
}

static void xwrite(struct xs_handle *xs, const char *dir, const char *node, const char *fmt, ...)
{
    char p[256], v[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    snprintf(p, sizeof(p), "%s/%s", dir, node);
    xs_write(xs, XBT_NULL, p, v, strlen(v));
}

struct conn {
    struct stub *s;
    struct xs_handle *xs;
    struct pvctrl_gnttab *gt;
    struct pvctrl_evtchn *ev;
    blkif_back_ring_t ring;
    void *ring_map;
    uint32_t ring_pages;
    int port;
    uint8_t *buf; /* data: up to the largest request */
};

/* Grant copies between the guest's segments and c->buf, in batches. */
static int copy_segs(struct conn *c, const struct blkif_request_segment *segs, unsigned int n,
                     bool to_guest)
{
    struct gnttab_copy ops[64];
    size_t pos = 0;

    for (unsigned int i = 0; i < n;) {
        unsigned int k = 0;
        for (; k < 64 && i < n; k++, i++) {
            uint16_t off = segs[i].first_sect * 512;
            uint16_t len = (uint16_t)((segs[i].last_sect - segs[i].first_sect + 1) * 512);
            struct gnttab_copy *o = &ops[k];
            memset(o, 0, sizeof(*o));
            o->len = len;
            if (to_guest) {
                o->flags = GNTCOPY_dest_gref;
                o->source.u.gmfn = (uintptr_t)(c->buf + pos);
                o->dest.u.ref = segs[i].gref;
                o->dest.domid = (domid_t)c->s->domid;
                o->dest.offset = off;
            } else {
                o->flags = GNTCOPY_source_gref;
                o->source.u.ref = segs[i].gref;
                o->source.domid = (domid_t)c->s->domid;
                o->source.offset = off;
                o->dest.u.gmfn = (uintptr_t)(c->buf + pos);
            }
            pos += len;
        }
        if (pvctrl_gnttab_grant_copy(c->gt, k, ops) < 0)
            return -1;
        for (unsigned int j = 0; j < k; j++)
            if (ops[j].status != GNTST_okay)
                return -1;
    }
    return 0;
}

/* Read or write through the segments (checked as blkback checks them). */
static int16_t serve_rw(struct conn *c, int op, uint64_t sector,
                        const struct blkif_request_segment *segs, unsigned int n)
{
    struct stub *s = c->s;
    uint64_t bytes = 0;

    if (n == 0)
        return BLKIF_RSP_ERROR;
    for (unsigned int i = 0; i < n; i++) {
        if (segs[i].first_sect > segs[i].last_sect || segs[i].last_sect > 7)
            return BLKIF_RSP_ERROR;
        bytes += (uint64_t)(segs[i].last_sect - segs[i].first_sect + 1) * 512;
    }
    if (sector > s->sectors || bytes / 512 > s->sectors - sector)
        return BLKIF_RSP_ERROR;
    if (op == BLKIF_OP_WRITE) {
        if (s->ro)
            return BLKIF_RSP_ERROR;
        if (copy_segs(c, segs, n, false) < 0)
            return BLKIF_RSP_ERROR;
        if (pwrite(s->fd, c->buf, bytes, (off_t)(sector * 512)) != (ssize_t)bytes)
            return BLKIF_RSP_ERROR;
        return BLKIF_RSP_OKAY;
    }
    ssize_t got = pread(s->fd, c->buf, bytes, (off_t)(sector * 512));
    if (got < 0)
        return BLKIF_RSP_ERROR;
    if ((uint64_t)got < bytes)
        memset(c->buf + got, 0, bytes - (uint64_t)got);
    return copy_segs(c, segs, n, true) < 0 ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
}

static int16_t serve(struct conn *c, const blkif_request_t *req, uint8_t *op_out)
{
    struct stub *s = c->s;
    static __thread struct blkif_request_segment isegs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * 512];

    *op_out = req->operation;
    atomic_fetch_add(&s->requests, 1);
    switch (req->operation) {
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
            return BLKIF_RSP_ERROR;
        if (req->nr_segments > atomic_load(&s->max_segs))
            atomic_store(&s->max_segs, req->nr_segments);
        return serve_rw(c, req->operation, req->sector_number, req->seg, req->nr_segments);
    case BLKIF_OP_INDIRECT: {
        const blkif_request_indirect_t *ir = (const blkif_request_indirect_t *)req;
        unsigned int n = ir->nr_segments;
        *op_out = ir->indirect_op;
        atomic_fetch_add(&s->indirect, 1);
        if ((ir->indirect_op != BLKIF_OP_READ && ir->indirect_op != BLKIF_OP_WRITE) || n == 0 ||
            n > STUB_INDIRECT_MAX)
            return BLKIF_RSP_ERROR;
        unsigned int pages = (n + 511) / 512;
        struct gnttab_copy ops[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
        for (unsigned int p = 0; p < pages; p++) {
            memset(&ops[p], 0, sizeof(ops[p]));
            ops[p].flags = GNTCOPY_source_gref;
            ops[p].source.u.ref = ir->indirect_grefs[p];
            ops[p].source.domid = (domid_t)s->domid;
            ops[p].dest.u.gmfn = (uintptr_t)&isegs[p * 512];
            ops[p].len = 4096;
        }
        if (pvctrl_gnttab_grant_copy(c->gt, pages, ops) < 0)
            return BLKIF_RSP_ERROR;
        for (unsigned int p = 0; p < pages; p++)
            if (ops[p].status != GNTST_okay)
                return BLKIF_RSP_ERROR;
        if (n > atomic_load(&s->max_segs))
            atomic_store(&s->max_segs, n);
        return serve_rw(c, ir->indirect_op, ir->sector_number, isegs, n);
    }
    case BLKIF_OP_FLUSH_DISKCACHE:
    case BLKIF_OP_WRITE_BARRIER:
        atomic_fetch_add(&s->flushes, 1);
        return fdatasync(s->fd) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
    case BLKIF_OP_DISCARD: {
        const blkif_request_discard_t *d = (const blkif_request_discard_t *)req;
        atomic_fetch_add(&s->discards, 1);
        if (s->ro || d->sector_number > s->sectors || d->nr_sectors > s->sectors - d->sector_number)
            return BLKIF_RSP_ERROR;
        return fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                         (off_t)(d->sector_number * 512), (off_t)(d->nr_sectors * 512)) == 0
                   ? BLKIF_RSP_OKAY
                   : BLKIF_RSP_ERROR;
    }
    default:
        return BLKIF_RSP_EOPNOTSUPP;
    }
}

/* Serve what the ring holds; false once the frontend broke it (no more service). */
static bool serve_ring(struct conn *c)
{
    blkif_back_ring_t *r = &c->ring;
    int more;

    do {
        RING_IDX rp = PVHV_RING_READ_IDX(r->sring->req_prod);
        xen_rmb();
        if (RING_REQUEST_PROD_OVERFLOW(r, rp)) {
            atomic_store(&c->s->broken, 1);
            return false;
        }
        while (r->req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(r, r->req_cons)) {
            blkif_request_t req;
            uint8_t op;
            RING_COPY_REQUEST(r, r->req_cons, &req);
            r->req_cons++;
            int16_t st = serve(c, &req, &op);
            if (st != BLKIF_RSP_OKAY)
                atomic_fetch_add(&c->s->errors, 1);
            blkif_response_t *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
            memset(rsp, 0, sizeof(*rsp));
            rsp->id = req.id;
            rsp->operation = op;
            rsp->status = st;
            r->rsp_prod_pvt++;
            int notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
            if (notify)
                pvctrl_evtchn_notify(c->ev, (uint32_t)c->port);
        }
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
    } while (more);
    return true;
}

static void stub_fail(struct stub *s, const char *what)
{
    if (!s->fail[0])
        snprintf(s->fail, sizeof(s->fail), "%s", what);
}

/* Map the frontend's ring and bind its port (it is Initialised). */
static bool stub_connect(struct conn *c)
{
    struct stub *s = c->s;
    uint32_t refs[1 << STUB_RING_ORDER_MAX];
    long order = xread_num(c->xs, s->fpath, "ring-page-order", 0);

    if (order < 0 || order > STUB_RING_ORDER_MAX)
        return stub_fail(s, "bad ring-page-order"), false;
    c->ring_pages = 1u << order;
    for (uint32_t i = 0; i < c->ring_pages; i++) {
        char n[16];
        snprintf(n, sizeof(n), order ? "ring-ref%u" : "ring-ref", i);
        long ref = xread_num(c->xs, s->fpath, n, -1);
        if (ref < 0)
            return stub_fail(s, "no ring-ref"), false;
        refs[i] = (uint32_t)ref;
    }
    long port = xread_num(c->xs, s->fpath, "event-channel", -1);
    char *proto = xread(c->xs, s->fpath, "protocol");
    bool proto_ok = proto && !strcmp(proto, "x86_64-abi");
    free(proto);
    if (port <= 0 || !proto_ok)
        return stub_fail(s, "no event-channel or protocol"), false;
    atomic_store(&s->front_persistent, (int)xread_num(c->xs, s->fpath, "feature-persistent", 0));
    atomic_store(&s->ring_order, (int)order);
    c->ring_map = pvctrl_gnttab_map_grant_refs(c->gt, c->ring_pages, s->domid, refs,
                                               PROT_READ | PROT_WRITE);
    if (!c->ring_map)
        return stub_fail(s, "ring map failed"), false;
    BACK_RING_INIT(&c->ring, (blkif_sring_t *)c->ring_map, (size_t)c->ring_pages * 4096);
    c->port = pvctrl_evtchn_bind_interdomain(c->ev, s->domid, (uint32_t)port);
    if (c->port < 0)
        return stub_fail(s, "bind failed"), false;
    atomic_fetch_add(&s->connects, 1);
    xwrite(c->xs, s->bpath, "state", "%d", XenbusStateConnected);
    return true;
}

static void stub_disconnect(struct conn *c)
{
    if (c->ring_map)
        pvctrl_gnttab_unmap(c->gt, c->ring_map, c->ring_pages);
    c->ring_map = NULL;
    if (c->port > 0)
        pvctrl_evtchn_unbind(c->ev, (uint32_t)c->port);
    c->port = 0;
}

static void *stub_main(void *arg)
{
    struct stub *s = arg;
    struct conn c = { .s = s };
    int state = XenbusStateInitWait;

    c.xs = xs_open(0);
    c.buf = malloc(STUB_INDIRECT_MAX * 4096);
    if (!c.xs || !c.buf || pvctrl_gnttab_open(host.rundir, &c.gt) < 0 ||
        pvctrl_evtchn_open(host.rundir, &c.ev) < 0) {
        stub_fail(s, "setup failed");
        return NULL;
    }
    /* What blkback publishes before InitWait (pvblkback's order). */
    xwrite(c.xs, s->bpath, "sectors", "%llu", (unsigned long long)s->sectors);
    xwrite(c.xs, s->bpath, "sector-size", "512");
    xwrite(c.xs, s->bpath, "info", "%d", s->ro ? VDISK_READONLY : 0);
    xwrite(c.xs, s->bpath, "feature-flush-cache", "1");
    xwrite(c.xs, s->bpath, "feature-barrier", "1");
    xwrite(c.xs, s->bpath, "feature-discard", "1");
    xwrite(c.xs, s->bpath, "feature-persistent", "1");
    xwrite(c.xs, s->bpath, "feature-max-indirect-segments", "%d", STUB_INDIRECT_MAX);
    xwrite(c.xs, s->bpath, "max-ring-page-order", "%d", STUB_RING_ORDER_MAX);
    xwrite(c.xs, s->bpath, "state", "%d", XenbusStateInitWait);

    bool serving = true;
    while (!atomic_load(&s->stop)) {
        int fs = (int)xread_num(c.xs, s->fpath, "state", 0);
        if (state == XenbusStateInitWait && fs == XenbusStateInitialised) {
            if (stub_connect(&c))
                state = XenbusStateConnected;
            else
                stub_disconnect(&c);
        } else if (state == XenbusStateConnected && fs == XenbusStateClosing) {
            xwrite(c.xs, s->bpath, "state", "%d", XenbusStateClosing);
            state = XenbusStateClosing;
        } else if ((state == XenbusStateConnected || state == XenbusStateClosing) &&
                   fs == XenbusStateClosed) {
            stub_disconnect(&c);
            atomic_fetch_add(&s->closes, 1);
            xwrite(c.xs, s->bpath, "state", "%d", XenbusStateClosed);
            state = XenbusStateClosed;
        } else if (state == XenbusStateClosed && fs == XenbusStateInitialising) {
            /* Linux blkback's "prepare for reconnect". */
            xwrite(c.xs, s->bpath, "state", "%d", XenbusStateInitWait);
            state = XenbusStateInitWait;
            serving = true;
        }
        if (state != XenbusStateConnected || !serving) {
            usleep(2000);
            continue;
        }
        struct pollfd pfd = { .fd = pvctrl_evtchn_fd(c.ev), .events = POLLIN };
        poll(&pfd, 1, 5);
        int p;
        while ((p = pvctrl_evtchn_pending(c.ev)) >= 0)
            pvctrl_evtchn_unmask(c.ev, (uint32_t)p);
        serving = serve_ring(&c);
    }
    stub_disconnect(&c);
    pvctrl_evtchn_close(c.ev);
    pvctrl_gnttab_close(c.gt);
    xs_close(c.xs);
    free(c.buf);
    return NULL;
}

/* ------------------------------------------------------------------------
 * The toolstack's part, as libxl writes it
 * ------------------------------------------------------------------------ */

static void toolstack_domain(struct xs_handle *xs, uint32_t d)
{
    char home[64];
    uint64_t pfn = 0, port = 0;

    snprintf(home, sizeof(home), "/local/domain/%u", d);
    struct xs_permissions own[] = { { .id = d, .perms = XS_PERM_NONE } };
    cr_assert(xs_mkdir(xs, XBT_NULL, home));
    cr_assert(xs_set_permissions(xs, XBT_NULL, home, own, 1));
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, d, HVM_PARAM_STORE_PFN, &pfn), 0);
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, d, HVM_PARAM_STORE_EVTCHN, &port), 0);
    cr_assert(xs_introduce_domain(xs, d, (unsigned long)pfn, (unsigned int)port),
              "introduce %u: %s", d, strerror(errno));
}

/* A sparse raw file of `bytes` in the run directory. */
static void make_disk(const char *path, uint64_t bytes)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);

    cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(ftruncate(fd, (off_t)bytes), 0);
    close(fd);
}

static void disk_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s.img", host.rundir, name);
}

/*
 * The vbd's xenstore entries (libxl's device_disk_add): the frontend
 * directory owned by the guest, the backend directory owned by dom0 and
 * readable by the guest. With the stub, its thread plays the backend.
 */
static void toolstack_vbd(struct xs_handle *xs, uint32_t d, uint32_t devid, const char *vdev,
                          const char *file, bool ro, uint64_t bytes)
{
    char f[128], b[128], p[192], v[192];

    snprintf(f, sizeof(f), "/local/domain/%u/device/vbd/%u", d, devid);
    snprintf(b, sizeof(b), "/local/domain/0/backend/vbd/%u/%u", d, devid);
    struct xs_permissions fperm[] = { { .id = d, .perms = XS_PERM_NONE },
                                      { .id = 0, .perms = XS_PERM_READ } };
    struct xs_permissions bperm[] = { { .id = 0, .perms = XS_PERM_NONE },
                                      { .id = d, .perms = XS_PERM_READ } };
    cr_assert(xs_mkdir(xs, XBT_NULL, f));
    cr_assert(xs_set_permissions(xs, XBT_NULL, f, fperm, 2));
    cr_assert(xs_mkdir(xs, XBT_NULL, b));
    cr_assert(xs_set_permissions(xs, XBT_NULL, b, bperm, 2));
#define W(dir, node, ...)                                                    \
    do {                                                                     \
        snprintf(p, sizeof(p), "%s/%s", dir, node);                          \
        snprintf(v, sizeof(v), __VA_ARGS__);                                 \
        cr_assert(xs_write(xs, XBT_NULL, p, v, strlen(v)), "write %s", p);   \
    } while (0)
    W(b, "frontend", "%s", f);
    W(b, "frontend-id", "%u", d);
    W(b, "online", "1");
    W(b, "removable", "0");
    W(b, "bootable", "1");
    W(b, "dev", "%s", vdev);
    W(b, "type", "phy");
    W(b, "mode", "%s", ro ? "r" : "w");
    W(b, "device-type", "disk");
    W(b, "discard-enable", "1");
    W(b, "params", "%s", file);
    W(b, "state", "1");
    W(f, "backend", "%s", b);
    W(f, "backend-id", "0");
    W(f, "virtual-device", "%u", devid);
    W(f, "device-type", "disk");
    W(f, "state", "1");
#undef W
    if (use_pvblkback())
        return;
    cr_assert_lt(nstubs, 2);
    struct stub *s = &stubs[nstubs++];
    memset(s, 0, sizeof(*s));
    s->domid = d;
    s->devid = devid;
    s->ro = ro;
    s->sectors = bytes / 512;
    snprintf(s->fpath, sizeof(s->fpath), "%s", f);
    snprintf(s->bpath, sizeof(s->bpath), "%s", b);
    s->fd = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    cr_assert_geq(s->fd, 0);
    cr_assert_eq(pthread_create(&s->th, NULL, stub_main, s), 0);
}

static void stubs_stop(void)
{
    for (int i = 0; i < nstubs; i++) {
        atomic_store(&stubs[i].stop, true);
        pthread_join(stubs[i].th, NULL);
        close(stubs[i].fd);
        cr_expect(!stubs[i].fail[0], "stub backend of %u: %s", stubs[i].devid, stubs[i].fail);
    }
}

/* ------------------------------------------------------------------------
 * Setup
 * ------------------------------------------------------------------------ */

static struct xs_handle *xs;

static void setup(void)
{
    nstubs = 0;
    host_start(&host);
    xsd = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    if (use_pvblkback())
        blkback_start();
    xs = xs_open(0);
    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
}

static void teardown(void)
{
    stubs_stop();
    nstubs = 0;
    if (xs)
        xs_close(xs);
    xs = NULL;
    stop(&blkback, "pvblkback");
    stop(&xsd, "pvxenstored");
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(blkfront, .init = setup, .fini = teardown, .timeout = 90);

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static void expect_line(const char *line)
{
    cr_expect(strstr(con, line) != NULL, "no line '%s' in the console:\n%s", line, con);
}

/* Wait until the backend directory says `state` (the backend is ready for the guest). */
static void wait_backend_state(uint32_t d, uint32_t devid, const char *state)
{
    char p[128];

    snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u/%u/state", d, devid);
    for (int i = 0; i < 2500; i++) {
        unsigned int len;
        char *v = xs_read(xs, XBT_NULL, p, &len);
        bool ok = v && !strcmp(v, state);
        free(v);
        if (ok)
            return;
        usleep(2000);
    }
    cr_assert_fail("%s never became %s", p, state);
}

static const char *xs_get(const char *path)
{
    static char out[4][256];
    static int next;
    char *o = out[next++ % 4];
    unsigned int len = 0;
    char *v = xs_read(xs, XBT_NULL, path, &len);

    snprintf(o, 256, "%s", v ? v : "<none>");
    free(v);
    return o;
}

/*
 * A guest with one or two disks (files of `bytes`, made sparse unless
 * `keep`), created, set up as the toolstack does, and started.
 */
struct disk {
    const char *vdev;
    uint32_t devid;
    char file[160];
    bool ro;
};

static uint32_t guest_with(const char *name, const char *cmdline, struct disk *disks, int n,
                           uint64_t bytes, bool keep, const char *persistent)
{
    uint32_t d = create_refguest(&host, name, cmdline, 1, GUEST_MIB);

    toolstack_domain(xs, d);
    for (int i = 0; i < n; i++) {
        disk_path(disks[i].file, sizeof(disks[i].file), disks[i].vdev);
        if (!keep)
            make_disk(disks[i].file, bytes);
        toolstack_vbd(xs, d, disks[i].devid, disks[i].vdev, disks[i].file, disks[i].ro, bytes);
    }
    for (int i = 0; i < n; i++) {
        wait_backend_state(d, disks[i].devid, "2");
        if (persistent) {
            /* Overrides what the backend offered, before the frontend reads it. */
            char p[128];
            snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%u/%u/feature-persistent", d,
                     disks[i].devid);
            cr_assert(xs_write(xs, XBT_NULL, p, persistent, strlen(persistent)));
        }
    }
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    return d;
}

/* Wait for power off; the console into con. */
static void expect_poweroff(uint32_t d, int ms)
{
    struct pvhv_ctl_dominfo info;
    bool down = wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, ms, &info);

    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    if (getenv("PVHV_TEST_VERBOSE"))
        fprintf(stderr, "domain %u's console:\n%s", d, con);
    cr_assert(down, "state %s (%s); console:\n%s", pvctrl_state_name(info.state), info.crash_msg,
              con);
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff, "console:\n%s", con);
}

static uint64_t file_allocated(const char *path)
{
    struct stat st;

    cr_assert_eq(stat(path, &st), 0);
    return (uint64_t)st.st_blocks * 512;
}

static unsigned long stat_of(const char *key)
{
    const char *p = strstr(con, "disk: stats ");
    char k[32];

    cr_assert_not_null(p, "no stats line:\n%s", con);
    snprintf(k, sizeof(k), " %s=", key);
    p = strstr(p, k);
    cr_assert_not_null(p, "no %s in the stats line", key);
    return strtoul(p + strlen(k), NULL, 10);
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

Test(blkfront, info_connects_and_closes)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    char p[128];

    /* Named by its number: the same disk. */
    uint32_t d = guest_with("info", "cmd=disk op=info vdev=51712", dk, 1, 64 * MIB, false, NULL);
    expect_poweroff(d, 30000);
    expect_line("disk: found 1: xvda\n");
    expect_line("disk: xvda sectors=131072 sector-size=512 ro=0 persistent=1 indirect=256 "
                "ring-order=");
    expect_line("disk: closed xvda\n");
    /* The frontend's nodes, as Linux's blkfront writes them. */
    snprintf(p, sizeof(p), "/local/domain/%u/device/vbd/%u/", d, XVDA);
    char q[192];
#define NODE(n) (snprintf(q, sizeof(q), "%s%s", p, n), xs_get(q))
    cr_expect_str_eq(NODE("state"), "6", "the frontend ends Closed");
    cr_expect_str_eq(NODE("protocol"), "x86_64-abi");
    cr_expect_str_eq(NODE("feature-persistent"), "1");
    long order = strtol(NODE("ring-page-order"), NULL, 10);
    if (!use_pvblkback())
        cr_expect(strstr(con, "ring-order=4\n") && order == 4,
                  "with the stub (max order 4) the ring is 16 pages:\n%s", con);
    if (order > 0)
        cr_expect_str_neq(NODE("ring-ref0"), "<none>");
    else
        cr_expect_str_neq(NODE("ring-ref"), "<none>");
    cr_expect_str_neq(NODE("event-channel"), "<none>");
#undef NODE
    snprintf(q, sizeof(q), "/local/domain/0/backend/vbd/%u/%u/state", d, XVDA);
    cr_expect_str_eq(xs_get(q), "6", "the backend ends Closed");
    if (!use_pvblkback()) {
        stubs_stop();
        cr_expect_eq(atomic_load(&stubs[0].connects), 1);
        cr_expect_eq(atomic_load(&stubs[0].closes), 1);
        cr_expect_eq(atomic_load(&stubs[0].front_persistent), 1);
        nstubs = 0;
    }
    cr_expect(host_alive(&host));
}

Test(blkfront, verify_then_check_against_the_file)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    const uint64_t size = 64 * MIB, n = 8 * MIB + 4096;

    uint32_t d = guest_with("verify", "cmd=disk op=verify vdev=xvda bytes=8392704 seed=42", dk,
                            1, size, false, NULL);
    expect_poweroff(d, 60000);
    expect_line("disk: wrote 8392704 bytes, flushed\n");
    expect_line("disk: verify ok 8392704 bytes\n");
    expect_line("disk: closed xvda\n");
    /* Indirect requests carried the 1 MiB pieces; the flush reached the backend. */
    cr_expect_gt(stat_of("indirect"), 0, "no indirect requests:\n%s", con);
    cr_expect_eq(stat_of("errors"), 0);
    cr_expect_eq(stat_of("bad"), 0);
    cr_expect_eq(stat_of("leaked"), 0);
    long long bad = disk_pattern_check(dk[0].file, n, 42, size);
    cr_expect_eq(bad, -1, "the file differs from the pattern at %lld", bad);
    cr_expect_leq(file_allocated(dk[0].file), n + 1 * MIB, "the file stays sparse: %llu bytes",
                  (unsigned long long)file_allocated(dk[0].file));
    if (!use_pvblkback()) {
        stubs_stop();
        cr_expect_geq(atomic_load(&stubs[0].flushes), 1, "no flush reached the backend");
        cr_expect_eq(atomic_load(&stubs[0].max_segs), 256, "largest request %lu segments",
                     atomic_load(&stubs[0].max_segs));
        cr_expect_eq(atomic_load(&stubs[0].errors), 0);
        nstubs = 0;
    }

    /* A second guest reads it back; then one byte changed on the host is caught. */
    d = guest_with("check", "cmd=disk op=check vdev=xvda bytes=8392704 seed=42", dk, 1, size,
                   true, NULL);
    expect_poweroff(d, 60000);
    expect_line("disk: check ok 8392704 bytes\n");
    stubs_stop();
    nstubs = 0;

    int fd = open(dk[0].file, O_RDWR | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    uint8_t x;
    cr_assert_eq(pread(fd, &x, 1, 5000005), 1);
    x ^= 0x40;
    cr_assert_eq(pwrite(fd, &x, 1, 5000005), 1);
    close(fd);
    d = guest_with("check2", "cmd=disk op=check vdev=xvda bytes=8392704 seed=42", dk, 1, size,
                   true, NULL);
    struct pvhv_ctl_dominfo info;
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_CRASHED, 60000, &info), "state %s",
              pvctrl_state_name(info.state));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    expect_line("disk: check FAILED at offset 5000005\n");
}

Test(blkfront, persistent_off_and_no_indirect)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    const uint64_t size = 16 * MIB, n = 3 * MIB;
    char p[128];

    /* The backend's offer overridden to "0" before the frontend reads it. */
    uint32_t d = guest_with("nopersist", "cmd=disk op=verify vdev=xvda bytes=3145728 seed=7", dk,
                            1, size, false, "0");
    expect_poweroff(d, 60000);
    expect_line("disk: xvda sectors=32768 sector-size=512 ro=0 persistent=0 indirect=256 ");
    expect_line("disk: verify ok 3145728 bytes\n");
    cr_expect_eq(stat_of("leaked"), 0, "every per-request grant was revoked:\n%s", con);
    snprintf(p, sizeof(p), "/local/domain/%u/device/vbd/%u/feature-persistent", d, XVDA);
    cr_expect_str_eq(xs_get(p), "0", "the frontend follows the backend's 0");
    cr_expect_eq(disk_pattern_check(dk[0].file, n, 7, size), -1);
    stubs_stop();
    nstubs = 0;

    /* 11 segments a request, a one-page ring, persistent refused by the guest. */
    d = guest_with("direct", "cmd=disk op=verify vdev=xvda bytes=3145728 seed=8 indirect=0 "
                             "ring_pages=1 persistent=0",
                   dk, 1, size, true, NULL);
    expect_poweroff(d, 60000);
    expect_line("disk: xvda sectors=32768 sector-size=512 ro=0 persistent=0 indirect=0 "
                "ring-order=0\n");
    expect_line("disk: verify ok 3145728 bytes\n");
    cr_expect_eq(stat_of("indirect"), 0);
    snprintf(p, sizeof(p), "/local/domain/%u/device/vbd/%u/ring-ref", d, XVDA);
    cr_expect_str_neq(xs_get(p), "<none>", "a one-page ring is named by ring-ref");
    cr_expect_eq(disk_pattern_check(dk[0].file, n, 8, size), -1);
    if (!use_pvblkback()) {
        stubs_stop();
        cr_expect_eq(atomic_load(&stubs[0].indirect), 0);
        cr_expect_eq(atomic_load(&stubs[0].max_segs), 11);
        cr_expect_eq(atomic_load(&stubs[0].ring_order), 0);
        cr_expect_eq(atomic_load(&stubs[0].front_persistent), 0);
        nstubs = 0;
    }
}

Test(blkfront, two_disks_one_after_the_other)
{
    struct disk dk[] = { { "xvda", XVDA, "", false }, { "xvdb", XVDB, "", false } };
    const uint64_t size = 16 * MIB, n = 2 * MIB;

    /* xvdb named in the shorthand d<disk>. */
    uint32_t d = guest_with("two", "cmd=disk op=verify vdev=xvda,d1 bytes=2097152 seed=3", dk,
                            2, size, false, NULL);
    expect_poweroff(d, 60000);
    expect_line("disk: xvda sectors=32768 ");
    expect_line("disk: xvdb sectors=32768 ");
    const char *second = strstr(con, "disk: verify ok 2097152 bytes\n");
    cr_expect(second && strstr(second + 1, "disk: verify ok 2097152 bytes\n"),
              "two verifies:\n%s", con);
    expect_line("disk: closed xvda\n");
    expect_line("disk: closed xvdb\n");
    cr_expect_eq(disk_pattern_check(dk[0].file, n, 3, size), -1);
    cr_expect_eq(disk_pattern_check(dk[1].file, n, 3, size), -1);
}

/* The same disk twice in one guest: Closed, then back to Initialising, as Linux reconnects. */
Test(blkfront, reconnect_after_close)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    const uint64_t size = 16 * MIB, n = 1 * MIB;

    uint32_t d = guest_with("again", "cmd=disk op=verify vdev=xvda,xvda bytes=1048576 seed=9", dk,
                            1, size, false, NULL);
    expect_poweroff(d, 60000);
    const char *first = strstr(con, "disk: closed xvda\n");
    cr_assert(first && strstr(first + 1, "disk: verify ok 1048576 bytes\n") &&
                  strstr(first + 1, "disk: closed xvda\n"),
              "two sessions:\n%s", con);
    cr_expect_eq(disk_pattern_check(dk[0].file, n, 9, size), -1);
    if (!use_pvblkback()) {
        stubs_stop();
        cr_expect_eq(atomic_load(&stubs[0].connects), 2);
        cr_expect_eq(atomic_load(&stubs[0].closes), 2);
        nstubs = 0;
    }
}

Test(blkfront, read_only_disk_refuses_the_write)
{
    struct disk dk[] = { { "xvda", XVDA, "", true } };

    uint32_t d = guest_with("ro", "cmd=disk op=write-ro vdev=xvda", dk, 1, 4 * MIB, false, NULL);
    expect_poweroff(d, 30000);
    expect_line(" ro=1 ");
    expect_line("disk: write refused: -1\n");
    cr_expect_eq(disk_pattern_check(dk[0].file, 0, 0, 4 * MIB), -1, "the file stays zero");
}

Test(blkfront, hostile_requests_get_errors)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };

    uint32_t d = guest_with("hostile", "cmd=disk op=hostile vdev=xvda", dk, 1, 4 * MIB, false,
                            NULL);
    expect_poweroff(d, 60000);
    expect_line("disk: hostile badop status=-2\n");
    expect_line("disk: hostile badgref status=-1\n");
    expect_line("disk: hostile range status=-1\n");
    expect_line("disk: hostile segs status=-1\n");
    expect_line("disk: hostile indirect-lie status=-1\n");
    expect_line("disk: hostile sane-read status=0\n");
    expect_line("disk: hostile overflow sent\n");
    expect_line("disk: hostile done\n");
    if (!use_pvblkback()) {
        stubs_stop();
        cr_expect_eq(atomic_load(&stubs[0].broken), 1, "the stub saw the overflow");
        nstubs = 0;
    }
    cr_expect(host_alive(&host));
}

Test(blkfront, fio_runner_prints_every_job)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    static const char *const jobs[][2] = {
        { "seqwrite", "bs=1M iodepth=32" }, { "seqread", "bs=1M iodepth=32" },
        { "randread", "bs=4k iodepth=1" },  { "randwrite", "bs=4k iodepth=1" },
        { "randread", "bs=4k iodepth=32" }, { "randwrite", "bs=4k iodepth=32" },
        { "randread", "bs=4k iodepth=64" }, { "randwrite", "bs=4k iodepth=64" },
    };

    uint32_t d = guest_with("fio", "cmd=disk op=fio vdev=xvda size_mb=32 runtime_ms=400", dk, 1,
                            64 * MIB, false, NULL);
    expect_poweroff(d, 60000);
    const char *p = con;
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
        char want[96];
        unsigned long mbs, cmbs, iops, p50, p99;
        snprintf(want, sizeof(want), "fio: %s %s MB/s=", jobs[i][0], jobs[i][1]);
        p = strstr(p, want);
        cr_assert_not_null(p, "no '%s' (in order) in:\n%s", want, con);
        p += strlen(want) - strlen("MB/s=");
        cr_assert_eq(sscanf(p, "MB/s=%lu.%2lu iops=%lu lat_us p50=%lu p99=%lu", &mbs, &cmbs,
                            &iops, &p50, &p99), 5, "line: %.120s", p);
        cr_expect_gt(iops, 0, "%s: no I/O", want);
        cr_expect_leq(p50, p99, "%s: p50 %lu > p99 %lu", want, p50, p99);
        if (!strncmp(jobs[i][0], "seq", 3))
            cr_expect_gt(mbs, 0, "%s: 0 MB/s", want);
    }
    expect_line("disk: closed xvda\n");
    cr_expect_eq(stat_of("errors"), 0);
    fprintf(stderr, "fio over %s:\n", use_pvblkback() ? "pvblkback" : "the test's stub backend");
    for (const char *l = strstr(con, "fio: "); l; l = strstr(l + 1, "\nfio: "))
        fprintf(stderr, "  %.*s\n", (int)strcspn(l + (*l == '\n'), "\n"), l + (*l == '\n'));
}

/* Flushed data is in the file while the guest still holds the disk, and stays after it dies. */
Test(blkfront, hold_keeps_the_disk_and_the_data)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    const uint64_t size = 16 * MIB, n = 4 * MIB;
    char p[128];

    uint32_t d = guest_with("hold", "cmd=disk op=verify vdev=xvda bytes=4194304 seed=11 hold=1",
                            dk, 1, size, false, NULL);
    cr_assert(wait_console(&host, d, "disk: holding\n", 60000, con, sizeof(con)), "console:\n%s",
              con);
    expect_line("disk: verify ok 4194304 bytes\n");
    snprintf(p, sizeof(p), "/local/domain/%u/device/vbd/%u/state", d, XVDA);
    cr_expect_str_eq(xs_get(p), "4", "still Connected while holding");
    cr_expect_eq(disk_pattern_check(dk[0].file, n, 11, size), -1, "flushed data in the file");
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    usleep(200000);
    cr_expect_eq(disk_pattern_check(dk[0].file, n, 11, size), -1, "and after the domain is gone");
    cr_expect(host_alive(&host));
}

/* BLKIF_OP_DISCARD punches the range out of the file; the rest stays. */
Test(blkfront, discard_punches_a_hole)
{
    struct disk dk[] = { { "xvda", XVDA, "", false } };
    const uint64_t size = 8 * MIB;

    uint32_t d = guest_with("fill", "cmd=disk op=verify vdev=xvda bytes=8388608 seed=5", dk, 1,
                            size, false, NULL);
    expect_poweroff(d, 60000);
    stubs_stop();
    nstubs = 0;
    uint64_t before = file_allocated(dk[0].file);
    d = guest_with("discard", "cmd=disk op=discard vdev=xvda bytes=2097152", dk, 1, size, true,
                   NULL);
    expect_poweroff(d, 60000);
    expect_line("disk: discarded 2097152 bytes\n");
    cr_expect_eq(stat_of("errors"), 0);
    uint64_t after = file_allocated(dk[0].file);
    cr_expect_leq(after + 2 * MIB, before, "allocated %llu -> %llu bytes",
                  (unsigned long long)before, (unsigned long long)after);
    /* Zeros where the hole is, the pattern after it. */
    int fd = open(dk[0].file, O_RDONLY | O_CLOEXEC);
    static uint64_t w[(6 * MIB) / 8];
    cr_assert_eq(pread(fd, w, 2 * MIB, 0), (ssize_t)(2 * MIB));
    for (size_t i = 0; i < 2 * MIB / 8; i++)
        cr_assert_eq(w[i], 0, "byte %zu not discarded", i * 8);
    cr_assert_eq(pread(fd, w, 6 * MIB, 2 * MIB), (ssize_t)(6 * MIB));
    for (size_t i = 0; i < 6 * MIB / 8; i++)
        cr_assert_eq(w[i], disk_pattern(5, 2 * MIB + i * 8), "byte %zu lost", 2 * MIB + i * 8);
    close(fd);
}
