/* test_console_log.c: the hypervisor console keeps the newest bytes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "console_log.h"

Test(console_log, reads_back_and_drops_oldest)
{
    static struct console_log cl;
    static char big[PVHV_CONSOLE_LOG_SIZE + 100];
    char out[64];
    uint64_t first, end;

    console_log_init(&cl);
    console_log_append(&cl, "hello\n", 6);
    cr_expect_eq(console_log_read(&cl, 0, out, sizeof(out), &first, &end), 6);
    cr_expect_eq(memcmp(out, "hello\n", 6), 0);
    cr_expect_eq(end, 6);
    cr_expect_eq(console_log_read(&cl, 6, out, sizeof(out), &first, &end), 0);

    memset(big, 'x', sizeof(big));
    big[sizeof(big) - 1] = 'Z';
    console_log_append(&cl, big, sizeof(big));
    size_t n = console_log_read(&cl, 0, out, sizeof(out), &first, &end);
    cr_expect_eq(end, 6 + sizeof(big));
    cr_expect_eq(first, end - PVHV_CONSOLE_LOG_SIZE, "dropped bytes are skipped");
    cr_expect_eq(n, sizeof(out));
    cr_expect_eq(console_log_read(&cl, end - 1, out, 8, &first, &end), 1);
    cr_expect_eq(out[0], 'Z');
    console_log_destroy(&cl);
}
