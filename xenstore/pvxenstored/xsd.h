/* xsd.h: pvxenstored's core: the tree, transactions, watches, domains,
 * quotas and connections, independent of any transport or event loop. */
#ifndef PVHV_XSD_H
#define PVHV_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvhv/io/xs_wire.h>
#include <pvhv/xen.h>

/* Logging: the host daemons' shared logger (log_msg, log_threshold;
 * main.c sets log_prog to "pvxenstored"). */
#include "../../hypervisor/log.h"

/* ------------------------------------------------------------------------
 * String-keyed hash map (hash.c). Keys are borrowed: each key must live as
 * long as its entry (callers use the stored object's own path).
 * ------------------------------------------------------------------------ */
struct xsd_hash_ent {
    struct xsd_hash_ent *next;
    uint64_t hash;
    const char *key;
    void *val;
};

struct xsd_hash {
    struct xsd_hash_ent **buckets;
    size_t nbuckets; /* a power of two, or 0 before the first insert */
    size_t count;
};

/* The value stored under `key`, or NULL. */
void *xsd_hash_get(const struct xsd_hash *h, const char *key);
/* Store `val` under `key`, replacing any entry. Returns the replaced value
 * (or NULL) through *old. Returns 0 or -XEN_ENOMEM (nothing changed). */
int xsd_hash_put(struct xsd_hash *h, const char *key, void *val, void **old);
/* Remove `key`; returns its value, or NULL if absent. */
void *xsd_hash_del(struct xsd_hash *h, const char *key);
/* Call fn(val, arg) for every entry; fn must not change the map. */
void xsd_hash_each(const struct xsd_hash *h, void (*fn)(void *val, void *arg), void *arg);
/* Free the map's own memory (not the values). */
void xsd_hash_fini(struct xsd_hash *h);

/* ------------------------------------------------------------------------
 * Permissions (perms.c)
 * ------------------------------------------------------------------------ */
#define XSD_PERM_NONE  0x0
#define XSD_PERM_READ  0x1
#define XSD_PERM_WRITE 0x2
#define XSD_PERM_OWNER 0x8 /* only ever in perm_for()'s answer */

struct xsd_perm {
    uint32_t id;    /* domid */
    uint32_t perms; /* XSD_PERM_READ | XSD_PERM_WRITE */
};

/*
 * Parse one permission string ("r5", "b0", "n12", "w3") into *p. Returns 0,
 * or -XEN_EINVAL for anything else (unknown letter, no digits, domid over
 * 65535, trailing junk).
 */
int xsd_perm_parse(const char *s, struct xsd_perm *p);

/* Write p as a string ("b5") into buf (at least 8 bytes); returns its
 * length without the NUL. */
size_t xsd_perm_format(const struct xsd_perm *p, char *buf);

/* ------------------------------------------------------------------------
 * Paths (path.c)
 * ------------------------------------------------------------------------ */
/* Room for the longest canonical path and its NUL. */
#define XSD_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/* The special watch paths, which also carry permissions. */
#define XSD_SPECIAL_INTRODUCE "@introduceDomain"
#define XSD_SPECIAL_RELEASE   "@releaseDomain"

/*
 * Make `in` (as a client sent it) canonical into out (XSD_PATH_BUF bytes):
 * absolute paths are checked, relative ones are prefixed with
 * /local/domain/<domid>/. With allow_special, exactly the two special
 * paths above are accepted too. Returns 0 or -XEN_EINVAL (bad character,
 * empty, "//", trailing "/", too long: 3072 bytes absolute, 2048 relative).
 * *relative is set when `in` was relative.
 */
int xsd_path_canon(const char *in, uint32_t domid, bool allow_special, char *out,
                   bool *relative);

/* Is `child` equal to `parent` or below it? ("/" is everyone's parent.) */
bool xsd_path_is_child(const char *child, const char *parent);

/* Length of the parent of canonical `path` ("/a/b" -> 2 for "/a", "/a" ->
 * 1 for "/"); path must not be "/". */
size_t xsd_path_parent_len(const char *path);

