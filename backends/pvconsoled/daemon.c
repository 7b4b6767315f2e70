/* daemon.c: pvconsoled's one loop: an epoll over the stop signals
 * (signalfd), the rescan timer (timerfd), pvhv's event channels, every
 * console's pty master and xenstore. Nothing in it blocks on a guest or a
 * pty reader: ptys are non-blocking and ring copies are bounded. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "pvconsoled.h"

static int add(struct pvcd *d, int fd, enum pvcd_tag tag)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = PVCD_EV(tag, 0) };

    return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Every PVCD_RESCAN_MS: look for pvhv and xenstore if absent, read the
 * domain list, pump every console. */
static void tick(struct pvcd *d)
{
    domains_connect(d);
    xs_glue_connect(d);
    domains_rescan(d);
    xs_glue_retry(d);
}

int daemon_run(struct pvcd *d)
{
    struct itimerspec its = {
        .it_interval = { 0, PVCD_RESCAN_MS * 1000000L },
        .it_value = { 0, 1 }, /* the first tick at once */
    };
    sigset_t mask;
    int sfd = -1, tfd = -1, rc = 1;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (d->epfd < 0 || sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
        add(d, sfd, TAG_SIGNAL) < 0 || add(d, tfd, TAG_TIMER) < 0) {
        log_err("cannot set up the loop: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        struct epoll_event evs[32];
        int n = epoll_wait(d->epfd, evs, 32, -1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            log_err("epoll_wait: %s", strerror(errno));
            goto out;
        }
        for (int i = 0; i < n; i++) {
            uint64_t data = evs[i].data.u64, ticks;
            uint32_t domid = (uint32_t)data;
            struct console *c;

            switch ((enum pvcd_tag)(data >> 32)) {
            case TAG_SIGNAL: {
                struct signalfd_siginfo si;
                while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                    if (si.ssi_signo == SIGHUP) {
                        log_info("SIGHUP: reopening the log files");
                        for (c = d->consoles; c; c = c->next)
                            console_reopen_log(d, c);
                        continue;
                    }
                    log_info("%s: stopping", strsignal((int)si.ssi_signo));
                    rc = 0;
                    goto out;
                }
                break;
            }
            case TAG_TIMER:
                if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
                    tick(d);
                break;
            case TAG_EVTCHN:
                domains_events(d);
                break;
            case TAG_XS:
                xs_glue_events(d);
                break;
            case TAG_PTY:
                /* NULL: closed by an earlier event of this batch. */
                if ((c = console_find(d, domid)))
                    console_pty_ready(d, c);
                break;
            }
        }
        if (d->rescan_now) {
            d->rescan_now = false;
            domains_rescan(d);
        }
    }
out:
    /* Flush and close every console (the guests' ports become unbound,
     * ready for the next pvconsoled), then xenstore. */
    domains_disconnect(d);
    xs_glue_close(d);
    if (tfd >= 0)
        close(tfd);
    if (sfd >= 0)
        close(sfd);
    if (d->epfd >= 0)
        close(d->epfd);
    return rc;
}
