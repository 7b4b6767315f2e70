/* SPDX-License-Identifier: MIT */
/*
 * io/ring.h: the shared request/response ring every split driver uses.
 *
 * A frontend (in a guest) and a backend (usually in dom0) share one or more
 * pages holding a `struct name_sring`: a 64-byte header of four indexes,
 * then a power-of-two array of slots. The frontend writes requests into
 * slots; the backend answers each request with a response written into a
 * slot (responses overwrite requests already consumed), so at most
 * RING_SIZE requests are ever in flight. Event channels carry the "look at
 * the ring" notifications; req_event and rsp_event let each side tell the
 * other which notifications it needs (see "Notification suppression").
 *
 * pvhv itself never reads a ring: rings live in guest pages shared with
 * grant tables. This header gives the macros with Xen's names, layout and
 * behaviour, written freestanding in C11. The XEN_FLEX_RING byte rings
 * (pvcalls, 9pfs) are not provided.
 *
 * Indexes are free-running 32-bit counters: slot = index & (RING_SIZE - 1).
 * They wrap modulo 2^32 and are only ever compared by unsigned difference.
 *
 * Who writes what (everything else in the sring is written by nobody after
 * SHARED_RING_INIT):
 *   req_prod   frontend: requests in slots below it are ready
 *   req_event  backend:  "notify me when req_prod passes req_event - 1"
 *   rsp_prod   backend:  responses in slots below it are ready
 *   rsp_event  frontend: "notify me when rsp_prod passes rsp_event - 1"
 *   ring[]     frontend writes requests, backend writes responses
 * There is no shared consumer index: a slot is free again for a request
 * once the frontend has read the response published there.
 *
 * Notification suppression: the consumer of a direction (backend for
 * requests, frontend for responses), when it has run out of work, sets the
 * event index to its consumer index + 1 ("wake me for the next one"), then
 * xen_mb(), then looks at the producer index once more (this is
 * RING_FINAL_CHECK_FOR_*). The producer stores its producer index, then
 * xen_mb(), then reads the event index, and notifies only if that push
 * moved the producer index from old to new across it: old < event <= new,
 * computed modulo 2^32 as (new - event) < (new - old)
 * (RING_PUSH_*_AND_CHECK_NOTIFY). Because each side's store is ordered
 * before its load, at least one of them sees the other's store: either the
 * consumer's re-check finds the new entries, or the producer sees the new
 * event index and notifies (or both: a spare notification is harmless). No
 * wakeup is lost. While the consumer is busy, its event index stays behind,
 * so further pushes do not notify: one notification per sleep, not one per
 * entry. SHARED_RING_INIT sets both event indexes to 1, so the first push
 * in either direction notifies.
 *
 * Frontend, typical use:
 *   if (RING_FULL(&front)) wait for responses first;
 *   req = RING_GET_REQUEST(&front, front.req_prod_pvt++);  fill *req;
 *   RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
 *   if (notify) send an event on the ring's channel;
 *   on an event:
 *   do {
 *       rp = front.sring->rsp_prod;  xen_rmb();
 *       for (i = front.rsp_cons; i != rp; i++)
 *           use RING_GET_RESPONSE(&front, i);
 *       front.rsp_cons = i;
 *       RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
 *   } while (more);
 *
 * Backend, typical use (the frontend is not trusted):
 *   do {
 *       rp = back.sring->req_prod;  xen_rmb();
 *       if (RING_REQUEST_PROD_OVERFLOW(&back, rp)) stop: broken frontend;
 *       while (back.req_cons != rp &&
 *              !RING_REQUEST_CONS_OVERFLOW(&back, back.req_cons)) {
 *           RING_COPY_REQUEST(&back, back.req_cons++, &req);
 *           check and serve req (the copy, never the slot);
 *           *RING_GET_RESPONSE(&back, back.rsp_prod_pvt++) = response;
 *           RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
 *           if (notify) send an event;
 *       }
 *       RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
 *   } while (more);
 */
