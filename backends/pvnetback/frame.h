/* frame.h: what pvnetback needs to know of an Ethernet frame's headers to
 * hand checksum and segmentation work to the kernel (virtio-net headers
 * on the TAP) or to finish a checksum itself. No I/O; every length is
 * checked against the frame. */
#ifndef PVNETBACK_FRAME_H
#define PVNETBACK_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_ETH_P_IP   0x0800
#define FRAME_ETH_P_IPV6 0x86dd

/* Where a frame's TCP or UDP header is. */
struct frame_l4 {
    unsigned l3off;    /* the IP header */
    bool v6;
    uint8_t proto;     /* 6 TCP, 17 UDP */
    unsigned l4off;    /* the TCP/UDP header */
    unsigned csum_off; /* the checksum field, from l4off (16 TCP, 6 UDP) */
    unsigned l4hlen;   /* the TCP/UDP header's length */
    uint32_t l4len;    /* the TCP/UDP header and payload, as IP says */
};

/* The ethertype past at most one VLAN tag, and where its header starts
 * (*l3off). 0 if the frame is too short. */
uint16_t frame_ethertype(const uint8_t *f, size_t len, unsigned *l3off);

/*
 * Find the TCP or UDP header of an IPv4 or IPv6 frame (IPv4: not a
 * fragment, options allowed; IPv6: after hop-by-hop, routing and
 * destination options headers). `gso`: the frame stands for several
 * segments, its L4 length is the rest of the frame. 0, -EPROTONOSUPPORT
 * (not TCP/UDP over IP) or -EINVAL (headers cut short or inconsistent).
 */
int frame_find_l4(const uint8_t *f, size_t len, bool gso, struct frame_l4 *out);

/* Put the pseudo-header sum (folded, not complemented) in the L4
 * checksum field: what a packet whose checksum the receiver completes
 * carries there (Linux's CHECKSUM_PARTIAL). */
void frame_put_pseudo(uint8_t *f, const struct frame_l4 *l);

/* Complete a partial checksum: the ones' complement sum of [start, len)
 * (its field holding the pseudo-header sum), complemented, stored at
 * start + off (0 becomes 0xffff). 0 or -EINVAL (outside the frame). */
int frame_csum_complete(uint8_t *f, size_t len, unsigned start, unsigned off);

/* The 16-bit ones' complement sum of p[0..len) added to `sum`, folded. */
uint16_t frame_csum_add(const uint8_t *p, size_t len, uint32_t sum);

#endif
