/* domain.c: domain lifecycle, states and the domid table. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/pvhv_platform.h>
#include <pvhv/sched.h>
#include <pvhv/vcpu.h>
#include <pvhv/xen.h>

#include "domain.h"
#include "emul_disk.h"
#include "kvm.h"
#include "kvm_xen.h"
#include "evtchn.h"
#include "gnttab.h"
#include "log.h"
#include "kvm_xen.h"
#include "pvclock.h"
#include "vcpu.h"

#define MAX_DOMID (DOMID_FIRST_RESERVED - 1)
/* Largest guest: 1 TiB. */
#define MAX_MEMORY_KIB (1ULL << 30)

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct domain *table[DOMID_FIRST_RESERVED];
static uint32_t next_domid = 1;

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Pick the next free domid after the last one given, as Xen does, so a
 * destroyed domain's id is not reused at once. Call with table_lock. */
static int alloc_domid(uint32_t *out)
{
    for (uint32_t n = 0; n < MAX_DOMID; n++) {
        uint32_t id = next_domid;
        next_domid = next_domid >= MAX_DOMID ? 1 : next_domid + 1;
        if (!table[id]) {
            *out = id;
            return 0;
        }
    }
    return -ENOSPC;
}

static void free_domain(struct domain *d)
{
    /* Ports first: closing one may look at its vCPU (timer.c). */
    evtchn_domain_destroy(d);
    if (d->vcpus) {
        for (unsigned i = 0; i < d->nr_vcpus; i++) {
            struct vcpu *v = &d->vcpus[i];
            if (v->run)
                munmap(v->run, (size_t)kvm_host.run_size);
            if (v->fd >= 0)
                close(v->fd);
            if (v->wake_fd >= 0)
                close(v->wake_fd);
            if (v->timer_fd >= 0)
                close(v->timer_fd);
            if (v->stats_fd >= 0)
                close(v->stats_fd);
            if (v->periodic_fd >= 0)
                close(v->periodic_fd);
        }
        free(d->vcpus);
    }
    gnttab_domain_destroy(d);
    emul_disk_free(d->emul_disk);
    if (d->vm_fd >= 0)
        close(d->vm_fd);
    guest_mem_release(&d->mem);
    console_log_destroy(&d->console);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static int setup_vcpu(struct domain *d, unsigned id)
{
    struct vcpu *v = &d->vcpus[id];
    int r;

    v->fd = kvm_vcpu_create(d->vm_fd, (int)id, &v->run);
    if (v->fd < 0)
        return v->fd;
    r = kvm_vcpu_set_cpuid(v->fd, (int)id);
    if (r < 0)
        return r;
    v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (v->wake_fd < 0)
        return -errno;
    v->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    v->periodic_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (v->timer_fd < 0 || v->periodic_fd < 0)
        return -errno;
    return 0;
}

/*
 * The xenstore and console rings, as libxl sets them up on Xen: a page
 * each (pvhv's special pages, zero now) and a guest port left unbound for
 * dom0, named by the HVM params the guest reads at boot. The daemons find
 * them with PVHV_CTL_HVM_PARAM_GET.
 */
static int ring_params_init(struct domain *d)
{
    evtchn_port_t store, console;
    int r = evtchn_alloc_unbound(d, 0, &store);

    if (r == 0)
        r = evtchn_alloc_unbound(d, 0, &console);
    if (r < 0)
        return r;
    d->hvm_params[HVM_PARAM_STORE_PFN] = PVHV_STORE_RING_GPA >> 12;
    d->hvm_params[HVM_PARAM_STORE_EVTCHN] = store;
    d->hvm_params[HVM_PARAM_CONSOLE_PFN] = PVHV_CONSOLE_RING_GPA >> 12;
    d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = console;
    return 0;
}

int domain_create(const struct pvhv_ctl_create *req, struct domain **out)
{
    struct guest_mem_range ranges[3];
    struct domain *d;
    int r, n;

    if (req->memory_kib == 0 || req->memory_kib % 4 ||
        req->memory_kib > MAX_MEMORY_KIB)
        return -EINVAL;
    if (req->max_vcpus == 0 || req->max_vcpus > PVHV_MAX_VCPUS || req->flags)
        return -EINVAL;
    if (memchr(req->name, 0, sizeof(req->name)) == NULL)
        return -EINVAL;

    d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    console_log_init(&d->console);
    d->vm_fd = -1;
    d->mem.memfd = -1;
    d->paused = true;
    d->shutdown_code = ~0U;
    d->boot_ns = now_ns();
    d->refs = 2; /* the caller's and the table's */
    memcpy(d->handle, req->handle, sizeof(d->handle));
    memcpy(d->name, req->name, sizeof(d->name));
    d->nr_vcpus = req->max_vcpus;
    d->vcpus = calloc(d->nr_vcpus, sizeof(*d->vcpus));
    if (!d->vcpus) {
        free_domain(d);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        d->vcpus[i].dom = d;
        d->vcpus[i].id = i;
        d->vcpus[i].fd = d->vcpus[i].wake_fd = d->vcpus[i].timer_fd = -1;
        d->vcpus[i].stats_fd = d->vcpus[i].periodic_fd = -1;
        d->vcpus[i].rs_state = RUNSTATE_offline;
    }

    r = guest_mem_init(&d->mem, req->memory_kib * 1024, "pvhv-guest-ram");
    if (r < 0)
        goto fail;
    d->vm_fd = kvm_vm_create();
    if (d->vm_fd < 0) {
        r = d->vm_fd;
        goto fail;
    }
    n = guest_mem_ranges(&d->mem, ranges);
    for (int i = 0; i < n; i++) {
        r = kvm_set_memslot(d->vm_fd, (uint32_t)i, ranges[i].gpa, ranges[i].size,
                            d->mem.base + ranges[i].offset);
        if (r < 0)
            goto fail;
    }
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        r = setup_vcpu(d, i);
        if (r < 0)
            goto fail;
    }
    r = evtchn_domain_init(d);
    if (r == 0)
        r = gnttab_domain_init(d);
    if (r == 0)
        r = ring_params_init(d);
    if (r < 0)
        goto fail;
    d->vcpus[0].online = true;
    d->vcpus[0].initialised = true;
    pvclock_init(d);
    r = kvm_xen_domain_init(d);
    if (r < 0)
        goto fail;

    pthread_mutex_lock(&table_lock);
    r = alloc_domid(&d->domid);
    if (r == 0)
        table[d->domid] = d;
    pthread_mutex_unlock(&table_lock);
    if (r < 0)
        goto fail;

    /* Threads start parked: the domain is paused until unpaused. */
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        r = vcpu_start_thread(&d->vcpus[i]);
        if (r == 0)
            r = evtchn_watch_vcpu(&d->vcpus[i]);
        if (r < 0) {
            log_err("domain %u: cannot start vCPU %u thread", d->domid, i);
            domain_destroy(d); /* drops the table's reference */
            domain_put(d);
            return r;
        }
    }
    log_info("domain %u (%s) created: %lu KiB, %u vCPUs", d->domid, d->name,
             (unsigned long)req->memory_kib, d->nr_vcpus);
    *out = d;
    return 0;

