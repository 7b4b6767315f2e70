/* netfront.h: the PV network frontend: Xen's netif protocol, on the wire as Linux's xen-netfront. */
#ifndef PVFRONT_NETFRONT_H
#define PVFRONT_NETFRONT_H

#include <stddef.h>
#include <stdint.h>
#include <pvhv/event_channel.h>
#include <pvhv/grant_table.h>
#include <pvhv/io/netif.h>

/*
 * A network interface (vif) the toolstack gave this domain: frontend
 * directory F = /local/domain/<self>/device/vif/<devid> (backend,
 * backend-id, state, handle, mac), backend directory B named by F/backend
 * (the backend's features and state). <pvhv/io/netif.h> lists every node;
 * <pvhv/io/xenbus.h> the states.
 *
 * The handshake (pvfront_net_connect), in Linux netfront's order:
 *   1. read F/backend, F/backend-id and F/mac (required); if F/state is not
 *      Initialising (an earlier connection of this kernel ended), go back
 *      to Initialising, as Linux does to reconnect;
 *   2. wait until B/state is InitWait; read B/feature-rx-copy (required:
 *      -XEN_EOPNOTSUPP without it), feature-sg, feature-split-event-
 *      channels, multi-queue-max-queues and mtu;
 *   3. zero the tx and rx ring pages (one page, 256 slots each), grant
 *      them to backend-id read-write, allocate one unbound event channel,
 *      or two (tx, rx) when the backend offers split channels; grant the
 *      tx pool read-only and the rx pool read-write;
 *   4. in one transaction (restarted on a conflict):
 *      multi-queue-num-queues = 1 (only if B has multi-queue-max-queues),
 *      tx-ring-ref, rx-ring-ref, event-channel or event-channel-tx and
 *      event-channel-rx, request-rx-copy = 1, feature-rx-notify = 1,
 *      feature-sg = 1 (rx chains welcome; 0 with cfg no_sg),
 *      feature-no-csum-offload = 1 (every frame carries full checksums,
 *      both ways);
 *   5. post the rx pool to the rx ring (notifying as the ring says);
 *      F/state = Connected (Linux's netfront goes straight there);
 *   6. wait until B/state is Connected.
 * Disconnect (pvfront_net_disconnect): F/state = Closing, wait until
 * B/state >= Closing, F/state = Closed, wait until B/state is Closed, revoke
 * every grant, close the event channel(s).
 *
 * Frames are Ethernet frames (destination, source, type, payload; no FCS),
 * at least 14 and at most max_frame = mtu + 14 bytes. mtu is B/mtu, else
 * F/mtu, else 1500; without scatter-gather (the backend lacks feature-sg,
 * or cfg no_sg) at most 1500, as Linux; never more than the tx pool can
 * carry in one frame or 65535 - 14.
 *
 * Transmit: pvfront_net_queue copies a frame into pages of the tx pool
 * (granted read-only once, at connect) and fills one ring slot per page
 * (NETTXF_more_data on all but the last; the first slot's size is the
 * whole frame), without publishing. pvfront_net_kick publishes everything
 * queued (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY) and sends an event only if
 * the backend asked. Each response frees its slot's pool page; responses
 * are taken whenever the frontend is called (lazily: the tx response
 * event is armed only while a caller waits for tx room).
 *
 * Receive: at connect and whenever enough pages came back, every free page
 * of the rx pool (granted read-write once) is lent in a netif_rx_request
 * (id = its slot's index), published, notifying when the backend asked
 * (feature-rx-notify). The backend answers in the same slots; a frame is a
 * first response, extra-info slots if NETRXF_extra_info (skipped), then
 * more responses while NETRXF_more_data. pvfront_net_recv copies one
 * whole frame out into the caller's buffer and gives its pages back.
 * Frames with an error status, a fragment beyond its page, more than
 * PVFRONT_NET_MAX_RX_SLOTS slots or more bytes than the caller's buffer
 * are dropped (counted).
 *
 * Memory: the caller gives one page-aligned region, laid out as
 *   tx ring:  one page;
 *   rx ring:  one page;
 *   tx pool:  tx_bufs pages (a frame takes one per 4096 bytes);
 *   rx pool:  rx_bufs pages (one per rx slot lent).
 * pvfront_net_mem_size(tx_bufs, rx_bufs) = 4096 * (2 + tx_bufs + rx_bufs);
 * the bookkeeping lives in struct pvfront_netfront. Each of tx_bufs and
 * rx_bufs is 1..256 (256 by default: 2 MiB + 8 KiB in all). Grants: 2 +
 * tx_bufs + rx_bufs refs (514 by default: more than one grant table frame,
 * so place two or more with pvfront_gnttab_init first); pool pages that
 * cannot be granted leave the pool (connect fails with -XEN_ENOSPC only if
 * fewer than one largest frame's tx pages or 1 rx page remain).
 *
 * Trust: the backend may be hostile. Every response is copied out of its
 * slot once; a response index beyond what was posted, a tx response
 * naming an id not in flight, or an rx frame chain longer than every
 * request posted marks the device broken: every call then fails with
 * -XEN_EIO (disconnect still works). Lengths and offsets from the backend
 * are checked against the page before any copy.
 *
 * Not reentrant: one CPU at a time per vif (and xenstore calls, used by
 * connect/disconnect, on one CPU overall). The event channels notify CPU
 * 0. Errors are negative Xen errnos (<pvhv/errno.h>).
 */

