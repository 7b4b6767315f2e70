/* compute.h: the fixed integer workload refguest times (also builds for the host). */
#ifndef REFGUEST_COMPUTE_H
#define REFGUEST_COMPUTE_H

#include <stdint.h>

/*
 * refguest_compute: n rounds of xorshift64 mixed into a multiply-add
 * accumulator. Pure integer work with a loop-carried dependency, so
 * neither compiler can vectorise or shorten it: the same n costs the same
 * cycles in a guest and on the host. Returns the accumulator (print it so
 * the loop is not optimised away).
 */
uint64_t refguest_compute(uint64_t n);

#endif /* REFGUEST_COMPUTE_H */
