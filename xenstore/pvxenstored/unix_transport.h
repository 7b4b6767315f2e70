/* unix_transport.h: dom0's transport: a unix socket and its event loop. */
#ifndef PVHV_XSD_UNIX_TRANSPORT_H
#define PVHV_XSD_UNIX_TRANSPORT_H

#include "xsd.h"

/*
 * Bind the listening socket at `path` (mode 0600; the directory must
 * exist). A socket file left by a dead daemon is replaced; a live one
 * makes this fail with -XEN_EADDRINUSE. Returns the fd or a negative errno.
 */
int xsd_unix_listen(const char *path);

/* What the caller runs inside the loop (each may be NULL). */
struct xsd_loop_hooks {
    /* Once, when the loop is set up (xsd_loop_add works) and before any
     * client is served. */
    void (*started)(struct xsd *d, void *arg);
    /* Before each wait for events: after every round of them. */
    void (*idle)(struct xsd *d, void *arg);
    void *arg;
};

/*
 * Serve d on listening socket `lfd` until SIGTERM or SIGINT (which the
 * caller has blocked; they arrive through a signalfd made here). Every
 * accepted client whose uid is root or this process's is a dom0
 * connection (domid 0); others are closed at once. `hooks` may be NULL.
 * Returns 0 on a clean stop, or a negative errno if the loop could not
 * run. Frees every connection it made before returning.
 */
int xsd_unix_serve(struct xsd *d, int lfd, const sigset_t *stop_signals,
                   const struct xsd_loop_hooks *hooks);

/*
 * Add fd to the running loop (xsd_unix_serve), with handler h (which must
 * live until xsd_loop_del). 0, -XEN_EINVAL when no loop runs, or -errno.
 */
int xsd_loop_add(struct xsd *d, int fd, uint32_t epoll_events, struct xsd_fd_handler *h);
void xsd_loop_del(struct xsd *d, int fd);

#endif
