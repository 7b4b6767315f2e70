/* hc_vcpu_op.c: __HYPERVISOR_vcpu_op: bring vCPUs up and down, place
 * vcpu_info, and the per-vCPU timers. */
#include <string.h>

#include <pvhv/errno.h>
#include <pvhv/hvm/hvm_vcpu.h>
#include <pvhv/vcpu.h>
#include <pvhv/xen.h>

#include "hypercall.h"
#include "kvm_xen.h"
#include "pvclock.h"
#include "timer.h"

/* Flat segments for a vCPU started in 64-bit mode by VCPUOP_initialise. */
static void flat64(struct kvm_sregs *s)
{
    struct kvm_segment code = {
        .limit = 0xffffffff, .selector = 0x08, .type = 0xb, .present = 1,
        .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = {
        .limit = 0xffffffff, .selector = 0x10, .type = 0x3, .present = 1,
        .s = 1, .db = 1, .g = 1,
    };

    s->cs = code;
    s->ds = s->es = s->ss = s->fs = s->gs = data;
    s->tr = (struct kvm_segment){ .limit = 0x67, .type = 11, .present = 1 };
    s->ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
}

/* A segment from the 32-bit context's base, limit and access rights
 * (Xen's 12-bit ar layout: type:4 s:1 dpl:2 p:1 avl:1 l:1 db:1 g:1). */
static struct kvm_segment seg32(uint16_t sel, uint32_t base, uint32_t limit, uint16_t ar)
{
    return (struct kvm_segment){
        .base = base, .limit = limit, .selector = sel,
        .type = ar & 0xf, .s = (ar >> 4) & 1, .dpl = (ar >> 5) & 3,
        .present = (ar >> 7) & 1, .avl = (ar >> 8) & 1, .l = (ar >> 9) & 1,
        .db = (ar >> 10) & 1, .g = (ar >> 11) & 1, .unusable = !((ar >> 7) & 1),
    };
}

static int64_t vcpu_initialise(struct hc_ctx *c, struct vcpu *t, uint64_t arg)
{
    struct vcpu_hvm_context ctx;
    struct vcpu_boot_state b;
    struct domain *d = c->dom;

    if (hc_copy_from(c, &ctx, arg, sizeof(ctx)) < 0)
        return -XEN_EFAULT;
    memset(&b, 0, sizeof(b));
    if (ctx.mode == VCPU_HVM_MODE_64B) {
        const struct vcpu_hvm_x86_64 *r = &ctx.cpu_regs.x86_64;
        /* Long mode needs paging, PAE and LME: anything else would not
         * enter, and pvhv would find out only as a failed KVM_RUN. */
        if ((r->cr0 & 0x80000001U) != 0x80000001U || !(r->cr4 & 0x20) ||
            !(r->efer & 0x100) || !(r->rflags & 2))
            return -XEN_EINVAL;
        /* The page-table root must be the guest's own RAM. */
        if (!guest_mem_is_ram(&d->mem, r->cr3 >> XEN_PAGE_SHIFT))
            return -XEN_EINVAL;
        b.regs = (struct kvm_regs){ .rax = r->rax, .rcx = r->rcx, .rdx = r->rdx,
                                    .rbx = r->rbx, .rsp = r->rsp, .rbp = r->rbp,
                                    .rsi = r->rsi, .rdi = r->rdi, .rip = r->rip,
                                    .rflags = r->rflags };
        flat64(&b.sregs);
        b.sregs.cr0 = r->cr0;
        b.sregs.cr3 = r->cr3;
        b.sregs.cr4 = r->cr4;
        b.sregs.efer = r->efer | 0x400; /* LMA follows LME with paging on */
    } else if (ctx.mode == VCPU_HVM_MODE_32B) {
        const struct vcpu_hvm_x86_32 *r = &ctx.cpu_regs.x86_32;
        if (!(r->cr0 & 1) || !(r->eflags & 2) || !((r->cs_ar >> 7) & 1))
            return -XEN_EINVAL;
        if ((r->cr0 & 0x80000000U) && !guest_mem_is_ram(&d->mem, r->cr3 >> XEN_PAGE_SHIFT))
            return -XEN_EINVAL;
        b.regs = (struct kvm_regs){ .rax = r->eax, .rcx = r->ecx, .rdx = r->edx,
                                    .rbx = r->ebx, .rsp = r->esp, .rbp = r->ebp,
                                    .rsi = r->esi, .rdi = r->edi, .rip = r->eip,
                                    .rflags = r->eflags };
        b.sregs.cs = seg32(0x08, r->cs_base, r->cs_limit, r->cs_ar);
        b.sregs.ds = seg32(0x10, r->ds_base, r->ds_limit, r->ds_ar);
        b.sregs.es = seg32(0x10, r->es_base, r->es_limit, r->es_ar);
        b.sregs.ss = seg32(0x10, r->ss_base, r->ss_limit, r->ss_ar);
        b.sregs.fs = b.sregs.gs = b.sregs.ds;
        b.sregs.tr = seg32(0x18, r->tr_base, r->tr_limit, r->tr_ar ? r->tr_ar : 0x8b);
        b.sregs.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
        b.sregs.cr0 = r->cr0;
        b.sregs.cr3 = r->cr3;
        b.sregs.cr4 = r->cr4;
        b.sregs.efer = r->efer;
    } else {
        return -XEN_EINVAL;
    }
    b.sregs.gdt.limit = 0xffff;
    b.sregs.idt.limit = 0xffff;

    pthread_mutex_lock(&d->lock);
    int64_t r = 0;
    if (t->initialised) {
        r = -XEN_EEXIST;
    } else {
        t->boot = b;
        t->boot_pending = true;
        t->initialised = true;
    }
    pthread_mutex_unlock(&d->lock);
    return r;
}

static int64_t vcpu_up(struct hc_ctx *c, struct vcpu *t)
{
    struct domain *d = c->dom;
    int64_t r = 0;

    pthread_mutex_lock(&d->lock);
    if (!t->initialised) {
        r = -XEN_EINVAL;
    } else if (!t->online) {
        t->online = true;
        pthread_cond_broadcast(&d->cond);
    }
    pthread_mutex_unlock(&d->lock);
    return r;
}

static int64_t vcpu_down(struct hc_ctx *c, struct vcpu *t)
{
    struct domain *d = c->dom;

    pthread_mutex_lock(&d->lock);
    if (t->online) {
        t->online = false;
        vcpu_kick(t); /* it parks at its next exit; the caller at return */
    }
    pthread_mutex_unlock(&d->lock);
    return 0;
}

static int64_t register_vcpu_info(struct hc_ctx *c, struct vcpu *t, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    struct domain *d = c->dom;

    if (hc_copy_from(c, &r, arg, sizeof(r)) < 0)
        return -XEN_EFAULT;
    if (r.rsvd || r.offset > XEN_PAGE_SIZE - sizeof(struct vcpu_info) || (r.offset & 7))
        return -XEN_EINVAL;
    if (!guest_mem_is_ram(&d->mem, r.mfn))
        return -XEN_EINVAL;
    uint64_t gpa = (r.mfn << XEN_PAGE_SHIFT) + r.offset;
    struct vcpu_info *dst = guest_mem_ptr(&d->mem, gpa, sizeof(*dst));
    if (!dst)
        return -XEN_EINVAL;

    pthread_mutex_lock(&d->lock);
    int64_t ret = 0;
    if (t->vcpu_info_gpa) {
        ret = -XEN_EINVAL; /* once only, as on Xen */
    } else {
        struct vcpu_info *old = pvclock_vcpu_info(d, t);
        /* Move the state across, so no pending event is lost. */
        if (old)
            memmove(dst, old, sizeof(*dst));
        else
            memset(dst, 0, sizeof(*dst));
        t->vcpu_info_gpa = gpa;
    }
    pthread_mutex_unlock(&d->lock);
    if (ret == 0 && kvm_xen_set_vcpu_info(d, t, gpa) < 0)
        domain_crash(d, "KVM refused vCPU %u's vcpu_info at 0x%lx", t->id, (unsigned long)gpa);
    if (ret == 0)
        pvclock_update_vcpu(d, t);
    return ret;
}

static int64_t do_vcpu_op(struct hc_ctx *c, const uint64_t a[5])
{
    uint64_t cmd = a[0], id = a[1], arg = a[2];
    struct vcpu *t;

    if (id >= c->dom->nr_vcpus)
        return -XEN_ENOENT;
    t = &c->dom->vcpus[id];

    switch (cmd) {
    case VCPUOP_initialise:
        return vcpu_initialise(c, t, arg);
    case VCPUOP_up:
        return vcpu_up(c, t);
    case VCPUOP_down:
        return vcpu_down(c, t);
    case VCPUOP_is_up: {
        pthread_mutex_lock(&c->dom->lock);
        int up = t->online;
        pthread_mutex_unlock(&c->dom->lock);
        return up;
    }
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(c, t, arg);
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info info;
        vcpu_runstate_snapshot(t, &info);
        return hc_copy_to(c, arg, &info, sizeof(info));
    }
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area r;
        if (hc_copy_from(c, &r, arg, sizeof(r)) < 0)
            return -XEN_EFAULT;
        vcpu_runstate_register(t, r.addr.p, &c->pg);
        /* Fill it now, as Xen does for the calling vCPU (KVM fills it as
         * the vCPU enters the guest again). */
        if (t == c->v)
            vcpu_runstate_publish(t, &c->pg);
        return 0;
    }
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer p;
        if (hc_copy_from(c, &p, arg, sizeof(p)) < 0)
            return -XEN_EFAULT;
        if (p.period_ns < 1000000) /* Xen's floor: 1 ms */
            return -XEN_EINVAL;
        return timer_set_periodic(t, p.period_ns);
    }
    case VCPUOP_stop_periodic_timer:
        return timer_set_periodic(t, 0);
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer s;
        if (t != c->v)
            return -XEN_EINVAL; /* only one's own, as on Xen */
        if (hc_copy_from(c, &s, arg, sizeof(s)) < 0)
            return -XEN_EFAULT;
        if ((s.flags & VCPU_SSHOTTMR_future) &&
            s.timeout_abs_ns < pvclock_system_time(c->dom))
            return -XEN_ETIME;
        return timer_set_singleshot(t, s.timeout_abs_ns);
    }
    case VCPUOP_stop_singleshot_timer:
        if (t != c->v)
            return -XEN_EINVAL;
        return timer_set_singleshot(t, 0);
    default:
        return -XEN_ENOSYS;
    }
}
HYPERCALL(__HYPERVISOR_vcpu_op, do_vcpu_op)
