/* test_blkback.c: pvblkback, the block backend daemon.
 *
 * blkback_req: the request decoder (blkreq.c) on its own.
 *
 * blkback: a private pvhv, pvxenstored and pvblkback on one run directory;
 * this process plays the toolstack (the xenstore records pvctl writes for a
 * disk) and, until the reference guest has its disk commands, the frontend
 * too: a `kickbench` guest grants 64 pages and leaves a port unbound for
 * dom0; the test maps those pages, lays a blkif ring and data pages in
 * them, publishes them in the frontend directory as blkfront would, and
 * writes requests into the ring. Such a frontend cannot raise the guest's
 * event channel, so pvblkback runs with --poll-ms 2 (it looks at connected
 * rings every 2 ms besides their notifications), and the ring's rsp_event
 * is set out of reach so the guest is never woken.
 *
 * blkback_guest: the same with the reference guest's blkfront (cmd=disk),
 * skipped while refguest.elf has no disk commands.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvhv/grant_table.h>
#include <pvhv/hvm/params.h>
#include <pvhv/io/blkif.h>
#include <pvhv/io/xenbus.h>
#include <pvhv/sched.h>
#include <xenstore.h>

#include "blkreq.h"
#include "harness.h"

/* ======================================================================
 * The decoder
 * ====================================================================== */

TestSuite(blkback_req);

static const struct blkreq_disk disk512 = {
    .sectors = 512, .readonly = false, .discard = true, .max_indirect = 256,
};

static union blkreq_raw rw(uint8_t op, uint64_t sector, unsigned nseg)
{
    union blkreq_raw r;

    memset(&r, 0, sizeof(r));
    r.rw.operation = op;
    r.rw.nr_segments = (uint8_t)nseg;
    r.rw.id = 0xabcdef0123ull;
    r.rw.sector_number = sector;
    for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r.rw.seg[i].gref = 100 + i;
        r.rw.seg[i].first_sect = 0;
        r.rw.seg[i].last_sect = 7;
    }
    return r;
}

Test(blkback_req, reads_and_writes)
{
    struct blkreq q;
    union blkreq_raw r = rw(BLKIF_OP_READ, 8, 2);

    cr_assert_eq(blkreq_decode(&r, &disk512, &q), 0);
    cr_expect_eq(q.kind, BLKREQ_READ);
    cr_expect_eq(q.id, 0xabcdef0123ull);
    cr_expect_eq(q.rsp_op, BLKIF_OP_READ);
    cr_expect_eq(q.nseg, 2);
    cr_expect_eq(q.nr_sectors, 16);
    cr_expect_eq(q.seg[1].gref, 101);
    r = rw(BLKIF_OP_WRITE, 512 - 88, 11); /* the last 11 pages exactly */
    cr_assert_eq(blkreq_decode(&r, &disk512, &q), 0);
    cr_expect_eq(q.kind, BLKREQ_WRITE);
    cr_expect(blkreq_writes(&q));
    /* Partial pages: sectors 3..5 of one page, 0..0 of the next. */
    r = rw(BLKIF_OP_READ, 0, 2);
    r.rw.seg[0].first_sect = 3;
    r.rw.seg[0].last_sect = 5;
    r.rw.seg[1].last_sect = 0;
    cr_assert_eq(blkreq_decode(&r, &disk512, &q), 0);
    cr_expect_eq(q.nr_sectors, 4);
}

Test(blkback_req, malformed_segments)
{
    struct blkreq q;
    union blkreq_raw r;

    r = rw(BLKIF_OP_READ, 0, 0);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL, "a read needs a segment");
    r = rw(BLKIF_OP_WRITE, 0, 12);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL, "12 segments");
    r = rw(BLKIF_OP_WRITE, 0, 255);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL, "255 segments");
    r = rw(BLKIF_OP_READ, 0, 1);
    r.rw.seg[0].first_sect = 5;
    r.rw.seg[0].last_sect = 2;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL, "first > last");
    r.rw.seg[0].first_sect = 0;
    r.rw.seg[0].last_sect = 8;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL, "past the page");
    cr_expect_eq(q.id, 0xabcdef0123ull, "a refused request keeps its id");
    cr_expect_eq(blkreq_status(-EINVAL), BLKIF_RSP_ERROR);
}

Test(blkback_req, sector_range)
{
    struct blkreq q;
    union blkreq_raw r;

    r = rw(BLKIF_OP_READ, 512 - 8, 1);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), 0, "the last page");
    r = rw(BLKIF_OP_READ, 512 - 8, 2);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -ERANGE, "one page past the end");
    r = rw(BLKIF_OP_READ, 512, 1);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -ERANGE);
    r = rw(BLKIF_OP_WRITE, UINT64_MAX - 3, 1);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -ERANGE, "wrapping around");
    cr_expect(blkreq_range_ok(0, 512, 512));
    cr_expect(!blkreq_range_ok(1, UINT64_MAX, 512));
}

Test(blkback_req, operations)
{
    struct blkreq q;
    union blkreq_raw r;
    const uint8_t bad[] = { BLKIF_OP_RESERVED_1, 7, 42, 255 };

    for (unsigned i = 0; i < sizeof(bad); i++) {
        r = rw(bad[i], 0, 1);
        cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EOPNOTSUPP, "op %u", bad[i]);
        cr_expect_eq(q.rsp_op, bad[i]);
    }
    cr_expect_eq(blkreq_status(-EOPNOTSUPP), BLKIF_RSP_EOPNOTSUPP);
    cr_expect_eq(blkreq_status(0), BLKIF_RSP_OKAY);
    r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), 0, "a flush without data");
    cr_expect_eq(q.kind, BLKREQ_FLUSH);
    cr_expect(!blkreq_writes(&q));
    r = rw(BLKIF_OP_WRITE_BARRIER, 16, 3);
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), 0, "a barrier with data");
    cr_expect_eq(q.kind, BLKREQ_BARRIER);
    cr_expect(blkreq_writes(&q));
    cr_expect_eq(q.nr_sectors, 24);
}

Test(blkback_req, read_only_disk)
{
    struct blkreq_disk ro = disk512;
    struct blkreq q;
    union blkreq_raw r;

    ro.readonly = true;
    r = rw(BLKIF_OP_READ, 0, 1);
    cr_expect_eq(blkreq_decode(&r, &ro, &q), 0);
    r = rw(BLKIF_OP_WRITE, 0, 1);
    cr_expect_eq(blkreq_decode(&r, &ro, &q), -EROFS);
    cr_expect_eq(blkreq_status(-EROFS), BLKIF_RSP_ERROR);
    r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
    cr_expect_eq(blkreq_decode(&r, &ro, &q), 0, "flushing writes nothing");
    r = rw(BLKIF_OP_WRITE_BARRIER, 0, 1);
    cr_expect_eq(blkreq_decode(&r, &ro, &q), -EROFS);
    memset(&r, 0, sizeof(r));
    r.discard.operation = BLKIF_OP_DISCARD;
    r.discard.nr_sectors = 8;
    cr_expect_eq(blkreq_decode(&r, &ro, &q), -EROFS);
    memset(&r, 0, sizeof(r));
    r.indirect.operation = BLKIF_OP_INDIRECT;
    r.indirect.indirect_op = BLKIF_OP_WRITE;
    r.indirect.nr_segments = 20;
    cr_expect_eq(blkreq_decode(&r, &ro, &q), -EROFS);
}

Test(blkback_req, discard)
{
    struct blkreq_disk nodisc = disk512;
    struct blkreq q;
    union blkreq_raw r;

    memset(&r, 0, sizeof(r));
    r.discard.operation = BLKIF_OP_DISCARD;
    r.discard.id = 7;
    r.discard.sector_number = 100;
    r.discard.nr_sectors = 412;
    cr_assert_eq(blkreq_decode(&r, &disk512, &q), 0);
    cr_expect_eq(q.kind, BLKREQ_DISCARD);
    cr_expect_eq(q.nr_sectors, 412);
    cr_expect_eq(q.id, 7);
    r.discard.nr_sectors = 413;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -ERANGE);
    r.discard.nr_sectors = UINT64_MAX;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -ERANGE);
    nodisc.discard = false;
    r.discard.nr_sectors = 1;
    cr_expect_eq(blkreq_decode(&r, &nodisc, &q), -EOPNOTSUPP);
}

Test(blkback_req, indirect_header)
{
    struct blkreq_disk big = disk512;
    struct blkreq q;
    union blkreq_raw r;

    memset(&r, 0, sizeof(r));
    r.indirect.operation = BLKIF_OP_INDIRECT;
    r.indirect.indirect_op = BLKIF_OP_READ;
    r.indirect.nr_segments = 40;
    r.indirect.id = 99;
    r.indirect.indirect_grefs[0] = 55;
    cr_assert_eq(blkreq_decode(&r, &disk512, &q), 0);
    cr_expect(q.indirect);
    cr_expect_eq(q.rsp_op, BLKIF_OP_READ, "answered with indirect_op, as Linux");
    cr_expect_eq(q.nseg, 40);
    cr_expect_eq(q.nr_indirect_pages, 1);
    cr_expect_eq(q.indirect_grefs[0], 55);
    r.indirect.nr_segments = 0;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL);
    r.indirect.nr_segments = 257;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL, "more than advertised");
    r.indirect.nr_segments = 8;
    r.indirect.indirect_op = BLKIF_OP_FLUSH_DISKCACHE;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -EINVAL);
    r.indirect.indirect_op = BLKIF_OP_READ;
    r.indirect.sector_number = 512;
    cr_expect_eq(blkreq_decode(&r, &disk512, &q), -ERANGE);
    big.max_indirect = 8 * 512 + 1;
    r.indirect.sector_number = 0;
    r.indirect.nr_segments = 8 * 512 + 1;
    cr_expect_eq(blkreq_decode(&r, &big, &q), -EINVAL, "more than 8 indirect pages");
    big.max_indirect = 0;
    r.indirect.nr_segments = 8;
    cr_expect_eq(blkreq_decode(&r, &big, &q), -EOPNOTSUPP, "indirect not offered");
    /* Segments fetched from the pages are checked as direct ones. */
    struct blkreq_seg segs[3] = { { 1, 0, 7 }, { 2, 0, 7 }, { 3, 2, 9 } };
    uint64_t n = 0;
    cr_expect_eq(blkreq_check_segs(segs, 3, 0, 512, &n), -EINVAL);
    segs[2].last_sect = 3;
    cr_expect_eq(blkreq_check_segs(segs, 3, 0, 512, &n), 0);
    cr_expect_eq(n, 18);
    cr_expect_eq(blkreq_check_segs(segs, 3, 500, 512, &n), -ERANGE);
}

