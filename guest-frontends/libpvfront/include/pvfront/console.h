/* console.h: the console: raw writes, reads, waiting for input and a small printf. */
#ifndef PVFRONT_CONSOLE_H
#define PVFRONT_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pvhv/event_channel.h>

/*
 * Two consoles, as on Xen:
 * - the hypervisor console (console_io): pvhv keeps each domain's output in
 *   a log (PVHV_CTL_CONSOLE_READ) and takes input from the toolstack
 *   (PVHV_CTL_CONSOLE_INPUT, announced by VIRQ_CONSOLE);
 * - the PV console ring (<pvhv/io/console.h>): the page named by
 *   HVM_PARAM_CONSOLE_PFN and the event channel HVM_PARAM_CONSOLE_EVTCHN,
 *   served by the console daemon in dom0 (pvconsoled, xenconsoled).
 * Output goes to both; input is taken from both, the ring first.
 * libpvfront reads the two params once, on the first console write or
 * read (after the hypercall page is set up). The ring never blocks the
 * kernel for long: while it is full and no daemon is bound to its port
 * (none started yet, or one restarting) the bytes that do not fit are
 * dropped at once and counted (pvfront_console_stats); while it is full
 * with a daemon bound, a write yields the vCPU for at most 100 ms for the
 * daemon to catch up, then drops the rest, and later writes drop at once
 * until the daemon makes room again. After putting bytes into the ring or
 * taking them out, libpvfront notifies the ring's event channel. A ring
 * page outside what libpvfront maps (PVFRONT_MAPPED_LIMIT, pvhv's special
 * pages) is not used.
 */

/*
 * pvfront_console_write: write len bytes of buf to pvhv's console
 * (console_io CONSOLEIO_write), in as few hypercalls as possible, and to
 * the console ring (what fits). Returns 0, or the negative Xen errno of
 * the failing call (-XEN_EFAULT for a bad buf, which is then not copied
 * to the ring either); when the domain has a ring, other console_io
 * errors (Xen refuses console_io to a domU) are not reported, since the
 * bytes went to the ring. Safe on any CPU; one call's bytes are not
 * interleaved with another CPU's as long as len <= 4096 (on the ring: as
 * long as the ring lock is had within 100 ms; otherwise they are dropped).
 */
int pvfront_console_write(const char *buf, size_t len);

/* pvfront_console_puts: pvfront_console_write(s, strlen(s)). No newline added. */
int pvfront_console_puts(const char *s);

/*
 * pvfront_console_read: read up to len bytes of console input into buf:
 * first what the console ring's in[] holds, then, if there is room left,
 * CONSOLEIO_read. Returns the number of bytes read (0 if none is waiting;
 * it does not block) or a negative Xen errno of CONSOLEIO_read (Xen
 * answers -XEN_EPERM to a domU; pvhv serves every domain its own input).
 * With a ring, a failing CONSOLEIO_read only means no bytes from there:
 * the ring's count (maybe 0) is returned.
 */
int pvfront_console_read(char *buf, size_t len);

/*
 * pvfront_console_port: the console ring's event channel (this domain's
 * end of HVM_PARAM_CONSOLE_EVTCHN), or 0 if the domain has no ring. The
 * port notifies CPU 0 and stays masked until pvfront_console_wait sets it
 * up; a kernel that waits on it itself must unmask it.
 */
evtchn_port_t pvfront_console_port(void);

/* What ended a pvfront_console_wait (bits of its result). */
#define PVFRONT_CONSOLE_WOKE_VIRQ 1 /* VIRQ_CONSOLE: hypervisor console input */
#define PVFRONT_CONSOLE_WOKE_RING 2 /* the ring's port: input, or room freed */

/*
 * pvfront_console_wait: sleep until console input may have arrived on
 * either console, or timeout_ns passes (0: just check; UINT64_MAX: no
 * timeout). Returns the PVFRONT_CONSOLE_WOKE_* bits of the events seen
 * (> 0), -XEN_ETIMEDOUT, -XEN_ENODEV if there is nothing to wait on (no
 * ring and VIRQ_CONSOLE could not be bound: poll instead), or -XEN_EINVAL
 * off CPU 0 (both ports notify CPU 0). An event means "read again", not
 * that bytes are there: the ring's port also fires when the daemon took
 * output. The first call binds VIRQ_CONSOLE on CPU 0 (so a kernel using
 * this must not bind it itself) and unmasks the ring's port, with
 * handlers of libpvfront's own; it sleeps with SCHEDOP_poll on both ports
 * and handles CPU 0's pending events (pvfront_evtchn_process) when it
 * wakes.
 */
int pvfront_console_wait(uint64_t timeout_ns);

/* Console ring counters since boot. */
struct pvfront_console_stats {
    uint64_t ring_out;     /* bytes put into out[] */
    uint64_t ring_dropped; /* output bytes that did not fit (or lost the lock) */
    uint64_t ring_in;      /* bytes taken from in[] */
};
/* pvfront_console_stats: the counters; all zero without a ring. */
void pvfront_console_stats(struct pvfront_console_stats *out);

/*
 * pvfront_printf: format and write to the console. Conversions: %d %i %u
 * %x %X %o %p %c %s %%, with flags '-' '0' '+' ' ' '#', a width and a
 * precision (numbers or '*'), and length modifiers hh h l ll z t j.
 * No floating point. Output goes out in one hypercall per 256 bytes, so a
 * line printed with one call is not split between CPUs.
 * Returns the number of characters written, or a negative Xen errno if
 * the console refused them.
 */
int pvfront_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* pvfront_vprintf: pvfront_printf with a va_list. */
int pvfront_vprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * pvfront_snprintf: format into buf (size bytes, always NUL-terminated
 * when size > 0). Returns the length the whole output would have, as C's
 * snprintf does (>= size means it was cut).
 */
int pvfront_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* pvfront_vsnprintf: pvfront_snprintf with a va_list. */
int pvfront_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif /* PVFRONT_CONSOLE_H */
