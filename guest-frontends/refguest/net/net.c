/* net.c: Ethernet, ARP, IPv4, ICMP echo and UDP for the reference guest (see net.h). */
#include <pvfront/pvfront.h>

#include "net.h"

#define ETH_ALEN 6
#define ARP_LEN 28
#define ARP_RETRY_NS 250000000ULL
#define TX_WAIT_NS 1000000000ULL

struct arp_entry {
    uint32_t ip;      /* 0: empty */
    uint8_t mac[ETH_ALEN];
    uint64_t seen;    /* pvfront time of the last refresh */
};

struct udp_bind {
    uint16_t port;    /* 0: free */
    net_udp_fn fn;
    void *arg;
};

static struct {
    struct pvfront_netfront *nf;
    uint8_t mac[ETH_ALEN];
    uint32_t ip, mask, gw;
    uint16_t ip_id;
    int in_poll;
    struct arp_entry arp[NET_ARP_CACHE];
    struct udp_bind udp[NET_UDP_PORTS];
    net_echo_fn echo_fn;
    void *echo_arg;
    net_ping_fn ping_fn;
    void *ping_arg;
    struct net_stats st;
} net;

/*
 * One frame in, and frames being built out (the largest a tx request can
 * describe): one for callers outside net_poll, one for answers sent from
 * inside it (net_resolve may poll while an outer frame waits in the first).
 */
static uint8_t rx_frame[PVFRONT_NET_MAX_FRAME];
static uint8_t tx_frames[2][PVFRONT_NET_MAX_FRAME];

static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- small things ---- */

uint32_t net_ip(void)
{
    return net.ip;
}

uint32_t net_mtu(void)
{
    return net.nf ? net.nf->mtu : 0;
}

const uint8_t *net_mac(void)
{
    return net.mac;
}

struct pvfront_netfront *net_nf(void)
{
    return net.nf;
}

const struct net_stats *net_stats(void)
{
    return &net.st;
}

uint8_t *net_tx_buf(void)
{
    return tx_frames[net.in_poll ? 1 : 0];
}

int net_aton(const char *s, uint32_t *ip)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        uint32_t part = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            part = part * 10 + (uint32_t)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || part > 255)
            return -XEN_EINVAL;
        v = v << 8 | part;
        if (i < 3 && *s++ != '.')
            return -XEN_EINVAL;
    }
    if (*s)
        return -XEN_EINVAL;
    *ip = v;
    return 0;
}

const char *net_ntoa(uint32_t ip, char buf[16])
{
    pvfront_snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                     ip & 255);
    return buf;
}

uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;

    while (len >= 2) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)(p[0] << 8);
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t net_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

uint32_t net_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;

    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

static int on_subnet(uint32_t ip)
{
    return (ip & net.mask) == (net.ip & net.mask);
}

void net_init(struct pvfront_netfront *nf, uint32_t ip, uint32_t mask, uint32_t gw)
{
    memset(&net, 0, sizeof net);
    net.nf = nf;
    memcpy(net.mac, nf->mac, ETH_ALEN);
    net.ip = ip;
    net.mask = mask;
    net.gw = gw;
    net.ip_id = (uint16_t)pvfront_rdtsc();
}

void net_on_echo_reply(net_echo_fn fn, void *arg)
{
    net.echo_fn = fn;
    net.echo_arg = arg;
}

void net_on_echo_request(net_ping_fn fn, void *arg)
{
    net.ping_fn = fn;
    net.ping_arg = arg;
}

int net_udp_bind(uint16_t port, net_udp_fn fn, void *arg)
{
    struct udp_bind *free_slot = NULL;

    for (int i = 0; i < NET_UDP_PORTS; i++) {
        struct udp_bind *b = &net.udp[i];
        if (b->port == port && port) {
            if (fn)
                return -XEN_EEXIST;
            b->port = 0;
            return 0;
        }
        if (!b->port && !free_slot)
            free_slot = b;
    }
    if (!fn)
        return 0;
    if (!free_slot)
        return -XEN_ENOSPC;
    free_slot->port = port;
    free_slot->fn = fn;
    free_slot->arg = arg;
    return 0;
}

/* ---- ARP ---- */

static struct arp_entry *arp_find(uint32_t ip)
{
    for (int i = 0; i < NET_ARP_CACHE; i++)
        if (net.arp[i].ip == ip)
            return &net.arp[i];
    return NULL;
}