/* ======================================================================
 * The daemon, with a frontend played from dom0
 * ====================================================================== */

static struct host host;
static pid_t xsd_pid, bb_pid;
static struct xs_handle *xs;
static char bb_logpath[128];
static char con[65536];

/* The tail of pvblkback's log (its stderr), for failure messages. */
static const char *bb_log(void)
{
    return file_tail(bb_logpath);
}

static bool bb_log_has(const char *text)
{
    return strstr(bb_log(), text) != NULL;
}

/* Start pvblkback on `rundir` (log: rundir/pvblkback.log), looking at its
 * rings every `poll_ms` (0: its default), with --max-pgrants `pgrants`
 * unless NULL; wait for its pid file. */
static pid_t blkback_spawn(const char *rundir, int poll_ms, const char *pgrants)
{
    char pidfile[128], poll[16];
    pid_t pid;

    snprintf(bb_logpath, sizeof(bb_logpath), "%s/pvblkback.log", rundir);
    snprintf(pidfile, sizeof(pidfile), "%s/pvblkback.pid", rundir);
    snprintf(poll, sizeof(poll), "%d", poll_ms);
    const char *argv[10] = { "pvblkback", "--rundir", rundir };
    int argc = 3;
    if (poll_ms > 0) {
        argv[argc++] = "--poll-ms";
        argv[argc++] = poll;
    }
    if (pgrants) {
        argv[argc++] = "--max-pgrants";
        argv[argc++] = pgrants;
    }
    if (getenv("PVHV_TEST_VERBOSE"))
        argv[argc++] = "--debug";
    pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(bb_logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(build_path("bin/pvblkback"), (char **)argv);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        char buf[32] = "";
        FILE *f = fopen(pidfile, "re");
        if (f) {
            bool ok = fgets(buf, sizeof(buf), f) && atol(buf) == pid;
            fclose(f);
            if (ok)
                return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            cr_assert_fail("pvblkback (%s) exited at start; log:\n%s",
                           build_path("bin/pvblkback"), bb_log());
        usleep(5000);
    }
    cr_assert_fail("pvblkback wrote no pid file; log:\n%s", bb_log());
    return -1;
}

/* SIGTERM, then SIGKILL after 15 s; the exit code, or 128 + signal. */
static int stop_pid(pid_t pid)
{
    int st = 0;

    if (pid <= 0)
        return 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 1500; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 128 + SIGKILL;
}

static void blkback_stop_checked(void)
{
    int st = stop_pid(bb_pid);
    bb_pid = 0;
    cr_expect_eq(st, 0, "pvblkback must exit cleanly on SIGTERM (under ASan: no leaks); "
                 "status %d; log:\n%s", st, bb_log());
}

static void setup(void)
{
    host_start(&host);
    xsd_pid = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    bb_pid = blkback_spawn(host.rundir, 2, NULL);
    xs = xs_open(0);
    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
}

static void teardown(void)
{
    if (xs)
        xs_close(xs);
    xs = NULL;
    if (bb_pid > 0)
        blkback_stop_checked();
    if (getenv("PVHV_TEST_VERBOSE"))
        fprintf(stderr, "pvblkback's log:\n%s", bb_log());
    if (xsd_pid > 0)
        cr_expect_eq(stop_pid(xsd_pid), 0, "pvxenstored must exit cleanly");
    xsd_pid = 0;
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(blkback, .init = setup, .fini = teardown, .timeout = 90);

/* ---------------------------------------------------------------------
 * The toolstack's part: the records pvctl writes for one disk
 * --------------------------------------------------------------------- */

/* Xen's vbd number of xvdX (docs/misc/vbd-interface.txt). */
static uint32_t xvd_devid(const char *vdev)
{
    unsigned disk = (unsigned)(vdev[3] - 'a');
    return disk < 16 ? (202u << 8) | (disk << 4) : (1u << 28) | (disk << 8);
}

struct disk {
    uint32_t domid, devid;
    char F[96], B[96], img[160];
};

static void txw(xs_transaction_t t, const char *dir, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void txw(xs_transaction_t t, const char *dir, const char *key, const char *fmt, ...)
{
    char path[192], val[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    cr_assert(xs_write(xs, t, path, val, (unsigned)strlen(val)), "write %s: %s", path,
              strerror(errno));
}

/* A sparse raw image of `mib` MiB in the run directory. */
static void make_image(struct disk *d, const char *name, unsigned mib)
{
    snprintf(d->img, sizeof(d->img), "%s/%s.img", host.rundir, name);
    int fd = open(d->img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert_geq(fd, 0, "%s: %s", d->img, strerror(errno));
    cr_assert_eq(ftruncate(fd, (off_t)mib << 20), 0);
    close(fd);
}

/* Write the frontend and backend directories of disk `vdev` of `domid`
 * exactly as pvctl (libxl's layout) does, in one transaction. */
static void toolstack_disk_typed(struct disk *d, uint32_t domid, const char *vdev,
                                 const char *mode, const char *devtype, const char *type)
{
    d->domid = domid;
    d->devid = xvd_devid(vdev);
    snprintf(d->F, sizeof(d->F), "/local/domain/%u/device/vbd/%u", domid, d->devid);
    snprintf(d->B, sizeof(d->B), "/local/domain/0/backend/vbd/%u/%u", domid, d->devid);
    for (int tries = 0; tries < 10; tries++) {
        xs_transaction_t t = xs_transaction_start(xs);
        cr_assert_neq(t, XBT_NULL, "transaction: %s", strerror(errno));
        struct xs_permissions fperm[] = { { .id = domid, .perms = XS_PERM_NONE },
                                          { .id = 0, .perms = XS_PERM_READ } };
        struct xs_permissions bperm[] = { { .id = 0, .perms = XS_PERM_NONE },
                                          { .id = domid, .perms = XS_PERM_READ } };
        cr_assert(xs_mkdir(xs, t, d->F) && xs_set_permissions(xs, t, d->F, fperm, 2));
        txw(t, d->F, "backend", "%s", d->B);
        txw(t, d->F, "backend-id", "0");
        txw(t, d->F, "state", "1");
        txw(t, d->F, "virtual-device", "%u", d->devid);
        txw(t, d->F, "device-type", "%s", devtype);
        cr_assert(xs_mkdir(xs, t, d->B) && xs_set_permissions(xs, t, d->B, bperm, 2));
        txw(t, d->B, "frontend", "%s", d->F);
        txw(t, d->B, "frontend-id", "%u", domid);
        txw(t, d->B, "online", "1");
        txw(t, d->B, "state", "1");
        txw(t, d->B, "params", "%s", d->img);
        txw(t, d->B, "mode", "%s", mode);
        txw(t, d->B, "type", "%s", type);
        txw(t, d->B, "dev", "%s", vdev);
        txw(t, d->B, "device-type", "%s", devtype);
        txw(t, d->B, "removable", "0");
        txw(t, d->B, "bootable", "1");
        txw(t, d->B, "format", "raw");
        if (xs_transaction_end(xs, t, false))
            return;
        cr_assert_eq(errno, EAGAIN, "commit: %s", strerror(errno));
    }
    cr_assert_fail("the disk's transaction kept conflicting");
}

static void toolstack_disk(struct disk *d, uint32_t domid, const char *vdev, const char *mode,
                           const char *devtype)
{
    toolstack_disk_typed(d, domid, vdev, mode, devtype, "file");
}

/* `pvctl destroy`: both directories go. */
static void toolstack_remove(struct disk *d)
{
    xs_rm(xs, XBT_NULL, d->F);
    xs_rm(xs, XBT_NULL, d->B);
}

/* dir/key as dom0 reads it ("<ENOENT>" etc. if it cannot). */
static const char *rd(const char *dir, const char *key)
{
    static char out[8][512];
    static int next;
    char *o = out[next++ % 8], path[192];
    unsigned len = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    char *v = xs_read(xs, XBT_NULL, path, &len);
    if (!v)
        snprintf(o, 512, "<%s>", strerror(errno));
    else
        snprintf(o, 512, "%.*s", (int)len, v);
    free(v);
    return o;
}

static bool wait_node(const char *dir, const char *key, const char *want, int ms)
{
    double end = now_ms() + ms;

    do {
        if (!strcmp(rd(dir, key), want))
            return true;
        usleep(2000);
    } while (now_ms() < end);
    return false;
}

#define ASSERT_NODE(dir, key, want, ms)                                                     \
    cr_assert(wait_node(dir, key, want, ms), "%s/%s is '%s', not '%s' after %d ms; log:\n%s", \
              dir, key, rd(dir, key), want, ms, bb_log())

/* ---------------------------------------------------------------------
 * The test pattern (the same as refguest's disk verify)
 * --------------------------------------------------------------------- */

static uint64_t mix(uint64_t z)
{
    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ull;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z;
}

/* The little-endian word at disk byte offset `off` (a multiple of 8). */
static uint64_t pat(uint64_t seed, uint64_t off)
{
    return mix(seed * 0x9E3779B97F4A7C15ull + off / 8);
}

static void fill(void *buf, size_t len, uint64_t seed, uint64_t off)
{
    uint64_t *w = buf;
    for (size_t i = 0; i < len / 8; i++)
        w[i] = pat(seed, off + i * 8);
}

/* The first byte offset (from `off`) that differs from the pattern, or -1. */
static long long mismatch(const void *buf, size_t len, uint64_t seed, uint64_t off)
{
    const uint64_t *w = buf;
    for (size_t i = 0; i < len / 8; i++)
        if (w[i] != pat(seed, off + i * 8))
            return (long long)(off + i * 8);
    return -1;
}

/* Compare `len` bytes of the image at `off` with the pattern (as cmp does
 * with a file generated on the host). */
static long long file_mismatch(const char *img, uint64_t off, size_t len, uint64_t seed)
{
    uint8_t *buf = malloc(len);
    int fd = open(img, O_RDONLY | O_CLOEXEC);
    cr_assert(buf && fd >= 0, "%s: %s", img, strerror(errno));
    cr_assert_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
    close(fd);
    long long bad = mismatch(buf, len, seed, off);
    free(buf);
    return bad;
}

/* ---------------------------------------------------------------------
 * The frontend played from dom0
 * --------------------------------------------------------------------- */

#define KPAGES 64

/* A kickbench guest: 64 pages granted to dom0 (refs ref0..ref0+63, mapped
 * here) and an unbound port; its console port is unbound for dom0 too (no
 * pvconsoled here), which a second disk uses. */
struct kguest {
    uint32_t domid, port, con_port, ref0;
    struct pvctrl_gnttab *g;
    uint8_t *pages;
};

static void kguest_boot(struct kguest *k, const char *name)
{
    unsigned port = 0, ref0 = 0, pages = 0;
    uint32_t refs[KPAGES];
    uint64_t cport = 0;

    memset(k, 0, sizeof(*k));
    k->domid = boot_refguest(&host, name, "cmd=kickbench n=1 timeout_ms=3600000", 1, 32);
    cr_assert(wait_console(&host, k->domid, "pages=", 15000, con, sizeof(con)),
              "kickbench never granted its pages; console:\n%s", con);
    const char *line = strstr(con, "kickbench: port=");
    cr_assert(line && sscanf(line, "kickbench: port=%u ref=%u pages=%u", &port, &ref0,
                             &pages) == 3 && pages == KPAGES, "console:\n%s", con);
    k->port = port;
    k->ref0 = ref0;
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, k->domid, HVM_PARAM_CONSOLE_EVTCHN, &cport), 0);
    k->con_port = (uint32_t)cport;
    cr_assert_eq(pvctrl_gnttab_open(host.rundir, &k->g), 0);
    for (unsigned i = 0; i < KPAGES; i++)
        refs[i] = ref0 + i;
    k->pages = pvctrl_gnttab_map_grant_refs(k->g, KPAGES, k->domid, refs,
                                            PROT_READ | PROT_WRITE);
    cr_assert_not_null(k->pages, "mapping the guest's pages: %s", strerror(errno));
}

static void kguest_drop(struct kguest *k)
{
    if (k->g)
        pvctrl_gnttab_close(k->g); /* unmaps the pages */
    k->g = NULL;
    k->pages = NULL;
}

/* One disk's frontend on pages [base, base + npages) of a kguest: the ring
 * (2^order pages), one indirect page, then data pages. */
struct ff {
    struct kguest *k;
    struct disk d;
    unsigned base, npages, order;
    blkif_front_ring_t ring;
};

static uint8_t *ff_page(struct ff *f, unsigned i)
{
    return f->k->pages + (size_t)(f->base + i) * XEN_PAGE_SIZE;
}

static uint32_t ff_ref(struct ff *f, unsigned i)
{
    return f->k->ref0 + f->base + i;
}

static unsigned ff_ind(struct ff *f)
{
    return 1u << f->order;
}

/* Data page j (0-based). */
static unsigned ff_data(struct ff *f, unsigned j)
{
    unsigned i = (1u << f->order) + 1 + j;
    cr_assert_lt(i, f->npages, "data page %u past the frontend's pages", j);
    return i;
}

/*
 * Attach an image of `mib` MiB as `vdev` of the kguest and connect to it
 * as blkfront would: wait for InitWait, lay out the ring, publish it
 * (ring-ref or ring-page-order + ring-refN, event-channel, protocol,
 * feature-persistent), Initialised; wait for Connected.
 */
static void ff_connect(struct ff *f, uint32_t port, bool persistent);

static void ff_attach(struct ff *f, struct kguest *k, unsigned base, unsigned npages,
                      uint32_t port, const char *vdev, const char *mode, unsigned mib,
                      bool persistent, unsigned order)
{
    char name[48];

    memset(f, 0, sizeof(*f));
    f->k = k;
    f->base = base;
    f->npages = npages;
    f->order = order;
    snprintf(name, sizeof(name), "d%u-%s", k->domid, vdev);
    make_image(&f->d, name, mib);
    toolstack_disk(&f->d, k->domid, vdev, mode, "disk");
    ff_connect(f, port, persistent);
}

/* The frontend's half: wait for InitWait, publish the ring, wait for
 * Connected. */
static void ff_connect(struct ff *f, uint32_t port, bool persistent)
{
    unsigned order = f->order;

    ASSERT_NODE(f->d.B, "state", "2", 10000);

    blkif_sring_t *s = (blkif_sring_t *)ff_page(f, 0);
    memset(s, 0, (size_t)XEN_PAGE_SIZE << order);
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&f->ring, s, (size_t)XEN_PAGE_SIZE << order);
    s->rsp_event = 1u << 31; /* never notify: the guest is not a frontend */
    xs_transaction_t t;
    for (int tries = 0;; tries++) {
        cr_assert_lt(tries, 10);
        t = xs_transaction_start(xs);
        if (order == 0) {
            txw(t, f->d.F, "ring-ref", "%u", ff_ref(f, 0));
        } else {
            txw(t, f->d.F, "ring-page-order", "%u", order);
            for (unsigned i = 0; i < (1u << order); i++) {
                char key[24];
                snprintf(key, sizeof(key), "ring-ref%u", i);
                txw(t, f->d.F, key, "%u", ff_ref(f, i));
            }
        }
        txw(t, f->d.F, "event-channel", "%u", port);
        txw(t, f->d.F, "protocol", "x86_64-abi");
        txw(t, f->d.F, "feature-persistent", "%d", persistent ? 1 : 0);
        txw(t, f->d.F, "state", "3");
        if (xs_transaction_end(xs, t, false))
            break;
    }
    ASSERT_NODE(f->d.B, "state", "4", 10000);
}

/* Put a request (any of the layouts, `len` bytes; the rest of the slot
 * zeroed) into the next slot. */
static void ff_put(struct ff *f, const void *req, size_t len)
{
    uint8_t slot[sizeof(struct blkif_request)] = { 0 };

    memcpy(slot, req, len);
    memcpy(RING_GET_REQUEST(&f->ring, f->ring.req_prod_pvt), slot, sizeof(slot));
    f->ring.req_prod_pvt++;
}
#define FF_PUT(f, x) ff_put((f), &(x), sizeof(x))

static void ff_push(struct ff *f)
{
    RING_PUSH_REQUESTS(&f->ring);
}

/* Up to n responses within ms; returns how many came. */
static unsigned ff_collect(struct ff *f, struct blkif_response *out, unsigned n, int ms)
{
    double end = now_ms() + ms;
    unsigned got = 0;

    while (got < n && now_ms() < end) {
        RING_IDX rp = PVHV_RING_READ_IDX(f->ring.sring->rsp_prod);
        xen_rmb();
        while (f->ring.rsp_cons != rp && got < n) {
            RING_COPY_RESPONSE(&f->ring, f->ring.rsp_cons, &out[got]);
            f->ring.rsp_cons++;
            got++;
        }
        if (got < n)
            usleep(500);
    }
    return got;
}

/* Push one request and return its response's status (asserts it came). */
static int ff_do(struct ff *f, const void *req, size_t len)
{
    struct blkif_response rsp;

    ff_put(f, req, len);
    ff_push(f);
    cr_assert_eq(ff_collect(f, &rsp, 1, 10000), 1, "no response within 10 s; log:\n%s",
                 bb_log());
    cr_expect_eq(rsp.id, ((const struct blkif_request *)req)->id, "response id");
    return rsp.status;
}
#define FF_DO(f, x) ff_do((f), &(x), sizeof(x))

/* A request of `n` whole data pages dp.. at `sector`. */
static struct blkif_request rq_pages(struct ff *f, uint8_t op, uint64_t id, uint64_t sector,
                                     unsigned dp, unsigned n)
{
    struct blkif_request r;

    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = (uint8_t)n;
    r.handle = (uint16_t)f->d.devid;
    r.id = id;
    r.sector_number = sector;
    for (unsigned i = 0; i < n && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r.seg[i].gref = ff_ref(f, ff_data(f, dp + i));
        r.seg[i].first_sect = 0;
        r.seg[i].last_sect = 7;
    }
    return r;
}

/* Move `npg` pages between disk page `dpage` on and data pages dp.., in
 * requests of up to 11 segments, all pushed at once; every one must succeed. */
static void ff_rw(struct ff *f, uint8_t op, uint64_t dpage, unsigned dp, unsigned npg)
{
    struct blkif_response rsp[64];
    unsigned nreq = 0;

    for (unsigned done = 0; done < npg; nreq++) {
        unsigned n = npg - done < 11 ? npg - done : 11;
        struct blkif_request r = rq_pages(f, op, 1000 + nreq, (dpage + done) * 8, dp + done, n);
        FF_PUT(f, r);
        done += n;
    }
    ff_push(f);
    cr_assert_eq(ff_collect(f, rsp, nreq, 10000), nreq, "responses missing; log:\n%s",
                 bb_log());
    for (unsigned i = 0; i < nreq; i++) {
        cr_expect_eq(rsp[i].status, BLKIF_RSP_OKAY, "request %llu: status %d",
                     (unsigned long long)rsp[i].id, rsp[i].status);
        cr_expect_eq(rsp[i].operation, op);
    }
}

static int ff_flush(struct ff *f)
{
    struct blkif_request r;

    memset(&r, 0, sizeof(r));
    r.operation = BLKIF_OP_FLUSH_DISKCACHE;
    r.id = 77;
    return FF_DO(f, r);
}

/* Write the pattern to disk pages [dpage, dpage + npg) through data pages
 * 0.., flush, then read it back through other data pages and check it. */
static void ff_write_verify(struct ff *f, uint64_t seed, uint64_t dpage, unsigned npg)
{
    for (unsigned i = 0; i < npg; i++)
        fill(ff_page(f, ff_data(f, i)), XEN_PAGE_SIZE, seed, (dpage + i) * XEN_PAGE_SIZE);
    ff_rw(f, BLKIF_OP_WRITE, dpage, 0, npg);
    cr_assert_eq(ff_flush(f), BLKIF_RSP_OKAY);
    for (unsigned i = 0; i < npg; i++)
        memset(ff_page(f, ff_data(f, npg + i)), 0xee, XEN_PAGE_SIZE);
    ff_rw(f, BLKIF_OP_READ, dpage, npg, npg);
    for (unsigned i = 0; i < npg; i++) {
        long long bad = mismatch(ff_page(f, ff_data(f, npg + i)), XEN_PAGE_SIZE, seed,
                                 (dpage + i) * XEN_PAGE_SIZE);
        cr_assert_eq(bad, -1, "read back differs at disk offset %lld", bad);
    }
}

/* ---------------------------------------------------------------------
 * Tests
 * --------------------------------------------------------------------- */

Test(blkback, publishes_xenbus_nodes_and_connects)
{
    struct kguest k;
    struct ff f;

    kguest_boot(&k, "nodes");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "w", 64, true, 0);
    cr_expect_eq(f.d.devid, 51712, "xvda is 202 << 8");
    const char *B = f.d.B;
    cr_expect_str_eq(rd(B, "sectors"), "131072");
    cr_expect_str_eq(rd(B, "sector-size"), "512");
    cr_expect_str_eq(rd(B, "physical-sector-size"), "4096");
    cr_expect_str_eq(rd(B, "info"), "0");
    cr_expect_str_eq(rd(B, "feature-flush-cache"), "1");
    cr_expect_str_eq(rd(B, "feature-barrier"), "1");
    cr_expect_str_eq(rd(B, "feature-discard"), "1");
    cr_expect_str_eq(rd(B, "discard-granularity"), "4096");
    cr_expect_str_eq(rd(B, "discard-alignment"), "0");
    cr_expect_str_eq(rd(B, "discard-secure"), "0");
    cr_expect_str_eq(rd(B, "feature-persistent"), "1");
    cr_expect_str_eq(rd(B, "feature-max-indirect-segments"), "256");
    cr_expect_str_eq(rd(B, "max-ring-page-order"), "4");
    cr_expect_str_eq(rd(B, "multi-queue-max-queues"), "1");
    cr_expect_str_eq(rd(B, "state"), "4");
    cr_expect_str_eq(rd(B, "error"), "<No such file or directory>");
    /* The nodes are dom0's and readable by the guest (inherited from B). */
    unsigned np = 0;
    char path[160];
    snprintf(path, sizeof(path), "%s/sectors", B);
    struct xs_permissions *p = xs_get_permissions(xs, XBT_NULL, path, &np);
    cr_assert_not_null(p);
    cr_expect(np == 2 && p[0].id == 0 && p[1].id == k.domid && p[1].perms == XS_PERM_READ);
    free(p);
    cr_expect(bb_log_has("persistent grants"), "log:\n%s", bb_log());
    kguest_drop(&k);
}

static void roundtrip(bool persistent)
{
    struct kguest k;
    struct ff f;
    struct stat st;

    kguest_boot(&k, persistent ? "persist" : "copy");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "w", 64, persistent, 0);
    /* 24 pages in 3 requests (11 + 11 + 2), all in flight together, at
     * 1 MiB into the disk; then 20 pages at the very end. */
    ff_write_verify(&f, 0x5eed, 256, 24);
    ff_write_verify(&f, 0x5eed, 16384 - 20, 20);
    cr_expect_eq(file_mismatch(f.d.img, 256 * 4096, 24 * 4096, 0x5eed), -1,
                 "the image must hold what was written");
    cr_expect_eq(file_mismatch(f.d.img, (16384 - 20) * 4096ull, 20 * 4096, 0x5eed), -1);
    cr_assert_eq(stat(f.d.img, &st), 0);
    cr_expect_eq(st.st_size, 64 << 20, "the image keeps its size");
    cr_expect_lt(st.st_blocks * 512, 4 << 20, "the image stays sparse: %lld bytes used",
                 (long long)st.st_blocks * 512);

    /* Partial pages: sectors 1..3 of one page and 6..7 of another, at
     * sector 8 * 300 + 5: 5 sectors. */
    uint8_t *a = ff_page(&f, ff_data(&f, 50)), *b = ff_page(&f, ff_data(&f, 51));
    uint64_t disk_off = (300 * 8 + 5) * 512ull;
    fill(a + 512, 3 * 512, 77, disk_off);
    fill(b + 6 * 512, 2 * 512, 77, disk_off + 3 * 512);
    struct blkif_request r = rq_pages(&f, BLKIF_OP_WRITE, 5, 300 * 8 + 5, 50, 2);
    r.seg[0].first_sect = 1;
    r.seg[0].last_sect = 3;
    r.seg[1].first_sect = 6;
    r.seg[1].last_sect = 7;
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    cr_expect_eq(file_mismatch(f.d.img, disk_off, 5 * 512, 77), -1);
    memset(a, 0, 4096);
    r.operation = BLKIF_OP_READ;
    r.seg[0].first_sect = 0;
    r.seg[0].last_sect = 4;
    r.nr_segments = 1;
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    cr_expect_eq(mismatch(a, 5 * 512, 77, disk_off), -1);
    char want[64];
    snprintf(want, sizeof(want), "%s grants", persistent ? "persistent" : "copied");
    cr_expect(bb_log_has(want), "log:\n%s", bb_log());
    kguest_drop(&k);
}

