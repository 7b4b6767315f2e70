/* cmd_pvbench.c: the `pvbench` command: the guest half of bench/pvbench.
 * role=main times pvhv's paths from inside a guest (hypercalls, a trapped
 * MSR write, the scratch device, event channels, grants, a ring against an
 * emulated device); role=peer is the second guest it talks to. */
#include <pvhv/pvhv_hypercall.h>
#include <pvhv/pvhv_platform.h>
#include <pvhv/version.h>

#include "pvbench_proto.h"
#include "refguest.h"

#define MAX_RUNS 9
#define MAX_K 32768 /* operations per run */
#define MIN_K 16
#define CALIBRATE_OPS 8
#define MULTICALL_MAX 32
/* Where the peer's grant is mapped: identity-mapped by libpvfront, not RAM. */
#define MAP_GPA 0x40000000UL

/* One TSC delta per operation, run after run; base_samples for the
 * baseline timed between the runs of figures compared with another guest
 * figure. */
static uint32_t samples[MAX_RUNS * MAX_K];
static uint32_t base_samples[MAX_RUNS * MAX_K];

static struct {
    evtchn_port_t kick, rt, ring, sync; /* ours, bound by dom0 */
    evtchn_port_t peer;                 /* ours, bound to the peer's */
    domid_t peer_dom;
    grant_ref_t peer_ref;               /* the first of PVBENCH_PEER_PAGES */
    pvbench_front_ring_t front;
    uint8_t *copy_src;                  /* PVBENCH_COPY_PAGES pages of ours */
    uint8_t *msr_page;                  /* filled by pvhv on each wrmsr */
    volatile struct pvbench_control *control; /* in the page dom0 maps */
    uint64_t runs, run_ticks;
    uint32_t nsync;                     /* syncs with dom0 so far */
    uint32_t seq;
    unsigned gp_hits;
} pb;

static multicall_entry_t calls[MULTICALL_MAX];
static struct gnttab_copy copies[PVBENCH_COPY_PAGES];

/* ---- statistics (integers only: no floating point in the guest) ---- */

static void sift(uint32_t *v, size_t n, size_t i)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < n && v[l] > v[big])
            big = l;
        if (r < n && v[r] > v[big])
            big = r;
        if (big == i)
            return;
        uint32_t t = v[i];
        v[i] = v[big];
        v[big] = t;
        i = big;
    }
}

/* Heap sort: in place, O(n log n), no recursion. */
static void sort(uint32_t *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(v, n, i);
    for (size_t end = n; end-- > 1;) {
        uint32_t t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift(v, end, 0);
    }
}

static unsigned long ns(uint32_t ticks)
{
    return (unsigned long)pvfront_tsc_to_ns(ticks);
}

/*
 * How fast this vCPU executes plain instructions: 1000 rounds of a
 * two-instruction loop, the fastest of three tries, in ns. Well under a
 * microsecond natively; ~1.4 ms in PVM's instruction emulator.
 */
static unsigned long speed_probe(void)
{
    uint64_t best = UINT64_MAX;

    for (int i = 0; i < 3; i++) {
        unsigned n = 1000;
        uint64_t t = pvfront_rdtsc();
        __asm__ volatile("1: dec %0; jnz 1b" : "+r"(n));
        uint64_t d = pvfront_rdtsc() - t;
        best = d < best ? d : best;
    }
    return (unsigned long)pvfront_tsc_to_ns(best);
}

/* "pvbench: fig ID sync=S,T runs=R k=K min=A median=B p99=C
 * run_medians=M,... probe=P,Q" */
static void report(const char *id, uint32_t before, uint32_t after, uint64_t k,
                   unsigned long probe[2], uint64_t kb)
{
    size_t n = (size_t)(pb.runs * k), nb = (size_t)(pb.runs * kb);

    /* Everything first, then one line: a guest stopped meanwhile leaves
     * no half line behind. */
    unsigned long med[MAX_RUNS];
    for (uint64_t r = 0; r < pb.runs; r++) {
        sort(samples + r * k, (size_t)k);
        med[r] = ns(samples[r * k + k / 2]);
    }
    sort(samples, n);
    if (nb)
        sort(base_samples, nb);
    pvfront_printf("pvbench: fig %s sync=%u,%u runs=%lu k=%lu", id, before, after,
                   (unsigned long)pb.runs, (unsigned long)k);
    pvfront_printf(" min=%lu median=%lu p99=%lu run_medians=", ns(samples[0]),
                   ns(samples[n / 2]), ns(samples[n * 99 / 100]));
    for (uint64_t r = 0; r < pb.runs; r++)
        pvfront_printf("%s%lu", r ? "," : "", med[r]);
    pvfront_printf(" probe=%lu,%lu", probe[0], probe[1]);
    if (nb)
        pvfront_printf(" base=%lu,%lu,%lu,%lu", ns(base_samples[0]), ns(base_samples[nb / 2]),
                       ns(base_samples[nb * 99 / 100]), (unsigned long)kb);
    pvfront_printf("\n");
}

