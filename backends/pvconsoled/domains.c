/* domains.c: the connection to pvhv and the domain list: a console for
 * every domain that is not dying, closed when the domain goes. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "pvconsoled.h"
#include "pvctrl.h"

void domains_connect(struct pvcd *d)
{
    int r;

    if (d->ctl)
        return;
    r = pvctrl_open(d->rundir, &d->ctl);
    if (r == 0) {
        r = pvctrl_evtchn_open(d->rundir, &d->evtchn);
        if (r < 0) {
            pvctrl_close(d->ctl);
            d->ctl = NULL;
        }
    }
    if (r < 0) {
        if (!d->waiting_logged)
            log_info("waiting for pvhv in %s (%s); retrying every %d ms", d->rundir,
                     strerror(-r), PVCD_RESCAN_MS);
        d->waiting_logged = true;
        return;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = PVCD_EV(TAG_EVTCHN, 0) };
    epoll_ctl(d->epfd, EPOLL_CTL_ADD, pvctrl_evtchn_fd(d->evtchn), &ev);
    log_info("connected to pvhv in %s", d->rundir);
    d->waiting_logged = false;
}

void domains_disconnect(struct pvcd *d)
{
    while (d->consoles)
        console_close(d, d->consoles);
    if (d->evtchn) {
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, pvctrl_evtchn_fd(d->evtchn), NULL);
        pvctrl_evtchn_close(d->evtchn);
    }
    if (d->ctl)
        pvctrl_close(d->ctl);
    d->evtchn = NULL;
    d->ctl = NULL;
}

void domains_rescan(struct pvcd *d)
{
    struct pvhv_ctl_dominfo infos[64];
    uint32_t first = 1;
    int n;

    if (!d->ctl)
        return;
    for (struct console *c = d->consoles; c; c = c->next)
        c->seen = false;
    do {
        n = pvctrl_domain_list(d->ctl, first, infos, 64);
        if (n < 0) {
            log_warn("lost pvhv (%s): closing every console", strerror(-n));
            domains_disconnect(d);
            return;
        }
        for (int i = 0; i < n; i++) {
            const struct pvhv_ctl_dominfo *info = &infos[i];
            first = info->domid + 1;
            if (info->domid == 0 || info->state == PVHV_DOMSTATE_DYING)
                continue;
            struct console *c = console_find(d, info->domid);
            if (c) {
                c->seen = true;
                continue;
            }
            int r = console_open(d, info, &c);
            if (r == 0)
                c->seen = true;
            else if (r != -ESRCH) /* -ESRCH: destroyed meanwhile */
                log_debug("dom%u: no console: %s", info->domid, strerror(-r));
        }
    } while (n == 64);
    for (struct console *c = d->consoles, *next; c; c = next) {
        next = c->next;
        if (!c->seen)
            console_close(d, c);
    }
    /* Catch anything an event did not announce (and retry failed binds). */
    for (struct console *c = d->consoles; c; c = c->next)
        console_pump(d, c);
}

void domains_events(struct pvcd *d)
{
    int port;

    if (!d->evtchn)
        return;
    while ((port = pvctrl_evtchn_pending(d->evtchn)) >= 0) {
        struct console *c = console_by_port(d, port);
        pvctrl_evtchn_unmask(d->evtchn, (uint32_t)port);
        if (c)
            console_pump(d, c);
    }
}
