/* benchlib.c: clocks, sample statistics and guest console reading for the
 * benchmarks' host halves. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchlib.h"

double bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

void bench_stats(double *v, size_t n, double out[3])
{
    qsort(v, n, sizeof(v[0]), cmp_double);
    out[0] = v[0];
    out[1] = v[n / 2];
    out[2] = v[n * 99 / 100];
}

void bench_console_init(struct bench_console *c, uint32_t domid)
{
    c->domid = domid;
    c->offset = 0;
    c->len = 0;
    c->text[0] = 0;
}

int bench_console_poll(struct pvctrl *ctl, struct bench_console *c)
{
    if (c->len + 1 >= sizeof(c->text))
        return 0; /* full: the caller has read all it will get */
    int n = pvctrl_console_read(ctl, c->domid, &c->offset, c->text + c->len,
                                sizeof(c->text) - 1 - c->len);
    if (n > 0) {
        c->len += (size_t)n;
        c->text[c->len] = 0;
    }
    return n;
}

const char *bench_console_await(struct pvctrl *ctl, struct bench_console *c, const char *text,
                                int timeout_ms, int poll_ms)
{
    double end = bench_now_ns() + timeout_ms * 1e6;

    for (;;) {
        int n = bench_console_poll(ctl, c);
        const char *p = strstr(c->text, text);
        if (p && strchr(p, '\n'))
            return p;
        if (bench_now_ns() > end)
            return NULL;
        if (n <= 0)
            usleep((useconds_t)poll_ms * 1000);
    }
}

int bench_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (st == -1 ? 0 : WTERMSIG(st));
}

int bench_build_dir(const char *arg, char *out, size_t len)
{
    char *abs = realpath(arg ? arg : "build", NULL);
    int r = abs && strlen(abs) < len ? 0 : -1;

    if (r == 0)
        strcpy(out, abs);
    free(abs);
    return r;
}
