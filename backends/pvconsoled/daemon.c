/* daemon.c: pvconsoled's one loop: an epoll over the stop signals
 * (signalfd), the rescan timer (timerfd), pvhv's event channels, every
 * console's pty master and xenstore. Nothing in it blocks on a guest or a
 * pty reader: ptys are non-blocking and ring copies are bounded. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>

#include "backend_loop.h"
#include "log.h"
#include "pvconsoled.h"

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
    static const int stop[] = { SIGTERM, SIGINT, SIGHUP, 0 };
    struct bk_loop loop = { -1, -1, -1 };
    int rc = 1, r;

    r = bk_loop_open(&loop, stop, PVCD_RESCAN_MS, PVCD_EV(TAG_SIGNAL, 0), PVCD_EV(TAG_TIMER, 0));
    d->epfd = loop.epfd;
    if (r < 0)
        goto out;
    for (;;) {
        struct epoll_event evs[32];
        int n = bk_loop_wait(&loop, evs, 32, -1), sig;

        if (n < 0)
            goto out;
        for (int i = 0; i < n; i++) {
            uint64_t data = evs[i].data.u64;
            uint32_t domid = (uint32_t)data;
            struct console *c;

            switch ((enum pvcd_tag)(data >> 32)) {
            case TAG_SIGNAL:
                while ((sig = bk_loop_signal(&loop)) > 0) {
                    if (sig == SIGHUP) {
                        log_info("SIGHUP: reopening the log files");
                        for (c = d->consoles; c; c = c->next)
                            console_reopen_log(d, c);
                        continue;
                    }
                    log_info("%s: stopping", strsignal(sig));
                    rc = 0;
                    goto out;
                }
                break;
            case TAG_TIMER:
                if (bk_loop_tick(&loop))
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
    bk_loop_close(&loop);
    d->epfd = -1;
    return rc;
}
