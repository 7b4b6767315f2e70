/* net_bench.c: PV network throughput beside a veth pair, in the same run.
 *
 * Everything runs in a network namespace of the benchmark's own (the
 * host's interfaces are never touched). Baseline: UDP through a veth pair
 * between this namespace and a second one. Then the PV path, set up with
 * pvctl as an administrator would (a hostonly network, guests with a vif
 * each): guest->host and guest->guest UDP, reported by the guests' own
 * iperf3-like lines, as Mbit/s, packets/s and the ratio to the veth pair.
 * A benchmark: it prints figures and asserts nothing.
 *
 * Usage: net_bench [BUILD] (default build). Needs root, /dev/kvm and
 * /dev/net/tun, ip (iproute2) and nft.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

#define SECONDS 2
#define PAYLOAD 1472 /* a full 1500-byte frame of UDP, as the guests send */
#define PORT 5201

static char build[512], rundir[64];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run pvctl on our run directory; its exit status. */
static int pvctl(const char *args)
{
    return bench_sh("%s/bin/pvctl --rundir %s %s > /dev/null 2>&1", build, rundir, args);
}

struct rate {
    double mbit, pps;
    bool ok;
};

/* Receive UDP on `fd` until `seconds` pass after the first datagram, or 1 s
 * of silence. */
static struct rate udp_receive(int fd, double seconds)
{
    static char buf[65536];
    double first = 0, last = 0;
    uint64_t bytes = 0, pkts = 0;
    struct rate r = { 0 };

    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, pkts ? 1000 : 10000) <= 0)
            break;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            continue;
        last = now_s();
        if (!pkts)
            first = last;
        bytes += (uint64_t)n;
        pkts++;
        if (last - first >= seconds)
            break;
    }
    if (pkts > 1 && last > first) {
        r.mbit = (double)bytes * 8 / (last - first) / 1e6;
        r.pps = (double)pkts / (last - first);
        r.ok = true;
    }
    return r;
}

static int udp_socket(const char *ip, int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), big = 8 << 20;

    inet_pton(AF_INET, ip, &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("net_bench: bind");
        exit(1);
    }
    return fd;
}

/* Baseline: a sender in a second namespace blasts UDP through a veth pair
 * at a receiver here. */
static struct rate veth_baseline(void)
{
    int ready[2], go[2];
    struct rate r;

    if (pipe(ready) < 0 || pipe(go) < 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (unshare(CLONE_NEWNET) < 0)
            _exit(1);
        if (write(ready[1], "n", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        if (bench_sh("ip link set lo up && ip addr add 192.0.2.2/24 dev vb && ip link set vb up"))
            _exit(2);
        struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PORT) };
        inet_pton(AF_INET, "192.0.2.1", &to.sin_addr);
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        static char buf[PAYLOAD];
        double end = now_s() + SECONDS + 0.5;
        while (now_s() < end)
            sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to));
        _exit(0);
    }
    char c;
    if (read(ready[0], &c, 1) != 1 ||
        bench_sh("ip link add va type veth peer name vb netns %d && ip addr add 192.0.2.1/24 dev va"
           " && ip link set va up", (int)pid)) {
        fprintf(stderr, "net_bench: cannot make the veth pair\n");
        exit(1);
    }
    int fd = udp_socket("192.0.2.1", PORT);
    if (write(go[1], "g", 1) != 1)
        exit(1);
    r = udp_receive(fd, SECONDS);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    close(fd);
    waitpid(pid, NULL, 0);
    bench_sh("ip link del va 2>/dev/null");
    return r;
}

/* The figure a guest printed: "net: OP ... Mbit/s=Z pps=W" in its log. */
static struct rate guest_rate(const char *name, const char *op, double wait_s)
{
    char path[256], line[512], key[64];
    struct rate r = { 0 };

    snprintf(path, sizeof(path), "%s/console/%s.log", rundir, name);
    snprintf(key, sizeof(key), "net: %s bytes=", op);
    for (double end = now_s() + wait_s; now_s() < end && !r.ok; usleep(100000)) {
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof(line), f)) {
            char *p = strstr(line, key), *m, *q;
            if (p && (m = strstr(p, "Mbit/s=")) && (q = strstr(p, "pps="))) {
                r.mbit = atof(m + 7);
                r.pps = atof(q + 4);
                r.ok = true;
            }
        }
        if (f)
            fclose(f);
    }
    return r;
}

