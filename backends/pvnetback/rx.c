/* rx.c: the receive ring (host to guest). Frames are read from the TAP
 * (each behind its virtio-net header) only while the guest has posted
 * enough buffers: a frame that does not fit the posted buffers is held,
 * the TAP is no longer watched, and req_event asks the frontend to say
 * when it posted as many as the frame needs (back-pressure: the TAP's
 * queue fills and the kernel drops, nothing spins). A round reads up to
 * a budget of frames, grant-copies them into the guest's pages with one
 * call (a page per slot from offset 0; a frame over a page takes several
 * slots, NETRXF_more_data, when the frontend said feature-sg), and writes
 * each response into the slot of its request, a GSO frame's extra-info
 * slot second. Frames over the MTU (not GSO) are dropped and counted. */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <pvhv/grant_table.h>

#include "frame.h"
#include "log.h"
#include "pvnetback.h"

/* The largest read: a virtio-net header and a 64 KiB GSO frame with its
 * Ethernet and VLAN headers, and some room to tell a longer one. */
#define RX_FRAME_MAX (sizeof(struct virtio_net_hdr) + 65536 + 64)
/* Slots one frame may take: 17 pages of data and a GSO extra. */
#define RX_MAX_SLOTS 24

enum { W_MTU = 1, W_BAD = 2, W_GRANT = 4 };

static void warn_once(struct vif *v, unsigned kind, const char *what)
{
    if (v->warned & (kind << 8)) {
        log_debug("vif %u/%u: rx: %s", v->domid, v->devid, what);
        return;
    }
    v->warned |= kind << 8;
    log_warn("vif %u/%u: rx: %s (further ones logged at debug level)", v->domid, v->devid,
             what);
}

unsigned rx_offload_for(const struct vif *v)
{
    unsigned f = 0;

    /* Frames with a checksum to complete only to a frontend that takes
     * them (IPv6 ones it does not take are completed here); GSO frames
     * only with scatter-gather. */
    if (v->fe_csum) {
        f |= TUN_F_CSUM;
        if (v->fe_sg && v->fe_gso4)
            f |= TUN_F_TSO4;
        if (v->fe_sg && v->fe_gso6 && v->fe_csum6)
            f |= TUN_F_TSO6;
    }
    return f;
}

static void drop_held(struct vif *v)
{
    free(v->held);
    v->held = NULL;
    v->held_len = 0;
}

void rx_reset(struct vif *v)
{
    free(v->held);
    v->held = NULL;
    v->held_len = 0;
    v->rx_wait = false;
    v->rx_need = 0;
}

/* One frame of a round. */
struct rxjob {
    size_t off, flen;        /* the frame (after its header) in the arena */
    unsigned nslots;
    uint16_t flags0;         /* NETRXF_* of the first response */
    bool gso;
    uint8_t gso_type;
    uint16_t gso_size;
    size_t op0, nops;
    uint16_t ids[RX_MAX_SLOTS];
};

static struct rxjob jobs[NB_RX_BUDGET];

/* Look at a frame (header and all, `n` bytes at buf): the slots it needs
 * (0: drop it), with the response flags and GSO facts in *j. */
