/* cmd_echo.c: echo console input back line by line (needs CONSOLEIO_read). */
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
    pvfront_console_puts("echo: ready\n");
    for (;;) {
        for (int i = 0; i < rc; i++) {
            char c = buf[i];
            if (c == '\r' || c == '\n') {
                line[len] = '\0';
                if (!strcmp(line, "quit"))
                    return 0;
                if (len)
                    pvfront_printf("echo: %s\n", line);
                len = 0;
            } else if (len < sizeof line - 1) {
                line[len++] = c;
            }
        }
        /* Nothing waiting: give the CPU back rather than spin on exits. */
        if (rc == 0)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        rc = pvfront_console_read(buf, sizeof buf);
        if (rc < 0) {
            pvfront_printf("echo: read failed (%d)\n", rc);
            return 1;
        }
    }
}