static void guest(const char *name, const char *cmdline, const char *mac)
{
    char cfg[256];
    FILE *f;

    snprintf(cfg, sizeof(cfg), "%s/%s.cfg", rundir, name);
    f = fopen(cfg, "w");
    if (!f)
        exit(1);
    fprintf(f, "name = \"%s\"\nkernel = \"%s/guests/refguest.elf\"\nmemory = 64\n"
               "cmdline = \"%s\"\nvif = [ 'bridge=pvbench, mac=%s' ]\n",
            name, build, cmdline, mac);
    fclose(f);
    char args[512];
    snprintf(args, sizeof(args), "create -q %s", cfg);
    if (pvctl(args)) {
        fprintf(stderr, "net_bench: pvctl %s failed\n", args);
        exit(1);
    }
}

static void report(const char *what, struct rate r, struct rate base)
{
    if (!r.ok) {
        printf("  %-32s %10s\n", what, "missing");
        return;
    }
    printf("  %-32s %10.1f %10.0f", what, r.mbit, r.pps);
    if (base.ok)
        printf("   %5.2fx veth", r.mbit / base.mbit);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (bench_build_dir(argc > 1 ? argv[1] : NULL, build, sizeof(build)) < 0) {
        fprintf(stderr, "net_bench: no build tree at %s\n", argc > 1 ? argv[1] : "build");
        return 1;
    }
    if (access("/dev/net/tun", R_OK | W_OK) < 0 || access("/dev/kvm", R_OK | W_OK) < 0) {
        fprintf(stderr, "net_bench: needs /dev/kvm and /dev/net/tun (root)\n");
        return 1;
    }
    if (unshare(CLONE_NEWNET) < 0) {
        perror("net_bench: unshare(CLONE_NEWNET)");
        return 1;
    }
    bench_sh("ip link set lo up");
    strcpy(rundir, "/tmp/pvhv-netbench-XXXXXX");
    if (!mkdtemp(rundir))
        return 1;

    struct rate veth = veth_baseline();

    if (pvctl("net-create pvbench mode=hostonly subnet=10.98.0.0/24")) {
        fprintf(stderr, "net_bench: cannot create the hostonly network (nft installed?)\n");
        return 1;
    }
    /* guest -> host: the host receives, the guest reports what it sent */
    int fd = udp_socket("10.98.0.1", PORT);
    guest("tx", "cmd=net op=udp-send ip=10.98.0.2 dst=10.98.0.1 seconds=2", "00:16:3e:98:00:02");
    struct rate host_rx = udp_receive(fd, SECONDS);
    struct rate g_tx = guest_rate("tx", "udp-send", 10);
    close(fd);
    pvctl("destroy tx");

    /* guest -> guest on the same bridge */
    guest("rx", "cmd=net op=udp-recv ip=10.98.0.3 seconds=2 timeout_ms=20000",
          "00:16:3e:98:00:03");
    guest("tx2", "cmd=net op=udp-send ip=10.98.0.4 dst=10.98.0.3 seconds=2",
          "00:16:3e:98:00:04");
    struct rate gg_rx = guest_rate("rx", "udp-recv", 30);
    struct rate gg_tx = guest_rate("tx2", "udp-send", 5);

    printf("network: UDP, %d-byte payloads, %d s each (Mbit/s of payload, packets/s)\n",
           PAYLOAD, SECONDS);
    report("veth pair, namespace to namespace", veth, (struct rate){ 0 });
    report("guest -> host (guest sent)", g_tx, veth);
    report("guest -> host (host received)", host_rx, veth);
    report("guest -> guest (sender)", gg_tx, veth);
    report("guest -> guest (receiver)", gg_rx, veth);

    bench_sh("%s/bin/pvctl --rundir %s host stop -f > /dev/null 2>&1", build, rundir);
    pvctl("net-destroy pvbench");
    bench_sh("rm -rf %s", rundir);
    return 0;
}