/* The last component of canonical `path` (a pointer into it). */
const char *xsd_path_leaf(const char *path);

/* Write "/local/domain/<domid>" into buf (at least 24 bytes); returns its
 * length. */
size_t xsd_domain_path(uint32_t domid, char *buf);

/* ------------------------------------------------------------------------
 * Nodes and the store (store.c)
 * ------------------------------------------------------------------------ */
struct xsd_node {
    char *path;              /* canonical; the store's key */
    uint64_t gen;            /* changes whenever the node does; never 0 */
    struct xsd_perm *perms;  /* perms[0]: owner and everyone's default */
    uint32_t nperms;         /* >= 1 */
    uint32_t vlen;
    char *value;             /* vlen bytes (NULL when 0) */
    uint32_t clen;
    char *children;          /* leaf names, each NUL-ended, in creation order */
};

/* A new node with an empty value and no children, perms copied. NULL on
 * allocation failure. */
struct xsd_node *xsd_node_new(const char *path, const struct xsd_perm *perms,
                              uint32_t nperms);
/* A deep copy (NULL on allocation failure). */
struct xsd_node *xsd_node_dup(const struct xsd_node *n);
void xsd_node_free(struct xsd_node *n);
/* Replace the value / permissions; 0 or -XEN_ENOMEM (node unchanged). */
int xsd_node_set_value(struct xsd_node *n, const void *v, uint32_t len);
int xsd_node_set_perms(struct xsd_node *n, const struct xsd_perm *p, uint32_t np);
/* Add / remove leaf name `leaf` in the children list. Adding returns 0 or
 * -XEN_ENOMEM; removing a name not listed does nothing. */
int xsd_node_add_child(struct xsd_node *n, const char *leaf);
void xsd_node_del_child(struct xsd_node *n, const char *leaf);

#define XSD_DOMID_COUNT 65536u /* domids that may own nodes (perm ids are 16-bit) */

struct xsd_store {
    struct xsd_hash nodes; /* path -> struct xsd_node */
    uint64_t gen;          /* last generation handed out */
    uint64_t changes;      /* bumped by every put and del (persistence) */
    uint32_t *owned;       /* nodes owned, per domid (XSD_DOMID_COUNT) */
};

/* A store holding "/" (owner 0, "n0") and the two special nodes (same
 * perms). Returns 0 or -XEN_ENOMEM. */
int xsd_store_init(struct xsd_store *s);
void xsd_store_fini(struct xsd_store *s);
const struct xsd_node *xsd_store_get(const struct xsd_store *s, const char *path);
/* Insert or replace node n (the store takes it) with a new generation, and
 * keep the per-owner counts. 0 or -XEN_ENOMEM (n freed, store unchanged). */
int xsd_store_put(struct xsd_store *s, struct xsd_node *n);
/* Remove and free the node at `path`, if any. */
void xsd_store_del(struct xsd_store *s, const char *path);
/* Recheck the invariants: every node's parent lists it, every listed child
 * exists, the per-owner counts match. Returns the number of problems and
 * describes the first in why (cap bytes). */
int xsd_store_check(const struct xsd_store *s, char *why, size_t cap);

/* ------------------------------------------------------------------------
 * Quotas (quota.c)
 * ------------------------------------------------------------------------ */
struct xsd_quota {
    uint32_t nodes;        /* nodes a domain may own (1000) */
    uint32_t watches;      /* watches per domain (128) */
    uint32_t value_size;   /* bytes in one value (2048) */
    uint32_t transactions; /* open transactions per connection (10) */
    uint32_t outstanding;  /* replies a connection may leave unread (20) */
    uint32_t permissions;  /* entries in one node's permission list (5) */
};

/* Xen's defaults. */
void xsd_quota_defaults(struct xsd_quota *q);
/* Set one quota by name ("nodes", "watches", "value-size", "transactions",
 * "outstanding", "permissions") from decimal text. 0 or -XEN_EINVAL. */