/* Slots of a one-page tx or rx ring. */
#define PVFRONT_NET_RING_SIZE 256u
/* Most pages in the tx pool and in the rx pool. */
#define PVFRONT_NET_MAX_BUFS 256u
/* An Ethernet header. */
#define PVFRONT_NET_ETH_HLEN 14u
/* The default MTU (the payload of a frame). */
#define PVFRONT_NET_DEFAULT_MTU 1500u
/* The largest frame a tx request can describe. */
#define PVFRONT_NET_MAX_FRAME XEN_NETIF_MAX_TX_SIZE
/* Most slots one received frame may take (data and extra-info), as Linux's XEN_NETIF_NR_SLOTS_MIN. */
#define PVFRONT_NET_MAX_RX_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Default bound of each handshake wait. */
#define PVFRONT_NET_TIMEOUT_NS 10000000000ULL
/* pvfront_net_tx_raw: a gref with this value becomes the grant of the slot's own pool page. */
#define PVFRONT_NET_OWN_GREF 0xffffffffu

/* What pvfront_net_wait waits for (bits). */
#define PVFRONT_NET_RX 1u      /* a received frame (or part of one) is waiting */
#define PVFRONT_NET_TX 2u      /* room in the tx ring and pool for a largest frame */
#define PVFRONT_NET_TX_IDLE 4u /* every tx request answered */

/* Options of pvfront_net_connect (NULL: all defaults; a 0 field: its default). */
struct pvfront_net_config {
    unsigned int tx_bufs;  /* tx pool pages, 1..256 (default: 256, or what the region holds) */
    unsigned int rx_bufs;  /* rx pool pages, 1..256 (default: 256, or what the region holds) */
    unsigned int no_split; /* 1: one event channel even if the backend offers split ones */
    unsigned int no_sg;    /* 1: feature-sg = 0, and tx frames of one page (mtu <= 1500) */
    unsigned int max_mtu;  /* cap on the mtu (0: none) */
    uint64_t timeout_ns;   /* each handshake wait (default PVFRONT_NET_TIMEOUT_NS) */
};

