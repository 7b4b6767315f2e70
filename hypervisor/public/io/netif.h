/* SPDX-License-Identifier: MIT */
/*
 * io/netif.h: the PV network protocol (vif): the xenstore nodes a netfront
 * and a netback negotiate with, and the transmit and receive rings.
 *
 * One vif is a pair of rings, or one pair per queue: tx (guest sends:
 * frontend requests carry packets, backend responses say how it went) and
 * rx (guest receives: frontend requests lend empty pages, backend responses
 * say what it copied into them). pvhv itself never reads the rings; the
 * frontend is in the guest, the backend in dom0. Declared: all of Xen
 * 4.17's netif.h except the control ring (xen_netif_ctrl_*, feature-
 * ctrl-ring), its Toeplitz hash types and algorithms (XEN_NETIF_CTRL_*)
 * and the static grant mapping (xen_netif_gref), which pvhv does not use.
 * Only the copying receive path exists (request-rx-copy = 1); the old page
 * flipping path is gone in Xen too.
 *
 * Xenstore nodes. Frontend directory: /local/domain/<guest>/device/vif/<n>;
 * backend directory: /local/domain/<backend>/backend/vif/<guest>/<n>.
 * A node that is absent has its default. Booleans are "0" or "1".
 * "back" nodes live in the backend directory, "front" nodes in the
 * frontend's; "tools" nodes are written by the toolstack at creation.
 *
 *  node                          by     value (default): meaning
 *  ----------------------------  -----  ---------------------------------
 *  mac                           tools  "aa:bb:cc:dd:ee:ff" in both
 *                                       directories: the vif's address
 *  handle                        tools  front: the vif number <n>
 *  mtu                           tools  front: octets (1500): largest
 *                                       packet payload the frontend may use
 *  trusted                       tools  front: 0/1 (1): 0 means do not
 *                                       trust the backend
 *  feature-rx-copy               back   0/1 (0): can copy received packets
 *                                       into pages granted by rx requests;
 *                                       required
 *  feature-sg                    back   0/1 (0): accepts tx packets over
 *                                       several slots (NETTXF_more_data)
 *                                front  0/1 (0): accepts rx packets over
 *                                       several slots (NETRXF_more_data)
 *  feature-gso-tcpv4             back   0/1 (0): accepts TCPv4 GSO tx
 *                                       packets (XEN_NETIF_EXTRA_TYPE_GSO)
 *                                front  0/1 (0): accepts them on rx
 *  feature-gso-tcpv6             both   0/1 (0): the same for TCPv6
 *  feature-no-csum-offload       front  0/1 (0): 1 = never send rx packets
 *                                       with a blank IPv4 TCP/UDP checksum
 *                                       (NETRXF_csum_blank)
 *  feature-ipv6-csum-offload     both   0/1 (0): accepts packets with a
 *                                       blank IPv6 TCP/UDP checksum
 *  feature-rx-notify             front  0/1 (0): the frontend notifies the
 *                                       backend when it posts rx requests;
 *                                       backends require 1
 *  feature-split-event-channels  back   0/1 (0): accepts event-channel-tx
 *                                       and event-channel-rx
 *  feature-multicast-control     back   0/1 (0): can filter multicast by a
 *                                       list (XEN_NETIF_EXTRA_TYPE_MCAST_*);
 *                                       sampled when the frontend connects
 *  feature-dynamic-multicast-    back   0/1 (0): also re-reads
 *    control                            request-multicast-control later
 *  request-multicast-control     front  0/1 (0): filter multicast to me
 *  multi-queue-max-queues        back   N (1): most queues accepted
 *  multi-queue-num-queues        front  N (1): queues used, 1..max
 *  tx-ring-ref                   front  grant ref of the tx ring page
 *  rx-ring-ref                   front  grant ref of the rx ring page
 *  event-channel                 front  port for both rings
 *  event-channel-tx              front  port for tx (split channels)
 *  event-channel-rx              front  port for rx (split channels)
 *  request-rx-copy               front  0/1 (0): use copying rx; must be 1
 *  carrier                       back   0/1 (1): link up
 *
 * With multi-queue-num-queues > 1 the frontend writes no top-level ring
 * or channel nodes; it writes tx-ring-ref, rx-ring-ref and its channel
 * node(s) under "queue-0", "queue-1", ... instead. Either end may send a
 * packet on any queue. The frontend writes its nodes before moving to
 * Initialised/Connected (xenbus.h).
 *
 * Notifications: conditional on req_event/rsp_event as in ring.h, on both
 * rings. A frontend that posts rx requests must notify as the ring macros
 * say (hence feature-rx-notify).
 */
#ifndef PVHV_PUBLIC_IO_NETIF_H
#define PVHV_PUBLIC_IO_NETIF_H

#include "ring.h"
#include "../grant_table.h" /* grant_ref_t */

/*
 * Slots a backend must accept for one packet even without negotiation
 * (the MAX_SKB_FRAGS of older Linux). A frontend using more risks its
 * packet being dropped.
 */
#define XEN_NETIF_NR_SLOTS_MIN 18

