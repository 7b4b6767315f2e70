/* ring_transport.h: guests' transport: each introduced domain's shared
 * xenstore ring page and event channel, served from the same loop. */
#ifndef PVHV_XSD_RING_TRANSPORT_H
#define PVHV_XSD_RING_TRANSPORT_H

#include "xsd.h"

/*
 * Let d serve guest rings: INTRODUCE then maps the domain's ring page and
 * binds its event channel through pvhv (whose control socket is in
 * `rundir`, reached on first use, so pvhv may start later than this
 * daemon). `rundir` must outlive d. Call before the loop runs.
 */
void xsd_ring_setup(struct xsd *d, const char *rundir);

/* Unbind and unmap every ring (before xsd_free). */
void xsd_ring_teardown(struct xsd *d);

#endif
