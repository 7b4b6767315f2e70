/* test_netback.c: pvnetback, the network backend daemon.
 *
 * netback_req: the tx packet decoder (txreq.c) and the header and
 * checksum code (frame.c) on their own.
 *
 * netback: every test runs in a network namespace of its own (unshare in
 * the test's process: pvhv, pvxenstored, pvnetback and every TAP, bridge
 * and address live and die in it; the host's interfaces, routes and
 * firewall are never touched). A private pvhv, pvxenstored and pvnetback
 * on one run directory; this process plays the toolstack (the records
 * pvctl writes for a vif) and, until the reference guest has its network
 * commands, the netfront too: a `kickbench` guest grants 64 pages and
 * leaves a port unbound for dom0; the test maps those pages, lays the tx
 * and rx rings and the data pages of one or two vifs in them, and
 * publishes them in the frontend directory as netfront would. Such a
 * frontend cannot raise the guest's event channel, so pvnetback runs with
 * --poll-ms 2, and both rings' rsp_event are out of reach so the guest is
 * never woken. A small IPv4 stack in a thread (ARP, ICMP echo, UDP) lets
 * the host ping such a played guest over a real bridge, two of them ping
 * each other, and one behind NAT reach a UDP echo server in a second
 * namespace.
 *
 * netback_guest: the same with the reference guest's netfront (cmd=net),
 * skipped while refguest.elf has no network commands.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvhv/grant_table.h>
#include <pvhv/hvm/params.h>
#include <pvhv/io/netif.h>
#include <pvhv/io/xenbus.h>
#include <xenstore.h>

#include "frame.h"
#include "harness.h"
#include "hostnet.h"
#include "txreq.h"

/* ======================================================================
 * Packets (shared by every suite)
 * ====================================================================== */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Ones' complement sum, folded (not complemented). */
static uint16_t osum(const uint8_t *p, size_t n, uint32_t s)
{
    return frame_csum_add(p, n, s);
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return a << 24 | b << 16 | c << 8 | d;
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, type);
    return 14;
}

/* An ARP packet (op 1 request, 2 reply). */
static size_t arp(uint8_t *f, const uint8_t *dst, uint16_t op, const uint8_t *smac,
                  uint32_t sip, const uint8_t *tmac, uint32_t tip)
{
    static const uint8_t zero[6];
    size_t n = eth(f, dst, smac, 0x0806);
    put16(f + n, 1);
    put16(f + n + 2, 0x0800);
    f[n + 4] = 6;
    f[n + 5] = 4;
    put16(f + n + 6, op);
    memcpy(f + n + 8, smac, 6);
    put32(f + n + 14, sip);
    memcpy(f + n + 18, tmac ? tmac : zero, 6);
    put32(f + n + 24, tip);
    return n + 28;
}

/* An IPv4 packet around `plen` bytes of payload already at f + 34. */
static size_t ipv4(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t sip,
                   uint32_t dip, uint8_t proto, size_t plen)
{
    static uint16_t ident = 1;
    eth(f, dst, src, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + plen));
    put16(ip + 4, ident++);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, sip);
    put32(ip + 16, dip);
    put16(ip + 10, (uint16_t)~osum(ip, 20, 0));
    return 34 + plen;
}

static uint16_t pseudo4(const uint8_t *ip, uint8_t proto, uint32_t l4len)
{
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint16_t)l4len);
    return osum(ph, 12, 0);
}

/* The TCP/UDP checksum of an IPv4 frame, checked: true if it sums right. */
static bool l4_csum_ok(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14;
    unsigned ihl = (ip[0] & 15) * 4u;
    uint32_t l4len = get16(ip + 2) - ihl;
    if (len < 14 + ihl + l4len)
        return false;
    uint16_t s = osum(ip + ihl, l4len, pseudo4(ip, ip[9], l4len));
    return s == 0xffff;
}

/* ICMP echo (type 8) or reply (0). */
static size_t icmp_echo(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t sip,
                        uint32_t dip, uint8_t type, uint16_t id, uint16_t seq,
                        const uint8_t *data, size_t dlen)
{
    uint8_t *ic = f + 34;
    ic[0] = type;
    ic[1] = 0;
    put16(ic + 2, 0);
    put16(ic + 4, id);
    put16(ic + 6, seq);
    memcpy(ic + 8, data, dlen);
    put16(ic + 2, (uint16_t)~osum(ic, 8 + dlen, 0));
    return ipv4(f, dst, src, sip, dip, 1, 8 + dlen);
}

/* UDP; `blank`: the checksum field holds the pseudo-header sum only (a
 * packet whose checksum the receiver completes). */
static size_t udp(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t sip,
                  uint16_t sport, uint32_t dip, uint16_t dport, const void *data, size_t dlen,
                  bool blank)
{
    uint8_t *u = f + 34;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + dlen));
    put16(u + 6, 0);
    memcpy(u + 8, data, dlen);
    size_t n = ipv4(f, dst, src, sip, dip, 17, 8 + dlen);
    uint16_t ps = pseudo4(f + 14, 17, (uint32_t)(8 + dlen));
    if (blank) {
        put16(u + 6, ps);
    } else {
        uint16_t c = (uint16_t)~osum(u, 8 + dlen, ps);
        put16(u + 6, c ? c : 0xffff);
    }
    return n;
}

/* ======================================================================
 * The decoder and the header code
 * ====================================================================== */

TestSuite(netback_req);

/* A fake ring: slots in an array. */
static netif_tx_request_t fake[64];

static void fake_get(void *ctx, RING_IDX idx, netif_tx_request_t *out)
{
    (void)ctx;
    *out = fake[idx % 64];
}

static const struct txreq_limits lim1500 = { .mtu = 1500, .gso4 = true, .gso6 = true };

static netif_tx_request_t txr(uint32_t gref, uint16_t off, uint16_t flags, uint16_t id,
                              uint16_t size)
{
    return (netif_tx_request_t){ .gref = gref, .offset = off, .flags = flags, .id = id,
                                 .size = size };
}

Test(netback_req, single_and_chained_packets)
{
    struct txpkt p;

    fake[0] = txr(10, 0, 0, 1, 60);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 1, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, 0);
    cr_expect_eq(p.nslots, 1);
    cr_expect_eq(p.len, 60);
    cr_expect_eq(p.frag[0].size, 60);

    /* 3000 bytes over three slots: 1000 + 1500 + 500. */
    fake[5] = txr(11, 96, NETTXF_more_data | NETTXF_csum_blank, 7, 3000);
    fake[6] = txr(12, 0, NETTXF_more_data, 8, 1500);
    fake[7] = txr(13, 0, 0, 9, 500);
    cr_assert_eq(txreq_parse(fake_get, NULL, 5, 3, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EMSGSIZE, "3000 bytes without GSO on a 1500 MTU");
    struct txreq_limits big = lim1500;
    big.mtu = 9000;
    cr_assert_eq(txreq_parse(fake_get, NULL, 5, 3, &big, &p), TXREQ_OK);
    cr_expect_eq(p.err, 0);
    cr_expect_eq(p.nslots, 3);
    cr_expect_eq(p.nfrags, 3);
    cr_expect_eq(p.frag[0].size, 1000, "the first slot carries the rest");
    cr_expect_eq(p.frag[2].id, 9);
    cr_expect(p.flags & NETTXF_csum_blank);
    /* Not all published yet. */
    cr_expect_eq(txreq_parse(fake_get, NULL, 5, 2, &big, &p), TXREQ_PARTIAL);
    cr_expect_eq(txreq_parse(fake_get, NULL, 5, 0, &big, &p), TXREQ_PARTIAL);
}

Test(netback_req, extras)
{
    struct txpkt p;
    netif_extra_info_t x;

    fake[0] = txr(10, 0, NETTXF_extra_info | NETTXF_more_data | NETTXF_csum_blank, 1, 8192);
    memset(&x, 0, sizeof(x));
    x.type = XEN_NETIF_EXTRA_TYPE_GSO;
    x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
    x.u.gso.size = 1448;
    memset(&fake[1], 0, sizeof(fake[1]));
    memcpy(&fake[1], &x, sizeof(x));
    fake[2] = txr(11, 0, NETTXF_more_data, 2, 4096);
    fake[3] = txr(12, 0, 0, 3, 4096 - 1000);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 4, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, 0, "a GSO packet may exceed the MTU: %s", p.why ? p.why : "");
    cr_expect_eq(p.nslots, 4);
    cr_expect_eq(p.nextras, 1);
    cr_expect(p.gso);
    cr_expect_eq(p.gso_size, 1448);
    cr_expect_eq(p.frag[0].size, 1000);
    struct txreq_limits nogso = lim1500;
    nogso.gso4 = false;
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 4, &nogso, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EOPNOTSUPP);
    x.u.gso.size = 0;
    memcpy(&fake[1], &x, sizeof(x));
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 4, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EOPNOTSUPP, "GSO size 0");
    /* An extra of no known type breaks the ring. */
    x.type = 9;
    memcpy(&fake[1], &x, sizeof(x));
    cr_expect_eq(txreq_parse(fake_get, NULL, 0, 4, &lim1500, &p), TXREQ_BROKEN);
    x.type = XEN_NETIF_EXTRA_TYPE_NONE;
    memcpy(&fake[1], &x, sizeof(x));
    cr_expect_eq(txreq_parse(fake_get, NULL, 0, 4, &lim1500, &p), TXREQ_BROKEN);
    /* A multicast request: answered, not sent. */
    x.type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
    memcpy(&fake[1], &x, sizeof(x));
    fake[0] = txr(10, 0, NETTXF_extra_info, 1, 60);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 2, &lim1500, &p), TXREQ_OK);
    cr_expect(p.mcast);
    cr_expect_eq(p.nslots, 2);
    /* Endless extras. */
    x.type = XEN_NETIF_EXTRA_TYPE_HASH;
    x.flags = XEN_NETIF_EXTRA_FLAG_MORE;
    for (int i = 1; i < 20; i++) {
        memset(&fake[i], 0, sizeof(fake[i]));
        memcpy(&fake[i], &x, sizeof(x));
    }
    cr_expect_eq(txreq_parse(fake_get, NULL, 0, 20, &lim1500, &p), TXREQ_BROKEN);
    cr_expect_eq(txreq_parse(fake_get, NULL, 0, 5, &lim1500, &p), TXREQ_PARTIAL);
}

Test(netback_req, malformed_packets)
{
    struct txpkt p;

    fake[0] = txr(10, 0, 0, 1, 13);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 1, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EINVAL, "shorter than an Ethernet header");
    fake[0] = txr(10, 4000, 0, 1, 200);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 1, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EINVAL, "crosses its page");
    fake[0] = txr(10, 0, NETTXF_more_data, 1, 100);
    fake[1] = txr(11, 0, 0, 2, 200);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 2, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EINVAL, "fragments larger than the packet");
    cr_expect_eq(p.nslots, 2, "the slots are still all taken");
    fake[0] = txr(10, 0, 0, 1, 1518);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 1, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, 0, "1500 + Ethernet + VLAN");
    fake[0] = txr(10, 0, 0, 1, 1519);
    cr_assert_eq(txreq_parse(fake_get, NULL, 0, 1, &lim1500, &p), TXREQ_OK);
    cr_expect_eq(p.err, -EMSGSIZE);
    /* 18 data slots pass, 19 to 21 are refused, 22 break the ring. */
    struct txreq_limits big = lim1500;
    big.mtu = 60000;
    for (unsigned n = 18; n <= 22; n++) {
        for (unsigned i = 0; i < n; i++)
            fake[i] = txr(20 + i, 0, i + 1 < n ? NETTXF_more_data : 0, (uint16_t)i,
                          i == 0 ? (uint16_t)(n * 100) : 100);
        enum txreq_result r = txreq_parse(fake_get, NULL, 0, n, &big, &p);
        if (n == 18)
            cr_expect(r == TXREQ_OK && p.err == 0, "18 slots: %d %d", r, p.err);
        else if (n <= 21)
            cr_expect(r == TXREQ_OK && p.err == -E2BIG && p.nslots == n, "%u slots: %d %d", n,
                      r, p.err);
        else
            cr_expect_eq(r, TXREQ_BROKEN, "%u slots", n);
    }
}

