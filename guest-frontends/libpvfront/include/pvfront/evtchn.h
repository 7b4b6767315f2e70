/* evtchn.h: event channels (Xen's 2-level ABI): binding ports, the upcall, handlers, waiting. */
#ifndef PVFRONT_EVTCHN_H
#define PVFRONT_EVTCHN_H

#include <stdint.h>
#include <pvhv/event_channel.h>

/*
 * How events reach the kernel. libpvfront masks every port once, then
 * sets up each CPU that uses event channels:
 *   1. software-enables the CPU's local APIC (x2APIC, else xAPIC);
 *   2. asks for upcalls on PVFRONT_EVTCHN_VECTOR for that vCPU
 *      (HVMOP_set_evtchn_upcall_vector), or, if the hypervisor refuses,
 *      domain-wide through HVM_PARAM_CALLBACK_IRQ (vector type); with
 *      `pvfront.upcall=callback` on the command line every CPU takes the
 *      domain-wide one, as Linux does (pvhv then lets KVM run the vCPU
 *      timers where it can: docs/ARCHITECTURE.md);
 *   3. clears the vCPU's evtchn_upcall_mask and handles anything already
 *      pending.
 * The upcall is an ordinary interrupt: it runs only while the CPU has
 * interrupts on (IF=1). libpvfront runs with them off and turns them on
 * only briefly inside pvfront_evtchn_wait, so by default handlers run
 * inside pvfront_evtchn_wait (or pvfront_evtchn_process) and never
 * interrupt other code. A kernel that enables interrupts itself
 * (pvfront_irq_enable) gets handlers at any instruction instead.
 *
 * The upcall handler does the 2-level scan: EOI; clear
 * evtchn_upcall_pending; take evtchn_pending_sel; for each word taken,
 * every port pending, unmasked and bound to this CPU has its pending bit
 * cleared, then its handler called and its "fired" flag set; repeat while
 * evtchn_upcall_pending was set again.
 *
 * Setup happens on first use of any function below on each CPU (or
 * explicitly with pvfront_evtchn_init). CPUs started by pvfront_smp_start
 * after that set themselves up before running their function.
 *
 * Limits: CPUs 32 and up have no vcpu_info in shared_info and get no
 * upcall; pvfront_evtchn_wait there polls instead (it still works).
 * Ports are 1..PVFRONT_EVTCHN_NR_PORTS-1; the hypervisor's own limit may
 * be lower (pvhv: 1023 ports).
 *
 * Errors are negative Xen errnos: the hypercall's own (event_channel.h),
 * -XEN_EINVAL for a port number at or above PVFRONT_EVTCHN_NR_PORTS, and
 * -XEN_ENOSYS from everything if shared_info could not be placed at boot.
 */

/* The interrupt vector of the upcall (the IDT slot libpvfront claims). */
#define PVFRONT_EVTCHN_VECTOR 0xf3
/* Ports of the 2-level ABI (EVTCHN_2L_NR_CHANNELS). */
#define PVFRONT_EVTCHN_NR_PORTS 4096u

/*
 * A port's handler: runs on the CPU the port is bound to, with interrupts
 * off, from the upcall or from pvfront_evtchn_wait/_process; the port's
 * pending bit is already clear, so an event arriving meanwhile calls it
 * again. Keep it short; it may send events, but must not wait.
 */
typedef void (*pvfront_evtchn_fn)(evtchn_port_t port, void *arg);

/*
 * pvfront_evtchn_init: set up event channels (see above) for the calling
 * CPU, and globally on the first call. Idempotent. Returns 0, or
 * -XEN_ENOSYS without shared_info. A CPU whose APIC or upcall vector
 * cannot be set up still succeeds, in polling mode (see
 * pvfront_evtchn_upcall_mode).
 */
int pvfront_evtchn_init(void);

/* Upcall modes of a CPU, from pvfront_evtchn_upcall_mode. */
#define PVFRONT_EVTCHN_UPCALL_OFF 0      /* not set up yet */
#define PVFRONT_EVTCHN_UPCALL_POLL 1     /* no upcall: waits poll */
#define PVFRONT_EVTCHN_UPCALL_VECTOR 2   /* HVMOP_set_evtchn_upcall_vector */
#define PVFRONT_EVTCHN_UPCALL_CALLBACK 3 /* HVM_PARAM_CALLBACK_IRQ vector */
int pvfront_evtchn_upcall_mode(unsigned int cpu);