int xsd_quota_set(struct xsd_quota *q, const char *name, const char *value);
/* "name=value" (as on the command line). 0 or -XEN_EINVAL. */
int xsd_quota_set_arg(struct xsd_quota *q, const char *arg);
/* All quotas as "name value\n" lines into buf; returns the length. */
size_t xsd_quota_format(const struct xsd_quota *q, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * Domains (domain.c)
 * ------------------------------------------------------------------------ */
struct xsd_watch;

struct xsd_domain {
    uint32_t domid;
    uint64_t gfn;      /* ring page as INTRODUCE named it */
    uint32_t evtchn;   /* the guest's unbound port for xenstore */
    uint32_t target;   /* SET_TARGET: domain this one acts for, or DOMID_INVALID */
    uint32_t nwatches; /* watches held by the domain's connections */
    bool ring_served;  /* a ring transport serves the domain */
    bool restoring;    /* loaded from a saved state, not yet re-attached
                          (xsd_persist_restore) */
    /* Watches of its ring connection loaded from a saved state, in the
     * order they were set: given to the ring connection when it attaches
     * (xsd_domain_attach), saved again meanwhile. */
    struct xsd_watch *saved_watches;
};

/* ------------------------------------------------------------------------
 * Connections (conn.c): a transport plus a domid
 * ------------------------------------------------------------------------ */
struct xsd;
struct xsd_conn;
struct xsd_txn;

/*
 * What a transport supplies. The core never reads or writes a socket or a
 * ring itself: the transport feeds bytes in with xsd_conn_feed() and takes
 * replies out with xsd_conn_out_peek()/xsd_conn_out_consume().
 */
struct xsd_transport {
    const char *name; /* "unix", "ring", "test" */
    /* Output was queued, or the connection died (xsd_conn_dead()): the
     * transport should flush or close it soon, never from inside this call
     * if that would free the connection. May be NULL. */
    void (*kick)(struct xsd_conn *c);
};

/* One queued output message. */
struct xsd_out {
    struct xsd_out *next;
    uint32_t len, off; /* bytes in data, bytes already taken */
    bool is_reply;     /* a reply (counts as outstanding), not a watch event */
    uint8_t data[];    /* header then payload */
};

struct xsd_watch {
    struct xsd_watch *next;
    char *path;          /* canonical, or a special "@..." path */
    char *token;
    uint32_t strip;      /* bytes to strip from event paths (relative watch) */
};

struct xsd_conn {
    struct xsd *d;
    struct xsd_conn *next, *prev;   /* in d->conns */
    const struct xsd_transport *tp;
    void *tp_data;
    uint32_t id;                    /* serial, for log lines */
    uint32_t domid;                 /* 0: dom0, privileged */
    bool dead;                      /* no more input; transport should close */
    /* Outlives the daemon (a guest's ring; its transport sets this before
     * any request): its watches are part of the saved state (persist.c),
     * and the restored ones go to the next such connection of its domain. */
    bool persist;
    /* input: a header, then its payload (plus a NUL guard) */
    uint8_t in_hdr[sizeof(struct xsd_sockmsg)];
    uint32_t in_have;               /* bytes of the current message so far */
    char in_payload[XENSTORE_PAYLOAD_MAX + 1];
    /* output */
    struct xsd_out *out_head, *out_tail;
    size_t out_bytes;
    uint32_t out_replies, out_events;
    bool events_dropped;            /* logged once */
    struct xsd_watch *watches;
    uint32_t nwatches;
    struct xsd_txn *txns;
    uint32_t ntxns;
    uint32_t next_txid;
};

/* Output limits shared by every transport. */
#define XSD_OUT_PAUSE_BYTES (1u << 20)  /* stop reading requests past this */
#define XSD_OUT_KILL_BYTES  (64u << 20) /* a privileged reader this far behind
                                           is disconnected */
#define XSD_EVENTS_MAX      1024u       /* unread events an unprivileged
                                           connection may have; more are dropped */

/*
 * A new connection for `domid` over transport tp (tp_data is the
 * transport's). Domid 0 is privileged. NULL on allocation failure.
 */
struct xsd_conn *xsd_conn_new(struct xsd *d, const struct xsd_transport *tp,
                              void *tp_data, uint32_t domid);

/*
 * Feed `len` received bytes. Complete messages are served at once (their
 * replies queued). Returns the bytes consumed: fewer than len when the
 * connection must not read more now (xsd_conn_blocked()) or died
 * (xsd_conn_dead(): a protocol violation such as an over-long payload). The
 * transport keeps the rest and feeds it again later.
 */
size_t xsd_conn_feed(struct xsd_conn *c, const void *buf, size_t len);

/* Too many unread replies (the outstanding quota, or XSD_OUT_PAUSE_BYTES):
 * stop reading from this connection until output drains. */
bool xsd_conn_blocked(const struct xsd_conn *c);
bool xsd_conn_dead(const struct xsd_conn *c);

/* The next output bytes, if any (false: nothing queued). */
bool xsd_conn_out_peek(const struct xsd_conn *c, const void **buf, size_t *len);
/* `n` bytes from xsd_conn_out_peek() were delivered. */
void xsd_conn_out_consume(struct xsd_conn *c, size_t n);

/* Queue one message (header built here). Returns 0, or -XEN_ENOMEM. */
int xsd_conn_send(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                  const void *payload, uint32_t len, bool is_reply);

/* End the connection's session: drop its watches and transactions and mark
 * it dead (the transport closes it). `why` goes to the log. Idempotent. */
void xsd_conn_kill(struct xsd_conn *c, const char *why);

/* Drop all watches / all transactions of c (RESET_WATCHES, kill). */
void xsd_conn_drop_watches(struct xsd_conn *c);
void xsd_conn_drop_txns(struct xsd_conn *c);

/* Unlink and free a connection (killing it first if needed). Only its
 * transport calls this, outside any xsd call. */
void xsd_conn_free(struct xsd_conn *c);

/* Privileged: dom0 and nothing else. */
static inline bool xsd_conn_priv(const struct xsd_conn *c) { return c->domid == 0; }

/* ------------------------------------------------------------------------
 * The daemon state
 * ------------------------------------------------------------------------ */

/*
 * Where a ring transport plugs in (NULL: none yet). attach() starts
 * serving domain `dom`'s ring: it maps the page, binds the event channel
 * (libpvctrl's gnttab/evtchn calls) and creates the connection; it
 * returns 0 or a negative Xen errno. detach() ends it (RELEASE).
 */
struct xsd_ring_ops {
    int (*attach)(struct xsd *d, struct xsd_domain *dom);
    void (*detach)(struct xsd *d, struct xsd_domain *dom);
};

/*
 * Something the event loop watches. Every epoll entry's data.ptr points at
 * one of these (embedded first in the transport's own struct), so the loop
 * needs to know nothing of the transports.
 */
struct xsd_fd_handler {
    void (*ready)(struct xsd_fd_handler *h, uint32_t epoll_events);
};

struct xsd {
    struct xsd_store store;
    uint64_t changes;                              /* bumped when the domain list
                                                      or a persisting connection's
                                                      watches change */
    int loop_fd;                                   /* the loop's epoll, -1 none:
                                                      xsd_loop_add() adds to it */
    struct xsd_quota quota;
    struct xsd_conn *conns;
    struct xsd_domain *doms[DOMID_FIRST_RESERVED]; /* introduced domains */
    const struct xsd_ring_ops *ring;               /* NULL: not available */
    uint32_t next_conn_id;
    bool log_requests;                             /* CONTROL log on/off */
};

/* A daemon core with an initial tree and quota q (copied). NULL on
 * allocation failure. */
struct xsd *xsd_new(const struct xsd_quota *q);
/* Free every connection (transports must have let go), domain and node. */
void xsd_free(struct xsd *d);

/* ------------------------------------------------------------------------
 * Domains (domain.c)
 * ------------------------------------------------------------------------ */
/* The introduced domain `domid`, or NULL. */
struct xsd_domain *xsd_domain_find(struct xsd *d, uint32_t domid);
/*
 * Serve dom's ring: d->ring->attach(), then hand the connection it made
 * (the newest live `persist` connection with dom's domid) the
 * watches restored for the domain, each firing once as a new watch does.
 * Sets dom->ring_served. Returns 0 or attach's negative errno
 * (-XEN_ENODEV without a ring transport); restored watches stay with the
 * domain until an attach succeeds.
 */
int xsd_domain_attach(struct xsd *d, struct xsd_domain *dom);
/* What RELEASE does but the @releaseDomain event: end the domain's
 * connections, detach its ring, clear targets naming it, free it. */
void xsd_domain_release(struct xsd *d, struct xsd_domain *dom);
/* Free a domain record and its restored watches (no other effect). */
void xsd_domain_free(struct xsd_domain *dom);
/* Parse a decimal domid (0..65535, nothing else). 0 or -XEN_EINVAL. */
int xsd_domid_parse(const char *s, uint32_t *domid);

/* ------------------------------------------------------------------------
 * Permissions of a connection (perms.c)
 * ------------------------------------------------------------------------ */
/*
 * What connection c may do to a node with these perms: XSD_PERM_READ,
 * XSD_PERM_WRITE, XSD_PERM_OWNER bits. Dom0 and the owner (or the domain
 * the caller targets, SET_TARGET) may do everything; then the entry for
 * the caller's domid (or its target's); then the default, perms[0].
 */
uint32_t xsd_perm_for(const struct xsd_conn *c, const struct xsd_perm *perms,
                      uint32_t nperms);

/* ------------------------------------------------------------------------
 * Views and transactions (view.c, txn.c)
 * ------------------------------------------------------------------------ */
/* What a request reads and writes: the store, or a transaction over it. */
struct xsd_view {
    struct xsd_store *s;
    struct xsd_txn *t; /* NULL: the store itself */
};

/* The node at canonical `path` as this view sees it, or NULL. In a
 * transaction the access is recorded for conflict detection. */
const struct xsd_node *xsd_view_get(const struct xsd_view *v, const char *path);
/* Store n (the view takes it). 0 or -XEN_ENOMEM (n freed). */
int xsd_view_put(const struct xsd_view *v, struct xsd_node *n);
/* Remove the node at `path`. 0 or -XEN_ENOMEM. */
int xsd_view_del(const struct xsd_view *v, const char *path);
/* Nodes owned by `domid` as this view sees them. */
uint32_t xsd_view_owned(const struct xsd_view *v, uint32_t domid);

/* A watch event waiting for its transaction's commit. */
struct xsd_event {
    char *path;
    bool exact;
    struct xsd_perm *old; /* permissions before the change, or NULL */
    uint32_t nold;
};

struct xsd_txn_ent {
    char *path;
    uint64_t base_gen;     /* generation when first accessed, 0: absent */
    bool modified;
    struct xsd_node *node; /* if modified: new contents, NULL: deleted */
};

struct xsd_txn {
    struct xsd_txn *next;
    struct xsd_conn *conn;
    uint32_t id;
    struct xsd_hash ents;  /* path -> struct xsd_txn_ent */
    int64_t own_delta;     /* change in nodes owned by conn's domid */
    bool oom;              /* an access went unrecorded: the commit fails */
    struct xsd_event *events;
    size_t nevents, cap_events;
};

/* Start a transaction on c (quota checked by the caller). NULL on ENOMEM. */
struct xsd_txn *xsd_txn_start(struct xsd_conn *c);
/* The transaction `id` of c, or NULL. */
struct xsd_txn *xsd_txn_find(struct xsd_conn *c, uint32_t id);
/*
 * End t (it is freed either way). commit=false discards it. On commit,
 * -XEN_EAGAIN if any node it read or wrote changed meanwhile, -XEN_ENOSPC if
 * the caller's node quota would be exceeded; else its changes are applied
 * and its watch events fire. Returns 0 or that error.
 */
int xsd_txn_end(struct xsd_txn *t, bool commit);

/* ------------------------------------------------------------------------
 * Watches (watch.c)
 * ------------------------------------------------------------------------ */
/*
 * A node changed: queue an event for every matching watch whose owner may
 * read the node (or, with `old`, could read it before) or its parent. With
 * exact, only watches on exactly `path` match (removed descendants);
 * otherwise watches on `path` or any parent. Inside transaction t (not
 * NULL) the event waits for the commit. Returns 0 or -XEN_ENOMEM.
 */
int xsd_watch_fire(struct xsd *d, struct xsd_txn *t, const char *path, bool exact,
                   const struct xsd_perm *old, uint32_t nold);
/* Fire a special watch ("@introduceDomain"/"@releaseDomain") for every
 * connection allowed to see it (dom0, or read access to the special node). */
void xsd_watch_fire_special(struct xsd *d, const char *special);
/* Add a watch to c; 0, -XEN_EEXIST (same path and token), -XEN_ENOMEM. */
int xsd_watch_add(struct xsd_conn *c, const char *path, const char *token, uint32_t strip);
/* Remove one; 0 or -XEN_ENOENT. */
int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token);
/* Queue one WATCH_EVENT for w with event path `path` (stripped for
 * relative watches). Honours the output limits. */
