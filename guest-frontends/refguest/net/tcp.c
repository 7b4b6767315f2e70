/* tcp.c: a minimal TCP for the reference guest: one connection, enough to measure throughput (see net.h). */
#include <pvfront/pvfront.h>

#include "net.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define MS 1000000ULL
#define SYN_RETRY_NS (500 * MS)
/* Acknowledge at least every second segment; the rest at the end of each batch. */
#define ACK_EVERY 2

enum { CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, DONE };

static struct {
    int state;
    uint16_t listen_port, lport, rport;
    uint32_t rip;
    /* send side */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd;
    uint32_t fin_seq;   /* our FIN's sequence number, once sent */
    int fin_sent;
    uint16_t mss;       /* the peer's, capped by ours */
    uint8_t snd_shift;  /* the peer's window scale (RFC 7323), 0 if it sent none */
    uint64_t progress;  /* pvfront time snd_una last moved (or the last retransmit) */
    unsigned int dupacks;
    /* receive side */
    uint32_t irs, rcv_nxt;
    unsigned int unacked;
    uint64_t received;
    int peer_fin, reset;
    struct net_tcp_stats st;
} tcp;

/* Sequence comparisons modulo 2^32. */
static int seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static int seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static uint16_t our_mss(void)
{
    return (uint16_t)(net_mtu() - NET_IP_HLEN - NET_TCP_HLEN);
}

/* The byte at stream offset o: o mod 256 (the receiver can check it). */
static void fill(uint8_t *p, uint32_t off, size_t len)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(off + i);
}

/* Send one segment: flags, sequence `seq`, `len` bytes of the stream at seq (data segments). */
static int seg_out(uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                   uint8_t flags, size_t len, uint32_t stream_off)
{
    uint8_t *t = net_tx_buf() + NET_L4_OFF;
    size_t hl = NET_TCP_HLEN + ((flags & SYN) ? 8 : 0);

    net_put16(t, sport);
    net_put16(t + 2, dport);
    net_put32(t + 4, seq);
    net_put32(t + 8, (flags & ACK) ? ack : 0);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    net_put16(t + 14, (uint16_t)NET_TCP_WND);
    net_put16(t + 16, 0);
    net_put16(t + 18, 0);
    if (flags & SYN) {
        t[20] = 2; /* MSS */
        t[21] = 4;
        net_put16(t + 22, our_mss());
        t[24] = 1; /* NOP */
        t[25] = 3; /* window scale: ours is 0 (we never need more than 64 KiB), */
        t[26] = 3; /* but offering it lets the peer scale its own window */
        t[27] = 0;
    }
    if (len)
        fill(t + hl, stream_off, len);
    size_t total = hl + len;
    net_put16(t + 16, (uint16_t)~net_csum_fold(net_csum_add(
                          net_pseudo(net_ip(), dst, NET_PROTO_TCP, total), t, total)));
    tcp.st.segs_out++;
    return net_ip_send(dst, NET_PROTO_TCP, total);
}

static int send_ctl(uint8_t flags, uint32_t seq)
{
    return seg_out(tcp.rip, tcp.lport, tcp.rport, seq, tcp.rcv_nxt, flags, 0, 0);
}

static void send_ack(void)
{
    tcp.unacked = 0;
    send_ctl(ACK, tcp.snd_nxt);
}

/* A reset for a segment nobody wants (RFC 9293 3.10.7.1). */
static void send_rst(uint32_t src, const uint8_t *t, size_t len, size_t hl)
{
    uint8_t flags = t[13];
    uint32_t seq = net_get32(t + 4), ack = net_get32(t + 8);
    uint32_t seglen = (uint32_t)(len - hl) + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0);

    if (flags & RST)
        return;
    tcp.st.resets_sent++;
    if (flags & ACK)
        seg_out(src, net_get16(t + 2), net_get16(t), ack, 0, RST, 0, 0);
    else
        seg_out(src, net_get16(t + 2), net_get16(t), 0, seq + seglen, RST | ACK, 0, 0);
}

