/* control_ops.c: the control protocol's operations. Each checks its
 * payload size first; the transport has already checked the header. */
#include <stdio.h>
#include <string.h>

#include <pvhv/errno.h>
#include <pvhv/sched.h>
#include <pvhv/xen.h>

#include "control.h"
#include "domain.h"
#include "domain_build.h"
#include "emul_disk.h"
#include "evtchn.h"
#include "platform.h"

/* Copy a fixed-size payload, or fail the request. */
#define TAKE(req, var)                          \
    do {                                        \
        if ((req)->len != sizeof(var))          \
            return -XEN_EINVAL;                 \
        memcpy(&(var), (req)->payload, sizeof(var)); \
    } while (0)

static int op_create(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_create c;
    struct domain *d;
    int r;

    TAKE(req, c);
    r = domain_create(&c, &d);
    if (r < 0)
        return r;
    struct pvhv_ctl_domid out = { .domid = d->domid };
    domain_put(d);
    return ctl_put(rep, &out, sizeof(out));
}

static int op_load_kernel(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_load l;
    char why[256];
    struct domain *d;
    int r;

    TAKE(req, l);
    if (memchr(l.cmdline, 0, sizeof(l.cmdline)) == NULL ||
        (l.flags & ~PVHV_LOAD_F_RAMDISK))
        return -XEN_EINVAL;
    int want = (l.flags & PVHV_LOAD_F_RAMDISK) ? 2 : 1;
    if (req->nfds != want)
        return -XEN_EBADF;
    d = domain_get(l.domid);
    if (!d)
        return -XEN_ESRCH;
    r = domain_load_kernel(d, req->fds[0], want == 2 ? req->fds[1] : -1,
                           l.cmdline, why, sizeof(why));
    domain_put(d);
    if (r < 0)
        ctl_put(rep, why, strlen(why) + 1);
    return r;
}

/* The ops that take just a domid. */
static int with_domain(const struct ctl_request *req, struct domain **d)
{
    struct pvhv_ctl_domid id;

    TAKE(req, id);
    *d = domain_get(id.domid);
    return *d ? 0 : -XEN_ESRCH;
}

/* UNPAUSE, PAUSE and DESTROY: a domid in, a status out. */
static int domid_action(const struct ctl_request *req, int (*action)(struct domain *))
{
    struct domain *d;
    int r = with_domain(req, &d);

    if (r < 0)
        return r;
    r = action(d);
    domain_put(d);
    return r;
}

static int destroy_action(struct domain *d)
{
    domain_destroy(d);
    return 0;
}

static int op_unpause(const struct ctl_request *req, struct ctl_reply *rep)
{
    (void)rep;
    return domid_action(req, domain_unpause);
}

static int op_pause(const struct ctl_request *req, struct ctl_reply *rep)
{
    (void)rep;
    return domid_action(req, domain_pause);
}

static int op_destroy(const struct ctl_request *req, struct ctl_reply *rep)
{
    (void)rep;
    return domid_action(req, destroy_action);
}

static int op_shutdown(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_shutdown s;
    struct domain *d;

    (void)rep;
    TAKE(req, s);
    if (s.reason > SHUTDOWN_MAX)
        return -XEN_EINVAL;
    d = domain_get(s.domid);
    if (!d)
        return -XEN_ESRCH;
    domain_shutdown(d, s.reason);
    domain_put(d);
    return 0;
}

static int op_getinfo(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_dominfo info;
    struct domain *d;
    int r = with_domain(req, &d);

    if (r < 0)
        return r;
    domain_getinfo(d, &info);
    domain_put(d);
    return ctl_put(rep, &info, sizeof(info));
}

static int list_one(struct domain *d, void *arg)
{
    struct pvhv_ctl_dominfo info;

    domain_getinfo(d, &info);
    return ctl_put(arg, &info, sizeof(info)) < 0;
}

static int op_list(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_list l;

    TAKE(req, l);
    if (l.max == 0 || l.max > 255)
        return -XEN_EINVAL;
    domain_foreach(l.first, l.max, list_one, rep);
    return 0;
}

static int op_console_read(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_console_read cr;
    struct pvhv_ctl_console_data cd;
    struct domain *d;

    TAKE(req, cr);
    d = domain_get(cr.domid);
    if (!d)
        return -XEN_ESRCH;
    size_t room = rep->cap - sizeof(cd);
    size_t max = cr.max < room ? cr.max : room;
    size_t n = console_log_read(&d->console, cr.offset, rep->payload + sizeof(cd),
                                max, &cd.offset, &cd.end);
    domain_put(d);
    memcpy(rep->payload, &cd, sizeof(cd));
    rep->len = sizeof(cd) + n;
    return 0;
}

