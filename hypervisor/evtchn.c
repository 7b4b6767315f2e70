/* evtchn.c: event channels, Xen's 2-level ABI. Guests' pending and mask
 * bits live in their shared_info; dom0's ports are eventfds. One lock
 * covers every port table, so binding two domains' ports is one step. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/hvm/params.h>
#include <pvhv/pvhv_hypercall.h>
#include <pvhv/xen.h>

#include "evtchn.h"
#include "log.h"
#include "kvm_xen.h"
#include "pvclock.h"
#include "timer.h"
#include "vcpu.h"

static pthread_mutex_t evtchn_lock = PTHREAD_MUTEX_INITIALIZER;

/* A dom0 port: the channel, who holds it, and its two eventfds. */
struct dom0_port {
    struct evtchn ch;
    int owner;
    int in_fd;   /* guest -> dom0: dom0 reads it */
    int out_fd;  /* dom0 -> guest: dom0 writes it, the event thread reads */
};

static struct dom0_port dom0_ports[EVTCHN_DOM0_PORTS];
static int epoll_fd = -1;

/* Epoll keys of the event thread. */
enum { KEY_DOM0 = 1, KEY_TIMER = 2, KEY_PERIODIC = 3 };
#define KEY(kind, a, b) (((uint64_t)(kind) << 56) | ((uint64_t)(a) << 24) | (uint64_t)(b))

static bool virq_is_per_vcpu(uint32_t virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
           virq == VIRQ_XENPMU;
}

static struct shared_info *shared(struct domain *d)
{
    uint64_t gpa = __atomic_load_n(&d->shared_info_gpa, __ATOMIC_ACQUIRE);

    return gpa ? guest_mem_ptr(&d->mem, gpa, sizeof(struct shared_info)) : NULL;
}

/* ------------------------------------------------------------------------
 * Delivery into a guest
 * ------------------------------------------------------------------------ */

static void wake(struct vcpu *v)
{
    uint64_t one = 1;

    if (write(v->wake_fd, &one, sizeof(one)) < 0) {
        /* Saturated counter: it is awake already. */
    }
}

/* The upcall vector for v: its own, else the domain's callback vector. */
static uint8_t upcall_vector(struct domain *d, struct vcpu *v)
{
    uint8_t vec;

    pthread_mutex_lock(&d->lock);
    vec = v->upcall_vector;
    uint64_t cb = d->hvm_params[HVM_PARAM_CALLBACK_IRQ];
    pthread_mutex_unlock(&d->lock);
    if (!vec && (cb >> PVHV_HVM_CALLBACK_TYPE_SHIFT) == HVM_PARAM_CALLBACK_TYPE_VECTOR)
        vec = (uint8_t)cb;
    return vec;
}

bool evtchn_kvm_raises(struct domain *d, struct vcpu *v)
{
    if (!d->kvm_xen)
        return false;
    pthread_mutex_lock(&d->lock);
    bool global = !v->upcall_vector &&
                  (d->hvm_params[HVM_PARAM_CALLBACK_IRQ] >> PVHV_HVM_CALLBACK_TYPE_SHIFT) ==
                      HVM_PARAM_CALLBACK_TYPE_VECTOR;
    pthread_mutex_unlock(&d->lock);
    return global;
}

