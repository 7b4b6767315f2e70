/* blkfront_xenbus.c: the block frontend's xenstore side: finding disks, vbd names, the connect and close handshakes. */
#include <pvfront/xenbus.h>

#include "blkfront_priv.h"

/* ---- vbd numbering (Xen's docs/misc/vbd-interface.txt) ---- */

#define XVD_MAJOR 202
#define SD_MAJOR 8
#define HD0_MAJOR 3
#define HD2_MAJOR 22
#define EXT_BIT (1u << 28)

/* Decimal digits at *s (at least one, no overflow past `max`); advances *s. */
static int parse_dec(const char **s, uint32_t max, uint32_t *out)
{
    const char *p = *s;
    uint64_t v = 0;

    if (*p < '0' || *p > '9')
        return -XEN_EINVAL;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (uint64_t)(*p++ - '0');
        if (v > max)
            return -XEN_EINVAL;
    }
    *s = p;
    *out = (uint32_t)v;
    return 0;
}

/* Disk letters "a".."z", "aa".. (bijective base 26) at *s; advances *s. */
static int parse_letters(const char **s, uint32_t *disk)
{
    const char *p = *s;
    uint64_t v = 0;

    if (*p < 'a' || *p > 'z')
        return -XEN_EINVAL;
    while (*p >= 'a' && *p <= 'z') {
        v = v * 26 + (uint64_t)(*p++ - 'a' + 1);
        if (v > (1u << 20))
            return -XEN_EINVAL;
    }
    *s = p;
    *disk = (uint32_t)(v - 1);
    return 0;
}

/* The xvd encodings: compact up to disk 15 / partition 15, else the extended one. */
static int xvd_number(uint32_t disk, uint32_t part, uint32_t *devid)
{
    if (disk < 16 && part < 16)
        *devid = XVD_MAJOR << 8 | disk << 4 | part;
    else if (disk < (1u << 20) && part < 256)
        *devid = EXT_BIT | disk << 8 | part;
    else
        return -XEN_EINVAL;
    return 0;
}

int pvfront_blk_parse_vdev(const char *name, uint32_t *devid)
{
    const char *p = name;
    uint32_t disk = 0, part = 0;

    if (!name || !devid || !*name)
        return -XEN_EINVAL;
    if (*p >= '0' && *p <= '9') {
        if (parse_dec(&p, UINT32_MAX, &disk) < 0 || *p)
            return -XEN_EINVAL;
        *devid = disk;
        return 0;
    }
    if (p[0] == 'd' && p[1] >= '0' && p[1] <= '9') {
        p++;
        if (parse_dec(&p, (1u << 20) - 1, &disk) < 0)
            return -XEN_EINVAL;
        if (*p == 'p') {
            p++;
            if (parse_dec(&p, 255, &part) < 0)
                return -XEN_EINVAL;
        }
        return *p ? -XEN_EINVAL : xvd_number(disk, part, devid);
    }
    int kind;
    if (!strncmp(p, "xvd", 3))
        kind = 0, p += 3;
    else if (!strncmp(p, "sd", 2))
        kind = 1, p += 2;
    else if (!strncmp(p, "hd", 2))
        kind = 2, p += 2;
    else
        return -XEN_EINVAL;
    if (parse_letters(&p, &disk) < 0)
        return -XEN_EINVAL;
    if (*p && parse_dec(&p, 255, &part) < 0)
        return -XEN_EINVAL;
    if (*p)
        return -XEN_EINVAL;
    switch (kind) {
    case 0:
        return xvd_number(disk, part, devid);
    case 1:
        if (disk >= 16 || part >= 16)
            return -XEN_EINVAL;
        *devid = SD_MAJOR << 8 | disk << 4 | part;
        return 0;
    default:
        if (disk >= 4 || part >= 64)
            return -XEN_EINVAL;
        *devid = (disk < 2 ? HD0_MAJOR : HD2_MAJOR) << 8 | (disk & 1) << 6 | part;
        return 0;
    }
}

/* Disk index to letters, into buf at *n (bijective base 26). */
static void put_letters(char *out, size_t *n, uint32_t disk)
{
    char tmp[8];
    size_t k = 0;
    uint64_t v = (uint64_t)disk + 1;

    while (v > 0 && k < sizeof tmp) {
        v--;
        tmp[k++] = (char)('a' + v % 26);
        v /= 26;
    }
    while (k > 0)
        out[(*n)++] = tmp[--k];
}