static unsigned judge(struct vif *v, uint8_t *buf, size_t n, struct rxjob *j)
{
    struct virtio_net_hdr h;
    unsigned l3off;

    if (n >= RX_FRAME_MAX || n < sizeof(h) + NB_ETH_HLEN) {
        v->st.rx_drop_bad++;
        warn_once(v, W_BAD, "a frame cut short or too long: dropped");
        return 0;
    }
    memcpy(&h, buf, sizeof(h));
    uint8_t *f = buf + sizeof(h);
    size_t flen = n - sizeof(h);
    uint16_t et = frame_ethertype(f, flen, &l3off);
    bool v6 = et == FRAME_ETH_P_IPV6;
    uint8_t gt = h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

    memset(j, 0, sizeof(*j));
    j->flen = flen;
    if (gt != VIRTIO_NET_HDR_GSO_NONE) {
        bool ok = (gt == VIRTIO_NET_HDR_GSO_TCPV4 && v->fe_gso4) ||
                  (gt == VIRTIO_NET_HDR_GSO_TCPV6 && v->fe_gso6);
        if (!ok || !v->fe_sg || h.gso_size == 0 || !(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
            v->st.rx_drop_bad++;
            warn_once(v, W_BAD, "a GSO frame the frontend cannot take: dropped");
            return 0;
        }
        j->gso = true;
        j->gso_type = gt == VIRTIO_NET_HDR_GSO_TCPV6 ? XEN_NETIF_GSO_TYPE_TCPV6
                                                     : XEN_NETIF_GSO_TYPE_TCPV4;
        j->gso_size = h.gso_size;
    } else if (flen > v->mtu_now + NB_ETH_HLEN + NB_VLAN_HLEN) {
        v->st.rx_drop_mtu++;
        warn_once(v, W_MTU, "a frame over the MTU: dropped");
        return 0;
    }
    if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        bool blank_ok = (et == FRAME_ETH_P_IP && v->fe_csum) || (v6 && v->fe_csum6);
        if ((size_t)h.csum_start + h.csum_offset + 2 > flen) {
            v->st.rx_drop_bad++;
            warn_once(v, W_BAD, "a frame whose checksum lies outside it: dropped");
            return 0;
        }
        if (blank_ok) {
            j->flags0 = NETRXF_csum_blank | NETRXF_data_validated;
        } else if (!j->gso) {
            /* Completed here, once: the header says so from now on (the
             * frame may be held and judged again). */
            frame_csum_complete(f, flen, h.csum_start, h.csum_offset);
            h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
            memcpy(buf, &h, sizeof(h));
            j->flags0 = NETRXF_data_validated;
        } else {
            v->st.rx_drop_bad++;
            warn_once(v, W_BAD, "a GSO frame with a checksum the frontend cannot take: "
                      "dropped");
            return 0;
        }
    } else if (h.flags & VIRTIO_NET_HDR_F_DATA_VALID) {
        j->flags0 = NETRXF_data_validated;
    }
    unsigned need;
    if (!v->fe_sg) {
        if (flen > XEN_PAGE_SIZE) {
            v->st.rx_drop_mtu++;
            warn_once(v, W_MTU, "a frame over a page for a frontend without feature-sg: "
                      "dropped");
            return 0;
        }
        need = 1;
    } else {
        need = (unsigned)((flen + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE);
    }
    need += j->gso ? 1 : 0;
    if (need > RX_MAX_SLOTS || need > RING_SIZE(&v->rx)) {
        v->st.rx_drop_bad++;
        warn_once(v, W_BAD, "a frame needing more slots than the ring has: dropped");
        return 0;
    }
    return need;
}

/* Take j's requests off the ring and queue its copies. */
static void place(struct netback *nb, struct vif *v, struct rxjob *j, unsigned need, size_t *k)
{
    size_t pos = 0;

    j->nslots = need;
    j->op0 = *k;
    for (unsigned s = 0; s < need; s++) {
        netif_rx_request_t req;
        RING_COPY_REQUEST(&v->rx, v->rx.req_cons + s, &req);
        j->ids[s] = req.id;
        if (j->gso && s == 1)
            continue; /* the extra-info slot: no data */
        size_t len = j->flen - pos < XEN_PAGE_SIZE ? j->flen - pos : XEN_PAGE_SIZE;
        nb->ops[(*k)++] = (struct gnttab_copy){
            .source = { .u.gmfn = (uintptr_t)(nb->arena + j->off + pos) },
            .dest = { .u.ref = req.gref, .domid = (domid_t)v->domid, .offset = 0 },
            .len = (uint16_t)len,
            .flags = GNTCOPY_dest_gref,
        };
        pos += len;
    }
    j->nops = *k - j->op0;
    v->rx.req_cons += need;
}

/* Write j's responses (the copies are done). */
static void respond(struct vif *v, struct rxjob *j, const struct gnttab_copy *ops)
{
    bool failed = false;

    for (size_t o = j->op0; o < j->op0 + j->nops; o++)
        failed |= ops[o].status != GNTST_okay;
    if (failed) {
        v->st.rx_err++;
        warn_once(v, W_GRANT, "a copy into a posted buffer failed (a bad grant): the frame's "
                  "responses say NETIF_RSP_ERROR");
    } else {
        v->st.rx_pkts++;
        v->st.rx_bytes += j->flen;
    }
    size_t o = j->op0;
    for (unsigned s = 0; s < j->nslots; s++) {
        void *slot = RING_GET_RESPONSE(&v->rx, v->rx.rsp_prod_pvt++);
        if (j->gso && s == 1) {
            netif_extra_info_t x;
            memset(&x, 0, sizeof(x));
            x.type = XEN_NETIF_EXTRA_TYPE_GSO;
            x.u.gso.size = j->gso_size;
            x.u.gso.type = j->gso_type;
            memcpy(slot, &x, sizeof(x));
            continue;
        }
        netif_rx_response_t rsp = { .id = j->ids[s], .offset = 0 };
        bool last = s + 1 == j->nslots;
        rsp.flags = last ? 0 : NETRXF_more_data;
        if (s == 0)
            rsp.flags |= j->flags0 | (j->gso ? NETRXF_extra_info : 0);
        if (s == 0 && j->gso && j->nslots == 2)
            rsp.flags &= (uint16_t)~NETRXF_more_data; /* only the extra follows */
        rsp.status = failed ? NETIF_RSP_ERROR : (int16_t)ops[o].len;
        o++;
        memcpy(slot, &rsp, sizeof(rsp));
    }
}

static void push(struct netback *nb, struct vif *v)
{
    int notify = 0;

    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->rx, notify);
    if (notify)
        host_notify(nb, v, PORT_RX);
}

