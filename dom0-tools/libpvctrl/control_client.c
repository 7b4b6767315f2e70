/* control_client.c: libpvctrl's client of the pvhv control socket. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "pvctrl.h"

struct pvctrl {
    int fd;
    uint32_t seq;
    uint8_t buf[PVHV_CTL_MSG_MAX];
};

int pvctrl_open(const char *rundir, struct pvctrl **out)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct pvctrl *h;

    if (!rundir)
        rundir = getenv("PV_RUNDIR");
    if (!rundir || !*rundir)
        rundir = "/run/pv";
    if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", rundir,
                         PVHV_CTL_SOCKET_NAME) >= sizeof(addr.sun_path))
        return -XEN_ENAMETOOLONG;
    h = calloc(1, sizeof(*h));
    if (!h)
        return -XEN_ENOMEM;
    h->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (h->fd < 0 || connect(h->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = -errno;
        if (h->fd >= 0)
            close(h->fd);
        free(h);
        return err;
    }
    *out = h;
    return 0;
}

void pvctrl_close(struct pvctrl *h)
{
    if (!h)
        return;
    close(h->fd);
    free(h);
}

int pvctrl_call(struct pvctrl *h, uint16_t op, const void *payload, size_t len,
                const int *fds, int nfds, void *reply, size_t cap,
                size_t *reply_len)
{
    return pvctrl_call_fds(h, op, payload, len, fds, nfds, reply, cap, reply_len,
                           NULL, 0, NULL);
}

int pvctrl_call_fds(struct pvctrl *h, uint16_t op, const void *payload, size_t len,
                    const int *fds, int nfds, void *reply, size_t cap,
                    size_t *reply_len, int *rfds, int max_fds, int *nrfds)
{
    struct pvhv_ctl_request req = {
        .magic = PVHV_CTL_MAGIC, .version = PVHV_CTL_VERSION, .op = op,
        .seq = ++h->seq, .len = (uint32_t)len,
    };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * PVHV_CTL_MAX_FDS)];
    } control;
    struct iovec iov[2] = {
        { .iov_base = &req, .iov_len = sizeof(req) },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
    struct pvhv_ctl_reply rep;
    ssize_t n;

    if (len > PVHV_CTL_MSG_MAX - sizeof(req) || nfds < 0 || nfds > PVHV_CTL_MAX_FDS)
        return -XEN_EINVAL;
    if (nfds) {
        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    if (sendmsg(h->fd, &mh, MSG_NOSIGNAL) < 0)
        return -errno;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * PVHV_CTL_MAX_FDS)];
    } rcontrol;
    struct iovec riov = { .iov_base = h->buf, .iov_len = sizeof(h->buf) };
    struct msghdr rmh = { .msg_iov = &riov, .msg_iovlen = 1,
                          .msg_control = rcontrol.buf,
                          .msg_controllen = sizeof(rcontrol.buf) };
    do {
        n = recvmsg(h->fd, &rmh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    int got_fds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&rmh); c; c = CMSG_NXTHDR(&rmh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (rfds && got_fds < max_fds)
                rfds[got_fds++] = fd;
            else
                close(fd); /* nobody asked for it */
        }
    }
    if (nrfds)
        *nrfds = got_fds;
    if ((size_t)n < sizeof(rep))
        return -XEN_EIO; /* the daemon went away mid-call */
    memcpy(&rep, h->buf, sizeof(rep));
    if (rep.magic != PVHV_CTL_MAGIC || rep.len != (size_t)n - sizeof(rep))
        return -XEN_EIO;
    if (rep.seq != req.seq && rep.status != -XEN_EPERM)
        return -XEN_EIO;
    size_t take = rep.len < cap ? rep.len : cap;
    if (reply && take)
        memcpy(reply, h->buf + sizeof(rep), take);
    if (reply_len)
        *reply_len = take;
    return rep.status;
}

int pvctrl_domain_create(struct pvctrl *h, const char *name,
                         const uint8_t uuid[16], uint64_t memory_kib,
                         uint32_t vcpus, uint32_t *domid)
{
    struct pvhv_ctl_create c = { .memory_kib = memory_kib, .max_vcpus = vcpus };
    struct pvhv_ctl_domid out;
    size_t got = 0;

    if (strlen(name) >= sizeof(c.name))
        return -XEN_ENAMETOOLONG;
    strcpy(c.name, name);
    if (uuid)
        memcpy(c.handle, uuid, sizeof(c.handle));
    int r = pvctrl_call(h, PVHV_CTL_CREATE, &c, sizeof(c), NULL, 0, &out,
                        sizeof(out), &got);
    if (r == 0 && got != sizeof(out))
        return -XEN_EIO;
    if (r == 0)
        *domid = out.domid;
    return r;
}