Test(netback_req, headers_and_checksums)
{
    uint8_t f[2048];
    const uint8_t a[6] = { 2, 0, 0, 0, 0, 1 }, b[6] = { 2, 0, 0, 0, 0, 2 };
    struct frame_l4 l4;

    size_t n = udp(f, a, b, ip4(10, 0, 0, 1), 1000, ip4(10, 0, 0, 2), 2000, "hello", 5, false);
    cr_assert(l4_csum_ok(f, n));
    cr_assert_eq(frame_find_l4(f, n, false, &l4), 0);
    cr_expect_eq(l4.l4off, 34);
    cr_expect_eq(l4.csum_off, 6);
    cr_expect_eq(l4.proto, 17);
    cr_expect_eq(l4.l4len, 13);
    /* Blank it, put the pseudo sum, complete: the same checksum. */
    uint16_t good = get16(f + 40);
    put16(f + 40, 0);
    frame_put_pseudo(f, &l4);
    cr_expect(!l4_csum_ok(f, n) || good == 0xffff);
    cr_assert_eq(frame_csum_complete(f, n, 34, 6), 0);
    cr_expect_eq(get16(f + 40), good);
    /* Ethernet padding after the IP packet is not summed (IP's length). */
    memset(f + n, 0xab, 20);
    cr_assert_eq(frame_find_l4(f, n + 20, false, &l4), 0);
    cr_expect_eq(l4.l4len, 13);
    /* Not TCP/UDP, fragments, short headers. */
    n = icmp_echo(f, a, b, 1, 2, 8, 1, 1, (const uint8_t *)"x", 1);
    cr_expect_eq(frame_find_l4(f, n, false, &l4), -EPROTONOSUPPORT);
    n = udp(f, a, b, 1, 1, 2, 2, "x", 1, false);
    put16(f + 20, 0x2000); /* MF */
    cr_expect_eq(frame_find_l4(f, n, false, &l4), -EPROTONOSUPPORT);
    n = udp(f, a, b, 1, 1, 2, 2, "x", 1, false);
    cr_expect_eq(frame_find_l4(f, 38, false, &l4), -EINVAL);
    put16(f + 16, 4000); /* IP says more than there is */
    cr_expect_eq(frame_find_l4(f, n, false, &l4), -EINVAL);
    cr_expect_eq(frame_csum_complete(f, n, (unsigned)n - 1, 6), -EINVAL);
    /* A VLAN tag and IPv6 with a hop-by-hop header before TCP. */
    memset(f, 0, sizeof(f));
    eth(f, a, b, 0x8100);
    put16(f + 14, 5);
    put16(f + 16, 0x86dd);
    uint8_t *ip6 = f + 18;
    ip6[0] = 0x60;
    put16(ip6 + 4, 8 + 20 + 10);
    ip6[6] = 0; /* hop-by-hop */
    ip6[7] = 64;
    ip6[40] = 6; /* then TCP */
    ip6[41] = 0; /* 8 bytes */
    uint8_t *tcp = ip6 + 48;
    tcp[12] = 5 << 4;
    cr_assert_eq(frame_find_l4(f, 18 + 40 + 8 + 20 + 10, false, &l4), 0);
    cr_expect(l4.v6);
    cr_expect_eq(l4.l3off, 18);
    cr_expect_eq(l4.l4off, 18 + 48);
    cr_expect_eq(l4.csum_off, 16);
    cr_expect_eq(l4.l4hlen, 20);
    cr_expect_eq(l4.l4len, 30);
}

/* ======================================================================
 * The daemon, in a network namespace of the test's own
 * ====================================================================== */

static struct host host;
static pid_t xsd_pid, nb_pid;
static struct xs_handle *xs;
static char nb_logpath[128];
static char con[65536];

/* Fail clearly without a TAP device (as need_kvm does without KVM). */
static void need_tun(void)
{
    if (access("/dev/net/tun", R_OK | W_OK) == 0)
        return;
    if ((getenv("PV_ALLOW_NO_KVM") && !strcmp(getenv("PV_ALLOW_NO_KVM"), "1")) ||
        (getenv("PV_ALLOW_NO_TUN") && !strcmp(getenv("PV_ALLOW_NO_TUN"), "1")))
        cr_skip_test("no usable /dev/net/tun (PV_ALLOW_NO_TUN=1)");
    cr_assert_fail("pvnetback's tests need /dev/net/tun (%s): load the tun module, or set "
                   "PV_ALLOW_NO_TUN=1 to skip them", strerror(errno));
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* This test's process (and everything it starts) gets a network
 * namespace of its own, with only lo, up. */
static void own_netns(void)
{
    cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s (the tests run as root)",
                 strerror(errno));
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(s, 0);
    cr_assert_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
    ifr.ifr_flags |= IFF_UP;
    cr_assert_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
    close(s);
}

/* The tail of pvnetback's log (its stderr), for failure messages. */
static const char *nb_log(void)
{
    return file_tail(nb_logpath);
}

static bool nb_log_has(const char *text)
{
    return strstr(nb_log(), text) != NULL;
}

static bool wait_log(const char *text, int ms)
{
    double end = now_ms() + ms;
    do {
        if (nb_log_has(text))
            return true;
        usleep(5000);
    } while (now_ms() < end);
    return false;
}

/* Start pvnetback on `rundir` (log: rundir/pvnetback.log), looking at its
 * rings every `poll_ms` (0: its default); wait for its pid file. */
static pid_t netback_spawn(const char *rundir, int poll_ms)
{
    char pidfile[128], poll[16];
    pid_t pid;

    snprintf(nb_logpath, sizeof(nb_logpath), "%s/pvnetback.log", rundir);
    snprintf(pidfile, sizeof(pidfile), "%s/pvnetback.pid", rundir);
    snprintf(poll, sizeof(poll), "%d", poll_ms);
    const char *argv[8] = { "pvnetback", "--rundir", rundir };
    int argc = 3;
    if (poll_ms > 0) {
        argv[argc++] = "--poll-ms";
        argv[argc++] = poll;
    }
    if (getenv("PVHV_TEST_VERBOSE"))
        argv[argc++] = "--debug";
    pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(nb_logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(build_path("bin/pvnetback"), (char **)argv);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        char buf[32] = "";
        FILE *f = fopen(pidfile, "re");
        if (f) {
            bool ok = fgets(buf, sizeof(buf), f) && atol(buf) == pid;
            fclose(f);
            if (ok)
                return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            cr_assert_fail("pvnetback (%s) exited at start; log:\n%s",
                           build_path("bin/pvnetback"), nb_log());
        usleep(5000);
    }
    cr_assert_fail("pvnetback wrote no pid file; log:\n%s", nb_log());
    return -1;
}

/* SIGTERM, then SIGKILL after 15 s; the exit code, or 128 + signal. */
static int stop_pid(pid_t pid)
{
    int st = 0;

    if (pid <= 0)
        return 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 1500; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 128 + SIGKILL;
}

static void stack_stop(void);

static void setup_common(int poll_ms)
{
    need_kvm();
    need_tun();
    own_netns();
    host_start(&host);
    xsd_pid = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    nb_pid = netback_spawn(host.rundir, poll_ms);
    xs = xs_open(0);
    cr_assert_not_null(xs, "xs_open: %s", strerror(errno));
}

static void setup(void)
{
    setup_common(2);
}

static void teardown(void)
{
    stack_stop();
    if (xs)
        xs_close(xs);
    xs = NULL;
    if (nb_pid > 0) {
        int st = stop_pid(nb_pid);
        nb_pid = 0;
        cr_expect_eq(st, 0, "pvnetback must exit cleanly on SIGTERM (under ASan: no leaks); "
                     "status %d; log:\n%s", st, nb_log());
    }
    if (getenv("PVHV_TEST_VERBOSE"))
        fprintf(stderr, "pvnetback's log:\n%s", nb_log());
    if (xsd_pid > 0)
        cr_expect_eq(stop_pid(xsd_pid), 0, "pvxenstored must exit cleanly");
    xsd_pid = 0;
    if (host.pvhv > 0 || host.ctl)
        cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
    /* The namespace, its TAPs, bridges and tables go with this process. */
}

TestSuite(netback, .init = setup, .fini = teardown, .timeout = 90);

/* ---------------------------------------------------------------------
 * The toolstack's part: the records pvctl writes for one vif
 * --------------------------------------------------------------------- */

struct vifrec {
    uint32_t domid, devid;
    char F[96], B[96];
    char mac[18];
};

static void txw(xs_transaction_t t, const char *dir, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void txw(xs_transaction_t t, const char *dir, const char *key, const char *fmt, ...)
{
    char path[192], val[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    cr_assert(xs_write(xs, t, path, val, (unsigned)strlen(val)), "write %s: %s", path,
              strerror(errno));
}

/* Options of a vif as xl.cfg's vif= gives them (NULL / 0: not given). */
struct vifopt {
    const char *bridge, *vifname, *ip, *mac;
    unsigned mtu;
};

/* Write F and B of vif `devid` of `domid` exactly as pvctl (libxl's
 * layout) does, in one transaction. */
static void toolstack_vif(struct vifrec *r, uint32_t domid, uint32_t devid,
                          const struct vifopt *o)
{
    r->domid = domid;
    r->devid = devid;
    snprintf(r->F, sizeof(r->F), "/local/domain/%u/device/vif/%u", domid, devid);
    snprintf(r->B, sizeof(r->B), "/local/domain/0/backend/vif/%u/%u", domid, devid);
    snprintf(r->mac, sizeof(r->mac), "00:16:3e:%02x:%02x:%02x", domid & 0x7f, devid & 0xff,
             0x5a);
    if (o && o->mac)
        snprintf(r->mac, sizeof(r->mac), "%s", o->mac);
    for (int tries = 0; tries < 10; tries++) {
        xs_transaction_t t = xs_transaction_start(xs);
        cr_assert_neq(t, XBT_NULL, "transaction: %s", strerror(errno));
        struct xs_permissions fperm[] = { { .id = domid, .perms = XS_PERM_NONE },
                                          { .id = 0, .perms = XS_PERM_READ } };
        struct xs_permissions bperm[] = { { .id = 0, .perms = XS_PERM_NONE },
                                          { .id = domid, .perms = XS_PERM_READ } };
        cr_assert(xs_mkdir(xs, t, r->F) && xs_set_permissions(xs, t, r->F, fperm, 2));
        txw(t, r->F, "backend", "%s", r->B);
        txw(t, r->F, "backend-id", "0");
        txw(t, r->F, "state", "1");
        txw(t, r->F, "handle", "%u", devid);
        txw(t, r->F, "mac", "%s", r->mac);
        cr_assert(xs_mkdir(xs, t, r->B) && xs_set_permissions(xs, t, r->B, bperm, 2));
        txw(t, r->B, "frontend", "%s", r->F);
        txw(t, r->B, "frontend-id", "%u", domid);
        txw(t, r->B, "online", "1");
        txw(t, r->B, "state", "1");
        txw(t, r->B, "script", "vif-bridge");
        txw(t, r->B, "mac", "%s", r->mac);
        txw(t, r->B, "bridge", "%s", o && o->bridge ? o->bridge : "");
        txw(t, r->B, "handle", "%u", devid);
        txw(t, r->B, "type", "vif");
        txw(t, r->B, "mtu", "%u", o && o->mtu ? o->mtu : 1500);
        if (o && o->ip)
            txw(t, r->B, "ip", "%s", o->ip);
        if (o && o->vifname)
            txw(t, r->B, "vifname", "%s", o->vifname);
        if (xs_transaction_end(xs, t, false))
            return;
        cr_assert_eq(errno, EAGAIN, "commit: %s", strerror(errno));
    }
    cr_assert_fail("the vif's transaction kept conflicting");
}

/* `pvctl destroy`: both directories go. */
static void toolstack_remove(struct vifrec *r)
{
    xs_rm(xs, XBT_NULL, r->F);
    xs_rm(xs, XBT_NULL, r->B);
}

/* dir/key as dom0 reads it ("<ENOENT>" etc. if it cannot). */
static const char *rd(const char *dir, const char *key)
{
    static char out[8][512];
    static int next;
    char *o = out[next++ % 8], path[192];
    unsigned len = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    char *v = xs_read(xs, XBT_NULL, path, &len);
    if (!v)
        snprintf(o, 512, "<%s>", strerror(errno));
    else
        snprintf(o, 512, "%.*s", (int)len, v);
    free(v);
    return o;
}

static void wr(const char *dir, const char *key, const char *val)
{
    char path[192];
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    cr_assert(xs_write(xs, XBT_NULL, path, val, (unsigned)strlen(val)), "write %s", path);
}

static bool wait_node(const char *dir, const char *key, const char *want, int ms)
{
    double end = now_ms() + ms;

    do {
        if (!strcmp(rd(dir, key), want))
            return true;
        usleep(2000);
    } while (now_ms() < end);
    return false;
}

#define ASSERT_NODE(dir, key, want, ms)                                                     \
    cr_assert(wait_node(dir, key, want, ms), "%s/%s is '%s', not '%s' after %d ms; log:\n%s", \
              dir, key, rd(dir, key), want, ms, nb_log())

/* Does interface `name` exist (in this namespace)? */
static bool if_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

static bool wait_if(const char *name, bool present, int ms)
{
    double end = now_ms() + ms;
    do {
        if (if_exists(name) == present)
            return true;
        usleep(5000);
    } while (now_ms() < end);
    return false;
}

static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(s, 0);
    int r = ioctl(s, req, ifr) < 0 ? -errno : 0;
    close(s);
    return r;
}

static int if_mtu(const char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    return if_ioctl(SIOCGIFMTU, &ifr) < 0 ? -1 : ifr.ifr_mtu;
}

static void if_set_mtu(const char *name, int mtu)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    ifr.ifr_mtu = mtu;
    cr_assert_eq(if_ioctl(SIOCSIFMTU, &ifr), 0, "mtu %d on %s", mtu, name);
}

static unsigned if_flags(const char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    return if_ioctl(SIOCGIFFLAGS, &ifr) < 0 ? 0 : (unsigned)ifr.ifr_flags;
}

/* Wait until the interface's carrier (IFF_RUNNING) is `on`: the kernel
 * reports a carrier loss up to a second late. */
static bool wait_running(const char *name, bool on, int ms)
{
    double end = now_ms() + ms;
    do {
        if (((if_flags(name) & IFF_RUNNING) != 0) == on)
            return true;
        usleep(10000);
    } while (now_ms() < end);
    return false;
}

static void if_mac(const char *name, uint8_t mac[6])
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    cr_assert_eq(if_ioctl(SIOCGIFHWADDR, &ifr), 0);
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
}

/* The bridge `name`'s port `port` is in it (its master's index). */
static bool in_bridge(const char *port, const char *bridge)
{
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "ip -o link show dev %s 2>/dev/null | grep -q 'master %s '",
             port, bridge);
    return system(cmd) == 0;
}