int pvfront_blk_vdev_name(uint32_t devid, char *buf, size_t len)
{
    char tmp[32];
    size_t n = 0;
    uint32_t major = devid >> 8, disk, part;
    const char *prefix = NULL;

    if (devid & EXT_BIT && !(devid >> 29)) {
        prefix = "xvd";
        disk = (devid >> 8) & 0xfffff;
        part = devid & 0xff;
    } else if (major == XVD_MAJOR || major == SD_MAJOR) {
        prefix = major == XVD_MAJOR ? "xvd" : "sd";
        disk = (devid >> 4) & 0xf;
        part = devid & 0xf;
    } else if (major == HD0_MAJOR || major == HD2_MAJOR) {
        prefix = "hd";
        disk = ((devid >> 6) & 1) + (major == HD2_MAJOR ? 2 : 0);
        part = devid & 0x3f;
    }
    if (prefix) {
        memcpy(tmp, prefix, strlen(prefix));
        n = strlen(prefix);
        put_letters(tmp, &n, disk);
        tmp[n] = 0;
        if (part)
            n += (size_t)pvfront_snprintf(tmp + n, sizeof tmp - n, "%u", part);
    } else {
        n = (size_t)pvfront_snprintf(tmp, sizeof tmp, "%u", devid);
    }
    if (n + 1 > len)
        return -XEN_E2BIG;
    memcpy(buf, tmp, n + 1);
    return (int)n;
}

/* ---- finding disks ---- */

static char scratch[XENSTORE_PAYLOAD_MAX + 1];

static int self(uint32_t *domid)
{
    const struct pvfront_boot_info *bi = pvfront_boot_info();

    if (!bi || bi->domid == DOMID_INVALID)
        return -XEN_ENODEV;
    *domid = bi->domid;
    return 0;
}

int pvfront_blk_list(uint32_t *devids, unsigned int max)
{
    char path[64];
    uint32_t me;
    int r = self(&me);

    if (r < 0)
        return r;
    pvfront_snprintf(path, sizeof path, "/local/domain/%u/device/vbd", me);
    r = pvfront_xs_directory(XBT_NIL, path, scratch, sizeof scratch);
    if (r == -XEN_ENOENT)
        return 0;
    if (r < 0)
        return r;
    int found = 0;
    for (const char *p = scratch; r > 0; r--, p += strlen(p) + 1) {
        const char *q = p;
        uint32_t id;
        if (parse_dec(&q, UINT32_MAX, &id) < 0 || *q)
            continue; /* not a device number: not ours to list */
        if ((unsigned int)found < max)
            devids[found] = id;
        found++;
    }
    return found;
}

static int front_path(char *buf, size_t len, uint32_t devid)
{
    uint32_t me;
    int r = self(&me);

    if (r < 0)
        return r;
    pvfront_snprintf(buf, len, "/local/domain/%u/device/vbd/%u", me, devid);
    return 0;
}

int pvfront_blk_find(const char *name, uint32_t *devid)
{
    char path[96];
    uint32_t id;
    int r = pvfront_blk_parse_vdev(name, &id);

    if (r < 0)
        return r;
    if ((r = front_path(path, sizeof path, id)) < 0)
        return r;
    r = pvfront_xs_read(XBT_NIL, path, scratch, sizeof scratch);
    if (r == -XEN_ENOENT)
        return -XEN_ENODEV;
    if (r < 0 && r != -XEN_E2BIG)
        return r;
    *devid = id;
    return 0;
}

/* ---- the handshake ---- */

/* "<dir>/<node>" into buf (at most 256 bytes). */
static const char *node(char *buf, const char *dir, const char *name)
{
    pvfront_snprintf(buf, 256, "%s/%s", dir, name);
    return buf;
}

/* A number node, `dflt` if absent or not a number (Linux's xenbus_read_unsigned). */
static int read_num(const char *dir, const char *name, uint64_t dflt, uint64_t *out)
{
    char p[256];
    int r = pvfront_xs_read_u64(XBT_NIL, node(p, dir, name), out);

    if (r == -XEN_ENOENT || r == -XEN_EINVAL || r == -XEN_ERANGE) {
        *out = dflt;
        return 0;
    }
    return r;
}

static int switch_state(struct pvfront_blkfront *bf, enum xenbus_state s)
{
    return pvfront_xenbus_switch_state(bf->fpath, s);
}

