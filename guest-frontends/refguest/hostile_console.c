/* hostile_console.c: console_io with bad buffers, counts and sub-ops. */
#include "hostile.h"

/*
 * Expected (xen.h console_io; Xen's do_console_io):
 *   write, every bad pointer, count 8                       -EFAULT
 *   write into the hole past RAM, count 8                   -EFAULT
 *   write, count 0xffffffff and 64 KiB + 1                  -EINVAL: pvhv
 *     caps one write at 64 KiB (hc_console_io.c; Xen has no cap and
 *     would answer -EFAULT once the copy runs off the buffer)
 *   write, count 64 KiB from 16 bytes before the end of RAM -EFAULT,
 *     and nothing past the end of RAM is read
 *   write, NULL buffer, count 0                             0 (nothing to read)
 *   write, misaligned buffer straddling a page boundary     0
 *   unknown sub-op 0x7777                                   -ENOSYS
 *   CONSOLEIO_read, nothing typed                            0 (pvhv gives
 *     every domain its own console; Xen: -EPERM for a domU)
 *   CONSOLEIO_read into an unmapped buffer                   -EFAULT
 */
void hostile_console(struct hostile *h)
{
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        expectf(h, HYPERVISOR_console_io(CONSOLEIO_write, 8, (char *)bad_ptrs[i].addr),
                -XEN_EFAULT, "console_io write buf=%s", bad_ptrs[i].name);

    if (h->hole) {
        expect(h, "console_io write buf=past-end-of-RAM",
               HYPERVISOR_console_io(CONSOLEIO_write, 8, (char *)h->hole), -XEN_EFAULT);
        char *tail = (char *)h->hole - 16;
        memcpy(tail, "[64 KiB write]\n", 16);
        expect(h, "console_io write count=64KiB running past end of RAM",
               HYPERVISOR_console_io(CONSOLEIO_write, 65536, tail), -XEN_EFAULT);
    } else {
        skip(h, "console_io write past end of RAM", "RAM reaches the mapped limit");
    }

    expect(h, "console_io write count=0xffffffff",
           HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffU, (char *)h->scratch), -XEN_EINVAL);
    expect(h, "console_io write count=64KiB+1",
           HYPERVISOR_console_io(CONSOLEIO_write, 65537, (char *)h->scratch), -XEN_EINVAL);
    expect(h, "console_io write count=0 buf=NULL",
           HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL), 0);

    static const char msg[] = "(misaligned console write across a page boundary)\n";
    char *mis = (char *)h->scratch + XEN_PAGE_SIZE - 13;
    memcpy(mis, msg, sizeof msg - 1);
    expect(h, "console_io write misaligned across pages",
           HYPERVISOR_console_io(CONSOLEIO_write, sizeof msg - 1, mis), 0);

    char buf[16] = "";
    expect(h, "console_io unknown sub-op 0x7777",
           HYPERVISOR_console_io(0x7777, sizeof buf, buf), -XEN_ENOSYS);
    expect(h, "console_io read, nothing typed",
           HYPERVISOR_console_io(CONSOLEIO_read, sizeof buf, buf), 0);
    expect(h, "console_io read into an unmapped buffer",
           HYPERVISOR_console_io(CONSOLEIO_read, 16, (void *)(uintptr_t)BAD_UPPER),
           -XEN_EFAULT);
}
