/* SPDX-License-Identifier: MIT */
/*
 * io/xenbus.h: the connection states a split driver's two ends publish in
 * xenstore while they set up and tear down a device.
 *
 * Each end writes its own state, as a decimal number, to the "state" node
 * of its own directory and watches the other end's:
 *   frontend  /local/domain/<guest>/device/<type>/<id>/state
 *   backend   /local/domain/<backend>/backend/<type>/<guest>/<id>/state
 * Each directory also names the other ("backend" / "frontend" nodes, with
 * "backend-id" / "frontend-id"). The toolstack creates both directories.
 * pvhv itself takes no part: this is a protocol between guests and dom0
 * programs through xenstore. Everything Xen 4.17 defines here is declared.
 *
 * Setting up (netif, blkif, console; feature and ring nodes are in each
 * protocol's header):
 *
 *   Frontend (guest)                     Backend (dom0)
 *   ----------------                     --------------
 *   Initialising                         Initialising
 *     (toolstack created both directories)
 *                                        publish feature-* nodes,
 *                                        transport limits
 *                                        -> InitWait
 *   sees InitWait:
 *   read backend features, allocate
 *   and grant ring pages, allocate
 *   event channel(s), write ring-ref*,
 *   event-channel*, protocol, ...
 *   -> Initialised  (blkfront; netfront
 *      goes straight to Connected)
 *                                        sees Initialised or Connected:
 *                                        map the rings, bind the event
 *                                        channel(s), publish device
 *                                        properties (sectors, ...)
 *                                        -> Connected
 *   sees Connected:
 *   read device properties, start I/O
 *   -> Connected (if not already)
 *
 * Tearing down (either end may start it, the toolstack usually via the
 * backend):
 *
 *   Frontend                             Backend
 *                                        -> Closing (unplug or error)
 *   sees Closing: stop I/O, wait for
 *   outstanding requests, revoke grants,
 *   free the rings and channels
 *   -> Closed
 *                                        sees Closed: unmap, unbind
 *                                        -> Closed
 *   (the toolstack then removes both directories; or, to reconnect, the
 *   ends return to Initialising / InitWait and set up again)
 *
 * A frontend that wants to go first moves to Closing; the backend answers
 * with Closing and the sequence above follows. Neither end may assume the
 * other saw an intermediate state: watches fire late and states can be
 * skipped, so each end acts on the state it reads, not on the transition.
 */
#ifndef PVHV_PUBLIC_IO_XENBUS_H
#define PVHV_PUBLIC_IO_XENBUS_H

#include "../pvhv_abi.h"

enum xenbus_state {
    XenbusStateUnknown       = 0, /* no state node yet, or unreadable */
    XenbusStateInitialising  = 1, /* starting up; nothing published yet */
    XenbusStateInitWait      = 2, /* early setup done; features published,
                                     waiting for the peer (or for the
                                     hotplug scripts, in a backend) */
    XenbusStateInitialised   = 3, /* transport published (ring-ref,
                                     event-channel); waiting for the peer
                                     to connect */
    XenbusStateConnected     = 4, /* ring in use */
    XenbusStateClosing       = 5, /* going away (unplug or error): the
                                     peer should stop and close */
    XenbusStateClosed        = 6, /* resources released */
    XenbusStateReconfiguring = 7, /* a connected device is being changed
                                     (pvscsi, pvusb: sub-devices added or
                                     removed); unused by netif and blkif */
    XenbusStateReconfigured  = 8  /* the change is done; back to
                                     Connected next */
};
typedef enum xenbus_state XenbusState;
PVHV_ABI_SIZE(enum xenbus_state, 4);

#endif /* PVHV_PUBLIC_IO_XENBUS_H */
