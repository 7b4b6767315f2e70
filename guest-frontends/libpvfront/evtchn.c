/* evtchn.c: event channels: 2-level upcall, binding, handlers, waiting (see pvfront/evtchn.h). */
#include <pvhv/hvm/hvm_op.h>
#include <pvhv/hvm/params.h>
#include <pvhv/sched.h>
#include <pvfront/cmdline.h>
#include <pvfront/evtchn.h>
#include <pvfront/shared_info.h>
#include <pvfront/string.h>

#include "internal.h"

#define NPORTS PVFRONT_EVTCHN_NR_PORTS
_Static_assert(NPORTS == EVTCHN_2L_NR_CHANNELS, "the 2-level port count");
_Static_assert(PVFRONT_MAX_CPUS <= 255, "port_cpu holds a CPU in a byte");

/* A wait that sees its own upcall this late scans by itself (stats.stuck). */
#define STUCK_NS 50000000ULL
/*
 * A wait on another CPU's port sleeps at most this long at a time: that
 * CPU's upcall may take the event between our check and our poll, and
 * the poll would then sleep to the deadline.
 */
#define FOREIGN_SLICE_NS 1000000ULL

/* Global setup: 0 not done, 1 in progress, 2 done, or a negative errno. */
static int state;
static shared_info_t *shared;
/* HVM_PARAM_CALLBACK_IRQ: 0 not tried, 1 set, -1 refused. */
static int callback_state;
/* pvfront.upcall=callback: no per-vCPU vectors, the callback for all. */
static bool callback_only;
/* Per CPU: PVFRONT_EVTCHN_UPCALL_* (OFF until the CPU set itself up). */
static unsigned char cpu_mode[PVFRONT_MAX_CPUS];

/*
 * Per port. fns/args: the handler. fired: set after each event is
 * handled, consumed by pvfront_evtchn_wait. port_cpu: the CPU the port
 * notifies (its scan handles it), as bound here or moved with bind_vcpu.
 */
static pvfront_evtchn_fn fns[NPORTS];
static void *args[NPORTS];
static unsigned char fired[NPORTS];
static unsigned char port_cpu[NPORTS];

static struct pvfront_evtchn_stats stats;

/* ---- bit operations on shared_info (atomic: pvhv writes it concurrently) ---- */

static int bit_test(xen_ulong_t *a, evtchn_port_t p)
{
    return (int)((__atomic_load_n(&a[p / 64], __ATOMIC_ACQUIRE) >> (p % 64)) & 1);
}

static void bit_set(xen_ulong_t *a, evtchn_port_t p)
{
    __atomic_fetch_or(&a[p / 64], 1ULL << (p % 64), __ATOMIC_SEQ_CST);
}

static int bit_test_and_set(xen_ulong_t *a, evtchn_port_t p)
{
    return (int)((__atomic_fetch_or(&a[p / 64], 1ULL << (p % 64), __ATOMIC_SEQ_CST) >>
                  (p % 64)) & 1);
}

static void bit_clear(xen_ulong_t *a, evtchn_port_t p)
{
    __atomic_fetch_and(&a[p / 64], ~(1ULL << (p % 64)), __ATOMIC_SEQ_CST);
}

static int bit_test_and_clear(xen_ulong_t *a, evtchn_port_t p)
{
    return (int)((__atomic_fetch_and(&a[p / 64], ~(1ULL << (p % 64)), __ATOMIC_SEQ_CST) >>
                  (p % 64)) & 1);
}

static void count(uint64_t *c)
{
    __atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* ---- dispatch and the 2-level scan ---- */

static void dispatch(evtchn_port_t port, uint64_t *counter)
{
    pvfront_evtchn_fn fn = __atomic_load_n(&fns[port], __ATOMIC_ACQUIRE);
    void *arg = __atomic_load_n(&args[port], __ATOMIC_RELAXED);

    if (fn)
        fn(port, arg);
    /* After the handler: a waiter that sees the flag sees its effects. */
    __atomic_store_n(&fired[port], 1, __ATOMIC_RELEASE);
    count(counter);
}

/* The 2-level scan for `cpu` (< XEN_LEGACY_MAX_VCPUS), interrupts off. */
static unsigned int scan(unsigned int cpu, uint64_t *counter)
{
    vcpu_info_t *v = &shared->vcpu_info[cpu];
    unsigned int n = 0;

    do {
        /* Cleared first: an event during the scan sets it (and injects) again. */
        __atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
        xen_ulong_t sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned int w = (unsigned int)__builtin_ctzll(sel);
            sel &= sel - 1;
            xen_ulong_t bits = __atomic_load_n(&shared->evtchn_pending[w], __ATOMIC_ACQUIRE) &
                               ~__atomic_load_n(&shared->evtchn_mask[w], __ATOMIC_ACQUIRE);
            while (bits) {
                evtchn_port_t port = w * 64 + (unsigned int)__builtin_ctzll(bits);
                bits &= bits - 1;
                /* Another CPU's port: its own upcall handles it. */
                if (__atomic_load_n(&port_cpu[port], __ATOMIC_RELAXED) != cpu)
                    continue;
                if (bit_test_and_clear(shared->evtchn_pending, port)) {
                    dispatch(port, counter);
                    n++;
                }
            }
        }
    } while (__atomic_load_n(&v->evtchn_upcall_pending, __ATOMIC_ACQUIRE));
    return n;
}

