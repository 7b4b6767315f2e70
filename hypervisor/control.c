/* control.c: the control socket: transport, message checks, dispatch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "control.h"
#include "evtchn.h"
#include "gnttab.h"
#include "log.h"

static size_t reply_header(uint8_t *out, uint16_t op, uint32_t seq, int status,
                           size_t payload_len)
{
    struct pvhv_ctl_reply rep = {
        .magic = PVHV_CTL_MAGIC,
        .version = PVHV_CTL_VERSION,
        .op = op,
        .seq = seq,
        .len = (uint32_t)payload_len,
        .status = status,
    };

    memcpy(out, &rep, sizeof(rep));
    return sizeof(rep) + payload_len;
}

int ctl_put(struct ctl_reply *rep, const void *data, size_t len)
{
    if (rep->cap - rep->len < len)
        return -XEN_E2BIG;
    memcpy(rep->payload + rep->len, data, len);
    rep->len += len;
    return 0;
}

static int cur_client;
static pid_t cur_pid;

void ctl_set_client(int client, pid_t pid)
{
    cur_client = client;
    cur_pid = pid;
}

void ctl_client_gone(int client)
{
    evtchn_dom0_release(client);
    gnttab_dom0_release(client);
}

size_t ctl_handle_message(const void *msg, size_t len, int *fds, int nfds,
                          uint8_t *out, struct ctl_reply *rep_out)
{
    struct pvhv_ctl_request hdr;
    struct ctl_request req = { .client = cur_client, .pid = cur_pid, .hdr = &hdr };
    struct ctl_reply rep = {
        .payload = out + sizeof(struct pvhv_ctl_reply),
        .cap = PVHV_CTL_MSG_MAX - sizeof(struct pvhv_ctl_reply),
    };
    int status;

    memset(&hdr, 0, sizeof(hdr));
    if (len >= 12)
        memcpy(&hdr, msg, len < sizeof(hdr) ? len : sizeof(hdr));
    if (len < sizeof(hdr) || hdr.magic != PVHV_CTL_MAGIC ||
        hdr.len != len - sizeof(hdr)) {
        status = -XEN_EINVAL;
    } else if (hdr.version != PVHV_CTL_VERSION) {
        status = -XEN_ENOSYS;
    } else if (hdr.op >= ctl_nr_ops || !ctl_ops[hdr.op]) {
        status = -XEN_ENOSYS;
    } else {
        req.payload = (const uint8_t *)msg + sizeof(hdr);
        req.len = hdr.len;
        for (int i = 0; i < nfds && i < PVHV_CTL_MAX_FDS; i++)
            req.fds[req.nfds++] = fds[i];
        status = ctl_ops[hdr.op](&req, &rep);
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    if (rep.len > rep.cap)
        rep.len = rep.cap;
    if (status < 0 && rep.close_fds)
        for (int i = 0; i < rep.nfds; i++)
            close(rep.fds[i]);
    if (status < 0)
        rep.nfds = 0; /* fds travel with successful replies only */
    if (rep_out)
        *rep_out = rep;
    else if (rep.close_fds)
        for (int i = 0; i < rep.nfds; i++)
            close(rep.fds[i]);
    return reply_header(out, hdr.op, hdr.seq, status, rep.len);
}

int ctl_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);

    /* A socket file nobody answers on is a leftover of a killed pvhv. */
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
        close(fd);
        return -EADDRINUSE;
    }
    close(fd);
    unlink(path);

    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    /* Created 0600 from the start: no window where others may connect. */
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old);
    if (r < 0 || listen(fd, 64) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    return fd;
}

int ctl_accept(int listen_fd)
{
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    uint8_t out[sizeof(struct pvhv_ctl_reply)];
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0)
        return -1;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != 0) {
        log_warn("control: refused a client with uid %d (root only)",
                 clen == sizeof(cred) ? (int)cred.uid : -1);
        size_t n = reply_header(out, 0, 0, -XEN_EPERM, 0);
        if (send(fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
            /* It is going away either way. */
        }
        close(fd);
        return -1;
    }
    return fd;
}

/* Send a reply and the fds it carries. */
static int send_reply(int fd, const uint8_t *out, size_t len, const struct ctl_reply *rep)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * PVHV_CTL_MAX_FDS)];
    } control;
    struct iovec iov = { .iov_base = (void *)out, .iov_len = len };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (rep->nfds > 0) {
        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)rep->nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)rep->nfds);
        memcpy(CMSG_DATA(c), rep->fds, sizeof(int) * (size_t)rep->nfds);
    }
    return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int ctl_serve(int fd)
{
    static uint8_t in[PVHV_CTL_MSG_MAX], out[PVHV_CTL_MSG_MAX];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * PVHV_CTL_MAX_FDS)];
    } control;
    struct iovec iov = { .iov_base = in, .iov_len = sizeof(in) };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
    };
    int fds[PVHV_CTL_MAX_FDS * 2];
    int nfds = 0;
    ssize_t n;

    n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    if (n == 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k && nfds < (int)(sizeof(fds) / sizeof(fds[0])); i++)
            memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    /* A message cut short by the buffer is malformed: MSG_TRUNC makes
     * ctl_handle_message see a length mismatch. */
    size_t len = (mh.msg_flags & MSG_TRUNC) ? 0 : (size_t)n;
    struct ctl_reply rep;
    struct ucred cred = { 0 };
    socklen_t clen = sizeof(cred);
    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen);
    ctl_set_client(fd, cred.pid);
    size_t rlen = ctl_handle_message(in, len, fds, nfds, out, &rep);
    int r = send_reply(fd, out, rlen, &rep);
    if (rep.close_fds)
        for (int i = 0; i < rep.nfds; i++)
            close(rep.fds[i]);
    return r;
}