Test(blkback, write_flush_read_copied_grants)
{
    roundtrip(false);
}

Test(blkback, write_flush_read_persistent_grants)
{
    roundtrip(true);
}

/* An indirect request: its segment descriptors in a granted page. */
static struct blkif_request_indirect rq_indirect(struct ff *f, uint8_t op, uint64_t id,
                                                 uint64_t sector, unsigned dp, unsigned n)
{
    struct blkif_request_indirect r;
    struct blkif_request_segment *segs = (void *)ff_page(f, ff_ind(f));

    memset(&r, 0, sizeof(r));
    r.operation = BLKIF_OP_INDIRECT;
    r.indirect_op = op;
    r.nr_segments = (uint16_t)n;
    r.id = id;
    r.sector_number = sector;
    r.handle = (uint16_t)f->d.devid;
    r.indirect_grefs[0] = ff_ref(f, ff_ind(f));
    for (unsigned i = 0; i < n; i++)
        segs[i] = (struct blkif_request_segment){ .gref = ff_ref(f, ff_data(f, dp + i)),
                                                  .first_sect = 0, .last_sect = 7 };
    return r;
}

static void indirect_and_big_ring(bool persistent)
{
    struct kguest k;
    struct ff f;
    struct blkif_response rsp[200];

    kguest_boot(&k, "indirect");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "w", 16, persistent, 2);
    cr_expect(bb_log_has("ring of 4 pages (128 slots)"), "log:\n%s", bb_log());
    /* 40 pages in one indirect write, read back in one indirect read. */
    for (unsigned i = 0; i < 40; i++)
        fill(ff_page(&f, ff_data(&f, i)), 4096, 9, (100 + i) * 4096ull);
    struct blkif_request_indirect r = rq_indirect(&f, BLKIF_OP_WRITE, 1, 800, 0, 40);
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY, "log:\n%s", bb_log());
    cr_expect_eq(file_mismatch(f.d.img, 100 * 4096, 40 * 4096, 9), -1);
    for (unsigned i = 0; i < 40; i++)
        memset(ff_page(&f, ff_data(&f, i)), 0, 4096);
    r = rq_indirect(&f, BLKIF_OP_READ, 2, 800, 0, 40);
    struct blkif_response one;
    FF_PUT(&f, r);
    ff_push(&f);
    cr_assert_eq(ff_collect(&f, &one, 1, 10000), 1);
    cr_expect_eq(one.status, BLKIF_RSP_OKAY);
    cr_expect_eq(one.operation, BLKIF_OP_READ, "indirect answered with indirect_op");
    for (unsigned i = 0; i < 40; i++)
        cr_assert_eq(mismatch(ff_page(&f, ff_data(&f, i)), 4096, 9, (100 + i) * 4096ull), -1,
                     "page %u", i);
    /* A full ring of 128 one-page reads at once, then 72 more. */
    for (unsigned i = 0; i < 128; i++) {
        struct blkif_request q = rq_pages(&f, BLKIF_OP_READ, 10000 + i, (100 + i % 40) * 8,
                                          i % 40, 1);
        FF_PUT(&f, q);
    }
    ff_push(&f);
    cr_assert_eq(ff_collect(&f, rsp, 128, 20000), 128, "log:\n%s", bb_log());
    for (unsigned i = 0; i < 72; i++) {
        struct blkif_request q = rq_pages(&f, BLKIF_OP_READ, 20000 + i, 800, 0, 1);
        FF_PUT(&f, q);
    }
    ff_push(&f);
    cr_assert_eq(ff_collect(&f, rsp + 128, 72, 20000), 72);
    for (unsigned i = 0; i < 200; i++)
        cr_expect_eq(rsp[i].status, BLKIF_RSP_OKAY, "request %llu",
                     (unsigned long long)rsp[i].id);
    for (unsigned i = 0; i < 40; i++)
        cr_assert_eq(mismatch(ff_page(&f, ff_data(&f, i)), 4096, 9, (100 + i) * 4096ull), -1);
    kguest_drop(&k);
}

