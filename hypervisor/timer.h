/* timer.h: a vCPU's Xen timers (singleshot and periodic) on timerfds. */
#ifndef PVHV_TIMER_H
#define PVHV_TIMER_H

#include <stdint.h>

#include "domain.h"

/* Arm v's singleshot timer at system time `deadline` (0 stops it). A
 * deadline in the past fires at once. Returns 0 or a negative Xen errno. */
int timer_set_singleshot(struct vcpu *v, uint64_t deadline);

/* Arm v's periodic timer with `period_ns` (0 stops it). */
int timer_set_periodic(struct vcpu *v, uint64_t period_ns);

#endif
