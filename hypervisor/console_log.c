/* console_log.c: a domain's hypervisor console as a ring of the newest bytes. */
#include <string.h>

#include "console_log.h"

#define LOG_SIZE ((uint64_t)PVHV_CONSOLE_LOG_SIZE)

void console_log_init(struct console_log *cl)
{
    pthread_mutex_init(&cl->lock, NULL);
    cl->end = 0;
}

void console_log_destroy(struct console_log *cl)
{
    pthread_mutex_destroy(&cl->lock);
}

void console_log_append(struct console_log *cl, const void *data, size_t len)
{
    const uint8_t *p = data;

    pthread_mutex_lock(&cl->lock);
    if (len > LOG_SIZE) {
        /* Only the tail can survive; account for the rest as dropped. */
        cl->end += len - LOG_SIZE;
        p += len - LOG_SIZE;
        len = LOG_SIZE;
    }
    while (len) {
        size_t at = (size_t)(cl->end % LOG_SIZE);
        size_t n = (size_t)LOG_SIZE - at;
        if (n > len)
            n = len;
        memcpy(cl->buf + at, p, n);
        cl->end += n;
        p += n;
        len -= n;
    }
    pthread_mutex_unlock(&cl->lock);
}

size_t console_log_read(struct console_log *cl, uint64_t offset, void *dst,
                        size_t max, uint64_t *first, uint64_t *end)
{
    uint8_t *out = dst;
    size_t done = 0;

    pthread_mutex_lock(&cl->lock);
    uint64_t oldest = cl->end > LOG_SIZE ? cl->end - LOG_SIZE : 0;
    if (offset < oldest)
        offset = oldest;
    if (offset > cl->end)
        offset = cl->end;
    *first = offset;
    while (done < max && offset < cl->end) {
        size_t at = (size_t)(offset % LOG_SIZE);
        uint64_t n = LOG_SIZE - at;
        if (n > cl->end - offset)
            n = cl->end - offset;
        if (n > max - done)
            n = max - done;
        memcpy(out + done, cl->buf + at, (size_t)n);
        done += (size_t)n;
        offset += n;
    }
    *end = cl->end;
    pthread_mutex_unlock(&cl->lock);
    return done;
}

size_t console_input_put(struct console_log *cl, const void *data, size_t len)
{
    pthread_mutex_lock(&cl->lock);
    size_t room = sizeof(cl->in) - cl->in_len;
    if (len > room)
        len = room;
    memcpy(cl->in + cl->in_len, data, len);
    cl->in_len += (uint32_t)len;
    pthread_mutex_unlock(&cl->lock);
    return len;
}

size_t console_input_take(struct console_log *cl, void *dst, size_t max)
{
    pthread_mutex_lock(&cl->lock);
    size_t n = cl->in_len < max ? cl->in_len : max;
    memcpy(dst, cl->in, n);
    memmove(cl->in, cl->in + n, cl->in_len - n);
    cl->in_len -= (uint32_t)n;
    pthread_mutex_unlock(&cl->lock);
    return n;
}