/* ---- the dom0 handshake around each figure ---- */

/*
 * Tell dom0 where we are (pvbench_proto.h) and wait for its answer:
 * meanwhile it takes pvhv's view of our vCPU (mode, emulated
 * instructions), so that no figure is reported from an emulated vCPU, and
 * times the figure's raw baseline. *n gets the handshake's number.
 */
static int sync_dom0(const char *id, uint32_t phase, uint32_t run, uint32_t *n)
{
    volatile struct pvbench_control *c = pb.control;

    c->seq = pb.nsync;
    c->phase = phase;
    c->run = run;
    size_t i = 0;
    for (; id[i] && i < sizeof(c->id) - 1; i++)
        c->id[i] = id[i];
    c->id[i] = 0;
    xen_wmb(); /* the block before the event */
    if (pvfront_evtchn_send(pb.sync) < 0 || refguest_wait("pvbench", pb.sync) < 0)
        return -1;
    *n = pb.nsync++;
    return 0;
}

/* K for `op`: operations in about run_ms, after CALIBRATE_OPS untimed. */
static int calibrate(int (*op)(void *), void *arg, uint64_t *k)
{
    uint64_t t0 = pvfront_rdtsc();
    for (int i = 0; i < CALIBRATE_OPS; i++)
        if (op(arg) < 0)
            return -1;
    uint64_t per = (pvfront_rdtsc() - t0) / CALIBRATE_OPS;
    *k = per ? pb.run_ticks / per : MAX_K;
    *k = *k < MIN_K ? MIN_K : *k > MAX_K ? MAX_K : *k;
    return 0;
}

/* One run of k timed operations into s. */
static int timed_run(int (*op)(void *), void *arg, uint64_t k, uint32_t *s)
{
    for (uint64_t i = 0; i < k; i++) {
        uint64_t t = pvfront_rdtsc();
        int rc = op(arg);
        uint64_t d = pvfront_rdtsc() - t;
        if (rc < 0)
            return -1;
        s[i] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    return 0;
}

/*
 * Time `op` pb.runs times K times, K chosen so that one run takes about
 * run_ms, with a dom0 handshake before each run and after the last; then
 * print the figure. Returns 0, or -1 after printing what failed. With
 * `base` (the figure's baseline, itself a guest figure) too: it is
 * timed for a run right before each run of `op`, so both see the machine
 * at the same moments ("base=" on the figure's line).
 */
static int measure_paired(const char *id, int (*op)(void *), void *arg, int (*base)(void *),
                          void *base_arg)
{
    uint32_t before, after, n;
    uint64_t k, kb = 0;

    if (calibrate(op, arg, &k) < 0 || (base && calibrate(base, base_arg, &kb) < 0))
        goto failed;

    unsigned long probe[2];
    if (sync_dom0(id, PVBENCH_PHASE_BEFORE, 0, &before) < 0)
        return -1;
    probe[0] = speed_probe();
    for (uint64_t r = 0; r < pb.runs; r++) {
        if (r && sync_dom0(id, PVBENCH_PHASE_RUN, (uint32_t)r, &n) < 0)
            return -1;
        if ((base && timed_run(base, base_arg, kb, base_samples + r * kb) < 0) ||
            timed_run(op, arg, k, samples + r * k) < 0)
            goto failed;
    }
    probe[1] = speed_probe();
    if (sync_dom0(id, PVBENCH_PHASE_AFTER, 0, &after) < 0)
        return -1;
    report(id, before, after, k, probe, kb);
    return 0;
failed:
    pvfront_printf("pvbench: %s failed\n", id);
    return -1;
}

static int measure(const char *id, int (*op)(void *), void *arg)
{
    return measure_paired(id, op, arg, NULL, NULL);
}

/* ---- the operations ---- */

static int op_null_hypercall(void *arg)
{
    (void)arg;
    return HYPERVISOR_xen_version(XENVER_version, NULL) < 0 ? -1 : 0;
}

static int op_multicall(void *arg)
{
    unsigned n = (unsigned)(uintptr_t)arg;

    if (HYPERVISOR_multicall(calls, n) < 0)
        return -1;
    return (long)calls[n - 1].result < 0 ? -1 : 0;
}

static void wrmsr(uint32_t index, uint64_t value)
{
    __asm__ volatile("wrmsr" ::"c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                     : "memory");
}

/* Xen's hypercall-page MSR: pvhv takes the exit and fills the page. */
static int op_wrmsr(void *arg)
{
    (void)arg;
    wrmsr(PVHV_XEN_HYPERCALL_MSR, (uintptr_t)pb.msr_page);
    return 0;
}

static int on_gp(struct pvfront_trap_frame *f)
{
    f->rip += 2; /* wrmsr */
    pb.gp_hits++;
    return 1;
}

/* cpuid leaf 0: answered below pvhv (PVM's outer hypervisor, or KVM). */
static int op_cpuid(void *arg)
{
    uint32_t a = 0, b, c = 0, d;

    (void)arg;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return 0;
}

static int op_port_write(void *arg)
{
    (void)arg;
    __asm__ volatile("outl %0, %1" ::"a"(++pb.seq), "Nd"((uint16_t)PVHV_SCRATCH_PORT));
    return 0;
}

static int op_port_read(void *arg)
{
    uint32_t v;

    (void)arg;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)PVHV_SCRATCH_PORT));
    return v == pb.seq ? 0 : -1;
}

