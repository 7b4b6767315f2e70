/* backend_main.c: the backend daemons' start: options, run directory,
 * pid file, environment, signals (backend_main.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend_main.h"
#include "log.h"
#include "pidfile.h"

int bk_parse_options(struct bk_options *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "rundir", required_argument, NULL, 'r' },
        { "quiet", no_argument, NULL, 'Q' },
        { "debug", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { "poll-ms", required_argument, NULL, 'p' }, /* last: cut off below */
        { NULL, 0, NULL, 0 },
    };
    /* Without a tick option the table ends before --poll-ms, so getopt
     * rejects it like any unknown option; the daemon's own option, if
     * any, goes after the last one kept. */
    struct option opts[sizeof(longopts) / sizeof(longopts[0]) + 1];
    size_t nopts = sizeof(longopts) / sizeof(longopts[0]);
    int opt;
    char *end;
    long ms;

    memset(opts, 0, sizeof(opts));
    memcpy(opts, longopts, sizeof(longopts));
    if (o->tick_max <= 0)
        memset(&opts[--nopts - 1], 0, sizeof(opts[0]));
    if (o->num_opt)
        opts[nopts - 1] = (struct option){ o->num_opt, required_argument, NULL, 'n' };
    log_prog = o->prog;
    o->rundir = getenv("PV_RUNDIR");
    if (!o->rundir || !*o->rundir)
        o->rundir = "/run/pv";
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'r': o->rundir = optarg; break;
        case 'Q': log_threshold = LOG_WARN; break;
        case 'D': log_threshold = LOG_DEBUG; break;
        case 'p':
            errno = 0;
            ms = strtol(optarg, &end, 10);
            if (errno || *end || ms < 1 || ms > o->tick_max) {
                o->usage(stderr);
                return 2;
            }
            o->tick_ms = (int)ms;
            break;
        case 'n':
            errno = 0;
            ms = strtol(optarg, &end, 10);
            if (errno || *end || ms < o->num_min || ms > o->num_max) {
                o->usage(stderr);
                return 2;
            }
            *o->num_value = ms;
            break;
        case 'h': o->usage(stdout); return 0;
        default: o->usage(stderr); return 2;
        }
    }
    if (optind != argc || strlen(o->rundir) >= BK_RUNDIR_MAX) {
        o->usage(stderr);
        return 2;
    }
    return -1;
}

int bk_run_take(struct bk_run *r, const struct bk_options *o, const char *subdir)
{
    pid_t other = 0;

    r->prog = o->prog;
    r->rundir = o->rundir;
    r->pidfd = -1;
    snprintf(r->pidpath, sizeof(r->pidpath), "%s/%s.pid", r->rundir, r->prog);
    if (mkdir(r->rundir, 0700) < 0 && errno != EEXIST) {
        log_err("cannot create %s: %s", r->rundir, strerror(errno));
        return 1;
    }
    if (subdir && mkdir(subdir, 0755) < 0 && errno != EEXIST) {
        log_err("cannot create %s: %s", subdir, strerror(errno));
        return 1;
    }
    int fd = pidfile_take(r->pidpath, &other);
    if (fd < 0) {
        if (fd == -EEXIST)
            log_err("another %s (pid %ld) serves %s", r->prog, (long)other, r->rundir);
        else
            log_err("cannot take %s: %s", r->pidpath, strerror(-fd));
        return 1;
    }
    r->pidfd = fd;
    /* libxs finds the socket through $PV_RUNDIR unless XENSTORED_PATH or
     * XENSTORED_RUNDIR say otherwise: make it the same run directory. */
    if (setenv("PV_RUNDIR", r->rundir, 1) < 0) {
        log_err("setenv: %s", strerror(errno));
        bk_run_release(r);
        return 1;
    }
    return 0;
}

int bk_block_signals(const int *sigs)
{
    sigset_t stop;

    /* Stop signals arrive through the loop's signalfd. An ignored signal
     * (inherited that way) would never reach it, so take them back. */
    sigemptyset(&stop);
    for (const int *s = sigs; *s; s++) {
        signal(*s, SIG_DFL);
        sigaddset(&stop, *s);
    }
    if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0) {
        int e = errno;
        log_err("sigprocmask: %s", strerror(e));
        return -e;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

void bk_run_release(struct bk_run *r)
{
    pidfile_release(r->pidpath, r->pidfd);
    r->pidfd = -1;
}
