/* tx.c: the transmit ring (guest to host). Each round takes up to a
 * budget of packets off the ring (every slot copied out once, then
 * decoded and checked: txreq.c), grant-copies the data of all of them
 * into the arena with one call, writes each packet to the TAP behind a
 * virtio-net header (checksum and segmentation offload handed to the
 * kernel), and answers every slot: NETIF_RSP_OKAY, NETIF_RSP_ERROR (a
 * refused packet or a bad grant), NETIF_RSP_DROPPED (the TAP did not take
 * it), NETIF_RSP_NULL for extra-info slots. Responses are pushed with
 * RING_PUSH_RESPONSES_AND_CHECK_NOTIFY and the ring re-armed with
 * RING_FINAL_CHECK_FOR_REQUESTS. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <pvhv/grant_table.h>

#include "frame.h"
#include "log.h"
#include "pvnetback.h"
#include "txreq.h"

/* Kinds of complaint, each logged once per connection at warning level. */
enum { W_REFUSED = 1, W_GRANT = 2, W_CSUM = 4, W_TAP = 8 };

static void warn_once(struct vif *v, unsigned kind, const char *what, int err)
{
    if (v->warned & kind) {
        log_debug("vif %u/%u: tx: %s", v->domid, v->devid, what);
        return;
    }
    v->warned |= kind;
    log_warn("vif %u/%u: tx: %s%s%s (further ones logged at debug level)", v->domid, v->devid,
             what, err ? ": " : "", err ? strerror(-err) : "");
}

/* One packet of a round. */
struct txjob {
    struct txpkt p;
    size_t off;            /* its frame in the arena */
    size_t op0, nops;      /* its grant copies */
    int16_t status;
};

static struct txjob jobs[NB_TX_BUDGET];

static void get_slot(void *ctx, RING_IDX idx, netif_tx_request_t *out)
{
    struct vif *v = ctx;
    RING_COPY_REQUEST(&v->tx, idx, out);
}

/* Answer every slot of j. */
static void respond(struct vif *v, const struct txjob *j)
{
    netif_tx_response_t rsp = { .id = j->p.frag[0].id, .status = j->status };

    memcpy(RING_GET_RESPONSE(&v->tx, v->tx.rsp_prod_pvt++), &rsp, sizeof(rsp));
    rsp.status = NETIF_RSP_NULL;
    for (unsigned i = 0; i < j->p.nextras; i++)
        memcpy(RING_GET_RESPONSE(&v->tx, v->tx.rsp_prod_pvt++), &rsp, sizeof(rsp));
    rsp.status = j->status;
    for (unsigned i = 1; i < j->p.nfrags; i++) {
        rsp.id = j->p.frag[i].id;
        memcpy(RING_GET_RESPONSE(&v->tx, v->tx.rsp_prod_pvt++), &rsp, sizeof(rsp));
    }
}

/* The virtio-net header of a packet: checksum to complete (csum_blank,
 * and every GSO packet) and segmentation. The pseudo-header sum is put in
 * the checksum field here, whatever the frontend left there. 0, or
 * -EPROTONOSUPPORT / -EINVAL (the frame does not match what it claims). */
static int make_hdr(const struct txpkt *p, uint8_t *frame, struct virtio_net_hdr *h)
{
    struct frame_l4 l4;

    memset(h, 0, sizeof(*h));
    if (!p->gso && !(p->flags & NETTXF_csum_blank)) {
        if (p->flags & NETTXF_data_validated)
            h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
        return 0;
    }
    int r = frame_find_l4(frame, p->len, p->gso, &l4);
    if (r < 0)
        return r;
    if (p->gso) {
        bool v6 = p->gso_type == XEN_NETIF_GSO_TYPE_TCPV6;
        if (l4.proto != 6 || l4.v6 != v6)
            return -EINVAL;
        h->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
        h->gso_size = p->gso_size;
        h->hdr_len = (uint16_t)(l4.l4off + l4.l4hlen);
    }
    frame_put_pseudo(frame, &l4);
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = (uint16_t)l4.l4off;
    h->csum_offset = (uint16_t)l4.csum_off;
    return 0;
}

