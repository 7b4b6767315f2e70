/* vcpu.h: the thread that runs one vCPU and handles its exits. */
#ifndef PVHV_VCPU_H
#define PVHV_VCPU_H

#include <signal.h>

#include <pvhv/vcpu.h>

#include "domain.h"
#include "guest_mem.h"

/* Sent to a vCPU thread to pull it out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

/* Install the (empty) kick signal handler. Call once at start-up. */
void vcpu_signals_init(void);

/* Start v's thread. It parks until the domain runs. Returns 0 or -errno. */
int vcpu_start_thread(struct vcpu *v);

/*
 * Register state of a vCPU that just exited, as the exit handlers see it.
 * Handlers change `regs` and set `regs_dirty` to write them back.
 */
struct vcpu_exit {
    struct kvm_regs *regs;
    struct kvm_sregs *sregs;
    bool regs_dirty;
};

/* The guest's paging state at this exit (for guest_copy_*). */
void vcpu_paging(const struct vcpu_exit *e, struct guest_paging *pg);

/* Account a change of v's runstate (RUNSTATE_*). Call without the lock,
 * on v's own thread while KVM keeps the runstate (runstate_resync). */
void vcpu_runstate_change(struct vcpu *v, int32_t state);

/*
 * v's runstate area is now at guest-virtual `gva` (0: none), translated
 * with `pg`. Where KVM has Xen support and the area is one physical
 * range, KVM keeps it from v's next run on: KVM_XEN_VCPU_ATTR_TYPE_
 * RUNSTATE_ADDR, steal time (runnable) counted by the host scheduler
 * itself; else pvhv writes it at each hypercall and block, as before.
 */
void vcpu_runstate_register(struct vcpu *v, uint64_t gva, const struct guest_paging *pg);

/* On v's thread, outside KVM_RUN: hand KVM the area vcpu_runstate_register
 * chose, or take it back. */
void runstate_resync(struct vcpu *v);

/* What KVM should keep for v (its timer, its runstate area) may have
 * changed: have v's thread bring KVM up to date before it next enters the
 * guest (timer_resync, runstate_resync). No-op without KVM's Xen support
 * or once the domain is dying. Any thread. */
void vcpu_kvm_resync_request(struct vcpu *v);

/* A consistent copy of v's runstate, times brought up to now. */
void vcpu_runstate_snapshot(struct vcpu *v, struct vcpu_runstate_info *out);

/* Write v's runstate to its registered area, if any (errors ignored, as
 * on Xen: the area is the guest's to keep mapped). */
void vcpu_runstate_publish(struct vcpu *v, const struct guest_paging *pg);

/* The 32-bit protected-mode state the PVH entry starts in. */
void vcpu_pvh_entry_state(struct vcpu_boot_state *b, uint64_t entry,
                          uint64_t start_info_gpa);

#endif
