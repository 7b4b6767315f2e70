/* daemon.c: pvblkback's one loop: an epoll over the stop signals
 * (signalfd), the tick (timerfd), xenstore's fd, the event channels' fd
 * and io_uring's completion eventfd. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "log.h"
#include "pvblkback.h"
#include "pvctrl.h"

double bb_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int add(struct blkback *bb, int fd, enum bb_tag tag)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

    return epoll_ctl(bb->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Every tick: look for pvhv and xenstore if absent, retry binds, look at
 * every connected ring; less often, domain liveness and a full rescan. */
static void tick(struct blkback *bb)
{
    double now = bb_now_ms();

    host_reap_closed(bb);
    host_connect(bb);
    xb_connect(bb);
    if (now - bb->last_slow >= BB_SLOW_MS) {
        bb->last_slow = now;
        host_check_domains(bb);
    }
    if (bb->xs && now - bb->last_rescan >= BB_RESCAN_MS)
        bb->rescan_now = true;
    for (struct vbd *v = bb->vbds; v; v = v->next) {
        if (!v->connected || v->closing)
            continue;
        if (v->local_port < 0)
            host_bind(bb, v);
        ring_kick(bb, v);
    }
}

/* Requests left in rings by a bounded ring_kick. */
static void kick_again(struct blkback *bb)
{
    bb->kick_pending = false;
    for (struct vbd *v = bb->vbds; v; v = v->next) {
        if (v->kick_again) {
            v->kick_again = false;
            ring_kick(bb, v);
        }
    }
}

/*
 * Stopping: answer what is in flight (the guests get their responses),
 * then release every device without touching xenstore, so that a new
 * pvblkback takes the connected rings over. I/O that does not finish
 * within 10 s is abandoned (the process exits, the kernel cleans up).
 */
static void shutdown_all(struct blkback *bb)
{
    for (struct vbd *v = bb->vbds, *next; v; v = next) {
        next = v->next;
        vbd_remove(bb, v);
    }
    double end = bb_now_ms() + 10000;
    while (bb->vbds && bb->uring_ok && bb_now_ms() < end) {
        struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000000L };
        struct io_uring_cqe *cqe;
        int r = io_uring_wait_cqe_timeout(&bb->uring, &cqe, &ts);
        if (r < 0 && r != -ETIME && r != -EINTR) {
            log_warn("waiting for I/O at exit: %s", strerror(-r));
            break;
        }
        uring_reap(bb);
    }
    if (bb->vbds)
        log_warn("exiting with I/O still in flight");
    /* Whatever is left (I/O that never finished) is freed regardless. */
    while (bb->vbds) {
        struct vbd *v = bb->vbds;
        v->submitted = 0;
        v->inflight = 0;
        v->barrier = NULL;
        v->copyout = NULL;
        vbd_drained(bb, v);
    }
}

int daemon_run(struct blkback *bb)
{
    struct itimerspec its = {
        .it_interval = { bb->tick_ms / 1000, (bb->tick_ms % 1000) * 1000000L },
        .it_value = { 0, 1 }, /* the first tick at once */
    };
    sigset_t mask;
    int sfd = -1, tfd = -1, rc = 1, r;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    bb->epfd = epoll_create1(EPOLL_CLOEXEC);
    sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (bb->epfd < 0 || sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
        log_err("cannot set up the loop: %s", strerror(errno));
        goto out;
    }
    if ((r = add(bb, sfd, TAG_SIGNAL)) < 0 || (r = add(bb, tfd, TAG_TIMER)) < 0) {
        log_err("cannot set up the loop: %s", strerror(-r));
        goto out;
    }
    if ((r = uring_init(bb)) < 0) {
        log_err("cannot set up io_uring: %s", strerror(-r));
        goto out;
    }
    if ((r = add(bb, bb->uring_efd, TAG_URING)) < 0) {
        log_err("cannot watch io_uring's eventfd: %s", strerror(-r));
        goto out;
    }
    bb->last_slow = bb->last_rescan = bb_now_ms();
    for (;;) {
        struct epoll_event evs[16];
        int timeout = (bb->kick_pending || bb->submit_again || bb->rescan_now) ? 0 : -1;
        int n = epoll_wait(bb->epfd, evs, 16, timeout);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            log_err("epoll_wait: %s", strerror(errno));
            goto out;
        }
        for (int i = 0; i < n; i++) {
            uint64_t ticks;

            switch ((enum bb_tag)evs[i].data.u64) {
            case TAG_SIGNAL: {
                struct signalfd_siginfo si;
                if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                    log_info("%s: stopping", strsignal((int)si.ssi_signo));
                    rc = 0;
                    goto out;
                }
                break;
            }
            case TAG_TIMER:
                if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
                    tick(bb);
                break;
            case TAG_EVTCHN:
                host_events(bb);
                break;
            case TAG_XS:
                xb_events(bb);
                break;
            case TAG_URING:
                uring_reap(bb);
                break;
            }
        }
        if (bb->rescan_now && bb->xs)
            xb_rescan(bb);
        bb->rescan_now = false;
        if (bb->kick_pending)
            kick_again(bb);
        if (bb->submit_again)
            uring_flush(bb);
    }
out:
    shutdown_all(bb);
    xb_close(bb);
    host_close(bb);
    uring_fini(bb);
    if (tfd >= 0)
        close(tfd);
    if (sfd >= 0)
        close(sfd);
    if (bb->epfd >= 0)
        close(bb->epfd);
    return rc;
}
