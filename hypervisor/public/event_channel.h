/* SPDX-License-Identifier: MIT */
/*
 * event_channel.h: event channels, the interrupt lines of the ABI:
 * event_channel_op(cmd, arg) and the 2-level delivery through shared_info.
 *
 * pvhv implements the 2-level ABI: every EVTCHNOP_* below except
 * EVTCHNOP_bind_pirq (no physical IRQs reach a pvhv guest) and the FIFO
 * ABI ops EVTCHNOP_init_control, EVTCHNOP_expand_array and
 * EVTCHNOP_set_priority, which answer -ENOSYS. Their layouts are declared
 * so that guest code written for Xen compiles unchanged; a guest whose
 * init_control fails stays on the 2-level ABI (Linux does so by itself).
 *
 * event_channel_op(cmd, arg): `cmd` is an EVTCHNOP_* number, `arg` the
 * guest address of that op's struct. Returns 0 or a negative Xen errno;
 * OUT fields are written only on success. Common errors, as Xen returns
 * them:
 *   -EFAULT  `arg` cannot be read or written.
 *   -ENOSYS  unknown or unimplemented `cmd`.
 *   -EINVAL  a port that is out of range, closed, or in the wrong state
 *            for the op; port 0 is never handed out and always fails so.
 *   -ENOSPC  the domain has no free port below its port limit.
 *   -ESRCH   the named domain does not exist.
 *   -EPERM   the op names a domain other than the caller's own
 *            (DOMID_SELF or its id) and the caller is not dom0.
 *   -ENOENT  the named vCPU does not exist.
 *   -EEXIST  the VIRQ is already bound on that vCPU.
 * (Xen returns -EBUSY only when it allocates a fixed port for itself,
 * never from these ops; pvhv does not return it either.)
 *
 * pvhv notes:
 * 1. Port limit. Each domain has a port limit, fixed when pvhv creates
 *    it and never above EVTCHN_2L_NR_CHANNELS. Ports are handed out
 *    lowest free first, from 1; past the limit allocation fails -ENOSPC.
 * 2. dom0's ends are eventfds. dom0 is pvhv's host side and has no
 *    shared_info page: each dom0 port is an eventfd. An event sent to a
 *    dom0 port adds to its eventfd's counter (which collapses repeated
 *    events as a pending bit does, until dom0 reads it); dom0 writing
 *    the eventfd of its end is its EVTCHNOP_send, and marks the guest's
 *    end pending by the rules below. How dom0 opens its ports is pvhv's
 *    host interface, not part of this header.
 */
#ifndef PVHV_PUBLIC_EVENT_CHANNEL_H
#define PVHV_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

/* ------------------------------------------------------------------------
 * Event channel operations (cmd of event_channel_op). Never reused.
 * ------------------------------------------------------------------------ */
#define EVTCHNOP_bind_interdomain  0 /* [pvhv] connect to a remote port */
#define EVTCHNOP_bind_virq         1 /* [pvhv] port for a VIRQ_* */
#define EVTCHNOP_bind_pirq         2 /* layout only: -ENOSYS */
#define EVTCHNOP_close             3 /* [pvhv] free a port */
#define EVTCHNOP_send              4 /* [pvhv] signal the other end */
#define EVTCHNOP_status            5 /* [pvhv] describe a port */
#define EVTCHNOP_alloc_unbound     6 /* [pvhv] port awaiting a remote */
#define EVTCHNOP_bind_ipi          7 /* [pvhv] port for vCPU-to-vCPU IPIs */
#define EVTCHNOP_bind_vcpu         8 /* [pvhv] choose the notified vCPU */
#define EVTCHNOP_unmask            9 /* [pvhv] unmask and re-notify */
#define EVTCHNOP_reset            10 /* [pvhv] close every port */
#define EVTCHNOP_init_control     11 /* FIFO ABI: -ENOSYS */
#define EVTCHNOP_expand_array     12 /* FIFO ABI: -ENOSYS */
#define EVTCHNOP_set_priority     13 /* FIFO ABI: -ENOSYS */
/*
 * The continuation of a preempted EVTCHNOP_reset, with the same struct.
 * Xen declares it for its own use only, but accepts it from guests as a
 * reset. pvhv never preempts a reset and treats 14 as EVTCHNOP_reset.
 */