/* ---------------------------------------------------------------------
 * The netfront played from dom0
 * --------------------------------------------------------------------- */

#define KPAGES 64

/* A kickbench guest: 64 pages granted to dom0 (refs ref0..ref0+63, mapped
 * here) and an unbound port; its console port is unbound for dom0 too (no
 * pvconsoled here), which a second port (split channels, or a second vif)
 * uses. */
struct kguest {
    uint32_t domid, port, con_port, ref0;
    struct pvctrl_gnttab *g;
    uint8_t *pages;
};

static void kguest_boot(struct kguest *k, const char *name)
{
    unsigned port = 0, ref0 = 0, pages = 0;
    uint32_t refs[KPAGES];
    uint64_t cport = 0;

    memset(k, 0, sizeof(*k));
    k->domid = boot_refguest(&host, name, "cmd=kickbench n=1 timeout_ms=3600000", 1, 32);
    cr_assert(wait_console(&host, k->domid, "pages=", 15000, con, sizeof(con)),
              "kickbench never granted its pages; console:\n%s", con);
    const char *line = strstr(con, "kickbench: port=");
    cr_assert(line && sscanf(line, "kickbench: port=%u ref=%u pages=%u", &port, &ref0,
                             &pages) == 3 && pages == KPAGES, "console:\n%s", con);
    k->port = port;
    k->ref0 = ref0;
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, k->domid, HVM_PARAM_CONSOLE_EVTCHN, &cport), 0);
    k->con_port = (uint32_t)cport;
    cr_assert_eq(pvctrl_gnttab_open(host.rundir, &k->g), 0);
    for (unsigned i = 0; i < KPAGES; i++)
        refs[i] = ref0 + i;
    k->pages = pvctrl_gnttab_map_grant_refs(k->g, KPAGES, k->domid, refs,
                                            PROT_READ | PROT_WRITE);
    cr_assert_not_null(k->pages, "mapping the guest's pages: %s", strerror(errno));
}

static void kguest_drop(struct kguest *k)
{
    if (k->g)
        pvctrl_gnttab_close(k->g); /* unmaps the pages */
    k->g = NULL;
    k->pages = NULL;
}

/* One vif's frontend on pages [base, base + 32) of a kguest: the tx ring,
 * the rx ring, FE_TXP pages to send from, FE_RXP pages lent for receive. */
#define FE_PAGES 32
#define FE_TXP 14
#define FE_RXP 16

struct fe {
    struct kguest *k;
    struct vifrec r;
    char ifname[IFNAMSIZ];
    unsigned base;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    uint8_t mac[6];
    /* tx */
    unsigned tx_page;         /* next data page, round robin */
    uint16_t tx_id;
    unsigned tx_out;          /* slots sent, not answered */
    int16_t tx_st[256];       /* the latest status of each id (& 255) */
    unsigned tx_ok, tx_err, tx_drop, tx_null;
    /* rx */
    bool rx_posted[FE_RXP];
    uint16_t rx_id_at[256];   /* the id of the request in ring slot i */
    netif_extra_info_t rx_extra; /* the latest frame's GSO extra (type 0: none) */
    uint16_t rx_flags;        /* the latest frame's first flags */
    unsigned rx_slots;        /* the latest frame's slots */
};

static uint8_t *fe_page(struct fe *f, unsigned i)
{
    return f->k->pages + (size_t)(f->base + i) * XEN_PAGE_SIZE;
}

static uint32_t fe_ref(struct fe *f, unsigned i)
{
    return f->k->ref0 + f->base + i;
}

static unsigned txp(unsigned i)
{
    return 2 + i;
}

static unsigned rxp(unsigned i)
{
    return 2 + FE_TXP + i;
}

struct feopt {
    struct vifopt vif;
    bool split;               /* event-channel-tx/-rx (kguest's two ports) */
    bool sg, gso4, no_csum, rx_notify_off;
    const char *rx_copy;      /* request-rx-copy ("1" when NULL) */
    const char *queues;       /* multi-queue-num-queues (none when NULL) */
    int bad_rx_ref;           /* publish a ref not granted as rx-ring-ref */
    bool no_wait;             /* do not wait for Connected */
};

/* Lay the rings out and publish them as netfront does, state 4. */
static void fe_connect(struct fe *f, const struct feopt *o)
{
    netif_tx_sring_t *txs = (netif_tx_sring_t *)fe_page(f, 0);
    netif_rx_sring_t *rxs = (netif_rx_sring_t *)fe_page(f, 1);

    memset(txs, 0, XEN_PAGE_SIZE);
    memset(rxs, 0, XEN_PAGE_SIZE);
    SHARED_RING_INIT(txs);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&f->tx, txs, XEN_PAGE_SIZE);
    FRONT_RING_INIT(&f->rx, rxs, XEN_PAGE_SIZE);
    /* Never notify: the guest is not a frontend. */
    txs->rsp_event = 1u << 31;
    rxs->rsp_event = 1u << 31;
    f->tx_page = 0;
    f->tx_id = 0;
    f->tx_out = 0;
    memset(f->rx_posted, 0, sizeof(f->rx_posted));
    for (int tries = 0;; tries++) {
        cr_assert_lt(tries, 10);
        xs_transaction_t t = xs_transaction_start(xs);
        txw(t, f->r.F, "tx-ring-ref", "%u", fe_ref(f, 0));
        txw(t, f->r.F, "rx-ring-ref", "%u", o && o->bad_rx_ref ? f->k->ref0 + 500 : fe_ref(f, 1));
        if (o && o->split) {
            txw(t, f->r.F, "event-channel-tx", "%u", f->k->port);
            txw(t, f->r.F, "event-channel-rx", "%u", f->k->con_port);
        } else {
            txw(t, f->r.F, "event-channel", "%u",
                f->base == 0 ? f->k->port : f->k->con_port);
        }
        txw(t, f->r.F, "request-rx-copy", "%s", o && o->rx_copy ? o->rx_copy : "1");
        if (!(o && o->rx_notify_off))
            txw(t, f->r.F, "feature-rx-notify", "1");
        txw(t, f->r.F, "feature-sg", "%d", o && o->sg ? 1 : 0);
        txw(t, f->r.F, "feature-gso-tcpv4", "%d", o && o->gso4 ? 1 : 0);
        txw(t, f->r.F, "feature-no-csum-offload", "%d", o && o->no_csum ? 1 : 0);
        if (o && o->queues)
            txw(t, f->r.F, "multi-queue-num-queues", "%s", o->queues);
        txw(t, f->r.F, "state", "4");
        if (xs_transaction_end(xs, t, false))
            break;
    }
    if (!(o && o->no_wait))
        ASSERT_NODE(f->r.B, "state", "4", 10000);
}

/* The toolstack declares vif `devid` of kguest k on pages [base, base +
 * 32); the backend offers it (InitWait); the frontend connects. */
static void fe_attach(struct fe *f, struct kguest *k, unsigned base, uint32_t devid,
                      const struct feopt *o)
{
    memset(f, 0, sizeof(*f));
    f->k = k;
    f->base = base;
    toolstack_vif(&f->r, k->domid, devid, o ? &o->vif : NULL);
    sscanf(f->r.mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f->mac[0], &f->mac[1], &f->mac[2],
           &f->mac[3], &f->mac[4], &f->mac[5]);
    if (o && o->vif.vifname)
        snprintf(f->ifname, sizeof(f->ifname), "%s", o->vif.vifname);
    else
        snprintf(f->ifname, sizeof(f->ifname), "vif%u.%u", k->domid, devid);
    ASSERT_NODE(f->r.B, "state", "2", 10000);
    fe_connect(f, o);
}

/* Collect the tx responses there are. */
static void fe_tx_reap(struct fe *f)
{
    RING_IDX rp = PVHV_RING_READ_IDX(f->tx.sring->rsp_prod);
    xen_rmb();
    while (f->tx.rsp_cons != rp) {
        netif_tx_response_t rsp;
        RING_COPY_RESPONSE(&f->tx, f->tx.rsp_cons, &rsp);
        f->tx.rsp_cons++;
        f->tx_out--;
        switch (rsp.status) {
        case NETIF_RSP_OKAY: f->tx_ok++; f->tx_st[rsp.id & 255] = rsp.status; break;
        case NETIF_RSP_ERROR: f->tx_err++; f->tx_st[rsp.id & 255] = rsp.status; break;
        case NETIF_RSP_DROPPED: f->tx_drop++; f->tx_st[rsp.id & 255] = rsp.status; break;
        case NETIF_RSP_NULL: f->tx_null++; break;
        }
    }
}

/* Wait until every slot sent is answered. */
static bool fe_tx_wait(struct fe *f, int ms)
{
    double end = now_ms() + ms;
    do {
        fe_tx_reap(f);
        if (f->tx_out == 0)
            return true;
        usleep(300);
    } while (now_ms() < end);
    return false;
}

struct txopt {
    unsigned nfrag;           /* 0/1: one slot; else that many, split evenly */
    uint16_t offset;          /* of every fragment in its page */
    uint16_t flags;           /* NETTXF_csum_blank, NETTXF_data_validated */
    uint8_t gso_type;         /* XEN_NETIF_GSO_TYPE_* (0: none) */
    uint16_t gso_size;
    uint32_t bad_gref;        /* put this ref in the last fragment */
    bool unchecked;           /* let a fragment cross its page (hostile) */
};

/* Put one packet in the tx ring (not pushed). Returns the first slot's id. */
static uint16_t fe_tx_put(struct fe *f, const uint8_t *frame, size_t len, const struct txopt *o)
{
    unsigned nfrag = o && o->nfrag > 1 ? o->nfrag : 1;
    uint16_t off = o ? o->offset : 0;
    size_t per = (len + nfrag - 1) / nfrag;
    uint16_t first_id = f->tx_id;
    size_t pos = 0;

    if (!(o && o->unchecked))
        cr_assert_leq(off + per, XEN_PAGE_SIZE, "fragment too big for a page");
    for (unsigned i = 0; i < nfrag; i++) {
        size_t n = i + 1 < nfrag ? per : len - pos;
        unsigned pg = txp(f->tx_page);
        f->tx_page = (f->tx_page + 1) % FE_TXP;
        memcpy(fe_page(f, pg) + off, frame + pos,
               off + n <= XEN_PAGE_SIZE ? n : (size_t)XEN_PAGE_SIZE - off);
        netif_tx_request_t q = {
            .gref = o && o->bad_gref && i + 1 == nfrag ? o->bad_gref : fe_ref(f, pg),
            .offset = off,
            .flags = (uint16_t)(i + 1 < nfrag ? NETTXF_more_data : 0),
            .id = f->tx_id++,
            .size = (uint16_t)(i == 0 ? len : n),
        };
        if (i == 0) {
            q.flags |= o ? o->flags : 0;
            if (o && o->gso_type)
                q.flags |= NETTXF_extra_info;
        }
        *RING_GET_REQUEST(&f->tx, f->tx.req_prod_pvt) = q;
        f->tx.req_prod_pvt++;
        f->tx_out++;
        if (i == 0 && o && o->gso_type) {
            netif_extra_info_t x;
            memset(&x, 0, sizeof(x));
            x.type = XEN_NETIF_EXTRA_TYPE_GSO;
            x.u.gso.type = o->gso_type;
            x.u.gso.size = o->gso_size;
            netif_tx_request_t slot;
            memset(&slot, 0, sizeof(slot));
            memcpy(&slot, &x, sizeof(x));
            *RING_GET_REQUEST(&f->tx, f->tx.req_prod_pvt) = slot;
            f->tx.req_prod_pvt++;
            f->tx_out++;
        }
        pos += n;
    }
    return first_id;
}

static void fe_tx_push(struct fe *f)
{
    RING_PUSH_REQUESTS(&f->tx);
}

/* Send one packet and wait for its answers; returns its first status. */
static int fe_send(struct fe *f, const uint8_t *frame, size_t len, const struct txopt *o)
{
    uint16_t id = fe_tx_put(f, frame, len, o);
    fe_tx_push(f);
    cr_assert(fe_tx_wait(f, 10000), "tx responses missing; log:\n%s", nb_log());
    return f->tx_st[id & 255];
}

/* Lend every rx page not lent yet. */
static void fe_rx_fill(struct fe *f)
{
    for (unsigned i = 0; i < FE_RXP; i++) {
        if (f->rx_posted[i])
            continue;
        netif_rx_request_t q = { .id = (uint16_t)i, .gref = fe_ref(f, rxp(i)) };
        f->rx_id_at[f->rx.req_prod_pvt & 255] = (uint16_t)i;
        *RING_GET_REQUEST(&f->rx, f->rx.req_prod_pvt) = q;
        f->rx.req_prod_pvt++;
        f->rx_posted[i] = true;
    }
    RING_PUSH_REQUESTS(&f->rx);
}

/* One received frame into buf (at most cap bytes): its length, -1 if
 * none came within ms, -2 if its responses said an error, -3 if they
 * broke the protocol (no assertion here: the stack thread calls it). The
 * pages go back on the ring. */
