/* cmd_echo.c: echo console input back line by line: pvfront_console_read
 * for the bytes (the console ring, then CONSOLEIO_read), and
 * pvfront_console_wait to sleep until some arrive (VIRQ_CONSOLE or the
 * ring's event channel). */
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
    /* Count which event woke each wait; without any, yield and poll. */
    unsigned woken = 0, ring_woken = 0, timeouts = 0;
    pvfront_console_puts("echo: ready\n");
    for (;;) {
        for (int i = 0; i < rc; i++) {
            char c = buf[i];
            if (c == '\r' || c == '\n') {
                line[len] = '\0';
                if (!strcmp(line, "quit")) {
                    struct pvfront_console_stats st;
                    pvfront_console_stats(&st);
                    pvfront_printf("echo: ring port %u woke me %u times; ring in %lu, "
                                   "out %lu, dropped %lu bytes\n",
                                   (unsigned)pvfront_console_port(), ring_woken,
                                   (unsigned long)st.ring_in, (unsigned long)st.ring_out,
                                   (unsigned long)st.ring_dropped);
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
        if (rc == 0) {
            /* A timeout just polls again; count which woke us. */
            int w = pvfront_console_wait(1000000000ULL);
            if (w == -XEN_ETIMEDOUT) {
                timeouts++;
            } else if (w < 0) {
                HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
            } else {
                woken += (w & PVFRONT_CONSOLE_WOKE_VIRQ) != 0;
                ring_woken += (w & PVFRONT_CONSOLE_WOKE_RING) != 0;
            }
        }
        rc = pvfront_console_read(buf, sizeof buf);
        if (rc < 0) {
            pvfront_printf("echo: read failed (%d)\n", rc);
            return 1;
        }
    }
}
