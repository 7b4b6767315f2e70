/* net.h: the reference guest's network stack over libpvfront's netfront: Ethernet, ARP, IPv4, ICMP echo, UDP, a minimal TCP. */
#ifndef REFGUEST_NET_H
#define REFGUEST_NET_H

#include <stddef.h>
#include <stdint.h>
#include <pvfront/netfront.h>

/*
 * One interface, one thread, no interrupts: everything happens inside
 * net_poll (and the calls that poll while they wait), which takes the
 * frames the netfront received and answers what it can at once:
 *   Ethernet  frames to our MAC or broadcast; types ARP and IPv4.
 *   ARP       requests for our address are answered; every request or
 *             reply on our subnet refreshes the cache (NET_ARP_CACHE
 *             entries, the oldest replaced); IPv4 packets from our subnet
 *             refresh their sender's entry too.
 *   IPv4      version 4, header checksum, lengths; to our address, the
 *             subnet's broadcast or 255.255.255.255. Fragments (MF set
 *             or an offset) are dropped and counted: we never reassemble.
 *             We send with DF set, TTL 64, no options, and never fragment.
 *   ICMP      echo requests are answered (same id, seq and data); echo
 *             replies go to the net_on_echo_reply hook. Other types are
 *             counted and dropped.
 *   UDP       checksums checked (unless the netfront says the backend
 *             validated them) and always sent; datagrams go to the handler
 *             bound to their port (NET_UDP_PORTS of them), else counted.
 *   TCP       segments go to tcp.c (net_tcp_*), else counted.
 * Checksums are always complete (the netfront asks for no offload).
 * Addresses and ports are host byte order in this API.
 */

#define NET_ARP_CACHE 16
#define NET_UDP_PORTS 8
#define NET_ETH_TYPE_IP 0x0800
#define NET_ETH_TYPE_ARP 0x0806
#define NET_PROTO_ICMP 1
#define NET_PROTO_TCP 6
#define NET_PROTO_UDP 17
#define NET_IP_HLEN 20u
#define NET_UDP_HLEN 8u
#define NET_TCP_HLEN 20u
/* Ethernet + IPv4 headers in front of every L4 header we send. */
#define NET_L4_OFF (PVFRONT_NET_ETH_HLEN + NET_IP_HLEN)

/* Counters since net_init. */
struct net_stats {
    uint64_t rx_frames;   /* frames taken from the netfront */
    uint64_t rx_other;    /* not for us (MAC), or an Ethernet type we do not speak */
    uint64_t rx_arp, rx_ip, rx_icmp, rx_udp, rx_tcp;
    uint64_t rx_bad;      /* malformed, or a bad checksum */
    uint64_t rx_frag;     /* IPv4 fragments dropped */
    uint64_t rx_not_mine; /* IPv4 to another address */
    uint64_t rx_no_port;  /* UDP or TCP to a port nobody listens on */
    uint64_t tx_frames;   /* frames handed to the netfront */
    uint64_t tx_waits;    /* times the tx ring was full and we waited */
    uint64_t tx_dropped;  /* frames dropped: no room within a second, or no ARP entry */
    uint64_t arp_sent;    /* ARP requests and replies sent */
    uint64_t echo_replied;/* ICMP echo requests answered */
};

/* A datagram to a bound port: its source, the payload (valid during the call). */
typedef void (*net_udp_fn)(void *arg, uint32_t src, uint16_t sport, const uint8_t *data,
                           size_t len);
/* An ICMP echo reply that arrived. */
typedef void (*net_echo_fn)(void *arg, uint32_t src, uint16_t id, uint16_t seq,
                            const uint8_t *data, size_t len);
/* An ICMP echo request we just answered. */
typedef void (*net_ping_fn)(void *arg, uint32_t src);

/* net_init: use the connected netfront nf with address ip, netmask and gateway (0: none). */
void net_init(struct pvfront_netfront *nf, uint32_t ip, uint32_t mask, uint32_t gw);

/*
 * net_poll: handle every frame waiting; if there was none, wait up to
 * timeout_ns for some and handle them. Returns the number handled (0 at
 * the timeout) or the netfront's error.
 */
int net_poll(uint64_t timeout_ns);

/*
 * net_resolve: the MAC of the next hop toward dst (dst itself on our
 * subnet, else the gateway), from the cache or by ARP: a request every
 * 250 ms, polling meanwhile, up to timeout_ns. Returns 0, -XEN_ETIMEDOUT,
 * -XEN_ENXIO (off-subnet with no gateway) or the netfront's error.
 * Never blocks when called from inside net_poll (a handler): -XEN_EAGAIN
 * after sending one request.
 */
int net_resolve(uint32_t dst, uint8_t mac[6], uint64_t timeout_ns);

