/* cmd_disk.c: the `disk` command: libpvfront's blkfront: info, verify, check, write-ro (fio and hostile in their own files). */
#include <pvfront/blkfront.h>
#include <pvfront/xenbus.h>

#include "refguest.h"

#define MAX_DISKS 8
/* Grant table frames placed for the disks (persistent pools are granted page by page). */
#define GNT_FRAMES 32
/* Verify/check move the data through a buffer of at most this many bytes. */
#define DATA_MAX (4u << 20)

static struct pvfront_blkfront disks[MAX_DISKS];
/* Disks connected at once: each persistent pool gets its share of the grant refs. */
static unsigned int share = 1;
static char names[MAX_DISKS][24];
/* Free RAM after the image, handed out page by page. */
static uint8_t *arena, *arena_end;

void *refguest_disk_take(size_t bytes)
{
    bytes = (bytes + XEN_PAGE_SIZE - 1) & ~(size_t)(XEN_PAGE_SIZE - 1);
    if (!arena || (size_t)(arena_end - arena) < bytes)
        return NULL;
    void *p = arena;
    arena += bytes;
    return p;
}

size_t refguest_disk_free(void)
{
    return arena ? (size_t)(arena_end - arena) & ~(size_t)(XEN_PAGE_SIZE - 1) : 0;
}

void refguest_disk_arena(const struct pvfront_boot_info *bi)
{
    arena = (uint8_t *)bi->free_start;
    arena_end = (uint8_t *)bi->free_end;
}

int refguest_failed(const char *who, const char *what, int r)
{
    pvfront_printf("%s: %s failed: %d %s\n", who, what, r, pvfront_xs_errname(r));
    return 1;
}

int refguest_disk_failed(const char *what, int r)
{
    return refguest_failed("disk", what, r);
}

/* splitmix64's finaliser. */
static uint64_t mix(uint64_t z)
{
    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z;
}

uint64_t refguest_disk_pattern(uint64_t seed, uint64_t offset)
{
    return mix(seed * 0x9E3779B97F4A7C15ULL + offset / 8);
}

/* Fill len bytes (a multiple of 8) that sit at disk byte `off`. */
static void fill(uint64_t *w, uint64_t seed, uint64_t off, size_t len)
{
    for (size_t i = 0; i < len / 8; i++)
        w[i] = refguest_disk_pattern(seed, off + 8 * i);
}

/* The first byte of the len bytes at disk offset `off` that differs from the pattern, or -1. */
static int64_t compare(const uint64_t *w, uint64_t seed, uint64_t off, size_t len)
{
    for (size_t i = 0; i < len / 8; i++) {
        uint64_t want = refguest_disk_pattern(seed, off + 8 * i);
        if (w[i] != want) {
            uint64_t x = w[i] ^ want;
            return (int64_t)(off + 8 * i + (uint64_t)__builtin_ctzll(x) / 8);
        }
    }
    return -1;
}

int refguest_disk_connect(struct pvfront_blkfront *bf, const char *vdev, size_t region,
                          char *name, size_t name_len)
{
    struct pvfront_blk_config cfg = { 0 };
    char what[64];
    uint32_t devid;
    uint64_t v;
    int r;

    if ((r = pvfront_blk_find(vdev, &devid)) < 0) {
        pvfront_snprintf(what, sizeof what, "find %s", vdev);
        return refguest_disk_failed(what, r);
    }
    pvfront_blk_vdev_name(devid, name, name_len);
    if (pvfront_cmdline_get_u64("persistent", &v) == 0 && v == 0)
        cfg.no_persistent = 1;
    if (pvfront_cmdline_get_u64("indirect", &v) == 0 && v == 0)
        cfg.no_indirect = 1;
    if (pvfront_cmdline_get_u64("ring_pages", &v) == 0)
        cfg.max_ring_pages = (unsigned int)v;
    if (pvfront_cmdline_get_u64("segs", &v) == 0)
        cfg.max_segs = (unsigned int)v;
    cfg.timeout_ns = refguest_timeout_ns();
    /*
     * A persistent pool grants every page it has: leave 64 refs spare
     * (hostile's own grants, other drivers) and split the rest, less
     * each ring, between the disks.
     */
    unsigned int refs = pvfront_gnttab_nr_refs();
    unsigned int pool = refs > 8 + 64 ? (refs - 8 - 64) / share : 0;
    cfg.pool_pages = pool > 16 ? pool - 16 : 1;
    void *mem = refguest_disk_take(region);
    if (!mem) {
        pvfront_printf("disk: not enough free RAM for %s\n", name);
        return 1;
    }
    if ((r = pvfront_blk_connect(bf, devid, mem, region, &cfg)) < 0) {
        pvfront_snprintf(what, sizeof what, "connect %s", name);
        return refguest_disk_failed(what, r);
    }
    pvfront_printf("disk: %s sectors=%lu sector-size=%u ro=%u persistent=%u indirect=%u "
                   "ring-order=%u\n",
                   name, (unsigned long)bf->sectors, bf->sector_size, bf->ro, bf->persistent,
                   bf->segs_per_req > BLKIF_MAX_SEGMENTS_PER_REQUEST ? bf->segs_per_req : 0,
                   bf->ring_order);
    return 0;
}

