/* lapic.c: this CPU's local APIC: software enable, EOI, self-IPI (for the event channel upcall). */
#include <pvhv/errno.h>

#include "internal.h"
#include "layout.h"

/*
 * pvhv raises the event channel upcall as an MSI to the vCPU's local APIC
 * (APIC id = vCPU id), which accepts it only once software-enabled
 * (SVR bit 8). On PVM every APIC access traps to KVM: x2APIC MSRs and the
 * xAPIC MMIO page cost about the same (~3-4 us). x2APIC is preferred
 * because it needs no mapping; the xAPIC page (LAPIC_BASE, mapped
 * uncached by pagetables.S) is the fallback if the platform refuses the
 * switch. CPUID cannot decide this: on PVM the outer hypervisor answers it.
 */
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ULL << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ULL << 11)   /* APIC globally enabled */
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16. */
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define X2APIC_MSR(off) (0x800U + ((off) >> 4))
#define X2APIC_SELF_IPI 0x83f

#define SVR_ENABLE 0x100
#define SPURIOUS_VECTOR 0xff
#define LVT_MASKED 0x10000
#define ICR_SELF 0x40000 /* destination shorthand: self */

/* Per CPU: 0 (not enabled), PVFRONT__LAPIC_XAPIC or PVFRONT__LAPIC_X2APIC. */
static unsigned char mode[PVFRONT_MAX_CPUS];

static volatile uint32_t *xapic_reg(unsigned int off)
{
    return (volatile uint32_t *)(uintptr_t)(LAPIC_BASE + off);
}

static void apic_write(int m, unsigned int off, uint32_t v)
{
    if (m == PVFRONT__LAPIC_X2APIC)
        pvfront__wrmsr(X2APIC_MSR(off), v);
    else
        *xapic_reg(off) = v;
}

int pvfront__lapic_enable(void)
{
    unsigned int cpu = pvfront_cpu_id();
    uint64_t base;
    int m;

    if (cpu >= PVFRONT_MAX_CPUS)
        return -XEN_ENODEV;
    if (mode[cpu])
        return mode[cpu];
    if (pvfront__rdmsr_safe(MSR_APIC_BASE, &base) < 0)
        return -XEN_ENODEV;
    if (base & APIC_BASE_EXTD) {
        m = PVFRONT__LAPIC_X2APIC;
    } else if (pvfront__wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD) == 0) {
        /* xAPIC (or disabled) -> x2APIC in one write: a legal transition. */
        m = PVFRONT__LAPIC_X2APIC;
    } else {
        /* No x2APIC: the xAPIC page, which must sit where we mapped it. */
        if ((base & APIC_BASE_ADDR_MASK) != LAPIC_BASE)
            return -XEN_ENODEV;
        if (!(base & APIC_BASE_EN) && pvfront__wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN) < 0)
            return -XEN_ENODEV;
        m = PVFRONT__LAPIC_XAPIC;
    }
    /*
     * Accept every priority, keep the legacy PIC lines quiet (KVM may
     * leave LINT0 as ExtINT on the boot CPU), then enable.
     */
    apic_write(m, APIC_TPR, 0);
    apic_write(m, APIC_LVT_LINT0, LVT_MASKED);
    apic_write(m, APIC_LVT_LINT1, LVT_MASKED);
    apic_write(m, APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    mode[cpu] = (unsigned char)m;
    return m;
}

void pvfront__lapic_eoi(void)
{
    unsigned int cpu = pvfront_cpu_id();

    /*
     * Required on VT-x/SVM, where the upcall MSI sets the vector's ISR bit
     * and blocks that vector and lower ones until EOI. PVM's LAPIC never
     * sets ISR, so there it only costs the trap.
     */
    if (cpu < PVFRONT_MAX_CPUS && mode[cpu])
        apic_write(mode[cpu], APIC_EOI, 0);
}

void pvfront__lapic_self_ipi(uint8_t vector)
{
    unsigned int cpu = pvfront_cpu_id();

    if (cpu >= PVFRONT_MAX_CPUS || !mode[cpu])
        return;
    if (mode[cpu] == PVFRONT__LAPIC_X2APIC) {
        pvfront__wrmsr(X2APIC_SELF_IPI, vector);
    } else {
        *xapic_reg(APIC_ICR_HI) = 0;
        *xapic_reg(APIC_ICR_LO) = ICR_SELF | vector; /* fixed, edge, assert */
    }
}
