/* kvm.h: the KVM engine: thin, checked wrappers over /dev/kvm ioctls. */
#ifndef PVHV_KVM_H
#define PVHV_KVM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

/* Facts about the host's KVM, read once by kvm_init(). */
struct kvm_host {
    int fd;              /* /dev/kvm */
    int run_size;        /* bytes of each vCPU's kvm_run mapping */
    int has_sync_regs;   /* KVM_CAP_SYNC_REGS covers regs and sregs */
    int has_user_msr;    /* KVM_CAP_X86_USER_SPACE_MSR */
    int xen_hvm_flags;   /* KVM_CAP_XEN_HVM (0 when absent) */
    int use_xen;         /* pvhv uses KVM's Xen support (kvm_xen_choose) */
    int amd;             /* the CPU is AMD's: vmmcall, else vmcall */
    struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
};

extern struct kvm_host kvm_host;

/*
 * Open /dev/kvm and read its capabilities. Call once before any other
 * kvm_* function. Returns 0, or a negative Linux errno (-ENOENT when there
 * is no /dev/kvm, -EACCES without permission).
 */
int kvm_init(void);

/*
 * Decide whether to use KVM's Xen support (KVM_CAP_XEN_HVM with the
 * hypercall intercept): used where the host kernel offers it, unless
 * PV_KVM_XEN=0; PV_KVM_XEN=1 makes its absence an error (-ENODEV). With
 * it, guests' vmcall/vmmcall reach pvhv as KVM_EXIT_XEN, the hypercall page
 * uses them, and KVM keeps the pvclock and raises the callback vector
 * (kvm_xen.c). Call after kvm_init(). Returns 0 or -ENODEV.
 */
int kvm_xen_choose(void);

/* Create a VM with an in-kernel irqchip. Returns its fd or -errno. */
int kvm_vm_create(void);

/* Map `size` bytes at host `hva` as guest-physical `gpa` in `slot`. */
int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
                    void *hva);

/*
 * Create vCPU `id` of `vm_fd` and map its kvm_run page. On success returns
 * the vCPU fd and sets *run; returns -errno on failure (nothing left open).
 */
int kvm_vcpu_create(int vm_fd, int id, struct kvm_run **run);

/* Give vCPU `id` the host's supported CPUID with its APIC id filled in.
 * Must precede long-mode register state (6.12 KVM refuses it otherwise). */
int kvm_vcpu_set_cpuid(int vcpu_fd, int id);

int kvm_set_msr(int vcpu_fd, uint32_t index, uint64_t value);
int kvm_get_msr(int vcpu_fd, uint32_t index, uint64_t *value);

/* Read an MSR of a fresh throw-away VM's vCPU (used to identify PVM). */
int kvm_probe_msr(uint32_t index, uint64_t *value);

/* Name of a KVM_EXIT_* reason for messages. */
const char *kvm_exit_name(uint32_t reason);

#endif
