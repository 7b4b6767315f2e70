/* host_daemons.c: start and stop the pvhv daemon for a run directory
 * (pvctl starts it on first use; tests and benchmarks run their own). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "pvctrl.h"

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int pvctrl_start_pvhv(const char *pvhv_path, const char *rundir, int quiet,
                      pid_t *pid)
{
    struct pvctrl *h;
    pid_t p;

    if (pvctrl_open(rundir, &h) == 0) {
        pvctrl_close(h);
        return -XEN_EADDRINUSE;
    }
    if (mkdir(rundir, 0700) < 0 && errno != EEXIST)
        return -errno;
    p = fork();
    if (p < 0)
        return -errno;
    if (p == 0) {
        execl(pvhv_path, "pvhv", "--rundir", rundir, quiet ? "--quiet" : "--debug",
              (char *)NULL);
        fprintf(stderr, "pvctrl: cannot run %s: %s\n", pvhv_path, strerror(errno));
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        int st;
        if (pvctrl_open(rundir, &h) == 0) {
            pvctrl_close(h);
            *pid = p;
            return 0;
        }
        if (waitpid(p, &st, WNOHANG) == p)
            return -XEN_ECHILD;
        sleep_ms(10);
    }
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
    return -XEN_ETIMEDOUT;
}

int pvctrl_stop_pvhv(pid_t pid, int timeout_ms)
{
    int st = 0;

    if (kill(pid, SIGTERM) < 0)
        return -errno;
    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0)
            return -errno;
        if (waited >= timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            break;
        }
        sleep_ms(10);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