#ifndef PVHV_PUBLIC_IO_RING_H
#define PVHV_PUBLIC_IO_RING_H

#include "../xen.h" /* XEN_PAGE_SIZE; pvhv_abi.h */

/* ------------------------------------------------------------------------
 * Barriers (x86_64). An includer may define its own before this header
 * (e.g. a kernel's virt_mb()); these are used otherwise. They assume the
 * ring is ordinary write-back memory written with ordinary moves; a side
 * that fills slots with non-temporal stores must add its own sfence.
 * ------------------------------------------------------------------------ */

/* Stops the compiler moving, merging or dropping memory accesses across
 * this point. Emits no instruction. */
#define PVHV_RING_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")

/*
 * xen_mb: full barrier. Orders a store (a producer or event index) before
 * a later load (the peer's event or producer index), as the notification
 * handshake needs. x86 TSO lets a load complete while an earlier store is
 * still in the store buffer, so this needs mfence.
 */
#ifndef xen_mb
#define xen_mb() __asm__ __volatile__("mfence" ::: "memory")
#endif
/*
 * xen_rmb: orders the read of a producer index before the reads of the
 * slots it covers. x86 never reorders loads with loads, so only the
 * compiler must be held back.
 */
#ifndef xen_rmb
#define xen_rmb() PVHV_RING_COMPILER_BARRIER()
#endif
/*
 * xen_wmb: orders the writes of slots (and the reads of slots being
 * handed back) before the store of the producer index. x86 never lets a
 * store pass an earlier store or an earlier load, so only the compiler
 * must be held back.
 */
#ifndef xen_wmb
#define xen_wmb() PVHV_RING_COMPILER_BARRIER()
#endif

/* Read or write a shared index exactly once (never torn, cached or
 * repeated by the compiler). */
#define PVHV_RING_READ_IDX(lv)     (*(const volatile RING_IDX *)&(lv))
#define PVHV_RING_WRITE_IDX(lv, v) (*(volatile RING_IDX *)&(lv) = (v))

/* ------------------------------------------------------------------------
 * Sizes
 * ------------------------------------------------------------------------ */

/* A ring index (free-running, see above). */
typedef uint32_t RING_IDX;

/*
 * __RDn(x): the largest power of two not above the low n bits of x (0 if
 * they are 0). Each step halves the field: if its upper half has a bit
 * set, the answer is in the upper half, else in the lower. Usable in
 * constant expressions.
 */
#define __RD2(x)  (((x) & 0x2U) ? 0x2U : ((x) & 0x1U))
#define __RD4(x)  ((((x) >> 2) & 0x3U) ? (__RD2((x) >> 2) << 2) : __RD2(x))
#define __RD8(x)  ((((x) >> 4) & 0xfU) ? (__RD4((x) >> 4) << 4) : __RD4(x))
#define __RD16(x) \
    ((((x) >> 8) & 0xffU) ? (__RD8((x) >> 8) << 8) : __RD8(x))
#define __RD32(x) \
    ((((x) >> 16) & 0xffffU) ? (__RD16((x) >> 16) << 16) : __RD16(x))

/*
 * Slots in a ring of type `name` occupying `size` bytes (XEN_PAGE_SIZE for
 * one page, XEN_PAGE_SIZE << order for several), as a constant expression:
 * what fits after the header, rounded down to a power of two.
 * __CONST_RING_SIZE(blkif, XEN_PAGE_SIZE) is 32.
 */
