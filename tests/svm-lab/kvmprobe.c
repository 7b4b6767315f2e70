/* kvmprobe.c: what the lab's /dev/kvm offers and what an exit costs there.
 *
 * Prints one "kvmprobe:" line per fact: KVM's Xen support
 * (KVM_CAP_XEN_HVM flags), then the cost of a guest `out` that exits to
 * user space (the raw exit every pvhv hypercall pays) and of one that ends
 * in the kernel at an ioeventfd (the event-kick path), and, for scale, of
 * two host system calls (under TCG the host side is emulated too). Costs
 * are medians of a few runs: figures to set beside pvhv's own, on the same
 * platform, never pass/fail.
 *
 * On PVM this real-mode guest runs in KVM's instruction emulator (it never
 * switches to native mode), so there the figures are not PVM's native exit
 * costs; ../shared/DESIGN.md has those.
 *
 *   kvmprobe [n]        (default 2000)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RUNS      5
#define MEM_SIZE  0x10000
#define CODE_GPA  0x1000
#define PORT_USER 0x10 /* nothing registered: exits to us */
#define PORT_KICK 0x20 /* an ioeventfd: ends in the kernel */

static int kvm;

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void fail(const char *what)
{
    printf("kvmprobe: FAILED %s: %s\n", what, strerror(errno));
    exit(1);
}

struct vm {
    int fd, vcpu;
    struct kvm_run *run;
};

/* A real-mode guest: `out %al, $port` n times, then hlt. */
static void vm_create(struct vm *v, uint8_t port, uint32_t n)
{
    static const uint8_t loop[] = {
        0x66, 0xb9, 0, 0, 0, 0, /* mov $n, %ecx */
        0xe6, 0,                /* 1: out %al, $port */
        0x66, 0x49,             /* dec %ecx */
        0x75, 0xfa,             /* jnz 1b */
        0xf4,                   /* hlt */
    };
    uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct kvm_sregs s;

    if (mem == MAP_FAILED)
        fail("mmap");
    memcpy(mem + CODE_GPA, loop, sizeof(loop));
    memcpy(mem + CODE_GPA + 2, &n, 4);
    mem[CODE_GPA + 7] = port;
    if ((v->fd = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
        fail("KVM_CREATE_VM");
    struct kvm_userspace_memory_region r = {
        .memory_size = MEM_SIZE, .userspace_addr = (uintptr_t)mem,
    };
    if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        fail("KVM_SET_USER_MEMORY_REGION");
    if ((v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0)) < 0)
        fail("KVM_CREATE_VCPU");
    int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    v->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (sz <= 0 || v->run == MAP_FAILED)
        fail("mmap kvm_run");
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        fail("KVM_GET_SREGS");
    s.cs.base = 0;
    s.cs.selector = 0;
    if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
        fail("KVM_SET_SREGS");
    struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
    if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
        fail("KVM_SET_REGS");
}

/* Run to hlt; returns microseconds per `out`. */
static double vm_time(struct vm *v, uint8_t port, uint32_t n)
{
    uint32_t outs = 0;
    double t0 = now_us();

    for (;;) {
        if (ioctl(v->vcpu, KVM_RUN, 0) < 0)
            fail("KVM_RUN");
        if (v->run->exit_reason == KVM_EXIT_HLT)
            break;
        if (v->run->exit_reason != KVM_EXIT_IO || v->run->io.port != port) {
            errno = EPROTO;
            printf("kvmprobe: unexpected exit %u\n", v->run->exit_reason);
            fail("KVM_RUN");
        }
        outs++;
    }
    double t = now_us() - t0;
    if (port == PORT_USER && outs != n) {
        errno = EPROTO;
        fail("exit count");
    }
    return t / n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_cost(uint8_t port, uint32_t n)
{
    double t[RUNS];

    for (int i = 0; i < RUNS; i++) {
        struct vm v;
        vm_create(&v, port, n);
        if (port == PORT_KICK) {
            struct kvm_ioeventfd io = {
                .addr = PORT_KICK, .len = 1, .fd = eventfd(0, EFD_CLOEXEC),
                .flags = KVM_IOEVENTFD_FLAG_PIO,
            };
            if (io.fd < 0 || ioctl(v.fd, KVM_IOEVENTFD, &io) < 0)
                fail("KVM_IOEVENTFD");
        }
        t[i] = vm_time(&v, port, n);
        close(v.vcpu);
        close(v.fd);
    }
    qsort(t, RUNS, sizeof(t[0]), cmp);
    return t[RUNS / 2];
}

/* Microseconds per host system call: getppid, and an eventfd write (what
 * a dom0 backend's kick costs before any VM is involved). */
static void host_costs(uint32_t n, double *getppid_us, double *eventfd_us)
{
    double a[RUNS], b[RUNS];
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    uint64_t one = 1, sink;

    if (efd < 0)
        fail("eventfd");
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_us();
        for (uint32_t i = 0; i < n; i++)
            syscall(SYS_getppid);
        double t1 = now_us();
        for (uint32_t i = 0; i < n; i++)
            if (write(efd, &one, sizeof(one)) != sizeof(one))
                fail("eventfd write");
        double t2 = now_us();
        if (read(efd, &sink, sizeof(sink)) < 0)
            fail("eventfd read");
        a[r] = (t1 - t0) / n;
        b[r] = (t2 - t1) / n;
    }
    close(efd);
    qsort(a, RUNS, sizeof(a[0]), cmp);
    qsort(b, RUNS, sizeof(b[0]), cmp);
    *getppid_us = a[RUNS / 2];
    *eventfd_us = b[RUNS / 2];
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 2000;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (n == 0)
        n = 1;
    if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
        fail("open /dev/kvm");
    int xen = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM);
    printf("kvmprobe: KVM_CAP_XEN_HVM = %#x\n", xen > 0 ? xen : 0);
    double user = median_cost(PORT_USER, n);
    double kick = median_cost(PORT_KICK, n);
    printf("kvmprobe: out to user space %.2f us, out to an ioeventfd %.2f us "
           "(median of %d runs of %u)\n", user, kick, RUNS, n);
    double gp, ev;
    host_costs(n * 10, &gp, &ev);
    printf("kvmprobe: host getppid %.2f us, eventfd write %.2f us\n", gp, ev);
    return 0;
}
