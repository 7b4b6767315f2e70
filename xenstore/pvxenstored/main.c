/* main.c: pvxenstored: options, the run directory, the saved state, then
 * the unix-socket loop. Runs in the foreground; SIGTERM or SIGINT stops it
 * (after a last save). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
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
            "  --no-persist       keep the state in memory only: neither load nor save\n"
            "                     DIR/xenstored/state (by default the tree, the domains\n"
            "                     and their rings' watches are saved at most every\n"
            "                     100 ms and at exit, and restored at start)\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --help\n");
}

/* ------------------------------------------------------------------------
 * Saving the state: at most once per SAVE_INTERVAL_NS after a change (a
 * timerfd in the loop), and at a clean stop.
 * ------------------------------------------------------------------------ */
#define SAVE_INTERVAL_NS 100000000LL /* 100 ms: what a kill -9 may lose */

struct persist {
    struct xsd_fd_handler timer; /* first: epoll's data.ptr */
    struct xsd *d;
    char path[4200];
    int tfd;
    bool armed;
    bool failing;                /* the last save failed (logged once) */
    uint64_t saved_seq;          /* xsd_persist_seq() of the state on disk */
    long long last_save_ns;      /* CLOCK_MONOTONIC of the last attempt */
};

static long long mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void persist_save(struct persist *p)
{
    uint64_t seq = xsd_persist_seq(p->d);
    int r = xsd_persist_save(p->d, p->path);

    p->last_save_ns = mono_ns();
    if (r < 0) {
        if (!p->failing)
            log_msg(LOG_ERR, "cannot save the state to %s: %s (retrying)", p->path,
                    strerror(-r));
        p->failing = true;
        return;
    }
    if (p->failing)
        log_msg(LOG_INFO, "state saved to %s again", p->path);
    p->failing = false;
    p->saved_seq = seq;
}

static void persist_timer(struct xsd_fd_handler *h, uint32_t events)
{
    struct persist *p = (struct persist *)h;
    uint64_t n;

    (void)events;
    if (read(p->tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        log_msg(LOG_WARN, "state timer: %s", strerror(errno));
    p->armed = false;
    if (xsd_persist_seq(p->d) != p->saved_seq)
        persist_save(p);
}

/* Before each wait: something changed and no save is due yet? Arm the
 * timer for when the interval since the last save ends. */
static void persist_idle(struct xsd *d, void *arg)
{
    struct persist *p = arg;
    long long wait;

    (void)d;
    if (p->armed || xsd_persist_seq(p->d) == p->saved_seq)
        return;
    wait = p->last_save_ns + SAVE_INTERVAL_NS - mono_ns();
    if (wait <= 0 || p->tfd < 0) {
        persist_save(p);
        if (!p->failing || p->tfd < 0)
            return;
        wait = SAVE_INTERVAL_NS; /* a failed save is tried again later */
    }
    struct itimerspec its = { .it_value = { wait / 1000000000LL, wait % 1000000000LL } };
    if (timerfd_settime(p->tfd, 0, &its, NULL) == 0)
        p->armed = true;
}

/* The loop runs: serve the restored domains' rings again (a domain whose
 * port pvhv has not yet freed from the dead daemon gets a few tries), and
 * add the save timer. */
static void persist_started(struct xsd *d, void *arg)
{
    struct persist *p = arg;

    for (int i = 0; i < 10; i++) {
        if (xsd_persist_restore(d, i == 9) == 0)
            break;
        struct timespec ts = { 0, 50000000L };
        nanosleep(&ts, NULL);
    }
    p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    p->timer.ready = persist_timer;
    if (p->tfd >= 0 && xsd_loop_add(d, p->tfd, EPOLLIN, &p->timer) < 0) {
        close(p->tfd);
        p->tfd = -1;
    }
    if (p->tfd < 0)
        log_msg(LOG_WARN, "no timer for saving the state: saving after every change");
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
        { "no-persist", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'Q' },
        { "debug", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };

    log_prog = "pvxenstored";
    const char *rundir = getenv("PV_RUNDIR");
    struct xsd_quota quota;
    bool log_requests = false, persist = true;
    static struct persist p = { .tfd = -1 };
    struct xsd_loop_hooks hooks = { NULL, persist_idle, &p };
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
        case 'P': persist = false; break;
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
    if (persist) {
        p.d = d;
        snprintf(p.path, sizeof(p.path), "%s/state", dir);
        /* Loaded, or a fresh store (none, or refused and moved aside):
         * either way what is in memory needs no save until it changes. */
        xsd_persist_load(d, p.path);
        p.saved_seq = xsd_persist_seq(d);
        hooks.started = persist_started;
    }
    log_msg(LOG_INFO, "listening on %s; guest rings through pvhv in %s", sock, rundir);
    rc = xsd_unix_serve(d, lfd, &stop, persist ? &hooks : NULL);
    if (persist) {
        /* A clean stop: the rings' connections still stand, so their
         * watches are saved with everything else. */
        persist_save(&p);
        if (p.tfd >= 0)
            close(p.tfd);
    }
    xsd_ring_teardown(d);
    close(lfd);
    unlink(sock);
    xsd_free(d);
    return rc < 0 ? 1 : 0;
}
