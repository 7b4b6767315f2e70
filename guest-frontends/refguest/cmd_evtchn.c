/* cmd_evtchn.c: event channel commands: ping-pong with dom0 or a guest, VIRQ_TIMER, IPIs. */
#include "refguest.h"

/* Every command's waits: timeout_ms=N on the command line, default 10 s. */
uint64_t refguest_timeout_ns(void)
{
    uint64_t ms = 10000;

    pvfront_cmdline_get_u64("timeout_ms", &ms);
    return ms * 1000000ULL;
}

/* rounds=N (or count=N), default `def`; 0 if the value is not a number. */
static uint64_t rounds_arg(const char *key, uint64_t def)
{
    uint64_t n = def;

    if (pvfront_cmdline_get_u64(key, &n) == -XEN_EINVAL)
        return 0;
    return n;
}

void refguest_evtchn_stats(void)
{
    struct pvfront_evtchn_stats s;

    pvfront_evtchn_stats(&s);
    pvfront_printf("evtchn: stats upcalls=%lu events=%lu polled=%lu stuck=%lu\n",
                   (unsigned long)s.upcalls, (unsigned long)s.events,
                   (unsigned long)s.polled, (unsigned long)s.stuck);
}

/* Wait for `port` or fail the command: prints "<who>: timeout" or the error. */
int refguest_wait(const char *who, evtchn_port_t port)
{
    int r = pvfront_evtchn_wait(port, refguest_timeout_ns());

    if (r == -XEN_ETIMEDOUT)
        pvfront_printf("%s: timeout\n", who);
    else if (r < 0)
        pvfront_printf("%s: wait on port %u failed: %d\n", who, port, r);
    return r;
}

static int send_or_fail(const char *who, evtchn_port_t port)
{
    int r = pvfront_evtchn_send(port);

    if (r < 0)
        pvfront_printf("%s: send on port %u failed: %d\n", who, port, r);
    return r;
}

/* Answer each event on `port` with one, n times. */
static int serve(evtchn_port_t port, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (refguest_wait("evtchn", port) < 0 || send_or_fail("evtchn", port) < 0)
            return 1;
    pvfront_printf("evtchn: %lu round trips\n", (unsigned long)n);
    refguest_evtchn_stats();
    return 0;
}

int cmd_evtchn_dom0(const struct pvfront_boot_info *bi)
{
    uint64_t n = rounds_arg("rounds", 10);
    evtchn_port_t port;

    (void)bi;
    int r = pvfront_evtchn_alloc_unbound(0, &port);
    if (r < 0) {
        pvfront_printf("evtchn: alloc_unbound failed: %d\n", r);
        return 1;
    }
    pvfront_printf("evtchn: port %u\n", port);
    return serve(port, n);
}

int cmd_evtchn_guest(const struct pvfront_boot_info *bi)
{
    char role[16] = "";
    uint64_t peer, rport, n = rounds_arg("rounds", 10);
    evtchn_port_t port;
    int r;

    (void)bi;
    pvfront_cmdline_get("role", role, sizeof role);
    if (pvfront_cmdline_get_u64("peer", &peer) < 0 || peer >= DOMID_FIRST_RESERVED) {
        pvfront_printf("evtchn: need peer=DOMID\n");
        return 1;
    }
    if (!strcmp(role, "server")) {
        r = pvfront_evtchn_alloc_unbound((domid_t)peer, &port);
        if (r < 0) {
            pvfront_printf("evtchn: alloc_unbound failed: %d\n", r);
            return 1;
        }
        pvfront_printf("evtchn: port %u\n", port);
        return serve(port, n);
    }
    if (strcmp(role, "client") != 0) {
        pvfront_printf("evtchn: need role=server or role=client\n");
        return 1;
    }
    if (pvfront_cmdline_get_u64("port", &rport) < 0 || rport > UINT32_MAX) {
        pvfront_printf("evtchn: need port=P\n");
        return 1;
    }
    r = pvfront_evtchn_bind_interdomain((domid_t)peer, (evtchn_port_t)rport, &port);
    if (r < 0) {
        pvfront_printf("evtchn: bind_interdomain %lu:%lu failed: %d\n", (unsigned long)peer,
                       (unsigned long)rport, r);
        return 1;
    }
    pvfront_printf("evtchn: connected to %lu:%lu, local port %u\n", (unsigned long)peer,
                   (unsigned long)rport, port);
    /* The bind left our port pending (Xen does, in case the server sent first); ours speaks first. */
    pvfront_evtchn_clear(port);
    for (uint64_t i = 0; i < n; i++)
        if (send_or_fail("evtchn", port) < 0 || refguest_wait("evtchn", port) < 0)
            return 1;
    pvfront_printf("evtchn: %lu round trips\n", (unsigned long)n);
    refguest_evtchn_stats();
    return 0;
}

/* spin=1: wait for the event without giving the CPU back (no SCHEDOP),
 * checking the port with interrupts off; the timer fires while the vCPU
 * runs the guest. */
static int spin_wait(evtchn_port_t port)
{
    uint64_t end = pvfront_time_ns() + refguest_timeout_ns();
    int r;

    while ((r = pvfront_evtchn_wait(port, 0)) == -XEN_ETIMEDOUT)
        if (pvfront_time_ns() > end) {
            pvfront_printf("virq: timeout\n");
            return r;
        }
    return r;
}

