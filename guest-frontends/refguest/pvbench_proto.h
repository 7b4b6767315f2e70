/* pvbench_proto.h: what bench/pvbench (dom0) and refguest's cmd=pvbench
 * share: the benchmark ring's entries. Freestanding; the guest and the host
 * both include it. The console lines are in refguest.h. */
#ifndef REFGUEST_PVBENCH_PROTO_H
#define REFGUEST_PVBENCH_PROTO_H

#include <stdint.h>
#include <pvhv/io/ring.h>

/*
 * The ring round trip (one page, Xen's ring.h): the guest is the frontend,
 * pvbench the backend in dom0. A request carries an id and a value; the
 * response carries both back unchanged, the same work the emulated-device
 * round trip does by writing the scratch register and reading it back.
 */
struct pvbench_request {
    uint32_t id;
    uint32_t value;
};

struct pvbench_response {
    uint32_t id;
    uint32_t value;
};

DEFINE_RING_TYPES(pvbench, struct pvbench_request, struct pvbench_response);

/*
 * The control block at the start of the page the guest grants dom0
 * read-only for it (control_ref). Before each handshake on the sync port the guest writes where
 * it is, so that dom0 can take the vCPU's mode around each figure and time
 * the figure's raw baseline between its runs: on a shared machine the
 * platform's own costs drift by a third within seconds, and a baseline
 * taken at the same moments is the fair one. Written by the guest, read
 * (and distrusted) by dom0.
 */
struct pvbench_control {
    uint32_t seq;   /* this handshake's number, from 0 */
    uint32_t phase; /* PVBENCH_PHASE_* */
    uint32_t run;   /* PVBENCH_PHASE_RUN: the run about to start */
    uint32_t pad;   /* zero */
    char id[32];    /* the figure, NUL-terminated */
};

#define PVBENCH_PHASE_BEFORE 1 /* the figure's first run comes next */
#define PVBENCH_PHASE_RUN    2 /* run `run` (from 1) comes next */
#define PVBENCH_PHASE_AFTER  3 /* the figure's runs are over */

/* Pages the peer guest grants the measuring guest: PVBENCH_COPY_PAGES
 * copy targets (64 KiB) and one more to map. */
#define PVBENCH_COPY_PAGES 16
#define PVBENCH_PEER_PAGES (PVBENCH_COPY_PAGES + 1)

#endif /* REFGUEST_PVBENCH_PROTO_H */
