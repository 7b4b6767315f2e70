/* txreq.c: one transmit packet's slots, decoded and checked (txreq.h). */
#include <errno.h>
#include <string.h>

#include "txreq.h"

enum txreq_result txreq_parse(txreq_get_fn get, void *ctx, RING_IDX cons, RING_IDX avail,
                              const struct txreq_limits *lim, struct txpkt *p)
{
    netif_tx_request_t first, r;

    memset(p, 0, sizeof(*p));
    if (avail == 0)
        return TXREQ_PARTIAL;
    get(ctx, cons, &first);
    p->nslots = 1;
    p->len = first.size;
    p->flags = first.flags;
    p->frag[0] = first;
    p->nfrags = 1;

    /* Extra-info slots follow the first request. */
    bool more = first.flags & NETTXF_extra_info;
    while (more) {
        netif_extra_info_t x;
        if (p->nslots >= avail)
            return TXREQ_PARTIAL;
        if (p->nextras >= NB_MAX_EXTRAS) {
            p->why = "more extra-info slots than any packet needs";
            return TXREQ_BROKEN;
        }
        get(ctx, cons + p->nslots, &r);
        memcpy(&x, &r, sizeof(x)); /* the extra overlays the slot's first 8 bytes */
        p->nslots++;
        p->nextras++;
        if (x.type == XEN_NETIF_EXTRA_TYPE_NONE || x.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
            p->why = "an extra-info slot of no known type";
            return TXREQ_BROKEN;
        }
        switch (x.type) {
        case XEN_NETIF_EXTRA_TYPE_GSO:
            p->gso = true;
            p->gso_type = x.u.gso.type;
            p->gso_size = x.u.gso.size;
            break;
        case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
        case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
            p->mcast = true;
            break;
        default: /* XEN_NETIF_EXTRA_TYPE_HASH: a hint we do not use */
            break;
        }
        more = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
    }

    /* The fragments. */
    more = first.flags & NETTXF_more_data;
    while (more) {
        if (p->nslots >= avail)
            return TXREQ_PARTIAL;
        if (p->nfrags > NB_FATAL_SLOTS) {
            p->why = "a packet chained over more slots than any packet may use";
            return TXREQ_BROKEN;
        }
        get(ctx, cons + p->nslots, &r);
        p->nslots++;
        p->frag[p->nfrags++] = r;
        more = r.flags & NETTXF_more_data;
    }

    /* The packet is whole: now what is wrong with it only refuses it. */
    uint32_t rest = 0;
    for (unsigned i = 1; i < p->nfrags; i++)
        rest += p->frag[i].size;
    if (rest > first.size) {
        p->err = -EINVAL;
        p->why = "fragments add up to more than the packet's size";
        p->frag[0].size = 0;
        return TXREQ_OK;
    }
    p->frag[0].size = (uint16_t)(first.size - rest);
    for (unsigned i = 0; i < p->nfrags; i++) {
        if ((uint32_t)p->frag[i].offset + p->frag[i].size > XEN_PAGE_SIZE) {
            p->err = -EINVAL;
            p->why = "a fragment crosses the end of its page";
            return TXREQ_OK;
        }
    }
    if (p->len < NB_ETH_HLEN) {
        p->err = -EINVAL;
        p->why = "a packet shorter than an Ethernet header";
        return TXREQ_OK;
    }
    if (p->nfrags > NB_LEGACY_SLOTS_MAX) {
        p->err = -E2BIG;
        p->why = "more data slots than the 18 a packet may use";
        return TXREQ_OK;
    }
    if (p->mcast)
        return TXREQ_OK;
    if (p->gso) {
        bool ok = (p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 && lim->gso4) ||
                  (p->gso_type == XEN_NETIF_GSO_TYPE_TCPV6 && lim->gso6);
        if (!ok || p->gso_size == 0) {
            p->err = -EOPNOTSUPP;
            p->why = ok ? "a GSO packet of segment size 0" : "a GSO type not offered";
            return TXREQ_OK;
        }
    } else if (p->len > lim->mtu + NB_ETH_HLEN + NB_VLAN_HLEN) {
        p->err = -EMSGSIZE;
        p->why = "a frame larger than the MTU allows";
        return TXREQ_OK;
    }
    return TXREQ_OK;
}