/* Bind (fn) or unbind (NULL) a UDP port. 0, or -XEN_ENOSPC / -XEN_EEXIST. */
int net_udp_bind(uint16_t port, net_udp_fn fn, void *arg);

/*
 * net_udp_send: one datagram (at most mtu - 28 bytes). Resolves the next
 * hop (waiting up to 1 s outside handlers), waits up to 1 s for tx room.
 * Returns 0, -XEN_EMSGSIZE, or net_resolve's / the netfront's error.
 */
int net_udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len);

/* net_icmp_echo: send an echo request (data: at most mtu - 28 bytes). As net_udp_send. */
int net_icmp_echo(uint32_t dst, uint16_t id, uint16_t seq, const void *data, size_t len);

void net_on_echo_reply(net_echo_fn fn, void *arg);
void net_on_echo_request(net_ping_fn fn, void *arg);

/*
 * net_ip_send: the L4 header and payload (l4len bytes) already written at
 * net_tx_buf() + NET_L4_OFF: add the IPv4 and Ethernet headers, queue
 * and kick. For tcp.c. Returns 0 or an error as net_udp_send.
 */
int net_ip_send(uint32_t dst, uint8_t proto, size_t l4len);
/* The frame being built (max_frame bytes). */
uint8_t *net_tx_buf(void);

/* The Internet checksum of len bytes, folded, seeded with `sum` (not complemented). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_csum_fold(uint32_t sum);
/* The pseudo-header sum of a TCP or UDP segment. */
uint32_t net_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len);

/* Our interface. */
uint32_t net_ip(void);
uint32_t net_mtu(void);
const uint8_t *net_mac(void);
struct pvfront_netfront *net_nf(void);
const struct net_stats *net_stats(void);

/* "a.b.c.d" <-> host-order address. net_aton: 0 or -XEN_EINVAL. */
int net_aton(const char *s, uint32_t *ip);
const char *net_ntoa(uint32_t ip, char buf[16]);

/* Byte order helpers (network = big endian). */
static inline uint16_t net_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t net_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void net_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- tcp.c: one connection at a time, enough for a throughput test ---- */

/*
 * A minimal TCP (RFC 793/9293 subset): one connection; MSS option
 * (mtu - 40) both ways; window scaling offered with a shift of 0 (our
 * window stays NET_TCP_WND; the peer may scale its own); no SACK or
 * timestamps; in-order receive only (out-of-order segments are dropped
 * and re-acknowledged); sending keeps up to the peer's window (at most
 * NET_TCP_SND_MAX bytes) in flight, go-back-N retransmission after
 * NET_TCP_RTO_MS without progress or three duplicate ACKs. Every segment
 * to a port not listened on gets a RST.
 */
#define NET_TCP_WND 65535u
#define NET_TCP_SND_MAX (512u * 1024)
#define NET_TCP_RTO_MS 200u

/* Counters of the connection. */
struct net_tcp_stats {
    uint64_t segs_in, segs_out, retransmits, dup_acks, out_of_order, resets_sent;
    uint64_t bad_bytes; /* received bytes that break the o mod 256 pattern */
};

/* Called by net.c for each TCP segment to us (seg: the TCP header and payload, checksum checked). */
void net_tcp_input(uint32_t src, const uint8_t *seg, size_t len);
/* Called by net_poll after each batch of frames: the delayed ACK. */
void net_tcp_after_batch(void);

/* Listen on `port` (0: stop). Any earlier connection is forgotten. */
void net_tcp_listen(uint16_t port);
/*
 * net_tcp_accept: wait up to timeout_ns for a connection to the listening
 * port to be established (polling). 0, or -XEN_ETIMEDOUT.
 */
int net_tcp_accept(uint64_t timeout_ns);
/* net_tcp_connect: active open to dst:port from a fresh local port. 0, -XEN_ETIMEDOUT, -XEN_ECONNREFUSED. */
int net_tcp_connect(uint32_t dst, uint16_t port, uint64_t timeout_ns);
/*
 * net_tcp_send_until: send the stream (the byte at offset o is o mod 256)
 * as fast as the peer's window allows, polling for ACKs, until `deadline`
 * (pvfront time); then wait up to 2 s for what is in flight to be
 * acknowledged. Returns the bytes the peer acknowledged, or a negative
 * error (-XEN_ECONNREFUSED after a reset, -XEN_ENOTCONN).
 */
int64_t net_tcp_send_until(uint64_t deadline);
/* Bytes received in order so far on the connection (net_tcp_accept's or connect's). */
uint64_t net_tcp_received(void);
/* 1 once the peer closed its side (FIN) or reset. */
int net_tcp_peer_closed(void);
/* net_tcp_close: send FIN, wait up to timeout_ns for the peer's FIN/ACK; then forget the connection. */
int net_tcp_close(uint64_t timeout_ns);
const struct net_tcp_stats *net_tcp_stats(void);

#endif /* REFGUEST_NET_H */