/* Wait until B/state is one of lo..hi (pvfront_xenbus_wait_range). */
static int wait_backend(struct pvfront_blkfront *bf, int lo, int hi, uint64_t deadline)
{
    char p[256];

    return pvfront_xenbus_wait_range(node(p, bf->bpath, "state"), lo, hi, deadline);
}

/* Close: Closing, backend >= Closing, Closed, backend Closed; each wait bounded. */
static int close_handshake(struct pvfront_blkfront *bf, uint64_t timeout_ns)
{
    char p[256];

    return pvfront_xenbus_close(bf->fpath, node(p, bf->bpath, "state"), timeout_ns);
}

/* Revoke everything (retrying while the backend still maps some), close the port. */
static int release(struct pvfront_blkfront *bf, uint64_t timeout_ns)
{
    uint64_t deadline = pvfront_time_ns() + timeout_ns;
    unsigned int busy;

    while ((busy = pvfront__blk_revoke_all(bf)) > 0 && pvfront__left(deadline) > 0)
        pvfront__nap();
    bf->stats.leaked_grants += busy;
    if (bf->port) {
        pvfront_evtchn_close(bf->port);
        bf->port = 0;
    }
    bf->connected = 0;
    return busy ? -XEN_EBUSY : 0;
}

/* Connect failed after the ring was offered (offered = 1) or before. */
static int fail(struct pvfront_blkfront *bf, int err, int offered, uint64_t timeout_ns)
{
    if (offered)
        close_handshake(bf, timeout_ns);
    release(bf, timeout_ns);
    return err;
}

/* Write the ring's nodes in one transaction, as Linux's talk_to_blkback. */
static int publish(struct pvfront_blkfront *bf, int persistent)
{
    char p[256];
    int r = -XEN_EAGAIN;

    for (int tries = 0; tries < 16 && r == -XEN_EAGAIN; tries++) {
        pvfront_xbt_t t;
        if ((r = pvfront_xs_transaction_start(&t)) < 0)
            return r;
        if (bf->ring_order == 0) {
            r = pvfront_xs_printf(t, node(p, bf->fpath, "ring-ref"), "%u", bf->ring_ref[0]);
        } else {
            r = pvfront_xs_printf(t, node(p, bf->fpath, "ring-page-order"), "%u", bf->ring_order);
            for (uint32_t i = 0; r == 0 && i < (1u << bf->ring_order); i++) {
                char n[16];
                pvfront_snprintf(n, sizeof n, "ring-ref%u", i);
                r = pvfront_xs_printf(t, node(p, bf->fpath, n), "%u", bf->ring_ref[i]);
            }
        }
        if (r == 0)
            r = pvfront_xs_printf(t, node(p, bf->fpath, "event-channel"), "%u", bf->port);
        if (r == 0)
            r = pvfront_xs_write(t, node(p, bf->fpath, "protocol"), "x86_64-abi");
        if (r == 0)
            r = pvfront_xs_write(t, node(p, bf->fpath, "feature-persistent"),
                                 persistent ? "1" : "0");
        if (r < 0) {
            pvfront_xs_transaction_end(t, 1);
            return r;
        }
        r = pvfront_xs_transaction_end(t, 0);
    }
    return r;
}

/* What the backend published by Connected. */
static int read_backend(struct pvfront_blkfront *bf, int offered_persistent)
{
    uint64_t v;
    int r;

    if ((r = read_num(bf->bpath, "sectors", UINT64_MAX, &v)) < 0)
        return r;
    if (v == UINT64_MAX || v == 0)
        return -XEN_EIO;
    bf->sectors = v;
    if ((r = read_num(bf->bpath, "sector-size", PVFRONT_BLK_SECTOR, &v)) < 0)
        return r;
    if (v == 0 || v % PVFRONT_BLK_SECTOR || v > 65536)
        return -XEN_EIO;
    bf->sector_size = (uint32_t)v;
    if ((r = read_num(bf->bpath, "info", 0, &v)) < 0)
        return r;
    bf->info = (uint32_t)v;
    bf->ro = (bf->info & VDISK_READONLY) != 0;
    if ((r = read_num(bf->bpath, "feature-flush-cache", 0, &v)) < 0)
        return r;
    bf->flush = v != 0;
    if ((r = read_num(bf->bpath, "feature-barrier", 0, &v)) < 0)
        return r;
    bf->barrier = v != 0;
    if ((r = read_num(bf->bpath, "feature-discard", 0, &v)) < 0)
        return r;
    bf->discard = v != 0;
    if ((r = read_num(bf->bpath, "feature-persistent", 0, &v)) < 0)
        return r;
    bf->persistent = offered_persistent && v == 1;
    if ((r = read_num(bf->bpath, "feature-max-indirect-segments", 0, &v)) < 0)
        return r;
    bf->max_indirect = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    return 0;
}

