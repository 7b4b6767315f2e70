/* SPDX-License-Identifier: MIT */
/*
 * io/console.h: the guest's PV console page: two byte rings, keyboard
 * input in and console output out.
 *
 * A guest finds the page with HVM_PARAM_CONSOLE_PFN and the event channel
 * with HVM_PARAM_CONSOLE_EVTCHN. The other end is the console daemon in
 * dom0; pvhv itself only provides the page and the channel. A secondary
 * console (a "console" device in xenstore) uses the same page layout. This
 * is all of Xen's console.h except the XEN_WANT_FLEX_CONSOLE_RING variant.
 *
 * Indexes are free-running 32-bit counters; the byte of index i of ring r
 * is r[MASK_XENCONS_IDX(i, r)]. A ring holds prod - cons bytes, never more
 * than its size. The producer writes bytes, then a write barrier, then
 * its prod index, then notifies the event channel. The consumer reads
 * prod, then a read barrier, then the bytes, then a full barrier, then
 * stores its cons index (handing the space back), then notifies. There
 * is no notification suppression. A guest whose out ring is full waits
 * for the daemon to move out_cons.
 */
#ifndef PVHV_PUBLIC_IO_CONSOLE_H
#define PVHV_PUBLIC_IO_CONSOLE_H

#include "../pvhv_abi.h"

/* A console ring index. */
typedef uint32_t XENCONS_RING_IDX;

/* Offset in ring `ring` (the array itself, e.g. intf->out, not a pointer:
 * its size is taken with sizeof) of free-running index `idx`. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];            /* input to the guest; daemon writes */
    char out[2048];           /* output from the guest; guest writes */
    XENCONS_RING_IDX in_cons;  /* written by the guest */
    XENCONS_RING_IDX in_prod;  /* written by the console daemon */
    XENCONS_RING_IDX out_cons; /* written by the console daemon */
    XENCONS_RING_IDX out_prod; /* written by the guest */
};
PVHV_ABI_SIZE(struct xencons_interface, 3088);
PVHV_ABI_OFFSET(struct xencons_interface, in, 0);
PVHV_ABI_OFFSET(struct xencons_interface, out, 1024);
PVHV_ABI_OFFSET(struct xencons_interface, in_cons, 3072);
PVHV_ABI_OFFSET(struct xencons_interface, in_prod, 3076);
PVHV_ABI_OFFSET(struct xencons_interface, out_cons, 3080);
PVHV_ABI_OFFSET(struct xencons_interface, out_prod, 3084);

#endif /* PVHV_PUBLIC_IO_CONSOLE_H */
