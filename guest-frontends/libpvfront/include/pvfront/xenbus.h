/* xenbus.h: the guest side of xenstore (the shared ring), watches, and xenbus device states. */
#ifndef PVFRONT_XENBUS_H
#define PVFRONT_XENBUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pvhv/io/xenbus.h>
#include <pvhv/io/xs_wire.h> /* XENSTORE_PAYLOAD_MAX, path limits */

/*
 * How it talks. The toolstack gives each domain a xenstore page
 * (HVM_PARAM_STORE_PFN; on pvhv PVHV_STORE_RING_GPA, which libpvfront's
 * page tables map) and an event channel port left unbound for dom0
 * (HVM_PARAM_STORE_EVTCHN), then introduces the domain to xenstored, which
 * maps the page and binds the port. The page holds two byte rings
 * (struct xenstore_domain_interface, <pvhv/io/xs_wire.h>): the guest
 * writes requests into req[] and reads replies and watch events from
 * rsp[]. Each message is a struct xsd_sockmsg header and its payload,
 * exactly as on Xen (docs/misc/xenstore.txt, xenstore-ring.txt). Writes
 * follow Xen's order: bytes, write barrier, producer index, then a send on
 * the event channel; reads: producer index, read barrier, bytes, full
 * barrier, consumer index, then a send.
 *
 * One request at a time. The calls below are NOT reentrant and must not
 * run on two CPUs at once (a single-threaded kernel, or one that
 * serializes them itself); a call may run on any CPU (the port notifies
 * CPU 0; waits elsewhere poll in 1 ms slices). Each request gets a fresh
 * req_id; its reply must carry that id. Every request waits at most
 * PVFRONT_XS_TIMEOUT_NS of guest time (pvfront_time_ns) in all, for room
 * in the ring and for its reply, then returns -XEN_ETIMEDOUT instead of
 * hanging (the usual result before the toolstack introduced the domain to
 * xenstored). A request abandoned that way is not lost from the stream:
 * whatever of it was not yet written is written before the next request,
 * and its late reply is recognised by its req_id and dropped (so a
 * transaction start that timed out may leave a transaction open in
 * xenstored until the connection goes). Helpers that make several
 * requests (pvfront_xenbus_switch_state) bound each one.
 *
 * Watch events (XS_WATCH_EVENT) may arrive at any time, interleaved with
 * replies. Those that arrive while a call waits for its reply are queued
 * (PVFRONT_XS_EVENT_QUEUE of them, in .bss; when full the oldest is
 * dropped and counted) and handed out by pvfront_xs_read_watch in order.
 *
 * Memory: no allocation. libpvfront keeps one request, one reply and the
 * event queue in static buffers (about 77 KiB of .bss, linked only if the
 * kernel uses xenstore); results go into the caller's buffers.
 *
 * Paths: absolute ("/local/domain/5/data") or relative to the domain's
 * home /local/domain/<domid> ("data"), as xenstored resolves them. A
 * request's payload (path, NUL, value) may be at most XENSTORE_PAYLOAD_MAX
 * (4096) bytes; a longer one is refused here with -XEN_E2BIG.
 *
 * Errors are negative Xen errnos (<pvhv/errno.h>). xenstored's XS_ERROR
 * replies carry the errno's name, mapped with Xen's table
 * (PVHV_XSD_ERRORS: "EACCES" -> -XEN_EACCES, an unknown name ->
 * -XEN_EINVAL as on Xen). Errors of every call below:
 *   -XEN_ENODEV     no xenstore for this domain (pvfront_xenbus_init), or
 *                   whatever else made init fail;
 *   -XEN_ETIMEDOUT  no room in the ring or no reply within the bound;
 *   -XEN_EIO        the stream broke: a reply to a request never sent, a
 *                   reply of the wrong type, a malformed reply, or ring
 *                   indexes out of range (a message longer than
 *                   XENSTORE_PAYLOAD_MAX makes every later call fail with
 *                   -XEN_EIO: the stream cannot be resynchronised);
 *   -XEN_E2BIG      the request does not fit one message, or the answer
 *                   does not fit the caller's buffer;
 *   -XEN_EINVAL     a NULL or empty path or token;
 *   and xenstored's own: -XEN_ENOENT, -XEN_EACCES, -XEN_EEXIST,
 *   -XEN_EAGAIN (transaction conflict), -XEN_ENOSPC (quota), ...
 * Every call initializes the connection first if needed.
 */

/* How long one call waits for ring space and for its reply (guest time). */
#define PVFRONT_XS_TIMEOUT_NS 5000000000ULL
/* Watch events kept while nobody reads them. */
#define PVFRONT_XS_EVENT_QUEUE 16