/* Copy the data of jobs[0..nj) in (one call), send, answer. */
static void run_batch(struct netback *nb, struct vif *v, unsigned nj, size_t nops)
{
    struct gnttab_copy *ops = NULL;

    if (nops && host_ops_reserve(nb, nops) == 0)
        ops = nb->ops;
    size_t k = 0;
    for (unsigned i = 0; i < nj; i++) {
        struct txjob *j = &jobs[i];
        j->op0 = k;
        if (j->nops == 0)
            continue;
        if (!ops) {
            j->status = NETIF_RSP_DROPPED; /* out of memory */
            continue;
        }
        size_t pos = 0;
        for (unsigned f = 0; f < j->p.nfrags; f++) {
            const netif_tx_request_t *fr = &j->p.frag[f];
            ops[k++] = (struct gnttab_copy){
                .source = { .u.ref = fr->gref, .domid = (domid_t)v->domid,
                            .offset = fr->offset },
                .dest = { .u.gmfn = (uintptr_t)(nb->arena + j->off + pos) },
                .len = fr->size,
                .flags = GNTCOPY_source_gref,
            };
            pos += fr->size;
        }
    }
    if (k)
        host_copy(nb, ops, k);
    for (unsigned i = 0; i < nj; i++) {
        struct txjob *j = &jobs[i];
        if (j->nops && ops && j->status == NETIF_RSP_OKAY) {
            for (size_t o = j->op0; o < j->op0 + j->nops; o++) {
                if (ops[o].status != GNTST_okay) {
                    char what[96];
                    snprintf(what, sizeof(what), "grant %u refused (status %d): packet refused",
                             ops[o].source.u.ref, ops[o].status);
                    warn_once(v, W_GRANT, what, 0);
                    j->status = NETIF_RSP_ERROR;
                    break;
                }
            }
        }
        if (j->nops && j->status == NETIF_RSP_OKAY) {
            uint8_t *frame = nb->arena + j->off;
            struct virtio_net_hdr h;
            int r = make_hdr(&j->p, frame, &h);
            if (r < 0) {
                warn_once(v, W_CSUM, "checksum offload or GSO asked for a frame that is not "
                          "TCP/UDP over IP as it claims: packet refused", r);
                j->status = NETIF_RSP_ERROR;
            } else {
                struct iovec iov[2] = { { &h, sizeof(h) }, { frame, j->p.len } };
                ssize_t n = writev(v->tapfd, iov, 2);
                if (n != (ssize_t)(sizeof(h) + j->p.len)) {
                    warn_once(v, W_TAP, "the TAP did not take a packet: dropped",
                              n < 0 ? -errno : -EIO);
                    j->status = NETIF_RSP_DROPPED;
                }
            }
        }
        if (j->status == NETIF_RSP_OKAY && j->nops) {
            v->st.tx_pkts++;
            v->st.tx_bytes += j->p.len;
        } else if (j->status == NETIF_RSP_ERROR) {
            v->st.tx_err++;
        } else if (j->status == NETIF_RSP_DROPPED) {
            v->st.tx_drop++;
        }
        respond(v, j);
    }
}

static void push(struct netback *nb, struct vif *v)
{
    int notify = 0;

    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->tx, notify);
    if (notify)
        host_notify(nb, v, PORT_TX);
}

void tx_kick(struct netback *nb, struct vif *v)
{
    const struct txreq_limits lim = { .mtu = v->mtu, .gso4 = true, .gso6 = true };
    unsigned budget = NB_TX_BUDGET;

    if (!v->connected || v->broken)
        return;
    for (;;) {
        RING_IDX rp = PVHV_RING_READ_IDX(v->tx.sring->req_prod);
        const char *broken = NULL;
        bool partial = false;
        unsigned nj = 0;
        size_t used = 0, nops = 0;

        xen_rmb(); /* the slots after the index that published them */
        if (RING_REQUEST_PROD_OVERFLOW(&v->tx, rp)) {
            broken = "req_prod is more than a ring ahead of the responses";
        }
        while (!broken && budget > 0 && v->tx.req_cons != rp) {
            struct txjob *j = &jobs[nj];
            enum txreq_result res = txreq_parse(get_slot, v, v->tx.req_cons,
                                                rp - v->tx.req_cons, &lim, &j->p);
            if (res == TXREQ_BROKEN) {
                broken = j->p.why;
                break;
            }
            if (res == TXREQ_PARTIAL) {
                partial = true;
                break;
            }
            bool send = !j->p.err && !j->p.mcast;
            if (send && used + j->p.len > NB_ARENA_SIZE)
                break; /* this batch is full: the packet goes in the next */
            j->off = used;
            j->nops = send ? j->p.nfrags : 0;
            j->status = j->p.err ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
            if (j->p.err) {
                char what[128];
                snprintf(what, sizeof(what), "packet %u (%u bytes, %u slots) refused: %s",
                         j->p.frag[0].id, j->p.len, j->p.nfrags, j->p.why);
                warn_once(v, W_REFUSED, what, 0);
            }
            if (send)
                used += j->p.len;
            nops += j->nops;
            v->tx.req_cons += j->p.nslots;
            nj++;
            budget--;
        }
        if (nj)
            run_batch(nb, v, nj, nops);
        push(nb, v);
        if (broken) {
            v->broken = true;
            xb_fatal(nb, v, -EPROTO, "the frontend broke its tx ring (%s)", broken);
            return;
        }
        if (partial) {
            /* A packet whose slots are not all published: be told when
             * more are, and look again if they came meanwhile. */
            v->tx_partial = true;
            PVHV_RING_WRITE_IDX(v->tx.sring->req_event, rp + 1);
            xen_mb();
            if (budget > 0 && PVHV_RING_READ_IDX(v->tx.sring->req_prod) != rp) {
                budget--; /* a frontend that keeps moving req_prod cannot hold us */
                continue;
            }
            break;
        }
        v->tx_partial = false;
        if (budget == 0) {
            v->tx_again = true;
            nb->again = true;
            break;
        }
        if (v->tx.req_cons != rp)
            continue; /* the arena filled up: the next batch */
        int more = 0;
        RING_FINAL_CHECK_FOR_REQUESTS(&v->tx, more);
        if (!more)
            break;
    }
}