static int fe_recv(struct fe *f, uint8_t *buf, size_t cap, int ms)
{
    double end = now_ms() + ms;
    size_t len = 0;
    bool err = false, more = true, first = true;

    memset(&f->rx_extra, 0, sizeof(f->rx_extra));
    f->rx_slots = 0;
    while (more) {
        RING_IDX rp;
        for (;;) {
            rp = PVHV_RING_READ_IDX(f->rx.sring->rsp_prod);
            xen_rmb();
            if (f->rx.rsp_cons != rp)
                break;
            if (first && now_ms() >= end)
                return -1;
            if (!first && now_ms() >= end + 5000)
                return -3; /* a frame's chain never ended */
            usleep(200);
        }
        netif_rx_response_t rsp;
        RING_COPY_RESPONSE(&f->rx, f->rx.rsp_cons, &rsp);
        uint16_t id_here = f->rx_id_at[f->rx.rsp_cons & 255];
        f->rx.rsp_cons++;
        f->rx_slots++;
        if (rsp.id >= FE_RXP || rsp.id != id_here)
            return -3; /* not the slot of its request */
        f->rx_posted[rsp.id] = false;
        if (first)
            f->rx_flags = rsp.flags;
        if (rsp.status < 0)
            err = true;
        else if (rsp.offset + rsp.status > XEN_PAGE_SIZE)
            return -3;
        else if (!err && len + (size_t)rsp.status <= cap) {
            memcpy(buf + len, fe_page(f, rxp(rsp.id)) + rsp.offset, (size_t)rsp.status);
            len += (size_t)rsp.status;
        }
        more = rsp.flags & NETRXF_more_data;
        if (first && (rsp.flags & NETRXF_extra_info)) {
            /* The extra sits in the next slot, its request's page unused. */
            for (;;) {
                rp = PVHV_RING_READ_IDX(f->rx.sring->rsp_prod);
                xen_rmb();
                if (f->rx.rsp_cons != rp)
                    break;
                if (now_ms() >= end + 5000)
                    return -3;
                usleep(200);
            }
            uint16_t xid = f->rx_id_at[f->rx.rsp_cons & 255];
            memcpy(&f->rx_extra, RING_GET_RESPONSE(&f->rx, f->rx.rsp_cons),
                   sizeof(f->rx_extra));
            f->rx.rsp_cons++;
            f->rx_slots++;
            f->rx_posted[xid] = false;
        }
        first = false;
    }
    fe_rx_fill(f);
    return err ? -2 : (int)len;
}

/* ---------------------------------------------------------------------
 * The host side of a TAP: a packet socket on it
 * --------------------------------------------------------------------- */

static int tap_sock(const char *ifname)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    cr_assert_geq(fd, 0, "packet socket: %s", strerror(errno));
    struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = (int)if_nametoindex(ifname) };
    cr_assert_neq(sa.sll_ifindex, 0, "no interface %s", ifname);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* A frame the TAP received (what the guest sent) of ethertype `type` (0:
 * any), within ms: its length, or -1. */
static int tap_recv(int fd, uint8_t *buf, size_t cap, uint16_t type, int ms)
{
    double end = now_ms() + ms;
    for (;;) {
        int left = (int)(end - now_ms());
        if (left <= 0)
            return -1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, left) <= 0)
            continue;
        struct sockaddr_ll from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&from, &fl);
        if (n < 0)
            continue;
        if (from.sll_pkttype == PACKET_OUTGOING)
            continue;
        if (type && (n < 14 || get16(buf + 12) != type))
            continue;
        return (int)n;
    }
}

/* Send a frame out of the TAP (to the guest). */
static void tap_send(int fd, const uint8_t *frame, size_t len)
{
    ssize_t n = send(fd, frame, len, 0);
    cr_assert_eq(n, (ssize_t)len, "send on the TAP: %s", strerror(errno));
}

/* ---------------------------------------------------------------------
 * A played guest's IPv4 stack (ARP, ICMP echo, UDP), in a thread that
 * serves the rings of every stack registered; the test thread acts
 * through it under the same lock.
 * --------------------------------------------------------------------- */

struct gstack {
    struct fe *f;
    uint32_t ip, gw;          /* a /24; gw 0: none */
    struct {
        uint32_t ip;
        uint8_t mac[6];
    } arp[8];
    unsigned narp;
    unsigned echo_answered, echo_replies, bad;
    unsigned udp_seen;
    uint32_t udp_src;
    uint16_t udp_sport;
    char udp_data[512];
    bool udp_csum_ok, udp_blank;
};

static struct gstack *stks[4];
static unsigned nstk;
static pthread_t stk_thread;
static bool stk_running;
static volatile bool stk_quit;
static pthread_mutex_t stk_mu = PTHREAD_MUTEX_INITIALIZER;

static void gs_learn(struct gstack *s, uint32_t ip, const uint8_t *mac)
{
    for (unsigned i = 0; i < s->narp; i++) {
        if (s->arp[i].ip == ip) {
            memcpy(s->arp[i].mac, mac, 6);
            return;
        }
    }
    unsigned i = s->narp < 8 ? s->narp++ : 7;
    s->arp[i].ip = ip;
    memcpy(s->arp[i].mac, mac, 6);
}

static const uint8_t *gs_lookup(struct gstack *s, uint32_t ip)
{
    for (unsigned i = 0; i < s->narp; i++)
        if (s->arp[i].ip == ip)
            return s->arp[i].mac;
    return NULL;
}

/* Send a frame (lock held); waits for the ring's answers if it is full. */
static void gs_send(struct gstack *s, const uint8_t *fr, size_t n)
{
    struct fe *f = s->f;
    fe_tx_reap(f);
    for (int i = 0; i < 2000 && f->tx_out + 2 > FE_TXP; i++) {
        usleep(500);
        fe_tx_reap(f);
    }
    struct txopt o = { .nfrag = 1 };
    fe_tx_put(f, fr, n, &o);
    fe_tx_push(f);
}

static void gs_handle(struct gstack *s, const uint8_t *fr, int n)
{
    uint8_t out[2048];

    if (n < 14)
        return;
    uint16_t type = get16(fr + 12);
    if (type == 0x0806 && n >= 42) {
        uint16_t op = get16(fr + 20);
        uint32_t sip = get32(fr + 28), tip = get32(fr + 38);
        if (sip)
            gs_learn(s, sip, fr + 22);
        if (op == 1 && tip == s->ip)
            gs_send(s, out, arp(out, fr + 22, 2, s->f->mac, s->ip, fr + 22, sip));
        return;
    }
    if (type != 0x0800 || n < 34)
        return;
    const uint8_t *ip = fr + 14;
    unsigned ihl = (ip[0] & 15) * 4u;
    uint32_t sip = get32(ip + 12), dip = get32(ip + 16);
    unsigned tot = get16(ip + 2);
    if (dip != s->ip || (unsigned)n < 14 + tot || tot < ihl + 8)
        return;
    const uint8_t *l4 = ip + ihl;
    size_t l4len = tot - ihl;
    if (ip[9] == 1 && l4[0] == 8) {
        if (l4len - 8 > 1400)
            return;
        s->echo_answered++;
        gs_send(s, out, icmp_echo(out, fr + 6, s->f->mac, s->ip, sip, 0, get16(l4 + 4),
                                  get16(l4 + 6), l4 + 8, l4len - 8));
    } else if (ip[9] == 1 && l4[0] == 0) {
        s->echo_replies++;
    } else if (ip[9] == 17) {
        size_t dl = l4len - 8 < sizeof(s->udp_data) - 1 ? l4len - 8 : sizeof(s->udp_data) - 1;
        memcpy(s->udp_data, l4 + 8, dl);
        s->udp_data[dl] = 0;
        s->udp_src = sip;
        s->udp_sport = get16(l4);
        /* A checksum left blank (NETRXF_csum_blank: this frontend takes
         * them) holds the pseudo-header sum; else it must sum right. */
        if (s->f->rx_flags & NETRXF_csum_blank)
            s->udp_csum_ok = get16(l4 + 6) == pseudo4(ip, 17, (uint32_t)l4len);
        else
            s->udp_csum_ok = get16(l4 + 6) == 0 || l4_csum_ok(fr, (size_t)n);
        s->udp_blank = (s->f->rx_flags & NETRXF_csum_blank) != 0;
        s->udp_seen++;
    }
}

static void *stk_main(void *arg)
{
    static uint8_t buf[70000];
    (void)arg;
    while (!stk_quit) {
        pthread_mutex_lock(&stk_mu);
        for (unsigned i = 0; i < nstk; i++) {
            struct gstack *s = stks[i];
            int n;
            fe_tx_reap(s->f);
            while ((n = fe_recv(s->f, buf, sizeof(buf), 0)) != -1) {
                if (n >= 0)
                    gs_handle(s, buf, n);
                else
                    s->bad++;
                if (n == -3)
                    break;
            }
        }
        pthread_mutex_unlock(&stk_mu);
        usleep(300);
    }
    return NULL;
}

/* Serve these stacks from now on (their fe's rx pages are lent). */
static void stack_start(struct gstack **v, unsigned n)
{
    nstk = n;
    for (unsigned i = 0; i < n; i++) {
        stks[i] = v[i];
        fe_rx_fill(v[i]->f);
    }
    stk_quit = false;
    cr_assert_eq(pthread_create(&stk_thread, NULL, stk_main, NULL), 0);
    stk_running = true;
}

static void stack_stop(void)
{
    if (!stk_running)
        return;
    stk_quit = true;
    pthread_join(stk_thread, NULL);
    stk_running = false;
    nstk = 0;
}

/* The MAC of `ip` (asked for with ARP), within ms; false if none. */
static bool gs_resolve(struct gstack *s, uint32_t ip, uint8_t mac[6], int ms)
{
    uint8_t out[64];
    double end = now_ms() + ms, next = 0;
    for (;;) {
        pthread_mutex_lock(&stk_mu);
        const uint8_t *m = gs_lookup(s, ip);
        if (m)
            memcpy(mac, m, 6);
        else if (now_ms() >= next)
            gs_send(s, out, arp(out, BCAST, 1, s->f->mac, s->ip, NULL, ip));
        pthread_mutex_unlock(&stk_mu);
        if (m)
            return true;
        if (now_ms() >= end)
            return false;
        if (now_ms() >= next)
            next = now_ms() + 300;
        usleep(2000);
    }
}

/* The next hop's MAC for `dst`. */
static bool gs_route(struct gstack *s, uint32_t dst, uint8_t mac[6], int ms)
{
    bool local = (dst & 0xffffff00u) == (s->ip & 0xffffff00u);
    return gs_resolve(s, local ? dst : s->gw, mac, ms);
}

/* Ping `dst` `count` times; the replies that came (each within 2 s). */
static unsigned gs_ping(struct gstack *s, uint32_t dst, unsigned count)
{
    uint8_t mac[6], out[256];
    if (!gs_route(s, dst, mac, 5000))
        return 0;
    pthread_mutex_lock(&stk_mu);
    unsigned before = s->echo_replies;
    pthread_mutex_unlock(&stk_mu);
    for (unsigned i = 0; i < count; i++) {
        pthread_mutex_lock(&stk_mu);
        gs_send(s, out, icmp_echo(out, mac, s->f->mac, s->ip, dst, 8, 0x4242, (uint16_t)i,
                                  (const uint8_t *)"pvnetback ping", 14));
        pthread_mutex_unlock(&stk_mu);
        double end = now_ms() + 2000;
        while (now_ms() < end) {
            pthread_mutex_lock(&stk_mu);
            bool got = s->echo_replies > before + i;
            pthread_mutex_unlock(&stk_mu);
            if (got)
                break;
            usleep(2000);
        }
    }
    pthread_mutex_lock(&stk_mu);
    unsigned got = s->echo_replies - before;
    pthread_mutex_unlock(&stk_mu);
    return got;
}

/* Send a UDP datagram and wait up to ms for one to come back; true if one
 * came (s->udp_* say what). */
static bool gs_udp(struct gstack *s, uint32_t dst, uint16_t dport, const char *msg, int ms)
{
    uint8_t mac[6], out[1024];
    if (!gs_route(s, dst, mac, 5000))
        return false;
    pthread_mutex_lock(&stk_mu);
    unsigned before = s->udp_seen;
    gs_send(s, out, udp(out, mac, s->f->mac, s->ip, 40000, dst, dport, msg, strlen(msg),
                        false));
    pthread_mutex_unlock(&stk_mu);
    double end = now_ms() + ms;
    while (now_ms() < end) {
        pthread_mutex_lock(&stk_mu);
        bool got = s->udp_seen > before;
        pthread_mutex_unlock(&stk_mu);
        if (got)
            return true;
        usleep(2000);
    }
    return false;
}

/* ---------------------------------------------------------------------
 * Tests: the handshake and the TAP
 * --------------------------------------------------------------------- */

