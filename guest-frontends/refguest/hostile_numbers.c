/* hostile_numbers.c: hypercall numbers pvhv does not serve, through the page and by raw `out`. */
#include "hostile.h"

/*
 * Expected (xen.h: "every other number answers -ENOSYS"; Xen answers
 * -ENOSYS for numbers outside its table and for PV-only calls made by an
 * HVM/PVH guest):
 *   unassigned 11, 43, 47, 56, 127 (last slot)           -ENOSYS
 *   PV-only mmu_update 1, set_gdt 2, iret 23, mmuext_op 26 -ENOSYS
 *   toolstack sysctl 35, domctl 36 (no pvhv slot)           -ENOSYS
 *   retired sched_op_compat 6, event_channel_op_compat 16  -ENOSYS
 * Raw `out` to the hypercall port with rax beyond the page:
 *   128, 0xffffffff, 2^64-1                               -ENOSYS
 *   2^32 + 18 (console_io with high bits set)              -ENOSYS:
 *     the number is all of rax, so it must not alias console_io. The
 *     arguments form a harmless console write of 0 bytes, so an
 *     aliasing hypervisor answers 0 and the case fails visibly.
 */
static long raw_out(uint64_t rax, uint64_t rdi, uint64_t rsi, uint64_t rdx)
{
    __asm__ volatile("out %%eax, %[port]"
                     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx)
                     : [port] "N"(PVHV_HYPERCALL_PORT)
                     : "memory");
    return (long)rax;
}

void hostile_numbers(struct hostile *h)
{
    static const unsigned int nrs[] = { 11, 43, 47, 56, 127, 1, 2, 23, 26, 35, 36, 6, 16 };

    for (size_t i = 0; i < sizeof nrs / sizeof nrs[0]; i++)
        expectf(h, pvfront_hypercall(nrs[i], 0, 0, 0, 0, 0), -XEN_ENOSYS,
                "hypercall number %u", nrs[i]);

    static const uint64_t raw[] = { 128, 0xffffffffULL, ~0ULL,
                                    (1ULL << 32) | __HYPERVISOR_console_io };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        expectf(h, raw_out(raw[i], CONSOLEIO_write, 0, 0), -XEN_ENOSYS,
                "raw hypercall rax=%#lx", (unsigned long)raw[i]);
}
