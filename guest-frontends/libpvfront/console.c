/* console.c: console output and input: console_io (pvhv's per-domain
 * console) and the PV console ring (console_ring.c). */
#include "console_ring.h"
#include "internal.h"

int pvfront_console_write(const char *buf, size_t len)
{
    while (len) {
        /* console_io takes an unsigned int count: stay far below it. */
        unsigned int n = len > 65536 ? 65536 : (unsigned int)len;
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, n, (char *)buf);
        /* A buffer the hypervisor could not read is not touched here
         * either: the copy into the ring would fault. */
        if (rc == -XEN_EFAULT)
            return (int)rc;
        /* Without a ring a refusal is the caller's error; with one the
         * ring took the bytes (Xen refuses console_io to a domU). */
        if (!pvfront__console_ring_write(buf, n) && rc < 0)
            return (int)rc;
        buf += n;
        len -= n;
    }
    return 0;
}

int pvfront_console_puts(const char *s)
{
    return pvfront_console_write(s, strlen(s));
}

int pvfront_console_read(char *buf, size_t len)
{
    int got = pvfront__console_ring_read(buf, len);
    size_t n = got > 0 ? (size_t)got : 0;

    if (n == len && len)
        return (int)n;
    size_t rest = len - n;
    unsigned int m = rest > 65536 ? 65536 : (unsigned int)rest;
    long rc = HYPERVISOR_console_io(CONSOLEIO_read, m, buf + n);
    if (rc < 0)
        return got >= 0 ? (int)n : (int)rc; /* with a ring: its bytes only */
    return (int)(n + (size_t)rc);
}