void xsd_watch_send(struct xsd_conn *c, const struct xsd_watch *w, const char *path);

/* ------------------------------------------------------------------------
 * Requests (dispatch.c and op_*.c)
 * ------------------------------------------------------------------------ */
struct xsd_req {
    struct xsd *d;
    struct xsd_conn *c;
    struct xsd_sockmsg hdr;
    const char *payload;  /* hdr.len bytes, followed by a NUL guard */
    struct xsd_txn *t;    /* the request's transaction, or NULL */
    struct xsd_view v;
};

/* Serve one complete message: the reply (or XS_ERROR) is queued on c. */
void xsd_dispatch(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const char *payload);

/* Split the payload into NUL-ended strings: up to max pointers in v.
 * Returns the number of strings, or -XEN_EINVAL if the payload does not
 * end with a NUL (an empty payload has 0 strings). */
int xsd_req_strings(const struct xsd_req *r, const char **v, int max);
/* The payload as exactly one string, or NULL. */
const char *xsd_req_onearg(const struct xsd_req *r);
/* Queue the reply (type of the request). 0 or -XEN_ENOMEM. */
int xsd_reply(struct xsd_req *r, const void *data, uint32_t len);
/* Reply with a NUL-ended string ("OK"). */
int xsd_reply_str(struct xsd_req *r, const char *s);

