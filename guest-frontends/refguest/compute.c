/* compute.c: the compute loop, plain C with no guest dependency (a host program can link it). */
#include "compute.h"

uint64_t refguest_compute(uint64_t n)
{
    uint64_t x = 0x9E3779B97F4A7C15ULL, acc = 0;

    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = acc * 0x100000001B3ULL + (x ^ i);
    }
    return acc ^ x;
}