Test(netback, publishes_nodes_makes_the_tap_and_connects)
{
    struct kguest k;
    struct fe f;
    uint8_t mac[6];
    static const uint8_t xen_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

    kguest_boot(&k, "nodes");
    memset(&f, 0, sizeof(f));
    f.k = &k;
    toolstack_vif(&f.r, k.domid, 0, NULL);
    ASSERT_NODE(f.r.B, "state", "2", 10000);
    const char *B = f.r.B;
    cr_expect_str_eq(rd(B, "feature-rx-copy"), "1");
    cr_expect_str_eq(rd(B, "feature-rx-flip"), "0");
    cr_expect_str_eq(rd(B, "feature-sg"), "1");
    cr_expect_str_eq(rd(B, "feature-gso-tcpv4"), "1");
    cr_expect_str_eq(rd(B, "feature-gso-tcpv6"), "1");
    cr_expect_str_eq(rd(B, "feature-ipv6-csum-offload"), "1");
    cr_expect_str_eq(rd(B, "feature-no-csum-offload"), "0");
    cr_expect_str_eq(rd(B, "feature-split-event-channels"), "1");
    cr_expect_str_eq(rd(B, "multi-queue-max-queues"), "1");
    cr_expect_str_eq(rd(B, "mtu"), "1500");
    cr_expect_str_eq(rd(B, "hotplug-status"), "connected");
    cr_expect_str_eq(rd(f.r.F, "mtu"), "1500", "the MTU is told in F too (netif.h's place)");
    cr_expect_str_eq(rd(B, "error"), "<No such file or directory>");
    /* The nodes are dom0's and readable by the guest (inherited from B). */
    unsigned np = 0;
    char path[160];
    snprintf(path, sizeof(path), "%s/feature-sg", B);
    struct xs_permissions *p = xs_get_permissions(xs, XBT_NULL, path, &np);
    cr_assert_not_null(p);
    cr_expect(np == 2 && p[0].id == 0 && p[1].id == k.domid && p[1].perms == XS_PERM_READ);
    free(p);
    /* The TAP exists from InitWait on, as Xen's vifN.M does: up, Xen's
     * host-side MAC, the MTU, no carrier until the rings connect. */
    snprintf(f.ifname, sizeof(f.ifname), "vif%u.0", k.domid);
    cr_assert(if_exists(f.ifname), "no %s; log:\n%s", f.ifname, nb_log());
    if_mac(f.ifname, mac);
    cr_expect_eq(memcmp(mac, xen_mac, 6), 0, "host-side MAC fe:ff:ff:ff:ff:ff");
    cr_expect_eq(if_mtu(f.ifname), 1500);
    cr_expect(if_flags(f.ifname) & IFF_UP);
    cr_expect(wait_running(f.ifname, false, 3000), "no carrier before the frontend connects");
    f.base = 0;
    sscanf(f.r.mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f.mac[0], &f.mac[1], &f.mac[2],
           &f.mac[3], &f.mac[4], &f.mac[5]);
    fe_connect(&f, NULL);
    cr_expect(wait_running(f.ifname, true, 3000), "carrier once connected");
    cr_expect(wait_log("connected rings", 2000), "log:\n%s", nb_log());
    kguest_drop(&k);
}

Test(netback, vifname_mtu_split_channels_second_vif)
{
    struct kguest k;
    struct fe a, b;
    struct feopt oa = { .vif = { .vifname = "guestnet0", .mtu = 9000 }, .split = true,
                        .sg = true };
    struct feopt ob = { .vif = { .mtu = 576 } };

    kguest_boot(&k, "names");
    fe_attach(&a, &k, 0, 0, &oa);
    cr_expect(if_exists("guestnet0"), "vifname= names the TAP; log:\n%s", nb_log());
    cr_expect_eq(if_mtu("guestnet0"), 9000);
    cr_expect_str_eq(rd(a.r.F, "mtu"), "9000");
    cr_expect(wait_log("ports ", 2000), "split channels: log:\n%s", nb_log());
    fe_attach(&b, &k, 32, 1, &ob);
    char name[IFNAMSIZ];
    snprintf(name, sizeof(name), "vif%u.1", k.domid);
    cr_expect(if_exists(name), "the second vif is vifN.1");
    cr_expect_eq(if_mtu(name), 576);
    /* Both pass frames. */
    uint8_t fr[9100], got[9100];
    int ta = tap_sock("guestnet0"), tb = tap_sock(name);
    memset(fr, 0x77, sizeof(fr));
    eth(fr, BCAST, a.mac, 0x88b5);
    cr_expect_eq(fe_send(&a, fr, 8000, &(struct txopt){ .nfrag = 2 }), NETIF_RSP_OKAY);
    cr_expect_eq(tap_recv(ta, got, sizeof(got), 0x88b5, 3000), 8000, "an 8000-byte frame "
                 "over two slots reaches the TAP");
    eth(fr, BCAST, b.mac, 0x88b5);
    cr_expect_eq(fe_send(&b, fr, 590, NULL), NETIF_RSP_OKAY);
    cr_expect_eq(tap_recv(tb, got, sizeof(got), 0x88b5, 3000), 590);
    cr_expect_eq(fe_send(&b, fr, 595, NULL), NETIF_RSP_ERROR, "over MTU 576 + 18");
    close(ta);
    close(tb);
    kguest_drop(&k);
}

/* ---------------------------------------------------------------------
 * Tests: the data path
 * --------------------------------------------------------------------- */

Test(netback, tx_frames_reach_the_tap)
{
    struct kguest k;
    struct fe f;
    uint8_t fr[4096], got[4096];

    kguest_boot(&k, "tx");
    fe_attach(&f, &k, 0, 0, NULL);
    int t = tap_sock(f.ifname);
    /* One slot, at an offset in its page. */
    for (unsigned i = 0; i < sizeof(fr); i++)
        fr[i] = (uint8_t)(i * 7 + 3);
    eth(fr, BCAST, f.mac, 0x88b5);
    cr_expect_eq(fe_send(&f, fr, 100, &(struct txopt){ .offset = 3000 }), NETIF_RSP_OKAY);
    cr_assert_eq(tap_recv(t, got, sizeof(got), 0x88b5, 3000), 100, "log:\n%s", nb_log());
    cr_expect_eq(memcmp(got, fr, 100), 0);
    /* Three slots (feature-sg is the backend's, always on). */
    cr_expect_eq(fe_send(&f, fr, 1514, &(struct txopt){ .nfrag = 3, .offset = 17 }),
                 NETIF_RSP_OKAY);
    cr_assert_eq(tap_recv(t, got, sizeof(got), 0x88b5, 3000), 1514);
    cr_expect_eq(memcmp(got, fr, 1514), 0);
    /* A UDP packet with its checksum left blank: the host gets it whole. */
    uint8_t dst[6] = { 2, 0, 0, 0, 0, 9 };
    size_t n = udp(fr, dst, f.mac, ip4(10, 9, 0, 2), 5000, ip4(10, 9, 0, 1), 6000, "blank", 5,
                   true);
    cr_expect_eq(fe_send(&f, fr, n, &(struct txopt){ .flags = NETTXF_csum_blank |
                                                              NETTXF_data_validated }),
                 NETIF_RSP_OKAY);
    int m = tap_recv(t, got, sizeof(got), 0x0800, 3000);
    cr_assert_eq(m, (int)n, "log:\n%s", nb_log());
    cr_expect_eq(memcmp(got, fr, 34), 0, "headers as sent");
    /* The packet socket sees it before the kernel completes the checksum
     * (a partial checksum); what it holds is the pseudo-header sum. */
    cr_expect_eq(get16(got + 40), get16(fr + 40));
    /* Many packets in one push: every one answered and delivered. */
    for (unsigned i = 0; i < 12; i++) {
        eth(fr, BCAST, f.mac, 0x88b5);
        fr[14] = (uint8_t)i;
        fe_tx_put(&f, fr, 200 + i, NULL);
    }
    fe_tx_push(&f);
    cr_assert(fe_tx_wait(&f, 10000));
    for (unsigned i = 0; i < 12; i++) {
        cr_assert_eq(tap_recv(t, got, sizeof(got), 0x88b5, 3000), (int)(200 + i));
        cr_expect_eq(got[14], i, "in order");
    }
    cr_expect_eq(f.tx_err + f.tx_drop, 0);
    close(t);
    kguest_drop(&k);
}

Test(netback, rx_frames_reach_the_guest)
{
    struct kguest k;
    struct fe f, g;
    uint8_t fr[9100], got[9100];
    struct feopt sg = { .vif = { .mtu = 9000 }, .sg = true };
    struct feopt nosg = { .vif = { .mtu = 9000 } };

    kguest_boot(&k, "rx");
    fe_attach(&f, &k, 0, 0, &sg);
    fe_attach(&g, &k, 32, 1, &nosg);
    int t = tap_sock(f.ifname), u = tap_sock(g.ifname);
    fe_rx_fill(&f);
    fe_rx_fill(&g);
    for (unsigned i = 0; i < sizeof(fr); i++)
        fr[i] = (uint8_t)(i * 13 + 1);
    eth(fr, f.mac, BCAST, 0x88b5);
    tap_send(t, fr, 60);
    cr_assert_eq(fe_recv(&f, got, sizeof(got), 3000), 60, "log:\n%s", nb_log());
    cr_expect_eq(memcmp(got, fr, 60), 0);
    cr_expect_eq(f.rx_slots, 1);
    /* 9000 bytes: three pages, more_data on the first two. */
    tap_send(t, fr, 9014);
    cr_assert_eq(fe_recv(&f, got, sizeof(got), 3000), 9014, "log:\n%s", nb_log());
    cr_expect_eq(memcmp(got, fr, 9014), 0);
    cr_expect_eq(f.rx_slots, 3);
    /* Over the MTU: dropped and counted (the TAP's MTU raised behind
     * pvnetback's back, so the kernel lets such a frame through). */
    if_set_mtu(f.ifname, 9100);
    tap_send(t, fr, 9080);
    tap_send(t, fr, 100);
    cr_assert_eq(fe_recv(&f, got, sizeof(got), 3000), 100, "only the frame within the MTU");
    cr_expect(wait_log("over the MTU", 2000), "log:\n%s", nb_log());
    /* No feature-sg: the TAP's MTU is 1500 while such a frontend is
     * connected (as Linux's netback caps it), so no frame needs more than
     * a page; a larger one (the MTU raised behind pvnetback's back again)
     * is dropped. */
    cr_expect_eq(if_mtu(g.ifname), 1500, "MTU 9000 capped without feature-sg");
    if_set_mtu(g.ifname, 9000);
    eth(fr, g.mac, BCAST, 0x88b5);
    tap_send(u, fr, 5000);
    tap_send(u, fr, 1514);
    cr_assert_eq(fe_recv(&g, got, sizeof(got), 3000), 1514, "log:\n%s", nb_log());
    cr_expect_eq(g.rx_slots, 1);
    /* Many frames, more than the buffers lent: they keep coming as the
     * pages are lent again. */
    for (unsigned i = 0; i < 40; i++) {
        fr[14] = (uint8_t)i;
        tap_send(u, fr, 1000);
    }
    for (unsigned i = 0; i < 40; i++) {
        cr_assert_eq(fe_recv(&g, got, sizeof(got), 3000), 1000, "frame %u; log:\n%s", i,
                     nb_log());
        cr_expect_eq(got[14], (uint8_t)i, "in order");
    }
    close(t);
    close(u);
    kguest_drop(&k);
}

/* CPU time (ticks) a process has used. */
static long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    cr_assert_gt(n, 0);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    long ut = 0, st = 0;
    cr_assert(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut,
                          &st) == 2);
    return ut + st;
}

Test(netback, rx_back_pressure_without_spinning)
{
    struct kguest k;
    struct fe f;
    uint8_t fr[1600], got[1600];

    /* pvnetback's own tick here (as pvctl starts it), so that its CPU time
     * is all the frames'. */
    kill(nb_pid, SIGTERM);
    waitpid(nb_pid, NULL, 0);
    nb_pid = netback_spawn(host.rundir, 0);
    kguest_boot(&k, "pressure");
    fe_attach(&f, &k, 0, 0, NULL);
    int t = tap_sock(f.ifname);
    eth(fr, f.mac, BCAST, 0x88b5);
    /* Nothing lent: frames wait in the TAP's queue; pvnetback waits. */
    for (unsigned i = 0; i < 30; i++) {
        fr[14] = (uint8_t)i;
        tap_send(t, fr, 500);
    }
    usleep(200000);
    long before = cpu_ticks(nb_pid);
    usleep(1000000);
    long used = cpu_ticks(nb_pid) - before;
    cr_expect_lt(used, 10, "pvnetback used %ld ticks in 1 s waiting for buffers (spinning?)",
                 used);
    cr_expect_eq(PVHV_RING_READ_IDX(f.rx.sring->rsp_prod), 0);
    /* Lend pages: the frames arrive, in order (the frontend's notification
     * is not seen here: the default tick, 500 ms, finds them). */
    fe_rx_fill(&f);
    for (unsigned i = 0; i < 30; i++) {
        cr_assert_eq(fe_recv(&f, got, sizeof(got), 3000), 500, "frame %u; log:\n%s", i,
                     nb_log());
        cr_expect_eq(got[14], (uint8_t)i);
    }
    close(t);

    /* A frontend that never says feature-rx-notify: while it has too few
     * buffers its ring is polled every 10 ms, not at the 500 ms tick. */
    struct fe g;
    struct feopt quiet = { .rx_notify_off = true };
    fe_attach(&g, &k, 32, 1, &quiet);
    cr_expect(wait_log("does not say feature-rx-notify", 2000), "log:\n%s", nb_log());
    t = tap_sock(g.ifname);
    eth(fr, g.mac, BCAST, 0x88b5);
    tap_send(t, fr, 300);
    usleep(600000); /* past a tick: the frame is held, the TAP not read */
    double t0 = now_ms();
    fe_rx_fill(&g);
    cr_assert_eq(fe_recv(&g, got, sizeof(got), 3000), 300);
    double waited = now_ms() - t0;
    cr_expect_lt(waited, 250, "%.0f ms for a held frame to be placed: not polled?", waited);
    close(t);
    kguest_drop(&k);
}

/* ---------------------------------------------------------------------
 * Tests: networks (libhostnet's bridges in this test's namespace)
 * --------------------------------------------------------------------- */

static void make_net(const char *name, enum hostnet_mode mode, const char *subnet)
{
    char err[512] = "";
    struct hostnet_info info;
    int r = hostnet_create(host.rundir, name, mode, subnet, &info, err, sizeof(err));
    cr_assert_eq(r, 0, "hostnet_create %s: %s", name, err);
}

