/* hostile_timer.c: set_timer_op with deadlines in the past, far future and at the limits. */
#include "hostile.h"

/*
 * set_timer_op takes any 64-bit deadline: 0 cancels, a past one fires at
 * once, a far one is clamped or simply never fires. Xen returns 0 for
 * all of them; a hypervisor that overflows converting the deadline would
 * fault or hang instead, which is what these cases are for.
 *   0, 1, 2^63 - 1, 2^63, 2^64 - 1                 0 (0 is the probe)
 * The last call cancels again, so no stray VIRQ_TIMER stays armed.
 */
void hostile_timer(struct hostile *h)
{
    if (!available(h, "set_timer_op", HYPERVISOR_set_timer_op(0)))
        return;
    static const uint64_t deadlines[] = { 0, 1, 0x7fffffffffffffffULL, 1ULL << 63, ~0ULL };
    for (size_t i = 0; i < sizeof deadlines / sizeof deadlines[0]; i++)
        expectf(h, HYPERVISOR_set_timer_op(deadlines[i]), 0, "set_timer_op deadline=%#lx",
                (unsigned long)deadlines[i]);
    expect(h, "set_timer_op cancel", HYPERVISOR_set_timer_op(0), 0);
}