/* The IDT handler of PVFRONT_EVTCHN_VECTOR. */
static int upcall(struct pvfront_trap_frame *f)
{
    unsigned int cpu = pvfront_cpu_id();

    (void)f;
    count(&stats.upcalls);
    /* Acknowledge first, as Linux does: a new upcall during the scan is then not lost. */
    pvfront__lapic_eoi();
    if (shared && cpu < XEN_LEGACY_MAX_VCPUS)
        scan(cpu, &stats.events);
    return 1;
}

/* ---- setup ---- */

static int upcall_on(unsigned int cpu)
{
    int m = cpu < PVFRONT_MAX_CPUS ? cpu_mode[cpu] : PVFRONT_EVTCHN_UPCALL_OFF;
    return m == PVFRONT_EVTCHN_UPCALL_VECTOR || m == PVFRONT_EVTCHN_UPCALL_CALLBACK;
}

/* The domain-wide fallback, set once. */
static int callback_vector(void)
{
    int s = __atomic_load_n(&callback_state, __ATOMIC_ACQUIRE);

    if (s == 0) {
        struct xen_hvm_param p = {
            .domid = DOMID_SELF,
            .index = HVM_PARAM_CALLBACK_IRQ,
            .value = PVHV_HVM_CALLBACK_VECTOR(PVFRONT_EVTCHN_VECTOR),
        };
        s = HYPERVISOR_hvm_op(HVMOP_set_param, &p) == 0 ? 1 : -1;
        __atomic_store_n(&callback_state, s, __ATOMIC_RELEASE);
    }
    return s > 0;
}

static void cpu_setup(unsigned int cpu)
{
    int m = PVFRONT_EVTCHN_UPCALL_POLL;

    if (cpu >= PVFRONT_MAX_CPUS || cpu_mode[cpu] != PVFRONT_EVTCHN_UPCALL_OFF)
        return;
    /* The APIC first: an upcall injected before it is enabled would be dropped. */
    if (cpu < XEN_LEGACY_MAX_VCPUS && pvfront__lapic_enable() > 0) {
        struct xen_hvm_evtchn_upcall_vector u = { .vcpu = cpu, .vector = PVFRONT_EVTCHN_VECTOR };
        if (!callback_only && HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &u) == 0)
            m = PVFRONT_EVTCHN_UPCALL_VECTOR;
        else if (callback_vector())
            m = PVFRONT_EVTCHN_UPCALL_CALLBACK;
    }
    __atomic_store_n(&cpu_mode[cpu], (unsigned char)m, __ATOMIC_RELEASE);
    if (cpu < XEN_LEGACY_MAX_VCPUS) {
        __atomic_store_n(&shared->vcpu_info[cpu].evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
        /*
         * An event that came before the vector was set left
         * evtchn_upcall_pending at 1 with no interrupt behind it, and the
         * hypervisor injects only when it goes from 0 to 1: scan now.
         */
        scan(cpu, &stats.polled);
    }
}

static void ap_hook(unsigned int cpu)
{
    cpu_setup(cpu);
}

static int global_setup(void)
{
    char how[16];

    shared = pvfront_shared_info();
    if (!shared)
        return -XEN_ENOSYS;
    callback_only = pvfront_cmdline_get("pvfront.upcall", how, sizeof how) >= 0 &&
                    !strcmp(how, "callback");
    /* Every port masked before any is bound; binding unmasks each. */
    for (unsigned int w = 0; w < NPORTS / 64; w++)
        __atomic_store_n(&shared->evtchn_mask[w], ~0ULL, __ATOMIC_SEQ_CST);
    pvfront_trap_set_handler(PVFRONT_EVTCHN_VECTOR, upcall);
    pvfront__ap_init_hook = ap_hook;
    __atomic_store_n(&pvfront__evtchn_live, 1, __ATOMIC_RELEASE);
    return 2;
}

