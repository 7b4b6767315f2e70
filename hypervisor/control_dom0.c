/* control_dom0.c: control ops that give dom0 programs their end of event
 * channels and access to grants (what libxenevtchn and libxengnttab do
 * through Linux's /dev/xen devices on Xen). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/grant_table.h>
#include <pvhv/hvm/params.h>

#include "control.h"
#include "evtchn.h"
#include "gnttab.h"

/* A new fd on domain d's memory (the client mmaps it and closes it). */
static int memory_fd(struct domain *d, bool readonly)
{
    char path[64];

    snprintf(path, sizeof(path), "/proc/self/fd/%d", d->mem.memfd);
    return open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
}

static int take_evtchn(const struct ctl_request *req, struct pvhv_ctl_evtchn *e)
{
    if (req->len != sizeof(*e))
        return -XEN_EINVAL;
    memcpy(e, req->payload, sizeof(*e));
    return e->remote_dom < DOMID_FIRST_RESERVED ? 0 : -XEN_EINVAL;
}

int ctl_op_evtchn_bind(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_evtchn e;
    int in_fd, out_fd, r = take_evtchn(req, &e);

    if (r < 0)
        return r;
    if (req->hdr->op == PVHV_CTL_EVTCHN_BIND_UNBOUND)
        r = evtchn_dom0_bind_unbound(req->client, (domid_t)e.remote_dom, &e.port,
                                     &in_fd, &out_fd);
    else
        r = evtchn_dom0_bind_interdomain(req->client, (domid_t)e.remote_dom,
                                         e.remote_port, &e.port, &in_fd, &out_fd);
    if (r < 0)
        return r;
    rep->fds[0] = in_fd;
    rep->fds[1] = out_fd;
    rep->nfds = 2;
    return ctl_put(rep, &e, sizeof(e));
}

int ctl_op_evtchn_close(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_evtchn e;
    int r = take_evtchn(req, &e);

    (void)rep;
    return r < 0 ? r : evtchn_dom0_close(req->client, e.port);
}

int ctl_op_gnttab_map(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_gnttab_map m;
    grant_ref_t refs[PVHV_GNTTAB_MAP_MAX];
    int ok = 0;

    if (req->len < sizeof(m))
        return -XEN_EINVAL;
    memcpy(&m, req->payload, sizeof(m));
    if (m.count == 0 || m.count > PVHV_GNTTAB_MAP_MAX || (m.flags & ~GNTMAP_readonly) ||
        req->len != sizeof(m) + m.count * sizeof(grant_ref_t))
        return -XEN_EINVAL;
    memcpy(refs, (const uint8_t *)req->payload + sizeof(m), m.count * sizeof(grant_ref_t));
    if ((size_t)m.count * sizeof(struct pvhv_ctl_gnttab_mapping) > rep->cap)
        return -XEN_E2BIG;
    struct domain *d = domain_get(m.domid);
    if (!d)
        return -XEN_ESRCH;
    bool ro = m.flags & GNTMAP_readonly;
    for (uint32_t i = 0; i < m.count; i++) {
        struct pvhv_ctl_gnttab_mapping out = { 0 };
        out.status = gnttab_dom0_map(req->client, d, refs[i], ro, &out.handle, &out.offset);
        ok += out.status == GNTST_okay;
        ctl_put(rep, &out, sizeof(out));
    }
    if (ok) {
        /* The domain's memory; a read-only grant gets a read-only file, so
         * not even a mapping the client makes itself can write. */
        int fd = memory_fd(d, ro);
        if (fd >= 0) {
            rep->fds[0] = fd;
            rep->nfds = 1;
            rep->close_fds = true;
        }
    }
    domain_put(d);
    return 0;
}

int ctl_op_gnttab_unmap(const struct ctl_request *req, struct ctl_reply *rep)
{
    size_t n = req->len / sizeof(uint32_t);

    if (req->len % sizeof(uint32_t) || n == 0 || n > PVHV_GNTTAB_MAP_MAX)
        return -XEN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        uint32_t h;
        memcpy(&h, (const uint8_t *)req->payload + i * sizeof(h), sizeof(h));
        int16_t st = gnttab_dom0_unmap(req->client, h);
        ctl_put(rep, &st, sizeof(st));
    }
    return 0;
}

int ctl_op_gnttab_copy(const struct ctl_request *req, struct ctl_reply *rep)
{
    size_t n = req->len / sizeof(struct gnttab_copy);

    if (req->len % sizeof(struct gnttab_copy) || n == 0 || n > PVHV_GNTTAB_MAP_MAX ||
        req->len > rep->cap)
        return -XEN_EINVAL;
    for (size_t i = 0; i < n; i++) {
        struct gnttab_copy op;
        memcpy(&op, (const uint8_t *)req->payload + i * sizeof(op), sizeof(op));
        op.status = req->pid > 0 ? gnttab_copy_one(0, NULL, req->pid, &op)
                                 : GNTST_general_error;
        ctl_put(rep, &op, sizeof(op));
    }
    return 0;
}

int ctl_op_hvm_param_get(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_hvm_param p;
    struct domain *d;

    if (req->len != sizeof(p))
        return -XEN_EINVAL;
    memcpy(&p, req->payload, sizeof(p));
    if (p.index >= HVM_NR_PARAMS)
        return -XEN_EINVAL;
    if (!(d = domain_get(p.domid)))
        return -XEN_ESRCH;
    pthread_mutex_lock(&d->lock);
    p.value = d->hvm_params[p.index];
    pthread_mutex_unlock(&d->lock);
    domain_put(d);
    return ctl_put(rep, &p, sizeof(p));
}

int ctl_op_foreign_map(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_foreign_map m;
    struct domain *d;
    int r = 0;

    if (req->len != sizeof(m))
        return -XEN_EINVAL;
    memcpy(&m, req->payload, sizeof(m));
    if (m.count == 0 || m.count > PVHV_FOREIGN_MAP_MAX || m.gfn > (UINT64_MAX >> 12))
        return -XEN_EINVAL;
    if (!(d = domain_get(m.domid)))
        return -XEN_ESRCH;
    /* One host range: every frame in guest memory and in one region. */
    uint64_t gpa = m.gfn << 12, len = (uint64_t)m.count << 12;
    if (!guest_mem_ptr(&d->mem, gpa, len) || guest_mem_offset(&d->mem, gpa, &m.offset) < 0) {
        r = -XEN_EINVAL;
    } else {
        int fd = memory_fd(d, false);
        if (fd < 0) {
            r = -XEN_ENOMEM;
        } else {
            rep->fds[0] = fd;
            rep->nfds = 1;
            rep->close_fds = true;
            r = ctl_put(rep, &m, sizeof(m));
        }
    }
    domain_put(d);
    return r;
}