#define __CONST_RING_SIZE(name, size)                                   \
    __RD32(((size) - offsetof(struct name##_sring, ring)) /             \
           sizeof(((struct name##_sring *)0)->ring[0]))

/* The same, from a pointer `s` to the sring (not a constant expression). */
#define __RING_SIZE(s, size)                                            \
    __RD32(((size) - (size_t)((const char *)(s)->ring -                 \
                              (const char *)(s))) /                     \
           sizeof((s)->ring[0]))

/* ------------------------------------------------------------------------
 * DEFINE_RING_TYPES(name, req_type, rsp_type) declares:
 *   union name_sring_entry   one slot: a request or a response
 *   struct name_sring        the shared page(s): 64-byte header + slots
 *   struct name_front_ring   the frontend's private view (not shared)
 *   struct name_back_ring    the backend's private view (not shared)
 * and typedefs name_sring_t, name_front_ring_t, name_back_ring_t.
 * The ring[] array is declared with one slot, as in Xen (so sizeof the
 * sring is Xen's); it really has RING_SIZE slots.
 * ------------------------------------------------------------------------ */
#define DEFINE_RING_TYPES(name, req_type, rsp_type)                     \
                                                                        \
union name##_sring_entry {                                              \
    req_type req; /* written by the frontend */                         \
    rsp_type rsp; /* written by the backend */                          \
};                                                                      \
                                                                        \
struct name##_sring {                                                   \
    RING_IDX req_prod;  /* frontend: requests below are ready */        \
    RING_IDX req_event; /* backend: notify when req_prod passes it-1 */ \
    RING_IDX rsp_prod;  /* backend: responses below are ready */        \
    RING_IDX rsp_event; /* frontend: notify when rsp_prod passes it-1 */\
    union {             /* per-protocol flags, zero unless negotiated */\
        struct {                                                        \
            uint8_t smartpoll_active; /* netif: retired polling mode */ \
        } netif;                                                        \
        struct {                                                        \
            uint8_t msg; /* blktap user ring: control message */        \
        } tapif_user;                                                   \
        uint8_t pvt_pad[4];                                             \
    } pvt;                                                              \
    uint8_t __pad[44]; /* reserved, zero: header is 64 bytes */         \
    union name##_sring_entry ring[1]; /* really RING_SIZE slots */      \
};                                                                      \
PVHV_ABI_OFFSET(struct name##_sring, req_event, 4);                     \
PVHV_ABI_OFFSET(struct name##_sring, rsp_prod, 8);                      \
PVHV_ABI_OFFSET(struct name##_sring, rsp_event, 12);                    \
PVHV_ABI_OFFSET(struct name##_sring, pvt, 16);                          \
PVHV_ABI_OFFSET(struct name##_sring, __pad, 20);                        \
PVHV_ABI_OFFSET(struct name##_sring, ring, 64);                         \
                                                                        \
struct name##_front_ring {                                              \
    RING_IDX req_prod_pvt; /* next slot to fill; pushed to req_prod */  \
    RING_IDX rsp_cons;     /* next response to read */                  \
    unsigned int nr_ents;  /* RING_SIZE: slots in the ring */           \
    struct name##_sring *sring; /* the shared ring */                   \
};                                                                      \
                                                                        \
struct name##_back_ring {                                               \
    RING_IDX rsp_prod_pvt; /* next response slot; pushed to rsp_prod */ \
    RING_IDX req_cons;     /* next request to read */                   \
    unsigned int nr_ents;  /* RING_SIZE: slots in the ring */           \
    struct name##_sring *sring; /* the shared ring */                   \
};                                                                      \
                                                                        \
typedef struct name##_sring name##_sring_t;                             \
typedef struct name##_front_ring name##_front_ring_t;                   \
typedef struct name##_back_ring name##_back_ring_t

/* ------------------------------------------------------------------------
 * Helpers for the macros below (pvhv additions; plain C, no libc). They
 * are functions so that each argument, a shared index above all, is read
 * once. Marked unused so a file that includes this header without using
 * them compiles warning-free on every compiler.
 * ------------------------------------------------------------------------ */
#if defined(__GNUC__)
#define PVHV_RING_HELPER static inline __attribute__((unused))
#else
#define PVHV_RING_HELPER static inline
#endif

/* Zero `n` bytes at `p`. */
PVHV_RING_HELPER void pvhv_ring_zero(uint8_t *p, size_t n)
{
    while (n--)
        *p++ = 0;
}

/*
 * Requests the backend may consume: what the frontend claims to have
 * posted (req_prod - req_cons), capped by the slots that can hold new
 * requests at all (RING_SIZE less those consumed but not yet answered),
 * so a bogus req_prod cannot make the backend run past the ring.
 */
PVHV_RING_HELPER RING_IDX pvhv_ring_unconsumed_requests(RING_IDX req_prod,
                                                       RING_IDX req_cons,
                                                       RING_IDX rsp_prod_pvt,
                                                       RING_IDX size)
{
    RING_IDX posted = req_prod - req_cons;
    RING_IDX room = size - (req_cons - rsp_prod_pvt);

    return posted < room ? posted : room;
}

/* Does moving a producer index from `old_prod` to `new_prod` pass `event`
 * (old_prod < event <= new_prod, modulo 2^32)? */
PVHV_RING_HELPER int pvhv_ring_need_notify(RING_IDX old_prod, RING_IDX new_prod,
                                          RING_IDX event)
{
    return (RING_IDX)(new_prod - event) < (RING_IDX)(new_prod - old_prod);
}

/* ------------------------------------------------------------------------
 * Setting up. `r` is a front or back ring, `s` the shared ring, `size` its
 * size in bytes.
 * ------------------------------------------------------------------------ */

/* Frontend, before granting the page(s): an empty ring. Both event
 * indexes are 1, so the first entry pushed either way notifies. */
#define SHARED_RING_INIT(s) do {                                        \
    (s)->req_prod = 0;                                                  \
    (s)->rsp_prod = 0;                                                  \
    (s)->req_event = 1;                                                 \
    (s)->rsp_event = 1;                                                 \
    pvhv_ring_zero((s)->pvt.pvt_pad, sizeof((s)->pvt.pvt_pad));         \
    pvhv_ring_zero((s)->__pad, sizeof((s)->__pad));                     \
} while (0)

/* Frontend: take up a ring whose indexes are all at `i` (0 for a fresh
 * ring; a saved index when reconnecting). */
#define FRONT_RING_ATTACH(r, s, i, size) do {                           \
    (r)->req_prod_pvt = (i);                                            \
    (r)->rsp_cons = (i);                                                \
    (r)->nr_ents = __RING_SIZE(s, size);                                \
    (r)->sring = (s);                                                   \
} while (0)
/* Frontend: take up a freshly initialised ring. */
#define FRONT_RING_INIT(r, s, size) FRONT_RING_ATTACH(r, s, 0, size)
/* Frontend: SHARED_RING_INIT then FRONT_RING_INIT. */
#define XEN_FRONT_RING_INIT(r, s, size) do {                            \
    SHARED_RING_INIT(s);                                                \
    FRONT_RING_INIT(r, s, size);                                        \
} while (0)

/* Backend: the same, after mapping the frontend's grant(s). */
#define BACK_RING_ATTACH(r, s, i, size) do {                            \
    (r)->rsp_prod_pvt = (i);                                            \
    (r)->req_cons = (i);                                                \
    (r)->nr_ents = __RING_SIZE(s, size);                                \
    (r)->sring = (s);                                                   \
} while (0)
#define BACK_RING_INIT(r, s, size) BACK_RING_ATTACH(r, s, 0, size)

/* ------------------------------------------------------------------------
 * Queries and slot access
 * ------------------------------------------------------------------------ */

/* Either side: slots in the ring (a power of two). */
#define RING_SIZE(r) ((r)->nr_ents)

/* Frontend: slots free for new requests (those not awaiting or holding an
 * unread response). */
#define RING_FREE_REQUESTS(r)                                           \
    (RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))

/* Frontend: no slot free; wait for responses before producing more. */
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

/* Frontend: responses published and not yet read. */
#define XEN_RING_NR_UNCONSUMED_RESPONSES(r)                             \
    ((RING_IDX)(PVHV_RING_READ_IDX((r)->sring->rsp_prod) - (r)->rsp_cons))

/* Backend: requests published and not yet read, never more than can
 * exist (see pvhv_ring_unconsumed_requests); req_prod is read once. */
#define XEN_RING_NR_UNCONSUMED_REQUESTS(r)                              \
    pvhv_ring_unconsumed_requests(PVHV_RING_READ_IDX((r)->sring->req_prod), \
                                  (r)->req_cons, (r)->rsp_prod_pvt,     \
                                  RING_SIZE(r))

/* Non-zero when there is work: the count, as in Xen, or 0/1 if the
 * includer defines XEN_RING_HAS_UNCONSUMED_IS_BOOL. */
#ifdef XEN_RING_HAS_UNCONSUMED_IS_BOOL
#define RING_HAS_UNCONSUMED_RESPONSES(r) (!!XEN_RING_NR_UNCONSUMED_RESPONSES(r))
#define RING_HAS_UNCONSUMED_REQUESTS(r)  (!!XEN_RING_NR_UNCONSUMED_REQUESTS(r))
#else
#define RING_HAS_UNCONSUMED_RESPONSES(r) XEN_RING_NR_UNCONSUMED_RESPONSES(r)
#define RING_HAS_UNCONSUMED_REQUESTS(r)  XEN_RING_NR_UNCONSUMED_REQUESTS(r)
#endif

/* Either side: a pointer to the request or response in the slot of index
 * `idx` (any free-running index; it is masked here). The frontend fills
 * requests and reads responses this way. */
#define RING_GET_REQUEST(r, idx)                                        \
    (&(r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req)
#define RING_GET_RESPONSE(r, idx)                                       \
    (&(r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp)

/*
 * Backend: copy the request at `idx` into the private `*dest` (which must
 * have the request type), reading the slot once.
 *
 * The slot is memory the frontend can rewrite at any moment. A backend
 * that checked a field in the slot and then used it again would read it
 * twice, and a hostile frontend could change it in between (check
 * nr_segments <= 11, then loop over a new, larger nr_segments). So a
 * backend copies each request out once and checks and uses only the copy.
 * The compiler barrier after the copy keeps the compiler from dropping the
 * private copy and re-reading the slot in its place, which it may
 * otherwise do since it assumes nobody else writes that memory. (Xen gets
 * the same effect with a volatile read through __typeof__, which C11 lacks.)
 * RING_COPY_RESPONSE is the same for a frontend that does not trust its
 * backend.
 */
#define RING_COPY_REQUEST(r, idx, dest) do {                            \
    *(dest) = *RING_GET_REQUEST(r, idx);                                \
    PVHV_RING_COMPILER_BARRIER();                                       \
} while (0)
#define RING_COPY_RESPONSE(r, idx, dest) do {                           \
    *(dest) = *RING_GET_RESPONSE(r, idx);                               \
    PVHV_RING_COMPILER_BARRIER();                                       \
} while (0)

/* ------------------------------------------------------------------------
 * Sanity checks against a misbehaving peer (indexes are RING_IDX values)
 * ------------------------------------------------------------------------ */

/* Backend, in its consume loop: are RING_SIZE requests already consumed
 * and unanswered? Then the slot of `cons` still belongs to one of them and
 * holds no new request: stop consuming until responses are produced. */
#define RING_REQUEST_CONS_OVERFLOW(r, cons)                             \
    ((RING_IDX)((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))

/* Backend, after reading req_prod into `prod`: does the frontend claim
 * more requests than the ring can hold? Then the frontend is broken or
 * hostile; stop serving it. */
#define RING_REQUEST_PROD_OVERFLOW(r, prod)                             \
    ((RING_IDX)((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))

/* Frontend, after reading rsp_prod into `prod`: does the backend claim
 * more responses than there can be? Then the backend is broken. */
#define RING_RESPONSE_PROD_OVERFLOW(r, prod)                            \
    ((RING_IDX)((prod) - (r)->rsp_cons) > RING_SIZE(r))

/* ------------------------------------------------------------------------
 * Publishing
 * ------------------------------------------------------------------------ */

/* Frontend: publish the requests filled up to req_prod_pvt (xen_wmb()
 * first, so the backend sees the slots before the index). No notify
 * decision: for a frontend that always or never notifies. */
#define RING_PUSH_REQUESTS(r) do {                                      \
    xen_wmb();                                                          \
    PVHV_RING_WRITE_IDX((r)->sring->req_prod, (r)->req_prod_pvt);       \
} while (0)

/* Backend: publish the responses written up to rsp_prod_pvt. */
#define RING_PUSH_RESPONSES(r) do {                                     \
    xen_wmb();                                                          \
    PVHV_RING_WRITE_IDX((r)->sring->rsp_prod, (r)->rsp_prod_pvt);       \
} while (0)

/*
 * Frontend: publish requests as RING_PUSH_REQUESTS, then set `notify`
 * non-zero if the backend asked to be told (the push passed req_event).
 * The xen_mb() between the store of req_prod and the load of req_event is
 * the producer half of the handshake described at the top.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify) do {             \
    RING_IDX pvhv_old_ = PVHV_RING_READ_IDX((r)->sring->req_prod);      \
    RING_IDX pvhv_new_ = (r)->req_prod_pvt;                             \
    xen_wmb();                                                          \
    PVHV_RING_WRITE_IDX((r)->sring->req_prod, pvhv_new_);               \
    xen_mb();                                                           \
    (notify) = pvhv_ring_need_notify(pvhv_old_, pvhv_new_,              \
                   PVHV_RING_READ_IDX((r)->sring->req_event));          \
} while (0)

/* Backend: publish responses, then set `notify` if the push passed
 * rsp_event. */
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify) do {            \
    RING_IDX pvhv_old_ = PVHV_RING_READ_IDX((r)->sring->rsp_prod);      \
    RING_IDX pvhv_new_ = (r)->rsp_prod_pvt;                             \
    xen_wmb();                                                          \
    PVHV_RING_WRITE_IDX((r)->sring->rsp_prod, pvhv_new_);               \
    xen_mb();                                                           \
    (notify) = pvhv_ring_need_notify(pvhv_old_, pvhv_new_,              \
                   PVHV_RING_READ_IDX((r)->sring->rsp_event));          \
} while (0)

/* ------------------------------------------------------------------------
 * Going to sleep
 * ------------------------------------------------------------------------ */

/*
 * Backend, when it has consumed everything: set `work_to_do` to the
 * unconsumed request count. If it is 0, req_event has been set to
 * req_cons + 1 first and the ring checked again after xen_mb(), so either
 * `work_to_do` is now non-zero or the frontend's next push will notify.
 * Loop while it is non-zero; sleep on the event channel once it is 0.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, work_to_do) do {               \
    (work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(r);                     \
    if ((work_to_do))                                                   \
        break;                                                          \
    PVHV_RING_WRITE_IDX((r)->sring->req_event, (r)->req_cons + 1);      \
    xen_mb();                                                           \
    (work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(r);                     \
} while (0)

/* Frontend: the same for responses, arming rsp_event. */
#define RING_FINAL_CHECK_FOR_RESPONSES(r, work_to_do) do {              \
    (work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(r);                    \
    if ((work_to_do))                                                   \
        break;                                                          \
    PVHV_RING_WRITE_IDX((r)->sring->rsp_event, (r)->rsp_cons + 1);      \
    xen_mb();                                                           \
    (work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(r);                    \
} while (0)

#endif /* PVHV_PUBLIC_IO_RING_H */