/*
 * Binding. Each returns 0 and the new local port in *port, unmasked,
 * with no handler (set one with pvfront_evtchn_set_handler; while
 * interrupts are off nothing can run in between). Events that arrive
 * before a handler is set are not lost: they set the port's fired flag.
 *
 * pvfront_evtchn_alloc_unbound: a port that domain `remote_dom` may
 *   connect to (EVTCHNOP_alloc_unbound, in this domain). Bound to CPU 0.
 *   Sends on it are dropped until the remote binds.
 * pvfront_evtchn_bind_interdomain: connect to `remote_port` of
 *   `remote_dom`, which must have offered it to us (alloc_unbound). Bound
 *   to CPU 0. The new port is pending at once (the hypervisor sets it, in
 *   case the remote signalled before): expect one event straight away, or
 *   drop it with pvfront_evtchn_clear if the protocol does not need it.
 * pvfront_evtchn_bind_virq: VIRQ_* `virq` on CPU `cpu` (VIRQ_TIMER: that
 *   vCPU's singleshot/periodic timer). -XEN_EEXIST if already bound there.
 * pvfront_evtchn_bind_ipi: a port whose sends notify CPU `cpu`.
 */
int pvfront_evtchn_alloc_unbound(domid_t remote_dom, evtchn_port_t *port);
int pvfront_evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
                                    evtchn_port_t *port);
int pvfront_evtchn_bind_virq(uint32_t virq, unsigned int cpu, evtchn_port_t *port);
int pvfront_evtchn_bind_ipi(unsigned int cpu, evtchn_port_t *port);

/*
 * pvfront_evtchn_bind_vcpu: make `port` notify CPU `cpu` from now on
 * (unbound, interdomain ports and global VIRQs only). Masks around the
 * change so an event pending meanwhile is signalled on the new CPU.
 */
int pvfront_evtchn_bind_vcpu(evtchn_port_t port, unsigned int cpu);

/*
 * pvfront_evtchn_close: mask and free `port` (EVTCHNOP_close); its
 * handler and fired flag are forgotten. The other end of an interdomain
 * channel becomes unbound.
 */
int pvfront_evtchn_close(evtchn_port_t port);

/* pvfront_evtchn_send: signal the other end of `port` (EVTCHNOP_send). */
int pvfront_evtchn_send(evtchn_port_t port);

/*
 * pvfront_evtchn_mask: set the port's mask bit (events stay pending,
 * silently). pvfront_evtchn_unmask: Xen's unmask sequence: clear the mask
 * bit; if the port is pending, have the hypervisor re-notify
 * (EVTCHNOP_unmask), so an event that arrived while masked is delivered.
 */
int pvfront_evtchn_mask(evtchn_port_t port);
int pvfront_evtchn_unmask(evtchn_port_t port);

/*
 * pvfront_evtchn_set_handler: call fn(port, arg) for each event on
 * `port` (NULL: none). Change a handler only while the port is masked or
 * interrupts are off on the port's CPU, so fn and arg are read together.
 */
int pvfront_evtchn_set_handler(evtchn_port_t port, pvfront_evtchn_fn fn, void *arg);

/*
 * pvfront_evtchn_wait: wait until `port` has fired since the last wait on
 * it returned (events coalesce: several events before a wait make one),
 * or timeout_ns passes (0: just check; UINT64_MAX: no timeout). Returns 0
 * (the fired flag is consumed), -XEN_ETIMEDOUT, or an error.
 *
 * How it sleeps: SCHEDOP_poll on the port (the vCPU sleeps in the
 * hypervisor until the port is pending or the deadline), then a short
 * interrupt window (sti; nop; cli) in which the upcall runs and calls the
 * handler. It returns with interrupts off, as libpvfront runs. The port
 * should be bound to the calling CPU; otherwise (or if it is masked, or
 * this CPU has no upcall) the wait takes the pending bit itself and calls
 * the handler here (a wait on another CPU's port sleeps in 1 ms slices,
 * since that CPU's upcall may take the event first). Without SCHEDOP_poll
 * it falls back to set_timer_op + SCHEDOP_block, which replaces the CPU's
 * singleshot timer.
 */
int pvfront_evtchn_wait(evtchn_port_t port, uint64_t timeout_ns);

/* pvfront_evtchn_clear: drop any event on `port` so far (pending bit and fired flag). */
int pvfront_evtchn_clear(evtchn_port_t port);

/*
 * pvfront_evtchn_process: handle this CPU's pending events now, without
 * an interrupt (for kernels that keep interrupts off). Returns the number
 * of handled events.
 */
unsigned int pvfront_evtchn_process(void);

/* Counters since boot, all CPUs. */
struct pvfront_evtchn_stats {
    uint64_t upcalls; /* upcall interrupts taken */
    uint64_t events;  /* port events handled inside an upcall */
    /*
     * Port events handled outside one: by pvfront_evtchn_process, or by a
     * wait on a masked port, another CPU's port, or a CPU without upcall.
     */
    uint64_t polled;
    /*
     * Waits that saw their CPU's upcall overdue (the port pending and
     * unmasked for 50 ms with no interrupt) and scanned by themselves.
     * Nonzero means the hypervisor failed to inject an upcall, or the host
     * stalled the sender for that long between setting the pending bit and
     * injecting.
     */
    uint64_t stuck;
};
void pvfront_evtchn_stats(struct pvfront_evtchn_stats *out);

#endif /* PVFRONT_EVTCHN_H */