Test(blkback, indirect_segments_and_four_page_ring)
{
    indirect_and_big_ring(true);
}

Test(blkback, indirect_segments_copied)
{
    indirect_and_big_ring(false);
}

/* --max-pgrants: a batch with more new pages than that has the rest
 * copied; the data is right either way, and the log says how each went. */
Test(blkback, few_persistent_grants_copy_the_rest)
{
    unsigned long long mapped = 0, copied = 0;

    blkback_stop_checked();
    bb_pid = blkback_spawn(host.rundir, 2, "32");
    indirect_and_big_ring(true);
    blkback_stop_checked();
    const char *log = bb_log(), *l = strstr(log, "through persistent maps");
    cr_assert_not_null(l, "no statistics line; log:\n%s", log);
    while (l > log && l[-1] != ':')
        l--;
    cr_assert_eq(sscanf(l, " %llu through persistent maps, %llu copied", &mapped, &copied), 2,
                 "%.80s", l);
    cr_expect_gt(mapped, 0, "some pages mapped persistently");
    cr_expect_gt(copied, 0, "the pages past 32 copied");
}

Test(blkback, flush_barrier_discard)
{
    struct kguest k;
    struct ff f;
    struct stat st0, st1;
    struct blkif_request r;

    kguest_boot(&k, "fbd");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "w", 16, true, 0);
    /* A barrier with data, then one without. */
    for (unsigned i = 0; i < 8; i++)
        fill(ff_page(&f, ff_data(&f, i)), 4096, 3, (512 + i) * 4096ull);
    r = rq_pages(&f, BLKIF_OP_WRITE_BARRIER, 1, 512 * 8, 0, 8);
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    cr_expect_eq(file_mismatch(f.d.img, 512 * 4096, 8 * 4096, 3), -1);
    memset(&r, 0, sizeof(r));
    r.operation = BLKIF_OP_WRITE_BARRIER;
    r.id = 2;
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    /* A flush carrying data: written, then stable. */
    for (unsigned i = 0; i < 2; i++)
        fill(ff_page(&f, ff_data(&f, i)), 4096, 4, (600 + i) * 4096ull);
    r = rq_pages(&f, BLKIF_OP_FLUSH_DISKCACHE, 3, 600 * 8, 0, 2);
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    cr_expect_eq(file_mismatch(f.d.img, 600 * 4096, 2 * 4096, 4), -1);
    /* Writes around a barrier, all in one push: every one answered. */
    struct blkif_response rsp[5];
    for (unsigned i = 0; i < 5; i++) {
        r = rq_pages(&f, i == 2 ? BLKIF_OP_WRITE_BARRIER : BLKIF_OP_WRITE, 10 + i,
                     (700 + i) * 8, 0, 1);
        FF_PUT(&f, r);
    }
    ff_push(&f);
    cr_assert_eq(ff_collect(&f, rsp, 5, 10000), 5);
    for (unsigned i = 0; i < 5; i++)
        cr_expect_eq(rsp[i].status, BLKIF_RSP_OKAY);
    /* Discard punches a hole: the blocks go, the data reads as zeros. */
    int fd = open(f.d.img, O_RDONLY);
    cr_assert_geq(fd, 0);
    fsync(fd);
    cr_assert_eq(fstat(fd, &st0), 0);
    struct blkif_request_discard dq = { .operation = BLKIF_OP_DISCARD, .id = 4,
                                        .sector_number = 512 * 8, .nr_sectors = 8 * 8 };
    cr_expect_eq(FF_DO(&f, dq), BLKIF_RSP_OKAY);
    cr_assert_eq(fstat(fd, &st1), 0);
    close(fd);
    cr_expect_lt(st1.st_blocks, st0.st_blocks, "discard must free blocks (%lld -> %lld)",
                 (long long)st0.st_blocks, (long long)st1.st_blocks);
    memset(ff_page(&f, ff_data(&f, 0)), 0xff, 4096);
    r = rq_pages(&f, BLKIF_OP_READ, 5, 512 * 8, 0, 1);
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    uint8_t zero[4096] = { 0 };
    cr_expect(!memcmp(ff_page(&f, ff_data(&f, 0)), zero, 4096), "a discarded page reads as 0");
    kguest_drop(&k);
}