fail:
    free_domain(d);
    return r;
}

struct domain *domain_get(uint32_t domid)
{
    struct domain *d = NULL;

    if (domid >= DOMID_FIRST_RESERVED)
        return NULL;
    pthread_mutex_lock(&table_lock);
    d = table[domid];
    if (d)
        d->refs++;
    pthread_mutex_unlock(&table_lock);
    return d;
}

void domain_put(struct domain *d)
{
    bool last;

    pthread_mutex_lock(&table_lock);
    last = --d->refs == 0;
    pthread_mutex_unlock(&table_lock);
    if (last)
        free_domain(d);
}

unsigned domain_foreach(uint32_t first, unsigned max,
                        int (*fn)(struct domain *d, void *arg), void *arg)
{
    unsigned seen = 0;

    for (uint32_t id = first; id < DOMID_FIRST_RESERVED && seen < max; id++) {
        struct domain *d = domain_get(id);
        if (!d)
            continue;
        seen++;
        int stop = fn(d, arg);
        domain_put(d);
        if (stop)
            break;
    }
    return seen;
}

void vcpu_kick(struct vcpu *v)
{
    uint64_t one = 1;

    /* immediate_exit covers a thread about to enter KVM_RUN; the signal
     * one already inside it; the eventfd one blocked in SCHEDOP_block. */
    __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (v->thread_started)
        pthread_kill(v->thread, VCPU_KICK_SIGNAL);
    if (write(v->wake_fd, &one, sizeof(one)) < 0) {
        /* The counter is saturated: the thread is already due to wake. */
    }
}

static void kick_all(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        vcpu_kick(&d->vcpus[i]);
    pthread_cond_broadcast(&d->cond);
}