/* The handlers: each returns 0 (reply queued) or a negative Xen errno,
 * which dispatch turns into an XS_ERROR reply. */
int xsd_op_read(struct xsd_req *r);
int xsd_op_write(struct xsd_req *r);
int xsd_op_mkdir(struct xsd_req *r);
int xsd_op_rm(struct xsd_req *r);
int xsd_op_directory(struct xsd_req *r);
int xsd_op_directory_part(struct xsd_req *r);
int xsd_op_get_perms(struct xsd_req *r);
int xsd_op_set_perms(struct xsd_req *r);
int xsd_op_watch(struct xsd_req *r);
int xsd_op_unwatch(struct xsd_req *r);
int xsd_op_reset_watches(struct xsd_req *r);
int xsd_op_transaction_start(struct xsd_req *r);
int xsd_op_transaction_end(struct xsd_req *r);
int xsd_op_introduce(struct xsd_req *r);
int xsd_op_release(struct xsd_req *r);
int xsd_op_is_domain_introduced(struct xsd_req *r);
int xsd_op_get_domain_path(struct xsd_req *r);
int xsd_op_resume(struct xsd_req *r);
int xsd_op_set_target(struct xsd_req *r);
int xsd_op_control(struct xsd_req *r);

/* The wire name of a Xen errno ("ENOENT"); EINVAL's for unknown ones. */
const char *xsd_errno_name(int err);

