/* xs.c: xenstore, when pvxenstored is there: the @introduceDomain and
 * @releaseDomain watches (each event asks for a rescan at once) and
 * /local/domain/N/console/tty. Without it the daemon works the same,
 * finding domains by its periodic rescan only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <xenstore.h>

#include "log.h"
#include "pvconsoled.h"

#define TOKEN "pvconsoled"

static void tty_path(const struct console *c, char *buf, size_t len)
{
    snprintf(buf, len, "/local/domain/%u/console/tty", c->domid);
}

static bool domain_dir_exists(struct pvcd *d, uint32_t domid)
{
    char path[48];
    void *v;

    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    v = xs_read(d->xs, XBT_NULL, path, NULL);
    free(v);
    return v != NULL;
}

void xs_glue_close(struct pvcd *d)
{
    if (!d->xs)
        return;
    int fd = xs_fileno(d->xs);
    if (fd >= 0)
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
    xs_close(d->xs);
    d->xs = NULL;
}

void xs_glue_connect(struct pvcd *d)
{
    int fd;

    if (d->xs)
        return;
    d->xs = xs_open(0);
    if (!d->xs)
        return; /* not there (yet): tried again at the next tick */
    if (!xs_watch(d->xs, "@introduceDomain", TOKEN) || !xs_watch(d->xs, "@releaseDomain", TOKEN) ||
        (fd = xs_fileno(d->xs)) < 0) {
        log_warn("xenstore: cannot watch for domains: %s", strerror(errno));
        xs_close(d->xs);
        d->xs = NULL;
        return;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = PVCD_EV(TAG_XS, 0) };
    epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
    log_info("connected to xenstore (%s)", xs_daemon_socket());
    /* Consoles opened before xenstore came up (or before it restarted,
     * losing its tree) get their records now. */
    for (struct console *c = d->consoles; c; c = c->next)
        c->xs_tty_done = false;
    xs_glue_retry(d);
    d->rescan_now = true;
}

void xs_glue_events(struct pvcd *d)
{
    char **v;

    if (!d->xs)
        return;
    for (;;) {
        v = xs_check_watch(d->xs);
        if (v) {
            log_debug("xenstore: %s fired", v[XS_WATCH_PATH]);
            free(v);
            d->rescan_now = true;
        } else if (errno != EBADMSG && errno != ENOMEM) {
            break; /* those two dropped one event; others may follow */
        }
    }
    int e = errno;
    if (e == EAGAIN) {
        xs_glue_retry(d);
    } else {
        errno = e;
        log_warn("lost xenstore (%s); reconnecting every %d ms", strerror(errno),
                 PVCD_RESCAN_MS);
        xs_glue_close(d);
    }
}

/* A failed request on a broken connection: drop it, to be reconnected. */
static void failed(struct pvcd *d, const char *what, const char *path)
{
    int e = errno;

    if (e == ENOENT || e == EACCES || e == EINVAL || e == ENOSPC || e == E2BIG) {
        log_warn("xenstore: %s %s: %s", what, path, strerror(e));
        return;
    }
    log_warn("lost xenstore (%s %s: %s); reconnecting every %d ms", what, path, strerror(e),
             PVCD_RESCAN_MS);
    xs_glue_close(d);
}

void xs_glue_set_tty(struct pvcd *d, struct console *c)
{
    char path[64];

    if (!d->xs || c->xs_tty_done || !domain_dir_exists(d, c->domid))
        return;
    tty_path(c, path, sizeof(path));
    if (xs_write(d->xs, XBT_NULL, path, c->tty, (unsigned int)strlen(c->tty)))
        c->xs_tty_done = true;
    else
        failed(d, "write", path);
}

void xs_glue_retry(struct pvcd *d)
{
    for (struct console *c = d->consoles; c && d->xs; c = c->next)
        xs_glue_set_tty(d, c);
}

void xs_glue_clear_tty(struct pvcd *d, struct console *c)
{
    char path[64];

    if (!d->xs || !c->xs_tty_done)
        return;
    c->xs_tty_done = false;
    tty_path(c, path, sizeof(path));
    /* ENOENT: the toolstack removed the domain's directory already. */
    if (!xs_rm(d->xs, XBT_NULL, path) && errno != ENOENT)
        failed(d, "rm", path);
}
