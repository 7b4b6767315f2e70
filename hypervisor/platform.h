/* platform.h: what differs between KVM kinds. PVM (software
 * virtualisation, this project's build machines) and HVM (VT-x/SVM) share
 * every other line of pvhv; the differences live here. */
#ifndef PVHV_PLATFORM_H
#define PVHV_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"

/* PVHV_PLATFORM_PVM or PVHV_PLATFORM_HVM, set by platform_init(). */
extern uint32_t platform_kind;

/* Identify the host's KVM. Call after kvm_init(). Returns 0 or -errno.
 * PV_PLATFORM=hvm|pvm in the environment overrides the probe (tests). */
int platform_init(void);

/* Per-vCPU set-up before its thread starts (opens its KVM stats). */
int platform_vcpu_init(struct vcpu *v);

/*
 * Called about every PLATFORM_TICK_MS for each running domain. On PVM,
 * crashes a domain one of whose vCPUs kept running in KVM's instruction
 * emulator for more than PVHV_EMULATED_BOUND_MS (it would run ~1000x
 * slow). On HVM it does nothing.
 */
#define PLATFORM_TICK_MS 250
void platform_tick(struct domain *d);

/* What KVM says of a vCPU's execution mode (for vcpu info). */
struct platform_vcpu_mode {
    uint64_t insn_emulated;  /* KVM's insn_emulation counter */
    uint32_t mode;           /* PVHV_VCPU_MODE_* (pvhv_control.h) */
};
void platform_vcpu_mode(struct vcpu *v, struct platform_vcpu_mode *m);

#endif
