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
    case CONSOLEIO_read: {
        /* Each domain has its own hypervisor console (xen.h). Take the
         * bytes only once they are known to fit where the guest wants
         * them: a bad buffer loses nothing. */
        static __thread uint8_t in[PVHV_CONSOLE_INPUT_SIZE];
        if (count > sizeof(in))
            count = sizeof(in);
        if (guest_check(&c->dom->mem, &c->pg, buf, count, true) < 0)
            return -XEN_EFAULT;
        size_t n = console_input_take(&c->dom->console, in, count);
        if (n && hc_copy_to(c, buf, in, n) < 0)
            return -XEN_EFAULT;
        return (int64_t)n;
    }
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_console_io, do_console_io)