int pvctrl_domain_load(struct pvctrl *h, uint32_t domid, const char *kernel,
                       const char *ramdisk, const char *cmdline, char *why,
                       size_t why_len)
{
    struct pvhv_ctl_load l = { .domid = domid };
    int fds[2], nfds = 0, r;
    char msg[256];
    size_t got = 0;

    if (why && why_len)
        why[0] = 0;
    if (strlen(cmdline) >= sizeof(l.cmdline))
        return -XEN_E2BIG;
    strcpy(l.cmdline, cmdline);
    fds[nfds] = open(kernel, O_RDONLY | O_CLOEXEC);
    if (fds[nfds] < 0) {
        r = -errno;
        if (why)
            snprintf(why, why_len, "%s: %s", kernel, strerror(errno));
        return r;
    }
    nfds++;
    if (ramdisk) {
        fds[nfds] = open(ramdisk, O_RDONLY | O_CLOEXEC);
        if (fds[nfds] < 0) {
            r = -errno;
            if (why)
                snprintf(why, why_len, "%s: %s", ramdisk, strerror(errno));
            close(fds[0]);
            return r;
        }
        nfds++;
        l.flags |= PVHV_LOAD_F_RAMDISK;
    }
    r = pvctrl_call(h, PVHV_CTL_LOAD_KERNEL, &l, sizeof(l), fds, nfds, msg,
                    sizeof(msg) - 1, &got);
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    msg[got] = 0;
    if (r < 0 && why)
        snprintf(why, why_len, "%s", got ? msg : strerror(-r));
    return r;
}

int pvctrl_emul_disk_attach(struct pvctrl *h, uint32_t domid, const char *path, uint32_t flags,
                            char *why, size_t why_len)
{
    struct pvhv_ctl_emul_disk e = { .domid = domid, .flags = flags };
    bool ro = flags & PVHV_EMUL_DISK_F_READONLY;
    char msg[256];
    size_t got = 0;
    int fd, r;

    if (why && why_len)
        why[0] = 0;
    fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        if (why)
            snprintf(why, why_len, "%s: %s", path, strerror(errno));
        return r;
    }
    r = pvctrl_call(h, PVHV_CTL_EMUL_DISK_ATTACH, &e, sizeof(e), &fd, 1, msg, sizeof(msg) - 1,
                    &got);
    close(fd);
    msg[got] = 0;
    if (r < 0 && why)
        snprintf(why, why_len, "%s", got ? msg : strerror(-r));
    return r;
}

static int domid_op(struct pvctrl *h, uint16_t op, uint32_t domid)
{
    struct pvhv_ctl_domid d = { .domid = domid };

    return pvctrl_call(h, op, &d, sizeof(d), NULL, 0, NULL, 0, NULL);
}

int pvctrl_domain_unpause(struct pvctrl *h, uint32_t domid)
{
    return domid_op(h, PVHV_CTL_UNPAUSE, domid);
}

int pvctrl_domain_pause(struct pvctrl *h, uint32_t domid)
{
    return domid_op(h, PVHV_CTL_PAUSE, domid);
}

int pvctrl_domain_destroy(struct pvctrl *h, uint32_t domid)
{
    return domid_op(h, PVHV_CTL_DESTROY, domid);
}

int pvctrl_domain_shutdown(struct pvctrl *h, uint32_t domid, uint32_t reason)
{
    struct pvhv_ctl_shutdown s = { .domid = domid, .reason = reason };

    return pvctrl_call(h, PVHV_CTL_SHUTDOWN, &s, sizeof(s), NULL, 0, NULL, 0, NULL);
}

int pvctrl_domain_getinfo(struct pvctrl *h, uint32_t domid,
                          struct pvhv_ctl_dominfo *info)
{
    struct pvhv_ctl_domid d = { .domid = domid };
    size_t got = 0;
    int r = pvctrl_call(h, PVHV_CTL_GETINFO, &d, sizeof(d), NULL, 0, info,
                        sizeof(*info), &got);

    return r == 0 && got != sizeof(*info) ? -XEN_EIO : r;
}

int pvctrl_domain_list(struct pvctrl *h, uint32_t first,
                       struct pvhv_ctl_dominfo *infos, unsigned max)
{
    struct pvhv_ctl_list l = { .first = first, .max = max > 255 ? 255 : max };
    size_t got = 0;
    int r = pvctrl_call(h, PVHV_CTL_LIST, &l, sizeof(l), NULL, 0, infos,
                        (size_t)max * sizeof(*infos), &got);

    return r < 0 ? r : (int)(got / sizeof(*infos));
}

