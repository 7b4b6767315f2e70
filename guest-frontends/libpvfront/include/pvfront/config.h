/* config.h: libpvfront's compile-time limits (plain defines: C and assembly). */
#ifndef PVFRONT_CONFIG_H
#define PVFRONT_CONFIG_H

/*
 * Most vCPUs a libpvfront kernel brings up. Matches pvhv's PVHV_MAX_VCPUS;
 * vCPUs above it stay down. Each costs one stack of address space (below)
 * but no RAM until it runs.
 */
#define PVFRONT_MAX_CPUS 64

/*
 * Per-CPU stacks: 2^PVFRONT_STACK_SHIFT bytes each (16 KiB), contiguous
 * and aligned to their size, so a CPU's id is (rsp - base) >> shift with
 * no per-CPU register (wrgsbase may be missing, and on PVM segment
 * selectors read the host's values). There is no guard page: a stack
 * overflow runs into the next CPU's stack.
 */
#define PVFRONT_STACK_SHIFT 14
#define PVFRONT_STACK_SIZE (1 << PVFRONT_STACK_SHIFT)

/*
 * The boot stub identity-maps guest-physical memory below this address
 * (3 GiB, pvhv's low RAM limit), except page 0 so that NULL faults, plus
 * the local APIC page and pvhv's special pages. RAM above 4 GiB is not
 * mapped.
 */
#define PVFRONT_MAPPED_LIMIT 0xC0000000

#endif /* PVFRONT_CONFIG_H */