/* ------------------------------------------------------------------------
 * Persistence (persist.c): the state that survives a restart
 * ------------------------------------------------------------------------
 *
 * What is saved: every node (path, permissions, value: any bytes), the
 * introduced domains (domid, gfn, event channel, target) and the watches
 * of `persist` connections (guest rings: path, token,
 * relative strip). Not saved: transactions in flight, dom0's socket
 * connections and their watches, queued output, partial input, node
 * generations (they restart; per-owner quota counts are rebuilt).
 *
 * The file (little-endian throughout):
 *   header, 32 bytes:
 *     0  magic "PVXSDST1" (XSD_STATE_MAGIC, 8 bytes)
 *     8  u32 version (XSD_STATE_VERSION, 1)
 *    12  u32 flags, 0
 *    16  u64 body length (the file is exactly 32 + this)
 *    24  u32 reserved, 0
 *    28  u32 CRC-32 (IEEE, as zlib's crc32) of bytes 0..27 then the body
 *   body:
 *     u32 node count, then each node, "/" first and every node after its
 *     parent (children in their creation order, the special nodes last):
 *       u32 path length, path bytes (canonical, no NUL)
 *       u32 permission count (>= 1), then per entry u32 domid, u32 bits
 *         (XSD_PERM_READ | XSD_PERM_WRITE; the first entry is the owner)
 *       u32 value length (<= 4096), value bytes
 *     u32 domain count, then each domain:
 *       u32 domid, u64 gfn, u32 event channel, u32 target (or DOMID_INVALID)
 *       u32 watch count, then each watch, in the order set:
 *         u32 path length, path; u32 token length, token; u32 strip
 * Nothing may follow. A file that breaks any rule is refused whole.
 */
