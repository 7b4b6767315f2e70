/* kvm.c: the KVM engine: thin, checked wrappers over /dev/kvm ioctls. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvhv/pvhv_hypercall.h>

#include "kvm.h"

struct kvm_host kvm_host = { .fd = -1 };

#define MAX_CPUID_ENTRIES 256

int kvm_init(void)
{
    struct kvm_cpuid2 *cpuid;
    int fd, n;

    if (kvm_host.fd >= 0)
        return 0;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        close(fd);
        return -EINVAL;
    }
    n = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (n <= 0) {
        close(fd);
        return -EINVAL;
    }
    cpuid = calloc(1, sizeof(*cpuid) +
                          MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    if (!cpuid) {
        close(fd);
        return -ENOMEM;
    }
    cpuid->nent = MAX_CPUID_ENTRIES;
    if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
        int err = -errno;
        free(cpuid);
        close(fd);
        return err;
    }
    kvm_host.fd = fd;
    kvm_host.run_size = n;
    kvm_host.cpuid = cpuid;
    n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    kvm_host.has_sync_regs =
        n > 0 && (n & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
                     (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
    kvm_host.has_user_msr =
        ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) > 0;
    n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM);
    kvm_host.xen_hvm_flags = n > 0 ? n : 0;
    for (uint32_t i = 0; i < cpuid->nent; i++)
        if (cpuid->entries[i].function == 0)
            kvm_host.amd = cpuid->entries[i].ebx == 0x68747541U; /* "Auth" */
    return 0;
}

int kvm_xen_choose(void)
{
    const char *want = getenv("PV_KVM_XEN");
    bool have = kvm_host.xen_hvm_flags & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL;

    /* Used where the host kernel offers it, unless PV_KVM_XEN=0; asking
     * for it (PV_KVM_XEN=1) where it is missing is an error. */
    if (want && !strcmp(want, "0")) {
        kvm_host.use_xen = 0;
        return 0;
    }
    if (!have) {
        kvm_host.use_xen = 0;
        return want && !strcmp(want, "1") ? -ENODEV : 0;
    }
    kvm_host.use_xen = 1;
    return 0;
}

int kvm_vm_create(void)
{
    int vm = ioctl(kvm_host.fd, KVM_CREATE_VM, 0);

    if (vm < 0)
        return -errno;
    if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
        int err = -errno;
        close(vm);
        return err;
    }
    /* The PC's timer chip, in the kernel as the interrupt controllers
     * are: Linux calibrates its TSC with it and checks that IRQ 0 reaches
     * the I/O APIC (without it a stock kernel panics, "IO-APIC + timer
     * doesn't work"). pvhv's own guests never program it. */
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0) {
        int err = -errno;
        close(vm);
        return err;
    }
    if (kvm_host.use_xen) {
        /* Only the intercept: every Xen hypercall comes to pvhv, which
         * serves it exactly as one that came by port I/O. KVM enables the
         * intercept only with a hypercall-page MSR named (its Xen support
         * is keyed on it): a guest writing that MSR gets KVM's own page of
         * vmcall/vmmcall stubs, the same layout as pvhv's. */
        struct kvm_xen_hvm_config xc = { .flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL,
                                         .msr = PVHV_XEN_HYPERCALL_MSR };
        if (ioctl(vm, KVM_XEN_HVM_CONFIG, &xc) < 0) {
            int err = -errno;
            close(vm);
            return err;
        }
    }
    if (kvm_host.has_user_msr) {
        /* Unknown MSRs (Xen's hypercall-page MSR) come to pvhv instead of
         * raising #GP in the guest. */
        struct kvm_enable_cap cap = {
            .cap = KVM_CAP_X86_USER_SPACE_MSR,
            .args = { KVM_MSR_EXIT_REASON_UNKNOWN },
        };
        if (ioctl(vm, KVM_ENABLE_CAP, &cap) < 0) {
            int err = -errno;
            close(vm);
            return err;
        }
    }
    return vm;
}

int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
                    void *hva)
{
    struct kvm_userspace_memory_region r = {
        .slot = slot,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)hva,
    };

    return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

int kvm_vcpu_create(int vm_fd, int id, struct kvm_run **run)
{
    int fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);
    void *p;

    if (fd < 0)
        return -errno;
    p = mmap(NULL, (size_t)kvm_host.run_size, PROT_READ | PROT_WRITE,
             MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int err = -errno;
        close(fd);
        return err;
    }
    *run = p;
    return fd;
}

/*
 * Xen's CPUID leaves, where KVM's own (KVMKVMKVM) would be: a guest that
 * can see CPUID (VT-x/SVM; PVM only while emulated) finds the hypervisor,
 * its version and the hypercall-page MSR as on Xen.
 */
