/* timer.h: a vCPU's Xen timers (singleshot and periodic): pvhv's on
 * timerfds, or, for the singleshot timer, KVM's where KVM raises the
 * vCPU's events itself (timer.c). */
#ifndef PVHV_TIMER_H
#define PVHV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"

/* Arm v's singleshot timer at system time `deadline` (0 stops it). A
 * deadline in the past fires at once. While KVM runs the timer, call on
 * v's own thread (the singleshot hypercalls only reach their own vCPU).
 * Returns 0 or a negative Xen errno. */
int timer_set_singleshot(struct vcpu *v, uint64_t deadline);

/* For the event thread, when v's timerfd polls readable: did pvhv's
 * singleshot timer of v fire (its expiry taken, so it fires once)? */
bool timer_expired(struct vcpu *v);

/* Arm v's periodic timer with `period_ns` (0 stops it). */
int timer_set_periodic(struct vcpu *v, uint64_t period_ns);

/*
 * Whether KVM can run the vCPUs' singleshot timers may have changed (the
 * callback vector or shared_info set): have each vCPU's thread look again
 * before it next enters the guest (timer_resync). For one vCPU (its
 * VIRQ_TIMER bound or closed, its own vector set) call
 * vcpu_kvm_resync_request (vcpu.h). Any thread.
 */
void timer_resync_request_all(struct domain *d);

/* On v's thread, outside KVM_RUN: hand v's singleshot timer to KVM (its
 * VIRQ_TIMER port bound, the callback vector in use, shared_info placed)
 * or take it back, the deadline carried across. */
void timer_resync(struct vcpu *v);

/* Around a SCHEDOP_block or _poll pvhv serves on v's thread: KVM's timer
 * cannot wake a thread outside KVM_RUN, so pvhv runs its deadline
 * meanwhile and hands what is left back after. No-ops while pvhv runs
 * the timer anyway. timer_take_from_kvm returns true when KVM's timer is
 * due already (its event raised or about to be): do not sleep then. */
bool timer_take_from_kvm(struct vcpu *v);
void timer_give_to_kvm(struct vcpu *v);

#endif
