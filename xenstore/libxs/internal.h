/* internal.h: libxs's handle and the request machinery its files share. */
#ifndef PVHV_LIBXS_INTERNAL_H
#define PVHV_LIBXS_INTERNAL_H

#include <pthread.h>
#include <sys/uio.h>

#include "xenstore.h"

/* One message from the daemon; body has a NUL after its hdr.len bytes. */
struct xs_msg {
    struct xs_msg *next;
    struct xsd_sockmsg hdr;
    char body[];
};

struct xs_handle {
    int fd;
    unsigned long flags;
    pthread_mutex_t request_mutex; /* one request on the wire at a time */
    pthread_mutex_t lock;          /* guards everything below */
    pthread_cond_t reply_cond;     /* reply arrived or connection broke */
    pthread_cond_t event_cond;     /* event queued or connection broke */
    struct xs_msg *reply;          /* the answer to the request in flight */
    struct xs_msg *events, *events_tail;
    bool reader;                   /* the reader thread runs */
    pthread_t reader_thread;
    int event_pipe[2];             /* made by xs_fileno(); -1 before */
    int broken;                    /* errno once the connection failed */
};

/*
 * Send one request (header built here; payload gathered from iov) and wait
 * for its answer. Returns the reply body (malloc'd, NUL-ended, *len bytes
 * before the NUL; len may be NULL), or NULL with errno: the daemon's error
 * by name, or the connection's failure.
 */
void *libxs_talk(struct xs_handle *h, xs_transaction_t t, uint32_t type,
              const struct iovec *iov, unsigned int niov, unsigned int *len);
/* libxs_talk() with one NUL-ended string as payload. */
void *libxs_talk_str(struct xs_handle *h, xs_transaction_t t, uint32_t type, const char *s,
                  unsigned int *len);
/* libxs_talk() expecting "OK": true, or false with errno. */
bool libxs_talk_ok(struct xs_handle *h, xs_transaction_t t, uint32_t type,
                const struct iovec *iov, unsigned int niov);

/* Start the reader thread if it is not running. Call with request_mutex
 * held (so no request reads the socket itself meanwhile). 0 or -errno. */
int libxs_reader_start(struct xs_handle *h);

/* Queue an event (lock held): wakes xs_read_watch() and the xs_fileno()
 * pipe. */
void libxs_event_queue(struct xs_handle *h, struct xs_msg *m);

/* The errno for a daemon error name ("ENOENT"); EINVAL for unknown ones. */
int libxs_errno_from_name(const char *name);

#endif
