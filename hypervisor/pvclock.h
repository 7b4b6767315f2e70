/* pvclock.h: guest time: vcpu_time_info records and the wallclock in
 * shared_info, kept true for every vCPU. */
#ifndef PVHV_PVCLOCK_H
#define PVHV_PVCLOCK_H

#include <stdint.h>

#include <pvhv/xen.h>

#include "domain.h"

/* Work out the domain's TSC rate and scale. Call once vCPU 0 exists. */
void pvclock_init(struct domain *d);

/* System time: ns since the domain was created (the pvclock clock; KVM's
 * clock where KVM keeps the guest's pvclock, which may drift from it). */
uint64_t pvclock_system_time(const struct domain *d);

/* Monotonic host ns at which system time `t` falls (for timers): never
 * before the guest's own clock reads `t`. */
uint64_t pvclock_to_host_ns(const struct domain *d, uint64_t t);

/* The vcpu_info of `v`, or NULL while it has none (no shared_info yet and
 * none registered). */
struct vcpu_info *pvclock_vcpu_info(struct domain *d, struct vcpu *v);

/* Rewrite v's vcpu_time_info (version odd during the write). */
void pvclock_update_vcpu(struct domain *d, struct vcpu *v);

/* Rewrite every vCPU's time record and the shared_info wallclock. */
void pvclock_update_all(struct domain *d);

/* Compute Xen's (mul, shift) for converting ticks of `tsc_hz` to ns. */
void pvclock_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift);

#endif