#define EVTCHNOP_reset_cont       14

/* A port number: an index into the domain's ports. */
typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/* ------------------------------------------------------------------------
 * The 2-level ABI
 *
 * Port p is bit p % 64 of word p / 64 in shared_info.evtchn_pending and
 * shared_info.evtchn_mask (xen.h). Each port notifies one vCPU v (chosen
 * at bind time or by EVTCHNOP_bind_vcpu; vCPU 0 by default).
 *
 * Who writes what:
 *   evtchn_pending[] bit  set by pvhv (below); cleared by the guest as it
 *                         handles the event, and by pvhv when the port
 *                         is closed.
 *   evtchn_mask[] bit     owned by the guest; pvhv only clears it, in
 *                         EVTCHNOP_unmask. Guests mask every port at
 *                         boot, before binding any (Linux does).
 *   v's evtchn_pending_sel  bit w set by pvhv when word w of
 *                         evtchn_pending gains a pending, unmasked port
 *                         notifying v; the guest takes the whole word
 *                         with an atomic exchange against 0.
 *   v's evtchn_upcall_pending  set to 1 by pvhv; cleared (0) by the guest
 *                         before it reads evtchn_pending_sel.
 *   v's evtchn_upcall_mask  written by the guest only (see xen.h). Xen
 *                         reads it for PV vCPUs only; a PVH vCPU's upcall
 *                         is an interrupt vector, held off by RFLAGS.IF.
 *
 * Sending an event to port p (pvhv, all steps atomic, in this order):
 * 1. Set pending bit p. If it was already set, stop: the event merges
 *    with the one still pending.
 * 2. (A vCPU blocked in SCHEDOP_poll on p is woken here, masked or not.)
 *    If mask bit p is set, stop: p stays pending but silent.
 * 3. Set bit p / 64 of v's evtchn_pending_sel. If it was already set,
 *    stop: an upcall on v is outstanding and will find p.
 * 4. Set v's evtchn_upcall_pending. If it was 0, raise the upcall on v:
 *    inject the event-channel vector the guest registered (hvm/params.h,
 *    hvm/hvm_op.h) and wake v if it is blocked.
 *
 * The guest's upcall handler, conventionally: clear evtchn_upcall_pending;
 * exchange evtchn_pending_sel with 0; for each bit w taken, scan word w of
 * evtchn_pending & ~evtchn_mask, clearing each pending bit (atomically)
 * before handling that port; repeat while evtchn_upcall_pending is set
 * again. An event arriving mid-scan re-runs steps 3 and 4, so none is lost.
 *
 * Unmasking port p (EVTCHNOP_unmask), the notification rule:
 * 1. Clear mask bit p. If it was already clear, stop.
 * 2. If pending bit p is clear, stop.
 * 3. and 4. As steps 3 and 4 of sending.
 * So a guest that clears a mask bit itself gets no notification from a
 * later EVTCHNOP_unmask; on PVH it must leave the bit set and let
 * EVTCHNOP_unmask clear it, or check the pending bit itself afterwards.
 * ------------------------------------------------------------------------ */
/*
 * Ports of the 2-level ABI: 64 words of 64 bits (= NR_EVENT_CHANNELS).
 * A size_t, as in Xen, so code comparing it with sizes ports unchanged.
 */
#define EVTCHN_2L_NR_CHANNELS ((size_t)64 * 64)

/* ------------------------------------------------------------------------
 * EVTCHNOP_alloc_unbound: allocate a port in domain `dom` that domain
 * `remote_dom` may later connect to with EVTCHNOP_bind_interdomain.
 *
 * 1. `dom` other than DOMID_SELF (or the caller's own id): dom0 only,
 *    else -EPERM. An unknown `dom` gives -ESRCH.
 * 2. `remote_dom` may be DOMID_SELF, meaning the caller (not `dom`): a
 *    loopback channel when the caller is `dom`.
 * 3. -ENOSPC if `dom` has no free port. Until connected, sends on the
 *    port are dropped silently (EVTCHNOP_send returns 0).
 * ------------------------------------------------------------------------ */
