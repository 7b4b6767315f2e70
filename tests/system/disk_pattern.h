/* disk_pattern.h: the data pattern refguest's disk commands write (see
 * refguest.h, cmd=disk), checked on the host side against image files. */
#ifndef PVHV_TEST_DISK_PATTERN_H
#define PVHV_TEST_DISK_PATTERN_H

#include <stdint.h>

/* The 64-bit word at byte offset `off` (a multiple of 8) for `seed`:
 * splitmix64's finaliser over seed * golden ratio + off / 8. */
uint64_t disk_pattern(uint64_t seed, uint64_t off);

/* Does the file hold the pattern over [0, n) and zeros from n to `size`?
 * Returns the first offset that differs, or -1. Asserts the file reads. */
long long disk_pattern_check(const char *path, uint64_t n, uint64_t seed, uint64_t size);

#endif