void refguest_disk_stats(const struct pvfront_blkfront *bf)
{
    const struct pvfront_blk_stats *s = &bf->stats;

    pvfront_printf("disk: stats requests=%lu indirect=%lu pushes=%lu notifies=%lu waits=%lu "
                   "errors=%lu busy=%lu bad=%lu leaked=%lu pool=%u\n",
                   (unsigned long)s->requests, (unsigned long)s->indirect,
                   (unsigned long)s->pushes, (unsigned long)s->notifies,
                   (unsigned long)s->waits, (unsigned long)s->errors, (unsigned long)s->busy,
                   (unsigned long)s->bad_responses, (unsigned long)s->leaked_grants,
                   bf->pool_pages);
}

int refguest_disk_disconnect(struct pvfront_blkfront *bf, const char *name)
{
    int r = pvfront_blk_disconnect(bf, refguest_timeout_ns());
    char what[64];

    if (r < 0) {
        pvfront_snprintf(what, sizeof what, "disconnect %s", name);
        return refguest_disk_failed(what, r);
    }
    pvfront_printf("disk: closed %s\n", name);
    return 0;
}

int refguest_disk_check(const struct refguest_blkio *io, uint8_t *buf, size_t buf_len,
                        uint64_t n, uint64_t seed, const char *what)
{
    for (uint64_t off = 0; off < n;) {
        size_t c = n - off < buf_len ? (size_t)(n - off) : buf_len;
        memset(buf, 0, c);
        int r = io->read(io->dev, off / PVFRONT_BLK_SECTOR, buf, c);
        if (r < 0)
            return refguest_failed(io->who, "read", r);
        int64_t bad = compare((const uint64_t *)buf, seed, off, c);
        if (bad >= 0) {
            pvfront_printf("%s: %s FAILED at offset %lu\n", io->who, what, (unsigned long)bad);
            return 1;
        }
        off += c;
    }
    pvfront_printf("%s: %s ok %lu bytes\n", io->who, what, (unsigned long)n);
    return 0;
}

int refguest_disk_verify(const struct refguest_blkio *io, uint8_t *buf, size_t buf_len,
                         uint64_t n, uint64_t seed)
{
    for (uint64_t off = 0; off < n;) {
        size_t c = n - off < buf_len ? (size_t)(n - off) : buf_len;
        fill((uint64_t *)buf, seed, off, c);
        int r = io->write(io->dev, off / PVFRONT_BLK_SECTOR, buf, c);
        if (r < 0)
            return refguest_failed(io->who, "write", r);
        off += c;
    }
    int r = io->flush(io->dev);
    if (r < 0)
        return refguest_failed(io->who, "flush", r);
    pvfront_printf("%s: wrote %lu bytes, flushed\n", io->who, (unsigned long)n);
    return refguest_disk_check(io, buf, buf_len, n, seed, "verify");
}

/* blkfront as a refguest_blkio. */
static int bf_read(void *dev, uint64_t sector, void *buf, size_t len)
{
    return pvfront_blk_read(dev, sector, buf, len);
}