static int op_console_input(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_console_input ci;
    struct domain *d;

    if (req->len < sizeof(ci))
        return -XEN_EINVAL;
    memcpy(&ci, req->payload, sizeof(ci));
    if (ci.len > PVHV_CONSOLE_INPUT_SIZE || req->len != sizeof(ci) + ci.len)
        return -XEN_EINVAL;
    d = domain_get(ci.domid);
    if (!d)
        return -XEN_ESRCH;
    uint32_t taken = (uint32_t)console_input_put(&d->console,
                                                 (const uint8_t *)req->payload + sizeof(ci),
                                                 ci.len);
    if (taken)
        evtchn_send_virq(d, 0, VIRQ_CONSOLE);
    domain_put(d);
    return ctl_put(rep, &taken, sizeof(taken));
}

static int op_vcpuinfo(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct domain *d;
    int r = with_domain(req, &d);

    if (r < 0)
        return r;
    for (unsigned i = 0; i < d->nr_vcpus && r == 0; i++) {
        struct vcpu *v = &d->vcpus[i];
        struct platform_vcpu_mode m;
        struct pvhv_ctl_vcpuinfo vi = { .vcpu = i };
        clockid_t cid;
        struct timespec ts;

        platform_vcpu_mode(v, &m);
        if (v->thread_started && pthread_getcpuclockid(v->thread, &cid) == 0 &&
            clock_gettime(cid, &ts) == 0)
            vi.cpu_time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
        pthread_mutex_lock(&d->lock);
        vi.online = v->online;
        vi.blocked = v->blocked;
        pthread_mutex_unlock(&d->lock);
        vi.mode = m.mode;
        vi.insn_emulated = m.insn_emulated;
        vi.exits = __atomic_load_n(&v->nr_exits, __ATOMIC_RELAXED);
        vi.hypercalls = __atomic_load_n(&v->nr_hypercalls, __ATOMIC_RELAXED);
        vi.timer_port = __atomic_load_n(&v->kvm_timer_port, __ATOMIC_RELAXED);
        vi.kvm_runstate = __atomic_load_n(&v->rs_kvm_gpa, __ATOMIC_RELAXED) != 0;
        r = ctl_put(rep, &vi, sizeof(vi));
    }
    domain_put(d);
    return r;
}

static int op_emul_disk_attach(const struct ctl_request *req, struct ctl_reply *rep)
{
    struct pvhv_ctl_emul_disk e;
    char why[256] = "";
    struct domain *d;
    int r;

    TAKE(req, e);
    if (e.flags & ~PVHV_EMUL_DISK_F_READONLY) {
        snprintf(why, sizeof(why), "unknown flags %#x", e.flags & ~PVHV_EMUL_DISK_F_READONLY);
        r = -XEN_EINVAL;
    } else if (req->nfds != 1) {
        snprintf(why, sizeof(why), "the disk comes as exactly one descriptor (%d sent)",
                 req->nfds);
        r = -XEN_EBADF;
    } else if (!(d = domain_get(e.domid))) {
        snprintf(why, sizeof(why), "no domain %u", e.domid);
        r = -XEN_ESRCH;
    } else {
        r = emul_disk_attach(d, req->fds[0], e.flags & PVHV_EMUL_DISK_F_READONLY, why,
                             sizeof(why));
        domain_put(d);
    }
    if (r < 0)
        ctl_put(rep, why, strlen(why) + 1);
    return r;
}

const ctl_op_fn ctl_ops[] = {
    [PVHV_CTL_CREATE] = op_create,
    [PVHV_CTL_LOAD_KERNEL] = op_load_kernel,
    [PVHV_CTL_UNPAUSE] = op_unpause,
    [PVHV_CTL_PAUSE] = op_pause,
    [PVHV_CTL_DESTROY] = op_destroy,
    [PVHV_CTL_SHUTDOWN] = op_shutdown,
    [PVHV_CTL_GETINFO] = op_getinfo,
    [PVHV_CTL_LIST] = op_list,
    [PVHV_CTL_CONSOLE_READ] = op_console_read,
    [PVHV_CTL_VCPUINFO] = op_vcpuinfo,
    [PVHV_CTL_EVTCHN_BIND_UNBOUND] = ctl_op_evtchn_bind,
    [PVHV_CTL_EVTCHN_BIND_INTERDOMAIN] = ctl_op_evtchn_bind,
    [PVHV_CTL_EVTCHN_CLOSE] = ctl_op_evtchn_close,
    [PVHV_CTL_GNTTAB_MAP] = ctl_op_gnttab_map,
    [PVHV_CTL_GNTTAB_UNMAP] = ctl_op_gnttab_unmap,
    [PVHV_CTL_GNTTAB_COPY] = ctl_op_gnttab_copy,
    [PVHV_CTL_CONSOLE_INPUT] = op_console_input,
    [PVHV_CTL_HVM_PARAM_GET] = ctl_op_hvm_param_get,
    [PVHV_CTL_FOREIGN_MAP] = ctl_op_foreign_map,
    [PVHV_CTL_EMUL_DISK_ATTACH] = op_emul_disk_attach,
};
const size_t ctl_nr_ops = sizeof(ctl_ops) / sizeof(ctl_ops[0]);