/* Counters since connect. */
struct pvfront_net_stats {
    uint64_t tx_frames;     /* frames queued */
    uint64_t tx_bytes;      /* their bytes */
    uint64_t tx_slots;      /* ring slots they took (raw ones included) */
    uint64_t tx_responses;  /* tx responses taken */
    uint64_t tx_errors;     /* of which with a status other than OKAY or NULL */
    uint64_t tx_busy;       /* queue attempts refused with -XEN_EAGAIN */
    uint64_t tx_pushes;     /* kicks that published requests */
    uint64_t tx_notifies;   /* of which sent an event */
    uint64_t rx_frames;     /* frames handed to the caller */
    uint64_t rx_bytes;      /* their bytes */
    uint64_t rx_slots;      /* rx responses taken (every slot of every frame) */
    uint64_t rx_multi;      /* frames that took more than one data slot */
    uint64_t rx_errors;     /* frames dropped: an error status or a bad fragment */
    uint64_t rx_too_big;    /* frames dropped: larger than the caller's buffer or too many slots */
    uint64_t rx_pushes;     /* rx ring refills published */
    uint64_t rx_notifies;   /* of which sent an event */
    uint64_t waits;         /* sleeps on an event channel in pvfront_net_wait */
    uint64_t bad_responses; /* responses that broke the device (see Trust) */
    uint64_t leaked_grants; /* grants the backend still held at disconnect */
};

/*
 * One vif. The caller provides the struct (zeroing is not needed);
 * pvfront_net_connect fills it. The fields up to `stats` may be read once
 * connected; the rest are libpvfront's. Hostile tests may write the rings
 * directly (pvfront_net_tx_raw is the supported way).
 */
struct pvfront_netfront {
    uint32_t devid;         /* the vif's number (F/handle) */
    domid_t backend_id;     /* backend-id */
    uint8_t connected;      /* 1 between connect and disconnect */
    uint8_t broken;         /* the backend broke the protocol: calls fail -XEN_EIO */
    char fpath[64];         /* F */
    char bpath[128];        /* B */
    uint8_t mac[6];         /* F/mac */
    uint8_t split;          /* separate tx and rx event channels in use */
    uint8_t sg;             /* multi-slot tx frames (the backend offers feature-sg, cfg allows) */
    uint8_t rx_sg;          /* feature-sg written: multi-slot rx frames welcome */
    uint8_t _pad2[3];
    uint32_t mtu;           /* largest payload: frames up to mtu + 14 bytes */
    uint32_t max_frame;     /* mtu + 14 */
    uint32_t tx_bufs;       /* pages in the tx pool */
    uint32_t rx_bufs;       /* pages in the rx pool */
    evtchn_port_t tx_port;  /* tx's event channel (bound to CPU 0) */
    evtchn_port_t rx_port;  /* rx's (the same port unless split) */
    grant_ref_t tx_ring_ref, rx_ring_ref;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    /* Responses to the latest pvfront_net_tx_raw batch: how many, and the first one's status. */
    uint32_t raw_answered;
    int16_t raw_status;
    uint16_t _pad0;
    struct pvfront_net_stats stats;

    /* ---- libpvfront's ---- */
    uint8_t *mem;
    size_t mem_len;
    uint8_t *tx_pool, *rx_pool;
    uint32_t tx_queued;     /* slots filled, not yet published */
    uint32_t tx_free_n;     /* free tx pool pages (on tx_free) */
    uint32_t rx_free_n;     /* rx pool pages not lent (on rx_free) */
    RING_IDX rx_wait_prod;  /* rsp_prod when recv last found an incomplete frame */
    uint8_t rx_partial;     /* 1: the frame at rsp_cons was incomplete at rx_wait_prod */
    uint8_t _pad1[3];
    uint8_t tx_state[PVFRONT_NET_MAX_BUFS]; /* per tx pool page: free, data, raw */
    uint16_t tx_free[PVFRONT_NET_MAX_BUFS];
    uint16_t rx_free[PVFRONT_NET_MAX_BUFS];
    uint16_t rx_slot_buf[PVFRONT_NET_RING_SIZE]; /* the pool page lent by the request in each slot */
    uint32_t tx_ref[PVFRONT_NET_MAX_BUFS];
    uint32_t rx_ref[PVFRONT_NET_MAX_BUFS];
};

