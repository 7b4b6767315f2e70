/* unix_transport.c: the unix-socket transport: accept, non-blocking reads
 * and writes per connection, flow control, in one epoll loop, so a slow or
 * dead client never holds up another. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "unix_transport.h"

#define RBUF_SIZE  65536
#define READS_PER_EVENT 4 /* then let the others have a turn */

struct uconn {
    struct xsd_fd_handler h; /* first: epoll's data.ptr */
    int fd;
    struct xsd_conn *c;
    struct userver *srv;
    uint32_t events;     /* registered with epoll */
    bool gone;           /* in the dead list */
    struct uconn *next_dead;
    size_t roff, rlen;
    uint8_t rbuf[RBUF_SIZE];
};

struct userver {
    struct xsd_fd_handler listen, signal;
    struct xsd *d;
    int ep, lfd, sfd;
    bool stop;
    struct uconn *dead;
};

static void uc_kick(struct xsd_conn *c);

static const struct xsd_transport unix_transport = { "unix", uc_kick };

static void uc_bury(struct uconn *uc)
{
    if (uc->gone)
        return;
    uc->gone = true;
    uc->next_dead = uc->srv->dead;
    uc->srv->dead = uc;
}

static void uc_update(struct uconn *uc)
{
    const void *buf;
    size_t len;
    uint32_t want = 0;

    if (uc->gone)
        return;
    if (!xsd_conn_blocked(uc->c))
        want |= EPOLLIN;
    if (xsd_conn_out_peek(uc->c, &buf, &len))
        want |= EPOLLOUT;
    if (want != uc->events) {
        struct epoll_event ev = { .events = want, .data.ptr = uc };
        epoll_ctl(uc->srv->ep, EPOLL_CTL_MOD, uc->fd, &ev);
        uc->events = want;
    }
}

static void uc_flush(struct uconn *uc)
{
    const void *buf;
    size_t len;

    while (!uc->gone && xsd_conn_out_peek(uc->c, &buf, &len)) {
        ssize_t n = send(uc->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            xsd_conn_out_consume(uc->c, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n < 0 && errno != EAGAIN)
                uc_bury(uc); /* peer gone */
            break;
        }
    }
}

static void uc_kick(struct xsd_conn *c)
{
    struct uconn *uc = c->tp_data;

    if (xsd_conn_dead(c)) {
        uc_bury(uc);
        return;
    }
    uc_flush(uc);
    uc_update(uc);
}

/* Serve what was read but not yet fed, then read and serve more, a
 * bounded number of times (level-triggered epoll brings us back for the
 * rest). Bytes read are always fed at once: none may wait in rbuf unless
 * the connection is blocked, which uc_update() watches. */
