/* console_ring.c: the PV console ring (<pvhv/io/console.h>): output into
 * out[], input from in[], the ring's event channel, and waiting for input
 * on it and on VIRQ_CONSOLE (see pvfront/console.h). */
#include <pvhv/hvm/hvm_op.h>
#include <pvhv/hvm/params.h>
#include <pvhv/io/console.h>
#include <pvhv/sched.h>

#include "console_ring.h"
#include "internal.h"

/* Ring setup: not tried yet, being tried (by one CPU), there, or absent. */
enum { RING_UNKNOWN, RING_PROBING, RING_PRESENT, RING_ABSENT };
static int ring_state;
static struct xencons_interface *intf;
static evtchn_port_t ring_port; /* 0: the ring has no event channel */

static struct pvfront_console_stats stats;

/*
 * A lock word per direction: 0 free, else the owner's CPU id + 1. A CPU
 * that finds itself the owner (a trap handler printing while this CPU was
 * inside the ring code) does not wait for itself; a CPU that waits more
 * than LOCK_GIVE_UP_NS (or LOCK_MAX_SPINS, if the clock does not run
 * yet) gives up. Either way the caller skips the ring.
 */
#define LOCK_GIVE_UP_NS 100000000ULL
#define LOCK_MAX_SPINS (1UL << 26)
static unsigned int out_lock, in_lock;

