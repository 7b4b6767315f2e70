/* vcpu.c: the thread that runs one vCPU and handles its exits. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <pvhv/pvhv_hypercall.h>
#include <pvhv/pvhv_platform.h>
#include <pvhv/sched.h>

#include "acpi.h"
#include "console_log.h"
#include "emul_disk.h"
#include "emul_scratch.h"
#include "evtchn.h"
#include "hypercall.h"
#include "kvm.h"
#include "log.h"
#include "platform.h"
#include "pvclock.h"
#include "kvm_xen.h"
#include "timer.h"
#include "vcpu.h"

static void on_kick(int sig)
{
    (void)sig; /* its only job is to make KVM_RUN return EINTR */
}

void vcpu_signals_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_kick; /* no SA_RESTART: KVM_RUN must see EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

void vcpu_pvh_entry_state(struct vcpu_boot_state *b, uint64_t entry,
                          uint64_t start_info_gpa)
{
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 0xb,
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    struct kvm_segment data = code;

    data.selector = 0x10;
    data.type = 0x3;
    memset(b, 0, sizeof(*b));
    /* As Xen's docs/misc/pvh: 32-bit protected mode, paging off, flat
     * segments, ebx = start info. Everything else is the guest's job. */
    b->sregs.cr0 = 0x11; /* PE | ET */
    b->sregs.cs = code;
    b->sregs.ds = b->sregs.es = b->sregs.ss = b->sregs.fs = b->sregs.gs = data;
    b->sregs.tr = (struct kvm_segment){ .limit = 0x67, .type = 11, .present = 1 };
    b->sregs.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
    b->sregs.gdt.limit = 0xffff;
    b->sregs.idt.limit = 0xffff;
    b->sregs.apic_base = 0xfee00000 | (1ULL << 11) | (1ULL << 8);
    b->regs.rip = entry;
    b->regs.rbx = start_info_gpa;
    b->regs.rflags = 0x2;
}

void vcpu_paging(const struct vcpu_exit *e, struct guest_paging *pg)
{
    pg->cr0 = e->sregs->cr0;
    pg->cr3 = e->sregs->cr3;
    pg->cr4 = e->sregs->cr4;
    pg->efer = e->sregs->efer;
}

void vcpu_runstate_change(struct vcpu *v, int32_t state)
{
    struct domain *d = v->dom;
    uint64_t now = pvclock_system_time(d);

    pthread_mutex_lock(&d->lock);
    if (v->rs_state != state) {
        v->rs_time[v->rs_state & 3] += now - v->rs_entry;
        v->rs_entry = now;
        v->rs_state = state;
    }
    pthread_mutex_unlock(&d->lock);
    /* KVM counts running and preempted time itself (from the vCPU's first
     * run, area or not); the time the thread spends blocked or parked in
     * pvhv it learns from pvhv, so that its count is right by the time
     * the guest registers an area. */
    if (d->kvm_xen)
        kvm_xen_runstate_current(v, state);
}

/* Is the caller v's own thread? */
static bool on_own_thread(const struct vcpu *v)
{
    return v->thread_started && pthread_equal(pthread_self(), v->thread);
}

void vcpu_kvm_resync_request(struct vcpu *v)
{
    /* Nothing KVM keeps; or the domain is going, threads and all. */
    if (!v->dom->kvm_xen || __atomic_load_n(&v->dom->dying, __ATOMIC_SEQ_CST))
        return;
    __atomic_store_n(&v->kvm_resync, true, __ATOMIC_SEQ_CST);
    /* v's own thread looks before it next enters the guest anyway; a kick
     * would also end its next SCHEDOP_block for nothing. */
    if (!on_own_thread(v))
        vcpu_kick(v);
}

/* Copy of the runstate KVM keeps in the guest's area, taken while KVM is
 * not rewriting it; false if the area is gone. */
