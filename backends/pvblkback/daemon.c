/* daemon.c: pvblkback's one loop: an epoll over the stop signals
 * (signalfd), the tick (timerfd), xenstore's fd, the event channels' fd
 * and io_uring's completion eventfd. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <xenstore.h>

#include "backend_loop.h"
#include "log.h"
#include "pvblkback.h"
#include "pvctrl.h"

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
    if (bb->xb.xs && now - bb->last_rescan >= BB_RESCAN_MS)
        bb->xb.rescan_now = true;
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
    static const int stop[] = { SIGTERM, SIGINT, 0 };
    struct bk_loop loop = { -1, -1, -1 };
    int rc = 1, r;

    r = bk_loop_open(&loop, stop, bb->tick_ms, TAG_SIGNAL, TAG_TIMER);
    bb->epfd = loop.epfd;
    if (r < 0)
        goto out;
    if ((r = uring_init(bb)) < 0) {
        log_err("cannot set up io_uring: %s", strerror(-r));
        goto out;
    }
    if ((r = bk_loop_add(&loop, bb->uring_efd, TAG_URING)) < 0) {
        log_err("cannot watch io_uring's eventfd: %s", strerror(-r));
        goto out;
    }
    bb->last_slow = bb->last_rescan = bb_now_ms();
    for (;;) {
        struct epoll_event evs[16];
        int timeout = (bb->kick_pending || bb->submit_again || bb->xb.rescan_now) ? 0 : -1;
        int n = bk_loop_wait(&loop, evs, 16, timeout), sig;

        if (n < 0)
            goto out;
        for (int i = 0; i < n; i++) {
            switch ((enum bb_tag)evs[i].data.u64) {
            case TAG_SIGNAL:
                if ((sig = bk_loop_signal(&loop)) > 0) {
                    log_info("%s: stopping", strsignal(sig));
                    rc = 0;
                    goto out;
                }
                break;
            case TAG_TIMER:
                if (bk_loop_tick(&loop))
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
        if (bb->xb.rescan_now && bb->xb.xs)
            xb_rescan(bb);
        bb->xb.rescan_now = false;
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
    bk_loop_close(&loop);
    bb->epfd = -1;
    return rc;
}