Test(netback, host_pings_a_guest_on_a_hostonly_network)
{
    struct kguest k;
    struct fe f;
    struct feopt o = { .vif = { .bridge = "pvhost0" } };

    make_net("pvhost0", HOSTNET_HOSTONLY, "10.55.0.0/24");
    kguest_boot(&k, "pinged");
    fe_attach(&f, &k, 0, 0, &o);
    cr_expect(in_bridge(f.ifname, "pvhost0"), "%s joined the bridge; log:\n%s", f.ifname,
              nb_log());
    struct gstack g = { .f = &f, .ip = ip4(10, 55, 0, 2), .gw = ip4(10, 55, 0, 1) };
    struct gstack *v[] = { &g };
    stack_start(v, 1);
    int st = run("ping -c 3 -i 0.2 -W 2 -q 10.55.0.2 >/dev/null 2>&1");
    cr_expect_eq(st, 0, "the host pings the guest (ping exit %d); answered %u; log:\n%s", st,
                 g.echo_answered, nb_log());
    cr_expect_geq(g.echo_answered, 3);
    /* And the guest pings the host. */
    cr_expect_eq(gs_ping(&g, ip4(10, 55, 0, 1), 3), 3, "log:\n%s", nb_log());
    cr_expect_eq(g.bad, 0);
    stack_stop();
    kguest_drop(&k);
}

Test(netback, two_guests_ping_each_other_on_one_bridge)
{
    struct kguest k1, k2;
    struct fe a, b;
    struct feopt o = { .vif = { .bridge = "pvlan0" } };

    make_net("pvlan0", HOSTNET_HOSTONLY, "10.56.0.0/24");
    kguest_boot(&k1, "ping-a");
    kguest_boot(&k2, "ping-b");
    fe_attach(&a, &k1, 0, 0, &o);
    fe_attach(&b, &k2, 0, 0, &o);
    struct gstack ga = { .f = &a, .ip = ip4(10, 56, 0, 10) };
    struct gstack gb = { .f = &b, .ip = ip4(10, 56, 0, 11) };
    struct gstack *v[] = { &ga, &gb };
    stack_start(v, 2);
    cr_expect_eq(gs_ping(&ga, gb.ip, 5), 5, "a -> b; log:\n%s", nb_log());
    cr_expect_eq(gs_ping(&gb, ga.ip, 5), 5, "b -> a");
    cr_expect_geq(gb.echo_answered, 5);
    cr_expect_geq(ga.echo_answered, 5);
    /* UDP between them, over the bridge, checksums intact. */
    cr_expect(!gs_udp(&ga, gb.ip, 9, "to b", 300), "nothing answers UDP in the played stack");
    pthread_mutex_lock(&stk_mu);
    cr_expect_eq(gb.udp_seen, 1);
    cr_expect_str_eq(gb.udp_data, "to b");
    cr_expect(gb.udp_csum_ok);
    pthread_mutex_unlock(&stk_mu);
    stack_stop();
    kguest_drop(&k1);
    kguest_drop(&k2);
}

/* A second namespace standing for the world beyond the host, joined to
 * this one by a veth pair (vout here, 192.0.2.2; vin there, 192.0.2.1),
 * with UDP echo servers on 192.0.2.1: port 7 answers each datagram with
 * itself, port 7777 with "echo <source address> <payload>". */
static pid_t world;

static void world_start(void)
{
    int go[2], ready[2];
    cr_assert_eq(pipe(go), 0);
    cr_assert_eq(pipe(ready), 0);
    world = fork();
    cr_assert_geq(world, 0);
    if (world == 0) {
        char c;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWNET) < 0)
            _exit(1);
        if (write(ready[1], "n", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        if (system("ip link set lo up && ip addr add 192.0.2.1/24 dev vin && "
                   "ip link set vin up") != 0)
            _exit(2);
        int s = socket(AF_INET, SOCK_DGRAM, 0), e = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7777) };
        struct sockaddr_in se = { .sin_family = AF_INET, .sin_port = htons(7) };
        if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || e < 0 ||
            bind(e, (struct sockaddr *)&se, sizeof(se)) < 0)
            _exit(3);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        for (;;) {
            char buf[2048], out[2100], addr[32];
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            struct pollfd pf[2] = { { .fd = s, .events = POLLIN }, { .fd = e, .events = POLLIN } };
            if (poll(pf, 2, -1) <= 0)
                continue;
            int fd = (pf[0].revents & POLLIN) ? s : e;
            ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
            if (n < 0)
                continue;
            if (fd == e) { /* port 7: the datagram as it came */
                sendto(e, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
                continue;
            }
            buf[n] = 0;
            inet_ntop(AF_INET, &from.sin_addr, addr, sizeof(addr));
            int m = snprintf(out, sizeof(out), "echo %s %s", addr, buf);
            sendto(s, out, (size_t)m, 0, (struct sockaddr *)&from, fl);
        }
    }
    char c;
    cr_assert_eq(read(ready[0], &c, 1), 1);
    cr_assert_eq(run("ip link add vout type veth peer name vin netns %d && "
                     "ip addr add 192.0.2.2/24 dev vout && ip link set vout up", (int)world), 0);
    cr_assert_eq(write(go[1], "g", 1), 1);
    cr_assert_eq(read(ready[0], &c, 1), 1, "the outside namespace did not come up");
    cr_assert_eq(c, 'r');
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
}

static void world_stop(void)
{
    if (world > 0) {
        kill(world, SIGKILL);
        waitpid(world, NULL, 0);
    }
    world = 0;
}

Test(netback, guest_behind_nat_reaches_a_udp_server_outside)
{
    struct kguest k;
    struct fe f;
    struct feopt o = { .vif = { .bridge = "pvnat0" } };

    make_net("pvnat0", HOSTNET_NAT, "10.66.0.0/24");
    world_start();
    kguest_boot(&k, "natted");
    fe_attach(&f, &k, 0, 0, &o);
    struct gstack g = { .f = &f, .ip = ip4(10, 66, 0, 2), .gw = ip4(10, 66, 0, 1) };
    struct gstack *v[] = { &g };
    stack_start(v, 1);
    bool got = gs_udp(&g, ip4(192, 0, 2, 1), 7777, "hello from behind", 5000);
    cr_expect(got, "no answer from the server outside; log:\n%s", nb_log());
    pthread_mutex_lock(&stk_mu);
    cr_expect_str_eq(g.udp_data, "echo 192.0.2.2 hello from behind",
                     "the server saw the host's address (masquerade)");
    cr_expect_eq(g.udp_src, ip4(192, 0, 2, 1));
    cr_expect_eq(g.udp_sport, 7777);
    cr_expect(g.udp_csum_ok);
    pthread_mutex_unlock(&stk_mu);
    /* The guest pings its gateway too. */
    cr_expect_eq(gs_ping(&g, g.gw, 2), 2);
    stack_stop();
    world_stop();
    kguest_drop(&k);
}

/* A TCP segment of `plen` payload bytes, checksum blank (pseudo sum). */
static size_t tcp_seg(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t sip,
                      uint32_t dip, uint32_t seq, size_t plen)
{
    uint8_t *t = f + 34;
    memset(t, 0, 20);
    put16(t, 33000);
    put16(t + 2, 44000);
    put32(t + 4, seq);
    put32(t + 8, 1);
    t[12] = 5 << 4;
    t[13] = 0x18; /* PSH ACK */
    put16(t + 14, 65535);
    for (size_t i = 0; i < plen; i++)
        t[20 + i] = (uint8_t)(i % 251);
    size_t n = ipv4(f, dst, src, sip, dip, 6, 20 + plen);
    put16(t + 16, pseudo4(f + 14, 6, (uint32_t)(20 + plen)));
    return n;
}

