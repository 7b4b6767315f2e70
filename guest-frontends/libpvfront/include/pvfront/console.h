/* console.h: the hypervisor console: raw writes, reads and a small printf. */
#ifndef PVFRONT_CONSOLE_H
#define PVFRONT_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/*
 * pvfront_console_write: write len bytes of buf to pvhv's console
 * (console_io CONSOLEIO_write), in as few hypercalls as possible.
 * Returns 0, or the negative Xen errno of the failing call (-XEN_EFAULT
 * for a bad buf). Safe on any CPU; one call's bytes are not interleaved
 * with another CPU's as long as len <= 4096.
 */
int pvfront_console_write(const char *buf, size_t len);

/* pvfront_console_puts: pvfront_console_write(s, strlen(s)). No newline added. */
int pvfront_console_puts(const char *s);

/*
 * pvfront_console_read: read up to len bytes of console input into buf
 * (CONSOLEIO_read). Returns the number of bytes read (0 if none is
 * waiting; it does not block) or a negative Xen errno: pvhv answers
 * -XEN_EPERM to every domain but dom0, as Xen does.
 */
int pvfront_console_read(char *buf, size_t len);

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