/* ---- finding vifs ---- */

/*
 * pvfront_net_list: the vifs of this domain (the names under
 * /local/domain/<self>/device/vif that are numbers), up to max of them
 * into devids, in xenstore's order. Returns how many there are (may exceed
 * max: only max are written), 0 if none, or a xenstore error.
 */
int pvfront_net_list(uint32_t *devids, unsigned int max);

/*
 * pvfront_net_find: does this domain have vif `devid` (its frontend
 * directory exists)? Returns 0, -XEN_ENODEV, or a xenstore error.
 */
int pvfront_net_find(uint32_t devid);

/*
 * pvfront_net_parse_mac: "aa:bb:cc:dd:ee:ff" (hex digits, either case)
 * into mac[6]. Returns 0 or -XEN_EINVAL.
 */
int pvfront_net_parse_mac(const char *s, uint8_t mac[6]);

/* ---- memory ---- */

/*
 * pvfront_net_mem_size: the region size for tx_bufs tx pool pages and
 * rx_bufs rx pool pages (the layout above); 0 if either is outside
 * 1..PVFRONT_NET_MAX_BUFS.
 */
size_t pvfront_net_mem_size(unsigned int tx_bufs, unsigned int rx_bufs);

/* ---- connecting ---- */

/*
 * pvfront_net_connect: run the handshake above for vif `devid` with the
 * page-aligned region mem (len bytes, the caller's until disconnect
 * returns; its contents need not be zero) and options cfg (NULL:
 * defaults). Initializes xenstore and event channels if needed. Without a
 * count in cfg, the region is shared between the pools (tx first, at most
 * 256 pages each). Returns 0, or:
 *   -XEN_EINVAL    mem not page aligned, or a cfg field out of range;
 *   -XEN_ENODEV    no such vif, or the domain's id is unknown;
 *   -XEN_ENOMEM    the region is smaller than the rings and the pools;
 *   -XEN_ENOSPC    no free grant refs for the rings and the minimum pools;
 *   -XEN_EOPNOTSUPP the backend does not offer feature-rx-copy;
 *   -XEN_ETIMEDOUT the backend did not reach InitWait or Connected in
 *                  cfg timeout_ns;
 *   -XEN_EIO       the backend closed instead, or F/mac or F/backend is
 *                  malformed;
 *   -XEN_E2BIG     the backend path is over 127 bytes;
 *   or a xenstore, grant or event channel error.
 * On failure after the rings were offered, the frontend goes Closing then
 * Closed and revokes what it granted (as a disconnect).
 */
int pvfront_net_connect(struct pvfront_netfront *nf, uint32_t devid, void *mem, size_t len,
                        const struct pvfront_net_config *cfg);

/*
 * pvfront_net_disconnect: wait up to timeout_ns for tx requests in flight,
 * then the close handshake above, each backend wait bounded by timeout_ns;
 * grants still in use are retried for timeout_ns. Afterwards the region is
 * the caller's again, except pages whose grants the backend never released
 * (counted in stats.leaked_grants). Returns 0; -XEN_ETIMEDOUT if the
 * backend did not answer (everything that could be revoked was);
 * -XEN_EBUSY if some grant is still in use; -XEN_ENOTCONN if not connected.
 */
int pvfront_net_disconnect(struct pvfront_netfront *nf, uint64_t timeout_ns);

/* ---- sending ---- */

/*
 * pvfront_net_queue: copy one frame (len bytes, 14..max_frame) into the
 * tx pool and fill its slots, not yet published. Takes the tx responses
 * waiting when it needs room. Returns 0, or -XEN_EAGAIN (no room in the ring or the
 * pool now: kick, wait for PVFRONT_NET_TX, retry), -XEN_EINVAL (length),
 * -XEN_ENOTCONN, -XEN_EIO (broken).
 */