/* Interrupt v with its upcall vector, if it has one yet. */
static void inject_upcall(struct domain *d, struct vcpu *v)
{
    if (evtchn_kvm_raises(d, v)) {
        /* KVM raises it at v's next entry, seeing evtchn_upcall_pending. */
        vcpu_kick(v);
        return;
    }
    uint8_t vec = upcall_vector(d, v);
    if (vec) {
        /* Fixed delivery to the vCPU's LAPIC (APIC id = vCPU id). */
        struct kvm_msi msi = {
            .address_lo = 0xfee00000U | (v->id << 12),
            .data = vec,
        };
        if (ioctl(d->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
            log_debug("d%u v%u: upcall injection failed", d->domid, v->id);
    }
}

/*
 * Steps 3 and 4 of the 2-level send: flag word w on v and raise the
 * upcall. Xen may skip the interrupt when the word or the upcall is
 * already flagged, because its callback vector is a level it re-checks at
 * every VM entry. pvhv's is an edge, and a guest sets those flags itself
 * too (Linux's unmask does, with no event behind them), so a skipped
 * interrupt could be one never sent: every event interrupts. A spare
 * upcall finds nothing new and costs the guest one pass over its words.
 */
static void notify_word(struct domain *d, struct vcpu *v, unsigned w)
{
    struct vcpu_info *vi = pvclock_vcpu_info(d, v);

    if (!vi)
        return;
    __atomic_fetch_or(&vi->evtchn_pending_sel, 1ULL << w, __ATOMIC_SEQ_CST);
    __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    inject_upcall(d, v);
    wake(v);
}

void evtchn_upcall_reassert(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu_info *vi = pvclock_vcpu_info(d, &d->vcpus[i]);
        if (vi && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
            inject_upcall(d, &d->vcpus[i]);
    }
}

/* Set `port` of guest d pending (the 2-level send, steps 1-4). */
static void set_pending(struct domain *d, evtchn_port_t port)
{
    struct shared_info *s = shared(d);
    unsigned w = port / 64;
    uint64_t bit = 1ULL << (port % 64);

    /* Before shared_info is placed there is nowhere to record an event;
     * Xen guests place it before binding any port. */
    if (!s)
        return;
    uint32_t vcpu = d->evtchn[port].vcpu;
    if (vcpu < d->nr_vcpus && evtchn_kvm_raises(d, &d->vcpus[vcpu]) && kvm_xen_send(d, vcpu, port) == 0) {
        wake(&d->vcpus[vcpu]); /* a SCHEDOP_poll or _block in pvhv */
        return;
    }
    if (__atomic_fetch_or(&s->evtchn_pending[w], bit, __ATOMIC_SEQ_CST) & bit)
        return;
    /* The upcall first, then the wake: a poller woken first would run
     * before the upcall is injected, see its port pending and spin on
     * SCHEDOP_poll until the sender is scheduled again (ms on a busy
     * host; measured by pvbench's guest<->guest round trip). */
    if (!(__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_SEQ_CST) & bit) && vcpu < d->nr_vcpus)
        notify_word(d, &d->vcpus[vcpu], w);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        /* seq_cst on both sides (here and SCHEDOP_poll): a poller either
         * sees this pending bit or is woken. */
        if (__atomic_load_n(&d->vcpus[i].polling, __ATOMIC_SEQ_CST))
            wake(&d->vcpus[i]);
}

bool evtchn_is_pending(struct domain *d, evtchn_port_t port)
{
    struct shared_info *s = shared(d);

    if (!s || port >= EVTCHN_GUEST_PORTS)
        return false;
    return __atomic_load_n(&s->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) &
           (1ULL << (port % 64));
}

/* ------------------------------------------------------------------------
 * The dom0 fast path: a guest's send to a dom0 port ends in the kernel
 * ------------------------------------------------------------------------ */

static int fast_path(struct domain *d, evtchn_port_t port, int fd, bool on)
{
    struct kvm_ioeventfd io = {
        .datamatch = port,
        .addr = PVHV_EVTCHN_DOORBELL_PORT,
        .len = 4,
        .fd = fd,
        .flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH |
                 (on ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };

    return ioctl(d->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------------
 * Port tables
 * ------------------------------------------------------------------------ */

int evtchn_domain_init(struct domain *d)
{
    d->evtchn = calloc(EVTCHN_GUEST_PORTS, sizeof(*d->evtchn));
    d->virq_port = calloc((size_t)d->nr_vcpus * NR_VIRQS, sizeof(*d->virq_port));
    if (!d->evtchn || !d->virq_port) {
        free(d->evtchn);
        free(d->virq_port);
        d->evtchn = NULL;
        d->virq_port = NULL;
        return -XEN_ENOMEM;
    }
    return 0;
}

/* Lowest free port of d, from 1. Call with evtchn_lock. */
static int get_free_port(struct domain *d, evtchn_port_t *port)
{
    for (evtchn_port_t p = 1; p < EVTCHN_GUEST_PORTS; p++) {
        if (d->evtchn[p].state == EVTCHNSTAT_closed) {
            memset(&d->evtchn[p], 0, sizeof(d->evtchn[p]));
            *port = p;
            return 0;
        }
    }
    return -XEN_ENOSPC;
}

static bool valid_port(evtchn_port_t port)
{
    return port > 0 && port < EVTCHN_GUEST_PORTS;
}

static int get_free_dom0_port(evtchn_port_t *port)
{
    for (evtchn_port_t p = 1; p < EVTCHN_DOM0_PORTS; p++) {
        if (dom0_ports[p].ch.state == EVTCHNSTAT_closed) {
            *port = p;
            return 0;
        }
    }
    return -XEN_ENOSPC;
}

int evtchn_alloc_unbound(struct domain *d, domid_t remote, evtchn_port_t *port)
{
    int r;

    pthread_mutex_lock(&evtchn_lock);
    r = get_free_port(d, port);
    if (r == 0) {
        d->evtchn[*port].state = EVTCHNSTAT_unbound;
        d->evtchn[*port].remote_dom = remote == DOMID_SELF ? d->domid : remote;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

int evtchn_bind_interdomain(struct domain *d, domid_t remote, evtchn_port_t rport,
                            evtchn_port_t *port)
{
    int r;

    if (remote == DOMID_SELF)
        remote = d->domid;
    pthread_mutex_lock(&evtchn_lock);
    if (remote == 0) {
        /* dom0's unbound port, opened for us by a backend. */
        struct dom0_port *q = rport < EVTCHN_DOM0_PORTS ? &dom0_ports[rport] : NULL;
        if (!q || rport == 0 || q->ch.state != EVTCHNSTAT_unbound ||
            q->ch.remote_dom != d->domid) {
            r = -XEN_EINVAL;
            goto out;
        }
        if ((r = get_free_port(d, port)) < 0)
            goto out;
        if ((r = fast_path(d, *port, q->in_fd, true)) < 0) {
            log_warn("d%u: no in-kernel path for port %u: %d", d->domid, *port, r);
            r = 0; /* the doorbell exit still serves it */
        }
        d->evtchn[*port] = (struct evtchn){ .state = EVTCHNSTAT_interdomain,
                                            .remote_dom = 0, .remote_port = rport };
        q->ch.state = EVTCHNSTAT_interdomain;
        q->ch.remote_dom = (domid_t)d->domid;
        q->ch.remote_port = *port;
        set_pending(d, *port); /* as for any interdomain bind */
        goto out;
    }
    struct domain *rd = domain_get(remote);
    if (!rd) {
        r = -XEN_ESRCH;
        goto out;
    }
    if (!valid_port(rport) || rd->evtchn[rport].state != EVTCHNSTAT_unbound ||
        rd->evtchn[rport].remote_dom != d->domid) {
        r = -XEN_EINVAL;
    } else if ((r = get_free_port(d, port)) == 0) {
        d->evtchn[*port] = (struct evtchn){ .state = EVTCHNSTAT_interdomain,
                                            .remote_dom = (domid_t)rd->domid,
                                            .remote_port = rport };
        rd->evtchn[rport].state = EVTCHNSTAT_interdomain;
        rd->evtchn[rport].remote_dom = (domid_t)d->domid;
        rd->evtchn[rport].remote_port = *port;
        /* As Xen: the binder's port starts pending, so neither side can
         * miss an event sent before the bind completed. */
        set_pending(d, *port);
    }
    domain_put(rd);
out:
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

evtchn_port_t evtchn_virq_port(struct domain *d, uint32_t vcpu, uint32_t virq)
{
    if (vcpu >= d->nr_vcpus || virq >= NR_VIRQS)
        return 0;
    pthread_mutex_lock(&evtchn_lock);
    evtchn_port_t port = d->virq_port[vcpu * NR_VIRQS + virq];
    pthread_mutex_unlock(&evtchn_lock);
    return port;
}

int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    int r;

    if (virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (!virq_is_per_vcpu(virq) && vcpu != 0)
        return -XEN_EINVAL;
    if (vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    pthread_mutex_lock(&evtchn_lock);
    uint16_t *slot = &d->virq_port[vcpu * NR_VIRQS + virq];
    if (*slot) {
        r = -XEN_EEXIST;
    } else if ((r = get_free_port(d, port)) == 0) {
        d->evtchn[*port] = (struct evtchn){ .state = EVTCHNSTAT_virq, .vcpu = vcpu,
                                            .virq = virq };
        *slot = (uint16_t)*port;
    }
    pthread_mutex_unlock(&evtchn_lock);
    if (r == 0 && virq == VIRQ_TIMER)
        vcpu_kvm_resync_request(&d->vcpus[vcpu]);
    return r;
}

int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, evtchn_port_t *port)
{
    int r;

    if (vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    pthread_mutex_lock(&evtchn_lock);
    r = get_free_port(d, port);
    if (r == 0)
        d->evtchn[*port] = (struct evtchn){ .state = EVTCHNSTAT_ipi, .vcpu = vcpu };
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

/* Close d's `port`. Call with evtchn_lock. */
static int close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *ch;

    if (!valid_port(port))
        return -XEN_EINVAL;
    ch = &d->evtchn[port];
    switch (ch->state) {
    case EVTCHNSTAT_closed:
        return -XEN_EINVAL;
    case EVTCHNSTAT_virq:
        d->virq_port[ch->vcpu * NR_VIRQS + ch->virq] = 0;
        if (ch->virq == VIRQ_TIMER)
            vcpu_kvm_resync_request(&d->vcpus[ch->vcpu]);
        break;
    case EVTCHNSTAT_interdomain:
        if (ch->remote_dom == 0) {
            struct dom0_port *q = &dom0_ports[ch->remote_port];
            fast_path(d, port, q->in_fd, false);
            q->ch.state = EVTCHNSTAT_unbound;
            q->ch.remote_dom = (domid_t)d->domid;
            q->ch.remote_port = 0;
        } else {
            struct domain *rd = domain_get(ch->remote_dom);
            if (rd) {
                /* The peer's end waits for a new partner, as on Xen. */
                struct evtchn *rc = &rd->evtchn[ch->remote_port];
                rc->state = EVTCHNSTAT_unbound;
                rc->remote_dom = (domid_t)d->domid;
                rc->remote_port = 0;
                domain_put(rd);
            }
        }
        break;
    default:
        break;
    }
    memset(ch, 0, sizeof(*ch));
    struct shared_info *s = shared(d);
    if (s)
        __atomic_fetch_and(&s->evtchn_pending[port / 64], ~(1ULL << (port % 64)),
                           __ATOMIC_SEQ_CST);
    return 0;
}

int evtchn_close(struct domain *d, evtchn_port_t port)
{
    pthread_mutex_lock(&evtchn_lock);
    int r = close_port(d, port);
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

int evtchn_reset(struct domain *d)
{
    pthread_mutex_lock(&evtchn_lock);
    for (evtchn_port_t p = 1; p < EVTCHN_GUEST_PORTS; p++)
        if (d->evtchn[p].state != EVTCHNSTAT_closed)
            close_port(d, p);
    pthread_mutex_unlock(&evtchn_lock);
    return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
    if (d->evtchn)
        evtchn_reset(d);
    /* Ports of other domains still waiting for d stay unbound to it. */
    free(d->evtchn);
    free(d->virq_port);
    d->evtchn = NULL;
    d->virq_port = NULL;
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
    int r = 0;

    if (!valid_port(port))
        return -XEN_EINVAL;
    pthread_mutex_lock(&evtchn_lock);
    struct evtchn *ch = &d->evtchn[port];
    switch (ch->state) {
    case EVTCHNSTAT_interdomain:
        if (ch->remote_dom == 0) {
            uint64_t one = 1;
            if (write(dom0_ports[ch->remote_port].in_fd, &one, sizeof(one)) < 0) {
                /* Saturated: dom0 has events to read already. */
            }
        } else {
            struct domain *rd = domain_get(ch->remote_dom);
            if (rd) {
                set_pending(rd, ch->remote_port);
                domain_put(rd);
            }
        }
        break;
    case EVTCHNSTAT_ipi:
        set_pending(d, port);
        break;
    case EVTCHNSTAT_unbound:
        break; /* nobody listens yet: dropped, as on Xen */
    default:
        r = -XEN_EINVAL;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

int evtchn_doorbell(struct domain *d, evtchn_port_t port)
{
    return evtchn_send(d, port);
}

void evtchn_send_virq(struct domain *d, uint32_t vcpu, uint32_t virq)
{
    pthread_mutex_lock(&evtchn_lock);
    if (d->virq_port && vcpu < d->nr_vcpus && virq < NR_VIRQS) {
        uint16_t port = d->virq_port[vcpu * NR_VIRQS + virq];
        if (port)
            set_pending(d, port);
    }
    pthread_mutex_unlock(&evtchn_lock);
}

int evtchn_status(struct domain *d, struct evtchn_status *st)
{
    if (st->port >= EVTCHN_GUEST_PORTS)
        return -XEN_EINVAL;
    pthread_mutex_lock(&evtchn_lock);
    struct evtchn *ch = &d->evtchn[st->port];
    st->status = ch->state;
    st->vcpu = ch->vcpu;
    memset(&st->u, 0, sizeof(st->u));
    switch (ch->state) {
    case EVTCHNSTAT_unbound:
        st->u.unbound.dom = ch->remote_dom;
        break;
    case EVTCHNSTAT_interdomain:
        st->u.interdomain.dom = ch->remote_dom;
        st->u.interdomain.port = ch->remote_port;
        break;
    case EVTCHNSTAT_virq:
        st->u.virq = ch->virq;
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return 0;
}

int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, uint32_t vcpu)
{
    int r = 0;

    /* Xen checks the vCPU first. */
    if (vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    if (!valid_port(port))
        return -XEN_EINVAL;
    pthread_mutex_lock(&evtchn_lock);
    struct evtchn *ch = &d->evtchn[port];
    if (ch->state == EVTCHNSTAT_unbound || ch->state == EVTCHNSTAT_interdomain ||
        (ch->state == EVTCHNSTAT_virq && !virq_is_per_vcpu(ch->virq))) {
        /* A global VIRQ keeps its slot under vCPU 0; only the notified
         * vCPU moves. */
        ch->vcpu = vcpu;
    } else {
        r = -XEN_EINVAL;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    struct shared_info *s = shared(d);
    unsigned w = port / 64;
    uint64_t bit = 1ULL << (port % 64);

    if (!valid_port(port))
        return -XEN_EINVAL;
    if (!s)
        return 0;
    pthread_mutex_lock(&evtchn_lock);
    if ((__atomic_fetch_and(&s->evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST) & bit) &&
        (__atomic_load_n(&s->evtchn_pending[w], __ATOMIC_SEQ_CST) & bit)) {
        uint32_t vcpu = d->evtchn[port].vcpu;
        if (vcpu < d->nr_vcpus)
            notify_word(d, &d->vcpus[vcpu], w);
    }
    pthread_mutex_unlock(&evtchn_lock);
    return 0;
}

/* ------------------------------------------------------------------------
 * dom0's ports
 * ------------------------------------------------------------------------ */

/* Take a free dom0 port with fresh eventfds, watched by the event thread. */
static int new_dom0_port(int owner, evtchn_port_t *port)
{
    int r = get_free_dom0_port(port);

    if (r < 0)
        return r;
    struct dom0_port *q = &dom0_ports[*port];
    q->in_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    q->out_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = KEY(KEY_DOM0, 0, *port) };
    if (q->in_fd < 0 || q->out_fd < 0 ||
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, q->out_fd, &ev) < 0) {
        r = -errno;
        if (q->in_fd >= 0)
            close(q->in_fd);
        if (q->out_fd >= 0)
            close(q->out_fd);
        memset(q, 0, sizeof(*q));
        return r;
    }
    q->owner = owner;
    return 0;
}

int evtchn_dom0_bind_unbound(int owner, domid_t remote, evtchn_port_t *port,
                             int *in_fd, int *out_fd)
{
    pthread_mutex_lock(&evtchn_lock);
    int r = new_dom0_port(owner, port);
    if (r == 0) {
        struct dom0_port *q = &dom0_ports[*port];
        q->ch = (struct evtchn){ .state = EVTCHNSTAT_unbound, .remote_dom = remote };
        *in_fd = q->in_fd;
        *out_fd = q->out_fd;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

int evtchn_dom0_bind_interdomain(int owner, domid_t remote, evtchn_port_t rport,
                                 evtchn_port_t *port, int *in_fd, int *out_fd)
{
    struct domain *rd = domain_get(remote);
    int r;

    if (!rd)
        return -XEN_ESRCH;
    pthread_mutex_lock(&evtchn_lock);
    if (!valid_port(rport) || rd->evtchn[rport].state != EVTCHNSTAT_unbound ||
        rd->evtchn[rport].remote_dom != 0) {
        r = -XEN_EINVAL;
    } else if ((r = new_dom0_port(owner, port)) == 0) {
        struct dom0_port *q = &dom0_ports[*port];
        q->ch = (struct evtchn){ .state = EVTCHNSTAT_interdomain,
                                 .remote_dom = (domid_t)rd->domid, .remote_port = rport };
        rd->evtchn[rport].state = EVTCHNSTAT_interdomain;
        rd->evtchn[rport].remote_dom = 0;
        rd->evtchn[rport].remote_port = *port;
        if (fast_path(rd, rport, q->in_fd, true) < 0)
            log_warn("d%u: no in-kernel path for port %u", rd->domid, rport);
        /* The binder's end starts pending, as on Xen. */
        uint64_t one = 1;
        if (write(q->in_fd, &one, sizeof(one)) < 0) {
            /* A fresh eventfd cannot be saturated. */
        }
        *in_fd = q->in_fd;
        *out_fd = q->out_fd;
    }
    pthread_mutex_unlock(&evtchn_lock);
    domain_put(rd);
    return r;
}

/* Close dom0 port `port`. Call with evtchn_lock. */
static void close_dom0_port(evtchn_port_t port)
{
    struct dom0_port *q = &dom0_ports[port];

    if (q->ch.state == EVTCHNSTAT_interdomain) {
        struct domain *rd = domain_get(q->ch.remote_dom);
        if (rd) {
            struct evtchn *rc = &rd->evtchn[q->ch.remote_port];
            fast_path(rd, q->ch.remote_port, q->in_fd, false);
            rc->state = EVTCHNSTAT_unbound;
            rc->remote_dom = 0;
            rc->remote_port = 0;
            domain_put(rd);
        }
    }
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, q->out_fd, NULL);
    close(q->in_fd);
    close(q->out_fd);
    memset(q, 0, sizeof(*q));
}

int evtchn_dom0_close(int owner, evtchn_port_t port)
{
    int r = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (port == 0 || port >= EVTCHN_DOM0_PORTS ||
        dom0_ports[port].ch.state == EVTCHNSTAT_closed || dom0_ports[port].owner != owner)
        r = -XEN_EINVAL;
    else
        close_dom0_port(port);
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

void evtchn_dom0_release(int owner)
{
    pthread_mutex_lock(&evtchn_lock);
    for (evtchn_port_t p = 1; p < EVTCHN_DOM0_PORTS; p++)
        if (dom0_ports[p].ch.state != EVTCHNSTAT_closed && dom0_ports[p].owner == owner)
            close_dom0_port(p);
    pthread_mutex_unlock(&evtchn_lock);
}

/* ------------------------------------------------------------------------
 * The event thread: dom0's notifications and the vCPUs' timers
 * ------------------------------------------------------------------------ */

static void dom0_notified(evtchn_port_t port)
{
    uint64_t n;

    pthread_mutex_lock(&evtchn_lock);
    struct dom0_port *q = &dom0_ports[port];
    if (q->ch.state != EVTCHNSTAT_closed && read(q->out_fd, &n, sizeof(n)) > 0 &&
        q->ch.state == EVTCHNSTAT_interdomain) {
        struct domain *rd = domain_get(q->ch.remote_dom);
        if (rd) {
            set_pending(rd, q->ch.remote_port);
            domain_put(rd);
        }
    }
    pthread_mutex_unlock(&evtchn_lock);
}

static void timerfd_fired(uint32_t domid, uint32_t vcpu, bool periodic)
{
    struct domain *d = domain_get(domid);
    uint64_t n;

    if (!d)
        return;
    if (vcpu < d->nr_vcpus) {
        struct vcpu *v = &d->vcpus[vcpu];
        if (periodic ? read(v->periodic_fd, &n, sizeof(n)) > 0 : timer_expired(v)) {
            evtchn_send_virq(d, vcpu, VIRQ_TIMER);
            /* A SCHEDOP_block ends on its own timer too (timer.h). */
            wake(v);
        }
    }
    domain_put(d);
}

static void *event_thread(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "pvhv-events");
    for (;;) {
        struct epoll_event ev[32];
        int n = epoll_wait(epoll_fd, ev, 32, -1);
        for (int i = 0; i < n; i++) {
            uint64_t key = ev[i].data.u64;
            unsigned kind = (unsigned)(key >> 56);
            uint32_t a = (uint32_t)((key >> 24) & 0xffffffff);
            uint32_t b = (uint32_t)(key & 0xffffff);
            if (kind == KEY_DOM0)
                dom0_notified(b);
            else
                timerfd_fired(a, b, kind == KEY_PERIODIC);
        }
    }
    return NULL;
}

int evtchn_thread_start(void)
{
    pthread_t t;
    sigset_t all, old;

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0)
        return -errno;
    /* The event thread takes no signals: the main thread handles them. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int r = pthread_create(&t, NULL, event_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r)
        return -r;
    pthread_detach(t);
    return 0;
}

int evtchn_watch_vcpu(struct vcpu *v)
{
    struct epoll_event ev = { .events = EPOLLIN };

    if (epoll_fd < 0)
        return 0; /* unit tests run without the event thread */
    ev.data.u64 = KEY(KEY_TIMER, v->dom->domid, v->id);
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, v->timer_fd, &ev) < 0)
        return -errno;
    ev.data.u64 = KEY(KEY_PERIODIC, v->dom->domid, v->id);
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, v->periodic_fd, &ev) < 0)
        return -errno;
    return 0;
}

void evtchn_unwatch_vcpu(struct vcpu *v)
{
    if (epoll_fd < 0)
        return;
    if (v->timer_fd >= 0)
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, v->timer_fd, NULL);
    if (v->periodic_fd >= 0)
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, v->periodic_fd, NULL);
}
