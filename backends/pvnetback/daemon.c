/* daemon.c: pvnetback's one loop: an epoll over the stop signals
 * (signalfd), the tick (timerfd), xenstore's fd, the event channels' fd
 * and every vif's TAP. Each round serves every ready source; a vif that
 * used up its budget is served again in the next round, after the others
 * had theirs. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <xenstore.h>

#include "backend_loop.h"
#include "log.h"
#include "pvctrl.h"
#include "pvnetback.h"

void nb_tap_watch(struct netback *nb, struct vif *v, uint32_t events)
{
    if (v->tapfd < 0 || v->tap_events == events)
        return;
    struct epoll_event ev = { .events = events, .data.ptr = &v->src };
    if (epoll_ctl(nb->epfd, EPOLL_CTL_MOD, v->tapfd, &ev) == 0)
        v->tap_events = events;
    else
        log_warn("vif %u/%u: epoll on %s: %s", v->domid, v->devid, v->ifname, strerror(errno));
}

/* Every tick: look for pvhv and xenstore if absent, retry binds, look at
 * every connected ring; less often, domain liveness and a full rescan. */
static void tick(struct netback *nb)
{
    double now = nb_now_ms();

    host_connect(nb);
    xb_connect(nb);
    if (now - nb->last_slow >= NB_SLOW_MS) {
        nb->last_slow = now;
        host_check_domains(nb);
    }
    if (nb->xb.xs && now - nb->last_rescan >= NB_RESCAN_MS)
        nb->xb.rescan_now = true;
    for (struct vif *v = nb->vifs; v; v = v->next) {
        if (!v->connected)
            continue;
        if (v->local_tx_port < 0 || v->local_rx_port < 0)
            host_bind(nb, v);
        tx_kick(nb, v);
        if (v->connected)
            rx_kick(nb, v);
    }
}

/* Work left by a spent budget, and receive rings polled for buffers. */
static void again(struct netback *nb, bool poll_rx)
{
    nb->again = false;
    for (struct vif *v = nb->vifs; v; v = v->next) {
        if (v->connected && v->tx_again) {
            v->tx_again = false;
            tx_kick(nb, v);
        }
        if (v->connected && poll_rx && v->rx_wait && !v->fe_rx_notify) {
            rx_kick(nb, v);
        }
    }
}

/* A vif waits for receive buffers from a frontend that never says so. */
static bool rx_polling(struct netback *nb)
{
    for (struct vif *v = nb->vifs; v; v = v->next)
        if (v->connected && v->rx_wait && !v->fe_rx_notify)
            return true;
    return false;
}

/* Stopping: release every vif without touching xenstore (their TAPs go
 * with them), so that a new pvnetback takes the connected rings over. */
static void shutdown_all(struct netback *nb)
{
    while (nb->vifs)
        vif_remove(nb, nb->vifs);
}

int daemon_run(struct netback *nb)
{
    static const int stop[] = { SIGTERM, SIGINT, 0 };
    struct bk_loop loop = { -1, -1, -1 };
    int rc = 1, r;
    double last_poll = 0;

    nb->src_signal.tag = TAG_SIGNAL;
    nb->src_timer.tag = TAG_TIMER;
    nb->src_evtchn.tag = TAG_EVTCHN;
    nb->src_xs.tag = TAG_XS;
    nb->arena = malloc(NB_ARENA_SIZE);
    if (!nb->arena) {
        log_err("cannot set up the loop: %s", strerror(ENOMEM));
        goto out;
    }
    r = bk_loop_open(&loop, stop, nb->tick_ms, (uintptr_t)&nb->src_signal,
                     (uintptr_t)&nb->src_timer);
    nb->epfd = loop.epfd;
    if (r < 0)
        goto out;
    nb->last_slow = nb->last_rescan = nb_now_ms();
    for (;;) {
        struct epoll_event evs[64];
        bool polling = rx_polling(nb);
        int timeout = (nb->again || nb->xb.rescan_now) ? 0 : polling ? NB_RX_POLL_MS : -1;
        int n = bk_loop_wait(&loop, evs, 64, timeout), sig;

        if (n < 0)
            goto out;
        for (int i = 0; i < n; i++) {
            struct nb_src *src = evs[i].data.ptr;

            if (src == &nb->src_signal) {
                if ((sig = bk_loop_signal(&loop)) > 0) {
                    log_info("%s: stopping", strsignal(sig));
                    rc = 0;
                    goto out;
                }
            } else if (src == &nb->src_timer) {
                if (bk_loop_tick(&loop))
                    tick(nb);
            } else if (src == &nb->src_evtchn) {
                host_events(nb);
            } else if (src == &nb->src_xs) {
                xb_events(nb);
            } else {
                /* A TAP. Its vif may have been removed by an earlier event
                 * of this round: `src` is only compared, never read, until
                 * it is found among the vifs still listed. */
                struct vif *v = nb->vifs;
                while (v && &v->src != src)
                    v = v->next;
                if (v && (evs[i].events & (EPOLLERR | EPOLLHUP)))
                    vif_tap_lost(nb, v, -EBADFD);
                else if (v && v->connected && (evs[i].events & EPOLLIN))
                    rx_kick(nb, v);
            }
        }
        if (nb->xb.rescan_now && nb->xb.xs)
            xb_rescan(nb);
        nb->xb.rescan_now = false;
        double now = nb_now_ms();
        bool poll_rx = polling && now - last_poll >= NB_RX_POLL_MS;
        if (poll_rx)
            last_poll = now;
        if (nb->again || poll_rx)
            again(nb, poll_rx);
    }
out:
    shutdown_all(nb);
    xb_close(nb);
    host_close(nb);
    bk_loop_close(&loop);
    nb->epfd = -1;
    free(nb->arena);
    free(nb->ops);
    return rc;
}