static bool kvm_runstate_copy(struct vcpu *v, uint64_t gpa, struct vcpu_runstate_info *out)
{
    const struct vcpu_runstate_info *a = guest_mem_ptr(&v->dom->mem, gpa, sizeof(*a));

    if (!a)
        return false;
    for (int tries = 0; tries < 1000; tries++) {
        uint64_t t = __atomic_load_n(&a->state_entry_time, __ATOMIC_ACQUIRE);
        memcpy(out, (const void *)a, sizeof(*out));
        if (!(t & XEN_RUNSTATE_UPDATE) &&
            t == __atomic_load_n(&a->state_entry_time, __ATOMIC_ACQUIRE))
            return true;
    }
    return true; /* a guest scribbling on its own area gets what it wrote */
}

void vcpu_runstate_snapshot(struct vcpu *v, struct vcpu_runstate_info *out)
{
    struct domain *d = v->dom;
    uint64_t now = pvclock_system_time(d);
    uint64_t gpa = __atomic_load_n(&v->rs_kvm_gpa, __ATOMIC_RELAXED);

    memset(out, 0, sizeof(*out));
    /* KVM's count: from KVM itself on v's own thread, else from the area
     * KVM keeps (another vCPU's ioctl would wait for v to leave the guest). */
    if ((d->kvm_xen && on_own_thread(v) && kvm_xen_runstate_get(v, out) == 0) ||
        (gpa && kvm_runstate_copy(v, gpa, out))) {
        /* As Xen's answer: the current state's time up to now. */
        uint64_t entry = out->state_entry_time & ~XEN_RUNSTATE_UPDATE;
        out->state_entry_time = entry;
        if (now > entry)
            out->time[out->state & 3] += now - entry;
        return;
    }
    pthread_mutex_lock(&d->lock);
    out->state = v->rs_state;
    out->state_entry_time = v->rs_entry;
    memcpy(out->time, v->rs_time, sizeof(out->time));
    out->time[v->rs_state & 3] += now - v->rs_entry;
    pthread_mutex_unlock(&d->lock);
}

void vcpu_runstate_publish(struct vcpu *v, const struct guest_paging *pg)
{
    struct vcpu_runstate_info info;

    pthread_mutex_lock(&v->dom->lock);
    uint64_t area = v->rs_area;
    pthread_mutex_unlock(&v->dom->lock);
    if (!area || __atomic_load_n(&v->rs_kvm_gpa, __ATOMIC_RELAXED))
        return; /* none, or KVM writes it */
    vcpu_runstate_snapshot(v, &info);
    if (guest_copy_to(&v->dom->mem, pg, area, &info, sizeof(info)) < 0) {
        /* The guest unmapped its own area: its loss, as on Xen. */
    }
}

void vcpu_runstate_register(struct vcpu *v, uint64_t gva, const struct guest_paging *pg)
{
    struct domain *d = v->dom;
    uint64_t gpa = 0, last = 0;
    const size_t len = sizeof(struct vcpu_runstate_info);

    /* KVM wants one guest-physical range; an area split across pages
     * that are not neighbours stays pvhv's. */
    if (d->kvm_xen && gva && guest_virt_to_phys(&d->mem, pg, gva, true, &gpa) == 0 &&
        (guest_virt_to_phys(&d->mem, pg, gva + len - 1, true, &last) < 0 ||
         last != gpa + len - 1))
        gpa = 0;
    pthread_mutex_lock(&d->lock);
    v->rs_area = gva;
    v->rs_kvm_want = gpa;
    pthread_mutex_unlock(&d->lock);
    vcpu_kvm_resync_request(v);
}

void runstate_resync(struct vcpu *v)
{
    struct domain *d = v->dom;

    pthread_mutex_lock(&d->lock);
    uint64_t want = v->rs_kvm_want;
    pthread_mutex_unlock(&d->lock);
    if (want == __atomic_load_n(&v->rs_kvm_gpa, __ATOMIC_RELAXED))
        return;
    int r = kvm_xen_runstate_area(v, want);
    if (r < 0) {
        log_debug("d%u v%u: KVM refused the runstate area at 0x%lx (%s): pvhv keeps it",
                  d->domid, v->id, (unsigned long)want, strerror(-r));
        want = 0;
        kvm_xen_runstate_area(v, 0);
    }
    __atomic_store_n(&v->rs_kvm_gpa, want, __ATOMIC_RELAXED);
}