struct evtchn_alloc_unbound {
    domid_t dom;        /* IN: domain to allocate in; DOMID_SELF */
    domid_t remote_dom; /* IN: domain allowed to connect; DOMID_SELF */
    evtchn_port_t port; /* OUT: the new port in `dom` */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;
PVHV_ABI_SIZE(struct evtchn_alloc_unbound, 8);
PVHV_ABI_OFFSET(struct evtchn_alloc_unbound, dom, 0);
PVHV_ABI_OFFSET(struct evtchn_alloc_unbound, remote_dom, 2);
PVHV_ABI_OFFSET(struct evtchn_alloc_unbound, port, 4);

/* ------------------------------------------------------------------------
 * EVTCHNOP_bind_interdomain: connect a fresh local port to
 * (`remote_dom`, `remote_port`), which must be unbound and offered to the
 * caller (EVTCHNOP_alloc_unbound naming the caller as remote_dom).
 *
 * 1. `remote_dom` may be DOMID_SELF (loopback). Unknown: -ESRCH.
 * 2. -EINVAL if `remote_port` is out of range, not unbound, or offered
 *    to another domain. -ENOSPC if the caller has no free port.
 * 3. The new local port is always set pending once bound (by the send
 *    rule above), since the remote side may have sent before the bind.
 *    A guest re-checks its shared state when it sees the event.
 * ------------------------------------------------------------------------ */
struct evtchn_bind_interdomain {
    domid_t remote_dom;        /* IN: the other domain; DOMID_SELF */
    uint16_t pad0;             /* padding */
    evtchn_port_t remote_port; /* IN: its unbound port */
    evtchn_port_t local_port;  /* OUT: the caller's new port */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;
PVHV_ABI_SIZE(struct evtchn_bind_interdomain, 12);
PVHV_ABI_OFFSET(struct evtchn_bind_interdomain, remote_dom, 0);
PVHV_ABI_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);
PVHV_ABI_OFFSET(struct evtchn_bind_interdomain, local_port, 8);

/* ------------------------------------------------------------------------
 * EVTCHNOP_bind_virq: bind a fresh port to VIRQ `virq` on vCPU `vcpu`.
 *
 * 1. `virq` at or above NR_VIRQS: -EINVAL. A global VIRQ (xen.h) must be
 *    bound on vCPU 0 (else -EINVAL) and may move with EVTCHNOP_bind_vcpu;
 *    a per-vCPU VIRQ stays on the vCPU it was bound on.
 * 2. -ENOENT if `vcpu` does not exist; -EEXIST if `virq` already has a
 *    port on that vCPU; -ENOSPC if no port is free.
 * 3. Any valid VIRQ may be bound; pvhv raises VIRQ_TIMER and VIRQ_CONSOLE.
 * ------------------------------------------------------------------------ */
struct evtchn_bind_virq {
    uint32_t virq;      /* IN: VIRQ_* */
    uint32_t vcpu;      /* IN: vCPU to bind on (0 for a global VIRQ) */
    evtchn_port_t port; /* OUT: the new port */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;
PVHV_ABI_SIZE(struct evtchn_bind_virq, 12);
PVHV_ABI_OFFSET(struct evtchn_bind_virq, virq, 0);
PVHV_ABI_OFFSET(struct evtchn_bind_virq, vcpu, 4);
PVHV_ABI_OFFSET(struct evtchn_bind_virq, port, 8);

/* ------------------------------------------------------------------------
 * EVTCHNOP_bind_pirq: bind a port to a physical IRQ. pvhv gives guests no
 * physical IRQs and answers -ENOSYS; the layout is Xen's.
 * ------------------------------------------------------------------------ */
/* bind_pirq flag: the IRQ line may be shared with other domains. */
#define BIND_PIRQ__WILL_SHARE 1

struct evtchn_bind_pirq {
    uint32_t pirq;      /* IN: physical IRQ number */
    uint32_t flags;     /* IN: BIND_PIRQ__* */
    evtchn_port_t port; /* OUT: the new port */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;
PVHV_ABI_SIZE(struct evtchn_bind_pirq, 12);
PVHV_ABI_OFFSET(struct evtchn_bind_pirq, pirq, 0);
PVHV_ABI_OFFSET(struct evtchn_bind_pirq, flags, 4);
PVHV_ABI_OFFSET(struct evtchn_bind_pirq, port, 8);

/* ------------------------------------------------------------------------
 * EVTCHNOP_bind_ipi: allocate a port for IPIs to vCPU `vcpu` (a send on
 * it notifies that vCPU of the same domain).
 *
 * 1. -ENOENT if `vcpu` does not exist; -ENOSPC if no port is free.
 * 2. The port stays bound to `vcpu`: EVTCHNOP_bind_vcpu gives -EINVAL.
 * ------------------------------------------------------------------------ */
struct evtchn_bind_ipi {
    uint32_t vcpu;      /* IN: vCPU to notify */
    evtchn_port_t port; /* OUT: the new port */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;
PVHV_ABI_SIZE(struct evtchn_bind_ipi, 8);
PVHV_ABI_OFFSET(struct evtchn_bind_ipi, vcpu, 0);
PVHV_ABI_OFFSET(struct evtchn_bind_ipi, port, 4);

/* ------------------------------------------------------------------------
 * EVTCHNOP_close: free local port `port`.
 *
 * 1. An interdomain channel's remote end becomes unbound, offered back to
 *    the caller's domain; a VIRQ binding is undone.
 * 2. pvhv clears the port's pending bit and resets its vCPU to 0; the
 *    number may be handed out again.
 * 3. -EINVAL if the port is out of range, already closed, or port 0.
 * ------------------------------------------------------------------------ */
struct evtchn_close {
    evtchn_port_t port; /* IN: local port to free */
};
typedef struct evtchn_close evtchn_close_t;
PVHV_ABI_SIZE(struct evtchn_close, 4);
PVHV_ABI_OFFSET(struct evtchn_close, port, 0);

/* ------------------------------------------------------------------------
 * EVTCHNOP_send: signal the other end of local port `port`.
 *
 * 1. Interdomain: the remote port is set pending (the send rule above,
 *    or its eventfd for a dom0 end). IPI: the port itself is set pending
 *    for its vCPU. Unbound: the event is dropped and 0 returned.
 * 2. -EINVAL for a port out of range, closed, or bound to a VIRQ.
 * ------------------------------------------------------------------------ */
struct evtchn_send {
    evtchn_port_t port; /* IN: local port to signal through */
};
typedef struct evtchn_send evtchn_send_t;
PVHV_ABI_SIZE(struct evtchn_send, 4);
PVHV_ABI_OFFSET(struct evtchn_send, port, 0);

/* ------------------------------------------------------------------------
 * EVTCHNOP_status: describe port `port` of domain `dom`.
 *
 * 1. `dom` may be DOMID_SELF; another domain: dom0 only, else -EPERM.
 *    Unknown `dom`: -ESRCH. Port out of range: -EINVAL.
 * 2. A free port, and port 0, read as EVTCHNSTAT_closed.
 * ------------------------------------------------------------------------ */
#define EVTCHNSTAT_closed      0 /* not in use */
#define EVTCHNSTAT_unbound     1 /* allocated, awaiting bind_interdomain */
#define EVTCHNSTAT_interdomain 2 /* connected to a remote port */
#define EVTCHNSTAT_pirq        3 /* bound to a physical IRQ (never on pvhv) */
#define EVTCHNSTAT_virq        4 /* bound to a VIRQ */
#define EVTCHNSTAT_ipi         5 /* bound for IPIs */

struct evtchn_status {
    domid_t dom;        /* IN: domain owning the port; DOMID_SELF */
    uint16_t pad0;      /* padding */
    evtchn_port_t port; /* IN: the port */
    uint32_t status;    /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;      /* OUT: the vCPU the port notifies */
    union {
        struct {
            domid_t dom;        /* OUT: domain allowed to connect */
        } unbound;              /* EVTCHNSTAT_unbound */
        struct {
            domid_t dom;        /* OUT: remote domain */
            uint16_t pad0;      /* padding */
            evtchn_port_t port; /* OUT: remote port */
        } interdomain;          /* EVTCHNSTAT_interdomain */
        uint32_t pirq;          /* OUT: EVTCHNSTAT_pirq: the IRQ */
        uint32_t virq;          /* OUT: EVTCHNSTAT_virq: the VIRQ_* */
    } u;                        /* selected by `status` */
};
typedef struct evtchn_status evtchn_status_t;
PVHV_ABI_SIZE(struct evtchn_status, 24);
PVHV_ABI_OFFSET(struct evtchn_status, dom, 0);
PVHV_ABI_OFFSET(struct evtchn_status, port, 4);
PVHV_ABI_OFFSET(struct evtchn_status, status, 8);
PVHV_ABI_OFFSET(struct evtchn_status, vcpu, 12);
PVHV_ABI_OFFSET(struct evtchn_status, u, 16);
PVHV_ABI_OFFSET(struct evtchn_status, u.interdomain.port, 20);

/* ------------------------------------------------------------------------
 * EVTCHNOP_bind_vcpu: make port `port` notify vCPU `vcpu`.
 *
 * 1. Allowed for unbound and interdomain ports and global VIRQs. IPI
 *    ports and per-vCPU VIRQs keep their vCPU: -EINVAL, as for a closed
 *    or out-of-range port. -ENOENT if `vcpu` does not exist.
 * 2. An event already pending is not signalled again on the new vCPU:
 *    mask the port before the call and EVTCHNOP_unmask it after.
 * 3. A port freed and reallocated notifies vCPU 0 again.
 * ------------------------------------------------------------------------ */
struct evtchn_bind_vcpu {
    evtchn_port_t port; /* IN: local port */
    uint32_t vcpu;      /* IN: vCPU to notify from now on */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;
PVHV_ABI_SIZE(struct evtchn_bind_vcpu, 8);
PVHV_ABI_OFFSET(struct evtchn_bind_vcpu, port, 0);
PVHV_ABI_OFFSET(struct evtchn_bind_vcpu, vcpu, 4);

/* ------------------------------------------------------------------------
 * EVTCHNOP_unmask: clear port `port`'s mask bit and notify its vCPU if
 * the port is pending (the unmask rule above). -EINVAL if out of range.
 * ------------------------------------------------------------------------ */
struct evtchn_unmask {
    evtchn_port_t port; /* IN: local port */
};
typedef struct evtchn_unmask evtchn_unmask_t;
PVHV_ABI_SIZE(struct evtchn_unmask, 4);
PVHV_ABI_OFFSET(struct evtchn_unmask, port, 0);

/* ------------------------------------------------------------------------
 * EVTCHNOP_reset (and EVTCHNOP_reset_cont): close every port of `dom`,
 * as EVTCHNOP_close would.
 *
 * 1. `dom` may be DOMID_SELF. Another domain: dom0 only (else -EPERM),
 *    and that domain must be paused by dom0 (else -EINVAL). Unknown:
 *    -ESRCH.
 * 2. Events bound while the reset runs may be lost; a guest binds none.
 * ------------------------------------------------------------------------ */
struct evtchn_reset {
    domid_t dom; /* IN: domain to reset; DOMID_SELF */
};
typedef struct evtchn_reset evtchn_reset_t;
PVHV_ABI_SIZE(struct evtchn_reset, 2);
PVHV_ABI_OFFSET(struct evtchn_reset, dom, 0);

/* ------------------------------------------------------------------------
 * FIFO ABI ops. pvhv answers -ENOSYS to all three (Xen also answers
 * -ENOSYS to EVTCHNOP_set_priority on a 2-level domain). Layouts only.
 *
 * EVTCHNOP_init_control: switch to the FIFO ABI, placing vCPU `vcpu`'s
 * control block at `offset` in guest frame `control_gfn`.
 * ------------------------------------------------------------------------ */
struct evtchn_init_control {
    uint64_t control_gfn; /* IN: frame holding the control block */
    uint32_t offset;      /* IN: byte offset of the block in it */
    uint32_t vcpu;        /* IN: vCPU the block belongs to */
    uint8_t link_bits;    /* OUT: bits in an event word's link field */
    uint8_t _pad[7];      /* padding */
};
typedef struct evtchn_init_control evtchn_init_control_t;
PVHV_ABI_SIZE(struct evtchn_init_control, 24);
PVHV_ABI_OFFSET(struct evtchn_init_control, offset, 8);
PVHV_ABI_OFFSET(struct evtchn_init_control, vcpu, 12);
PVHV_ABI_OFFSET(struct evtchn_init_control, link_bits, 16);

/* EVTCHNOP_expand_array: add frame `array_gfn` to the event array. */
struct evtchn_expand_array {
    uint64_t array_gfn; /* IN: frame to add */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;
PVHV_ABI_SIZE(struct evtchn_expand_array, 8);
PVHV_ABI_OFFSET(struct evtchn_expand_array, array_gfn, 0);

/* EVTCHNOP_set_priority: set port `port`'s FIFO queue priority. */
struct evtchn_set_priority {
    evtchn_port_t port; /* IN: local port */
    uint32_t priority;  /* IN: EVTCHN_FIFO_PRIORITY_MAX..._MIN */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;
PVHV_ABI_SIZE(struct evtchn_set_priority, 8);
PVHV_ABI_OFFSET(struct evtchn_set_priority, port, 0);
PVHV_ABI_OFFSET(struct evtchn_set_priority, priority, 4);

/* ------------------------------------------------------------------------
 * struct evtchn_op: the argument of the retired hypercall
 * event_channel_op_compat (16), which pvhv answers -ENOSYS. Declared
 * because Xen's guest code still names it.
 * ------------------------------------------------------------------------ */
struct evtchn_op {
    uint32_t cmd; /* IN: EVTCHNOP_* */
    union {
        evtchn_alloc_unbound_t alloc_unbound;
        evtchn_bind_interdomain_t bind_interdomain;
        evtchn_bind_virq_t bind_virq;
        evtchn_bind_pirq_t bind_pirq;
        evtchn_bind_ipi_t bind_ipi;
        evtchn_close_t close;
        evtchn_send_t send;
        evtchn_status_t status;
        evtchn_bind_vcpu_t bind_vcpu;
        evtchn_unmask_t unmask;
    } u; /* IN/OUT: the struct of `cmd` */
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);
PVHV_ABI_SIZE(struct evtchn_op, 28);
PVHV_ABI_OFFSET(struct evtchn_op, u, 4);

/* ------------------------------------------------------------------------
 * FIFO ABI constants and control block (not implemented by pvhv).
 * ------------------------------------------------------------------------ */
#define EVTCHN_FIFO_PRIORITY_MAX     0  /* highest priority */
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7  /* priority of a new port */
#define EVTCHN_FIFO_PRIORITY_MIN     15 /* lowest priority */
#define EVTCHN_FIFO_MAX_QUEUES       16 /* one queue per priority */

/* One port's word in the FIFO event array. */
typedef uint32_t event_word_t;

/* Bit numbers in an event_word_t. */
#define EVTCHN_FIFO_PENDING 31 /* event pending */
#define EVTCHN_FIFO_MASKED  30 /* event masked */
#define EVTCHN_FIFO_LINKED  29 /* on a queue */
#define EVTCHN_FIFO_BUSY    28 /* being moved between queues */

/* The low bits of an event word link it to the next port on its queue. */
#define EVTCHN_FIFO_LINK_BITS   17
#define EVTCHN_FIFO_LINK_MASK   0x1FFFF /* the low LINK_BITS bits */
#define EVTCHN_FIFO_NR_CHANNELS 0x20000 /* ports of the FIFO ABI: 2^17 */

/* Per-vCPU control block placed by EVTCHNOP_init_control. */
struct evtchn_fifo_control_block {
    uint32_t ready;                        /* bit q: queue q non-empty */
    uint32_t _rsvd;                        /* reserved */
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES]; /* first port of each queue */
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;
PVHV_ABI_SIZE(struct evtchn_fifo_control_block, 72);
PVHV_ABI_OFFSET(struct evtchn_fifo_control_block, head, 8);

#endif /* PVHV_PUBLIC_EVENT_CHANNEL_H */