static int bf_write(void *dev, uint64_t sector, const void *buf, size_t len)
{
    return pvfront_blk_write(dev, sector, buf, len);
}

static int bf_flush(void *dev)
{
    return pvfront_blk_flush(dev);
}

/* One write of a page at sector 0 of a disk that should refuse it. */
static int write_ro(struct pvfront_blkfront *bf, uint8_t *buf)
{
    struct pvfront_blk_done d;
    int r;

    fill((uint64_t *)buf, 0x5eed, 0, XEN_PAGE_SIZE);
    if ((r = pvfront_blk_submit(bf, BLKIF_OP_WRITE, 0, buf, XEN_PAGE_SIZE, NULL)) < 0)
        return refguest_disk_failed("write", r);
    if ((r = pvfront_blk_wait(bf, refguest_timeout_ns())) < 0)
        return refguest_disk_failed("wait", r);
    if ((r = pvfront_blk_poll(bf, &d, 1)) != 1)
        return refguest_disk_failed("poll", r < 0 ? r : -XEN_EIO);
    if (d.status == BLKIF_RSP_OKAY)
        pvfront_printf("disk: write accepted\n");
    else
        pvfront_printf("disk: write refused: %d\n", d.status);
    return 0;
}

/* Discard [0, n): "disk: discarded N bytes" (the backend may zero or unmap them). */
static int discard(struct pvfront_blkfront *bf, uint64_t n)
{
    int r = pvfront_blk_discard(bf, 0, n / PVFRONT_BLK_SECTOR);

    if (r < 0)
        return refguest_disk_failed("discard", r);
    pvfront_printf("disk: discarded %lu bytes\n", (unsigned long)n);
    return 0;
}

/* "disk: found N: NAME NAME ..." (the vbd directory, pvfront_blk_list). */
static int list_disks(void)
{
    uint32_t ids[MAX_DISKS];
    char line[MAX_DISKS * 24 + 32], name[24];
    int n = pvfront_blk_list(ids, MAX_DISKS);

    if (n < 0)
        return refguest_disk_failed("list", n);
    size_t k = (size_t)pvfront_snprintf(line, sizeof line, "disk: found %d:", n);
    for (int i = 0; i < n && i < MAX_DISKS; i++) {
        pvfront_blk_vdev_name(ids[i], name, sizeof name);
        k += (size_t)pvfront_snprintf(line + k, sizeof line - k, " %s", name);
    }
    pvfront_printf("%s\n", line);
    return 0;
}

/* Place a grant table big enough for the disks' persistent pools. */
static int grant_table(void)
{
    uint32_t max = 0;
    int r = pvfront_gnttab_query_size(NULL, &max);

    if (r < 0)
        return refguest_disk_failed("gnttab query_size", r);
    unsigned int n = max < GNT_FRAMES ? max : GNT_FRAMES;
    if (n > PVFRONT_GNTTAB_MAX_FRAMES)
        n = PVFRONT_GNTTAB_MAX_FRAMES;
    void *frames = refguest_disk_take((size_t)n * XEN_PAGE_SIZE);
    if (!frames || n == 0) {
        pvfront_printf("disk: no room for the grant table\n");
        return 1;
    }
    r = pvfront_gnttab_init(frames, n);
    if (r < 0 && r != -XEN_EEXIST)
        return refguest_disk_failed("gnttab init", r);
    return 0;
}

/* Split "a,b,c" into names[][]; returns the count (0 on a bad list). */
static int split_vdevs(const char *list, char out[][24], int max)
{
    int n = 0;
    size_t k = 0;

    for (const char *p = list;; p++) {
        if (*p == ',' || *p == 0) {
            if (k == 0 || n == max)
                return 0;
            out[n++][k] = 0;
            k = 0;
            if (*p == 0)
                return n;
            continue;
        }
        if (k + 1 >= 24)
            return 0;
        out[n][k++] = *p;
    }
}

static void hold_forever(void)
{
    pvfront_printf("disk: holding\n");
    for (;;)
        if (pvfront_sleep_ns(1000000000ULL) < 0)
            pvfront_delay_ns(1000000000ULL);
}