int pvctrl_vcpu_info(struct pvctrl *h, uint32_t domid,
                     struct pvhv_ctl_vcpuinfo *infos, unsigned max)
{
    struct pvhv_ctl_domid d = { .domid = domid };
    size_t got = 0;
    int r = pvctrl_call(h, PVHV_CTL_VCPUINFO, &d, sizeof(d), NULL, 0, infos,
                        (size_t)max * sizeof(*infos), &got);

    return r < 0 ? r : (int)(got / sizeof(*infos));
}

int pvctrl_console_read(struct pvctrl *h, uint32_t domid, uint64_t *offset,
                        void *buf, size_t cap)
{
    struct pvhv_ctl_console_read cr = { .domid = domid, .offset = *offset };
    struct pvhv_ctl_console_data cd;
    size_t got = 0;
    uint8_t *tmp;
    int r;

    if (cap > PVHV_CTL_MSG_MAX - 64)
        cap = PVHV_CTL_MSG_MAX - 64;
    cr.max = (uint32_t)cap;
    tmp = malloc(sizeof(cd) + cap);
    if (!tmp)
        return -XEN_ENOMEM;
    r = pvctrl_call(h, PVHV_CTL_CONSOLE_READ, &cr, sizeof(cr), NULL, 0, tmp,
                    sizeof(cd) + cap, &got);
    if (r == 0 && got < sizeof(cd))
        r = -XEN_EIO;
    if (r == 0) {
        memcpy(&cd, tmp, sizeof(cd));
        got -= sizeof(cd);
        memcpy(buf, tmp + sizeof(cd), got);
        *offset = cd.offset + got;
        r = (int)got;
    }
    free(tmp);
    return r;
}

int pvctrl_console_input(struct pvctrl *h, uint32_t domid, const void *data, size_t len)
{
    struct pvhv_ctl_console_input ci = { .domid = domid, .len = (uint32_t)len };
    uint8_t msg[sizeof(ci) + PVHV_CONSOLE_INPUT_SIZE];
    uint32_t taken = 0;
    size_t got = 0;

    if (len > PVHV_CONSOLE_INPUT_SIZE)
        return -XEN_E2BIG;
    memcpy(msg, &ci, sizeof(ci));
    memcpy(msg + sizeof(ci), data, len);
    int r = pvctrl_call(h, PVHV_CTL_CONSOLE_INPUT, msg, sizeof(ci) + len, NULL, 0, &taken,
                        sizeof(taken), &got);
    if (r == 0 && got != sizeof(taken))
        r = -XEN_EIO;
    return r < 0 ? r : (int)taken;
}

int pvctrl_hvm_param_get(struct pvctrl *h, uint32_t domid, uint32_t index,
                         uint64_t *value)
{
    struct pvhv_ctl_hvm_param p = { .domid = domid, .index = index };
    size_t got = 0;
    int r = pvctrl_call(h, PVHV_CTL_HVM_PARAM_GET, &p, sizeof(p), NULL, 0, &p, sizeof(p),
                        &got);

    if (r == 0 && got != sizeof(p))
        r = -XEN_EIO;
    if (r == 0)
        *value = p.value;
    return r;
}

void *pvctrl_foreign_map(struct pvctrl *h, uint32_t domid, uint64_t gfn, uint32_t count)
{
    struct pvhv_ctl_foreign_map m = { .domid = domid, .count = count, .gfn = gfn };
    size_t got = 0;
    int fd = -1, nfd = 0;
    void *p = NULL;
    int r = pvctrl_call_fds(h, PVHV_CTL_FOREIGN_MAP, &m, sizeof(m), NULL, 0, &m, sizeof(m),
                            &got, &fd, 1, &nfd);

    if (r == 0 && (got != sizeof(m) || nfd != 1))
        r = -XEN_EIO;
    if (r == 0) {
        p = mmap(NULL, (size_t)count << 12, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                 (off_t)m.offset);
        if (p == MAP_FAILED) {
            r = -errno;
            p = NULL;
        }
    }
    if (nfd == 1)
        close(fd);
    if (r < 0)
        errno = -r;
    return p;
}

const char *pvctrl_state_name(uint32_t state)
{
    switch (state) {
    case PVHV_DOMSTATE_RUNNING: return "running";
    case PVHV_DOMSTATE_BLOCKED: return "blocked";
    case PVHV_DOMSTATE_PAUSED: return "paused";
    case PVHV_DOMSTATE_SHUTDOWN: return "shutdown";
    case PVHV_DOMSTATE_DYING: return "dying";
    case PVHV_DOMSTATE_CRASHED: return "crashed";
    default: return "unknown";
    }
}