/* The peer's MSS (capped by ours) and window scale (-1: none) options of a SYN. */
static uint16_t parse_opts(const uint8_t *t, size_t hl, int *wscale)
{
    uint16_t mss = 536;

    *wscale = -1;
    for (size_t i = NET_TCP_HLEN; i < hl;) {
        uint8_t kind = t[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hl || t[i + 1] < 2 || i + t[i + 1] > hl)
            break;
        if (kind == 2 && t[i + 1] == 4)
            mss = net_get16(t + i + 2);
        if (kind == 3 && t[i + 1] == 3)
            *wscale = t[i + 2] > 14 ? 14 : t[i + 2];
        i += t[i + 1];
    }
    if (mss > our_mss())
        mss = our_mss();
    return mss < 64 ? 64 : mss;
}

/* Take the peer's SYN options. */
static void syn_opts(const uint8_t *t, size_t hl)
{
    int ws;

    tcp.mss = parse_opts(t, hl, &ws);
    tcp.snd_shift = ws < 0 ? 0 : (uint8_t)ws; /* we always offer ours */
}

/* An ACK from the peer: move snd_una, the window, count duplicates. */
static void take_ack(const uint8_t *t, size_t datalen)
{
    uint32_t ack = net_get32(t + 8);
    uint32_t wnd = (uint32_t)net_get16(t + 14) << tcp.snd_shift;

    if (seq_lt(tcp.snd_una, ack) && seq_leq(ack, tcp.snd_max)) {
        tcp.snd_una = ack;
        if (seq_lt(tcp.snd_nxt, ack))
            tcp.snd_nxt = ack;
        tcp.dupacks = 0;
        tcp.progress = pvfront_time_ns();
    } else if (ack == tcp.snd_una && datalen == 0 && tcp.snd_una != tcp.snd_max &&
               wnd == tcp.snd_wnd) {
        tcp.st.dup_acks++;
        if (++tcp.dupacks == 3) {
            /* Fast retransmit, go-back-N style. */
            tcp.snd_nxt = tcp.snd_una;
            tcp.st.retransmits++;
            tcp.progress = pvfront_time_ns();
        }
    }
    tcp.snd_wnd = wnd;
}

void net_tcp_input(uint32_t src, const uint8_t *t, size_t len)
{
    size_t hl = (size_t)(t[12] >> 4) * 4;
    uint16_t sport = net_get16(t), dport = net_get16(t + 2);
    uint8_t flags = t[13];
    uint32_t seq = net_get32(t + 4);

    if (hl < NET_TCP_HLEN || hl > len)
        return;
    tcp.st.segs_in++;
    size_t datalen = len - hl;
    int ours = tcp.state != CLOSED && tcp.state != LISTEN && src == tcp.rip &&
               sport == tcp.rport && dport == tcp.lport;

    if (!ours) {
        if (tcp.state == LISTEN && dport == tcp.listen_port && (flags & (SYN | ACK | RST)) == SYN) {
            tcp.rip = src;
            tcp.rport = sport;
            tcp.lport = dport;
            tcp.irs = seq;
            tcp.rcv_nxt = seq + 1;
            syn_opts(t, hl);
            tcp.iss = (uint32_t)pvfront_rdtsc();
            tcp.snd_una = tcp.iss;
            tcp.snd_nxt = tcp.snd_max = tcp.iss + 1;
            tcp.snd_wnd = net_get16(t + 14);
            tcp.state = SYN_RCVD;
            send_ctl(SYN | ACK, tcp.iss);
            return;
        }
        send_rst(src, t, len, hl);
        return;
    }
    if (flags & RST) {
        tcp.reset = 1;
        tcp.state = CLOSED;
        return;
    }
    switch (tcp.state) {
    case SYN_SENT:
        if ((flags & (SYN | ACK)) == (SYN | ACK) && net_get32(t + 8) == tcp.iss + 1) {
            tcp.irs = seq;
            tcp.rcv_nxt = seq + 1;
            syn_opts(t, hl);
            tcp.snd_una = tcp.iss + 1;
            tcp.snd_wnd = net_get16(t + 14); /* a SYN's window is never scaled */
            tcp.state = ESTABLISHED;
            tcp.progress = pvfront_time_ns();
            send_ack();
        }
        return;
    case SYN_RCVD:
        if ((flags & SYN) && seq == tcp.irs) {
            send_ctl(SYN | ACK, tcp.iss); /* our SYN-ACK was lost */
            return;
        }
        if (!(flags & ACK) || net_get32(t + 8) != tcp.iss + 1)
            return;
        tcp.snd_una = tcp.iss + 1;
        tcp.state = ESTABLISHED;
        tcp.progress = pvfront_time_ns();
        break;
    default:
        break;
    }
    if (flags & SYN) {
        /* A retransmitted SYN-ACK (our ACK was lost): acknowledge again. */
        send_ack();
        return;
    }
    if (flags & ACK)
        take_ack(t, datalen);
    if (tcp.state == FIN_WAIT || tcp.state == LAST_ACK) {
        if (tcp.fin_sent && seq_lt(tcp.fin_seq, tcp.snd_una) && tcp.state == LAST_ACK)
            tcp.state = DONE;
    }
    /* Data and FIN, in order only. */
    if (datalen || (flags & FIN)) {
        if (seq != tcp.rcv_nxt) {
            /* Out of order or a duplicate: say where we are. */
            tcp.st.out_of_order++;
            send_ack();
            return;
        }
        /* The stream is expected to follow the o mod 256 pattern (tcp-send's and the tests'). */
        for (size_t i = 0; i < datalen; i++)
            if (t[hl + i] != (uint8_t)(tcp.received + i))
                tcp.st.bad_bytes++;
        tcp.rcv_nxt += (uint32_t)datalen;
        tcp.received += datalen;
        if (flags & FIN) {
            tcp.rcv_nxt++;
            tcp.peer_fin = 1;
            if (tcp.state == ESTABLISHED)
                tcp.state = CLOSE_WAIT;
            else if (tcp.state == FIN_WAIT)
                tcp.state = DONE;
            send_ack();
            return;
        }
        if (++tcp.unacked >= ACK_EVERY)
            send_ack();
    }
}