/* Add or refresh ip -> mac (only addresses on our subnet, never ours). */
static void arp_learn(uint32_t ip, const uint8_t *mac)
{
    if (!ip || ip == net.ip || !on_subnet(ip) || (mac[0] & 1))
        return;
    struct arp_entry *e = arp_find(ip);
    if (!e) {
        e = &net.arp[0];
        for (int i = 1; i < NET_ARP_CACHE && e->ip; i++)
            if (!net.arp[i].ip || net.arp[i].seen < e->seen)
                e = &net.arp[i];
        e->ip = ip;
    }
    memcpy(e->mac, mac, ETH_ALEN);
    e->seen = pvfront_time_ns();
}

/* Queue and kick one frame, waiting up to 1 s for room. */
static int xmit(const uint8_t *frame, size_t len)
{
    struct pvfront_netfront *nf = net.nf;
    uint64_t end = 0;

    for (;;) {
        int r = pvfront_net_queue(nf, frame, len);
        if (r == 0) {
            pvfront_net_kick(nf);
            net.st.tx_frames++;
            return 0;
        }
        if (r != -XEN_EAGAIN) {
            net.st.tx_dropped++;
            return r;
        }
        uint64_t now = pvfront_time_ns();
        if (!end)
            end = now + TX_WAIT_NS;
        if (now >= end) {
            net.st.tx_dropped++;
            return -XEN_ETIMEDOUT;
        }
        net.st.tx_waits++;
        r = pvfront_net_wait(nf, PVFRONT_NET_TX, end - now);
        if (r < 0 && r != -XEN_ETIMEDOUT) {
            net.st.tx_dropped++;
            return r;
        }
    }
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, ETH_ALEN);
    memcpy(f + ETH_ALEN, net.mac, ETH_ALEN);
    net_put16(f + 12, type);
}

static int arp_send(uint16_t op, const uint8_t *eth_dst, const uint8_t *tha, uint32_t tpa)
{
    uint8_t f[PVFRONT_NET_ETH_HLEN + ARP_LEN];
    uint8_t *a = f + PVFRONT_NET_ETH_HLEN;

    eth_header(f, eth_dst, NET_ETH_TYPE_ARP);
    net_put16(a, 1);              /* Ethernet */
    net_put16(a + 2, NET_ETH_TYPE_IP);
    a[4] = ETH_ALEN;
    a[5] = 4;
    net_put16(a + 6, op);
    memcpy(a + 8, net.mac, ETH_ALEN);
    net_put32(a + 14, net.ip);
    memcpy(a + 18, tha, ETH_ALEN);
    net_put32(a + 24, tpa);
    net.st.arp_sent++;
    return xmit(f, sizeof f);
}

static void arp_input(const uint8_t *a, size_t len)
{
    net.st.rx_arp++;
    if (len < ARP_LEN || net_get16(a) != 1 || net_get16(a + 2) != NET_ETH_TYPE_IP ||
        a[4] != ETH_ALEN || a[5] != 4) {
        net.st.rx_bad++;
        return;
    }
    uint16_t op = net_get16(a + 6);
    uint32_t spa = net_get32(a + 14), tpa = net_get32(a + 24);
    const uint8_t *sha = a + 8;
    if (op == 1 || op == 2)
        arp_learn(spa, sha);
    if (op == 1 && tpa == net.ip && net.ip)
        arp_send(2, sha, sha, spa);
}

int net_resolve(uint32_t dst, uint8_t mac[6], uint64_t timeout_ns)
{
    if (dst == 0xffffffffu || (on_subnet(dst) && (dst | net.mask) == 0xffffffffu)) {
        memcpy(mac, bcast, ETH_ALEN);
        return 0;
    }
    uint32_t hop = on_subnet(dst) ? dst : net.gw;
    if (!hop)
        return -XEN_ENXIO;
    uint64_t start = pvfront_time_ns(), next = start;
    for (;;) {
        struct arp_entry *e = arp_find(hop);
        if (e) {
            memcpy(mac, e->mac, ETH_ALEN);
            return 0;
        }
        uint64_t now = pvfront_time_ns();
        if (now >= next) {
            static const uint8_t zero[ETH_ALEN];
            arp_send(1, bcast, zero, hop);
            next = now + ARP_RETRY_NS;
        }
        if (net.in_poll)
            return -XEN_EAGAIN;
        if (now - start >= timeout_ns)
            return -XEN_ETIMEDOUT;
        uint64_t until = start + timeout_ns < next ? start + timeout_ns : next;
        int r = net_poll(until > now ? until - now : 0);
        if (r < 0)
            return r;
    }
}