#define SCRATCH ((volatile uint32_t *)(uintptr_t)PVHV_SCRATCH_MMIO_GPA)

static int op_mmio_write(void *arg)
{
    (void)arg;
    *SCRATCH = ++pb.seq;
    return 0;
}

static int op_mmio_read(void *arg)
{
    (void)arg;
    return *SCRATCH == pb.seq ? 0 : -1;
}

/* The emulated-device round trip: the request written to the register,
 * the response read back from it (two exits, as a device's doorbell and
 * status registers). */
static int op_device_rt(void *arg)
{
    uint32_t v = ++pb.seq * 2654435761u;

    (void)arg;
    *SCRATCH = v;
    return *SCRATCH == v ? 0 : -1;
}

static int op_kick(void *arg)
{
    (void)arg;
    return pvfront_evtchn_send(pb.kick) < 0 ? -1 : 0;
}

/* Send on `port`, wait for the answer on it. */
static int op_round_trip(void *arg)
{
    evtchn_port_t port = *(evtchn_port_t *)arg;

    if (pvfront_evtchn_send(port) < 0)
        return -1;
    return refguest_wait("pvbench", port) < 0 ? -1 : 0;
}

static int op_grant_map(void *arg)
{
    struct gnttab_map_grant_ref m = {
        .host_addr = MAP_GPA, .flags = GNTMAP_host_map,
        .ref = pb.peer_ref + PVBENCH_COPY_PAGES, .dom = pb.peer_dom,
    };

    (void)arg;
    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1) < 0 || m.status != GNTST_okay)
        return -1;
    struct gnttab_unmap_grant_ref u = { .host_addr = MAP_GPA, .handle = m.handle };
    if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1) < 0 || u.status != GNTST_okay)
        return -1;
    return 0;
}

static int op_grant_copy(void *arg)
{
    unsigned n = (unsigned)(uintptr_t)arg;

    if (HYPERVISOR_grant_table_op(GNTTABOP_copy, copies, n) < 0)
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (copies[i].status != GNTST_okay)
            return -1;
    return 0;
}