Test(netback, gso_and_checksum_offload_through_a_bridge)
{
    struct kguest k;
    struct fe a, b;
    struct feopt oa = { .vif = { .bridge = "pvoff0" }, .sg = true, .gso4 = true };
    struct feopt ob = { .vif = { .bridge = "pvoff0" }, .no_csum = true };
    static uint8_t fr[70000], got[70000];

    make_net("pvoff0", HOSTNET_HOSTONLY, "10.57.0.0/24");
    kguest_boot(&k, "offload");
    fe_attach(&a, &k, 0, 0, &oa);
    fe_attach(&b, &k, 32, 1, &ob);
    fe_rx_fill(&b);
    uint32_t ipa = ip4(10, 57, 0, 2), ipb = ip4(10, 57, 0, 3);
    /* A UDP packet with a blank checksum, to b, which takes none: b gets
     * it with the checksum computed. */
    size_t n = udp(fr, b.mac, a.mac, ipa, 1234, ipb, 4321, "complete me", 11, true);
    cr_expect_eq(fe_send(&a, fr, n, &(struct txopt){ .flags = NETTXF_csum_blank }),
                 NETIF_RSP_OKAY);
    int m;
    do
        m = fe_recv(&b, got, sizeof(got), 3000);
    while (m > 0 && (get16(got + 12) != 0x0800 || got[23] != 17));
    cr_assert_eq(m, (int)n, "log:\n%s", nb_log());
    cr_expect(l4_csum_ok(got, (size_t)m), "b gets a correct UDP checksum");
    cr_expect(!(b.rx_flags & NETRXF_csum_blank), "never blank to feature-no-csum-offload");
    cr_expect_eq(memcmp(got + 42, "complete me", 11), 0);
    /* A 3000-byte TCP GSO packet (MSS 1000) from a, over two slots: b,
     * without GSO, gets three segments, each with a correct checksum. */
    n = tcp_seg(fr, b.mac, a.mac, ipa, ipb, 1000, 3000);
    cr_expect_eq(fe_send(&a, fr, n, &(struct txopt){ .nfrag = 2, .flags = NETTXF_csum_blank,
                                                     .gso_type = XEN_NETIF_GSO_TYPE_TCPV4,
                                                     .gso_size = 1000 }),
                 NETIF_RSP_OKAY, "log:\n%s", nb_log());
    size_t payload = 0;
    for (int seg = 0; seg < 3; seg++) {
        do
            m = fe_recv(&b, got, sizeof(got), 3000);
        while (m > 0 && (get16(got + 12) != 0x0800 || got[23] != 6));
        cr_assert_gt(m, 0, "segment %d missing; log:\n%s", seg, nb_log());
        cr_expect_eq(m, 54 + 1000, "segment %d: %d bytes", seg, m);
        cr_expect(l4_csum_ok(got, (size_t)m), "segment %d: TCP checksum", seg);
        cr_expect_eq(get32(got + 38), 1000 + payload, "segment %d: sequence", seg);
        for (int i = 0; i < m - 54; i++)
            if (got[54 + i] != (uint8_t)((payload + (size_t)i) % 251)) {
                cr_expect_fail("segment %d: payload differs at %d", seg, i);
                break;
            }
        payload += (size_t)(m - 54);
    }
    cr_expect_eq(payload, 3000);

    /* The same packet to c, which takes GSO (sg, gso4, blank checksums):
     * one frame over three pages, its GSO extra in the second slot. */
    struct kguest k2;
    struct fe c;
    struct feopt oc = { .vif = { .bridge = "pvoff0" }, .sg = true, .gso4 = true };
    kguest_boot(&k2, "offload-c");
    fe_attach(&c, &k2, 0, 0, &oc);
    fe_rx_fill(&c);
    n = tcp_seg(fr, c.mac, a.mac, ipa, ip4(10, 57, 0, 4), 1000, 9000);
    cr_expect_eq(fe_send(&a, fr, n, &(struct txopt){ .nfrag = 3, .flags = NETTXF_csum_blank,
                                                     .gso_type = XEN_NETIF_GSO_TYPE_TCPV4,
                                                     .gso_size = 1448 }),
                 NETIF_RSP_OKAY);
    do
        m = fe_recv(&c, got, sizeof(got), 3000);
    while (m > 0 && (get16(got + 12) != 0x0800 || got[23] != 6));
    cr_assert_eq(m, (int)n, "c gets the packet whole; log:\n%s", nb_log());
    cr_expect(c.rx_flags & NETRXF_extra_info, "flags %#x", c.rx_flags);
    cr_expect(c.rx_flags & NETRXF_csum_blank);
    cr_expect_eq(c.rx_extra.type, XEN_NETIF_EXTRA_TYPE_GSO);
    cr_expect_eq(c.rx_extra.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
    cr_expect_eq(c.rx_extra.u.gso.size, 1448);
    cr_expect_eq(c.rx_slots, 4, "a page, the extra, two pages more (9054 bytes)");
    cr_expect_eq(memcmp(got + 54, fr + 54, 9000), 0);
    cr_expect_eq(get16(got + 50), pseudo4(got + 14, 6, 9020), "a blank checksum holds the "
                 "pseudo-header sum");
    kguest_drop(&k2);
    kguest_drop(&k);
}

/* ---------------------------------------------------------------------
 * Tests: hostile and mistaken frontends
 * --------------------------------------------------------------------- */

/* b still passes frames both ways. */
static void still_served(struct fe *b, int tb, uint8_t tag)
{
    uint8_t fr[256], got[2048];
    fe_rx_fill(b);
    eth(fr, BCAST, b->mac, 0x88b5);
    memset(fr + 14, tag, sizeof(fr) - 14);
    cr_expect_eq(fe_send(b, fr, sizeof(fr), NULL), NETIF_RSP_OKAY);
    cr_expect_eq(tap_recv(tb, got, sizeof(got), 0x88b5, 3000), (int)sizeof(fr));
    eth(fr, b->mac, BCAST, 0x88b5);
    tap_send(tb, fr, sizeof(fr));
    /* (A bridge's own IPv6 chatter may come first.) */
    int m;
    do
        m = fe_recv(b, got, sizeof(got), 3000);
    while (m >= 14 && get16(got + 12) != 0x88b5);
    cr_expect_eq(m, (int)sizeof(fr), "rx on the other vif; log:\n%s", nb_log());
    cr_expect(m > 14 && got[15] == tag);
}

Test(netback, hostile_frontend_gets_errors_the_other_vif_served)
{
    struct kguest k;
    struct fe a, b;
    uint8_t fr[4096], got[4096];

    kguest_boot(&k, "hostile");
    fe_attach(&a, &k, 0, 0, NULL);
    fe_attach(&b, &k, 32, 1, NULL);
    int ta = tap_sock(a.ifname), tb = tap_sock(b.ifname);
    fe_rx_fill(&b);
    eth(fr, BCAST, a.mac, 0x88b5);
    memset(fr + 14, 0x5a, sizeof(fr) - 14);

    /* A grant that is not granted: the packet is refused. */
    struct txopt bad = { .nfrag = 2, .bad_gref = k.ref0 + 400 };
    cr_expect_eq(fe_send(&a, fr, 1000, &bad), NETIF_RSP_ERROR, "bad grant ref");
    bad.bad_gref = 0xfffffff;
    cr_expect_eq(fe_send(&a, fr, 1000, &bad), NETIF_RSP_ERROR, "a ref past the table");
    /* Shorter than an Ethernet header; crossing its page; over the MTU. */
    cr_expect_eq(fe_send(&a, fr, 10, NULL), NETIF_RSP_ERROR);
    cr_expect_eq(fe_send(&a, fr, 200, &(struct txopt){ .offset = 4000, .unchecked = true }),
                 NETIF_RSP_ERROR);
    cr_expect_eq(fe_send(&a, fr, 1600, &(struct txopt){ .nfrag = 2 }), NETIF_RSP_ERROR);
    /* 19 data slots: refused, every slot answered. */
    unsigned err0 = a.tx_err;
    cr_expect_eq(fe_send(&a, fr, 19 * 60, &(struct txopt){ .nfrag = 19 }), NETIF_RSP_ERROR);
    cr_expect_eq(a.tx_err - err0, 19);
    /* GSO of a type not TCP, and checksum offload on a frame that is not
     * TCP/UDP. */
    cr_expect_eq(fe_send(&a, fr, 1000, &(struct txopt){ .gso_type = 7, .gso_size = 100 }),
                 NETIF_RSP_ERROR);
    cr_expect_eq(fe_send(&a, fr, 100, &(struct txopt){ .flags = NETTXF_csum_blank }),
                 NETIF_RSP_ERROR);
    cr_expect_eq(tap_recv(ta, got, sizeof(got), 0x88b5, 300), -1, "nothing refused was sent");
    /* A receive buffer that is not granted: an error response. */
    netif_rx_request_t q = { .id = 3, .gref = k.ref0 + 401 };
    a.rx_id_at[a.rx.req_prod_pvt & 255] = 3;
    *RING_GET_REQUEST(&a.rx, a.rx.req_prod_pvt) = q;
    a.rx.req_prod_pvt++;
    a.rx_posted[3] = true;
    RING_PUSH_REQUESTS(&a.rx);
    uint8_t to_a[100];
    eth(to_a, a.mac, BCAST, 0x88b5);
    memset(to_a + 14, 1, sizeof(to_a) - 14);
    tap_send(ta, to_a, sizeof(to_a));
    cr_expect_eq(fe_recv(&a, got, sizeof(got), 3000), -2, "log:\n%s", nb_log());
    /* a is still served after all that. */
    cr_expect_eq(fe_send(&a, fr, 300, NULL), NETIF_RSP_OKAY);
    cr_expect_eq(tap_recv(ta, got, sizeof(got), 0x88b5, 3000), 300);
    tap_send(ta, to_a, sizeof(to_a));
    cr_expect_eq(fe_recv(&a, got, sizeof(got), 3000), (int)sizeof(to_a));
    still_served(&b, tb, 1);

    /* A packet half published: nothing happens until the rest comes. */
    fe_tx_put(&a, fr, 1400, &(struct txopt){ .nfrag = 2 });
    a.tx.sring->req_prod = a.tx.req_prod_pvt - 1;
    usleep(100000);
    fe_tx_reap(&a);
    cr_expect_eq(a.tx_out, 2, "no answer to a packet not all there");
    fe_tx_push(&a);
    cr_expect(fe_tx_wait(&a, 3000));
    cr_expect_eq(tap_recv(ta, got, sizeof(got), 0x88b5, 3000), 1400);

    /* More requests than the ring holds: the vif closes with an error;
     * the daemon and the other vif carry on. */
    a.tx.sring->req_prod = a.tx.rsp_cons + 300;
    ASSERT_NODE(a.r.B, "state", "5", 10000);
    cr_expect(strstr(rd(a.r.B, "error"), "broke its tx ring") != NULL, "B/error: %s",
              rd(a.r.B, "error"));
    still_served(&b, tb, 2);
    /* The frontend gives up: Closed; the backend follows. */
    wr(a.r.F, "state", "6");
    ASSERT_NODE(a.r.B, "state", "6", 10000);
    /* The rx side of a broken frontend too: b's rx ring overrun. */
    b.rx.sring->req_prod = b.rx.rsp_cons + 1000;
    tap_send(tb, to_a, sizeof(to_a));
    ASSERT_NODE(b.r.B, "state", "5", 10000);
    cr_expect(strstr(rd(b.r.B, "error"), "broke its rx ring") != NULL, "B/error: %s",
              rd(b.r.B, "error"));
    cr_expect(nb_pid > 0 && kill(nb_pid, 0) == 0, "pvnetback is alive");
    close(ta);
    close(tb);
    kguest_drop(&k);
}

Test(netback, frontend_and_toolstack_mistakes_close_the_vif)
{
    struct kguest k;
    struct fe f;
    struct feopt o;

    kguest_boot(&k, "mistakes");
    memset(&o, 0, sizeof(o));
    o.rx_copy = "0";
    o.no_wait = true;
    fe_attach(&f, &k, 0, 0, &o);
    ASSERT_NODE(f.r.B, "state", "5", 10000);
    cr_expect(strstr(rd(f.r.B, "error"), "request-rx-copy") != NULL, "%s", rd(f.r.B, "error"));

    memset(&o, 0, sizeof(o));
    o.queues = "4";
    o.no_wait = true;
    fe_attach(&f, &k, 0, 1, &o);
    ASSERT_NODE(f.r.B, "state", "5", 10000);
    cr_expect(strstr(rd(f.r.B, "error"), "queues") != NULL, "%s", rd(f.r.B, "error"));

    memset(&o, 0, sizeof(o));
    o.bad_rx_ref = 1;
    o.no_wait = true;
    fe_attach(&f, &k, 0, 2, &o);
    ASSERT_NODE(f.r.B, "state", "5", 10000);
    cr_expect(strstr(rd(f.r.B, "error"), "mapping the rings") != NULL, "%s",
              rd(f.r.B, "error"));

    /* The toolstack's mistakes: no such bridge; an interface name taken;
     * a bad MAC. The vif never gets to InitWait. */
    struct vifrec r;
    struct vifopt vo = { .bridge = "nosuchbr" };
    toolstack_vif(&r, k.domid, 3, &vo);
    ASSERT_NODE(r.B, "state", "5", 10000);
    cr_expect(strstr(rd(r.B, "error"), "bridge nosuchbr does not exist") != NULL, "%s",
              rd(r.B, "error"));
    vo = (struct vifopt){ .vifname = "lo" };
    toolstack_vif(&r, k.domid, 4, &vo);
    ASSERT_NODE(r.B, "state", "5", 10000);
    cr_expect(strstr(rd(r.B, "error"), "exists already") != NULL, "%s", rd(r.B, "error"));
    run("ip link add notabr type veth peer name notabr1");
    vo = (struct vifopt){ .bridge = "notabr" };
    toolstack_vif(&r, k.domid, 5, &vo);
    ASSERT_NODE(r.B, "state", "5", 10000);
    cr_expect(strstr(rd(r.B, "error"), "not a bridge") != NULL, "%s", rd(r.B, "error"));
    vo = (struct vifopt){ .mac = "00:16:3e:zz:00:01" };
    toolstack_vif(&r, k.domid, 6, &vo);
    ASSERT_NODE(r.B, "state", "5", 10000);
    cr_expect(strstr(rd(r.B, "error"), "bad mac") != NULL, "%s", rd(r.B, "error"));
    /* A good one after all that. */
    toolstack_vif(&r, k.domid, 7, NULL);
    ASSERT_NODE(r.B, "state", "2", 10000);
    cr_expect(nb_pid > 0 && kill(nb_pid, 0) == 0, "pvnetback is alive");
    kguest_drop(&k);
}

/* ---------------------------------------------------------------------
 * Tests: the vif's life
 * --------------------------------------------------------------------- */

Test(netback, frontend_close_reconnect_and_detach)
{
    struct kguest k;
    struct fe f;
    uint8_t fr[128], got[2048];

    kguest_boot(&k, "detach");
    fe_attach(&f, &k, 0, 0, NULL);
    int t = tap_sock(f.ifname);
    still_served(&f, t, 1);
    /* The frontend goes Closing, then Closed: the rings are let go, the
     * carrier drops, the TAP stays. */
    wr(f.r.F, "state", "5");
    ASSERT_NODE(f.r.B, "state", "5", 10000);
    wr(f.r.F, "state", "6");
    ASSERT_NODE(f.r.B, "state", "6", 10000);
    cr_expect(if_exists(f.ifname));
    cr_expect(wait_running(f.ifname, false, 3000), "no carrier while closed");
    /* It starts over (a guest's driver reloaded): offered again, connects. */
    wr(f.r.F, "state", "1");
    ASSERT_NODE(f.r.B, "state", "2", 10000);
    fe_connect(&f, NULL);
    still_served(&f, t, 2);
    /* network-detach: online 0, state 5; the backend answers 6. */
    wr(f.r.B, "online", "0");
    wr(f.r.B, "state", "5");
    ASSERT_NODE(f.r.B, "state", "6", 10000);
    eth(fr, BCAST, f.mac, 0x88b5);
    toolstack_remove(&f.r);
    cr_expect(wait_if(f.ifname, false, 5000), "the TAP goes with its records; log:\n%s",
              nb_log());
    (void)got;
    close(t);
    kguest_drop(&k);
}

/* Someone deletes a vif's TAP under pvnetback: its fd then polls as an
 * error for ever; the vif must close, not the daemon spin. */
Test(netback, a_deleted_tap_closes_its_vif_without_spinning)
{
    struct kguest k;
    struct fe a, b;

    kguest_boot(&k, "deltap");
    fe_attach(&a, &k, 0, 0, NULL);
    fe_attach(&b, &k, 32, 1, NULL);
    cr_assert_eq(run("ip link del %s", a.ifname), 0);
    ASSERT_NODE(a.r.B, "state", "5", 10000);
    cr_expect(strstr(rd(a.r.B, "error"), "vanished") != NULL, "B/error: %s", rd(a.r.B, "error"));
    long before = cpu_ticks(nb_pid);
    usleep(500000);
    long used = cpu_ticks(nb_pid) - before;
    cr_expect_lt(used, 25, "pvnetback used %ld ticks in 0.5 s (spinning?)", used);
    int t = tap_sock(b.ifname);
    still_served(&b, t, 9);
    close(t);
    /* The toolstack removes the vif: nothing left to delete. */
    toolstack_remove(&a.r);
    cr_expect(wait_log("removed", 3000));
    kguest_drop(&k);
}

/* Lines of /proc/PID/maps naming a guest's memory. */
static int guest_maps(pid_t pid)
{
    char path[64], line[512];
    int n = 0;

    snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f))
        n += strstr(line, "pvhv-guest-ram") != NULL;
    fclose(f);
    return n;
}

Test(netback, destroying_the_domain_removes_its_tap)
{
    struct kguest k1, k2;
    struct fe f, g;
    struct feopt o = { .vif = { .bridge = "pvgone0" } };

    make_net("pvgone0", HOSTNET_HOSTONLY, "10.58.0.0/24");
    kguest_boot(&k1, "doomed");
    fe_attach(&f, &k1, 0, 0, &o);
    int t = tap_sock(f.ifname);
    still_served(&f, t, 3);
    close(t);
    cr_expect_gt(guest_maps(nb_pid), 0, "pvnetback maps the guest's rings");
    kguest_drop(&k1);
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, k1.domid), 0);
    toolstack_remove(&f.r);
    cr_expect(wait_if(f.ifname, false, 5000), "%s must go with its domain; log:\n%s", f.ifname,
              nb_log());
    double end = now_ms() + 5000;
    while (now_ms() < end && guest_maps(nb_pid) > 0)
        usleep(10000);
    cr_expect_eq(guest_maps(nb_pid), 0, "pvnetback must unmap the dead domain's rings");
    /* The next domain gets the same kind of vif, in the same bridge. */
    kguest_boot(&k2, "next");
    fe_attach(&g, &k2, 0, 0, &o);
    cr_expect(in_bridge(g.ifname, "pvgone0"));
    t = tap_sock(g.ifname);
    still_served(&g, t, 4);
    close(t);
    kguest_drop(&k2);
}