#define XSD_STATE_MAGIC   "PVXSDST1"
#define XSD_STATE_VERSION 1u
#define XSD_STATE_HDR     32u
#define XSD_STATE_MAX     (256u << 20) /* a bigger file is refused */

/* CRC-32 (IEEE 802.3, reflected, as zlib) of len bytes, continuing from
 * crc (0 to start). */
uint32_t xsd_crc32(uint32_t crc, const void *buf, size_t len);

/* The whole state as a file image in a malloc'ed buffer (*out, *len).
 * 0 or -XEN_ENOMEM. */
int xsd_persist_encode(const struct xsd *d, uint8_t **out, size_t *len);

/*
 * Load a file image into d, which must not have domains or open
 * transactions yet (-XEN_EBUSY). On success the store is replaced, the
 * domains are introduced with `restoring` set (not served until
 * xsd_persist_restore) and their saved watches kept on them. On failure d
 * is unchanged and why (cap bytes) says what was wrong: -XEN_EBADMSG
 * (bad magic, checksum, length or content), -XEN_EOPNOTSUPP (unknown
 * version or flags), -XEN_ENOMEM.
 */
int xsd_persist_decode(struct xsd *d, const void *buf, size_t len, char *why, size_t cap);

/*
 * Write the state to `path` safely: to "<path>.tmp", fsync, rename over
 * path, fsync the directory; a crash leaves the old file or the new one,
 * never half of one. 0 or a negative errno.
 */
int xsd_persist_save(const struct xsd *d, const char *path);

/*
 * Load `path` into d at start. Returns 1 if loaded, 0 if there is no file
 * (a fresh start), or a negative errno if it was refused: then it is
 * logged and moved aside to "<path>.bad", and d is left fresh. Never
 * fails otherwise; a hostile file is only refused.
 */
int xsd_persist_load(struct xsd *d, const char *path);

/*
 * Serve the rings of the domains a load restored, once the loop runs:
 * xsd_domain_attach() each. A domain pvhv no longer has (-XEN_ESRCH), or
 * when no pvhv runs at all (-XEN_ENOENT, -XEN_ECONNREFUSED: no domain can
 * exist), is released, and @releaseDomain fires once for them all. Other
 * failures are counted and left to a later call; with `last`, such
 * domains stay introduced but unserved (an INTRODUCE with the same gfn
 * serves them and hands over their watches). @introduceDomain never fires
 * for restored domains. Returns the number left to retry.
 */
int xsd_persist_restore(struct xsd *d, bool last);

/* A number that changes whenever the saved state would: the tree, the
 * domain list, a persisting connection's watches. */
uint64_t xsd_persist_seq(const struct xsd *d);

#endif
