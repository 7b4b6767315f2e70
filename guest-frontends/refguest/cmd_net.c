/* cmd_net.c: the `net` command: libpvfront's netfront and the guest's network stack (net/): serve, ping, UDP echo and throughput, TCP throughput, hostile rings. */
#include <pvfront/netfront.h>
#include <pvfront/xenbus.h>

#include "net/net.h"
#include "refguest.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define ECHO_PORT 7
#define PING_ID 0x7076
#define PING_MAX 4096
#define PEERS 16
#define CASE_TIMEOUT_NS (2 * SEC)
/* Grant table frames placed (514 refs for the default pools, and room to spare). */
#define GNT_FRAMES 4

static struct pvfront_netfront vif;
static char vname[16];

static int failed(const char *what, int r)
{
    pvfront_printf("net: %s failed: %d %s\n", what, r, pvfront_xs_errname(r));
    return 1;
}

static uint64_t opt(const char *key, uint64_t dflt)
{
    uint64_t v;

    return pvfront_cmdline_get_u64(key, &v) == 0 ? v : dflt;
}

/* key=A.B.C.D: 0 and *ip, 1 if absent (*ip = 0), or -1 after printing why it is bad. */
static int opt_ip(const char *key, uint32_t *ip)
{
    char s[32];

    *ip = 0;
    if (pvfront_cmdline_get(key, s, sizeof s) < 0)
        return 1;
    if (net_aton(s, ip) < 0) {
        pvfront_printf("net: bad %s=%s\n", key, s);
        return -1;
    }
    return 0;
}

/* "12.34": value * 100 / div, printed with two decimals (integer math only). */
static void fixed2(char *buf, size_t len, uint64_t x100)
{
    pvfront_snprintf(buf, len, "%lu.%02lu", (unsigned long)(x100 / 100),
                     (unsigned long)(x100 % 100));
}

/* Mbit/s (x100) and packets/s of bytes and packets over ns. */
static void rates(uint64_t bytes, uint64_t packets, uint64_t ns, char *mbit, size_t mlen,
                  uint64_t *pps)
{
    if (ns == 0)
        ns = 1;
    /* bytes * 8 / (ns / 1e9) / 1e6, times 100: exact in 64 bits below 2^64 / 8e5 bytes. */
    fixed2(mbit, mlen, bytes * 800000u / ns);
    *pps = packets * SEC / ns;
}

static void print_stats(void)
{
    const struct pvfront_net_stats *s = &vif.stats;
    const struct net_stats *n = net_stats();

    pvfront_printf("net: stats tx=%lu tx_slots=%lu tx_errors=%lu tx_busy=%lu pushes=%lu "
                   "notifies=%lu rx=%lu rx_slots=%lu rx_multi=%lu rx_errors=%lu rx_too_big=%lu "
                   "refills=%lu rx_notifies=%lu waits=%lu bad=%lu\n",
                   (unsigned long)s->tx_frames, (unsigned long)s->tx_slots,
                   (unsigned long)s->tx_errors, (unsigned long)s->tx_busy,
                   (unsigned long)s->tx_pushes, (unsigned long)s->tx_notifies,
                   (unsigned long)s->rx_frames, (unsigned long)s->rx_slots,
                   (unsigned long)s->rx_multi, (unsigned long)s->rx_errors,
                   (unsigned long)s->rx_too_big, (unsigned long)s->rx_pushes,
                   (unsigned long)s->rx_notifies, (unsigned long)s->waits,
                   (unsigned long)s->bad_responses);
    pvfront_printf("net: stack arp=%lu ip=%lu icmp=%lu udp=%lu tcp=%lu bad=%lu frag=%lu "
                   "not_mine=%lu no_port=%lu other=%lu sent=%lu tx_waits=%lu tx_dropped=%lu "
                   "echo_replied=%lu\n",
                   (unsigned long)n->rx_arp, (unsigned long)n->rx_ip, (unsigned long)n->rx_icmp,
                   (unsigned long)n->rx_udp, (unsigned long)n->rx_tcp, (unsigned long)n->rx_bad,
                   (unsigned long)n->rx_frag, (unsigned long)n->rx_not_mine,
                   (unsigned long)n->rx_no_port, (unsigned long)n->rx_other,
                   (unsigned long)n->tx_frames, (unsigned long)n->tx_waits,
                   (unsigned long)n->tx_dropped, (unsigned long)n->echo_replied);
}

