/* hypercall.c: hypercall dispatch, the hypercall page, and checked guest
 * copies for handlers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <pvhv/errno.h>
#include <pvhv/pvhv_hypercall.h>
#include <pvhv/pvhv_platform.h>
#include <pvhv/xen.h>

#include "hypercall.h"
#include "kvm.h"
#include "log.h"

struct hc_slot {
    hypercall_fn fn;
    const char *name;
};

static struct hc_slot table[PVHV_HYPERCALL_NR_SLOTS];

void hypercall_register(unsigned nr, const char *name, hypercall_fn fn)
{
    if (nr >= PVHV_HYPERCALL_NR_SLOTS) {
        fprintf(stderr, "pvhv: hypercall %s: number %u out of range\n", name, nr);
        abort();
    }
    if (table[nr].fn) {
        fprintf(stderr, "pvhv: hypercall %u claimed by both %s and %s\n", nr,
                table[nr].name, name);
        abort();
    }
    table[nr] = (struct hc_slot){ fn, name };
}

const char *hypercall_name(unsigned nr)
{
    return nr < PVHV_HYPERCALL_NR_SLOTS ? table[nr].name : NULL;
}

int64_t hypercall_call(struct hc_ctx *c, uint64_t nr, const uint64_t a[5])
{
    if (nr >= PVHV_HYPERCALL_NR_SLOTS || !table[nr].fn)
        return -XEN_ENOSYS;
    return table[nr].fn(c, a);
}

/* The register view of the current exit (sync regs, else ioctls). */
static bool exit_regs(struct vcpu *v, struct vcpu_exit *e, struct kvm_regs *rb,
                      struct kvm_sregs *sb)
{
    if (kvm_host.has_sync_regs) {
        e->regs = &v->run->s.regs.regs;
        e->sregs = &v->run->s.regs.sregs;
        return true;
    }
    if (ioctl(v->fd, KVM_GET_REGS, rb) < 0 || ioctl(v->fd, KVM_GET_SREGS, sb) < 0)
        return false;
    e->regs = rb;
    e->sregs = sb;
    return true;
}

void hypercall_from_xen_exit(struct vcpu *v)
{
    struct kvm_regs regs_buf;
    struct kvm_sregs sregs_buf;
    struct vcpu_exit e = { 0 };
    struct hc_ctx c = { .dom = v->dom, .v = v, .exit = &e };
    struct kvm_run *run = v->run;

    if (run->xen.type != KVM_EXIT_XEN_HCALL || !run->xen.u.hcall.longmode) {
        /* pvhv guests are 64-bit; a 32-bit caller gets no service. */
        run->xen.u.hcall.result = (uint64_t)-XEN_ENOSYS;
        return;
    }
    if (!exit_regs(v, &e, &regs_buf, &sregs_buf)) {
        domain_crash(v->dom, "vCPU %u: cannot read registers", v->id);
        return;
    }
    vcpu_paging(&e, &c.pg);
    v->nr_hypercalls++;
    /* rdi, rsi, rdx, r10, r8: the same five as the port-I/O path. */
    const uint64_t args[5] = { run->xen.u.hcall.params[0], run->xen.u.hcall.params[1],
                               run->xen.u.hcall.params[2], run->xen.u.hcall.params[3],
                               run->xen.u.hcall.params[4] };
    run->xen.u.hcall.result = (uint64_t)hypercall_call(&c, run->xen.u.hcall.input, args);
    if (log_threshold >= LOG_DEBUG)
        log_debug("d%u v%u: xen hypercall %lu(%#lx, %#lx, %#lx) = %ld", v->dom->domid, v->id,
                  (unsigned long)run->xen.u.hcall.input, (unsigned long)args[0],
                  (unsigned long)args[1], (unsigned long)args[2],
                  (long)run->xen.u.hcall.result);
}

