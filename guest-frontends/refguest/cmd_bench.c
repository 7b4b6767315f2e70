/* cmd_bench.c: the `kickbench` command: the guest's half of
 * bench/evtchn_bench: exit and kick costs timed in the guest, dom0-to-guest
 * kick latency against dom0's TSC stamp, and pages granted for dom0's map
 * and copy timings. */
#include <pvhv/pvhv_hypercall.h>
#include <pvhv/version.h>

#include "refguest.h"

#define BENCH_PAGES 64
#define MAX_SAMPLES 4096

static uint64_t samples[MAX_SAMPLES];

static void sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Print "name=min/median/p99" in ns of n samples (sorted in place). */
static void report(const char *name, unsigned n)
{
    sort(samples, n);
    pvfront_printf(" %s=%lu/%lu/%lu", name, (unsigned long)pvfront_tsc_to_ns(samples[0]),
                   (unsigned long)pvfront_tsc_to_ns(samples[n / 2]),
                   (unsigned long)pvfront_tsc_to_ns(samples[n * 99 / 100]));
}

static inline void out_port80(void)
{
    __asm__ __volatile__("outb %%al, $0x80" : : "a"(0) : "memory");
}

static inline void out_doorbell(uint32_t port)
{
    __asm__ __volatile__("outl %%eax, %0" : : "i"(PVHV_EVTCHN_DOORBELL_PORT), "a"(port)
                         : "memory");
}

int cmd_kickbench(const struct pvfront_boot_info *bi)
{
    uint64_t n = 2000;
    uint8_t *frame = (uint8_t *)bi->free_start;
    uint8_t *pages = frame + XEN_PAGE_SIZE;
    volatile uint64_t *stamp = (volatile uint64_t *)pages; /* dom0 writes its TSC here */
    grant_ref_t first = 0, ref;
    evtchn_port_t port;
    int r;

    pvfront_cmdline_get_u64("n", &n);
    if (n == 0 || n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    if (bi->free_end - bi->free_start < (BENCH_PAGES + 1) * XEN_PAGE_SIZE) {
        pvfront_printf("kickbench: not enough free RAM\n");
        return 1;
    }
    if ((r = pvfront_gnttab_init(frame, 1)) < 0) {
        pvfront_printf("kickbench: grant table: %d\n", r);
        return 1;
    }
    memset(pages, 0, BENCH_PAGES * XEN_PAGE_SIZE);
    for (unsigned i = 0; i < BENCH_PAGES; i++) {
        if ((r = pvfront_gnttab_grant_access(0, pvfront_gfn(pages + i * XEN_PAGE_SIZE), 0,
                                             &ref)) < 0) {
            pvfront_printf("kickbench: grant: %d\n", r);
            return 1;
        }
        if (i == 0)
            first = ref;
        else if (ref != first + i) {
            pvfront_printf("kickbench: grant refs not consecutive\n");
            return 1;
        }
    }
    if ((r = pvfront_evtchn_alloc_unbound(0, &port)) < 0) {
        pvfront_printf("kickbench: alloc_unbound: %d\n", r);
        return 1;
    }
    pvfront_printf("kickbench: port=%u ref=%u pages=%u\n", port, first, BENCH_PAGES);
    /* dom0 binds and says go. */
    if (refguest_wait("kickbench", port) < 0)
        return 1;

    /* The guest's costs, one sample per operation. */
    pvfront_printf("kickbench: guest ns min/median/p99:");
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = pvfront_rdtsc();
        out_port80(); /* nothing behind it: a plain exit to pvhv */
        samples[i] = pvfront_rdtsc() - t;
    }
    report("raw_exit", (unsigned)n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = pvfront_rdtsc();
        out_doorbell(port); /* dom0's port: KVM's ioeventfd, no exit */
        samples[i] = pvfront_rdtsc() - t;
    }
    report("raw_ioeventfd", (unsigned)n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = pvfront_rdtsc();
        pvfront_evtchn_send(port); /* EVTCHNOP_send through the page */
        samples[i] = pvfront_rdtsc() - t;
    }
    report("evtchn_send", (unsigned)n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = pvfront_rdtsc();
        HYPERVISOR_xen_version(XENVER_version, 0);
        samples[i] = pvfront_rdtsc() - t;
    }
    report("null_hypercall", (unsigned)n);
    pvfront_printf("\n");

    /* dom0 -> guest: dom0 stamps its TSC, notifies; we note the arrival.
     * (Guest TSC = host TSC on PVM; on VT-x/SVM the offset is 0 too.) */
    pvfront_evtchn_clear(port);
    pvfront_evtchn_send(port); /* "ready for the kicks" */
    for (unsigned k = 0; k < n; k++) {
        if (refguest_wait("kickbench", port) < 0)
            return 1;
        uint64_t now = pvfront_rdtsc(), t0 = *stamp;
        samples[k] = now > t0 ? now - t0 : 0;
        pvfront_evtchn_send(port);
    }
    pvfront_printf("kickbench: dom0_to_guest ns min/median/p99:");
    report("kick", (unsigned)n);
    pvfront_printf("\n");
    /* dom0 times its grant maps and copies on our pages, then says done. */
    if (refguest_wait("kickbench", port) < 0)
        return 1;
    pvfront_printf("kickbench: done\n");
    return 0;
}
