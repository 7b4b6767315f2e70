/* kvm_xen.h: the parts of a domain's Xen state that KVM keeps in the
 * kernel when pvhv uses its Xen support (kvm_host.use_xen): the guest's
 * pvclock in shared_info and vcpu_info, the delivery of its callback
 * vector, and the singleshot timer of each vCPU that takes its events
 * through that vector (timer.c says when), and the runstate areas the
 * guest registers (vcpu.c). Everything else (ports, periodic timers,
 * grants) stays pvhv's. */
#ifndef PVHV_KVM_XEN_H
#define PVHV_KVM_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"

/*
 * At domain creation, after the vCPUs exist: tell KVM the guest is 64-bit
 * (the layout of shared_info and vcpu_info it writes) and start KVM's
 * guest clock at pvhv's system time, so that the pvclock KVM publishes
 * and the deadlines pvhv serves agree. Returns 0 or -errno; a no-op
 * without KVM's Xen support.
 */
int kvm_xen_domain_init(struct domain *d);


/*
 * The guest placed shared_info at `gpa` (XENMAPSPACE_shared_info): tell
 * KVM, and point every vCPU without a vcpu_info of its own at its slot in
 * it. Returns 0 or -errno; a no-op without KVM's Xen support.
 */
int kvm_xen_set_shared_info(struct domain *d, uint64_t gpa);

/* vCPU `v` registered its vcpu_info at `gpa` (VCPUOP_register_vcpu_info).
 * Returns 0 or -errno; a no-op without KVM's Xen support. */
int kvm_xen_set_vcpu_info(struct domain *d, struct vcpu *v, uint64_t gpa);

/*
 * The guest chose HVM_PARAM_CALLBACK_IRQ's vector `vec` (0: none). KVM
 * then raises it whenever a vCPU's evtchn_upcall_pending is set, as Xen
 * does: injected directly, not through the local APIC, so the guest sends
 * no EOI (Linux sends none). Returns 0 or -errno.
 */
int kvm_xen_set_callback_vector(struct domain *d, uint8_t vec);

/*
 * Raise `port` (bound to vCPU `vcpu`) the 2-level way inside KVM: pending
 * bit, mask check, selector, upcall, kick. Returns 0 when KVM took it
 * (raised, already pending, or masked), -errno when pvhv must do it.
 */
int kvm_xen_send(struct domain *d, uint32_t vcpu, uint32_t port);

/*
 * KVM's Xen timer of vCPU `v`: with `port` non-zero KVM runs v's
 * singleshot timer itself (set_timer_op and VCPUOP_set/stop_singleshot_timer
 * from the guest kernel never leave the kernel) and raises `port` when it
 * fires; `deadline` (system time, 0: none) arms it now. Port 0 stops it
 * and gives the hypercalls back to pvhv. Call on v's own thread, outside
 * KVM_RUN. Returns 0 or -errno.
 */
int kvm_xen_timer_set(struct vcpu *v, uint32_t port, uint64_t deadline);

/* The deadline KVM's timer of v is armed for (0: none or already fired),
 * in *deadline; it keeps running. Returns 0 or -errno. */
int kvm_xen_timer_get(struct vcpu *v, uint64_t *deadline);

/* KVM keeps v's runstate area at `gpa` (0: stop; pvhv keeps it again).
 * Call on v's own thread, outside KVM_RUN. Returns 0 or -errno. */
int kvm_xen_runstate_area(struct vcpu *v, uint64_t gpa);

/* v's thread entered RUNSTATE_* `state` outside the guest (blocked in a
 * SCHEDOP pvhv serves, offline while parked, running again): KVM counts
 * only what it sees. Own thread, outside KVM_RUN. 0 or -errno. */
int kvm_xen_runstate_current(struct vcpu *v, int32_t state);

/* KVM's count of v's runstate (RUNSTATE_DATA): state, entry time and the
 * time in each state, up to the last change. Own thread. 0 or -errno. */
struct vcpu_runstate_info;
int kvm_xen_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out);

#endif /* PVHV_KVM_XEN_H */