Test(blkback, read_only_disk_refuses_writes)
{
    struct kguest k;
    struct ff f;
    struct blkif_request r;

    kguest_boot(&k, "ro");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "r", 8, false, 0);
    cr_expect_str_eq(rd(f.d.B, "info"), "4", "VDISK_READONLY");
    cr_expect_str_eq(rd(f.d.B, "feature-discard"), "0");
    /* Something to read: written on the host. */
    uint8_t page[4096];
    fill(page, sizeof(page), 11, 8192);
    int fd = open(f.d.img, O_WRONLY);
    cr_assert_eq(pwrite(fd, page, sizeof(page), 8192), 4096);
    close(fd);
    r = rq_pages(&f, BLKIF_OP_READ, 1, 16, 0, 1);
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_OKAY);
    cr_expect_eq(mismatch(ff_page(&f, ff_data(&f, 0)), 4096, 11, 8192), -1);
    memset(ff_page(&f, ff_data(&f, 0)), 0x55, 4096);
    r = rq_pages(&f, BLKIF_OP_WRITE, 2, 16, 0, 1);
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_ERROR, "a write to a read-only disk");
    r.operation = BLKIF_OP_WRITE_BARRIER;
    cr_expect_eq(FF_DO(&f, r), BLKIF_RSP_ERROR, "a barrier with data");
    struct blkif_request_discard dq = { .operation = BLKIF_OP_DISCARD, .id = 3,
                                        .sector_number = 0, .nr_sectors = 8 };
    cr_expect_eq(FF_DO(&f, dq), BLKIF_RSP_ERROR);
    cr_expect_eq(ff_flush(&f), BLKIF_RSP_OKAY, "a flush writes nothing");
    cr_expect_eq(file_mismatch(f.d.img, 8192, 4096, 11), -1, "the image is unchanged");
    kguest_drop(&k);
}

/* Hostile requests, one at a time: each gets an error status. */
static void hostile_cases(struct ff *f)
{
    struct blkif_request r;
    struct blkif_request_indirect ir;
    struct blkif_request_discard dq;

    r = rq_pages(f, 99, 1, 0, 0, 1);
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_EOPNOTSUPP, "unknown op");
    r = rq_pages(f, BLKIF_OP_RESERVED_1, 2, 0, 0, 1);
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_EOPNOTSUPP, "reserved op");
    r = rq_pages(f, BLKIF_OP_READ, 3, 0, 0, 1);
    r.nr_segments = 0;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "no segment");
    r.nr_segments = 12;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "12 segments");
    r.nr_segments = 200;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "200 segments");
    r = rq_pages(f, BLKIF_OP_WRITE, 4, 0, 0, 1);
    r.seg[0].first_sect = 6;
    r.seg[0].last_sect = 2;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "first > last");
    r.seg[0].first_sect = 0;
    r.seg[0].last_sect = 9;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "sector 9 of a page");
    r = rq_pages(f, BLKIF_OP_READ, 5, 16 * 2048, 0, 1);
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "past the end");
    r.sector_number = UINT64_MAX - 2;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "wrapping sector");
    r = rq_pages(f, BLKIF_OP_READ, 6, 0, 0, 2);
    r.seg[1].gref = f->k->ref0 + 400; /* never granted */
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "bad grant ref (read)");
    r.operation = BLKIF_OP_WRITE;
    r.seg[1].gref = 0xfffffff0;
    cr_expect_eq(FF_DO(f, r), BLKIF_RSP_ERROR, "bad grant ref (write)");
    ir = rq_indirect(f, BLKIF_OP_READ, 7, 0, 0, 20);
    ir.nr_segments = 300;
    cr_expect_eq(FF_DO(f, ir), BLKIF_RSP_ERROR, "300 indirect segments");
    ir = rq_indirect(f, BLKIF_OP_WRITE, 8, 0, 0, 10);
    ir.nr_segments = 20; /* entries 10..19 of the page: whatever was there */
    struct blkif_request_segment *segs = (void *)ff_page(f, ff_ind(f));
    for (unsigned i = 10; i < 20; i++)
        segs[i] = (struct blkif_request_segment){ .gref = 0xdead, .first_sect = 7,
                                                  .last_sect = 1 };
    cr_expect_eq(FF_DO(f, ir), BLKIF_RSP_ERROR, "indirect page lying about its count");
    ir = rq_indirect(f, BLKIF_OP_READ, 9, 0, 0, 4);
    ir.indirect_grefs[0] = f->k->ref0 + 300;
    cr_expect_eq(FF_DO(f, ir), BLKIF_RSP_ERROR, "bad indirect grant");
    ir = rq_indirect(f, BLKIF_OP_DISCARD, 10, 0, 0, 4);
    cr_expect_eq(FF_DO(f, ir), BLKIF_RSP_ERROR, "indirect discard");
    memset(&dq, 0, sizeof(dq));
    dq.operation = BLKIF_OP_DISCARD;
    dq.id = 11;
    dq.sector_number = 16 * 2048 - 8;
    dq.nr_sectors = 16;
    cr_expect_eq(FF_DO(f, dq), BLKIF_RSP_ERROR, "discard past the end");
    /* Still served. */
    ff_write_verify(f, 0x77, 10, 4);
}

