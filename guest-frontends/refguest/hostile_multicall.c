/* hostile_multicall.c: multicall with bad arrays, counts and entries. */
#include <pvhv/version.h>

#include "hostile.h"

/*
 * Expected (xen.h multicall rules 1-4):
 *   nr 0, list NULL                                  0 (the probe)
 *   nr 1, every bad pointer                          -EFAULT (rule 4)
 *   nr 2 where entry 1 lies past the end of RAM      -EFAULT, entry 0 ran
 *   nr 0xffffffff                                    -EINVAL: pvhv caps a
 *     batch at PVHV_MULTICALL_MAX entries (pvhv_hypercall.h); Xen would
 *     run entries until one cannot be read (-EFAULT)
 *   entries: unknown op 99 -> result -ENOSYS; nested multicall -> result
 *     -EINVAL (rule 3); console_io with a NULL buffer -> result -EFAULT;
 *     xen_version(version) -> 0x00040011; the call itself returns 0 and
 *     the array starts misaligned (offset 4)
 */
static void entry(multicall_entry_t *e, unsigned long op, unsigned long a0,
                  unsigned long a1, unsigned long a2)
{
    memset(e, 0, sizeof *e);
    e->op = op;
    e->result = 0x5a5a5a5a;
    e->args[0] = a0;
    e->args[1] = a1;
    e->args[2] = a2;
}

void hostile_multicall(struct hostile *h)
{
    if (!available(h, "multicall", HYPERVISOR_multicall(NULL, 0)))
        return;
    expect(h, "multicall nr=0 list=NULL", HYPERVISOR_multicall(NULL, 0), 0);
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        expectf(h, HYPERVISOR_multicall((multicall_entry_t *)bad_ptrs[i].addr, 1), -XEN_EFAULT,
                "multicall nr=1 list=%s", bad_ptrs[i].name);

    /* Entries copied out of a misaligned array, so pvhv cannot assume alignment. */
    multicall_entry_t e[4];
    entry(&e[0], 99, 0, 0, 0);
    entry(&e[1], __HYPERVISOR_multicall, 0, 0, 0);
    entry(&e[2], __HYPERVISOR_console_io, CONSOLEIO_write, 8, 0);
    entry(&e[3], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    multicall_entry_t *mis = (multicall_entry_t *)(h->scratch + 4);
    memcpy(mis, e, sizeof e);
    expect(h, "multicall 4 entries, misaligned list", HYPERVISOR_multicall(mis, 4), 0);
    memcpy(e, mis, sizeof e);
    expect(h, "multicall entry unknown op 99", (long)e[0].result, -XEN_ENOSYS);
    expect(h, "multicall entry nested multicall", (long)e[1].result, -XEN_EINVAL);
    expect(h, "multicall entry console_io buf=NULL", (long)e[2].result, -XEN_EFAULT);
    expect(h, "multicall entry xen_version", (long)e[3].result, 0x00040011);

    expect(h, "multicall nr=0xffffffff", HYPERVISOR_multicall(e, 0xffffffffU), -XEN_EINVAL);

    if (h->hole) {
        multicall_entry_t *last = (multicall_entry_t *)(h->hole - sizeof *last);
        entry(last, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
        expect(h, "multicall nr=2, entry 1 past end of RAM", HYPERVISOR_multicall(last, 2),
               -XEN_EFAULT);
        expect(h, "multicall entry 0 before the fault ran", (long)last->result, 0x00040011);
    } else {
        skip(h, "multicall entry past end of RAM", "RAM reaches the mapped limit");
    }
}
