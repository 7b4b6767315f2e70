/* hc_timer.c: __HYPERVISOR_set_timer_op: the calling vCPU's singleshot
 * timer at an absolute system time (0 stops it). */
#include <pvhv/xen.h>

#include "hypercall.h"
#include "timer.h"

static int64_t do_set_timer_op(struct hc_ctx *c, const uint64_t a[5])
{
    return timer_set_singleshot(c->v, a[0]);
}
HYPERCALL(__HYPERVISOR_set_timer_op, do_set_timer_op)
