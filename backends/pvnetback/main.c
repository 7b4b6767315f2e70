/* main.c: pvnetback, the network backend daemon (Xen's netback): options,
 * the run directory and the pid file, then the loop (daemon.c). Runs in
 * the foreground; SIGTERM or SIGINT stops it cleanly. */
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
#include "pvnetback.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvnetback [options]\n"
            "  --rundir DIR       run directory (default $PV_RUNDIR, else /run/pv): pvhv's\n"
            "                     socket and xenstore are looked for there; writes\n"
            "                     DIR/pvnetback.pid\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --poll-ms MS       look at every connected ring every MS ms besides its\n"
            "                     notifications (default %d; 1..%d)\n"
            "  --help\n"
            "Serves every vif the toolstack declares under %s/DOMID/DEVID\n"
            "(Xen's netif protocol): a TAP device per vif, named vifDOMID.DEVID (or\n"
            "B/vifname), MTU from B/mtu, in the bridge B/bridge names.\n"
            "pvhv and pvxenstored may start before or after pvnetback; a restarted\n"
            "pvnetback makes the TAPs again and takes the connected rings over.\n",
            NB_TICK_MS, NB_TICK_MS, NB_BACKEND_ROOT);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "rundir", required_argument, NULL, 'r' },
        { "quiet", no_argument, NULL, 'Q' },
        { "debug", no_argument, NULL, 'D' },
        { "poll-ms", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static struct netback nb; /* large (the port table): not on the stack */
    char pidpath[4096 + 32];
    sigset_t stop;
    pid_t other = 0;
    int opt, pidfd, rc;
    char *end;
    long ms;

    log_prog = "pvnetback";
    nb.epfd = -1;
    nb.tick_ms = NB_TICK_MS;
    nb.rundir = getenv("PV_RUNDIR");
    if (!nb.rundir || !*nb.rundir)
        nb.rundir = "/run/pv";
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r': nb.rundir = optarg; break;
        case 'Q': log_threshold = LOG_WARN; break;
        case 'D': log_threshold = LOG_DEBUG; break;
        case 'p':
            errno = 0;
            ms = strtol(optarg, &end, 10);
            if (errno || *end || ms < 1 || ms > NB_TICK_MS) {
                usage(stderr);
                return 2;
            }
            nb.tick_ms = (int)ms;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || strlen(nb.rundir) >= 4096) {
        usage(stderr);
        return 2;
    }
    snprintf(pidpath, sizeof(pidpath), "%s/pvnetback.pid", nb.rundir);
    if (mkdir(nb.rundir, 0700) < 0 && errno != EEXIST) {
        log_err("cannot create %s: %s", nb.rundir, strerror(errno));
        return 1;
    }
    pidfd = pidfile_take(pidpath, &other);
    if (pidfd < 0) {
        if (pidfd == -EEXIST)
            log_err("another pvnetback (pid %ld) serves %s", (long)other, nb.rundir);
        else
            log_err("cannot take %s: %s", pidpath, strerror(-pidfd));
        return 1;
    }
    /* libxs finds the socket through $PV_RUNDIR unless XENSTORED_PATH or
     * XENSTORED_RUNDIR say otherwise: make it the same run directory. */
    if (setenv("PV_RUNDIR", nb.rundir, 1) < 0) {
        log_err("setenv: %s", strerror(errno));
        pidfile_release(pidpath, pidfd);
        return 1;
    }
    if (access("/dev/net/tun", R_OK | W_OK) < 0)
        log_warn("/dev/net/tun: %s: no vif can be served (load the tun module)",
                 strerror(errno));

    /* Stop signals arrive through the loop's signalfd. An ignored signal
     * (inherited that way) would never reach it, so take them back. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0) {
        log_err("sigprocmask: %s", strerror(errno));
        pidfile_release(pidpath, pidfd);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    log_info("serving %s (pid %ld)", nb.rundir, (long)getpid());
    rc = daemon_run(&nb);
    pidfile_release(pidpath, pidfd);
    return rc;
}