/* Publish the runstate from outside a hypercall: read the paging state. */
static void publish_now(struct vcpu *v)
{
    struct kvm_sregs s;
    struct guest_paging pg;

    if (!v->rs_area || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return;
    pg = (struct guest_paging){ s.cr0, s.cr3, s.cr4, s.efer };
    vcpu_runstate_publish(v, &pg);
}

/* Wait until the vCPU may run. Returns false when the domain is dying. */
static bool wait_runnable(struct vcpu *v)
{
    struct domain *d = v->dom;
    bool ok;

    pthread_mutex_lock(&d->lock);
    bool parked = false;
    while (!d->dying && (d->paused || d->shutdown || !v->online)) {
        if (!parked) {
            parked = true;
            pthread_mutex_unlock(&d->lock);
            vcpu_runstate_change(v, RUNSTATE_offline);
            pthread_mutex_lock(&d->lock);
            continue;
        }
        v->parked = true;
        d->nr_parked++;
        pthread_cond_broadcast(&d->cond);
        pthread_cond_wait(&d->cond, &d->lock);
        d->nr_parked--;
        v->parked = false;
    }
    ok = !d->dying;
    if (ok && v->boot_pending) {
        struct kvm_sregs sregs;
        /* Keep KVM's APIC base and interrupt bitmap; take the rest. */
        if (ioctl(v->fd, KVM_GET_SREGS, &sregs) == 0) {
            uint64_t apic_base = sregs.apic_base;
            sregs = v->boot.sregs;
            sregs.apic_base = apic_base;
            /* An AP of an in-kernel irqchip waits for INIT/SIPI until it
             * is made runnable by hand. */
            struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
            if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 ||
                ioctl(v->fd, KVM_SET_REGS, &v->boot.regs) < 0 ||
                ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
                ok = false;
        } else {
            ok = false;
        }
        v->boot_pending = false;
        if (!ok) {
            pthread_mutex_unlock(&d->lock);
            domain_crash(d, "vCPU %u: KVM refused its initial register state", v->id);
            return true; /* the crash parks us on the next round */
        }
    }
    /* A vCPU starts offline; one whose domain was unpaused before its
     * thread got here never parked, and runs from now on too. */
    bool starting = v->rs_state != RUNSTATE_running;
    pthread_mutex_unlock(&d->lock);
    if (ok && (parked || starting)) {
        vcpu_runstate_change(v, RUNSTATE_running);
        publish_now(v);
    }
    return ok;
}

static void handle_msr(struct vcpu *v, struct kvm_run *run)
{
    if (run->exit_reason == KVM_EXIT_X86_WRMSR &&
        run->msr.index == PVHV_XEN_HYPERCALL_MSR) {
        run->msr.error = hypercall_page_install(v->dom, run->msr.data) < 0;
        return;
    }
    /* Any other unknown MSR: #GP, as real hardware would raise. */
    run->msr.error = 1;
}

/* A send through the doorbell that no in-kernel fast path took: serve
 * it, and hand the result back in rdi (see pvhv_hypercall.h). */
static void doorbell(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    uint32_t port;

    memcpy(&port, (uint8_t *)run + run->io.data_offset, sizeof(port));
    int r = evtchn_doorbell(v->dom, port);
    v->nr_hypercalls++;
    if (kvm_host.has_sync_regs) {
        run->s.regs.regs.rdi = (uint32_t)r;
        run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    } else {
        struct kvm_regs regs;
        if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0) {
            regs.rdi = (uint32_t)r;
            ioctl(v->fd, KVM_SET_REGS, &regs);
        }
    }
}