/* Copies of `bytes` from our pages to the peer's grants, a page per op. */
static unsigned prepare_copies(uint32_t bytes)
{
    unsigned n = bytes > XEN_PAGE_SIZE ? bytes / XEN_PAGE_SIZE : 1;

    for (unsigned i = 0; i < n; i++)
        copies[i] = (struct gnttab_copy){
            .source = { .u.gmfn = pvfront_gfn(pb.copy_src + i * XEN_PAGE_SIZE),
                        .domid = DOMID_SELF },
            .dest = { .u.ref = pb.peer_ref + i, .domid = pb.peer_dom },
            .len = (uint16_t)(bytes < XEN_PAGE_SIZE ? bytes : XEN_PAGE_SIZE),
            .flags = GNTCOPY_dest_gref,
        };
    return n;
}

/* The ring round trip: one request, then its response (dom0 echoes it). */
static int op_ring_rt(void *arg)
{
    pvbench_front_ring_t *f = &pb.front;
    uint32_t id = ++pb.seq, value = id * 2654435761u;
    int notify, more;

    (void)arg;
    struct pvbench_request *req = RING_GET_REQUEST(f, f->req_prod_pvt);
    req->id = id;
    req->value = value;
    f->req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(f, notify);
    if (notify && pvfront_evtchn_send(pb.ring) < 0)
        return -1;
    for (;;) {
        RING_IDX rp = PVHV_RING_READ_IDX(f->sring->rsp_prod);
        xen_rmb();
        if (RING_RESPONSE_PROD_OVERFLOW(f, rp))
            return -1;
        if (f->rsp_cons != rp) {
            struct pvbench_response rsp = *RING_GET_RESPONSE(f, f->rsp_cons);
            f->rsp_cons++;
            return rsp.id == id && rsp.value == value ? 0 : -1;
        }
        RING_FINAL_CHECK_FOR_RESPONSES(f, more);
        if (!more && refguest_wait("pvbench", pb.ring) < 0)
            return -1;
    }
}

/* ---- setup ---- */

/*
 * Map the scratch register's MMIO page (uncached) into our page tables:
 * libpvfront maps the hole below 4 GiB only where the APIC and pvhv's
 * special pages are. Walks the tables from cr3 (identity-mapped); the
 * entry was empty, so no TLB holds it.
 */
static int map_scratch_page(void)
{
    const uint64_t P = 1, RW = 2, US = 4, PWT = 8, PCD = 0x10, PS = 0x80;
    const uint64_t ADDR = 0x000ffffffffff000ULL;
    uint64_t va = PVHV_SCRATCH_MMIO_GPA, cr3, *table;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    table = (uint64_t *)(uintptr_t)(cr3 & ADDR);
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t e = table[(va >> shift) & 511];
        if (!(e & P) || (e & PS))
            return -1; /* not the layout libpvfront builds */
        table = (uint64_t *)(uintptr_t)(e & ADDR);
    }
    table[(va >> 12) & 511] = va | P | RW | US | PWT | PCD;
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
    return 0;
}

/* role=peer: grant pages to the measuring guest and answer its events. */
static int run_peer(const struct pvfront_boot_info *bi, domid_t main_dom)
{
    uint8_t *frame = (uint8_t *)bi->free_start, *pages = frame + XEN_PAGE_SIZE;
    grant_ref_t first = 0, ref;
    evtchn_port_t port;
    int r;

    if (bi->free_end - bi->free_start < (PVBENCH_PEER_PAGES + 1) * XEN_PAGE_SIZE) {
        pvfront_printf("pvbench: not enough free RAM\n");
        return 1;
    }
    if ((r = pvfront_gnttab_init(frame, 1)) < 0) {
        pvfront_printf("pvbench: grant table failed: %d\n", r);
        return 1;
    }
    for (unsigned i = 0; i < PVBENCH_PEER_PAGES; i++) {
        r = pvfront_gnttab_grant_access(main_dom, pvfront_gfn(pages + i * XEN_PAGE_SIZE), 0,
                                        &ref);
        if (r < 0 || (i && ref != first + i)) {
            pvfront_printf("pvbench: grant failed: %d\n", r);
            return 1;
        }
        if (i == 0)
            first = ref;
    }
    if ((r = pvfront_evtchn_alloc_unbound(main_dom, &port)) < 0) {
        pvfront_printf("pvbench: alloc_unbound failed: %d\n", r);
        return 1;
    }
    pvfront_printf("pvbench: peer port=%u ref=%u pages=%u\n", port, first, PVBENCH_PEER_PAGES);
    /* Until pvbench destroys us: answer each event with one. */
    for (;;) {
        r = pvfront_evtchn_wait(port, UINT64_MAX);
        if (r < 0 || (r = pvfront_evtchn_send(port)) < 0) {
            pvfront_printf("pvbench: peer event failed: %d\n", r);
            return 1;
        }
    }
}

