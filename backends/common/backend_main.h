/* backend_main.h: what every dom0 backend daemon (pvconsoled, pvblkback,
 * pvnetback) does before its loop: the command line (--rundir, --quiet,
 * --debug, --help, and --poll-ms for the ones with a tick option), the
 * run directory, the pid file, $PV_RUNDIR and the stop signals. The
 * daemons differ only in their usage text and extra checks, so the steps
 * are separate calls the daemon's main() strings together. */
#ifndef BACKEND_MAIN_H
#define BACKEND_MAIN_H

#include <stdio.h>

/* Longest run directory accepted (its paths must fit the buffers). */
#define BK_RUNDIR_MAX 4096

/* The command line's outcome. */
struct bk_options {
    /* In: */
    const char *prog;          /* "pvblkback": log prefix, pid file name */
    void (*usage)(FILE *f);    /* prints the daemon's usage text to f */
    int tick_max;              /* accept --poll-ms 1..tick_max; 0: no such
                                  option (pvconsoled) */
    const char *num_opt;       /* a daemon's own numeric option: --NUM_OPT N,
                                  num_min..num_max, into *num_value (which
                                  holds the default); NULL: none */
    long num_min, num_max;
    long *num_value;
    /* In (the default) and out: */
    int tick_ms;               /* --poll-ms */
    /* Out: */
    const char *rundir;        /* --rundir, else $PV_RUNDIR, else /run/pv */
};

/*
 * Parse argv into *o (log_prog is set to o->prog first, --quiet and
 * --debug set log_threshold). Returns -1 to go on, or the exit status
 * main() should return at once: 0 after --help (usage on stdout), 2 for a
 * bad command line (usage on stderr).
 */
int bk_parse_options(struct bk_options *o, int argc, char **argv);

/* A daemon's hold on its run directory. */
struct bk_run {
    const char *prog;
    const char *rundir;
    char pidpath[BK_RUNDIR_MAX + 32]; /* RUNDIR/PROG.pid */
    int pidfd;                        /* -1 while not held */
};

/*
 * Make the run directory o->rundir (mode 0700) if missing and, if
 * `subdir` is not NULL, directory `subdir` too (mode 0755; pvconsoled's
 * console directory, made before the pid file as it always was); take
 * RUNDIR/PROG.pid; set $PV_RUNDIR to the run directory (libxs finds
 * xenstored's socket through it). Returns 0 with r holding the pid file,
 * or 1 (the exit status) after logging why: the directory cannot be
 * made, another daemon holds the pid file ("another PROG (pid N) serves
 * DIR"), the pid file cannot be taken, setenv failed (nothing held then).
 */
int bk_run_take(struct bk_run *r, const struct bk_options *o, const char *subdir);

/*
 * Deliver `sigs` (a 0-terminated list, e.g. SIGTERM, SIGINT) through the
 * loop's signalfd: back to their default action (an ignored signal would
 * never reach the signalfd) and blocked. SIGPIPE is ignored (a closed
 * socket or pty is an error return, not death). Returns 0, or -errno
 * after logging "sigprocmask: ...".
 */
int bk_block_signals(const int *sigs);

/* Drop the pid file (no-op if not held). */
void bk_run_release(struct bk_run *r);

#endif
