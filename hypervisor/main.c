/* main.c: the pvhv daemon: start-up, the control socket loop, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "control.h"
#include "domain.h"
#include "evtchn.h"
#include "kvm.h"
#include "log.h"
#include "platform.h"
#include "vcpu.h"

#define MAX_CLIENTS 256

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvhv [--rundir DIR] [--debug] [--quiet]\n"
            "\n"
            "Runs the pvhv hypervisor daemon in the foreground. Domains are\n"
            "created through its control socket DIR/pvhv.sock (DIR: --rundir,\n"
            "else $PV_RUNDIR, else /run/pv); pvctl starts it when needed.\n"
            "SIGTERM or SIGINT destroys every domain and exits.\n"
            "--debug logs every hypercall; --quiet logs errors only.\n");
}

static int tick_domain(struct domain *d, void *arg)
{
    (void)arg;
    platform_tick(d);
    return 0;
}

static int destroy_one(struct domain *d, void *arg)
{
    (void)arg;
    domain_destroy(d);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "rundir", required_argument, NULL, 'r' },
        { "debug", no_argument, NULL, 'd' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    const char *rundir = getenv("PV_RUNDIR");
    char path[256];
    int c, r;

    while ((c = getopt_long(argc, argv, "r:dqh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rundir = optarg; break;
        case 'd': log_threshold = LOG_DEBUG; break;
        case 'q': log_threshold = LOG_ERR; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (!rundir || !*rundir)
        rundir = "/run/pv";
    if (mkdir(rundir, 0700) < 0 && errno != EEXIST) {
        log_err("cannot create %s: %s", rundir, strerror(errno));
        return 1;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", rundir, PVHV_CTL_SOCKET_NAME) >=
        sizeof(path)) {
        log_err("run directory path too long: %s", rundir);
        return 1;
    }

    r = kvm_init();
    if (r < 0) {
        log_err("cannot use /dev/kvm: %s", strerror(-r));
        return 1;
    }
    platform_init();
    r = kvm_xen_choose();
    if (r < 0) {
        log_err("PV_KVM_XEN=1, but this kernel's KVM has no Xen support "
                "(KVM_CAP_XEN_HVM lacks INTERCEPT_HCALL)");
        return 1;
    }
    log_info("KVM's Xen support: %s", kvm_host.use_xen ? "used (hypercalls by vmcall/vmmcall)"
                                                       : "not used (hypercalls by port I/O)");

    /* Signals for the daemon arrive through a signalfd; every thread
     * (vCPU threads inherit this mask) keeps them blocked. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    vcpu_signals_init();

    r = evtchn_thread_start();
    if (r < 0) {
        log_err("cannot start the event thread: %s", strerror(-r));
        return 1;
    }
    int lfd = ctl_listen(path);
    if (lfd < 0) {
        log_err("cannot listen on %s: %s", path,
                lfd == -EADDRINUSE ? "another pvhv is running there" : strerror(-lfd));
        return 1;
    }
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    struct itimerspec tick = {
        .it_interval = { 0, PLATFORM_TICK_MS * 1000000L },
        .it_value = { 0, PLATFORM_TICK_MS * 1000000L },
    };
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &tick, NULL) < 0) {
        log_err("start-up failed: %s", strerror(errno));
        return 1;
    }
    struct epoll_event ev = { .events = EPOLLIN };
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = sfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    log_info("pvhv ready on %s", path);

    bool running = true;
    while (running) {
        struct epoll_event evs[16];
        int n = epoll_wait(ep, evs, 16, -1);
        if (n < 0 && errno != EINTR) {
            log_err("epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int cfd = ctl_accept(lfd);
                if (cfd >= 0) {
                    struct epoll_event cev = { .events = EPOLLIN, .data.fd = cfd };
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev) < 0)
                        close(cfd);
                }
            } else if (fd == sfd) {
                struct signalfd_siginfo si;
                if (read(sfd, &si, sizeof(si)) == sizeof(si))
                    log_info("signal %u: shutting down", si.ssi_signo);
                running = false;
            } else if (fd == tfd) {
                uint64_t expirations;
                if (read(tfd, &expirations, sizeof(expirations)) > 0)
                    domain_foreach(0, DOMID_MAX_SCAN, tick_domain, NULL);
            } else if ((evs[i].events & (EPOLLHUP | EPOLLERR)) || ctl_serve(fd) < 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                ctl_client_gone(fd);
                close(fd);
            }
        }
    }

    domain_foreach(0, DOMID_MAX_SCAN, destroy_one, NULL);
    unlink(path);
    log_info("pvhv stopped");
    return 0;
}