/* ------------------------------------------------------------------------
 * Transmit (frontend to backend)
 *
 * A packet is a sequence of slots:
 *   1. netif_tx_request, size = the WHOLE packet's length, flags NETTXF_*
 *   2. netif_extra_info slots, if slot 1 has NETTXF_extra_info; each one
 *      is followed by another while it has XEN_NETIF_EXTRA_FLAG_MORE
 *   3. further netif_tx_request slots while the previous request has
 *      NETTXF_more_data, each with size = its own fragment's length
 * So slot 1 carries size minus the other fragments' sizes of data.
 * The backend answers every slot with a netif_tx_response of the same
 * id (NETIF_RSP_NULL for extra-info slots), in any order.
 * ------------------------------------------------------------------------ */

/* Flags of netif_tx_request: bit numbers (_NETTXF_*) and masks. */
#define _NETTXF_csum_blank     (0)
#define  NETTXF_csum_blank     (1U << _NETTXF_csum_blank)  /* TCP/UDP
                                 checksum not filled in: the receiver
                                 (or its NIC) must compute it */
#define _NETTXF_data_validated (1)
#define  NETTXF_data_validated (1U << _NETTXF_data_validated) /* checksum
                                 already verified; need not be checked */
#define _NETTXF_more_data      (2)
#define  NETTXF_more_data      (1U << _NETTXF_more_data)   /* another
                                 fragment of this packet follows */
#define _NETTXF_extra_info     (3)
#define  NETTXF_extra_info     (1U << _NETTXF_extra_info)  /* an extra-info
                                 slot follows this (first) request */

/* Largest packet a tx request can describe (size is 16 bits). */
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

/* One tx slot: a buffer within a granted page. 12 bytes, the tx slot size. */
struct netif_tx_request {
    grant_ref_t gref; /* IN: grant of the page holding the data */
    uint16_t offset;  /* IN: data offset in that page */
    uint16_t flags;   /* IN: NETTXF_* */
    uint16_t id;      /* IN: chosen by the frontend, echoed in the response */
    uint16_t size;    /* IN: first slot: packet length; others: fragment
                         length (the data must not cross the page end) */
};
typedef struct netif_tx_request netif_tx_request_t;
PVHV_ABI_SIZE(struct netif_tx_request, 12);
PVHV_ABI_OFFSET(struct netif_tx_request, gref, 0);
PVHV_ABI_OFFSET(struct netif_tx_request, offset, 4);
PVHV_ABI_OFFSET(struct netif_tx_request, flags, 6);
PVHV_ABI_OFFSET(struct netif_tx_request, id, 8);
PVHV_ABI_OFFSET(struct netif_tx_request, size, 10);

/* Types of netif_extra_info. */
#define XEN_NETIF_EXTRA_TYPE_NONE      (0) /* invalid, never sent */
#define XEN_NETIF_EXTRA_TYPE_GSO       (1) /* u.gso */
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD (2) /* u.mcast: add to the filter */
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL (3) /* u.mcast: remove from it */
#define XEN_NETIF_EXTRA_TYPE_HASH      (4) /* u.hash */
#define XEN_NETIF_EXTRA_TYPE_MAX       (5) /* types are below this */

/* Flags of netif_extra_info. */
#define _XEN_NETIF_EXTRA_FLAG_MORE (0)
#define XEN_NETIF_EXTRA_FLAG_MORE  (1U << _XEN_NETIF_EXTRA_FLAG_MORE) /*
                                  another extra-info slot follows */

/* GSO types (u.gso.type). */
#define XEN_NETIF_GSO_TYPE_NONE  (0) /* not a GSO packet */
#define XEN_NETIF_GSO_TYPE_TCPV4 (1) /* TCP over IPv4 */
#define XEN_NETIF_GSO_TYPE_TCPV6 (2) /* TCP over IPv6 */

/*
 * An extra-info slot, in either ring. It overlays a tx request slot or an
 * rx response slot, so it has no id: it belongs to the packet of the slot
 * before it. It uses 8 bytes (the rx slot size); in a tx slot the last 4
 * bytes are unused. Written by whoever sends the packet.
 */
struct netif_extra_info {
    uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct {
            uint16_t size;     /* largest segment payload (TCP: the MSS) */
            uint8_t type;      /* XEN_NETIF_GSO_TYPE_* */
            uint8_t pad;       /* zero */
            uint16_t features; /* extra GSO features; none defined, zero */
        } gso;                 /* XEN_NETIF_EXTRA_TYPE_GSO */
        struct {
            uint8_t addr[6];   /* the Ethernet multicast address */
        } mcast;               /* XEN_NETIF_EXTRA_TYPE_MCAST_{ADD,DEL} */
        struct {
            uint8_t type;      /* Xen's hash type number: 0 IPv4, 1 IPv4
                                  + TCP, 2 IPv6, 3 IPv6 + TCP */
            uint8_t algorithm; /* 0 none, 1 Toeplitz */
            uint8_t value[4];  /* the hash, least significant byte first */
        } hash;                /* XEN_NETIF_EXTRA_TYPE_HASH */
        uint16_t pad[3];
    } u;
};
typedef struct netif_extra_info netif_extra_info_t;
PVHV_ABI_SIZE(struct netif_extra_info, 8);
PVHV_ABI_OFFSET(struct netif_extra_info, flags, 1);
PVHV_ABI_OFFSET(struct netif_extra_info, u, 2);
PVHV_ABI_OFFSET(struct netif_extra_info, u.gso.type, 4);
PVHV_ABI_OFFSET(struct netif_extra_info, u.gso.features, 6);

