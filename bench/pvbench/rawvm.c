/* rawvm.c: pvbench's built-in minimal KVM monitor. It measures what the
 * platform itself costs, with no pvhv code on any path: an exit to user
 * space handled by a loop of a dozen lines, an MMIO exit, an in-kernel
 * ioeventfd kick, cpuid, an MSR exit and a kick round trip (ioeventfd ->
 * a thread -> MSI -> the guest's interrupt handler). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "rawvm.h"

extern const uint8_t pvbench_rawguest_start[], pvbench_rawguest_end[],
    pvbench_rawguest_irq[];

#define PVM_ID_MSR 0x4b564d11U
#define PVM_ID     0x4d5650ULL /* "PVM" */
#define WATCHDOG_S 10

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
    (void)sig; /* KVM_RUN returns EINTR: the run loop checks `alarmed` */
    alarmed = 1;
}

static int fail(struct rawvm *r, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    va_start(ap, fmt);
    vsnprintf(r->err, sizeof(r->err), fmt, ap);
    va_end(ap);
    if (saved) {
        size_t n = strlen(r->err);
        snprintf(r->err + n, sizeof(r->err) - n, ": %s", strerror(saved));
    }
    return -1;
}

/* The vCPU's insn_emulation counter in KVM's binary stats (as pvhv reads
 * it to tell native from emulated vCPUs). */
static void open_stats(struct rawvm *r)
{
    struct kvm_stats_header h;
    int fd = ioctl(r->vcpu, KVM_GET_STATS_FD, NULL);

    r->stats_fd = -1;
    if (fd < 0)
        return;
    if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
        close(fd);
        return;
    }
    size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
    char *d = calloc(h.num_desc, dsz);
    if (d && pread(fd, d, dsz * h.num_desc, h.desc_offset) == (ssize_t)(dsz * h.num_desc)) {
        for (uint32_t i = 0; i < h.num_desc; i++) {
            struct kvm_stats_desc *e = (void *)(d + i * dsz);
            if (strnlen(e->name, h.name_size) < h.name_size &&
                !strcmp(e->name, "insn_emulation")) {
                r->insn_off = h.data_offset + e->offset;
                r->stats_fd = fd;
                break;
            }
        }
    }
    free(d);
    if (r->stats_fd < 0)
        close(fd);
}

static uint64_t insn_emulated(struct rawvm *r)
{
    uint64_t n;

    if (r->stats_fd < 0 || pread(r->stats_fd, &n, 8, (off_t)r->insn_off) != 8)
        return UINT64_MAX;
    return n;
}

static int one_msr(int fd, unsigned long req, uint32_t index, uint64_t *value)
{
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e;
    } m;

    memset(&m, 0, sizeof(m));
    m.h.nmsrs = 1;
    m.e.index = index;
    m.e.data = *value;
    int n = ioctl(fd, req, &m);
    *value = m.e.data;
    return n == 1 ? 0 : -1;
}

/* The kick round trip's other half: each kick on RAW_PORT_RT becomes an
 * MSI to the vCPU (what a device model's I/O thread does). */
