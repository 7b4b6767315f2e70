/* cmd_echo.c: echo console input back line by line: CONSOLEIO_read for
 * the bytes, VIRQ_CONSOLE to sleep until some arrive. */
#include <pvhv/sched.h>

#include "refguest.h"

int cmd_echo(const struct pvfront_boot_info *bi)
{
    char line[256], buf[64];
    size_t len = 0;

    (void)bi;
    int rc = pvfront_console_read(buf, sizeof buf);
    if (rc < 0) {
        pvfront_printf("echo: console input unavailable (%d)\n", rc);
        return 0;
    }
    /* Sleep on VIRQ_CONSOLE between lines; without it, yield and poll. */
    evtchn_port_t virq = 0;
    unsigned woken = 0, timeouts = 0;
    if (pvfront_evtchn_bind_virq(VIRQ_CONSOLE, 0, &virq) < 0)
        virq = 0;
    pvfront_console_puts("echo: ready\n");
    for (;;) {
        for (int i = 0; i < rc; i++) {
            char c = buf[i];
            if (c == '\r' || c == '\n') {
                line[len] = '\0';
                if (!strcmp(line, "quit")) {
                    pvfront_printf("echo: bye (VIRQ_CONSOLE woke me %u times, %u timeouts)\n",
                                   woken, timeouts);
                    return 0;
                }
                if (len)
                    pvfront_printf("echo: %s\n", line);
                len = 0;
            } else if (len < sizeof line - 1) {
                line[len++] = c;
            }
        }
        /* Nothing waiting: give the CPU back rather than spin on exits. */
        if (rc == 0 && virq) {
            /* A timeout just polls again; count which woke us. */
            if (pvfront_evtchn_wait(virq, 1000000000ULL) == 0)
                woken++;
            else
                timeouts++;
        }
        else if (rc == 0)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        rc = pvfront_console_read(buf, sizeof buf);
        if (rc < 0) {
            pvfront_printf("echo: read failed (%d)\n", rc);
            return 1;
        }
    }
}