Test(blkback, hostile_frontend_gets_errors_others_served)
{
    struct kguest k1, k2;
    struct ff bad, good;

    kguest_boot(&k1, "hostile");
    kguest_boot(&k2, "bystander");
    ff_attach(&bad, &k1, 0, KPAGES, k1.port, "xvda", "w", 16, true, 0);
    ff_attach(&good, &k2, 0, KPAGES, k2.port, "xvda", "w", 16, false, 0);
    hostile_cases(&bad);
    ff_write_verify(&good, 1, 0, 8);

    /* The same with copied grants. */
    struct blkif_request r = rq_pages(&good, BLKIF_OP_READ, 6, 0, 0, 2);
    r.seg[1].gref = k2.ref0 + 400;
    cr_expect_eq(FF_DO(&good, r), BLKIF_RSP_ERROR, "bad grant ref, copied");

    /* More requests than the ring holds: a broken frontend. The device
     * closes with an error node; the other disk is still served. */
    for (unsigned i = 0; i < 8; i++) {
        struct blkif_request q = rq_pages(&bad, BLKIF_OP_READ, 500 + i, 0, 0, 1);
        FF_PUT(&bad, q);
    }
    bad.ring.sring->req_prod = bad.ring.rsp_cons + 32 + 8; /* 40 in a 32-slot ring */
    ASSERT_NODE(bad.d.B, "state", "5", 10000);
    cr_expect(strstr(rd(bad.d.B, "error"), "overran") != NULL, "B/error: %s",
              rd(bad.d.B, "error"));
    ff_write_verify(&good, 2, 100, 8);
    cr_expect(bb_log_has("broken frontend"), "log:\n%s", bb_log());
    /* The frontend gives up: Closed; the backend follows. */
    char path[160];
    snprintf(path, sizeof(path), "%s/state", bad.d.F);
    cr_assert(xs_write(xs, XBT_NULL, path, "6", 1));
    ASSERT_NODE(bad.d.B, "state", "6", 10000);
    kguest_drop(&k1);
    kguest_drop(&k2);
}

/* The frontend closes; the toolstack detaches (pvctl block-detach). */
Test(blkback, frontend_close_and_detach)
{
    struct kguest k;
    struct ff f, g;
    char path[160];

    kguest_boot(&k, "detach");
    ff_attach(&f, &k, 0, 32, k.port, "xvda", "w", 8, true, 0);
    ff_attach(&g, &k, 32, 32, k.con_port, "xvdb", "w", 8, false, 0);
    ff_write_verify(&f, 5, 0, 4);
    ff_write_verify(&g, 6, 0, 4);
    /* f: the frontend goes Closing, then Closed. */
    snprintf(path, sizeof(path), "%s/state", f.d.F);
    cr_assert(xs_write(xs, XBT_NULL, path, "5", 1));
    ASSERT_NODE(f.d.B, "state", "5", 10000);
    cr_assert(xs_write(xs, XBT_NULL, path, "6", 1));
    ASSERT_NODE(f.d.B, "state", "6", 10000);
    /* g: block-detach while connected: online 0, state 5; we answer 6. */
    snprintf(path, sizeof(path), "%s/online", g.d.B);
    cr_assert(xs_write(xs, XBT_NULL, path, "0", 1));
    snprintf(path, sizeof(path), "%s/state", g.d.B);
    cr_assert(xs_write(xs, XBT_NULL, path, "5", 1));
    ASSERT_NODE(g.d.B, "state", "6", 10000);
    cr_expect_eq(file_mismatch(g.d.img, 0, 4 * 4096, 6), -1);
    toolstack_remove(&f.d);
    toolstack_remove(&g.d);
    double end = now_ms() + 5000;
    while (now_ms() < end && !bb_log_has("released"))
        usleep(5000);
    cr_expect(bb_log_has("released"), "log:\n%s", bb_log());
    kguest_drop(&k);
}

/* Lines of /proc/PID/maps naming a guest's memory. */
static int guest_maps(pid_t pid)
{
    char path[64], line[512];
    int n = 0;

    snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f))
        n += strstr(line, "pvhv-guest-ram") != NULL;
    fclose(f);
    return n;
}

Test(blkback, destroyed_domain_is_released_and_another_served)
{
    struct kguest k1, k2;
    struct ff f, g;

    kguest_boot(&k1, "doomed");
    ff_attach(&f, &k1, 0, KPAGES, k1.port, "xvda", "w", 8, true, 0);
    ff_write_verify(&f, 8, 0, 16);
    cr_expect_gt(guest_maps(bb_pid), 0, "pvblkback maps the guest's ring and pages");
    /* Requests in flight as the domain goes. */
    for (unsigned i = 0; i < 10; i++) {
        struct blkif_request q = rq_pages(&f, BLKIF_OP_READ, 900 + i, 0, i, 1);
        FF_PUT(&f, q);
    }
    ff_push(&f);
    kguest_drop(&k1);
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, k1.domid), 0);
    toolstack_remove(&f.d);
    double end = now_ms() + 10000;
    while (now_ms() < end && guest_maps(bb_pid) > 0)
        usleep(10000);
    cr_expect_eq(guest_maps(bb_pid), 0, "pvblkback must unmap the dead domain's pages; log:\n%s",
                 bb_log());
    /* The unmap comes at the disconnect; the release a moment later. */
    while (now_ms() < end && !bb_log_has("released"))
        usleep(10000);
    cr_expect(bb_log_has("released"), "log:\n%s", bb_log());
    kguest_boot(&k2, "next");
    ff_attach(&g, &k2, 0, KPAGES, k2.port, "xvda", "w", 8, true, 0);
    ff_write_verify(&g, 9, 0, 16);
    cr_expect_eq(file_mismatch(f.d.img, 0, 16 * 4096, 8), -1, "the first disk kept its data");
    kguest_drop(&k2);
}

Test(blkback, sigkill_restart_takes_the_ring_over)
{
    struct kguest k;
    struct ff f;
    struct blkif_response rsp[4];

    kguest_boot(&k, "survivor");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "w", 16, true, 0);
    ff_write_verify(&f, 0xfeed, 32, 22);
    kill(bb_pid, SIGKILL);
    waitpid(bb_pid, NULL, 0);
    bb_pid = 0;
    /* Every acknowledged, flushed byte is in the file. */
    cr_expect_eq(file_mismatch(f.d.img, 32 * 4096, 22 * 4096, 0xfeed), -1);
    /* Requests posted while no daemon runs: served by the next one. */
    for (unsigned i = 0; i < 22; i++)
        memset(ff_page(&f, ff_data(&f, 22 + i)), 0, 4096);
    struct blkif_request r1 = rq_pages(&f, BLKIF_OP_READ, 1, 32 * 8, 22, 11);
    struct blkif_request r2 = rq_pages(&f, BLKIF_OP_READ, 2, 43 * 8, 33, 11);
    FF_PUT(&f, r1);
    FF_PUT(&f, r2);
    ff_push(&f);
    usleep(200000);
    cr_expect_eq(ff_collect(&f, rsp, 2, 0), 0, "nobody serves the ring now");
    bb_pid = blkback_spawn(host.rundir, 2, NULL);
    cr_assert_eq(ff_collect(&f, rsp, 2, 15000), 2, "the restarted daemon must take the ring "
                 "over; log:\n%s", bb_log());
    cr_expect(rsp[0].status == 0 && rsp[1].status == 0);
    for (unsigned i = 0; i < 22; i++)
        cr_assert_eq(mismatch(ff_page(&f, ff_data(&f, 22 + i)), 4096, 0xfeed,
                              (32 + i) * 4096ull), -1);
    cr_expect_str_eq(rd(f.d.B, "state"), "4");
    cr_expect(bb_log_has("took over the ring"), "log:\n%s", bb_log());
    /* And goes on: new writes. */
    ff_write_verify(&f, 0xbeef, 64, 10);
    cr_expect_eq(file_mismatch(f.d.img, 64 * 4096, 10 * 4096, 0xbeef), -1);

    /* Killed with requests in flight, several times: after each restart
     * every request is answered exactly once, and the data is right. */
    for (unsigned round = 0; round < 3; round++) {
        struct blkif_response all[32];
        bool seen[32] = { false };
        for (unsigned i = 0; i < 11; i++)
            fill(ff_page(&f, ff_data(&f, i)), 4096, 0xabc + round, (200 + i) * 4096ull);
        struct blkif_request w = rq_pages(&f, BLKIF_OP_WRITE, 0, 200 * 8, 0, 11);
        FF_PUT(&f, w);
        for (unsigned i = 1; i < 32; i++) {
            struct blkif_request q = rq_pages(&f, BLKIF_OP_READ, i, (32 + i % 22) * 8,
                                              11 + i, 1);
            FF_PUT(&f, q);
        }
        ff_push(&f);
        usleep(round * 700);
        kill(bb_pid, SIGKILL);
        waitpid(bb_pid, NULL, 0);
        bb_pid = blkback_spawn(host.rundir, 2, NULL);
        unsigned got = ff_collect(&f, all, 32, 15000);
        cr_assert_eq(got, 32, "round %u: %u of 32 answered; log:\n%s", round, got, bb_log());
        for (unsigned i = 0; i < 32; i++) {
            cr_assert_lt(all[i].id, 32, "round %u: unknown id %llu", round,
                         (unsigned long long)all[i].id);
            cr_expect(!seen[all[i].id], "round %u: id %llu answered twice", round,
                      (unsigned long long)all[i].id);
            seen[all[i].id] = true;
            cr_expect_eq(all[i].status, 0, "round %u: id %llu", round,
                         (unsigned long long)all[i].id);
        }
        cr_expect_eq(ff_collect(&f, all, 1, 300), 0, "round %u: an extra response", round);
        cr_expect_eq(ff_flush(&f), 0);
        cr_expect_eq(file_mismatch(f.d.img, 200 * 4096, 11 * 4096, 0xabc + round), -1);
        for (unsigned i = 1; i < 32; i++)
            cr_expect_eq(mismatch(ff_page(&f, ff_data(&f, 11 + i)), 4096, 0xfeed,
                                  (32 + i % 22) * 4096ull), -1, "read %u", i);
    }
    kguest_drop(&k);
}

