/* hc_console_io.c: __HYPERVISOR_console_io: the per-domain hypervisor
 * console (the guest's earliest output; `xl dmesg` on Xen). */
#include <pvhv/errno.h>
#include <pvhv/xen.h>

#include "hypercall.h"

/* Most bytes one CONSOLEIO_write may carry. Bounds the work a guest can
 * ask for in one exit; Xen's limit is its preemption, ours is this. */
#define CONSOLE_WRITE_MAX (64 * 1024)

static int64_t do_console_io(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], count = (uint32_t)a[1], buf = a[2];
    static __thread uint8_t text[CONSOLE_WRITE_MAX];

    switch (cmd) {
    case CONSOLEIO_write:
        if (count > CONSOLE_WRITE_MAX)
            return -XEN_EINVAL;
        /* Copy the whole buffer first: a bad pointer logs nothing. */
        if (hc_copy_from(c, text, buf, count) < 0)
            return -XEN_EFAULT;
        console_log_append(&c->dom->console, text, count);
        return 0;
    case CONSOLEIO_read:
        /* Input to the hypervisor console belongs to dom0; guests read
         * their console through the console ring (io/console.h). */
        return -XEN_EPERM;
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_console_io, do_console_io)