/* ---- IPv4 out ---- */

int net_ip_send(uint32_t dst, uint8_t proto, size_t l4len)
{
    uint8_t mac[ETH_ALEN];
    size_t total = NET_IP_HLEN + l4len;

    if (total > net.nf->mtu)
        return -XEN_EMSGSIZE;
    int r = net_resolve(dst, mac, TX_WAIT_NS);
    if (r < 0) {
        net.st.tx_dropped++;
        return r;
    }
    uint8_t *f = net_tx_buf(), *ip = f + PVFRONT_NET_ETH_HLEN;
    eth_header(f, mac, NET_ETH_TYPE_IP);
    ip[0] = 0x45;
    ip[1] = 0;
    net_put16(ip + 2, (uint16_t)total);
    net_put16(ip + 4, net.ip_id++);
    net_put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = proto;
    net_put16(ip + 10, 0);
    net_put32(ip + 12, net.ip);
    net_put32(ip + 16, dst);
    net_put16(ip + 10, (uint16_t)~net_csum_fold(net_csum_add(0, ip, NET_IP_HLEN)));
    return xmit(f, PVFRONT_NET_ETH_HLEN + total);
}

int net_udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    if (len + NET_UDP_HLEN + NET_IP_HLEN > net.nf->mtu)
        return -XEN_EMSGSIZE;
    uint8_t *u = net_tx_buf() + NET_L4_OFF;
    size_t ulen = NET_UDP_HLEN + len;
    net_put16(u, sport);
    net_put16(u + 2, dport);
    net_put16(u + 4, (uint16_t)ulen);
    net_put16(u + 6, 0);
    memcpy(u + NET_UDP_HLEN, data, len);
    uint16_t c = (uint16_t)~net_csum_fold(
        net_csum_add(net_pseudo(net.ip, dst, NET_PROTO_UDP, ulen), u, ulen));
    net_put16(u + 6, c ? c : 0xffff);
    return net_ip_send(dst, NET_PROTO_UDP, ulen);
}

static int icmp_send(uint32_t dst, uint8_t type, uint16_t id, uint16_t seq, const void *data,
                     size_t len)
{
    if (len + 8 + NET_IP_HLEN > net.nf->mtu)
        return -XEN_EMSGSIZE;
    uint8_t *c = net_tx_buf() + NET_L4_OFF;
    c[0] = type;
    c[1] = 0;
    net_put16(c + 2, 0);
    net_put16(c + 4, id);
    net_put16(c + 6, seq);
    memmove(c + 8, data, len);
    net_put16(c + 2, (uint16_t)~net_csum_fold(net_csum_add(0, c, 8 + len)));
    return net_ip_send(dst, NET_PROTO_ICMP, 8 + len);
}

int net_icmp_echo(uint32_t dst, uint16_t id, uint16_t seq, const void *data, size_t len)
{
    return icmp_send(dst, 8, id, seq, data, len);
}

/* ---- IPv4 in ---- */

static void icmp_input(uint32_t src, const uint8_t *c, size_t len)
{
    net.st.rx_icmp++;
    if (len < 8 || net_csum_fold(net_csum_add(0, c, len)) != 0xffff) {
        net.st.rx_bad++;
        return;
    }
    uint16_t id = net_get16(c + 4), seq = net_get16(c + 6);
    if (c[0] == 8 && c[1] == 0) {
        /* Echo request: the reply carries the same id, seq and data. */
        if (icmp_send(src, 0, id, seq, c + 8, len - 8) == 0)
            net.st.echo_replied++;
        if (net.ping_fn)
            net.ping_fn(net.ping_arg, src);
    } else if (c[0] == 0 && c[1] == 0) {
        if (net.echo_fn)
            net.echo_fn(net.echo_arg, src, id, seq, c + 8, len - 8);
    }
}

static void udp_input(uint32_t src, uint32_t dst, const uint8_t *u, size_t len, unsigned int flags)
{
    net.st.rx_udp++;
    if (len < NET_UDP_HLEN) {
        net.st.rx_bad++;
        return;
    }
    size_t ulen = net_get16(u + 4);
    if (ulen < NET_UDP_HLEN || ulen > len) {
        net.st.rx_bad++;
        return;
    }
    /* A zero checksum means none was computed; the backend may have checked it for us. */
    if (net_get16(u + 6) && !(flags & (NETRXF_data_validated | NETRXF_csum_blank)) &&
        net_csum_fold(net_csum_add(net_pseudo(src, dst, NET_PROTO_UDP, ulen), u, ulen)) != 0xffff) {
        net.st.rx_bad++;
        return;
    }
    uint16_t dport = net_get16(u + 2);
    for (int i = 0; i < NET_UDP_PORTS; i++) {
        struct udp_bind *b = &net.udp[i];
        if (b->port && b->port == dport) {
            b->fn(b->arg, src, net_get16(u), u + NET_UDP_HLEN, ulen - NET_UDP_HLEN);
            return;
        }
    }
    net.st.rx_no_port++;
}

