/* log.c: pvxenstored's diagnostic messages, one line each to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "xsd.h"

enum xsd_log_level xsd_log_threshold = XSD_LOG_INFO;

void xsd_log(enum xsd_log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    char line[1024];
    struct timespec ts;
    va_list ap;
    int n;

    if (level > xsd_log_threshold)
        return;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    n = snprintf(line, sizeof(line), "pvxenstored[%ld.%03ld] %s: ", (long)ts.tv_sec,
                 ts.tv_nsec / 1000000, names[level]);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line keeps lines whole. */
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* Nowhere left to report a failed report. */
    }
}