void rx_kick(struct netback *nb, struct vif *v)
{
    unsigned budget = NB_RX_BUDGET;

    if (!v->connected || v->broken || v->tapfd < 0)
        return;
    if (host_ops_reserve(nb, (size_t)NB_RX_BUDGET * RX_MAX_SLOTS) < 0)
        return; /* out of memory: the tick tries again */
    for (;;) {
        RING_IDX rp = PVHV_RING_READ_IDX(v->rx.sring->req_prod);
        unsigned nj = 0, need = 0;
        size_t used = 0, k = 0;
        bool empty = false, wait = false;
        int tap_err = 0;

        xen_rmb();
        if (RING_REQUEST_PROD_OVERFLOW(&v->rx, rp)) {
            v->broken = true;
            xb_fatal(nb, v, -EPROTO, "the frontend broke its rx ring (req_prod is more than "
                     "a ring ahead of the responses)");
            return;
        }
        while (budget > 0 && used + RX_FRAME_MAX <= NB_ARENA_SIZE) {
            uint8_t *buf = nb->arena + used;
            size_t n;
            if (v->held) {
                memcpy(buf, v->held, v->held_len);
                n = v->held_len;
            } else {
                ssize_t r = read(v->tapfd, buf, RX_FRAME_MAX);
                if (r < 0 && errno != EAGAIN && errno != EINTR) {
                    /* The TAP is gone or broken: it would poll ready for
                     * ever. Answer what this round took, then give up. */
                    tap_err = -errno;
                    empty = true;
                    break;
                }
                if (r < 0) {
                    empty = true;
                    break;
                }
                n = (size_t)r;
            }
            struct rxjob *j = &jobs[nj];
            need = judge(v, buf, n, j);
            if (need == 0) {
                drop_held(v);
                budget--;
                continue;
            }
            if (rp - v->rx.req_cons < need) {
                /* Too few buffers: keep the frame (the arena is reused). */
                if (!v->held) {
                    v->held = malloc(n);
                    if (v->held) {
                        memcpy(v->held, buf, n);
                        v->held_len = n;
                    } else {
                        v->st.rx_drop_bad++; /* out of memory: dropped */
                    }
                }
                wait = true;
                break;
            }
            drop_held(v);
            j->off = used + sizeof(struct virtio_net_hdr);
            place(nb, v, j, need, &k);
            used += (n + 63) & ~(size_t)63;
            nj++;
            budget--;
        }
        if (k)
            host_copy(nb, nb->ops, k);
        for (unsigned i = 0; i < nj; i++)
            respond(v, &jobs[i], nb->ops);
        if (nj)
            push(nb, v);
        if (tap_err) {
            vif_tap_lost(nb, v, tap_err);
            return;
        }
        if (wait) {
            if (!v->rx_wait)
                v->st.rx_waits++;
            v->rx_wait = true;
            v->rx_need = need;
            nb_tap_watch(nb, v, 0);
            /* Be told once `need` buffers are posted; look again in case
             * they came meanwhile. */
            PVHV_RING_WRITE_IDX(v->rx.sring->req_event, v->rx.req_cons + need);
            xen_mb();
            rp = PVHV_RING_READ_IDX(v->rx.sring->req_prod);
            if (budget > 0 && rp - v->rx.req_cons >= need &&
                !RING_REQUEST_PROD_OVERFLOW(&v->rx, rp)) {
                budget--;
                continue;
            }
            return;
        }
        v->rx_wait = false;
        v->rx_need = 0;
        nb_tap_watch(nb, v, EPOLLIN);
        if (empty || budget == 0)
            return; /* a spent budget: epoll (level-triggered) brings us back */
        /* The arena filled up: the next batch. */
    }
}
