/* netfront_xenbus.c: the network frontend's xenstore side: finding vifs, the MAC, the connect and close handshakes. */
#include <pvfront/netfront.h>
#include <pvfront/xenbus.h>

#include "internal.h"

#define PAGE XEN_PAGE_SIZE
#define GREF_NONE UINT32_MAX

static char scratch[XENSTORE_PAYLOAD_MAX + 1];

/* ---- finding vifs ---- */

static int self(uint32_t *domid)
{
    const struct pvfront_boot_info *bi = pvfront_boot_info();

    if (!bi || bi->domid == DOMID_INVALID)
        return -XEN_ENODEV;
    *domid = bi->domid;
    return 0;
}

/* A whole decimal string (no sign, no overflow past 32 bits). */
static int parse_u32(const char *p, uint32_t *out)
{
    uint64_t v = 0;

    if (*p < '0' || *p > '9')
        return -XEN_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return -XEN_EINVAL;
    }
    if (*p)
        return -XEN_EINVAL;
    *out = (uint32_t)v;
    return 0;
}

int pvfront_net_list(uint32_t *devids, unsigned int max)
{
    char path[64];
    uint32_t me;
    int r = self(&me);

    if (r < 0)
        return r;
    pvfront_snprintf(path, sizeof path, "/local/domain/%u/device/vif", me);
    r = pvfront_xs_directory(XBT_NIL, path, scratch, sizeof scratch);
    if (r == -XEN_ENOENT)
        return 0;
    if (r < 0)
        return r;
    int found = 0;
    for (const char *p = scratch; r > 0; r--, p += strlen(p) + 1) {
        uint32_t id;
        if (parse_u32(p, &id) < 0)
            continue; /* not a vif number */
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
    pvfront_snprintf(buf, len, "/local/domain/%u/device/vif/%u", me, devid);
    return 0;
}

int pvfront_net_find(uint32_t devid)
{
    char path[64];
    int r = front_path(path, sizeof path, devid);

    if (r < 0)
        return r;
    r = pvfront_xs_read(XBT_NIL, path, scratch, sizeof scratch);
    if (r == -XEN_ENOENT)
        return -XEN_ENODEV;
    if (r < 0 && r != -XEN_E2BIG)
        return r;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pvfront_net_parse_mac(const char *s, uint8_t mac[6])
{
    uint8_t m[6];

    if (!s || !mac)
        return -XEN_EINVAL;
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (hi < 0 || lo < 0)
            return -XEN_EINVAL;
        m[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i < 5 && *s++ != ':')
            return -XEN_EINVAL;
    }
    /* A trailing newline is tolerated, as xenstore values sometimes carry one. */
    if (*s && !(*s == '\n' && s[1] == 0))
        return -XEN_EINVAL;
    memcpy(mac, m, 6);
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

/* Does the node exist? 1, 0, or an error. */
static int exists(const char *dir, const char *name)
{
    char p[256];
    int r = pvfront_xs_read(XBT_NIL, node(p, dir, name), scratch, sizeof scratch);

    if (r == -XEN_ENOENT)
        return 0;
    if (r < 0 && r != -XEN_E2BIG)
        return r;
    return 1;
}

/* Wait until B/state is one of lo..hi (pvfront_xenbus_wait_range). */
static int wait_backend(struct pvfront_netfront *nf, int lo, int hi, uint64_t deadline)
{
    char p[256];

    return pvfront_xenbus_wait_range(node(p, nf->bpath, "state"), lo, hi, deadline);
}

/* Close: Closing, backend >= Closing, Closed, backend Closed; each wait bounded. */
static int close_handshake(struct pvfront_netfront *nf, uint64_t timeout_ns)
{
    char p[256];

    return pvfront_xenbus_close(nf->fpath, node(p, nf->bpath, "state"), timeout_ns);
}

/* Revoke everything (retrying while the backend still uses some), close the ports. */
static int release(struct pvfront_netfront *nf, uint64_t timeout_ns)
{
    uint64_t deadline = pvfront_time_ns() + timeout_ns;
    unsigned int busy;

    while ((busy = pvfront__net_revoke_all(nf)) > 0 && pvfront__left(deadline) > 0)
        pvfront__nap();
    nf->stats.leaked_grants += busy;
    if (nf->rx_port && nf->rx_port != nf->tx_port)
        pvfront_evtchn_close(nf->rx_port);
    if (nf->tx_port)
        pvfront_evtchn_close(nf->tx_port);
    nf->tx_port = nf->rx_port = 0;
    nf->connected = 0;
    return busy ? -XEN_EBUSY : 0;
}

/* Connect failed after the rings were offered (offered = 1) or before. */
static int fail(struct pvfront_netfront *nf, int err, int offered, uint64_t timeout_ns)
{
    if (offered)
        close_handshake(nf, timeout_ns);
    release(nf, timeout_ns);
    return err;
}

/* Write the rings' nodes in one transaction, as Linux's talk_to_netback. */
static int publish(struct pvfront_netfront *nf, int multi_queue)
{
    char p[256];
    int r = -XEN_EAGAIN;

    for (int tries = 0; tries < 16 && r == -XEN_EAGAIN; tries++) {
        pvfront_xbt_t t;
        if ((r = pvfront_xs_transaction_start(&t)) < 0)
            return r;
        if (multi_queue)
            r = pvfront_xs_write(t, node(p, nf->fpath, "multi-queue-num-queues"), "1");
        if (r == 0)
            r = pvfront_xs_printf(t, node(p, nf->fpath, "tx-ring-ref"), "%u", nf->tx_ring_ref);
        if (r == 0)
            r = pvfront_xs_printf(t, node(p, nf->fpath, "rx-ring-ref"), "%u", nf->rx_ring_ref);
        if (r == 0 && nf->split) {
            r = pvfront_xs_printf(t, node(p, nf->fpath, "event-channel-tx"), "%u", nf->tx_port);
            if (r == 0)
                r = pvfront_xs_printf(t, node(p, nf->fpath, "event-channel-rx"), "%u",
                                      nf->rx_port);
        } else if (r == 0) {
            r = pvfront_xs_printf(t, node(p, nf->fpath, "event-channel"), "%u", nf->tx_port);
        }
        if (r == 0)
            r = pvfront_xs_write(t, node(p, nf->fpath, "request-rx-copy"), "1");
        if (r == 0)
            r = pvfront_xs_write(t, node(p, nf->fpath, "feature-rx-notify"), "1");
        if (r == 0)
            r = pvfront_xs_write(t, node(p, nf->fpath, "feature-sg"), nf->rx_sg ? "1" : "0");
        if (r == 0)
            r = pvfront_xs_write(t, node(p, nf->fpath, "feature-no-csum-offload"), "1");
        if (r < 0) {
            pvfront_xs_transaction_end(t, 1);
            return r;
        }
        r = pvfront_xs_transaction_end(t, 0);
    }
    return r;
}

int pvfront_net_connect(struct pvfront_netfront *nf, uint32_t devid, void *mem, size_t len,
                        const struct pvfront_net_config *cfg)
{
    static const struct pvfront_net_config defaults = { 0 };
    char p[256];
    uint64_t v;
    int r;

    if (!nf || !mem || ((uintptr_t)mem & (PAGE - 1)))
        return -XEN_EINVAL;
    if (!cfg)
        cfg = &defaults;
    if (cfg->tx_bufs > PVFRONT_NET_MAX_BUFS || cfg->rx_bufs > PVFRONT_NET_MAX_BUFS)
        return -XEN_EINVAL;
    uint64_t timeout = cfg->timeout_ns ? cfg->timeout_ns : PVFRONT_NET_TIMEOUT_NS;

    /* The pools: what the caller asked for, else what the region holds. */
    size_t pages = len / PAGE;
    if (pages < 4)
        return -XEN_ENOMEM;
    size_t room = pages - 2;
    unsigned int tx = cfg->tx_bufs, rx = cfg->rx_bufs;
    if (!tx) {
        size_t share = rx ? (room > rx ? room - rx : 0) : room / 2;
        tx = share > PVFRONT_NET_MAX_BUFS ? PVFRONT_NET_MAX_BUFS : (unsigned int)share;
    }
    if (!rx) {
        size_t rest = room > tx ? room - tx : 0;
        rx = rest > PVFRONT_NET_MAX_BUFS ? PVFRONT_NET_MAX_BUFS : (unsigned int)rest;
    }
    if (tx == 0 || rx == 0 || pvfront_net_mem_size(tx, rx) > len)
        return -XEN_ENOMEM;

    memset(nf, 0, sizeof *nf);
    nf->tx_ring_ref = nf->rx_ring_ref = GREF_NONE;
    for (uint32_t i = 0; i < PVFRONT_NET_MAX_BUFS; i++)
        nf->tx_ref[i] = nf->rx_ref[i] = GREF_NONE;
    nf->devid = devid;
    nf->mem = mem;
    nf->mem_len = len;
    nf->tx_bufs = tx;
    nf->rx_bufs = rx;
    if ((r = front_path(nf->fpath, sizeof nf->fpath, devid)) < 0)
        return r;

    /* Who serves it, and our address. */
    r = pvfront_xs_read(XBT_NIL, node(p, nf->fpath, "backend"), nf->bpath, sizeof nf->bpath);
    if (r == -XEN_ENOENT)
        return -XEN_ENODEV;
    if (r < 0)
        return r;
    if (nf->bpath[0] != '/' || strlen(nf->bpath) != (size_t)r)
        return -XEN_EIO;
    if ((r = read_num(nf->fpath, "backend-id", 0, &v)) < 0)
        return r;
    if (v >= DOMID_FIRST_RESERVED)
        return -XEN_EIO;
    nf->backend_id = (domid_t)v;
    char mac[32];
    r = pvfront_xs_read(XBT_NIL, node(p, nf->fpath, "mac"), mac, sizeof mac);
    if (r < 0)
        return r == -XEN_ENOENT || r == -XEN_E2BIG ? -XEN_EIO : r;
    if (pvfront_net_parse_mac(mac, nf->mac) < 0)
        return -XEN_EIO;

    /* 1. Back to Initialising if an earlier connection ended (Linux's reconnect). */
    r = pvfront_xenbus_read_state(node(p, nf->fpath, "state"));
    if (r < 0)
        return r;
    if (r == XenbusStateUnknown)
        return -XEN_ENODEV;
    if (r == XenbusStateInitialised || r == XenbusStateConnected)
        close_handshake(nf, timeout);
    if (r != XenbusStateInitialising &&
        (r = pvfront_xenbus_switch_state(nf->fpath, XenbusStateInitialising)) < 0)
        return r;

    /* 2. The backend's InitWait and what it offers. */
    uint64_t deadline = pvfront_time_ns() + timeout;
    r = wait_backend(nf, XenbusStateInitWait, XenbusStateInitialised, deadline);
    if (r < 0)
        return r;
    uint64_t rx_copy, bsg, bsplit, mtu;
    if ((r = read_num(nf->bpath, "feature-rx-copy", 0, &rx_copy)) < 0 ||
        (r = read_num(nf->bpath, "feature-sg", 0, &bsg)) < 0 ||
        (r = read_num(nf->bpath, "feature-split-event-channels", 0, &bsplit)) < 0)
        return r;
    if (!rx_copy)
        return -XEN_EOPNOTSUPP;
    int mq = exists(nf->bpath, "multi-queue-max-queues");
    if (mq < 0)
        return mq;
    if ((r = read_num(nf->bpath, "mtu", 0, &mtu)) < 0)
        return r;
    if (mtu == 0 && (r = read_num(nf->fpath, "mtu", 0, &mtu)) < 0)
        return r;
    if (mtu == 0)
        mtu = PVFRONT_NET_DEFAULT_MTU;
    nf->sg = !cfg->no_sg && bsg != 0;
    nf->rx_sg = !cfg->no_sg;
    nf->split = !cfg->no_split && bsplit != 0;
    /* Without scatter-gather a frame is one page, and Linux keeps the MTU at 1500. */
    if (!nf->sg && mtu > PVFRONT_NET_DEFAULT_MTU)
        mtu = PVFRONT_NET_DEFAULT_MTU;
    if (cfg->max_mtu && mtu > cfg->max_mtu)
        mtu = cfg->max_mtu;
    if (mtu > PVFRONT_NET_MAX_FRAME - PVFRONT_NET_ETH_HLEN)
        mtu = PVFRONT_NET_MAX_FRAME - PVFRONT_NET_ETH_HLEN;
    /* One frame must fit the tx pool and the slots a backend must accept. */
    uint32_t most = (nf->tx_bufs < XEN_NETIF_NR_SLOTS_MIN ? nf->tx_bufs : XEN_NETIF_NR_SLOTS_MIN) *
                    PAGE;
    if (mtu + PVFRONT_NET_ETH_HLEN > most)
        mtu = most - PVFRONT_NET_ETH_HLEN;
    if (mtu < 68)
        return -XEN_ENOMEM;
    nf->mtu = (uint32_t)mtu;
    nf->max_frame = nf->mtu + PVFRONT_NET_ETH_HLEN;

    /* 3. The rings, their grants and channels; the pools. */
    uint8_t *m = mem;
    netif_tx_sring_t *txs = (netif_tx_sring_t *)m;
    netif_rx_sring_t *rxs = (netif_rx_sring_t *)(m + PAGE);
    memset(m, 0, 2 * (size_t)PAGE);
    SHARED_RING_INIT(txs);
    FRONT_RING_INIT(&nf->tx, txs, PAGE);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&nf->rx, rxs, PAGE);
    grant_ref_t ref;
    if ((r = pvfront_gnttab_grant_access(nf->backend_id, pvfront_gfn(txs), 0, &ref)) < 0)
        return fail(nf, r, 0, timeout);
    nf->tx_ring_ref = ref;
    if ((r = pvfront_gnttab_grant_access(nf->backend_id, pvfront_gfn(rxs), 0, &ref)) < 0)
        return fail(nf, r, 0, timeout);
    nf->rx_ring_ref = ref;
    if ((r = pvfront__net_setup_pools(nf)) < 0)
        return fail(nf, r, 0, timeout);
    if ((r = pvfront_evtchn_alloc_unbound(nf->backend_id, &nf->tx_port)) < 0) {
        nf->tx_port = 0;
        return fail(nf, r, 0, timeout);
    }
    nf->rx_port = nf->tx_port;
    if (nf->split && (r = pvfront_evtchn_alloc_unbound(nf->backend_id, &nf->rx_port)) < 0) {
        nf->rx_port = 0;
        return fail(nf, r, 0, timeout);
    }

    /* 4. Offer them. */
    if ((r = publish(nf, mq)) < 0)
        return fail(nf, r, 0, timeout);
    /* 5. Lend the rx pool, then Connected (connected first, so a failure is undone as a disconnect). */
    nf->connected = 1;
    pvfront__net_rx_refill(nf);
    if ((r = pvfront_xenbus_switch_state(nf->fpath, XenbusStateConnected)) < 0)
        return fail(nf, r, 1, timeout);
    /* 6. The backend's Connected. */
    node(p, nf->bpath, "state");
    r = pvfront_xenbus_wait_state(p, XenbusStateConnected, timeout);
    if (r >= 0 && r != XenbusStateConnected)
        r = -XEN_EIO; /* went Closing or Closed instead */
    if (r < 0)
        return fail(nf, r, 1, timeout);
    return 0;
}

int pvfront_net_disconnect(struct pvfront_netfront *nf, uint64_t timeout_ns)
{
    if (!nf || !nf->connected)
        return -XEN_ENOTCONN;
    /* Frames in flight first: the backend answers them before it closes. */
    uint64_t deadline = pvfront_time_ns() + timeout_ns;
    while (!nf->broken && pvfront_net_tx_inflight(nf) && pvfront__left(deadline) > 0)
        if (pvfront_net_wait(nf, PVFRONT_NET_TX_IDLE, pvfront__left(deadline)) < 0)
            break;
    int r = close_handshake(nf, timeout_ns);
    int g = release(nf, timeout_ns);
    return r < 0 ? r : g;
}