int pvfront_evtchn_init(void)
{
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);

    if (s == 0) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            __atomic_store_n(&state, global_setup(), __ATOMIC_RELEASE);
    }
    while ((s = __atomic_load_n(&state, __ATOMIC_ACQUIRE)) == 1)
        pvfront__pause();
    if (s < 0)
        return s;
    cpu_setup(pvfront_cpu_id());
    return 0;
}

int pvfront_evtchn_upcall_mode(unsigned int cpu)
{
    return cpu < PVFRONT_MAX_CPUS ? __atomic_load_n(&cpu_mode[cpu], __ATOMIC_ACQUIRE)
                                  : PVFRONT_EVTCHN_UPCALL_OFF;
}

/* Setup, then the port check shared by every per-port call. */
static int ready(evtchn_port_t port)
{
    int r = pvfront_evtchn_init();

    if (r < 0)
        return r;
    return port < NPORTS ? 0 : -XEN_EINVAL;
}

/* ---- masking ---- */

int pvfront_evtchn_mask(evtchn_port_t port)
{
    int r = ready(port);

    if (r == 0)
        bit_set(shared->evtchn_mask, port);
    return r;
}

int pvfront_evtchn_unmask(evtchn_port_t port)
{
    int r = ready(port);

    if (r < 0)
        return r;
    if (!bit_test(shared->evtchn_pending, port)) {
        bit_clear(shared->evtchn_mask, port);
        if (!bit_test(shared->evtchn_pending, port))
            return 0;
        /*
         * It became pending while still masked, so nobody was notified,
         * and EVTCHNOP_unmask notifies only if it clears the bit itself:
         * mask again and let it.
         */
        bit_set(shared->evtchn_mask, port);
    }
    struct evtchn_unmask u = { .port = port };
    return (int)HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

/* ---- binding ---- */

/* A fresh port: no handler, not fired, on `cpu`, unmasked. */
static int bound(evtchn_port_t port, unsigned int cpu)
{
    if (port >= NPORTS)
        return -XEN_EINVAL; /* beyond the 2-level ABI: the hypervisor is broken */
    __atomic_store_n(&fns[port], NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&args[port], NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&fired[port], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&port_cpu[port], (unsigned char)cpu, __ATOMIC_RELEASE);
    return pvfront_evtchn_unmask(port);
}

int pvfront_evtchn_alloc_unbound(domid_t remote_dom, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote_dom };
    int r = pvfront_evtchn_init();

    if (r == 0)
        r = (int)HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    if (r == 0 && (r = bound(a.port, 0)) == 0)
        *port = a.port;
    return r;
}

int pvfront_evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
                                    evtchn_port_t *port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote_dom, .remote_port = remote_port };
    int r = pvfront_evtchn_init();

    if (r == 0)
        r = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
    if (r == 0 && (r = bound(b.local_port, 0)) == 0)
        *port = b.local_port;
    return r;
}

int pvfront_evtchn_bind_virq(uint32_t virq, unsigned int cpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = cpu };
    int r = pvfront_evtchn_init();

    if (r == 0 && cpu >= PVFRONT_MAX_CPUS)
        r = -XEN_ENOENT; /* a CPU libpvfront never runs */
    if (r == 0)
        r = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);
    if (r == 0 && (r = bound(b.port, cpu)) == 0)
        *port = b.port;
    return r;
}

int pvfront_evtchn_bind_ipi(unsigned int cpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = cpu };
    int r = pvfront_evtchn_init();

    if (r == 0 && cpu >= PVFRONT_MAX_CPUS)
        r = -XEN_ENOENT;
    if (r == 0)
        r = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);
    if (r == 0 && (r = bound(b.port, cpu)) == 0)
        *port = b.port;
    return r;
}

int pvfront_evtchn_bind_vcpu(evtchn_port_t port, unsigned int cpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = cpu };
    int r = ready(port);

    if (r == 0 && cpu >= PVFRONT_MAX_CPUS)
        r = -XEN_ENOENT;
    if (r < 0)
        return r;
    int was_masked = bit_test_and_set(shared->evtchn_mask, port);
    r = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &b);
    if (r == 0)
        __atomic_store_n(&port_cpu[port], (unsigned char)cpu, __ATOMIC_RELEASE);
    if (!was_masked) {
        int u = pvfront_evtchn_unmask(port);
        if (r == 0)
            r = u;
    }
    return r;
}

