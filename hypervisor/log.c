/* log.c: diagnostic messages of pvhv and the other host daemons. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum log_level log_threshold = LOG_INFO;
const char *log_prog = "pvhv";

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    char line[1024];
    struct timespec ts;
    va_list ap;
    int n;

    if (level > log_threshold)
        return;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    n = snprintf(line, sizeof(line), "%s[%ld.%03ld] %s: ", log_prog, (long)ts.tv_sec,
                 ts.tv_nsec / 1000000, names[level]);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line keeps lines from different threads whole. */
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* Nowhere left to report a failed report. */
    }
}
