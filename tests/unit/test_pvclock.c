/* test_pvclock.c: the TSC-to-ns scale pvhv gives guests is exact enough. */
#include <criterion/criterion.h>
#include <errno.h>

#include "pvclock.h"

/* What a guest computes from (mul, shift), as vcpu_time_info describes. */
static uint64_t guest_ns(uint64_t delta, uint32_t mul, int8_t shift)
{
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

Test(pvclock, scale_is_accurate_across_frequencies)
{
    static const uint64_t hz[] = { 1000000ULL, 100000000ULL, 999999999ULL,
                                   1000000000ULL, 2445000000ULL, 3999999000ULL,
                                   5000000000ULL };
    for (unsigned i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
        uint32_t mul;
        int8_t shift;
        pvclock_scale(hz[i], &mul, &shift);
        uint64_t ns = guest_ns(hz[i], mul, shift); /* one second of ticks */
        int64_t err = (int64_t)ns - 1000000000LL;
        cr_expect(err > -1000 && err < 1000,
                  "%lu Hz: one second reads as %lu ns (mul %u shift %d)",
                  (unsigned long)hz[i], (unsigned long)ns, mul, shift);
    }
}