/* One exit. Returns false when the vCPU must stop (domain crashed). */
static void handle_exit(struct vcpu *v)
{
    struct kvm_run *run = v->run;
    struct domain *d = v->dom;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        if (run->io.port == PVHV_HYPERCALL_PORT &&
            run->io.direction == KVM_EXIT_IO_OUT) {
            hypercall_from_exit(v);
            return;
        }
        if (run->io.port == PVHV_EVTCHN_DOORBELL_PORT &&
            run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4) {
            doorbell(v);
            return;
        }
        if (emul_scratch_pio(run) || emul_disk_pio(emul_disk_of(d), run))
            return;
        if (run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1 &&
            acpi_port_write(d, run->io.port, *((uint8_t *)run + run->io.data_offset)))
            return;
        if (run->io.port == PVHV_DEBUG_PORT && run->io.direction == KVM_EXIT_IO_OUT) {
            console_log_append(&d->console, (uint8_t *)run + run->io.data_offset,
                               (size_t)run->io.size * run->io.count);
            return;
        }
        /* No other devices: reads see all-ones, writes vanish (as on a
         * bus with nothing behind the port). */
        if (run->io.direction == KVM_EXIT_IO_IN)
            memset((uint8_t *)run + run->io.data_offset, 0xff,
                   (size_t)run->io.size * run->io.count);
        return;
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR:
        handle_msr(v, run);
        return;
    case KVM_EXIT_XEN:
        hypercall_from_xen_exit(v);
        return;
    case KVM_EXIT_HLT:
        return;
    case KVM_EXIT_SHUTDOWN: {
        /* Where it died is most of what a kernel developer needs. */
        struct kvm_regs r;
        struct kvm_sregs sr;
        if (ioctl(v->fd, KVM_GET_REGS, &r) == 0 && ioctl(v->fd, KVM_GET_SREGS, &sr) == 0)
            domain_crash(d, "vCPU %u triple fault at rip 0x%llx (cr0 0x%llx cr3 0x%llx "
                         "cr4 0x%llx efer 0x%llx rsp 0x%llx)", v->id, r.rip, sr.cr0, sr.cr3,
                         sr.cr4, sr.efer, r.rsp);
        else
            domain_crash(d, "vCPU %u triple fault", v->id);
        return;
    }
    case KVM_EXIT_MMIO:
        if (emul_scratch_mmio(run))
            return;
        domain_crash(d, "vCPU %u: %s of %u bytes at unbacked address 0x%llx",
                     v->id, run->mmio.is_write ? "write" : "read", run->mmio.len,
                     (unsigned long long)run->mmio.phys_addr);
        return;
    case KVM_EXIT_SYSTEM_EVENT:
        if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
            domain_shutdown(d, SHUTDOWN_poweroff);
        else if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
            domain_shutdown(d, SHUTDOWN_reboot);
        else
            domain_crash(d, "vCPU %u: system event %u", v->id, run->system_event.type);
        return;
    case KVM_EXIT_INTERNAL_ERROR:
        domain_crash(d, "vCPU %u: KVM internal error, suberror %u", v->id,
                     run->internal.suberror);
        return;
    case KVM_EXIT_FAIL_ENTRY:
        domain_crash(d, "vCPU %u: KVM could not enter the guest (reason 0x%llx)",
                     v->id,
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return;
    default:
        domain_crash(d, "vCPU %u: exit %s (%u) pvhv cannot handle", v->id,
                     kvm_exit_name(run->exit_reason), run->exit_reason);
        return;
    }
}

static void *vcpu_main(void *arg)
{
    struct vcpu *v = arg;
    sigset_t set;
    char name[16];

    snprintf(name, sizeof(name), "d%uv%u", v->dom->domid, v->id);
    pthread_setname_np(pthread_self(), name);
    sigemptyset(&set);
    sigaddset(&set, VCPU_KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);

    for (;;) {
        /* Clear before checking state: a kick after the check still
         * stops the KVM_RUN below. */
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        if (!wait_runnable(v))
            break;
        if (__atomic_exchange_n(&v->kvm_resync, false, __ATOMIC_SEQ_CST)) {
            timer_resync(v);
            runstate_resync(v);
        }
        if (kvm_host.has_sync_regs)
            v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            domain_crash(v->dom, "vCPU %u: KVM_RUN failed: %s", v->id, strerror(errno));
            continue;
        }
        v->nr_exits++;
        handle_exit(v);
    }
    return NULL;
}

int vcpu_start_thread(struct vcpu *v)
{
    int r = platform_vcpu_init(v);

    if (r < 0)
        return r;
    r = pthread_create(&v->thread, NULL, vcpu_main, v);
    if (r)
        return -r;
    v->thread_started = true;
    return 0;
}