int cmd_virq_timer(const struct pvfront_boot_info *bi)
{
    uint64_t n = rounds_arg("count", 10), min_late = UINT64_MAX, max_late = 0, early = 0;
    uint64_t spin = 0;
    evtchn_port_t port;

    (void)bi;
    pvfront_cmdline_get_u64("spin", &spin);
    if (!pvfront_pvclock()) {
        pvfront_printf("virq: no pvclock, timers unusable\n");
        return 1;
    }
    int r = pvfront_evtchn_bind_virq(VIRQ_TIMER, 0, &port);
    if (r < 0) {
        pvfront_printf("virq: bind_virq VIRQ_TIMER failed: %d\n", r);
        return 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        uint64_t deadline = pvfront_time_ns() + 10000000ULL;
        long t = HYPERVISOR_set_timer_op(deadline);
        if (t < 0) {
            pvfront_printf("virq: set_timer_op failed: %ld\n", t);
            return 1;
        }
        if ((spin ? spin_wait(port) : refguest_wait("virq", port)) < 0)
            return 1;
        uint64_t now = pvfront_time_ns();
        if (now < deadline) {
            early++;
            continue;
        }
        uint64_t late = now - deadline;
        min_late = late < min_late ? late : min_late;
        max_late = late > max_late ? late : max_late;
    }
    pvfront_printf("virq: upcall mode %d\n", pvfront_evtchn_upcall_mode(0));
    pvfront_printf("virq: lateness min %lu us max %lu us, %lu early\n",
                   (unsigned long)(min_late == UINT64_MAX ? 0 : min_late / 1000),
                   (unsigned long)(max_late / 1000), (unsigned long)early);
    refguest_evtchn_stats();
    if (early) {
        pvfront_printf("virq: %lu events came before their deadline\n", (unsigned long)early);
        return 1;
    }
    pvfront_printf("virq: %lu timer events\n", (unsigned long)n);
    return 0;
}

/* The IPI ping-pong: CPU 0 sends on CPU 1's port, CPU 1 answers on CPU 0's. */
static struct {
    evtchn_port_t port[2];
    uint64_t rounds;
    int result; /* CPU 1: 0 running, 1 done, -1 failed */
} ipi;

static void ipi_cpu1(unsigned int cpu, void *arg)
{
    (void)arg;
    if (cpu != 1)
        return;
    for (uint64_t i = 0; i < ipi.rounds; i++) {
        if (refguest_wait("ipi: cpu 1", ipi.port[1]) < 0 ||
            send_or_fail("ipi: cpu 1", ipi.port[0]) < 0) {
            __atomic_store_n(&ipi.result, -1, __ATOMIC_RELEASE);
            return;
        }
    }
    __atomic_store_n(&ipi.result, 1, __ATOMIC_RELEASE);
}

int cmd_ipi(const struct pvfront_boot_info *bi)
{
    if (bi->nr_cpus < 2) {
        pvfront_printf("ipi: needs 2 vcpus, have %u\n", bi->nr_cpus);
        return 1;
    }
    ipi.rounds = rounds_arg("rounds", 10);
    for (unsigned int cpu = 0; cpu < 2; cpu++) {
        int r = pvfront_evtchn_bind_ipi(cpu, &ipi.port[cpu]);
        if (r < 0) {
            pvfront_printf("ipi: bind_ipi on cpu %u failed: %d\n", cpu, r);
            return 1;
        }
    }
    pvfront_printf("ipi: ports %u (cpu 0) and %u (cpu 1)\n", ipi.port[0], ipi.port[1]);
    /* Set up before starting CPU 1, so it sets up its own upcall as it comes up. */
    int r = pvfront_smp_start(ipi_cpu1, NULL);
    if (r < 0) {
        pvfront_printf("ipi: starting vCPUs failed: %d\n", r);
        return 1;
    }
    if (pvfront_smp_wait(2, 5000000000ULL) < 0) {
        pvfront_printf("ipi: cpu 1 did not come up\n");
        return 1;
    }
    for (uint64_t i = 0; i < ipi.rounds; i++)
        if (send_or_fail("ipi", ipi.port[1]) < 0 || refguest_wait("ipi", ipi.port[0]) < 0)
            return 1;
    uint64_t end = pvfront_time_ns() + refguest_timeout_ns();
    while (__atomic_load_n(&ipi.result, __ATOMIC_ACQUIRE) == 0 && pvfront_time_ns() < end)
        __asm__ volatile("pause");
    if (__atomic_load_n(&ipi.result, __ATOMIC_ACQUIRE) != 1) {
        pvfront_printf("ipi: cpu 1 did not finish\n");
        return 1;
    }
    pvfront_printf("ipi: upcall modes cpu0 %d cpu1 %d\n", pvfront_evtchn_upcall_mode(0),
                   pvfront_evtchn_upcall_mode(1));
    refguest_evtchn_stats();
    pvfront_printf("ipi: %lu round trips\n", (unsigned long)ipi.rounds);
    return 0;
}
