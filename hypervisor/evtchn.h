/* evtchn.h: event channels, Xen's 2-level ABI: per-domain port tables,
 * dom0's ports (eventfds), delivery into guests, and the event thread. */
#ifndef PVHV_EVTCHN_H
#define PVHV_EVTCHN_H

#include <stdint.h>

#include <pvhv/event_channel.h>

#include "domain.h"

/* Ports a guest may use (1..EVTCHN_GUEST_PORTS-1), as xl's default. */
#define EVTCHN_GUEST_PORTS 1024
/* Ports dom0 may hold, over all its clients. */
#define EVTCHN_DOM0_PORTS 4096

/* One port, of a guest or of dom0. (evtchn_lock) */
struct evtchn {
    uint8_t state;         /* EVTCHNSTAT_* */
    uint32_t vcpu;         /* vCPU it notifies */
    domid_t remote_dom;    /* unbound: who may bind; interdomain: peer */
    evtchn_port_t remote_port; /* interdomain: the peer's port */
    uint32_t virq;         /* virq: which */
};

/*
 * Set up and tear down a domain's ports. destroy closes every port (the
 * peers' ends become unbound, as on Xen) and removes its fast paths.
 */
int evtchn_domain_init(struct domain *d);
void evtchn_domain_destroy(struct domain *d);

/* The guest ops (hc_event_channel.c). Each returns 0 or a negative Xen
 * errno, with the errors event_channel.h lists. */
int evtchn_alloc_unbound(struct domain *d, domid_t remote, evtchn_port_t *port);
int evtchn_bind_interdomain(struct domain *d, domid_t remote, evtchn_port_t rport,
                            evtchn_port_t *port);
int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, evtchn_port_t *port);
int evtchn_close(struct domain *d, evtchn_port_t port);
int evtchn_send(struct domain *d, evtchn_port_t port);
int evtchn_status(struct domain *d, struct evtchn_status *st);
int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, uint32_t vcpu);
int evtchn_unmask(struct domain *d, evtchn_port_t port);
int evtchn_reset(struct domain *d);

/* Is `port` pending in d's shared_info? (SCHEDOP_poll) */
bool evtchn_is_pending(struct domain *d, evtchn_port_t port);

/* The port d bound VIRQ `virq` of vCPU `vcpu` to, 0 if none. */
evtchn_port_t evtchn_virq_port(struct domain *d, uint32_t vcpu, uint32_t virq);

/* Does KVM raise v's upcall (kvm_xen.c)? Yes for Xen's callback vector
 * on a domain using KVM's Xen support; a per-vCPU vector
 * (HVMOP_set_evtchn_upcall_vector) is a local APIC interrupt pvhv sends. */
bool evtchn_kvm_raises(struct domain *d, struct vcpu *v);

/* Raise VIRQ `virq` on vCPU `vcpu` of d if the guest bound it. */
void evtchn_send_virq(struct domain *d, uint32_t vcpu, uint32_t virq);

/*
 * The guest has just chosen its upcall vector: interrupt every vCPU whose
 * vcpu_info already says an upcall is pending. On Xen the callback is a
 * level, seen at each VM entry; pvhv injects an edge, so events that came
 * before the vector (Linux binds its console and xenstore ports first)
 * would otherwise wait for ever.
 */
void evtchn_upcall_reassert(struct domain *d);

/*
 * dom0's side. `owner` names the control connection that holds the port;
 * its ports close when it goes (evtchn_dom0_release). Each bound port has
 * two eventfds handed to the client: *in_fd becomes readable when the
 * guest signals dom0; writing *out_fd signals the guest.
 */
int evtchn_dom0_bind_unbound(int owner, domid_t remote, evtchn_port_t *port,
                             int *in_fd, int *out_fd);
int evtchn_dom0_bind_interdomain(int owner, domid_t remote, evtchn_port_t rport,
                                 evtchn_port_t *port, int *in_fd, int *out_fd);
int evtchn_dom0_close(int owner, evtchn_port_t port);
void evtchn_dom0_release(int owner);

/* Start the event thread (timers, dom0 notifications). Call once. */
int evtchn_thread_start(void);
/* Watch v's timers from the event thread. */
int evtchn_watch_vcpu(struct vcpu *v);
void evtchn_unwatch_vcpu(struct vcpu *v);

/* The guest sent on `port` through the doorbell (no fast path matched):
 * serve it as EVTCHNOP_send and return its result. */
int evtchn_doorbell(struct domain *d, evtchn_port_t port);

#endif