int domain_unpause(struct domain *d)
{
    int r = 0;

    pthread_mutex_lock(&d->lock);
    if (!d->kernel_loaded) {
        r = -EINVAL;
    } else if (d->paused) {
        d->paused = false;
        if (!d->started) {
            d->started = true;
            d->start_ns = now_ns();
        }
        pthread_cond_broadcast(&d->cond);
    }
    pthread_mutex_unlock(&d->lock);
    return r;
}

int domain_pause(struct domain *d)
{
    pthread_mutex_lock(&d->lock);
    d->paused = true;
    kick_all(d);
    while (d->nr_parked < d->nr_vcpus && !d->dying)
        pthread_cond_wait(&d->cond, &d->lock);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

void domain_destroy(struct domain *d)
{
    pthread_mutex_lock(&table_lock);
    if (table[d->domid] == d) {
        table[d->domid] = NULL;
        d->refs--; /* the table's reference; the caller still holds one */
    }
    pthread_mutex_unlock(&table_lock);

    pthread_mutex_lock(&d->lock);
    d->dying = true;
    kick_all(d);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        evtchn_unwatch_vcpu(&d->vcpus[i]);
        if (d->vcpus[i].thread_started) {
            pthread_join(d->vcpus[i].thread, NULL);
            d->vcpus[i].thread_started = false;
        }
    }
    /* No vCPU runs now: close the ports (peers' ends become unbound) and
     * give back the grants it mapped. */
    evtchn_domain_destroy(d);
    gnttab_guest_release(d);
    log_info("domain %u (%s) destroyed", d->domid, d->name);
}

void domain_shutdown(struct domain *d, uint32_t reason)
{
    pthread_mutex_lock(&d->lock);
    if (!d->shutdown) {
        d->shutdown = true;
        d->shutdown_reason = reason;
        kick_all(d);
        if (reason != SHUTDOWN_crash)
            log_info("domain %u (%s) shut down, reason %u", d->domid, d->name, reason);
    }
    pthread_mutex_unlock(&d->lock);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char msg[sizeof(d->crash_msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&d->lock);
    if (!d->shutdown) {
        d->shutdown = true;
        /* As Xen: a reason the guest left with SCHEDOP_shutdown_code
         * stands for shutdowns that pvhv makes. */
        d->shutdown_reason = d->shutdown_code != ~0U ? d->shutdown_code : SHUTDOWN_crash;
        memcpy(d->crash_msg, msg, sizeof(msg));
        kick_all(d);
        log_warn("domain %u (%s) crashed: %s", d->domid, d->name, msg);
    }
    pthread_mutex_unlock(&d->lock);
}

void domain_getinfo(struct domain *d, struct pvhv_ctl_dominfo *info)
{
    unsigned online = 0, blocked = 0;
    uint64_t cpu = 0;

    memset(info, 0, sizeof(*info));
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = &d->vcpus[i];
        clockid_t cid;
        struct timespec ts;
        if (v->thread_started && pthread_getcpuclockid(v->thread, &cid) == 0 &&
            clock_gettime(cid, &ts) == 0)
            cpu += (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    }
    pthread_mutex_lock(&d->lock);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        online += d->vcpus[i].online;
        blocked += d->vcpus[i].online && d->vcpus[i].blocked;
    }
    info->domid = d->domid;
    if (d->dying)
        info->state = PVHV_DOMSTATE_DYING;
    else if (d->shutdown)
        info->state = d->shutdown_reason == SHUTDOWN_crash ? PVHV_DOMSTATE_CRASHED
                                                           : PVHV_DOMSTATE_SHUTDOWN;
    else if (d->paused)
        info->state = PVHV_DOMSTATE_PAUSED;
    else if (online && blocked == online)
        info->state = PVHV_DOMSTATE_BLOCKED;
    else
        info->state = PVHV_DOMSTATE_RUNNING;
    info->shutdown_reason = d->shutdown ? d->shutdown_reason : 0;
    info->shutdown_code = d->shutdown_code;
    info->nr_vcpus = d->nr_vcpus;
    info->nr_online_vcpus = online;
    info->memory_kib = d->mem.ram_bytes / 1024;
    info->cpu_time_ns = cpu;
    info->uptime_ns = d->started ? now_ns() - d->start_ns : 0;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    memcpy(info->name, d->name, sizeof(info->name));
    memcpy(info->crash_msg, d->crash_msg, sizeof(info->crash_msg));
    pthread_mutex_unlock(&d->lock);
}