Test(netback, destroyed_domain_without_toolstack_is_closed)
{
    struct kguest k;
    struct fe f;

    kguest_boot(&k, "abandoned");
    fe_attach(&f, &k, 0, 0, NULL);
    kguest_drop(&k);
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, k.domid), 0);
    /* Nobody removes the records: pvnetback notices the domain is gone. */
    ASSERT_NODE(f.r.B, "state", "6", 10000);
    cr_expect(wait_log("is gone", 1000));
    toolstack_remove(&f.r);
    cr_expect(wait_if(f.ifname, false, 5000));
}

Test(netback, sigkill_restart_takes_the_rings_over)
{
    struct kguest k;
    struct fe f;
    struct feopt o = { .vif = { .bridge = "pvre0" }, .split = true };

    make_net("pvre0", HOSTNET_HOSTONLY, "10.59.0.0/24");
    kguest_boot(&k, "restart");
    fe_attach(&f, &k, 0, 0, &o);
    int t = tap_sock(f.ifname);
    still_served(&f, t, 5);
    close(t);
    kill(nb_pid, SIGKILL);
    waitpid(nb_pid, NULL, 0);
    nb_pid = 0;
    cr_expect(wait_if(f.ifname, false, 3000), "a killed daemon's TAP goes with it");
    nb_pid = netback_spawn(host.rundir, 2);
    cr_assert(wait_if(f.ifname, true, 10000), "the restarted daemon makes %s again; log:\n%s",
              f.ifname, nb_log());
    cr_assert(wait_log("took over the rings", 10000), "log:\n%s", nb_log());
    cr_expect(in_bridge(f.ifname, "pvre0"), "back in its bridge");
    cr_expect_str_eq(rd(f.r.B, "state"), "4");
    t = tap_sock(f.ifname);
    still_served(&f, t, 6);
    close(t);
    /* A clean stop and start too. */
    cr_expect_eq(stop_pid(nb_pid), 0, "log:\n%s", nb_log());
    nb_pid = netback_spawn(host.rundir, 2);
    cr_assert(wait_if(f.ifname, true, 10000));
    t = tap_sock(f.ifname);
    cr_assert(wait_log("took over the rings", 10000));
    usleep(100000);
    still_served(&f, t, 7);
    close(t);
    kguest_drop(&k);
}

Test(netback, one_daemon_per_rundir_and_stale_pidfile)
{
    char pidfile[128];
    int st = 0;

    pid_t second = fork();
    if (second == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        execl(build_path("bin/pvnetback"), "pvnetback", "--rundir", host.rundir, "--quiet",
              NULL);
        _exit(127);
    }
    cr_assert_eq(waitpid(second, &st, 0), second);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
    kill(nb_pid, SIGKILL);
    waitpid(nb_pid, NULL, 0);
    nb_pid = 0;
    snprintf(pidfile, sizeof(pidfile), "%s/pvnetback.pid", host.rundir);
    cr_expect_eq(access(pidfile, F_OK), 0, "a killed daemon leaves its pid file");
    nb_pid = netback_spawn(host.rundir, 2);
    pid_t bad = fork();
    if (bad == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 2);
        execl(build_path("bin/pvnetback"), "pvnetback", "--poll-ms", "0", NULL);
        _exit(127);
    }
    cr_assert_eq(waitpid(bad, &st, 0), bad);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "status %#x", st);
}

/* pvnetback first, then pvhv, then pvxenstored. */
static void setup_late(void)
{
    need_kvm();
    need_tun();
    own_netns();
    unsetenv("XENSTORED_PATH"); /* pvnetback finds it through the run directory */
    memset(&host, 0, sizeof(host));
    strcpy(host.rundir, "/tmp/pvhv-test-XXXXXX");
    cr_assert_not_null(mkdtemp(host.rundir));
    nb_pid = netback_spawn(host.rundir, 2);
    usleep(300000);
    int r = pvctrl_start_pvhv(build_path("bin/pvhv"), host.rundir,
                              getenv("PVHV_TEST_VERBOSE") == NULL, &host.pvhv);
    cr_assert_eq(r, 0, "cannot start pvhv: %s", strerror(-r));
    cr_assert_eq(pvctrl_open(host.rundir, &host.ctl), 0);
    usleep(300000);
    xsd_pid = host_daemon_start(&host, "pvxenstored", "xenstored/socket");
    xs = xs_open(0);
    cr_assert_not_null(xs);
}

TestSuite(netback_late, .init = setup_late, .fini = teardown, .timeout = 90);

Test(netback_late, started_before_pvhv_and_xenstore)
{
    struct kguest k;
    struct fe f;

    cr_expect(nb_log_has("waiting for pvhv"), "log:\n%s", nb_log());
    cr_expect(nb_log_has("waiting for xenstore"), "log:\n%s", nb_log());
    kguest_boot(&k, "late");
    fe_attach(&f, &k, 0, 0, NULL);
    int t = tap_sock(f.ifname);
    still_served(&f, t, 8);
    close(t);
    kguest_drop(&k);
}

/* ======================================================================
 * With the reference guest's netfront and stack (cmd=net)
 * ====================================================================== */



/* The toolstack's domain records (home owned by the guest) and the
 * introduction to xenstored, as in test_xenstore_ring.c. */
static void toolstack_domain(uint32_t domid)
{
    char home[64];
    uint64_t pfn = 0, port = 0;

    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    struct xs_permissions own[] = { { .id = domid, .perms = XS_PERM_NONE } };
    cr_assert(xs_mkdir(xs, XBT_NULL, home));
    cr_assert(xs_set_permissions(xs, XBT_NULL, home, own, 1));
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, domid, HVM_PARAM_STORE_PFN, &pfn), 0);
    cr_assert_eq(pvctrl_hvm_param_get(host.ctl, domid, HVM_PARAM_STORE_EVTCHN, &port), 0);
    cr_assert(xs_introduce_domain(xs, domid, (unsigned long)pfn, (unsigned)port),
              "introduce %u: %s", domid, strerror(errno));
}

/* A reference guest running `cmdline` with vif 0 as `o` says. */
static uint32_t guest_with_vif(const char *name, const char *cmdline, struct vifrec *r,
                               const struct vifopt *o)
{
    uint32_t d = create_refguest(&host, name, cmdline, 1, 64);
    toolstack_domain(d);
    toolstack_vif(r, d, 0, o);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    return d;
}

static void expect_console(uint32_t d, const char *text, int ms)
{
    cr_assert(wait_console(&host, d, text, ms, con, sizeof(con)),
              "no '%s' on the console:\n%s\npvnetback's log:\n%s", text, con, nb_log());
}

/* Send `msg` to ip:port over UDP and wait up to ms for an answer (into
 * buf); its length, or -1. */
static int udp_ask(const char *ip, uint16_t port, const char *msg, char *buf, size_t cap, int ms)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(s, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, ip, &sa.sin_addr);
    int n = -1;
    for (int tries = 0; tries < 3 && n < 0; tries++) {
        if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            break;
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, ms / 3) == 1)
            n = (int)recv(s, buf, cap, 0);
    }
    close(s);
    return n;
}

static void setup_guest(void)
{
    setup_common(0); /* the guests notify: pvnetback's default tick */
}

TestSuite(netback_guest, .init = setup_guest, .fini = teardown, .timeout = 90);

Test(netback_guest, host_pings_a_guest_on_a_hostonly_network)
{
    struct vifrec r;
    struct vifopt o = { .bridge = "pvg0" };
    char buf[256];

    make_net("pvg0", HOSTNET_HOSTONLY, "10.61.0.0/24");
    uint32_t d = guest_with_vif("gserve", "cmd=net op=serve ip=10.61.0.2", &r, &o);
    expect_console(d, "net: serving", 30000);
    int st = run("ping -c 3 -i 0.2 -W 2 -q 10.61.0.2 >/dev/null 2>&1");
    cr_expect_eq(st, 0, "ping from the host (exit %d); console:\n%s\nlog:\n%s", st, con,
                 nb_log());
    expect_console(d, "net: ping from 10.61.0.1", 5000);
    cr_expect_eq(run("ping -c 2 -s 1472 -W 2 -q 10.61.0.2 >/dev/null 2>&1"), 0,
                 "full-size pings");
    int n = udp_ask("10.61.0.2", 7, "hello guest", buf, sizeof(buf), 3000);
    cr_expect(n == 11 && !memcmp(buf, "hello guest", 11), "UDP echo from the guest (%d)", n);
    char name[IFNAMSIZ];
    snprintf(name, sizeof(name), "vif%u.0", d);
    cr_expect(in_bridge(name, "pvg0"));
    udp_ask("10.61.0.2", 7, "quit", buf, sizeof(buf), 3000);
    expect_console(d, "net: closed vif0", 10000);
    ASSERT_NODE(r.B, "state", "6", 10000);
}

Test(netback_guest, two_guests_ping_each_other_on_one_bridge)
{
    struct vifrec ra, rb;
    struct vifopt o = { .bridge = "pvg1" };
    char buf[64];

    make_net("pvg1", HOSTNET_HOSTONLY, "10.62.0.0/24");
    uint32_t a = guest_with_vif("gpa", "cmd=net op=serve ip=10.62.0.2", &ra, &o);
    expect_console(a, "net: serving", 30000);
    uint32_t b = guest_with_vif("gpb", "cmd=net op=ping ip=10.62.0.3 dst=10.62.0.2 count=5 "
                                "serve=1", &rb, &o);
    expect_console(b, "net: ping 5 sent 5 received", 30000);
    expect_console(a, "net: ping from 10.62.0.3", 5000);
    /* a pings b back through its UDP port 7? No: the host pings both. */
    cr_expect_eq(run("ping -c 2 -W 2 -q 10.62.0.3 >/dev/null 2>&1"), 0);
    udp_ask("10.62.0.2", 7, "quit", buf, sizeof(buf), 3000);
    udp_ask("10.62.0.3", 7, "quit", buf, sizeof(buf), 3000);
    expect_console(a, "net: closed vif0", 10000);
    expect_console(b, "net: closed vif0", 10000);
}

Test(netback_guest, guest_behind_nat_reaches_a_udp_echo_server_outside)
{
    struct vifrec r;
    struct vifopt o = { .bridge = "pvgnat" };

    make_net("pvgnat", HOSTNET_NAT, "10.63.0.0/24");
    world_start();
    uint32_t d = guest_with_vif("gnat", "cmd=net op=udp-echo-client ip=10.63.0.2 "
                                "gw=10.63.0.1 dst=192.0.2.1 port=7 count=5", &r, &o);
    expect_console(d, "net: udp echo 5 of 5", 30000);
    expect_console(d, "net: closed vif0", 10000);
    world_stop();
}

Test(netback_guest, hostile_guest_gets_errors_another_guest_served)
{
    struct vifrec rh, rg;
    struct vifopt o = { .bridge = "pvgh" };
    char buf[64];

    make_net("pvgh", HOSTNET_HOSTONLY, "10.64.0.0/24");
    uint32_t good = guest_with_vif("ggood", "cmd=net op=serve ip=10.64.0.2", &rg, &o);
    expect_console(good, "net: serving", 30000);
    uint32_t bad = guest_with_vif("gbad", "cmd=net op=hostile ip=10.64.0.3", &rh, &o);
    expect_console(bad, "net: hostile done", 30000);
    cr_expect(strstr(con, "net: hostile badgref status=-1") != NULL, "console:\n%s", con);
    cr_expect(strstr(con, "net: hostile oversize status=-1") != NULL, "console:\n%s", con);
    cr_expect(strstr(con, "net: hostile sane status=0") != NULL, "console:\n%s", con);
    cr_expect(strstr(con, "net: hostile slots status=0") == NULL, "console:\n%s", con);
    /* The endless chain broke the ring: that vif closed with an error. */
    ASSERT_NODE(rh.B, "state", "5", 10000);
    cr_expect(strstr(rd(rh.B, "error"), "broke its tx ring") != NULL, "B/error: %s",
              rd(rh.B, "error"));
    cr_expect(kill(nb_pid, 0) == 0, "pvnetback is alive");
    cr_expect_eq(run("ping -c 3 -i 0.2 -W 2 -q 10.64.0.2 >/dev/null 2>&1"), 0,
                 "the other guest is still served; log:\n%s", nb_log());
    int n = udp_ask("10.64.0.2", 7, "still here", buf, sizeof(buf), 3000);
    cr_expect_eq(n, 10);
    udp_ask("10.64.0.2", 7, "quit", buf, sizeof(buf), 3000);
    expect_console(good, "net: closed vif0", 10000);
}

Test(netback_guest, destroying_the_domain_removes_its_tap)
{
    struct vifrec r;
    struct vifopt o = { .bridge = "pvgd", .mtu = 9000 };
    char name[IFNAMSIZ];

    make_net("pvgd", HOSTNET_HOSTONLY, "10.65.0.0/24");
    uint32_t d = guest_with_vif("gdoomed", "cmd=net op=serve ip=10.65.0.2", &r, &o);
    expect_console(d, "net: serving", 30000);
    cr_expect(strstr(con, "mtu=9000") != NULL, "the guest learns the MTU:\n%s", con);
    snprintf(name, sizeof(name), "vif%u.0", d);
    cr_expect_eq(if_mtu(name), 9000);
    cr_expect_eq(run("ping -c 2 -s 8000 -W 2 -q 10.65.0.2 >/dev/null 2>&1"), 0,
                 "jumbo pings; log:\n%s", nb_log());
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    toolstack_remove(&r);
    cr_expect(wait_if(name, false, 5000), "%s must go with its domain; log:\n%s", name,
              nb_log());
}