int pvfront_net_queue(struct pvfront_netfront *nf, const void *frame, size_t len);

/*
 * pvfront_net_kick: publish every queued slot and notify the backend if it
 * asked (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY). Returns 1 if an event was
 * sent, 0 if not, or an error.
 */
int pvfront_net_kick(struct pvfront_netfront *nf);

/* pvfront_net_send: pvfront_net_queue then pvfront_net_kick; the queue's result. */
int pvfront_net_send(struct pvfront_netfront *nf, const void *frame, size_t len);

/*
 * pvfront_net_tx_raw: fill n tx requests into the ring as they are (for
 * hostile tests: any gref, offset, size and flags), except each id, which
 * names a tx pool page held until that slot's response; a gref of
 * PVFRONT_NET_OWN_GREF is replaced by that page's own grant. If data is
 * not NULL, its len bytes are copied into those pages first (the i-th
 * slot's page gets bytes 4096 * i onwards; at most 4096 * n). Not
 * published (kick). Resets raw_answered to 0; each response to these
 * slots counts there, and the first one's status goes to raw_status.
 * Returns 0, -XEN_EAGAIN (fewer than n free slots or pages), -XEN_EINVAL
 * (n is 0 or over the ring, len too long), -XEN_ENOTCONN or -XEN_EIO.
 */
int pvfront_net_tx_raw(struct pvfront_netfront *nf, const netif_tx_request_t *reqs,
                       unsigned int n, const void *data, size_t len);

/* pvfront_net_tx_inflight: tx slots queued or in flight (their responses not yet taken). */
unsigned int pvfront_net_tx_inflight(const struct pvfront_netfront *nf);

/* ---- receiving ---- */

/*
 * pvfront_net_recv: take the next received frame: copy it into buf (up to
 * len bytes), give its pages back to the backend (refilling the rx ring in
 * batches), and set *flags (if not NULL) to the first response's NETRXF_*
 * flags (NETRXF_data_validated: the backend checked the checksums;
 * NETRXF_csum_blank: the TCP/UDP checksum is not filled in, although this
 * frontend asks for full checksums). Frames that must be dropped (see
 * above) are skipped. Also takes waiting tx responses. Returns the frame's
 * length, 0 if no whole frame is waiting, -XEN_ENOTCONN, or -XEN_EIO
 * (broken).
 */
int pvfront_net_recv(struct pvfront_netfront *nf, void *buf, size_t len, unsigned int *flags);

/*
 * pvfront_net_wait: kick queued slots, then sleep on the event channel(s)
 * until one of `what` (PVFRONT_NET_RX, _TX, _TX_IDLE) holds or timeout_ns
 * passes (0: only look). Arms the response events it needs
 * (RING_FINAL_CHECK_FOR_RESPONSES). With split channels and both rx and tx
 * bits, it sleeps on the tx channel in 1 ms slices. Returns the bits that
 * hold (> 0), -XEN_ETIMEDOUT, -XEN_EINVAL (what is 0), -XEN_ENOTCONN,
 * -XEN_EIO.
 */
int pvfront_net_wait(struct pvfront_netfront *nf, unsigned int what, uint64_t timeout_ns);

/* ---- private to libpvfront (netfront.c and netfront_xenbus.c) ---- */

/* Lay out the pools after the ring pages and grant them (rings set up); 0 or -XEN_ENOSPC. */
int pvfront__net_setup_pools(struct pvfront_netfront *nf);
/* Post every free rx pool page to the rx ring and publish (notify if asked). */
void pvfront__net_rx_refill(struct pvfront_netfront *nf);
/* Take every tx response waiting; 0 or -XEN_EIO (broken). */
int pvfront__net_tx_gc(struct pvfront_netfront *nf);
/* Revoke every grant still held (rings, pools), once; how many are still in use. */
unsigned int pvfront__net_revoke_all(struct pvfront_netfront *nf);

#endif /* PVFRONT_NETFRONT_H */