static void uc_read(struct uconn *uc)
{
    for (int i = 0; i < READS_PER_EVENT && !uc->gone; i++) {
        if (uc->roff < uc->rlen)
            uc->roff += xsd_conn_feed(uc->c, uc->rbuf + uc->roff, uc->rlen - uc->roff);
        if (xsd_conn_dead(uc->c) || xsd_conn_blocked(uc->c) || uc->roff < uc->rlen)
            break;
        ssize_t n = recv(uc->fd, uc->rbuf, sizeof(uc->rbuf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            uc_bury(uc);
            break;
        }
        if (n < 0)
            break;
        uc->roff = 0;
        uc->rlen = (size_t)n;
        uc->roff += xsd_conn_feed(uc->c, uc->rbuf, uc->rlen);
    }
    if (xsd_conn_dead(uc->c))
        uc_bury(uc);
}

static void uc_event(struct xsd_fd_handler *h, uint32_t events)
{
    struct uconn *uc = (struct uconn *)h;

    if (uc->gone)
        return;
    /* Both directions closed: nothing more can be delivered. */
    if (events & (EPOLLHUP | EPOLLERR)) {
        uc_bury(uc);
        return;
    }
    if (events & EPOLLOUT)
        uc_flush(uc);
    if (events & EPOLLIN)
        uc_read(uc);
    /* Output drained may unblock input already buffered. */
    if (!uc->gone && uc->roff < uc->rlen && !xsd_conn_blocked(uc->c))
        uc_read(uc);
    uc_flush(uc);
    uc_update(uc);
}

static void uc_accept(struct xsd_fd_handler *h, uint32_t events)
{
    struct userver *srv = (struct userver *)((char *)h - offsetof(struct userver, listen));
    struct xsd *d = srv->d;
    int lfd = srv->lfd;

    (void)events;
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct ucred cred;
        socklen_t cl = sizeof(cred);
        struct uconn *uc;

        if (fd < 0)
            return;
        /* The socket is dom0's: root, or whoever runs this daemon. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
            (cred.uid != 0 && cred.uid != geteuid())) {
            log_msg(LOG_WARN, "refused a client with uid %u", (unsigned)cred.uid);
            close(fd);
            continue;
        }
        uc = calloc(1, sizeof(*uc));
        if (uc)
            uc->c = xsd_conn_new(d, &unix_transport, uc, 0);
        if (!uc || !uc->c) {
            log_msg(LOG_ERR, "out of memory for a connection");
            free(uc);
            close(fd);
            continue;
        }
        uc->h.ready = uc_event;
        uc->fd = fd;
        uc->srv = srv;
        uc->events = EPOLLIN;
        if (xsd_loop_add(d, fd, EPOLLIN, &uc->h) < 0) {
            xsd_conn_free(uc->c);
            free(uc);
            close(fd);
            continue;
        }
        log_msg(LOG_DEBUG, "connection %u (unix, pid %d)", uc->c->id, (int)cred.pid);
    }
}

static void uc_reap(struct userver *srv)
{
    while (srv->dead) {
        struct uconn *uc = srv->dead;
        srv->dead = uc->next_dead;
        epoll_ctl(srv->ep, EPOLL_CTL_DEL, uc->fd, NULL);
        close(uc->fd);
        xsd_conn_free(uc->c);
        free(uc);
    }
}

int xsd_unix_listen(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd, rc;
    mode_t old;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -XEN_ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    /* A live daemon answers; a dead one's socket refuses and is replaced. */
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        close(fd);
        return -XEN_EADDRINUSE;
    }
    unlink(path);
    old = umask(077);
    rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0 || listen(fd, 64) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static void on_signal(struct xsd_fd_handler *h, uint32_t events)
{
    struct userver *srv = (struct userver *)((char *)h - offsetof(struct userver, signal));
    struct signalfd_siginfo si;

    (void)events;
    if (read(srv->sfd, &si, sizeof(si)) == sizeof(si))
        log_msg(LOG_INFO, "signal %u: stopping", si.ssi_signo);
    srv->stop = true;
}

int xsd_loop_add(struct xsd *d, int fd, uint32_t events, struct xsd_fd_handler *h)
{
    struct epoll_event ev = { .events = events, .data.ptr = h };

    if (d->loop_fd < 0)
        return -XEN_EINVAL;
    return epoll_ctl(d->loop_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void xsd_loop_del(struct xsd *d, int fd)
{
    if (d->loop_fd >= 0)
        epoll_ctl(d->loop_fd, EPOLL_CTL_DEL, fd, NULL);
}

int xsd_unix_serve(struct xsd *d, int lfd, const sigset_t *stop_signals,
                   const struct xsd_loop_hooks *hooks)
{
    struct userver srv = { .listen.ready = uc_accept, .signal.ready = on_signal, .d = d,
                           .ep = epoll_create1(EPOLL_CLOEXEC), .lfd = lfd,
                           .sfd = signalfd(-1, stop_signals, SFD_CLOEXEC | SFD_NONBLOCK) };
    struct epoll_event evs[64];

    if (srv.ep < 0 || srv.sfd < 0) {
        int rc = -errno;
        if (srv.ep >= 0)
            close(srv.ep);
        if (srv.sfd >= 0)
            close(srv.sfd);
        return rc;
    }
    d->loop_fd = srv.ep;
    xsd_loop_add(d, lfd, EPOLLIN, &srv.listen);
    xsd_loop_add(d, srv.sfd, EPOLLIN, &srv.signal);
    if (hooks && hooks->started)
        hooks->started(d, hooks->arg);

    while (!srv.stop) {
        if (hooks && hooks->idle)
            hooks->idle(d, hooks->arg);
        int n = epoll_wait(srv.ep, evs, 64, -1);
        if (n < 0 && errno != EINTR) {
            log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            struct xsd_fd_handler *h = evs[i].data.ptr;
            h->ready(h, evs[i].events);
        }
        uc_reap(&srv);
    }
    /* Close every client this loop made. */
    for (struct xsd_conn *c = d->conns, *next; c; c = next) {
        next = c->next;
        if (c->tp == &unix_transport)
            uc_bury(c->tp_data);
    }
    uc_reap(&srv);
    d->loop_fd = -1;
    close(srv.sfd);
    close(srv.ep);
    return 0;
}