void net_tcp_after_batch(void)
{
    if (tcp.unacked && tcp.state != CLOSED && tcp.state != LISTEN)
        send_ack();
}

void net_tcp_listen(uint16_t port)
{
    memset(&tcp, 0, sizeof tcp);
    tcp.listen_port = port;
    tcp.state = port ? LISTEN : CLOSED;
}

int net_tcp_accept(uint64_t timeout_ns)
{
    uint64_t end = pvfront_time_ns() + timeout_ns;

    while (tcp.state == LISTEN || tcp.state == SYN_RCVD) {
        uint64_t now = pvfront_time_ns();
        if (now >= end)
            return -XEN_ETIMEDOUT;
        int r = net_poll(end - now);
        if (r < 0)
            return r;
    }
    return tcp.state == CLOSED ? -XEN_ECONNREFUSED : 0;
}

int net_tcp_connect(uint32_t dst, uint16_t port, uint64_t timeout_ns)
{
    uint8_t mac[6];
    uint64_t start = pvfront_time_ns(), end = start + timeout_ns;
    int r = net_resolve(dst, mac, timeout_ns);

    if (r < 0)
        return r;
    memset(&tcp, 0, sizeof tcp);
    tcp.rip = dst;
    tcp.rport = port;
    tcp.lport = (uint16_t)(49152 + pvfront_rdtsc() % 16384);
    tcp.iss = (uint32_t)pvfront_rdtsc();
    tcp.snd_una = tcp.iss;
    tcp.snd_nxt = tcp.snd_max = tcp.iss + 1;
    tcp.state = SYN_SENT;
    while (tcp.state == SYN_SENT) {
        uint64_t now = pvfront_time_ns();
        if (now >= end)
            return -XEN_ETIMEDOUT;
        send_ctl(SYN, tcp.iss);
        uint64_t until = now + SYN_RETRY_NS < end ? now + SYN_RETRY_NS : end;
        while (tcp.state == SYN_SENT && pvfront_time_ns() < until)
            if ((r = net_poll(until - pvfront_time_ns())) < 0)
                return r;
    }
    return tcp.reset || tcp.state != ESTABLISHED ? -XEN_ECONNREFUSED : 0;
}

