/* txreq.h: decoding and checking one transmit packet: the slots it takes
 * on the tx ring (first request, extra-info slots, more_data fragments),
 * as Linux's netback reads them, with no I/O. The caller hands in a way
 * to copy slot `idx` out of the ring; every slot is read once. */
#ifndef PVNETBACK_TXREQ_H
#define PVNETBACK_TXREQ_H

#include <stdbool.h>
#include <stdint.h>

#include <pvhv/io/netif.h>

#include "pvnetback_limits.h"

/* What txreq_parse makes of the slots at the consumer index. */
enum txreq_result {
    TXREQ_OK = 0,       /* a whole packet (maybe with p->err set: answer it
                           with NETIF_RSP_ERROR, send nothing) */
    TXREQ_PARTIAL = 1,  /* its slots are not all published yet: wait */
    TXREQ_BROKEN = -1,  /* the ring cannot be trusted any more (p->why) */
};

struct txreq_limits {
    unsigned mtu;       /* frames above mtu + 18 need GSO */
    bool gso4, gso6;    /* GSO types accepted */
};

struct txpkt {
    unsigned nslots;    /* ring slots: requests + extra-info slots */
    unsigned nfrags;    /* data slots (requests) */
    unsigned nextras;   /* extra-info slots, right after the first request */
    /* Each data slot as copied; frag[0].size is the first fragment's own
     * length (the packet length less the others'). */
    netif_tx_request_t frag[1 + NB_FATAL_SLOTS];
    uint32_t len;       /* the packet length (the first request's size) */
    uint16_t flags;     /* the first request's NETTXF_* */
    bool gso;           /* a GSO extra came */
    uint8_t gso_type;   /* XEN_NETIF_GSO_TYPE_* */
    uint16_t gso_size;
    bool mcast;         /* a multicast filter request: answered, not sent */
    int err;            /* 0, or why the packet is refused (-errno) */
    const char *why;    /* words for err or for TXREQ_BROKEN */
};

/* Copy slot `idx` (a free-running index) of the ring into *out. */
typedef void (*txreq_get_fn)(void *ctx, RING_IDX idx, netif_tx_request_t *out);

/*
 * Decode the packet whose first slot is `cons`, with `avail` slots
 * published from there. Checks (Linux's, with a refusal instead of a
 * closed ring where the ring itself is still sound): a chain longer than
 * 1 + NB_FATAL_SLOTS data slots, an extra of no known type or more than
 * NB_MAX_EXTRAS extras: BROKEN; a packet under 14 bytes, fragments adding
 * up to more than the packet, a fragment crossing its page, more than
 * NB_LEGACY_SLOTS_MAX data slots, a frame over the MTU without GSO, a GSO
 * type not offered or of size 0: err set.
 */
enum txreq_result txreq_parse(txreq_get_fn get, void *ctx, RING_IDX cons, RING_IDX avail,
                              const struct txreq_limits *lim, struct txpkt *p);

#endif