/* The backend's answer to one tx slot. */
struct netif_tx_response {
    uint16_t id;     /* OUT: the request's id */
    int16_t status;  /* OUT: NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;
PVHV_ABI_SIZE(struct netif_tx_response, 4);
PVHV_ABI_OFFSET(struct netif_tx_response, status, 2);

/* ------------------------------------------------------------------------
 * Receive (backend to frontend)
 *
 * The frontend posts netif_rx_requests, each lending one granted page.
 * The backend copies a packet into the pages of consecutive requests and
 * writes its responses into the SAME slots as those requests (frontends
 * rely on it, since extra-info responses carry no id):
 *   1. netif_rx_response, status = this fragment's length, flags NETRXF_*
 *   2. netif_extra_info slots, if slot 1 has NETRXF_extra_info
 *   3. further responses while the previous one has NETRXF_more_data
 * The packet's length is the sum of the fragments' lengths.
 * ------------------------------------------------------------------------ */

/* One empty buffer page lent to the backend. 8 bytes, the rx slot size. */
struct netif_rx_request {
    uint16_t id;      /* IN: chosen by the frontend, echoed */
    uint16_t pad;     /* zero */
    grant_ref_t gref; /* IN: grant (writable) of the page to fill */
};
typedef struct netif_rx_request netif_rx_request_t;
PVHV_ABI_SIZE(struct netif_rx_request, 8);
PVHV_ABI_OFFSET(struct netif_rx_request, pad, 2);
PVHV_ABI_OFFSET(struct netif_rx_request, gref, 4);

/* Flags of netif_rx_response. */
#define _NETRXF_data_validated (0)
#define  NETRXF_data_validated (1U << _NETRXF_data_validated) /* checksum
                                 already verified */
#define _NETRXF_csum_blank     (1)
#define  NETRXF_csum_blank     (1U << _NETRXF_csum_blank)  /* TCP/UDP
                                 checksum not filled in */
#define _NETRXF_more_data      (2)
#define  NETRXF_more_data      (1U << _NETRXF_more_data)   /* another
                                 fragment follows */
#define _NETRXF_extra_info     (3)
#define  NETRXF_extra_info     (1U << _NETRXF_extra_info)  /* an extra-info
                                 slot follows */
#define _NETRXF_gso_prefix     (4)
#define  NETRXF_gso_prefix     (1U << _NETRXF_gso_prefix)  /* retired GSO
                                 prefix slot; kept for its number */

/* What the backend put in one lent page. */
struct netif_rx_response {
    uint16_t id;     /* OUT: the request's id */
    uint16_t offset; /* OUT: offset of the data in the page */
    uint16_t flags;  /* OUT: NETRXF_* */
    int16_t status;  /* OUT: >= 0: bytes of data; < 0: NETIF_RSP_* */
};
typedef struct netif_rx_response netif_rx_response_t;
PVHV_ABI_SIZE(struct netif_rx_response, 8);
PVHV_ABI_OFFSET(struct netif_rx_response, offset, 2);
PVHV_ABI_OFFSET(struct netif_rx_response, flags, 4);
PVHV_ABI_OFFSET(struct netif_rx_response, status, 6);

/* ------------------------------------------------------------------------
 * Rings: struct netif_tx_sring / netif_rx_sring and their front and back
 * views (ring.h). One page each gives 256 slots.
 * ------------------------------------------------------------------------ */
DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);
PVHV_ABI_SIZE(union netif_tx_sring_entry, 12);
PVHV_ABI_SIZE(union netif_rx_sring_entry, 8);
PVHV_ABI_SIZE(struct netif_tx_sring, 76);
PVHV_ABI_SIZE(struct netif_rx_sring, 72);
_Static_assert(__CONST_RING_SIZE(netif_tx, XEN_PAGE_SIZE) == 256,
               "a one-page tx ring has 256 slots");
_Static_assert(__CONST_RING_SIZE(netif_rx, XEN_PAGE_SIZE) == 256,
               "a one-page rx ring has 256 slots");

/* Status of a response (tx status, or rx status when negative). */
#define NETIF_RSP_DROPPED (-2) /* packet dropped (e.g. no room, filtered) */
#define NETIF_RSP_ERROR   (-1) /* malformed request or copy failure */
#define NETIF_RSP_OKAY    0    /* done */
#define NETIF_RSP_NULL    1    /* tx only: answer to an extra-info slot */

#endif /* PVHV_PUBLIC_IO_NETIF_H */
