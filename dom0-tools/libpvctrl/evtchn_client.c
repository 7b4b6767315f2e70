/* evtchn_client.c: dom0's event channel ends, in libxenevtchn's shape.
 * Each port is two eventfds from pvhv; one epoll fd gathers them. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "pvctrl.h"

#define MAX_PORTS 4096

struct local_port {
    int in_fd;  /* readable when the guest signalled */
    int out_fd; /* write to signal the guest */
};

struct pvctrl_evtchn {
    struct pvctrl *ctl;
    int epfd;
    struct local_port ports[MAX_PORTS]; /* in_fd 0: not ours */
};

int pvctrl_evtchn_open(const char *rundir, struct pvctrl_evtchn **out)
{
    struct pvctrl_evtchn *h = calloc(1, sizeof(*h));
    int r;

    if (!h)
        return -XEN_ENOMEM;
    r = pvctrl_open(rundir, &h->ctl);
    if (r < 0) {
        free(h);
        return r;
    }
    h->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (h->epfd < 0) {
        r = -errno;
        pvctrl_close(h->ctl);
        free(h);
        return r;
    }
    *out = h;
    return 0;
}

static void forget(struct pvctrl_evtchn *h, uint32_t port)
{
    struct local_port *p = &h->ports[port];

    epoll_ctl(h->epfd, EPOLL_CTL_DEL, p->in_fd, NULL);
    close(p->in_fd);
    close(p->out_fd);
    memset(p, 0, sizeof(*p));
}

void pvctrl_evtchn_close(struct pvctrl_evtchn *h)
{
    if (!h)
        return;
    for (uint32_t p = 0; p < MAX_PORTS; p++)
        if (h->ports[p].in_fd > 0)
            forget(h, p);
    /* Closing the connection closes the ports in pvhv. */
    pvctrl_close(h->ctl);
    close(h->epfd);
    free(h);
}

int pvctrl_evtchn_fd(struct pvctrl_evtchn *h)
{
    return h->epfd;
}

static int bind(struct pvctrl_evtchn *h, uint16_t op, uint32_t domid, uint32_t rport)
{
    struct pvhv_ctl_evtchn e = { .remote_dom = domid, .remote_port = rport };
    int fds[2], nfds = 0;
    size_t got = 0;
    int r = pvctrl_call_fds(h->ctl, op, &e, sizeof(e), NULL, 0, &e, sizeof(e), &got, fds,
                            2, &nfds);

    if (r == 0 && (got != sizeof(e) || nfds != 2 || e.port == 0 || e.port >= MAX_PORTS))
        r = -XEN_EIO;
    if (r < 0) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        return r;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = e.port };
    if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fds[0], &ev) < 0) {
        r = -errno;
        close(fds[0]);
        close(fds[1]);
        return r;
    }
    h->ports[e.port] = (struct local_port){ fds[0], fds[1] };
    return (int)e.port;
}

int pvctrl_evtchn_bind_unbound_port(struct pvctrl_evtchn *h, uint32_t domid)
{
    return bind(h, PVHV_CTL_EVTCHN_BIND_UNBOUND, domid, 0);
}

int pvctrl_evtchn_bind_interdomain(struct pvctrl_evtchn *h, uint32_t domid,
                                   uint32_t remote_port)
{
    return bind(h, PVHV_CTL_EVTCHN_BIND_INTERDOMAIN, domid, remote_port);
}

static bool ours(struct pvctrl_evtchn *h, uint32_t port)
{
    return port > 0 && port < MAX_PORTS && h->ports[port].in_fd > 0;
}

int pvctrl_evtchn_unbind(struct pvctrl_evtchn *h, uint32_t port)
{
    struct pvhv_ctl_evtchn e = { .port = port };

    if (!ours(h, port))
        return -XEN_EINVAL;
    int r = pvctrl_call(h->ctl, PVHV_CTL_EVTCHN_CLOSE, &e, sizeof(e), NULL, 0, NULL, 0, NULL);
    forget(h, port);
    return r;
}

int pvctrl_evtchn_notify(struct pvctrl_evtchn *h, uint32_t port)
{
    uint64_t one = 1;

    if (!ours(h, port))
        return -XEN_EINVAL;
    /* EAGAIN: the counter is saturated, the guest has events to take. */
    if (write(h->ports[port].out_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

int pvctrl_evtchn_pending(struct pvctrl_evtchn *h)
{
    struct epoll_event ev;
    uint64_t n;

    for (;;) {
        int k = epoll_wait(h->epfd, &ev, 1, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -XEN_EAGAIN;
        uint32_t port = ev.data.u32;
        if (ours(h, port) && read(h->ports[port].in_fd, &n, sizeof(n)) == sizeof(n))
            return (int)port;
    }
}

int pvctrl_evtchn_unmask(struct pvctrl_evtchn *h, uint32_t port)
{
    return ours(h, port) ? 0 : -XEN_EINVAL;
}
