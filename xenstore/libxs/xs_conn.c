/* xs_conn.c: libxs connections: open, close, and the request/reply path
 * with a reader thread once watches are in use. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

static const struct {
    const char *name;
    int err;
} error_names[] = {
    { "EINVAL", EINVAL }, { "EACCES", EACCES }, { "EEXIST", EEXIST }, { "EISDIR", EISDIR },
    { "ENOENT", ENOENT }, { "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC }, { "EIO", EIO },
    { "ENOTEMPTY", ENOTEMPTY }, { "ENOSYS", ENOSYS }, { "EROFS", EROFS }, { "EBUSY", EBUSY },
    { "EAGAIN", EAGAIN }, { "EISCONN", EISCONN }, { "E2BIG", E2BIG }, { "EPERM", EPERM },
};

int libxs_errno_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
        if (!strcmp(name, error_names[i].name))
            return error_names[i].err;
    return EINVAL;
}

struct xs_handle *xs_open(unsigned long flags)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *path = xs_daemon_socket();
    struct xs_handle *h;
    int fd, e;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    if (!h) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    h->fd = fd;
    h->flags = flags;
    h->event_pipe[0] = h->event_pipe[1] = -1;
    pthread_mutex_init(&h->request_mutex, NULL);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->reply_cond, NULL);
    pthread_cond_init(&h->event_cond, NULL);
    return h;
}

struct xs_handle *xs_daemon_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
    return xs_open(XS_OPEN_READONLY);
}

static void free_handle(struct xs_handle *h)
{
    struct xs_msg *m, *next;

    for (m = h->events; m; m = next) {
        next = m->next;
        free(m);
    }
    free(h->reply);
    if (h->event_pipe[0] >= 0) {
        close(h->event_pipe[0]);
        close(h->event_pipe[1]);
    }
    close(h->fd);
    free(h);
}

void xs_close(struct xs_handle *h)
{
    if (!h)
        return;
    if (h->reader) {
        /* The reader sees end-of-file and leaves. */
        shutdown(h->fd, SHUT_RDWR);
        pthread_join(h->reader_thread, NULL);
    }
    pthread_mutex_destroy(&h->request_mutex);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->reply_cond);
    pthread_cond_destroy(&h->event_cond);
    free_handle(h);
}

void xs_daemon_close(struct xs_handle *h)
{
    xs_close(h);
}

void xs_daemon_destroy_postfork(struct xs_handle *h)
{
    /* The parent's threads do not exist here; just let go of the memory
     * and this process's copy of the socket. */
    if (h)
        free_handle(h);
}

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);
        if (n == 0)
            return -ECONNRESET;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One whole message from the socket, or NULL with *err. */
static struct xs_msg *read_msg(int fd, int *err)
{
    struct xsd_sockmsg hdr;
    struct xs_msg *m;

    if ((*err = read_all(fd, &hdr, sizeof(hdr))) < 0)
        return NULL;
    if (hdr.len > XENSTORE_PAYLOAD_MAX) {
        *err = -EBADMSG;
        return NULL;
    }
    m = malloc(sizeof(*m) + hdr.len + 1);
    if (!m) {
        *err = -ENOMEM;
        return NULL;
    }
    m->next = NULL;
    m->hdr = hdr;
    if ((*err = read_all(fd, m->body, hdr.len)) < 0) {
        free(m);
        return NULL;
    }
    m->body[hdr.len] = 0;
    return m;
}

/* Mark the connection failed (lock held) and wake every waiter. */
static void set_broken(struct xs_handle *h, int err)
{
    if (!h->broken)
        h->broken = err;
    pthread_cond_broadcast(&h->reply_cond);
    pthread_cond_broadcast(&h->event_cond);
    if (h->event_pipe[1] >= 0) {
        char c = 0;
        if (write(h->event_pipe[1], &c, 1) < 0) {
            /* Full: a byte is already waiting, which is all we need. */
        }
    }
}

void libxs_event_queue(struct xs_handle *h, struct xs_msg *m)
{
    bool was_empty = !h->events;

    if (h->events_tail)
        h->events_tail->next = m;
    else
        h->events = m;
    h->events_tail = m;
    if (was_empty && h->event_pipe[1] >= 0) {
        char c = 0;
        if (write(h->event_pipe[1], &c, 1) < 0) {
            /* Full: a byte is already waiting. */
        }
    }
    pthread_cond_broadcast(&h->event_cond);
}