/* A transaction id; XBT_NIL: no transaction. */
typedef uint32_t pvfront_xbt_t;
#define XBT_NIL ((pvfront_xbt_t)0)

/*
 * pvfront_xenbus_init: find the domain's xenstore: read HVM_PARAM_STORE_PFN
 * and HVM_PARAM_STORE_EVTCHN (HVMOP_get_param), check them, set up event
 * channels (pvfront_evtchn_init) and unmask the port. A response ring left
 * non-empty by an earlier kernel is emptied (as Linux does). Talks to
 * nobody: a domain that was never introduced to xenstored initializes fine
 * and its first request times out.
 * Idempotent: once it returned 0 it returns 0 at once; after a failure the
 * next call tries again.
 * Returns 0, or -XEN_ENODEV (STORE_PFN or STORE_EVTCHN is 0: no
 * xenstore), -XEN_EFAULT (the page is not one libpvfront maps),
 * -XEN_EINVAL (a port beyond the 2-level ABI), or the hypercall's error.
 */
int pvfront_xenbus_init(void);

/*
 * pvfront_xenbus_store: the page and port in use (for logs). Returns 0 and
 * fills them (either may be NULL), or -XEN_ENODEV before a successful init.
 */
int pvfront_xenbus_store(uint64_t *pfn, uint32_t *port);

/*
 * pvfront_xs_read: read the value of `path` into buf (len bytes) and end it
 * with a NUL. Returns the value's length (without the NUL; values may hold
 * NUL bytes themselves), -XEN_E2BIG if value + NUL do not fit in len
 * (buf is left unchanged), or an error (-XEN_ENOENT, -XEN_EACCES, ...).
 */
int pvfront_xs_read(pvfront_xbt_t t, const char *path, char *buf, size_t len);

/*
 * pvfront_xs_read_u64: read `path` as an unsigned decimal number (spaces
 * and a newline around it allowed). Returns 0 and sets *out, -XEN_EINVAL
 * if the value is not such a number, -XEN_ERANGE if it overflows 64 bits,
 * or the read's error.
 */
int pvfront_xs_read_u64(pvfront_xbt_t t, const char *path, uint64_t *out);

/*
 * pvfront_xs_write: set `path` to the string `value` (without its NUL),
 * creating the node and missing parents. Returns 0 or an error.
 */
int pvfront_xs_write(pvfront_xbt_t t, const char *path, const char *value);

/*
 * pvfront_xs_printf: pvfront_xs_write with a value formatted by
 * pvfront_snprintf's rules. -XEN_E2BIG if path and value exceed one
 * message. pvfront_xs_vprintf: the same with a va_list.
 */
