/* trap.c: the IDT, handler registration, and the default exception report. */
#include <pvhv/sched.h>

#include "internal.h"
#include "layout.h"

struct idt_gate {
    uint16_t off0;
    uint16_t sel;
    uint8_t ist;
    uint8_t type; /* P | DPL | 64-bit interrupt gate */
    uint16_t off1;
    uint32_t off2;
    uint32_t rsvd;
};
_Static_assert(sizeof(struct idt_gate) == 16, "an IDT gate is 16 bytes");

static pvfront_trap_fn handlers[IDT_VECTORS];
static uint64_t spurious;
/* Exceptions being reported per CPU: a fault inside the report must not loop. */
static unsigned char reporting[PVFRONT_MAX_CPUS];

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization",
    "#CP control protection", [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication", [30] = "#SX security",
};

void pvfront__trap_init(void)
{
    struct idt_gate *idt = (struct idt_gate *)pvfront__idt;
    /*
     * DPL3 gates targeting the DPL3 code selector on PVM (a DPL0 gate
     * would drop the vCPU into the emulator or triple-fault); ring 0
     * selectors on HVM. DPL3 also lets `int $n` reach any vector.
     */
    uint16_t sel = pvfront__native ? SEL_UCODE : SEL_KCODE;

    for (unsigned v = 0; v < IDT_VECTORS; v++) {
        uint64_t h = (uint64_t)(uintptr_t)(pvfront__vectors + v * STUB_SIZE);
        idt[v] = (struct idt_gate){
            .off0 = (uint16_t)h,
            .sel = sel,
            .type = 0xee,
            .off1 = (uint16_t)(h >> 16),
            .off2 = (uint32_t)(h >> 32),
        };
    }
}

pvfront_trap_fn pvfront_trap_set_handler(unsigned int vector, pvfront_trap_fn fn)
{
    if (vector >= IDT_VECTORS)
        return NULL;
    return __atomic_exchange_n(&handlers[vector], fn, __ATOMIC_SEQ_CST);
}

uint64_t pvfront_trap_spurious(void)
{
    return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}

static uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static __attribute__((noreturn)) void report_and_crash(struct pvfront_trap_frame *f)
{
    unsigned cpu = pvfront_cpu_id();
    unsigned slot = cpu < PVFRONT_MAX_CPUS ? cpu : 0;

    if (reporting[slot]++) {
        /* Faulted while reporting: skip the console, just end the domain. */
        if (reporting[slot] == 2)
            pvfront_shutdown(SHUTDOWN_crash);
        pvfront_triple_fault();
    }
    const char *name = exc_names[f->vector & 31];
    pvfront_printf("pvfront: cpu %u: exception %lu (%s) at rip %#lx, error %#lx\n",
                   cpu, (unsigned long)f->vector, name ? name : "reserved",
                   (unsigned long)f->rip, (unsigned long)f->error);
    if (f->vector == 14)
        pvfront_printf("pvfront: faulting address %#lx\n", (unsigned long)read_cr2());
    pvfront_printf("pvfront: rsp %#lx rflags %#lx cs %#lx rax %#lx rbx %#lx rcx %#lx "
                   "rdx %#lx rsi %#lx rdi %#lx rbp %#lx\n",
                   (unsigned long)f->rsp, (unsigned long)f->rflags,
                   (unsigned long)f->cs, (unsigned long)f->rax, (unsigned long)f->rbx,
                   (unsigned long)f->rcx, (unsigned long)f->rdx, (unsigned long)f->rsi,
                   (unsigned long)f->rdi, (unsigned long)f->rbp);
    pvfront_printf("pvfront: crashing the domain\n");
    pvfront_shutdown(SHUTDOWN_crash);
}

/* Called by entry.S for every vector, on the interrupted stack. */
void pvfront__trap(struct pvfront_trap_frame *f);
void pvfront__trap(struct pvfront_trap_frame *f)
{
    pvfront_trap_fn h = __atomic_load_n(&handlers[f->vector & 0xff], __ATOMIC_ACQUIRE);

    /* A refused MSR access from pvfront__{rd,wr}msr_safe: return -1 there. */
    if (f->vector == 13 && (f->rip == (uintptr_t)pvfront__wrmsr_fault_insn ||
                            f->rip == (uintptr_t)pvfront__rdmsr_fault_insn)) {
        f->rip = (uintptr_t)pvfront__msr_fault_fixup;
        return;
    }

    if (h && h(f))
        return;
    if (f->vector < 32)
        report_and_crash(f);
    __atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
}