Test(blkback, two_guests_two_disks_each)
{
    struct kguest k[2];
    struct ff f[4];

    kguest_boot(&k[0], "twoA");
    kguest_boot(&k[1], "twoB");
    for (unsigned g = 0; g < 2; g++) {
        ff_attach(&f[2 * g], &k[g], 0, 32, k[g].port, "xvda", "w", 16, g == 0, 0);
        ff_attach(&f[2 * g + 1], &k[g], 32, 32, k[g].con_port, "xvdb", "w", 16, g == 1, 0);
    }
    /* All four at once: 22 pages written on each, in flight together. */
    for (unsigned round = 0; round < 3; round++) {
        struct blkif_response rsp[8];
        for (unsigned d = 0; d < 4; d++) {
            for (unsigned i = 0; i < 12; i++)
                fill(ff_page(&f[d], ff_data(&f[d], i)), 4096, 100 + d,
                     (round * 12 + i) * 4096ull);
            struct blkif_request a = rq_pages(&f[d], BLKIF_OP_WRITE, 1, round * 12 * 8, 0, 11);
            struct blkif_request b = rq_pages(&f[d], BLKIF_OP_WRITE, 2, (round * 12 + 11) * 8,
                                              11, 1);
            FF_PUT(&f[d], a);
            FF_PUT(&f[d], b);
            ff_push(&f[d]);
        }
        for (unsigned d = 0; d < 4; d++) {
            cr_assert_eq(ff_collect(&f[d], rsp, 2, 10000), 2, "disk %u; log:\n%s", d,
                         bb_log());
            cr_expect(rsp[0].status == 0 && rsp[1].status == 0, "disk %u", d);
        }
    }
    for (unsigned d = 0; d < 4; d++) {
        cr_expect_eq(ff_flush(&f[d]), 0);
        cr_expect_eq(file_mismatch(f[d].d.img, 0, 36 * 4096, 100 + d), -1, "disk %u", d);
    }
    kguest_drop(&k[0]);
    kguest_drop(&k[1]);
}

/* A block device (type=phy): a loop device over a sparse file. */
static char loopdev[32];

static void loop_detach(void)
{
    char cmd[64];

    if (!loopdev[0])
        return;
    snprintf(cmd, sizeof(cmd), "losetup -d %s", loopdev);
    if (system(cmd) != 0)
        fprintf(stderr, "could not detach %s\n", loopdev);
    loopdev[0] = 0;
}

Test(blkback, block_device_phy, .fini = loop_detach)
{
    struct kguest k;
    struct ff f;
    char cmd[256];
    struct stat st0, st1;

    memset(&f, 0, sizeof(f));
    make_image(&f.d, "loop", 16);
    snprintf(cmd, sizeof(cmd), "losetup -f --show '%s' 2>/dev/null", f.d.img);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    bool ok = fgets(loopdev, sizeof(loopdev), p) != NULL;
    int st = pclose(p);
    loopdev[strcspn(loopdev, "\n")] = 0;
    if (!ok || st != 0 || strncmp(loopdev, "/dev/loop", 9)) {
        loopdev[0] = 0;
        teardown();
        cr_skip_test("no loop device (losetup -f failed): type=phy not tested");
    }
    kguest_boot(&k, "phy");
    f.k = &k;
    f.npages = KPAGES;
    char img[sizeof(f.d.img)];
    strcpy(img, f.d.img);
    strcpy(f.d.img, loopdev);
    toolstack_disk_typed(&f.d, k.domid, "xvda", "w", "disk", "phy");
    ff_connect(&f, k.port, true);
    cr_expect_str_eq(rd(f.d.B, "sectors"), "32768");
    cr_expect(bb_log_has("block device"), "log:\n%s", bb_log());
    ff_write_verify(&f, 0x10, 1024, 30);
    cr_expect_eq(file_mismatch(img, 1024 * 4096ull, 30 * 4096, 0x10), -1,
                 "the loop's backing file holds the data");
    /* Discard: the loop device punches the backing file. */
    int fd = open(img, O_RDONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(fstat(fd, &st0), 0);
    struct blkif_request_discard dq = { .operation = BLKIF_OP_DISCARD, .id = 9,
                                        .sector_number = 1024 * 8, .nr_sectors = 30 * 8 };
    cr_expect_eq(FF_DO(&f, dq), BLKIF_RSP_OKAY, "log:\n%s", bb_log());
    cr_expect_eq(ff_flush(&f), BLKIF_RSP_OKAY);
    cr_assert_eq(fstat(fd, &st1), 0);
    close(fd);
    cr_expect_lt(st1.st_blocks, st0.st_blocks, "discard through the loop device frees blocks "
                 "(%lld -> %lld)", (long long)st0.st_blocks, (long long)st1.st_blocks);
    /* Detach before the loop device goes. */
    char path[160];
    snprintf(path, sizeof(path), "%s/online", f.d.B);
    cr_assert(xs_write(xs, XBT_NULL, path, "0", 1));
    snprintf(path, sizeof(path), "%s/state", f.d.B);
    cr_assert(xs_write(xs, XBT_NULL, path, "5", 1));
    ASSERT_NODE(f.d.B, "state", "6", 10000);
    toolstack_remove(&f.d);
    double end = now_ms() + 5000;
    while (now_ms() < end && !bb_log_has("released"))
        usleep(5000);
    kguest_drop(&k);
}

/* pvblkback up first, then pvhv and pvxenstored: it waits and then serves. */
static void setup_late(void)
{
    need_kvm();
    unsetenv("XENSTORED_PATH"); /* pvblkback finds it through the run directory */
    memset(&host, 0, sizeof(host));
    strcpy(host.rundir, "/tmp/pvhv-test-XXXXXX");
    cr_assert_not_null(mkdtemp(host.rundir));
    bb_pid = blkback_spawn(host.rundir, 2, NULL);
    usleep(300000);
    int r = pvctrl_start_pvhv(build_path("bin/pvhv"), host.rundir,
                              getenv("PVHV_TEST_VERBOSE") == NULL, &host.pvhv);
    cr_assert_eq(r, 0, "cannot start pvhv: %s", strerror(-r));
    cr_assert_eq(pvctrl_open(host.rundir, &host.ctl), 0);
    usleep(300000);
    xsd_pid = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    xs = xs_open(0);
    cr_assert_not_null(xs);
}

TestSuite(blkback_late, .init = setup_late, .fini = teardown, .timeout = 90);

Test(blkback_late, started_before_pvhv_and_xenstore)
{
    struct kguest k;
    struct ff f;

    cr_expect(bb_log_has("waiting for pvhv"), "log:\n%s", bb_log());
    cr_expect(bb_log_has("waiting for xenstore"), "log:\n%s", bb_log());
    kguest_boot(&k, "late");
    ff_attach(&f, &k, 0, KPAGES, k.port, "xvda", "w", 8, true, 0);
    ff_write_verify(&f, 12, 0, 8);
    kguest_drop(&k);
}

Test(blkback, one_daemon_per_rundir_and_stale_pidfile)
{
    char pidfile[128];
    int st = 0;

    /* A second one on the same run directory is refused. */
    pid_t second = fork();
    if (second == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        execl(build_path("bin/pvblkback"), "pvblkback", "--rundir", host.rundir, "--quiet",
              NULL);
        _exit(127);
    }
    cr_assert_eq(waitpid(second, &st, 0), second);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
    /* A pid file left by a killed daemon is taken over. */
    kill(bb_pid, SIGKILL);
    waitpid(bb_pid, NULL, 0);
    bb_pid = 0;
    snprintf(pidfile, sizeof(pidfile), "%s/pvblkback.pid", host.rundir);
    cr_expect_eq(access(pidfile, F_OK), 0, "a killed daemon leaves its pid file");
    bb_pid = blkback_spawn(host.rundir, 2, NULL);
    /* Bad options. */
    pid_t bad = fork();
    if (bad == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        execl(build_path("bin/pvblkback"), "pvblkback", "--poll-ms", "0", NULL);
        _exit(127);
    }
    cr_assert_eq(waitpid(bad, &st, 0), bad);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "status %#x", st);
}

