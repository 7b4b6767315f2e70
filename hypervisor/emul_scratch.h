/* emul_scratch.h: the pvbench scratch register, pvhv's one emulated
 * device (pvhv_platform.h says what the guest sees). */
#ifndef PVHV_EMUL_SCRATCH_H
#define PVHV_EMUL_SCRATCH_H

#include <stdbool.h>
#include <linux/kvm.h>

/*
 * Call from the vCPU thread on a KVM_EXIT_IO (emul_scratch_pio) or
 * KVM_EXIT_MMIO (emul_scratch_mmio) exit, before any other handling.
 * Returns true when the access was the scratch register's and has been
 * served (an `in` or MMIO read has its data in `run`), false when it
 * belongs to someone else and `run` is untouched. The register is per
 * vCPU: it lives in the calling thread.
 */
bool emul_scratch_pio(struct kvm_run *run);
bool emul_scratch_mmio(struct kvm_run *run);

#endif /* PVHV_EMUL_SCRATCH_H */
