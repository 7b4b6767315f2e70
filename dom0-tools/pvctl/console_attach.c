/* console_attach.c: a terminal session on a console pty (see
 * console_attach.h): in_fd -> pty, pty -> out_fd, until the escape. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console_attach.h"

#define BUF_SIZE 4096

struct buf {
    size_t len;
    char data[BUF_SIZE];
};

/* Write what fd takes now. 0 (maybe with bytes left), or -errno. */
static int flush(int fd, struct buf *b)
{
    while (b->len) {
        ssize_t w = write(fd, b->data, b->len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EAGAIN ? 0 : -errno;
        memmove(b->data, b->data + w, b->len - (size_t)w);
        b->len -= (size_t)w;
    }
    return 0;
}

/* Append what fits; the rest of typed input is dropped. */
static void append(struct buf *b, const char *data, size_t n)
{
    size_t room = sizeof(b->data) - b->len;

    if (n > room)
        n = room;
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

/* The user's input: to the pty, or the end of the session. Returns 1 to
 * go on, 0 at the escape or end of file, or -errno. */
static int from_user(int in_fd, int tty, struct buf *to_tty, char escape)
{
    char buf[BUF_SIZE];
    ssize_t n = read(in_fd, buf, sizeof(buf));

    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : -errno;
    const char *e = n ? memchr(buf, (unsigned char)escape, (size_t)n) : NULL;
    append(to_tty, buf, e ? (size_t)(e - buf) : (size_t)n);
    if (n > 0 && !e)
        return 1;
    /* Done: what came before goes out if the pty takes it now. */
    int r = flush(tty, to_tty);
    return r == -EIO ? -EIO : 0;
}

/* The guest's output: from the pty into to_out. 1 to go on, or -errno
 * (-EIO: the pty closed). */
static int from_guest(int tty, struct buf *to_out)
{
    if (to_out->len == sizeof(to_out->data))
        return 1; /* full: out_fd first */
    ssize_t n = read(tty, to_out->data + to_out->len, sizeof(to_out->data) - to_out->len);
    if (n > 0) {
        to_out->len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    /* 0 or EIO: no master any more. */
    return n == 0 || errno == EIO ? -EIO : -errno;
}

int console_attach(const char *tty_path, int in_fd, int out_fd, char escape)
{
    struct buf to_tty = { 0 }, to_out = { 0 };
    struct termios t, saved;
    bool restore = false;
    int tty, r = 1;

    tty = open(tty_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (tty < 0)
        return -errno;
    if (tcgetattr(tty, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(tty, TCSANOW, &t);
    }
    if (isatty(in_fd) && tcgetattr(in_fd, &saved) == 0) {
        t = saved;
        cfmakeraw(&t);
        restore = tcsetattr(in_fd, TCSANOW, &t) == 0;
    }
    while (r > 0) {
        struct pollfd p[3] = {
            { .fd = in_fd, .events = POLLIN },
            { .fd = tty,
              .events = (short)((to_out.len < sizeof(to_out.data) ? POLLIN : 0) |
                                (to_tty.len ? POLLOUT : 0)) },
            { .fd = out_fd, .events = to_out.len ? POLLOUT : 0 },
        };
        if (poll(p, 3, -1) < 0) {
            if (errno != EINTR)
                r = -errno;
            continue;
        }
        if (p[0].revents & POLLNVAL || p[1].revents & POLLNVAL || p[2].revents & POLLNVAL) {
            r = -EBADF;
            break;
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
            r = from_user(in_fd, tty, &to_tty, escape);
        if (r > 0 && p[1].revents & POLLOUT && (r = flush(tty, &to_tty)) == 0)
            r = 1;
        if (r > 0 && p[1].revents & (POLLIN | POLLHUP | POLLERR))
            r = from_guest(tty, &to_out);
        /* Also after a hangup: what the guest said last is shown. */
        if (to_out.len && (r > 0 || r == -EIO)) {
            int w = flush(out_fd, &to_out);
            if (w < 0)
                r = w;
        }
    }
    if (restore)
        tcsetattr(in_fd, TCSANOW, &saved);
    close(tty);
    return r;
}