int cmd_disk(const struct pvfront_boot_info *bi)
{
    char op[16] = "info", list[128] = "xvda", vdevs[MAX_DISKS][24];
    uint64_t bytes = 0, seed = 1, hold = 0;
    int r;

    pvfront_cmdline_get("op", op, sizeof op);
    pvfront_cmdline_get("vdev", list, sizeof list);
    pvfront_cmdline_get_u64("bytes", &bytes);
    pvfront_cmdline_get_u64("seed", &seed);
    pvfront_cmdline_get_u64("hold", &hold);
    int ndisks = split_vdevs(list, vdevs, MAX_DISKS);
    if (ndisks == 0) {
        pvfront_printf("disk: bad vdev list '%s'\n", list);
        return 1;
    }
    share = (unsigned int)ndisks;
    if (bi->domid == DOMID_INVALID) {
        pvfront_printf("disk: domid unknown\n");
        return 1;
    }
    refguest_disk_arena(bi);
    if ((r = pvfront_xenbus_init()) < 0)
        return refguest_disk_failed("xenbus init", r);
    if (grant_table())
        return 1;

    int rw = !strcmp(op, "verify") || !strcmp(op, "check") || !strcmp(op, "discard");
    if (rw && (bytes == 0 || bytes % PVFRONT_BLK_SECTOR)) {
        pvfront_printf("disk: bytes=N must be a positive multiple of 512\n");
        return 1;
    }
    if (!strcmp(op, "fio"))
        return refguest_disk_fio(vdevs[0]);
    if (!strcmp(op, "hostile"))
        return refguest_disk_hostile(vdevs[0]);
    if (!rw && strcmp(op, "info") && strcmp(op, "write-ro")) {
        pvfront_printf("disk: unknown op '%s' (info, verify, check, discard, write-ro, fio, "
                       "hostile)\n", op);
        return 1;
    }
    if (!strcmp(op, "info") && list_disks())
        return 1;

    /* The data buffer first, then the disks share what is left. */
    size_t free = (size_t)(arena_end - arena);
    size_t buf_len = rw ? (size_t)(bytes < DATA_MAX ? bytes : DATA_MAX) : XEN_PAGE_SIZE;
    if (buf_len > free / 4)
        buf_len = (free / 4) & ~(size_t)(XEN_PAGE_SIZE - 1);
    uint8_t *buf = refguest_disk_take(buf_len);
    if (!buf || buf_len < XEN_PAGE_SIZE) {
        pvfront_printf("disk: not enough free RAM\n");
        return 1;
    }
    size_t region = ((size_t)(arena_end - arena) / (size_t)ndisks) & ~(size_t)(XEN_PAGE_SIZE - 1);

    for (int i = 0; i < ndisks; i++) {
        struct pvfront_blkfront *bf = &disks[i];
        struct refguest_blkio io = { "disk", bf, bf_read, bf_write, bf_flush };
        if (refguest_disk_connect(bf, vdevs[i], region, names[i], sizeof names[i]))
            return 1;
        if (rw && bytes / PVFRONT_BLK_SECTOR > bf->sectors) {
            pvfront_printf("disk: %s holds %lu bytes, fewer than bytes=%lu\n", names[i],
                           (unsigned long)(bf->sectors * PVFRONT_BLK_SECTOR),
                           (unsigned long)bytes);
            return 1;
        }
        if (!strcmp(op, "verify"))
            r = refguest_disk_verify(&io, buf, buf_len, bytes, seed);
        else if (!strcmp(op, "check"))
            r = refguest_disk_check(&io, buf, buf_len, bytes, seed, "check");
        else if (!strcmp(op, "discard"))
            r = discard(bf, bytes);
        else if (!strcmp(op, "write-ro"))
            r = write_ro(bf, buf);
        else
            r = 0;
        if (r)
            return r;
        if (rw)
            refguest_disk_stats(bf);
        /* One after the other: each closed before the next (hold keeps them all). */
        if (!hold && refguest_disk_disconnect(bf, names[i]))
            return 1;
    }
    if (hold)
        hold_forever();
    return 0;
}
