/* cmd_faults.c: exceptions on purpose: `fault` (report and crash) and `traps` (handled). */
#include "refguest.h"

int cmd_fault(const struct pvfront_boot_info *bi)
{
    char type[8] = "pf";
    /* Through a volatile, so the compiler neither warns nor folds the access. */
    volatile uintptr_t null_page = 8, non_canonical = 0x0000800000000000ULL;

    (void)bi;
    pvfront_cmdline_get("type", type, sizeof type);
    pvfront_printf("refguest: raising %s\n", type);
    if (!strcmp(type, "pf"))
        *(volatile uint64_t *)null_page = 1; /* page 0 is unmapped */
    else if (!strcmp(type, "ud"))
        __asm__ volatile("ud2");
    else if (!strcmp(type, "bp"))
        __asm__ volatile("int3");
    else if (!strcmp(type, "gp"))
        *(volatile uint64_t *)non_canonical = 1;
    else if (!strcmp(type, "de"))
        __asm__ volatile("div %%ecx" ::"a"(1), "d"(0), "c"(0)); /* C would fold 1/x */
    pvfront_printf("refguest: fault type '%s' unknown or survived\n", type);
    return 1;
}

static unsigned int hits;

static int on_breakpoint(struct pvfront_trap_frame *f)
{
    (void)f;
    hits++;
    return 1; /* int3 is a trap: rip already points past it */
}

static int on_invalid_opcode(struct pvfront_trap_frame *f)
{
    hits++;
    f->rip += 2; /* skip the ud2 */
    return 1;
}

int cmd_traps(const struct pvfront_boot_info *bi)
{
    enum { ROUNDS = 1000 };

    (void)bi;
    pvfront_trap_set_handler(3, on_breakpoint);
    pvfront_trap_set_handler(6, on_invalid_opcode);
    uint64_t t0 = pvfront_rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        __asm__ volatile("int3");
    uint64_t t1 = pvfront_rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        __asm__ volatile("ud2");
    uint64_t t2 = pvfront_rdtsc();
    pvfront_trap_set_handler(3, NULL);
    pvfront_trap_set_handler(6, NULL);
    pvfront_printf("traps: %u of %u handled; int3 %lu ns, ud2 %lu ns each\n", hits, 2 * ROUNDS,
                   (unsigned long)(pvfront_tsc_to_ns(t1 - t0) / ROUNDS),
                   (unsigned long)(pvfront_tsc_to_ns(t2 - t1) / ROUNDS));
    return hits == 2 * ROUNDS ? 0 : 1;
}
