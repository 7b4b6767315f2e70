/* main.c: pvxenstored: options, the run directory, then the unix-socket
 * loop. Runs in the foreground; SIGTERM or SIGINT stops it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring_transport.h"
#include "unix_transport.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvxenstored [options]\n"
            "  --rundir DIR       run directory (default $PV_RUNDIR, else /run/pv);\n"
            "                     the socket is DIR/xenstored/socket\n"
            "  --quota NAME=N     set a per-domain quota; NAME is one of nodes (1000),\n"
            "                     watches (128), value-size (2048), transactions (10),\n"
            "                     outstanding (20), permissions (5). Repeatable.\n"
            "  --log-requests     log every request (CONTROL log on|off changes it)\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --help\n");
}

static int mkdir_p(const char *dir, mode_t mode)
{
    if (mkdir(dir, mode) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "rundir", required_argument, NULL, 'r' },
        { "quota", required_argument, NULL, 'q' },
        { "log-requests", no_argument, NULL, 'l' },
        { "quiet", no_argument, NULL, 'Q' },
        { "debug", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };

    log_prog = "pvxenstored";
    const char *rundir = getenv("PV_RUNDIR");
    struct xsd_quota quota;
    bool log_requests = false;
    char dir[4096], sock[4096 + 16];
    sigset_t stop;
    struct xsd *d;
    int opt, lfd, rc;

    if (!rundir || !*rundir)
        rundir = "/run/pv";
    xsd_quota_defaults(&quota);
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'r': rundir = optarg; break;
        case 'q':
            if (xsd_quota_set_arg(&quota, optarg) < 0) {
                fprintf(stderr, "pvxenstored: bad quota '%s'\n", optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 'l': log_requests = true; break;
        case 'Q': log_threshold = LOG_WARN; break;
        case 'D': log_threshold = LOG_DEBUG; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s/xenstored", rundir);
    snprintf(sock, sizeof(sock), "%s/socket", dir);
    if (mkdir_p(rundir, 0700) < 0 || mkdir_p(dir, 0755) < 0) {
        log_msg(LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
        return 1;
    }
    /* Stop signals arrive through the loop's signalfd. An ignored signal
     * (inherited that way) would never reach it, so take them back. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    lfd = xsd_unix_listen(sock);
    if (lfd < 0) {
        log_msg(LOG_ERR, "cannot listen on %s: %s", sock,
                lfd == -EADDRINUSE ? "another pvxenstored is running" : strerror(-lfd));
        return 1;
    }
    d = xsd_new(&quota);
    if (!d) {
        log_msg(LOG_ERR, "out of memory");
        close(lfd);
        unlink(sock);
        return 1;
    }
    d->log_requests = log_requests;
    xsd_ring_setup(d, rundir);
    log_msg(LOG_INFO, "listening on %s; guest rings through pvhv in %s", sock, rundir);
    rc = xsd_unix_serve(d, lfd, &stop);
    xsd_ring_teardown(d);
    close(lfd);
    unlink(sock);
    xsd_free(d);
    return rc < 0 ? 1 : 0;
}
