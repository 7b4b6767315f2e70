/* xs_watch.c: libxs's watches: register, queue, read, poll. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 },
                            { (void *)token, strlen(token) + 1 } };

    return libxs_talk_ok(h, XBT_NULL, XS_WATCH, iov, 2);
}

/* Take the first queued event (lock held) as a vector; NULL if none. */
static char **take_event(struct xs_handle *h, unsigned int *num)
{
    struct xs_msg *m = h->events;
    unsigned int n = 0;
    char **v, *s;

    if (!m)
        return NULL;
    h->events = m->next;
    if (!h->events) {
        h->events_tail = NULL;
        if (h->event_pipe[0] >= 0) {
            char buf[16];
            /* Queue empty: the pipe goes quiet. */
            while (read(h->event_pipe[0], buf, sizeof(buf)) > 0)
                ;
        }
    }
    for (uint32_t i = 0; i < m->hdr.len; i++)
        n += m->body[i] == 0;
    v = malloc((n + 1) * sizeof(char *) + m->hdr.len + 1);
    if (!v) {
        free(m);
        errno = ENOMEM;
        return NULL;
    }
    s = (char *)(v + n + 1);
    memcpy(s, m->body, m->hdr.len + 1);
    for (unsigned int i = 0, off = 0; i < n; i++) {
        v[i] = s + off;
        off += (unsigned int)strlen(s + off) + 1;
    }
    v[n] = NULL;
    free(m);
    if (num)
        *num = n;
    /* Both strings are always there for the caller to index. */
    if (n < 2) {
        free(v);
        errno = EBADMSG;
        return NULL;
    }
    return v;
}

char **xs_check_watch(struct xs_handle *h)
{
    char **v;

    pthread_mutex_lock(&h->lock);
    v = take_event(h, NULL);
    if (!v && !h->events)
        errno = h->broken ? h->broken : EAGAIN;
    pthread_mutex_unlock(&h->lock);
    return v;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    char **v = NULL;
    int rc;

    /* Events are read by the reader thread; make sure there is one. */
    pthread_mutex_lock(&h->request_mutex);
    rc = libxs_reader_start(h);
    pthread_mutex_unlock(&h->request_mutex);
    if (rc < 0) {
        errno = -rc;
        return NULL;
    }
    pthread_mutex_lock(&h->lock);
    while (!h->events && !h->broken)
        pthread_cond_wait(&h->event_cond, &h->lock);
    if (h->events)
        v = take_event(h, num);
    else
        errno = h->broken;
    pthread_mutex_unlock(&h->lock);
    return v;
}

int xs_fileno(struct xs_handle *h)
{
    int fd;

    pthread_mutex_lock(&h->request_mutex);
    pthread_mutex_lock(&h->lock);
    if (h->event_pipe[0] < 0) {
        if (pipe2(h->event_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
            h->event_pipe[0] = h->event_pipe[1] = -1;
        } else if (h->events || h->broken) {
            char c = 0;
            if (write(h->event_pipe[1], &c, 1) < 0) {
                /* Cannot fail on a new pipe. */
            }
        }
    }
    fd = h->event_pipe[0];
    pthread_mutex_unlock(&h->lock);
    /* Events must be read as they come for the pipe to tell of them. */
    if (fd >= 0 && libxs_reader_start(h) < 0)
        fd = -1;
    pthread_mutex_unlock(&h->request_mutex);
    return fd;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 },
                            { (void *)token, strlen(token) + 1 } };

    if (!libxs_talk_ok(h, XBT_NULL, XS_UNWATCH, iov, 2))
        return false;
    if (h->flags & XS_UNWATCH_FILTER) {
        /* Drop queued events of this watch. */
        pthread_mutex_lock(&h->lock);
        struct xs_msg **p = &h->events, *last = NULL;
        while (*p) {
            struct xs_msg *m = *p;
            const char *epath = m->body;
            const char *etok = epath + strlen(epath) + 1;
            if ((size_t)(etok - m->body) < m->hdr.len && !strcmp(etok, token) &&
                xs_path_is_subpath(path, epath)) {
                *p = m->next;
                free(m);
            } else {
                last = m;
                p = &m->next;
            }
        }
        h->events_tail = last;
        pthread_mutex_unlock(&h->lock);
    }
    return true;
}