static void ip_input(const uint8_t *eth_src, const uint8_t *ip, size_t len, unsigned int flags)
{
    net.st.rx_ip++;
    if (len < NET_IP_HLEN || ip[0] >> 4 != 4) {
        net.st.rx_bad++;
        return;
    }
    size_t hl = (size_t)(ip[0] & 15) * 4, total = net_get16(ip + 2);
    if (hl < NET_IP_HLEN || total < hl || total > len ||
        net_csum_fold(net_csum_add(0, ip, hl)) != 0xffff) {
        net.st.rx_bad++;
        return;
    }
    uint32_t src = net_get32(ip + 12), dst = net_get32(ip + 16);
    if (dst != net.ip && dst != 0xffffffffu && dst != (net.ip | ~net.mask)) {
        net.st.rx_not_mine++;
        return;
    }
    /* MF, or a fragment offset: part of a datagram we will not reassemble. */
    if (net_get16(ip + 6) & 0x3fff) {
        net.st.rx_frag++;
        return;
    }
    arp_learn(src, eth_src);
    const uint8_t *l4 = ip + hl;
    size_t l4len = total - hl;
    switch (ip[9]) {
    case NET_PROTO_ICMP:
        icmp_input(src, l4, l4len);
        break;
    case NET_PROTO_UDP:
        udp_input(src, dst, l4, l4len, flags);
        break;
    case NET_PROTO_TCP:
        net.st.rx_tcp++;
        if (l4len < NET_TCP_HLEN || (!(flags & (NETRXF_data_validated | NETRXF_csum_blank)) &&
                                     net_csum_fold(net_csum_add(
                                         net_pseudo(src, dst, NET_PROTO_TCP, l4len), l4, l4len)) !=
                                         0xffff)) {
            net.st.rx_bad++;
            break;
        }
        if (dst == net.ip)
            net_tcp_input(src, l4, l4len);
        break;
    default:
        net.st.rx_other++;
        break;
    }
}

static void eth_input(const uint8_t *f, size_t len, unsigned int flags)
{
    net.st.rx_frames++;
    if (len < PVFRONT_NET_ETH_HLEN) {
        net.st.rx_bad++;
        return;
    }
    if (memcmp(f, net.mac, ETH_ALEN) && memcmp(f, bcast, ETH_ALEN)) {
        net.st.rx_other++;
        return;
    }
    uint16_t type = net_get16(f + 12);
    const uint8_t *p = f + PVFRONT_NET_ETH_HLEN;
    size_t plen = len - PVFRONT_NET_ETH_HLEN;
    if (type == NET_ETH_TYPE_ARP)
        arp_input(p, plen);
    else if (type == NET_ETH_TYPE_IP)
        ip_input(f + ETH_ALEN, p, plen, flags);
    else
        net.st.rx_other++;
}

int net_poll(uint64_t timeout_ns)
{
    struct pvfront_netfront *nf = net.nf;
    int handled = 0, waited = 0;
    uint64_t end = pvfront_time_ns() + timeout_ns;

    net.in_poll++;
    for (;;) {
        unsigned int flags = 0;
        int n = pvfront_net_recv(nf, rx_frame, sizeof rx_frame, &flags);
        if (n < 0) {
            net.in_poll--;
            return n;
        }
        if (n > 0) {
            eth_input(rx_frame, (size_t)n, flags);
            handled++;
            continue;
        }
        if (handled || waited)
            break;
        uint64_t now = pvfront_time_ns();
        if (now >= end)
            break;
        int r = pvfront_net_wait(nf, PVFRONT_NET_RX, end - now);
        if (r == -XEN_ETIMEDOUT)
            break;
        if (r < 0) {
            net.in_poll--;
            return r;
        }
        /* Woken: take what came; a spurious wake goes round once more while time is left. */
        waited = pvfront_time_ns() >= end;
    }
    if (handled)
        net_tcp_after_batch();
    net.in_poll--;
    return handled;
}