#define XEN_CPUID_BASE 0x40000000U
#define XEN_CPUID_LEAVES 5

static void xen_leaves(struct kvm_cpuid_entry2 *e, uint32_t id)
{
    static const char sig[12] = "XenVMMXenVMM";

    memset(e, 0, XEN_CPUID_LEAVES * sizeof(*e));
    for (uint32_t i = 0; i < XEN_CPUID_LEAVES; i++)
        e[i].function = XEN_CPUID_BASE + i;
    e[0].eax = XEN_CPUID_BASE + XEN_CPUID_LEAVES - 1; /* highest leaf */
    memcpy(&e[0].ebx, sig, 4);
    memcpy(&e[0].ecx, sig + 4, 4);
    memcpy(&e[0].edx, sig + 8, 4);
    e[1].eax = (4U << 16) | 17U;          /* the Xen 4.17 interface */
    e[2].eax = 1;                         /* one hypercall page */
    e[2].ebx = PVHV_XEN_HYPERCALL_MSR;    /* its MSR */
    e[4].eax = 1U << 3;                   /* leaf 4: vcpu id in ebx */
    e[4].ebx = id;
    e[4].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
}

int kvm_vcpu_set_cpuid(int vcpu_fd, int id)
{
    const struct kvm_cpuid2 *host = kvm_host.cpuid;
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (host->nent + XEN_CPUID_LEAVES) *
                                                     sizeof(host->entries[0]));
    uint32_t n = 0;
    int r;

    if (!c)
        return -ENOMEM;
    for (uint32_t i = 0; i < host->nent; i++) {
        struct kvm_cpuid_entry2 e = host->entries[i];
        /* KVM's paravirt leaves give way to Xen's. */
        if (e.function >= XEN_CPUID_BASE && e.function < XEN_CPUID_BASE + 0x100)
            continue;
        if (e.function == 1) {
            e.ebx = (e.ebx & 0x00ffffffU) | ((uint32_t)id << 24);
            e.ecx |= 1U << 31; /* "running under a hypervisor" */
        }
        if (e.function == 0xb || e.function == 0x1f)
            e.edx = (uint32_t)id;
        c->entries[n++] = e;
    }
    xen_leaves(&c->entries[n], (uint32_t)id);
    n += XEN_CPUID_LEAVES;
    c->nent = n;
    r = ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
    free(c);
    return r;
}

struct one_msr {
    struct kvm_msrs hdr;
    struct kvm_msr_entry entry;
};

int kvm_set_msr(int vcpu_fd, uint32_t index, uint64_t value)
{
    struct one_msr m;

    memset(&m, 0, sizeof(m));
    m.hdr.nmsrs = 1;
    m.entry.index = index;
    m.entry.data = value;
    /* KVM_SET_MSRS returns how many MSRs it set. */
    int r = ioctl(vcpu_fd, KVM_SET_MSRS, &m);
    return r == 1 ? 0 : r < 0 ? -errno : -EINVAL;
}

int kvm_get_msr(int vcpu_fd, uint32_t index, uint64_t *value)
{
    struct one_msr m;

    memset(&m, 0, sizeof(m));
    m.hdr.nmsrs = 1;
    m.entry.index = index;
    int r = ioctl(vcpu_fd, KVM_GET_MSRS, &m);
    if (r != 1)
        return r < 0 ? -errno : -EINVAL;
    *value = m.entry.data;
    return 0;
}

int kvm_probe_msr(uint32_t index, uint64_t *value)
{
    struct kvm_run *run;
    int vm, vcpu, r;

    vm = ioctl(kvm_host.fd, KVM_CREATE_VM, 0);
    if (vm < 0)
        return -errno;
    vcpu = kvm_vcpu_create(vm, 0, &run);
    if (vcpu < 0) {
        close(vm);
        return vcpu;
    }
    r = kvm_get_msr(vcpu, index, value);
    munmap(run, (size_t)kvm_host.run_size);
    close(vcpu);
    close(vm);
    return r;
}

const char *kvm_exit_name(uint32_t reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "UNKNOWN",
        [KVM_EXIT_EXCEPTION] = "EXCEPTION",
        [KVM_EXIT_IO] = "IO",
        [KVM_EXIT_HYPERCALL] = "HYPERCALL",
        [KVM_EXIT_DEBUG] = "DEBUG",
        [KVM_EXIT_HLT] = "HLT",
        [KVM_EXIT_MMIO] = "MMIO",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
        [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
        [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
        [KVM_EXIT_INTR] = "INTR",
        [KVM_EXIT_SET_TPR] = "SET_TPR",
        [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
        [KVM_EXIT_NMI] = "NMI",
        [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
        [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
        [KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
        [KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
        [KVM_EXIT_XEN] = "XEN",
    };

    if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
        return names[reason];
    return "unknown exit";
}