void hypercall_from_exit(struct vcpu *v)
{
    struct kvm_regs regs_buf;
    struct kvm_sregs sregs_buf;
    struct vcpu_exit e = { 0 };
    struct hc_ctx c = { .dom = v->dom, .v = v, .exit = &e };
    struct kvm_run *run = v->run;

    if (!exit_regs(v, &e, &regs_buf, &sregs_buf)) {
        domain_crash(v->dom, "vCPU %u: cannot read registers", v->id);
        return;
    }
    vcpu_paging(&e, &c.pg);
    const uint64_t args[5] = { e.regs->rdi, e.regs->rsi, e.regs->rdx,
                               e.regs->r10, e.regs->r8 };
    uint64_t nr = e.regs->rax;
    v->nr_hypercalls++;
    e.regs->rax = (uint64_t)hypercall_call(&c, nr, args);
    if (log_threshold >= LOG_DEBUG)
        log_debug("d%u v%u: hypercall %lu(%#lx, %#lx, %#lx) = %ld", v->dom->domid, v->id,
                  (unsigned long)nr, (unsigned long)args[0], (unsigned long)args[1],
                  (unsigned long)args[2], (long)e.regs->rax);
    if (kvm_host.has_sync_regs)
        run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    else if (ioctl(v->fd, KVM_SET_REGS, e.regs) < 0)
        domain_crash(v->dom, "vCPU %u: cannot write registers", v->id);
}

/* The ordinary stub: mov $nr, %eax; out %eax, $port; ret (8 bytes), or
 * with KVM's Xen support: mov $nr, %eax; vmmcall (AMD) or vmcall; ret.
 * sched_op keeps the port: KVM's intercept answers SCHEDOP_poll and
 * SCHEDOP_yield itself (as a yield returning 0) unless its in-kernel event
 * channels are on, and pvhv's poll must block and check its arguments. */
static unsigned put_stub(uint8_t *s, unsigned nr)
{
    s[0] = 0xb8;
    memcpy(s + 1, &(uint32_t){ nr }, 4);
    if (kvm_host.use_xen && nr != __HYPERVISOR_sched_op) {
        s[5] = 0x0f;
        s[6] = 0x01;
        s[7] = kvm_host.amd ? 0xd9 : 0xc1;
        s[8] = 0xc3;
        return 9;
    }
    s[5] = 0xe7;
    s[6] = PVHV_HYPERCALL_PORT;
    s[7] = 0xc3;
    return 8;
}

/* event_channel_op: EVTCHNOP_send goes through the doorbell, where an
 * ioeventfd may take it without an exit (pvhv_hypercall.h). */
static void put_evtchn_stub(uint8_t *s)
{
    static const uint8_t fast[] = {
        0x83, 0xff, 0x04,       /* cmp $EVTCHNOP_send, %edi */
        0x75, 0x00,             /* jne slow (offset set below) */
        0x8b, 0x06,             /* mov (%rsi), %eax */
        0x31, 0xff,             /* xor %edi, %edi */
        0xe7, PVHV_EVTCHN_DOORBELL_PORT, /* out %eax, $doorbell */
        0x48, 0x63, 0xc7,       /* movslq %edi, %rax */
        0xc3,                   /* ret */
    };
    _Static_assert(sizeof(fast) + 9 <= PVHV_HYPERCALL_SLOT_SIZE, "slot overflow");
    memcpy(s, fast, sizeof(fast));
    s[4] = (uint8_t)(sizeof(fast) - 5); /* from the end of the jne */
    put_stub(s + sizeof(fast), __HYPERVISOR_event_channel_op);
}

void hypercall_page_fill(uint8_t *page)
{
    memset(page, 0xcc, 4096); /* int3 between stubs */
    for (unsigned nr = 0; nr < PVHV_HYPERCALL_NR_SLOTS; nr++) {
        uint8_t *s = page + nr * PVHV_HYPERCALL_SLOT_SIZE;
        if (nr == __HYPERVISOR_event_channel_op)
            put_evtchn_stub(s);
        else
            put_stub(s, nr);
    }
}

int hypercall_page_install(struct domain *d, uint64_t gpa)
{
    uint8_t *page;

    if (gpa & 0xfff)
        return -XEN_EINVAL;
    if (gpa != PVHV_HYPERCALL_PAGE_GPA && !guest_mem_is_ram(&d->mem, gpa >> 12))
        return -XEN_EINVAL;
    page = guest_mem_ptr(&d->mem, gpa, 4096);
    if (!page)
        return -XEN_EINVAL;
    hypercall_page_fill(page);
    return 0;
}

int hc_copy_from(struct hc_ctx *c, void *dst, uint64_t gva, size_t len)
{
    return guest_copy_from(&c->dom->mem, &c->pg, dst, gva, len) < 0 ? -XEN_EFAULT : 0;
}

int hc_copy_to(struct hc_ctx *c, uint64_t gva, const void *src, size_t len)
{
    return guest_copy_to(&c->dom->mem, &c->pg, gva, src, len) < 0 ? -XEN_EFAULT : 0;
}