/* Send what the window allows from snd_nxt. */
static void push_data(void)
{
    uint32_t base = tcp.iss + 1;
    uint32_t wnd = tcp.snd_wnd < NET_TCP_SND_MAX ? tcp.snd_wnd : NET_TCP_SND_MAX;

    for (;;) {
        uint32_t inflight = tcp.snd_nxt - tcp.snd_una;
        if (inflight >= wnd)
            break;
        uint32_t len = wnd - inflight;
        if (len > tcp.mss)
            len = tcp.mss;
        /* No silly small segments while data is in flight. */
        if (len < tcp.mss && inflight)
            break;
        if (seg_out(tcp.rip, tcp.lport, tcp.rport, tcp.snd_nxt, tcp.rcv_nxt, ACK | PSH, len,
                    tcp.snd_nxt - base) < 0)
            break;
        tcp.unacked = 0;
        tcp.snd_nxt += len;
        if (seq_lt(tcp.snd_max, tcp.snd_nxt))
            tcp.snd_max = tcp.snd_nxt;
    }
}

/* No progress for the RTO: go back to the first unacknowledged byte. */
static void check_rto(void)
{
    uint64_t now = pvfront_time_ns();

    if (tcp.snd_una != tcp.snd_max && now - tcp.progress > NET_TCP_RTO_MS * MS) {
        tcp.snd_nxt = tcp.snd_una;
        tcp.st.retransmits++;
        tcp.progress = now;
        if (tcp.snd_wnd == 0)
            tcp.snd_wnd = 1; /* a window probe */
    }
}

int64_t net_tcp_send_until(uint64_t deadline)
{
    uint32_t base = tcp.iss + 1;

    if (tcp.state != ESTABLISHED && tcp.state != CLOSE_WAIT)
        return -XEN_ENOTCONN;
    tcp.progress = pvfront_time_ns();
    while (pvfront_time_ns() < deadline) {
        if (tcp.reset || tcp.state == CLOSED)
            return -XEN_ECONNREFUSED;
        push_data();
        int r = net_poll(tcp.snd_nxt - tcp.snd_una >= tcp.snd_wnd ? MS : 0);
        if (r < 0)
            return r;
        check_rto();
    }
    /* Let what is in flight be acknowledged (up to 2 s). */
    uint64_t end = pvfront_time_ns() + 2000 * MS;
    tcp.snd_max = tcp.snd_nxt;
    while (tcp.snd_una != tcp.snd_max && pvfront_time_ns() < end && !tcp.reset) {
        if (seq_lt(tcp.snd_nxt, tcp.snd_max))
            push_data();
        int r = net_poll(MS);
        if (r < 0)
            return r;
        check_rto();
    }
    return (int64_t)(uint32_t)(tcp.snd_una - base);
}

uint64_t net_tcp_received(void)
{
    return tcp.received;
}

int net_tcp_peer_closed(void)
{
    return tcp.peer_fin || tcp.reset;
}

int net_tcp_close(uint64_t timeout_ns)
{
    uint64_t end = pvfront_time_ns() + timeout_ns;

    if (tcp.state == ESTABLISHED || tcp.state == CLOSE_WAIT) {
        tcp.fin_seq = tcp.snd_max;
        tcp.snd_nxt = tcp.snd_max;
        tcp.fin_sent = 1;
        tcp.state = tcp.state == ESTABLISHED ? FIN_WAIT : LAST_ACK;
        send_ctl(FIN | ACK, tcp.fin_seq);
        tcp.snd_nxt = tcp.snd_max = tcp.fin_seq + 1;
        uint64_t resend = pvfront_time_ns() + NET_TCP_RTO_MS * MS;
        while (tcp.state != DONE && tcp.state != CLOSED && pvfront_time_ns() < end) {
            if (tcp.state == FIN_WAIT && tcp.peer_fin && seq_lt(tcp.fin_seq, tcp.snd_una))
                break;
            if (tcp.state == LAST_ACK && seq_lt(tcp.fin_seq, tcp.snd_una))
                break;
            if (pvfront_time_ns() >= resend && seq_leq(tcp.snd_una, tcp.fin_seq)) {
                send_ctl(FIN | ACK, tcp.fin_seq);
                resend = pvfront_time_ns() + NET_TCP_RTO_MS * MS;
            }
            int r = net_poll(10 * MS);
            if (r < 0)
                return r;
        }
    }
    int ok = tcp.state == DONE || seq_lt(tcp.fin_seq, tcp.snd_una);
    tcp.state = CLOSED;
    return ok ? 0 : -XEN_ETIMEDOUT;
}

const struct net_tcp_stats *net_tcp_stats(void)
{
    return &tcp.st;
}