/* Grant every pool page (persistent mode); pages that cannot be granted leave the pool. */
static int grant_pool(struct pvfront_blkfront *bf)
{
    uint32_t n = 0;

    for (; n < bf->pool_pages; n++) {
        grant_ref_t ref;
        int r = pvfront_gnttab_grant_access(bf->backend_id,
                                            pvfront_gfn(pvfront__blk_pool_page(bf, n)), 0, &ref);
        if (r == -XEN_ENOSPC)
            break;
        if (r < 0)
            return r;
        bf->pool_ref[n] = ref;
    }
    if (n < pvfront__blk_min_pool(bf->segs_per_req))
        return -XEN_ENOSPC;
    /* Shrink the pool to the granted pages: rebuild the free stack. */
    bf->pool_pages = n;
    for (uint32_t i = 0; i < n; i++)
        bf->pool_stack[i] = n - 1 - i;
    bf->pool_free_n = n;
    return 0;
}

int pvfront_blk_connect(struct pvfront_blkfront *bf, uint32_t devid, void *mem, size_t len,
                        const struct pvfront_blk_config *cfg)
{
    static const struct pvfront_blk_config defaults = { 0 };
    char p[256];
    uint64_t v;
    int r;

    if (!bf || !mem || ((uintptr_t)mem & (PAGE - 1)))
        return -XEN_EINVAL;
    if (!cfg)
        cfg = &defaults;
    unsigned int pages = cfg->max_ring_pages ? cfg->max_ring_pages : 1u << PVFRONT_BLK_MAX_RING_ORDER;
    unsigned int max_order = 0;
    while ((2u << max_order) <= pages)
        max_order++;
    unsigned int max_segs = cfg->max_segs ? cfg->max_segs : PVFRONT_BLK_DEFAULT_SEGS;
    uint64_t timeout = cfg->timeout_ns ? cfg->timeout_ns : PVFRONT_BLK_TIMEOUT_NS;
    if (pages & (pages - 1) || max_order > PVFRONT_BLK_MAX_RING_ORDER ||
        max_segs > PVFRONT_BLK_MAX_SEGS ||
        max_segs < BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return -XEN_EINVAL;
    if (cfg->no_indirect)
        max_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;

    memset(bf, 0, sizeof *bf);
    for (unsigned int i = 0; i < (1u << PVFRONT_BLK_MAX_RING_ORDER); i++)
        bf->ring_ref[i] = GREF_NONE;
    bf->devid = devid;
    bf->mem = mem;
    bf->mem_len = len;
    bf->cfg_segs = max_segs;
    if ((r = front_path(bf->fpath, sizeof bf->fpath, devid)) < 0)
        return r;

    /* Who serves it. */
    r = pvfront_xs_read(XBT_NIL, node(p, bf->fpath, "backend"), bf->bpath, sizeof bf->bpath);
    if (r == -XEN_ENOENT)
        return -XEN_ENODEV;
    if (r < 0)
        return r;
    if (bf->bpath[0] != '/' || strlen(bf->bpath) != (size_t)r)
        return -XEN_EIO;
    if ((r = read_num(bf->fpath, "backend-id", 0, &v)) < 0)
        return r;
    if (v >= DOMID_FIRST_RESERVED)
        return -XEN_EIO;
    bf->backend_id = (domid_t)v;

    /* 1. Back to Initialising if an earlier connection ended (Linux's reconnect). */
    r = pvfront_xenbus_read_state(node(p, bf->fpath, "state"));
    if (r < 0)
        return r;
    if (r == XenbusStateUnknown)
        return -XEN_ENODEV;
    if (r == XenbusStateInitialised || r == XenbusStateConnected)
        close_handshake(bf, timeout);
    if (r != XenbusStateInitialising && (r = switch_state(bf, XenbusStateInitialising)) < 0)
        return r;

    /* 2. The backend's InitWait and what it offers before the ring exists. */
    uint64_t deadline = pvfront_time_ns() + timeout;
    r = wait_backend(bf, XenbusStateInitWait, XenbusStateInitialised, deadline);
    if (r < 0)
        return r;
    uint64_t border, bpersist;
    if ((r = read_num(bf->bpath, "max-ring-page-order", 0, &border)) < 0 ||
        (r = read_num(bf->bpath, "feature-persistent", 1, &bpersist)) < 0)
        return r;
    /* Offer persistent grants unless told not to, or the backend already said no. */
    int offer_persistent = !cfg->no_persistent && bpersist != 0;

    /* 3. The ring: the largest order the backend accepts and the region holds. */
    unsigned int order = border < max_order ? (unsigned int)border : max_order;
    while (order > 0 && pvfront_blk_mem_size(order, max_segs, pvfront__blk_min_pool(max_segs)) > len)
        order--;
    if (pvfront_blk_mem_size(order, max_segs, pvfront__blk_min_pool(max_segs)) > len)
        return -XEN_ENOMEM;
    bf->ring_order = order;
    bf->ring_size = 32u << order;
    blkif_sring_t *sring = (blkif_sring_t *)mem;
    memset(sring, 0, (size_t)PAGE << order);
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&bf->ring, sring, (size_t)PAGE << order);
    if (bf->ring.nr_ents != bf->ring_size)
        return -XEN_EINVAL; /* cannot happen: checked by a static assert for order 4 */
    for (uint32_t i = 0; i < (1u << order); i++) {
        grant_ref_t ref;
        r = pvfront_gnttab_grant_access(bf->backend_id,
                                        pvfront_gfn((uint8_t *)mem + (size_t)i * PAGE), 0, &ref);
        if (r < 0)
            return fail(bf, r, 0, timeout);
        bf->ring_ref[i] = ref;
    }
    if ((r = pvfront_evtchn_alloc_unbound(bf->backend_id, &bf->port)) < 0) {
        bf->port = 0;
        return fail(bf, r, 0, timeout);
    }

    /* 4, 5. Offer it; Initialised; wait for Connected. */
    if ((r = publish(bf, offer_persistent)) < 0)
        return fail(bf, r, 0, timeout);
    if ((r = switch_state(bf, XenbusStateInitialised)) < 0)
        return fail(bf, r, 1, timeout);
    node(p, bf->bpath, "state");
    r = pvfront_xenbus_wait_state(p, XenbusStateConnected, timeout);
    if (r >= 0 && r != XenbusStateConnected)
        r = -XEN_EIO; /* went Closing or Closed instead */
    if (r < 0)
        return fail(bf, r, 1, timeout);

    /* 6. What the disk is; the request size and the pool; Connected. */
    if ((r = read_backend(bf, offer_persistent)) < 0)
        return fail(bf, r, 1, timeout);
    bf->segs_per_req = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    if (bf->max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        bf->segs_per_req = bf->max_indirect < max_segs ? bf->max_indirect : max_segs;
    bf->max_bytes = bf->segs_per_req * PAGE;
    if ((r = pvfront__blk_layout(bf, cfg->pool_pages)) < 0)
        return fail(bf, r, 1, timeout);
    if (bf->persistent && (r = grant_pool(bf)) < 0)
        return fail(bf, r, 1, timeout);
    /* connected before the switch, so a failure below is undone like a disconnect. */
    bf->connected = 1;
    if ((r = switch_state(bf, XenbusStateConnected)) < 0)
        return fail(bf, r, 1, timeout);
    return 0;
}

int pvfront_blk_disconnect(struct pvfront_blkfront *bf, uint64_t timeout_ns)
{
    if (!bf || !bf->connected)
        return -XEN_ENOTCONN;
    /* Requests in flight first: the backend answers them before it closes. */
    uint64_t deadline = pvfront_time_ns() + timeout_ns;
    while (!bf->broken && bf->inflight && pvfront__left(deadline) > 0) {
        struct pvfront_blk_done d[16];
        if (pvfront_blk_poll(bf, d, 16) > 0)
            continue;
        if (pvfront_blk_wait(bf, pvfront__left(deadline)) < 0)
            break;
    }
    int r = close_handshake(bf, timeout_ns);
    int g = release(bf, timeout_ns);
    return r < 0 ? r : g;
}