static void *rt_thread(void *arg)
{
    struct rawvm *r = arg;
    struct kvm_msi msi = { .address_lo = 0xfee00000, .data = RAW_IRQ_VECTOR };
    uint64_t v;

    for (;;) {
        ssize_t n = read(r->efd_rt, &v, sizeof(v));
        if (__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
            break;
        if (n != (ssize_t)sizeof(v)) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        ioctl(r->vm, KVM_SIGNAL_MSI, &msi);
    }
    return NULL;
}

static void build_memory(struct rawvm *r)
{
    uint8_t *m = r->mem;
    uint64_t *pml4 = (uint64_t *)(m + RAW_PML4_GPA), *pdpt = (uint64_t *)(m + RAW_PDPT_GPA);
    uint64_t *pd = (uint64_t *)(m + RAW_PD_GPA), *gdt = (uint64_t *)(m + RAW_GDT_GPA);
    const uint64_t P = 1, RW = 2, US = 4, PWT = 8, PCD = 0x10, PS = 0x80;

    pml4[0] = RAW_PDPT_GPA | P | RW | US;
    pdpt[0] = RAW_PD_GPA | P | RW | US;
    for (uint64_t i = 0; i < 512; i++)
        pd[i] = (i << 21) | P | RW | US | PS;
    pd[RAW_MMIO_GPA >> 21] |= PCD | PWT;

    gdt[0] = 0;
    gdt[RAW_SEL_KCODE >> 3] = 0x00af9a000000ffffULL; /* 64-bit code, DPL0 */
    gdt[RAW_SEL_KDATA >> 3] = 0x00cf92000000ffffULL;
    gdt[RAW_SEL_UCODE >> 3] = 0x00affa000000ffffULL; /* 64-bit code, DPL3 */
    gdt[RAW_SEL_UDATA >> 3] = 0x00cff2000000ffffULL;

    /* One interrupt gate: the round trip's vector, on the code selector the
     * guest runs on (DPL3 on PVM, so the handler runs natively). */
    uint64_t handler = RAW_CODE_GPA + (uint64_t)(pvbench_rawguest_irq - pvbench_rawguest_start);
    uint16_t sel = r->pvm ? RAW_SEL_UCODE : RAW_SEL_KCODE;
    uint64_t *gate = (uint64_t *)(m + RAW_IDT_GPA + RAW_IRQ_VECTOR * 16);
    gate[0] = (handler & 0xffff) | ((uint64_t)sel << 16) | (0xEEULL << 40) |
              ((handler >> 16 & 0xffff) << 48);
    gate[1] = handler >> 32;

    memcpy(m + RAW_CODE_GPA, pvbench_rawguest_start,
           (size_t)(pvbench_rawguest_end - pvbench_rawguest_start));
}

static int setup_vcpu(struct rawvm *r)
{
    struct kvm_sregs s;
    struct kvm_regs regs;
    struct kvm_lapic_state lapic;
    int n = 256;

    /* CPUID before any register state (KVM refuses long mode otherwise). */
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (size_t)n * sizeof(c->entries[0]));
    if (!c)
        return fail(r, "out of memory");
    c->nent = (uint32_t)n;
    if (ioctl(r->kvm, KVM_GET_SUPPORTED_CPUID, c) < 0 || ioctl(r->vcpu, KVM_SET_CPUID2, c) < 0) {
        free(c);
        return fail(r, "KVM_SET_CPUID2");
    }
    free(c);

    if (ioctl(r->vcpu, KVM_GET_SREGS, &s) < 0)
        return fail(r, "KVM_GET_SREGS");
    struct kvm_segment code = {
        .limit = 0xffffffff, .selector = RAW_SEL_KCODE, .type = 0xb,
        .present = 1, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = {
        .limit = 0xffffffff, .selector = RAW_SEL_KDATA, .type = 0x3,
        .present = 1, .s = 1, .db = 1, .g = 1,
    };
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = (struct kvm_segment){ .limit = 0x67, .type = 11, .present = 1 };
    s.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
    s.gdt.base = RAW_GDT_GPA;
    s.gdt.limit = 5 * 8 - 1;
    s.idt.base = RAW_IDT_GPA;
    s.idt.limit = 256 * 16 - 1;
    s.cr0 = 0x80050033; /* PG AM WP NE ET MP PE */
    s.cr3 = RAW_PML4_GPA;
    s.cr4 = 0x620;      /* OSXMMEXCPT OSFXSR PAE */
    s.efer = 0x500;     /* LMA LME */
    if (ioctl(r->vcpu, KVM_SET_SREGS, &s) < 0)
        return fail(r, "KVM_SET_SREGS (long mode)");

    memset(&regs, 0, sizeof(regs));
    regs.rip = RAW_CODE_GPA;
    regs.rsp = RAW_STACK_TOP;
    regs.rflags = 2;
    regs.rbx = r->pvm;
    if (ioctl(r->vcpu, KVM_SET_REGS, &regs) < 0)
        return fail(r, "KVM_SET_REGS");

    /* Software-enable the local APIC (spurious vector 0xff), so the round
     * trip's MSI is accepted. */
    if (ioctl(r->vcpu, KVM_GET_LAPIC, &lapic) < 0)
        return fail(r, "KVM_GET_LAPIC");
    uint32_t svr = 0x1ff;
    memcpy(&lapic.regs[0xf0], &svr, sizeof(svr));
    if (ioctl(r->vcpu, KVM_SET_LAPIC, &lapic) < 0)
        return fail(r, "KVM_SET_LAPIC");
    return 0;
}

static int add_ioeventfd(struct rawvm *r, uint16_t port, int *efd)
{
    *efd = eventfd(0, EFD_CLOEXEC);
    if (*efd < 0)
        return fail(r, "eventfd");
    struct kvm_ioeventfd io = {
        .addr = port, .len = 4, .fd = *efd, .flags = KVM_IOEVENTFD_FLAG_PIO,
    };
    if (ioctl(r->vm, KVM_IOEVENTFD, &io) < 0)
        return fail(r, "KVM_IOEVENTFD on port 0x%x", port);
    return 0;
}

/* Run until the guest asks for its next command. */
static int run_to_done(struct rawvm *r)
{
    struct kvm_run *run = r->run;

    alarmed = 0;
    alarm(WATCHDOG_S);
    for (;;) {
        if (ioctl(r->vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR && !alarmed)
                continue;
            alarm(0);
            if (alarmed) {
                errno = 0;
                return fail(r, "the raw guest made no progress for %d s", WATCHDOG_S);
            }
            return fail(r, "KVM_RUN");
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.port == RAW_PORT_DONE) {
                alarm(0);
                return 0;
            }
            if (run->io.port == RAW_PORT_EXIT)
                continue; /* the figure: nothing to do */
            break;
        case KVM_EXIT_MMIO:
            if (run->mmio.phys_addr == RAW_MMIO_GPA)
                continue;
            break;
        case KVM_EXIT_X86_WRMSR:
            run->msr.error = 0; /* taken, as pvhv takes its MSR */
            continue;
        case KVM_EXIT_X86_RDMSR:
            run->msr.error = 1;
            continue;
        }
        alarm(0);
        errno = 0;
        struct kvm_regs regs;
        ioctl(r->vcpu, KVM_GET_REGS, &regs);
        if (run->exit_reason == KVM_EXIT_SHUTDOWN)
            return fail(r, "the raw guest triple-faulted at rip 0x%llx: it took an exception "
                           "it has no handler for (e.g. #GP from an MSR KVM keeps for itself)",
                        (unsigned long long)regs.rip);
        return fail(r, "the raw guest made an unexpected exit %u at rip 0x%llx (port 0x%x)",
                    run->exit_reason, (unsigned long long)regs.rip,
                    run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
    }
}

int rawvm_open(struct rawvm *r)
{
    struct sigaction sa;
    uint64_t id = 0;

    memset(r, 0, sizeof(*r));
    r->kvm = r->vm = r->vcpu = r->efd_kick = r->efd_rt = r->stats_fd = -1;
    r->mem = MAP_FAILED;
    r->run = MAP_FAILED;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART: KVM_RUN must see EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);

    if ((r->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
        return fail(r, "/dev/kvm");
    if ((r->vm = ioctl(r->kvm, KVM_CREATE_VM, 0)) < 0)
        return fail(r, "KVM_CREATE_VM");
    if (ioctl(r->vm, KVM_CREATE_IRQCHIP, 0) < 0)
        return fail(r, "KVM_CREATE_IRQCHIP");
    /* Unknown MSRs exit to the monitor, as pvhv asks for its VMs. */
    struct kvm_enable_cap cap = {
        .cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { KVM_MSR_EXIT_REASON_UNKNOWN },
    };
    if (ioctl(r->vm, KVM_ENABLE_CAP, &cap) < 0)
        return fail(r, "KVM_CAP_X86_USER_SPACE_MSR");
    r->mem = mmap(NULL, RAW_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
    if (r->mem == MAP_FAILED)
        return fail(r, "mmap of guest memory");
    struct kvm_userspace_memory_region mr = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = RAW_MEM_SIZE,
        .userspace_addr = (uintptr_t)r->mem,
    };
    if (ioctl(r->vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
        return fail(r, "KVM_SET_USER_MEMORY_REGION");
    if ((r->vcpu = ioctl(r->vm, KVM_CREATE_VCPU, 0)) < 0)
        return fail(r, "KVM_CREATE_VCPU");
    int sz = ioctl(r->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz <= 0)
        return fail(r, "KVM_GET_VCPU_MMAP_SIZE");
    r->run_size = (size_t)sz;
    r->run = mmap(NULL, r->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vcpu, 0);
    if (r->run == MAP_FAILED)
        return fail(r, "mmap of kvm_run");
    int khz = ioctl(r->vcpu, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0)
        return fail(r, "KVM_GET_TSC_KHZ");
    r->tsc_khz = (uint32_t)khz;
    r->pvm = one_msr(r->vcpu, KVM_GET_MSRS, PVM_ID_MSR, &id) == 0 && id == PVM_ID;
    open_stats(r);

    build_memory(r);
    if (setup_vcpu(r) < 0 || add_ioeventfd(r, RAW_PORT_KICK, &r->efd_kick) < 0 ||
        add_ioeventfd(r, RAW_PORT_RT, &r->efd_rt) < 0)
        return -1;

    /* The thread never takes the watchdog's SIGALRM: it is blocked there. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int e = pthread_create(&r->thread, NULL, rt_thread, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        errno = e;
        return fail(r, "pthread_create");
    }
    r->thread_started = true;
    if (run_to_done(r) < 0)
        return -1;
    return 0;
}

int rawvm_run(struct rawvm *r, int op, uint64_t count, uint64_t *emulated)
{
    if (count > RAW_MAX_SAMPLES) {
        errno = 0;
        return fail(r, "too many operations (%llu)", (unsigned long long)count);
    }
    uint32_t op32 = (uint32_t)op;
    memcpy(r->mem + RAW_MBOX_GPA + RAW_MBOX_OP, &op32, sizeof(op32));
    memcpy(r->mem + RAW_MBOX_GPA + RAW_MBOX_COUNT, &count, sizeof(count));
    uint64_t before = insn_emulated(r);
    int rc = run_to_done(r);
    uint64_t after = insn_emulated(r);
    *emulated = before == UINT64_MAX || after == UINT64_MAX ? UINT64_MAX : after - before;
    return rc;
}

const uint32_t *rawvm_samples(const struct rawvm *r)
{
    return (const uint32_t *)(r->mem + RAW_SAMPLES_GPA);
}

void rawvm_close(struct rawvm *r)
{
    if (r->thread_started) {
        __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
        uint64_t one = 1;
        if (write(r->efd_rt, &one, sizeof(one)) != (ssize_t)sizeof(one))
            pthread_cancel(r->thread);
        pthread_join(r->thread, NULL);
        r->thread_started = false;
    }
    if (r->run != MAP_FAILED)
        munmap(r->run, r->run_size);
    if (r->mem != MAP_FAILED)
        munmap(r->mem, RAW_MEM_SIZE);
    int *fds[] = { &r->stats_fd, &r->efd_kick, &r->efd_rt, &r->vcpu, &r->vm, &r->kvm };
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    r->run = MAP_FAILED;
    r->mem = MAP_FAILED;
}