static void *reader_main(void *arg)
{
    struct xs_handle *h = arg;

    for (;;) {
        int err;
        struct xs_msg *m = read_msg(h->fd, &err);
        pthread_mutex_lock(&h->lock);
        if (!m) {
            set_broken(h, -err);
            pthread_mutex_unlock(&h->lock);
            return NULL;
        }
        if (m->hdr.type == XS_WATCH_EVENT) {
            libxs_event_queue(h, m);
        } else {
            free(h->reply); /* an answer nobody asked for */
            h->reply = m;
            pthread_cond_broadcast(&h->reply_cond);
        }
        pthread_mutex_unlock(&h->lock);
    }
}

int libxs_reader_start(struct xs_handle *h)
{
    sigset_t all, old;
    int rc;

    if (h->reader)
        return 0;
    /* The reader takes no signals: they belong to the application. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&h->reader_thread, NULL, reader_main, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        return -rc;
    h->reader = true;
    return 0;
}

/* send() with MSG_NOSIGNAL: a daemon gone away is an error, not SIGPIPE. */
static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_request(struct xs_handle *h, const struct xsd_sockmsg *hdr,
                         const struct iovec *iov, unsigned int niov)
{
    int rc = send_all(h->fd, hdr, sizeof(*hdr));

    for (unsigned int i = 0; !rc && i < niov; i++)
        rc = send_all(h->fd, iov[i].iov_base, iov[i].iov_len);
    return rc;
}

/* The answer to the request just sent. */
static struct xs_msg *wait_reply(struct xs_handle *h, int *err)
{
    struct xs_msg *m = NULL;

    if (h->reader) {
        pthread_mutex_lock(&h->lock);
        while (!h->reply && !h->broken)
            pthread_cond_wait(&h->reply_cond, &h->lock);
        m = h->reply;
        h->reply = NULL;
        *err = m ? 0 : -h->broken;
        pthread_mutex_unlock(&h->lock);
        return m;
    }
    /* No reader yet (no watches): read it here, queueing any events. */
    for (;;) {
        m = read_msg(h->fd, err);
        if (!m) {
            pthread_mutex_lock(&h->lock);
            set_broken(h, -*err);
            pthread_mutex_unlock(&h->lock);
            return NULL;
        }
        if (m->hdr.type != XS_WATCH_EVENT)
            return m;
        pthread_mutex_lock(&h->lock);
        libxs_event_queue(h, m);
        pthread_mutex_unlock(&h->lock);
    }
}

void *libxs_talk(struct xs_handle *h, xs_transaction_t t, uint32_t type,
              const struct iovec *iov, unsigned int niov, unsigned int *len)
{
    struct xsd_sockmsg hdr = { type, 0, t, 0 };
    struct xs_msg *m;
    int err = 0;

    for (unsigned int i = 0; i < niov; i++)
        hdr.len += (uint32_t)iov[i].iov_len;
    if (hdr.len > XENSTORE_PAYLOAD_MAX) {
        errno = E2BIG;
        return NULL;
    }
    pthread_mutex_lock(&h->request_mutex);
    if (h->broken) {
        err = -h->broken;
    } else {
        /* From the first watch on, events may come at any time: a thread
         * reads them, and replies too. */
        if (type == XS_WATCH)
            err = libxs_reader_start(h);
        if (!err)
            err = write_request(h, &hdr, iov, niov);
    }
    m = err ? NULL : wait_reply(h, &err);
    pthread_mutex_unlock(&h->request_mutex);
    if (!m) {
        errno = -err;
        return NULL;
    }
    if (m->hdr.type == XS_ERROR) {
        err = libxs_errno_from_name(m->body);
        free(m);
        errno = err;
        return NULL;
    }
    if (m->hdr.type != type) {
        free(m);
        errno = EBADMSG;
        return NULL;
    }
    if (len)
        *len = m->hdr.len;
    /* Hand out the body alone, NUL included. */
    memmove(m, m->body, m->hdr.len + 1);
    return m;
}

void *libxs_talk_str(struct xs_handle *h, xs_transaction_t t, uint32_t type, const char *s,
                  unsigned int *len)
{
    struct iovec iov = { (void *)s, strlen(s) + 1 };

    return libxs_talk(h, t, type, &iov, 1, len);
}

bool libxs_talk_ok(struct xs_handle *h, xs_transaction_t t, uint32_t type,
                const struct iovec *iov, unsigned int niov)
{
    char *r = libxs_talk(h, t, type, iov, niov, NULL);
    bool ok = r && !strcmp(r, "OK");

    if (r && !ok)
        errno = EBADMSG;
    free(r);
    return ok;
}
