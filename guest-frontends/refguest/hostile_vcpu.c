/* hostile_vcpu.c: vcpu_op with bad vCPU ids, bad start states, bad pointers and sub-ops. */
#include <pvhv/hvm/hvm_vcpu.h>
#include <pvhv/vcpu.h>

#include "hostile.h"

/*
 * Expected (vcpu.h, hvm/hvm_vcpu.h; Xen's do_vcpu_op, which since 4.10
 * answers -ENOENT for a missing vCPU through domain_vcpu()):
 *   VCPUOP_is_up(0)                                     1 (the probe)
 *   is_up/up/down/initialise on vcpu nr_cpus, 64, 4096, 0xffffffff
 *                                                       -ENOENT (rule 1)
 *   unknown sub-op 0x7777, 14, send_nmi, get_physid     -ENOSYS
 *   initialise(0) with a valid state                    -EEXIST (rule 1)
 *   on a vCPU that exists but is down (2+ vCPUs only):
 *     initialise with a bad pointer                     -EFAULT
 *     initialise mode 7                                 -EINVAL
 *     initialise 64B with cr0 = 0 (no PE/PG)            -EINVAL
 *     initialise 64B with rflags bit 1 clear            -EINVAL
 *     initialise 64B with cr3 far outside RAM           -EINVAL
 *     up, never initialised                             -EINVAL
 *   get_runstate_info(0), every bad pointer             -EFAULT
 *   register_runstate_memory_area, every bad pointer    -EFAULT
 *   register_vcpu_info offset 4095                      -EINVAL (rule 2)
 *   register_vcpu_info mfn outside RAM                  -EINVAL (rule 1)
 *   set_periodic_timer period 1000 ns                   -EINVAL
 *   set_periodic_timer, every bad pointer               -EFAULT
 *   set_singleshot_timer on another vCPU                -EINVAL
 *   set_singleshot_timer past deadline, flag future     -ETIME
 *   stop_singleshot_timer(self)                         0
 */
static void valid_64b(vcpu_hvm_context_t *c)
{
    *c = (vcpu_hvm_context_t){
        .mode = VCPU_HVM_MODE_64B,
        .cpu_regs.x86_64 = {
            .rip = 0x100000,
            .rsp = 0x200000,
            .rflags = 2,
            .cr0 = 0x80010033,
            .cr3 = 0x1000,
            .cr4 = 0x620,
            .efer = 0x500,
        },
    };
}

static void missing_vcpus(struct hostile *h)
{
    const uint32_t ids[] = { h->bi->nr_cpus, 64, 4096, 0xffffffffU };
    vcpu_hvm_context_t ctx;

    valid_64b(&ctx);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_is_up, ids[i], NULL), -XEN_ENOENT,
                "vcpu_op is_up vcpu=%u", ids[i]);
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_up, ids[i], NULL), -XEN_ENOENT,
                "vcpu_op up vcpu=%u", ids[i]);
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_down, ids[i], NULL), -XEN_ENOENT,
                "vcpu_op down vcpu=%u", ids[i]);
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_initialise, ids[i], &ctx), -XEN_ENOENT,
                "vcpu_op initialise vcpu=%u", ids[i]);
    }
}

/*
 * Cases on a vCPU that exists and was never started: each must leave it
 * so. If an initialise wrongly succeeds, the vCPU now holds a start
 * state, so the `up` case is skipped rather than run it.
 */
static void down_vcpu(struct hostile *h, unsigned int v)
{
    vcpu_hvm_context_t ctx;
    int accepted = 0;
    long rc;

    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, v, (void *)bad_ptrs[i].addr);
        accepted |= rc == 0;
        expectf(h, rc, -XEN_EFAULT, "vcpu_op initialise vcpu=%u ctx=%s", v, bad_ptrs[i].name);
    }
    for (int c = 0; c < 4; c++) {
        static const char *const what[] = { "mode=7", "64B cr0=0", "64B rflags=0",
                                             "64B cr3 outside RAM" };
        valid_64b(&ctx);
        if (c == 0) ctx.mode = 7;
        if (c == 1) ctx.cpu_regs.x86_64.cr0 = 0;
        if (c == 2) ctx.cpu_regs.x86_64.rflags = 0;
        if (c == 3) ctx.cpu_regs.x86_64.cr3 = 0xfffff000000ULL;
        rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, v, &ctx);
        accepted |= rc == 0;
        expectf(h, rc, -XEN_EINVAL, "vcpu_op initialise vcpu=%u %s", v, what[c]);
    }
    if (accepted)
        skip(h, "vcpu_op up never-initialised vCPU", "an initialise above wrongly succeeded");
    else
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_up, v, NULL), -XEN_EINVAL,
                "vcpu_op up vcpu=%u never initialised", v);
    expectf(h, HYPERVISOR_vcpu_op(VCPUOP_is_up, v, NULL), 0, "vcpu_op is_up vcpu=%u (down)", v);
}

void hostile_vcpu(struct hostile *h)
{
    vcpu_hvm_context_t ctx;

    if (!available(h, "vcpu_op", HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL)))
        return;
    expect(h, "vcpu_op is_up vcpu=0", HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    missing_vcpus(h);

    static const int unknown[] = { 0x7777, 14, VCPUOP_send_nmi, VCPUOP_get_physid };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        expectf(h, HYPERVISOR_vcpu_op(unknown[i], 0, NULL), -XEN_ENOSYS,
                "vcpu_op sub-op %d", unknown[i]);

    valid_64b(&ctx);
    expect(h, "vcpu_op initialise vcpu=0 (already up)",
           HYPERVISOR_vcpu_op(VCPUOP_initialise, 0, &ctx), -XEN_EEXIST);
    if (h->bi->nr_cpus > 1)
        down_vcpu(h, h->bi->nr_cpus - 1);
    else
        skip(h, "vcpu_op cases on a down vCPU", "only one vCPU");

    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        void *p = (void *)bad_ptrs[i].addr;
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, p), -XEN_EFAULT,
                "vcpu_op get_runstate_info arg=%s", bad_ptrs[i].name);
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, p),
                -XEN_EFAULT, "vcpu_op register_runstate_memory_area arg=%s", bad_ptrs[i].name);
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, p), -XEN_EFAULT,
                "vcpu_op set_periodic_timer arg=%s", bad_ptrs[i].name);
        expectf(h, HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, p), -XEN_EFAULT,
                "vcpu_op register_vcpu_info arg=%s", bad_ptrs[i].name);
    }

    struct vcpu_register_vcpu_info vi = {
        .mfn = (uintptr_t)h->scratch >> XEN_PAGE_SHIFT, .offset = 4095,
    };
    expect(h, "vcpu_op register_vcpu_info offset=4095",
           HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL);
    vi.mfn = 0xfffffffffULL;
    vi.offset = 0;
    expect(h, "vcpu_op register_vcpu_info mfn outside RAM",
           HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL);

    struct vcpu_set_periodic_timer per = { .period_ns = 1000 };
    expect(h, "vcpu_op set_periodic_timer period=1000ns",
           HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), -XEN_EINVAL);

    struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future };
    if (h->bi->nr_cpus > 1)
        expect(h, "vcpu_op set_singleshot_timer on another vCPU",
               HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 1, &ss), -XEN_EINVAL);
    expect(h, "vcpu_op set_singleshot_timer past deadline, future flag",
           HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), -XEN_ETIME);
    expect(h, "vcpu_op stop_singleshot_timer",
           HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
}
