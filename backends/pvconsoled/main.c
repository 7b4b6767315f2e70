/* main.c: pvconsoled, the console daemon (Xen's xenconsoled): options, the
 * run directory and the pid file, then the loop (daemon.c). Runs in the
 * foreground; SIGTERM or SIGINT stops it, SIGHUP reopens the log files. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "pvconsoled.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvconsoled [options]\n"
            "  --rundir DIR       run directory (default $PV_RUNDIR, else /run/pv): pvhv's\n"
            "                     socket and xenstore are looked for there; writes\n"
            "                     DIR/pvconsoled.pid, and for each domain NAME\n"
            "                     DIR/console/NAME.log (its output) and DIR/console/NAME.tty\n"
            "                     (the path of its pty)\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --help\n"
            "Each domain's console ring goes to its log and to a pty (also named in\n"
            "xenstore at /local/domain/N/console/tty); `pvctl console` attaches to it.\n"
            "pvhv and pvxenstored may start before or after pvconsoled, and restart.\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "rundir", required_argument, NULL, 'r' },
        { "quiet", no_argument, NULL, 'Q' },
        { "debug", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct pvcd d = { .epfd = -1 };
    char pidpath[4096 + 32];
    sigset_t stop;
    pid_t other = 0;
    int opt, pidfd, rc;

    log_prog = "pvconsoled";
    d.rundir = getenv("PV_RUNDIR");
    if (!d.rundir || !*d.rundir)
        d.rundir = "/run/pv";
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r': d.rundir = optarg; break;
        case 'Q': log_threshold = LOG_WARN; break;
        case 'D': log_threshold = LOG_DEBUG; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || strlen(d.rundir) >= 4096) {
        usage(stderr);
        return 2;
    }
    snprintf(d.console_dir, sizeof(d.console_dir), "%s/console", d.rundir);
    snprintf(pidpath, sizeof(pidpath), "%s/pvconsoled.pid", d.rundir);
    if (mkdir(d.rundir, 0700) < 0 && errno != EEXIST) {
        log_err("cannot create %s: %s", d.rundir, strerror(errno));
        return 1;
    }
    if (mkdir(d.console_dir, 0755) < 0 && errno != EEXIST) {
        log_err("cannot create %s: %s", d.console_dir, strerror(errno));
        return 1;
    }
    pidfd = pidfile_take(pidpath, &other);
    if (pidfd < 0) {
        if (pidfd == -EEXIST)
            log_err("another pvconsoled (pid %ld) serves %s", (long)other, d.rundir);
        else
            log_err("cannot take %s: %s", pidpath, strerror(-pidfd));
        return 1;
    }
    /* libxs finds the socket through $PV_RUNDIR unless XENSTORED_PATH or
     * XENSTORED_RUNDIR say otherwise: make it the same run directory. */
    setenv("PV_RUNDIR", d.rundir, 1);

    /* Stop signals arrive through the loop's signalfd. An ignored signal
     * (inherited that way) would never reach it, so take them back. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    log_info("serving %s (pid %ld)", d.rundir, (long)getpid());
    rc = daemon_run(&d);
    pidfile_release(pidpath, pidfd);
    return rc;
}