/* A frontend speaking another ABI, or asking for more than offered. */
Test(blkback, frontend_mistakes_close_the_device)
{
    struct kguest k;
    struct disk d;
    char path[192];

    kguest_boot(&k, "mistakes");
    make_image(&d, "m", 8);
    toolstack_disk(&d, k.domid, "xvda", "w", "disk");
    ASSERT_NODE(d.B, "state", "2", 10000);
#define FW(key, val)                                                        \
    do {                                                                    \
        snprintf(path, sizeof(path), "%s/%s", d.F, key);                    \
        cr_assert(xs_write(xs, XBT_NULL, path, val, strlen(val)));          \
    } while (0)
    char ref[16];
    snprintf(ref, sizeof(ref), "%u", k.ref0);
    FW("ring-ref", ref);
    snprintf(ref, sizeof(ref), "%u", k.port);
    FW("event-channel", ref);
    FW("protocol", "x86_32-abi");
    FW("state", "3");
    ASSERT_NODE(d.B, "state", "5", 10000);
    cr_expect(strstr(rd(d.B, "error"), "protocol") != NULL, "error: %s", rd(d.B, "error"));
    FW("state", "6");
    ASSERT_NODE(d.B, "state", "6", 10000);
    toolstack_remove(&d);

    /* A missing image: the device closes with an error. */
    struct disk e;
    make_image(&e, "gone", 1);
    unlink(e.img);
    toolstack_disk(&e, k.domid, "xvdc", "w", "disk");
    ASSERT_NODE(e.B, "state", "5", 10000);
    cr_expect(strstr(rd(e.B, "error"), "opening") != NULL, "error: %s", rd(e.B, "error"));
    toolstack_remove(&e);
    kguest_drop(&k);
#undef FW
}

/* ======================================================================
 * With the reference guest's blkfront (cmd=disk)
 * ====================================================================== */



/* The toolstack's domain records (home owned by the guest) and the
 * introduction to xenstored, as in test_xenstore_ring.c. */
static void toolstack_domain(uint32_t domid)
{
    char home[64];
    uint64_t pfn = 0, port = 0;

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    struct xs_permissions own[] = { { .id = domid, .perms = XS_PERM_NONE } };
    cr_assert(xs_mkdir(xs, XBT_NULL, home));
    cr_assert(xs_set_permissions(xs, XBT_NULL, home, own, 1));
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, domid, HVM_PARAM_STORE_PFN, &pfn), 0);
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, domid, HVM_PARAM_STORE_EVTCHN, &port), 0);
    cr_assert(xs_introduce_domain(xs, domid, (unsigned long)pfn, (unsigned)port),
              "introduce %u: %s", domid, strerror(errno));
}

/* A guest running `cmdline` with disks vdevs[i] on images imgs[i]. */
static uint32_t guest_with_disks(const char *name, const char *cmdline, unsigned n,
                                 struct disk *disks, const char *const *vdevs,
                                 const char *mode, unsigned mib)
{
    uint32_t d = create_refguest(&host, name, cmdline, 1, 128);
    toolstack_domain(d);
    for (unsigned i = 0; i < n; i++) {
        char img[48];
        snprintf(img, sizeof(img), "%s-%s", name, vdevs[i]);
        make_image(&disks[i], img, mib);
        toolstack_disk(&disks[i], d, vdevs[i], mode, "disk");
    }
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    return d;
}

static void expect_console(uint32_t d, const char *text, int ms)
{
    cr_assert(wait_console(&host, d, text, ms, con, sizeof(con)),
              "no '%s' on the console:\n%s\npvblkback's log:\n%s", text, con, bb_log());
}

/* As setup, but pvblkback relies on the guests' notifications (its
 * default tick), as pvctl starts it. */
static void setup_guest(void)
{
    host_start(&host);
    xsd_pid = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    bb_pid = blkback_spawn(host.rundir, 0, NULL);
    xs = xs_open(0);
    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
}

TestSuite(blkback_guest, .init = setup_guest, .fini = teardown, .timeout = 90);

Test(blkback_guest, info)
{
    struct disk dk;
    const char *v[] = { "xvda" };
    uint32_t d = guest_with_disks("ginfo", "cmd=disk op=info vdev=xvda", 1, &dk, v, "w", 32);
    expect_console(d, "disk: xvda sectors=65536 sector-size=512 ro=0 persistent=", 30000);
    expect_console(d, " indirect=256 ring-order=", 1000);
}

Test(blkback_guest, verify_then_cmp_on_the_host)
{
    struct disk dk;
    const char *v[] = { "xvda" };
    uint32_t d = guest_with_disks("gverify", "cmd=disk op=verify vdev=xvda bytes=8388608 seed=7",
                                  1, &dk, v, "w", 32);
    expect_console(d, "disk: wrote 8388608 bytes, flushed", 60000);
    expect_console(d, "disk: verify ok 8388608 bytes", 60000);
    cr_expect_eq(file_mismatch(dk.img, 0, 8 << 20, 7), -1, "the image must hold the pattern");
}

Test(blkback_guest, read_only_disk_refuses_writes)
{
    struct disk dk;
    const char *v[] = { "xvda" };
    uint32_t d = guest_with_disks("gro", "cmd=disk op=write-ro vdev=xvda", 1, &dk, v, "r", 8);
    expect_console(d, "disk: write refused: ", 30000);
    cr_expect(strstr(con, "disk: write refused: 0") == NULL, "console:\n%s", con);
}

Test(blkback_guest, sigkill_restart_keeps_flushed_data)
{
    struct disk dk;
    const char *v[] = { "xvda" };
    uint32_t d = guest_with_disks("ghold",
                                  "cmd=disk op=verify vdev=xvda bytes=4194304 seed=21 hold=1", 1,
                                  &dk, v, "w", 16);
    expect_console(d, "disk: wrote 4194304 bytes, flushed", 60000);
    expect_console(d, "disk: holding", 60000);
    kill(bb_pid, SIGKILL);
    waitpid(bb_pid, NULL, 0);
    bb_pid = 0;
    cr_expect_eq(file_mismatch(dk.img, 0, 4 << 20, 21), -1, "every flushed byte in the file");
    bb_pid = blkback_spawn(host.rundir, 0, NULL);
    /* A second guest reads the same image through the restarted daemon
     * (the first one holds; its ring was taken over too). */
    struct disk dk2;
    uint32_t d2 = create_refguest(&host, "gcheck", "cmd=disk op=check vdev=xvda bytes=4194304 "
                                  "seed=21", 1, 128);
    toolstack_domain(d2);
    dk2 = dk;
    toolstack_disk(&dk2, d2, "xvda", "r", "disk");
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d2), 0);
    expect_console(d2, "disk: check ok 4194304 bytes", 60000);
    cr_expect(bb_log_has("took over the ring"), "log:\n%s", bb_log());
}

Test(blkback_guest, destroyed_domain_released_then_another_served)
{
    struct disk dk, dk2;
    const char *v[] = { "xvda" };
    uint32_t d = guest_with_disks("gdoomed",
                                  "cmd=disk op=verify vdev=xvda bytes=1048576 seed=3 hold=1", 1,
                                  &dk, v, "w", 8);
    expect_console(d, "disk: holding", 60000);
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    toolstack_remove(&dk);
    double end = now_ms() + 10000;
    while (now_ms() < end && guest_maps(bb_pid) > 0)
        usleep(10000);
    cr_expect_eq(guest_maps(bb_pid), 0, "log:\n%s", bb_log());
    cr_expect_eq(file_mismatch(dk.img, 0, 1 << 20, 3), -1);
    uint32_t d2 = guest_with_disks("gnext", "cmd=disk op=verify vdev=xvda bytes=1048576 seed=4",
                                   1, &dk2, v, "w", 8);
    expect_console(d2, "disk: verify ok 1048576 bytes", 60000);
}

Test(blkback_guest, hostile_ring_others_served)
{
    struct disk dh, dg;
    const char *v[] = { "xvda" };
    uint32_t good = guest_with_disks("ggood", "cmd=disk op=verify vdev=xvda bytes=16777216 seed=5",
                                     1, &dg, v, "w", 32);
    uint32_t bad = guest_with_disks("gbad", "cmd=disk op=hostile vdev=xvda", 1, &dh, v, "w", 8);
    expect_console(bad, "disk: hostile done", 60000);
    /* Each case answered with an error status (not a timeout), an honest
     * read still served, and the overflow closes the device. */
    const char *want[] = { "disk: hostile badop status=-2\n", "disk: hostile badgref status=-1\n",
                           "disk: hostile range status=-1\n", "disk: hostile segs status=-1\n",
                           "disk: hostile indirect-lie status=-1\n",
                           "disk: hostile sane-read status=0\n" };
    for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        cr_expect(strstr(con, want[i]) != NULL, "no '%s' on the console:\n%s", want[i], con);
    ASSERT_NODE(dh.B, "state", "5", 10000);
    cr_expect(strstr(rd(dh.B, "error"), "overran") != NULL, "B/error: %s", rd(dh.B, "error"));
    expect_console(good, "disk: verify ok 16777216 bytes", 60000);
    cr_expect(bb_pid > 0 && kill(bb_pid, 0) == 0, "pvblkback is alive");
}

Test(blkback_guest, two_guests_two_disks_each)
{
    struct disk a[2], b[2];
    const char *v[] = { "xvda", "xvdb" };
    /* verify runs on each disk of the list in turn; all four images are
     * served by the one daemon at once. */
    uint32_t ga = guest_with_disks("g2a", "cmd=disk op=verify vdev=xvda,xvdb bytes=4194304 seed=8",
                                   2, a, v, "w", 16);
    uint32_t gb = guest_with_disks("g2b", "cmd=disk op=verify vdev=xvda,xvdb bytes=4194304 seed=9",
                                   2, b, v, "w", 16);
    expect_console(ga, "disk: closed xvdb", 60000);
    expect_console(gb, "disk: closed xvdb", 60000);
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(file_mismatch(a[i].img, 0, 4 << 20, 8), -1);
        cr_expect_eq(file_mismatch(b[i].img, 0, 4 << 20, 9), -1);
        cr_expect_str_eq(rd(a[i].B, "state"), "6", "closed cleanly");
    }
}