int pvfront_xs_printf(pvfront_xbt_t t, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int pvfront_xs_vprintf(pvfront_xbt_t t, const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* pvfront_xs_mkdir: create `path` (empty value) and missing parents. 0 or an error. */
int pvfront_xs_mkdir(pvfront_xbt_t t, const char *path);

/*
 * pvfront_xs_rm: remove `path` and everything below it. 0 or an error
 * (xenstored: removing a missing node whose parent exists succeeds).
 */
int pvfront_xs_rm(pvfront_xbt_t t, const char *path);

/*
 * pvfront_xs_directory: list the children of `path` into buf (len bytes)
 * as names each ended by a NUL ("a\0b\0"). Returns the number of children
 * (0: none, buf untouched), -XEN_E2BIG if the names do not fit in len,
 * or an error.
 */
int pvfront_xs_directory(pvfront_xbt_t t, const char *path, char *buf, size_t len);

/*
 * pvfront_xs_transaction_start: start a transaction; *t gets its id, to
 * pass to the calls above. Returns 0 or an error (-XEN_ENOSPC: the
 * domain's transaction quota).
 * pvfront_xs_transaction_end: commit (abort == 0) or abort `t`. Returns
 * 0, -XEN_EAGAIN if another writer changed what the transaction read or
 * wrote (nothing was committed: start again), or an error. Either way
 * `t` is finished.
 */
int pvfront_xs_transaction_start(pvfront_xbt_t *t);
int pvfront_xs_transaction_end(pvfront_xbt_t t, int abort);

/*
 * pvfront_xs_watch: watch `path` and everything below it (or a special
 * path such as "@introduceDomain"); events carry `token`. xenstored sends
 * one event at once. Returns 0 or an error (-XEN_EEXIST: the same path and
 * token are watched already; -XEN_E2BIG: the watch quota).
 * pvfront_xs_unwatch: stop it; queued events with that token for `path`
 * or below are dropped too. Returns 0 or an error (-XEN_ENOENT: no such
 * watch).
 */
int pvfront_xs_watch(const char *path, const char *token);
int pvfront_xs_unwatch(const char *path, const char *token);

/*
 * pvfront_xs_read_watch: take the oldest watch event: the changed path
 * into path (plen bytes) and the watch's token into token (tlen bytes),
 * NUL-terminated. Waits up to timeout_ns (0: only look; UINT64_MAX: no
 * limit) for one to arrive. Returns 0, -XEN_ETIMEDOUT, -XEN_E2BIG (the
 * event does not fit the buffers; it is dropped, buffers unchanged), or
 * -XEN_EIO if the stream broke. While waiting it also finishes writing an
 * abandoned request and drops late replies.
 */
int pvfront_xs_read_watch(char *path, size_t plen, char *token, size_t tlen,
                          uint64_t timeout_ns);

/* Counters since boot. */
struct pvfront_xs_stats {
    uint64_t requests;       /* requests sent (begun) */
    uint64_t timeouts;       /* calls that gave up with -XEN_ETIMEDOUT */
    uint64_t events;         /* watch events received */
    uint64_t events_dropped; /* events dropped because the queue was full */
    uint64_t late_replies;   /* replies to abandoned requests, dropped */
    uint64_t bad_messages;   /* unexpected or malformed messages, dropped */
};
void pvfront_xs_stats(struct pvfront_xs_stats *out);

/*
 * pvfront_xs_errname: the name of a negative Xen errno as xenstore spells
 * it ("EACCES" for -XEN_EACCES), also for the errors this library adds
 * (ETIMEDOUT, ENODEV, EFAULT, ERANGE); "E?" for any other value and
 * "OK" for values >= 0. Never NULL.
 */
const char *pvfront_xs_errname(int err);

/* ---- xenbus device states (<pvhv/io/xenbus.h> describes the protocol) ---- */

/*
 * pvfront_xenbus_read_state: read the state node `state_path` (e.g.
 * "<backend>/state"). Returns the state (XenbusStateInitialising ..
 * XenbusStateReconfigured), XenbusStateUnknown if the node does not exist
 * (as Linux's xenbus_read_driver_state), -XEN_EINVAL if it does not hold
 * one of those numbers, or another read error.
 */
int pvfront_xenbus_read_state(const char *state_path);

/*
 * pvfront_xenbus_switch_state: publish state `s` in "<dev_path>/state", as
 * Linux's xenbus_switch_state: in a transaction, read the current state
 * (the node must exist: the toolstack creates it, and a device whose
 * directory was removed must not get it back), write `s` unless it is
 * already there, commit; a conflict (-XEN_EAGAIN) starts over, up to 16
 * times. Returns 0, -XEN_ENOENT if the state node is missing, -XEN_EAGAIN
 * if every try conflicted, -XEN_E2BIG if dev_path is too long, or an
 * error.
 */
int pvfront_xenbus_switch_state(const char *dev_path, enum xenbus_state s);

/*
 * pvfront_xenbus_wait_state: wait until the state node `state_path` holds
 * `want` or a later state (a number >= want: a frontend waiting for
 * Connected then also learns that the backend went Closing or Closed;
 * compare the result), as Mini-OS's xenbus_wait_for_state_change loops
 * do. Watches state_path (token "pvfront-wait-state", unwatched before it
 * returns) and re-reads it on each event. Returns the state read,
 * -XEN_ETIMEDOUT after timeout_ns (UINT64_MAX: no limit), or an error of
 * the watch or the reads. Events of other watches that arrive meanwhile
 * stay queued for pvfront_xs_read_watch.
 */
int pvfront_xenbus_wait_state(const char *state_path, enum xenbus_state want,
                              uint64_t timeout_ns);

/*
 * pvfront_xenbus_wait_range: wait until the state node `state_path` holds
 * a state in lo..hi, as a frontend waits for its backend. States below lo
 * are waited for with a watch (pvfront_xenbus_wait_state); states above hi
 * (a backend still Closed from an earlier connection, about to answer a
 * new Initialising) are polled every millisecond. `deadline_ns` is an
 * absolute pvfront_time_ns(). Returns the state, -XEN_ETIMEDOUT, or an
 * error of the reads.
 */
int pvfront_xenbus_wait_range(const char *state_path, int lo, int hi, uint64_t deadline_ns);

/*
 * pvfront_xenbus_close: a frontend's close handshake, as Linux's: publish
 * Closing in "<dev_path>/state", wait (up to timeout_ns) for the backend's
 * state node `back_state_path` to reach Closing or beyond, publish Closed,
 * wait for the backend's Closed. Every step runs even if one before it
 * failed; returns 0 or the first error (-XEN_ETIMEDOUT among them).
 */
int pvfront_xenbus_close(const char *dev_path, const char *back_state_path,
                         uint64_t timeout_ns);

#endif /* PVFRONT_XENBUS_H */