/* Stats, then the clean close: "net: closed vifN". 0, or 1 after the failure line. */
static int finish(void)
{
    print_stats();
    int r = pvfront_net_disconnect(&vif, refguest_timeout_ns());
    if (r < 0)
        return failed("disconnect", r);
    pvfront_printf("net: closed %s\n", vname);
    return 0;
}

/* ---- serving: ARP and ICMP are answered by the stack; UDP echo on port 7 ---- */

static struct {
    uint32_t peers[PEERS];
    unsigned int npeers;
    int quit;
} srv;

static void on_ping(void *arg, uint32_t src)
{
    char a[16];

    (void)arg;
    for (unsigned int i = 0; i < srv.npeers; i++)
        if (srv.peers[i] == src)
            return;
    if (srv.npeers < PEERS)
        srv.peers[srv.npeers++] = src;
    pvfront_printf("net: ping from %s\n", net_ntoa(src, a));
}

static void on_echo_udp(void *arg, uint32_t src, uint16_t sport, const uint8_t *data, size_t len)
{
    (void)arg;
    net_udp_send(src, ECHO_PORT, sport, data, len);
    if (len >= 4 && !memcmp(data, "quit", 4) && (len == 4 || data[4] == '\n'))
        srv.quit = 1;
}

/* Serve until a "quit" datagram to port 7 (forever if none comes). */
static int serve(void)
{
    pvfront_printf("net: serving\n");
    while (!srv.quit) {
        int r = net_poll(SEC);
        if (r < 0)
            return failed("poll", r);
    }
    pvfront_printf("net: quit\n");
    return finish();
}

/* ---- ping ---- */

static struct {
    uint32_t dst;
    unsigned int count, received;
    uint64_t sent_at[PING_MAX];
    uint8_t got[PING_MAX];
} png;

static void on_reply(void *arg, uint32_t src, uint16_t id, uint16_t seq, const uint8_t *data,
                     size_t len)
{
    char a[16];

    (void)arg;
    (void)data;
    (void)len;
    if (id != PING_ID || src != png.dst || seq == 0 || seq > png.count || png.got[seq - 1] ||
        !png.sent_at[seq - 1])
        return;
    png.got[seq - 1] = 1;
    png.received++;
    uint64_t us = (pvfront_time_ns() - png.sent_at[seq - 1]) / 1000;
    pvfront_printf("net: reply from %s seq=%u time_us=%lu\n", net_ntoa(src, a), seq,
                   (unsigned long)us);
}

