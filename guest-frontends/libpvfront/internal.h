/* internal.h: what libpvfront's files share with each other (never installed). */
#ifndef PVFRONT_INTERNAL_H
#define PVFRONT_INTERNAL_H

#include <pvfront/pvfront.h>

/*
 * Private symbols carry the pvfront__ prefix (two underscores): exported
 * from the archive because the files need each other, not part of the API.
 */

/* Set by boot.S before native mode: 1 on PVM (CPL3, DPL3 gates), 0 on HVM. */
extern unsigned char pvfront__native;

/* boot.S: the AP entry in 64-bit mode (rdi = cpu id, rsp = its stack top). */
extern const char pvfront__ap_start64[];
/* pagetables.S: the PML4 every CPU loads. */
extern const char pvfront__pml4[];
/* entry.S: 256 vector stubs, STUB_SIZE bytes apart. */
extern const char pvfront__vectors[];
/* boot.S / trap.c: the IDT every CPU loads. */
extern unsigned char pvfront__idt[];

/* entry.S: MSR access that returns -1 on #GP instead of crashing (trap.c). */
int pvfront__wrmsr_safe(uint32_t msr, uint64_t value);
int pvfront__rdmsr_safe(uint32_t msr, uint64_t *value);
extern const char pvfront__wrmsr_fault_insn[], pvfront__rdmsr_fault_insn[];
extern const char pvfront__msr_fault_fixup[];

/*
 * lapic.c: this CPU's local APIC, for the event channel upcall.
 * pvfront__lapic_enable: software-enable it (x2APIC if the platform lets
 * the guest switch, else xAPIC through the MMIO page), LINT0/1 masked,
 * spurious vector 0xff. Returns PVFRONT__LAPIC_X2APIC/_XAPIC, or
 * -XEN_ENODEV if neither works. pvfront__lapic_eoi: end of interrupt on
 * this CPU (a no-op without an enabled APIC).
 */
#define PVFRONT__LAPIC_XAPIC 1
#define PVFRONT__LAPIC_X2APIC 2
int pvfront__lapic_enable(void);
void pvfront__lapic_eoi(void);
/* pvfront__lapic_self_ipi: post `vector` to this CPU (fixed, edge). */
void pvfront__lapic_self_ipi(uint8_t vector);

/*
 * Hook an AP runs before its function when a subsystem needs per-CPU
 * setup (evtchn.c sets it once event channels are in use), so kernels that
 * never use that subsystem do not link it.
 */
extern void (*volatile pvfront__ap_init_hook)(unsigned int cpu);

/* Set once evtchn.c handles events (shared_info.c holds it, so code that
 * only sleeps does not link evtchn.c). */
extern int pvfront__evtchn_live;

/* Nanoseconds from now until the absolute pvfront_time_ns() `deadline`,
 * 0 once it has passed. */
static inline uint64_t pvfront__left(uint64_t deadline)
{
    uint64_t now = pvfront_time_ns();

    return now >= deadline ? 0 : deadline - now;
}

/* Let a millisecond pass (sleeping on the vCPU timer, else spinning) while
 * polling for something no event announces. */
static inline void pvfront__nap(void)
{
    if (pvfront_sleep_ns(1000000) < 0)
        pvfront_delay_ns(1000000);
}

/* Init steps of pvfront__boot_main, in the order it runs them. */
void pvfront__trap_init(void);
int pvfront__hypercall_init(const struct pvhv_platform_info *pi);
void pvfront__cmdline_init(const char *src);
void pvfront__shared_info_init(void);
void pvfront__time_init(const struct pvhv_platform_info *pi);
void pvfront__smp_init(unsigned int nr_cpus);

/* Called by boot.S on the new CPU's stack, native; never return. */
__attribute__((noreturn)) void pvfront__boot_main(uint64_t start_info_pa);
__attribute__((noreturn)) void pvfront__ap_main(unsigned int cpu);

/* Xen's CPUID leaves, when visible (HVM on Xen): base or 0. */
uint32_t pvfront__xen_cpuid_base(void);

static inline uint64_t pvfront__rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void pvfront__wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                     : "memory");
}

static inline void pvfront__cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static inline void pvfront__pause(void)
{
    __asm__ volatile("pause" ::: "memory");
}

#endif /* PVFRONT_INTERNAL_H */
