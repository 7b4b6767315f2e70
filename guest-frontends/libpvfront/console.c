/* console.c: console output and input through console_io. */
#include "internal.h"

int pvfront_console_write(const char *buf, size_t len)
{
    while (len) {
        /* console_io takes an unsigned int count: stay far below it. */
        unsigned int n = len > 65536 ? 65536 : (unsigned int)len;
        long rc = HYPERVISOR_console_io(CONSOLEIO_write, n, (char *)buf);
        if (rc < 0)
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
    unsigned int n = len > 65536 ? 65536 : (unsigned int)len;
    return (int)HYPERVISOR_console_io(CONSOLEIO_read, n, buf);
}