static int ping(uint32_t dst)
{
    unsigned int count = (unsigned int)opt("count", 4);
    uint8_t data[56], mac[6];
    char a[16], what[48];

    if (count == 0 || count > PING_MAX) {
        pvfront_printf("net: count=N must be 1..%u\n", PING_MAX);
        return 1;
    }
    png.dst = dst;
    png.count = count;
    net_on_echo_reply(on_reply, NULL);
    /* ARP first (the peer may be coming up: keep asking for the whole timeout). */
    int r = net_resolve(dst, mac, refguest_timeout_ns());
    if (r < 0) {
        pvfront_snprintf(what, sizeof what, "arp %s", net_ntoa(dst, a));
        return failed(what, r);
    }
    for (unsigned int i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(0x10 + i);
    uint64_t start = pvfront_time_ns();
    for (unsigned int seq = 1; seq <= count; seq++) {
        uint64_t at = start + (uint64_t)(seq - 1) * 100 * MS;
        for (uint64_t now; (now = pvfront_time_ns()) < at;)
            if ((r = net_poll(at - now)) < 0)
                return failed("poll", r);
        png.sent_at[seq - 1] = pvfront_time_ns();
        if ((r = net_icmp_echo(dst, PING_ID, (uint16_t)seq, data, sizeof data)) < 0)
            pvfront_printf("net: send seq=%u failed: %d %s\n", seq, r, pvfront_xs_errname(r));
    }
    /* The last replies: up to 1 s after the last request. */
    uint64_t end = pvfront_time_ns() + SEC;
    for (uint64_t now; png.received < count && (now = pvfront_time_ns()) < end;)
        if ((r = net_poll(end - now)) < 0)
            return failed("poll", r);
    pvfront_printf("net: ping %u sent %u received\n", count, png.received);
    if (opt("serve", 0))
        return serve();
    return finish();
}

/* ---- UDP echo client ---- */

static struct {
    uint32_t dst;
    uint16_t port;
    uint8_t want[2048];
    size_t want_len;
    int got;
} uec;

static void on_echoed(void *arg, uint32_t src, uint16_t sport, const uint8_t *data, size_t len)
{
    (void)arg;
    if (src == uec.dst && sport == uec.port && len == uec.want_len &&
        !memcmp(data, uec.want, len))
        uec.got = 1;
}

static int udp_echo_client(uint32_t dst)
{
    unsigned int count = (unsigned int)opt("count", 10), ok = 0;
    uint64_t size = opt("size", 64);
    uint16_t lport = (uint16_t)(40000 + pvfront_rdtsc() % 20000);
    uint8_t mac[6];
    char a[16], what[48];

    uec.dst = dst;
    uec.port = (uint16_t)opt("port", ECHO_PORT);
    if (size < 16 || size > sizeof uec.want || size + 28 > net_mtu()) {
        pvfront_printf("net: size=N must be 16..%u\n", (unsigned int)(net_mtu() - 28 < sizeof uec.want ? net_mtu() - 28 : sizeof uec.want));
        return 1;
    }
    int r = net_resolve(dst, mac, refguest_timeout_ns());
    if (r < 0) {
        pvfront_snprintf(what, sizeof what, "arp %s", net_ntoa(dst, a));
        return failed(what, r);
    }
    net_udp_bind(lport, on_echoed, NULL);
    for (unsigned int k = 1; k <= count; k++) {
        int n = pvfront_snprintf((char *)uec.want, sizeof uec.want, "pvhv udp echo %u ", k);
        for (size_t i = (size_t)n; i < size; i++)
            uec.want[i] = (uint8_t)('a' + (k + i) % 26);
        uec.want_len = (size_t)size;
        uec.got = 0;
        if ((r = net_udp_send(dst, lport, uec.port, uec.want, uec.want_len)) < 0)
            return failed("send", r);
        uint64_t end = pvfront_time_ns() + SEC;
        for (uint64_t now; !uec.got && (now = pvfront_time_ns()) < end;)
            if ((r = net_poll(end - now)) < 0)
                return failed("poll", r);
        ok += (unsigned int)uec.got;
    }
    net_udp_bind(lport, NULL, NULL);
    pvfront_printf("net: udp echo %u of %u\n", ok, count);
    return finish();
}

/* ---- UDP throughput ---- */

/* The payload: its sequence number (64-bit big endian) first, then a filler. */
static uint8_t blast[PVFRONT_NET_MAX_FRAME];

static int udp_send(uint32_t dst)
{
    uint64_t port = opt("port", 5201), seconds = opt("seconds", 2);
    uint64_t size = opt("size", net_mtu() - 28);
    uint8_t mac[6];
    char a[16], what[48], mbit[32];

    if (size < 8 || size + 28 > net_mtu()) {
        pvfront_printf("net: size=N must be 8..%u\n", net_mtu() - 28);
        return 1;
    }
    int r = net_resolve(dst, mac, refguest_timeout_ns());
    if (r < 0) {
        pvfront_snprintf(what, sizeof what, "arp %s", net_ntoa(dst, a));
        return failed(what, r);
    }
    for (size_t i = 8; i < size; i++)
        blast[i] = (uint8_t)i;
    uint64_t packets = 0, start = pvfront_time_ns(), end = start + seconds * SEC, now;
    while ((now = pvfront_time_ns()) < end) {
        for (int i = 0; i < 8; i++)
            blast[i] = (uint8_t)(packets >> (56 - 8 * i));
        r = net_udp_send(dst, (uint16_t)(port + 1), (uint16_t)port, blast, (size_t)size);
        if (r < 0 && r != -XEN_ETIMEDOUT)
            return failed("send", r);
        if (r == 0)
            packets++;
        /* Now and then, whatever came in (ARP from the receiver, say). */
        if ((packets & 63) == 0 && (r = net_poll(0)) < 0)
            return failed("poll", r);
    }
    /* Until the last frame left the ring. */
    pvfront_net_wait(&vif, PVFRONT_NET_TX_IDLE, SEC);
    uint64_t ns = pvfront_time_ns() - start, pps;
    rates(packets * size, packets, ns, mbit, sizeof mbit, &pps);
    pvfront_printf("net: udp-send bytes=%lu packets=%lu Mbit/s=%s pps=%lu\n",
                   (unsigned long)(packets * size), (unsigned long)packets, mbit,
                   (unsigned long)pps);
    return finish();
}

static struct {
    uint64_t packets, bytes, max_seq, first_ns, last_ns;
    int any;
} urx;

static void on_blast(void *arg, uint32_t src, uint16_t sport, const uint8_t *data, size_t len)
{
    (void)arg;
    (void)src;
    (void)sport;
    uint64_t now = pvfront_time_ns();
    if (!urx.any) {
        urx.any = 1;
        urx.first_ns = now;
    }
    urx.last_ns = now;
    urx.packets++;
    urx.bytes += len;
    if (len >= 8) {
        uint64_t seq = 0;
        for (int i = 0; i < 8; i++)
            seq = seq << 8 | data[i];
        if (seq > urx.max_seq)
            urx.max_seq = seq;
    }
}

static int udp_recv(void)
{
    uint64_t port = opt("port", 5201), seconds = opt("seconds", 2);
    char mbit[32];
    int r;

    if ((r = net_udp_bind((uint16_t)port, on_blast, NULL)) < 0)
        return failed("bind", r);
    pvfront_printf("net: udp-recv ready port=%lu\n", (unsigned long)port);
    uint64_t end = pvfront_time_ns() + refguest_timeout_ns();
    for (uint64_t now; !urx.any && (now = pvfront_time_ns()) < end;)
        if ((r = net_poll(end - now)) < 0)
            return failed("poll", r);
    if (!urx.any) {
        pvfront_printf("net: udp-recv nothing arrived\n");
        return finish();
    }
    /* S seconds from the first datagram, or until the sender stays quiet for 1 s. */
    end = urx.first_ns + seconds * SEC;
    for (uint64_t now; (now = pvfront_time_ns()) < end && now - urx.last_ns < SEC;)
        if ((r = net_poll(MS * 100)) < 0)
            return failed("poll", r);
    net_udp_bind((uint16_t)port, NULL, NULL);
    uint64_t pps, expected = urx.max_seq + 1;
    uint64_t lost = expected > urx.packets ? expected - urx.packets : 0;
    rates(urx.bytes, urx.packets, urx.last_ns - urx.first_ns, mbit, sizeof mbit, &pps);
    pvfront_printf("net: udp-recv bytes=%lu packets=%lu Mbit/s=%s pps=%lu lost=%lu\n",
                   (unsigned long)urx.bytes, (unsigned long)urx.packets, mbit,
                   (unsigned long)pps, (unsigned long)lost);
    return finish();
}

/* ---- TCP throughput ---- */

static int tcp_send(uint32_t dst)
{
    uint64_t port = opt("port", 5201), seconds = opt("seconds", 2);
    char mbit[32];

    int r = net_tcp_connect(dst, (uint16_t)port, refguest_timeout_ns());
    if (r < 0)
        return failed("tcp connect", r);
    pvfront_printf("net: tcp-send connected\n");
    uint64_t start = pvfront_time_ns();
    int64_t acked = net_tcp_send_until(start + seconds * SEC);
    if (acked < 0)
        return failed("tcp send", (int)acked);
    uint64_t ns = pvfront_time_ns() - start, pps;
    const struct net_tcp_stats *ts = net_tcp_stats();
    uint64_t segs = ts->segs_out;
    if ((r = net_tcp_close(2 * SEC)) < 0)
        pvfront_printf("net: tcp close: %d %s\n", r, pvfront_xs_errname(r));
    rates((uint64_t)acked, segs, ns, mbit, sizeof mbit, &pps);
    pvfront_printf("net: tcp-send bytes=%lu packets=%lu Mbit/s=%s pps=%lu retrans=%lu\n",
                   (unsigned long)acked, (unsigned long)segs, mbit, (unsigned long)pps,
                   (unsigned long)ts->retransmits);
    return finish();
}

static int tcp_recv(void)
{
    uint64_t port = opt("port", 5201), seconds = opt("seconds", 2);
    char mbit[32];
    int r;

    net_tcp_listen((uint16_t)port);
    pvfront_printf("net: tcp-recv ready port=%lu\n", (unsigned long)port);
    if ((r = net_tcp_accept(refguest_timeout_ns())) < 0)
        return failed("tcp accept", r);
    uint64_t start = pvfront_time_ns(), end = start + seconds * SEC;
    while (!net_tcp_peer_closed() && pvfront_time_ns() < end)
        if ((r = net_poll(MS * 100)) < 0)
            return failed("poll", r);
    uint64_t ns = pvfront_time_ns() - start, pps, bytes = net_tcp_received();
    const struct net_tcp_stats *ts = net_tcp_stats();
    uint64_t segs = ts->segs_in;
    if ((r = net_tcp_close(2 * SEC)) < 0)
        pvfront_printf("net: tcp close: %d %s\n", r, pvfront_xs_errname(r));
    net_tcp_listen(0);
    rates(bytes, segs, ns, mbit, sizeof mbit, &pps);
    pvfront_printf("net: tcp-recv bytes=%lu packets=%lu Mbit/s=%s pps=%lu bad=%lu\n",
                   (unsigned long)bytes, (unsigned long)segs, mbit, (unsigned long)pps,
                   (unsigned long)ts->bad_bytes);
    return finish();
}

/* ---- hostile: garbage straight into the tx ring ---- */

/* Post raw slots, kick, wait up to 2 s: "net: hostile CASE status=S|none". */
static int raw_case(const char *name, const netif_tx_request_t *reqs, unsigned int n,
                    const void *data, size_t len)
{
    int r = pvfront_net_tx_raw(&vif, reqs, n, data, len);

    if (r < 0) {
        pvfront_printf("net: hostile %s status=none (not sent: %d %s)\n", name, r,
                       pvfront_xs_errname(r));
        return 0;
    }
    pvfront_net_kick(&vif);
    uint64_t end = pvfront_time_ns() + CASE_TIMEOUT_NS;
    for (uint64_t now; pvfront_net_tx_inflight(&vif) && (now = pvfront_time_ns()) < end;)
        if (pvfront_net_wait(&vif, PVFRONT_NET_TX_IDLE, end - now) < 0 && vif.broken)
            break;
    if (vif.raw_answered)
        pvfront_printf("net: hostile %s status=%d\n", name, vif.raw_status);
    else
        pvfront_printf("net: hostile %s status=none\n", name);
    return 0;
}

static int hostile(void)
{
    static netif_tx_request_t reqs[PVFRONT_NET_RING_SIZE];
    static uint8_t garp[60];

    /* badgref: a ref this domain never granted (the table's last, handed out to nobody). */
    grant_ref_t never = (grant_ref_t)(pvfront_gnttab_nr_refs() - 1);
    if (pvfront_gnttab_in_use(never) != -XEN_EINVAL) {
        pvfront_printf("net: hostile: ref %u is in use, cannot test badgref\n", never);
        return 1;
    }
    memset(reqs, 0, sizeof reqs);
    reqs[0].gref = never;
    reqs[0].size = 60;
    raw_case("badgref", reqs, 1, NULL, 0);

    /*
     * oversize: 17 full pages (69632 bytes, more than a 16-bit size can
     * say): the first slot's size wrapped to 4096, so the fragments add up
     * to more than the frame claims.
     */
    const unsigned int big = 17;
    for (unsigned int i = 0; i < big; i++) {
        reqs[i].gref = PVFRONT_NET_OWN_GREF;
        reqs[i].offset = 0;
        reqs[i].size = (uint16_t)(i == 0 ? (big * XEN_PAGE_SIZE) & 0xffff : XEN_PAGE_SIZE);
        reqs[i].flags = (uint16_t)(i + 1 < big ? NETTXF_more_data : 0);
    }
    raw_case("oversize", reqs, big, NULL, 0);

    /* sane: an honest frame (a gratuitous ARP) still goes through. */
    const uint8_t *mac = net_mac();
    memset(garp, 0, sizeof garp);
    memset(garp, 0xff, 6);
    memcpy(garp + 6, mac, 6);
    net_put16(garp + 12, NET_ETH_TYPE_ARP);
    net_put16(garp + 14, 1);
    net_put16(garp + 16, NET_ETH_TYPE_IP);
    garp[18] = 6;
    garp[19] = 4;
    net_put16(garp + 20, 1);
    memcpy(garp + 22, mac, 6);
    net_put32(garp + 28, net_ip());
    net_put32(garp + 38, net_ip());
    memset(reqs, 0, sizeof reqs);
    reqs[0].gref = PVFRONT_NET_OWN_GREF;
    reqs[0].size = sizeof garp;
    raw_case("sane", reqs, 1, garp, sizeof garp);

    /* slots: a more_data chain over every free slot that never ends. */
    pvfront_net_wait(&vif, PVFRONT_NET_TX_IDLE, 0); /* takes the answers so far */
    unsigned int n = RING_FREE_REQUESTS(&vif.tx);
    if (n > vif.tx_free_n)
        n = vif.tx_free_n;
    for (unsigned int i = 0; i < n; i++) {
        reqs[i].gref = PVFRONT_NET_OWN_GREF;
        reqs[i].offset = 0;
        reqs[i].size = (uint16_t)(i == 0 ? 64 * n : 64);
        reqs[i].flags = NETTXF_more_data;
    }
    raw_case("slots", reqs, n, NULL, 0);

    /* overflow: req_prod two ring sizes past what was produced, and an event. */
    RING_IDX cons = PVHV_RING_READ_IDX(vif.tx.sring->rsp_prod);
    RING_IDX prod = vif.tx.req_prod_pvt + 2 * PVFRONT_NET_RING_SIZE;
    xen_wmb();
    PVHV_RING_WRITE_IDX(vif.tx.sring->req_prod, prod);
    xen_mb();
    pvfront_evtchn_send(vif.tx_port);
    uint64_t end = pvfront_time_ns() + CASE_TIMEOUT_NS;
    RING_IDX rp = cons;
    while (pvfront_time_ns() < end && (rp = PVHV_RING_READ_IDX(vif.tx.sring->rsp_prod)) == cons)
        if (pvfront_sleep_ns(10 * MS) < 0)
            pvfront_delay_ns(10 * MS);
    if (rp != cons) {
        netif_tx_response_t rsp;
        RING_COPY_RESPONSE(&vif.tx, cons, &rsp);
        pvfront_printf("net: hostile overflow status=%d\n", rsp.status);
    } else {
        pvfront_printf("net: hostile overflow status=none\n");
    }
    print_stats();
    pvfront_printf("net: hostile done\n");
    return 0;
}

/* ---- the command ---- */

int cmd_net(const struct pvfront_boot_info *bi)
{
    char op[24] = "serve", a[16];
    uint32_t ip, gw, dst;
    int r;

    pvfront_cmdline_get("op", op, sizeof op);
    uint32_t devid = (uint32_t)opt("vif", 0);
    uint64_t maskbits = opt("mask", 24);
    if (opt_ip("ip", &ip) != 0) {
        pvfront_printf("net: ip=A.B.C.D is required\n");
        return 1;
    }
    if (opt_ip("gw", &gw) < 0 || opt_ip("dst", &dst) < 0 || maskbits > 32)
        return 1;
    uint32_t mask = maskbits ? ~0u << (32 - maskbits) : 0;
    int needs_dst = !strcmp(op, "ping") || !strcmp(op, "udp-echo-client") ||
                    !strcmp(op, "udp-send") || !strcmp(op, "tcp-send");
    if (!needs_dst && strcmp(op, "serve") && strcmp(op, "udp-recv") && strcmp(op, "tcp-recv") &&
        strcmp(op, "hostile")) {
        pvfront_printf("net: unknown op '%s' (serve, ping, udp-echo-client, udp-send, udp-recv, "
                       "tcp-send, tcp-recv, hostile)\n", op);
        return 1;
    }
    if (needs_dst && !dst) {
        pvfront_printf("net: op=%s needs dst=A.B.C.D\n", op);
        return 1;
    }
    if (bi->domid == DOMID_INVALID) {
        pvfront_printf("net: domid unknown\n");
        return 1;
    }
    if ((r = pvfront_xenbus_init()) < 0)
        return failed("xenbus init", r);

    /* The grant table: the pools need 2 + 256 + 256 refs. */
    uint32_t max = 0;
    if ((r = pvfront_gnttab_query_size(NULL, &max)) < 0)
        return failed("gnttab query_size", r);
    unsigned int frames = max < GNT_FRAMES ? max : GNT_FRAMES;
    if (frames > PVFRONT_GNTTAB_STATIC_FRAMES)
        frames = PVFRONT_GNTTAB_STATIC_FRAMES;
    r = pvfront_gnttab_init(NULL, frames);
    if (r < 0 && r != -XEN_EEXIST)
        return failed("gnttab init", r);

    pvfront_snprintf(vname, sizeof vname, "vif%u", devid);
    if ((r = pvfront_net_find(devid)) < 0)
        return failed(vname, r);
    struct pvfront_net_config cfg = { 0 };
    cfg.tx_bufs = (unsigned int)opt("tx_bufs", 0);
    cfg.rx_bufs = (unsigned int)opt("rx_bufs", 0);
    cfg.no_split = opt("split", 1) == 0;
    cfg.no_sg = opt("sg", 1) == 0;
    cfg.timeout_ns = refguest_timeout_ns();
    unsigned int tx = cfg.tx_bufs ? cfg.tx_bufs : PVFRONT_NET_MAX_BUFS;
    unsigned int rx = cfg.rx_bufs ? cfg.rx_bufs : PVFRONT_NET_MAX_BUFS;
    size_t len = pvfront_net_mem_size(tx, rx);
    uintptr_t mem = (bi->free_start + XEN_PAGE_SIZE - 1) & ~(uintptr_t)(XEN_PAGE_SIZE - 1);
    if (len == 0 || mem + len > bi->free_end) {
        pvfront_printf("net: not enough free RAM (or a bad tx_bufs/rx_bufs)\n");
        return 1;
    }
    char what[32];
    pvfront_snprintf(what, sizeof what, "connect %s", vname);
    /* reconnect=1: connect, close, connect again (Linux's reconnect path) first. */
    for (uint64_t round = opt("reconnect", 0) ? 2 : 1; round > 0; round--) {
        if ((r = pvfront_net_connect(&vif, devid, (void *)mem, len, &cfg)) < 0)
            return failed(what, r);
        const uint8_t *m = vif.mac;
        pvfront_printf("net: %s mac=%02x:%02x:%02x:%02x:%02x:%02x mtu=%u ip=%s\n", vname, m[0],
                       m[1], m[2], m[3], m[4], m[5], vif.mtu, net_ntoa(ip, a));
        pvfront_printf("net: %s split=%u sg=%u tx_bufs=%u rx_bufs=%u\n", vname, vif.split,
                       vif.sg, vif.tx_bufs, vif.rx_bufs);
        if (round > 1) {
            if ((r = pvfront_net_disconnect(&vif, refguest_timeout_ns())) < 0)
                return failed("disconnect", r);
            pvfront_printf("net: closed %s\n", vname);
        }
    }

    net_init(&vif, ip, mask, gw);
    net_on_echo_request(on_ping, NULL);
    if ((r = net_udp_bind(ECHO_PORT, on_echo_udp, NULL)) < 0)
        return failed("bind 7", r);

    if (!strcmp(op, "serve"))
        return serve();
    if (!strcmp(op, "ping"))
        return ping(dst);
    if (!strcmp(op, "udp-echo-client"))
        return udp_echo_client(dst);
    if (!strcmp(op, "udp-send"))
        return udp_send(dst);
    if (!strcmp(op, "udp-recv"))
        return udp_recv();
    if (!strcmp(op, "tcp-send"))
        return tcp_send(dst);
    if (!strcmp(op, "tcp-recv"))
        return tcp_recv();
    return hostile();
}