int pvfront_evtchn_close(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };
    int r = ready(port);

    if (r < 0)
        return r;
    /* Left masked: whoever gets the number next starts silent. */
    bit_set(shared->evtchn_mask, port);
    r = (int)HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    if (r == 0) {
        __atomic_store_n(&fns[port], NULL, __ATOMIC_RELAXED);
        __atomic_store_n(&args[port], NULL, __ATOMIC_RELAXED);
        __atomic_store_n(&fired[port], 0, __ATOMIC_RELAXED);
        __atomic_store_n(&port_cpu[port], 0, __ATOMIC_RELEASE);
    }
    return r;
}

int pvfront_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };
    int r = pvfront_evtchn_init();

    /* No range check here: the hypervisor answers for any port number. */
    return r < 0 ? r : (int)HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

int pvfront_evtchn_set_handler(evtchn_port_t port, pvfront_evtchn_fn fn, void *arg)
{
    int r = ready(port);

    if (r == 0) {
        __atomic_store_n(&args[port], arg, __ATOMIC_RELAXED);
        __atomic_store_n(&fns[port], fn, __ATOMIC_RELEASE);
    }
    return r;
}

/* ---- waiting ---- */

static int take(evtchn_port_t port)
{
    return __atomic_exchange_n(&fired[port], 0, __ATOMIC_ACQ_REL);
}

/* Let a pending upcall in: one instruction with interrupts on. */
static void irq_window(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

static int poll_works = 1;

/* Sleep until `port` is pending or `deadline` (system time, 0: none). */
static void sleep_on(evtchn_port_t port, uint64_t deadline)
{
    evtchn_port_t p = port;
    struct sched_poll sp = { .nr_ports = 1, .timeout = deadline };

    set_xen_guest_handle(sp.ports, &p);
    if (__atomic_load_n(&poll_works, __ATOMIC_RELAXED)) {
        if (HYPERVISOR_sched_op(SCHEDOP_poll, &sp) != -XEN_ENOSYS)
            return;
        __atomic_store_n(&poll_works, 0, __ATOMIC_RELAXED);
    }
    /* No SCHEDOP_poll: the vCPU timer bounds the block; any event ends it. */
    if (deadline)
        HYPERVISOR_set_timer_op(deadline);
    HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

int pvfront_evtchn_wait(evtchn_port_t port, uint64_t timeout_ns)
{
    int r = ready(port);

    if (r < 0)
        return r;
    if (take(port))
        return 0;

    unsigned int cpu = pvfront_cpu_id();
    uint64_t now = pvfront_time_ns();
    uint64_t deadline = timeout_ns > UINT64_MAX - now ? 0 : now + timeout_ns;
    uint64_t overdue_since = 0;

    for (;;) {
        if (upcall_on(cpu))
            irq_window();
        if (take(port))
            return 0;
        now = pvfront_time_ns();
        if (bit_test(shared->evtchn_pending, port)) {
            int ours = upcall_on(cpu) && port_cpu[port] == cpu &&
                       !bit_test(shared->evtchn_mask, port);
            if (!ours) {
                /* Nobody's upcall will take it here: take it ourselves. */
                if (bit_test_and_clear(shared->evtchn_pending, port))
                    dispatch(port, &stats.polled);
                continue;
            }
            /* Ours: the upcall is on its way (the poll woke before the injection). */
            if (!overdue_since) {
                overdue_since = now;
            } else if (now - overdue_since > STUCK_NS) {
                count(&stats.stuck);
                scan(cpu, &stats.polled);
                overdue_since = 0;
                continue;
            }
        } else {
            overdue_since = 0;
        }
        if (deadline && now >= deadline)
            return -XEN_ETIMEDOUT;
        uint64_t until = deadline;
        if (port_cpu[port] != cpu && (!until || until - now > FOREIGN_SLICE_NS))
            until = now + FOREIGN_SLICE_NS;
        sleep_on(port, until);
    }
}

int pvfront_evtchn_clear(evtchn_port_t port)
{
    int r = ready(port);

    if (r == 0) {
        bit_clear(shared->evtchn_pending, port);
        __atomic_store_n(&fired[port], 0, __ATOMIC_RELEASE);
    }
    return r;
}

unsigned int pvfront_evtchn_process(void)
{
    unsigned int cpu = pvfront_cpu_id();

    if (pvfront_evtchn_init() < 0 || cpu >= XEN_LEGACY_MAX_VCPUS)
        return 0;
    return scan(cpu, &stats.polled);
}

void pvfront_evtchn_stats(struct pvfront_evtchn_stats *out)
{
    out->upcalls = __atomic_load_n(&stats.upcalls, __ATOMIC_RELAXED);
    out->events = __atomic_load_n(&stats.events, __ATOMIC_RELAXED);
    out->polled = __atomic_load_n(&stats.polled, __ATOMIC_RELAXED);
    out->stuck = __atomic_load_n(&stats.stuck, __ATOMIC_RELAXED);
}