/* role=main: the ports and grants dom0 needs, then wait for its go. */
static int setup_main(const struct pvfront_boot_info *bi)
{
    uint8_t *frame = (uint8_t *)bi->free_start;
    uint8_t *ring_page = frame + XEN_PAGE_SIZE, *map_page = ring_page + XEN_PAGE_SIZE;
    uint8_t *control_page = map_page + XEN_PAGE_SIZE;
    grant_ref_t ring_ref, map_ref, control_ref;
    evtchn_port_t *dom0_ports[] = { &pb.kick, &pb.rt, &pb.ring, &pb.sync };
    uint64_t peer = 0, pport = 0, pref = 0, run_ms = 100;
    int r;

    pb.copy_src = control_page + XEN_PAGE_SIZE;
    pb.msr_page = pb.copy_src + PVBENCH_COPY_PAGES * XEN_PAGE_SIZE;
    if ((uintptr_t)(pb.msr_page + XEN_PAGE_SIZE) > bi->free_end) {
        pvfront_printf("pvbench: not enough free RAM\n");
        return -1;
    }
    if (pvfront_cmdline_get_u64("peer", &peer) < 0 || peer >= DOMID_FIRST_RESERVED ||
        pvfront_cmdline_get_u64("peer_port", &pport) < 0 ||
        pvfront_cmdline_get_u64("peer_ref", &pref) < 0) {
        pvfront_printf("pvbench: need peer=D peer_port=P peer_ref=R\n");
        return -1;
    }
    pb.peer_dom = (domid_t)peer;
    pb.peer_ref = (grant_ref_t)pref;
    pb.runs = 5;
    pvfront_cmdline_get_u64("runs", &pb.runs);
    pvfront_cmdline_get_u64("run_ms", &run_ms);
    if (pb.runs < 1 || pb.runs > MAX_RUNS || run_ms < 1 || run_ms > 10000) {
        pvfront_printf("pvbench: runs=1..%d run_ms=1..10000\n", MAX_RUNS);
        return -1;
    }
    pb.run_ticks = run_ms * bi->tsc_khz;
    if (!pb.run_ticks || !pvfront_pvclock()) {
        pvfront_printf("pvbench: no pvclock TSC rate, cannot time anything\n");
        return -1;
    }

    if ((r = pvfront_gnttab_init(frame, 1)) < 0 ||
        (r = pvfront_gnttab_grant_access(0, pvfront_gfn(ring_page), 0, &ring_ref)) < 0 ||
        (r = pvfront_gnttab_grant_access(0, pvfront_gfn(map_page), 0, &map_ref)) < 0 ||
        (r = pvfront_gnttab_grant_access(0, pvfront_gfn(control_page), 1, &control_ref)) < 0) {
        pvfront_printf("pvbench: grant failed: %d\n", r);
        return -1;
    }
    pb.control = (volatile struct pvbench_control *)control_page;
    pvbench_sring_t *sring = (pvbench_sring_t *)ring_page;
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&pb.front, sring, XEN_PAGE_SIZE);
    for (unsigned i = 0; i < sizeof(dom0_ports) / sizeof(dom0_ports[0]); i++)
        if ((r = pvfront_evtchn_alloc_unbound(0, dom0_ports[i])) < 0) {
            pvfront_printf("pvbench: alloc_unbound failed: %d\n", r);
            return -1;
        }
    r = pvfront_evtchn_bind_interdomain(pb.peer_dom, (evtchn_port_t)pport, &pb.peer);
    if (r < 0) {
        pvfront_printf("pvbench: bind to the peer's port failed: %d\n", r);
        return -1;
    }
    pvfront_evtchn_clear(pb.peer); /* the bind leaves it pending */
    if (map_scratch_page() < 0) {
        pvfront_printf("pvbench: cannot map the scratch MMIO page\n");
        return -1;
    }
    for (unsigned i = 0; i < MULTICALL_MAX; i++)
        calls[i] = (multicall_entry_t){ .op = __HYPERVISOR_xen_version,
                                        .args = { XENVER_version, 0 } };
    pvfront_printf("pvbench: dom0 kick=%u rt=%u ring=%u sync=%u ring_ref=%u map_ref=%u "
                   "control_ref=%u\n",
                   pb.kick, pb.rt, pb.ring, pb.sync, ring_ref, map_ref, control_ref);
    /* dom0 binds, maps, times its own side, then says go. */
    return refguest_wait("pvbench", pb.sync) < 0 ? -1 : 0;
}