static int lock_take(unsigned int *lock)
{
    unsigned int me = pvfront_cpu_id() + 1;
    uint64_t start = 0;

    if (__atomic_load_n(lock, __ATOMIC_RELAXED) == me)
        return 0;
    for (unsigned long spins = 0;; spins++) {
        unsigned int expected = 0;
        if (__atomic_compare_exchange_n(lock, &expected, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return 1;
        pvfront__pause();
        if (spins >= LOCK_MAX_SPINS)
            return 0;
        if ((spins & 1023) == 1023) {
            uint64_t now = pvfront_time_ns();
            if (!start)
                start = now;
            else if (now - start > LOCK_GIVE_UP_NS)
                return 0;
        }
    }
}

static void lock_drop(unsigned int *lock)
{
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

static void count(uint64_t *c, uint64_t n)
{
    __atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* Is the page at guest-physical `gpa` one the boot stub maps 1:1? */
static int mapped(uint64_t gpa)
{
    if (gpa >= XEN_PAGE_SIZE && gpa <= PVFRONT_MAPPED_LIMIT - XEN_PAGE_SIZE)
        return 1;
    return gpa >= PVHV_SPECIAL_BASE && gpa <= PVHV_SPECIAL_BASE + PVHV_SPECIAL_SIZE - XEN_PAGE_SIZE;
}

static int get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    long r = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

    if (r == 0)
        *value = p.value;
    return (int)r;
}

static int probe(void)
{
    uint64_t pfn = 0, port = 0;

    if (get_param(HVM_PARAM_CONSOLE_PFN, &pfn) < 0 || pfn == 0 ||
        pfn > (UINT64_MAX >> XEN_PAGE_SHIFT) || !mapped(pfn << XEN_PAGE_SHIFT))
        return RING_ABSENT;
    if (get_param(HVM_PARAM_CONSOLE_EVTCHN, &port) < 0 || port >= PVFRONT_EVTCHN_NR_PORTS)
        port = 0;
    intf = (struct xencons_interface *)(uintptr_t)(pfn << XEN_PAGE_SHIFT);
    ring_port = (evtchn_port_t)port;
    return RING_PRESENT;
}

/*
 * 1 if the ring is there. The first call probes it (two get_param calls);
 * a call on another CPU meanwhile does not wait for that and answers 0.
 * Before the hypercall page is set up nothing is decided.
 */
static int ring_ready(void)
{
    int s = __atomic_load_n(&ring_state, __ATOMIC_ACQUIRE);

    if (s == RING_UNKNOWN && pvfront_hypercall_page) {
        int expected = RING_UNKNOWN;
        if (__atomic_compare_exchange_n(&ring_state, &expected, RING_PROBING, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            s = probe();
            __atomic_store_n(&ring_state, s, __ATOMIC_RELEASE);
        } else {
            s = expected;
        }
    }
    return s == RING_PRESENT;
}

/* Signal the daemon: EVTCHNOP_send directly, so that printing does not
 * set up event channels (pvfront_evtchn_init) in kernels that never use
 * them. A send on a port nobody bound yet is dropped by the hypervisor. */
static void notify(void)
{
    if (ring_port) {
        struct evtchn_send s = { .port = ring_port };
        HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
    }
}

/*
 * A full ring with a daemon bound to its port (EVTCHNOP_status says
 * interdomain) is a daemon that has not caught up yet: a write waits for
 * it, yielding the vCPU, at most FULL_WAIT_NS (or FULL_WAIT_YIELDS, if
 * the clock does not run yet). If the daemon took nothing meanwhile,
 * writes stop waiting (stalled) until one finds room again. With no
 * daemon bound a write never waits.
 */
#define FULL_WAIT_NS 100000000ULL
#define FULL_WAIT_YIELDS 20000
static int stalled;

static int daemon_bound(void)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = ring_port };

    return ring_port && HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 &&
           st.status == EVTCHNSTAT_interdomain;
}

/* Put what fits of buf into out[] (under the lock); how many went in. */
static size_t put_output(const char *buf, size_t len)
{
    XENCONS_RING_IDX cons = __atomic_load_n(&intf->out_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->out_prod, __ATOMIC_RELAXED);
    XENCONS_RING_IDX used = prod - cons;
    /* A daemon's out_cons past our prod (or too far behind it) is
     * nonsense: treat the ring as full rather than overwrite. */
    size_t room = used > sizeof(intf->out) ? 0 : sizeof(intf->out) - used;
    size_t n = len < room ? len : room;

    for (size_t i = 0; i < n; i++)
        intf->out[MASK_XENCONS_IDX(prod + (XENCONS_RING_IDX)i, intf->out)] = buf[i];
    /* The bytes before the index that publishes them. */
    __atomic_store_n(&intf->out_prod, prod + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
    return n;
}

int pvfront__console_ring_write(const char *buf, size_t len)
{
    size_t done = 0;
    uint64_t deadline = 0;
    int bound = -1; /* daemon_bound(), asked at the first full ring */

    if (!ring_ready())
        return 0;
    for (unsigned int yields = 0; done < len;) {
        if (!lock_take(&out_lock))
            break;
        size_t n = put_output(buf + done, len - done);
        lock_drop(&out_lock);
        if (n) {
            done += n;
            __atomic_store_n(&stalled, 0, __ATOMIC_RELAXED);
            notify();
            continue;
        }
        /* Full. The lock is not held while waiting: other CPUs carry on. */
        if (__atomic_load_n(&stalled, __ATOMIC_RELAXED))
            break;
        if (bound < 0)
            bound = daemon_bound();
        if (!bound)
            break;
        uint64_t now = pvfront_time_ns();
        if (!deadline)
            deadline = now + FULL_WAIT_NS;
        if (now >= deadline || ++yields > FULL_WAIT_YIELDS) {
            __atomic_store_n(&stalled, 1, __ATOMIC_RELAXED);
            break;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    count(&stats.ring_out, done);
    count(&stats.ring_dropped, len - done);
    return 1;
}

int pvfront__console_ring_read(char *buf, size_t len)
{
    size_t n = 0;

    if (!ring_ready())
        return -1;
    if (!len || !lock_take(&in_lock))
        return 0;
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->in_prod, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX cons = __atomic_load_n(&intf->in_cons, __ATOMIC_RELAXED);
    XENCONS_RING_IDX avail = prod - cons;
    if (avail > sizeof(intf->in)) {
        /* The daemon's prod is nonsense: skip to it rather than read one
         * lap of stale bytes over and over. */
        cons = prod;
        avail = 0;
    }
    n = len < avail ? len : avail;
    for (size_t i = 0; i < n; i++)
        buf[i] = intf->in[MASK_XENCONS_IDX(cons + (XENCONS_RING_IDX)i, intf->in)];
    /* The bytes are read before the space is handed back. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&intf->in_cons, cons + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
    lock_drop(&in_lock);
    count(&stats.ring_in, n);
    if (n)
        notify();
    return (int)n;
}

evtchn_port_t pvfront_console_port(void)
{
    return ring_ready() ? ring_port : 0;
}

void pvfront_console_stats(struct pvfront_console_stats *out)
{
    out->ring_out = __atomic_load_n(&stats.ring_out, __ATOMIC_RELAXED);
    out->ring_dropped = __atomic_load_n(&stats.ring_dropped, __ATOMIC_RELAXED);
    out->ring_in = __atomic_load_n(&stats.ring_in, __ATOMIC_RELAXED);
}

/* ---- waiting for input ---- */

/* Set up by the first pvfront_console_wait (on CPU 0 only, so no race). */
static int wait_ready;
static evtchn_port_t wait_ports[2];
static unsigned int wait_bits[2]; /* PVFRONT_CONSOLE_WOKE_* of each port */
static uint32_t nr_wait_ports;
/* PVFRONT_CONSOLE_WOKE_* bits set by the handlers, taken by the wait. */
static unsigned int woke;

static void on_event(evtchn_port_t port, void *arg)
{
    (void)port;
    __atomic_fetch_or(&woke, (unsigned int)(uintptr_t)arg, __ATOMIC_RELEASE);
}

static void wait_setup(void)
{
    evtchn_port_t virq;

    if (pvfront_evtchn_init() < 0)
        return;
    if (pvfront_evtchn_bind_virq(VIRQ_CONSOLE, 0, &virq) == 0) {
        pvfront_evtchn_set_handler(virq, on_event, (void *)(uintptr_t)PVFRONT_CONSOLE_WOKE_VIRQ);
        wait_bits[nr_wait_ports] = PVFRONT_CONSOLE_WOKE_VIRQ;
        wait_ports[nr_wait_ports++] = virq;
    }
    evtchn_port_t p = pvfront_console_port();
    if (p) {
        /* pvhv made this port, not libpvfront's bind calls: it notifies
         * CPU 0 (where evtchn.c expects an unbound port), masked until now. */
        pvfront_evtchn_set_handler(p, on_event, (void *)(uintptr_t)PVFRONT_CONSOLE_WOKE_RING);
        if (pvfront_evtchn_unmask(p) == 0) {
            wait_bits[nr_wait_ports] = PVFRONT_CONSOLE_WOKE_RING;
            wait_ports[nr_wait_ports++] = p;
        }
    }
}

int pvfront_console_wait(uint64_t timeout_ns)
{
    if (pvfront_cpu_id() != 0)
        return -XEN_EINVAL;
    if (!wait_ready) {
        wait_setup();
        wait_ready = 1;
    }
    if (!nr_wait_ports)
        return -XEN_ENODEV;

    uint64_t now = pvfront_time_ns();
    /* 0 in sched_poll.timeout means none: a deadline of 0 cannot happen
     * (now + timeout_ns >= 1 unless both are 0, handled below). */
    uint64_t deadline = timeout_ns > UINT64_MAX - now ? 0 : now + timeout_ns;

    for (;;) {
        /* Run the handlers of whatever is pending on this CPU... */
        pvfront_evtchn_process();
        /* ...and take our ports' events the scan missed (pending with no
         * selector bit), which would otherwise end every poll at once.
         * Safe: only CPU 0 handles these ports, and it is here. */
        shared_info_t *sh = pvfront_shared_info();
        for (uint32_t i = 0; sh && i < nr_wait_ports; i++) {
            evtchn_port_t p = wait_ports[i];
            xen_ulong_t bit = 1ULL << (p % 64);
            if (__atomic_fetch_and(&sh->evtchn_pending[p / 64], ~bit, __ATOMIC_SEQ_CST) & bit)
                __atomic_fetch_or(&woke, wait_bits[i], __ATOMIC_RELAXED);
        }
        unsigned int w = __atomic_exchange_n(&woke, 0, __ATOMIC_ACQ_REL);
        if (w)
            return (int)w;
        now = pvfront_time_ns();
        if (timeout_ns == 0 || (deadline && now >= deadline))
            return -XEN_ETIMEDOUT;
        struct sched_poll sp = { .nr_ports = nr_wait_ports, .timeout = deadline };
        set_xen_guest_handle(sp.ports, wait_ports);
        /* Returns at once if a port is pending, masked or not. */
        if (HYPERVISOR_sched_op(SCHEDOP_poll, &sp) == -XEN_ENOSYS)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}