/* Does wrmsr of Xen's MSR reach its handler here, or raise #GP? */
static int wrmsr_reaches_pvhv(void)
{
    pvfront_trap_fn old = pvfront_trap_set_handler(13, on_gp);

    pb.gp_hits = 0;
    op_wrmsr(NULL);
    pvfront_trap_set_handler(13, old);
    return pb.gp_hits == 0;
}

int cmd_pvbench(const struct pvfront_boot_info *bi)
{
    char role[8] = "main";
    uint64_t main_dom = 0;

    pvfront_cmdline_get("role", role, sizeof role);
    if (!strcmp(role, "peer")) {
        if (pvfront_cmdline_get_u64("peer", &main_dom) < 0 || main_dom >= DOMID_FIRST_RESERVED) {
            pvfront_printf("pvbench: need peer=D\n");
            return 1;
        }
        return run_peer(bi, (domid_t)main_dom);
    }
    if (strcmp(role, "main") != 0) {
        pvfront_printf("pvbench: role=main or role=peer\n");
        return 1;
    }
    if (setup_main(bi) < 0)
        return 1;

    static const uint32_t copy_bytes[] = { 64, 512, 4096, 65536 };
    static const char *const copy_ids[] = { "gnt.copy_64", "gnt.copy_512", "gnt.copy_4k",
                                            "gnt.copy_64k" };
/* A failed figure ends the command: the rest would only wait on timeouts. */
#define RUN(id, op, arg)                     \
    do {                                     \
        if (measure(id, op, arg) < 0)        \
            return 1;                        \
    } while (0)
#define RUN_VS(id, op, arg, base)                           \
    do {                                                    \
        if (measure_paired(id, op, arg, base, NULL) < 0)    \
            return 1;                                       \
    } while (0)
    RUN("hc.null", op_null_hypercall, NULL);
    RUN_VS("hc.multicall_1", op_multicall, (void *)(uintptr_t)1, op_null_hypercall);
    RUN_VS("hc.multicall_8", op_multicall, (void *)(uintptr_t)8, op_null_hypercall);
    RUN_VS("hc.multicall_32", op_multicall, (void *)(uintptr_t)32, op_null_hypercall);
    if (wrmsr_reaches_pvhv())
        RUN("trap.wrmsr", op_wrmsr, NULL);
    else
        pvfront_printf("pvbench: skip trap.wrmsr: wrmsr 0x%x raised #GP here\n",
                       PVHV_XEN_HYPERCALL_MSR);
    RUN("trap.cpuid", op_cpuid, NULL);
    RUN("emul.port_write", op_port_write, NULL);
    RUN("emul.port_read", op_port_read, NULL);
    RUN("emul.mmio_write", op_mmio_write, NULL);
    RUN("emul.mmio_read", op_mmio_read, NULL);
    RUN("evt.kick_dom0", op_kick, NULL);
    pvfront_evtchn_clear(pb.rt);
    RUN("evt.rt_dom0", op_round_trip, &pb.rt);
    RUN("evt.rt_guest", op_round_trip, &pb.peer);
    for (unsigned i = 0; i < sizeof(copy_bytes) / sizeof(copy_bytes[0]); i++)
        RUN_VS(copy_ids[i], op_grant_copy, (void *)(uintptr_t)prepare_copies(copy_bytes[i]),
               op_null_hypercall);
    RUN_VS("ring.rt", op_ring_rt, NULL, op_device_rt);
    RUN("emul.device_rt", op_device_rt, NULL);
    /* Last: on PVM, the memslot churn of many grant maps can knock this
     * vCPU out of native mode (docs/BENCHMARKS.md), which must not spoil
     * the figures after it. */
    RUN_VS("gnt.map_guest", op_grant_map, NULL, op_null_hypercall);
#undef RUN
#undef RUN_VS
    refguest_evtchn_stats();
    pvfront_printf("pvbench: done\n");
    return 0;
}
