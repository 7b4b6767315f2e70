/* SPDX-License-Identifier: MIT */
/*
 * io/xs_wire.h: the xenstore wire protocol: message header, message types,
 * error names, and the shared ring page a guest talks to xenstore through.
 *
 * Every xenstore request and reply is a struct xsd_sockmsg followed by
 * `len` bytes of payload. A guest sends them through the
 * xenstore_domain_interface page (HVM_PARAM_STORE_PFN, event channel in
 * HVM_PARAM_STORE_EVTCHN); dom0 programs may use a socket instead, with
 * the same bytes. pvhv's xenstore daemon runs in dom0; pvhv itself only
 * provides the page and the event channel. All of Xen 4.17's message
 * types are declared; a server answers a type it does not implement with
 * XS_ERROR "ENOSYS".
 *
 * Payload conventions: strings are separated and ended by NUL bytes. Below,
 * "|" stands for a NUL. A request with a `tx_id` runs inside that
 * transaction (0: none). A failed request is answered with type XS_ERROR
 * and the error's name, e.g. "ENOENT|" (see XSD_ERROR).
 */
#ifndef PVHV_PUBLIC_IO_XS_WIRE_H
#define PVHV_PUBLIC_IO_XS_WIRE_H

#include "../pvhv_abi.h"
#include "../errno.h" /* XEN_E* for the error table */

/* Message types (xsd_sockmsg.type). A reply carries the request's type. */
enum xsd_sockmsg_type {
    XS_CONTROL,              /* 0: <cmd>|<args>|* -> text. dom0 only */
#define XS_DEBUG XS_CONTROL  /* older name of XS_CONTROL */
    XS_DIRECTORY,            /* 1: <path>| -> <child>|* */
    XS_READ,                 /* 2: <path>| -> <value> (not NUL-ended) */
    XS_GET_PERMS,            /* 3: <path>| -> <perm>|+ */
    XS_WATCH,                /* 4: <path>|<token>| -> "OK|", then one
                                   XS_WATCH_EVENT for <path> at once */
    XS_UNWATCH,              /* 5: <path>|<token>| -> "OK|" */
    XS_TRANSACTION_START,    /* 6: | -> <tx id in decimal>| */
    XS_TRANSACTION_END,      /* 7: "T|" commit or "F|" abort -> "OK|";
                                   EAGAIN: conflict, start again */
    XS_INTRODUCE,            /* 8: <domid>|<gfn>|<evtchn>| -> "OK|". dom0 */
    XS_RELEASE,              /* 9: <domid>| -> "OK|". dom0 */
    XS_GET_DOMAIN_PATH,      /* 10: <domid>| -> "/local/domain/<domid>|" */
    XS_WRITE,                /* 11: <path>|<value> -> "OK|" */
    XS_MKDIR,                /* 12: <path>| -> "OK|" */
    XS_RM,                   /* 13: <path>| -> "OK|" (removes the subtree) */
    XS_SET_PERMS,            /* 14: <path>|<perm>|+ -> "OK|" */
    XS_WATCH_EVENT,          /* 15: server to client, unsolicited:
                                    <path>|<token>|; req_id and tx_id 0 */
    XS_ERROR,                /* 16: reply only: <errno name>| */
    XS_IS_DOMAIN_INTRODUCED, /* 17: <domid>| -> "T|" or "F|". dom0 */
    XS_RESUME,               /* 18: <domid>| -> "OK|". dom0 */
    XS_SET_TARGET,           /* 19: <domid>|<target domid>| -> "OK|". dom0 */
    /* 20 was XS_RESTRICT, retired; the number stays unused. */
    XS_RESET_WATCHES = XS_SET_TARGET + 2, /* 21: | -> "OK|": drop all
                                             the caller's watches */
    XS_DIRECTORY_PART,       /* 22: <path>|<offset>| -> <generation>|
                                    <child>|* then an empty string;
                                    for directories too big for one reply */
    XS_TYPE_COUNT,           /* 23: number of type values defined */
    XS_INVALID = 0xffff      /* never a valid type */
};

/*
 * Permission strings (XS_GET_PERMS, XS_SET_PERMS): a letter then a domid,
 * e.g. "n0" "r5": n none, r read, w write, b both. The first entry names
 * the owner and the access of all domains not listed.
 */

/* Mode words of an old form of XS_WRITE; kept for their names only. */
#define XS_WRITE_NONE        "NONE"
#define XS_WRITE_CREATE      "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Errors travel as their names ("EINVAL"), never as numbers, so both ends
 * may use their own errno values. struct xsd_errors maps one to the other.
 */
struct xsd_errors {
    int errnum;            /* the error as a positive errno value */
    const char *errstring; /* its name on the wire, e.g. "EINVAL" */
};
PVHV_ABI_SIZE(struct xsd_errors, 16);
PVHV_ABI_OFFSET(struct xsd_errors, errnum, 0);
PVHV_ABI_OFFSET(struct xsd_errors, errstring, 8);

/*
 * One table entry: the Xen errno value (errno.h) and the name. Xen builds
 * the entry from the host's errno.h; pvhv uses Xen's values so the table
 * also builds freestanding (they equal Linux's on x86_64).
 */
#define XSD_ERROR(x) { XEN_##x, #x }

/*
 * All the entries, in Xen's order (a pvhv addition; Xen writes them out
 * as a static array). Build a table with
 *     static const struct xsd_errors xsd_errors[] = { PVHV_XSD_ERRORS };
 * The order matters: new names go at the end, and a client that receives
 * a name it does not know takes the first entry, EINVAL.
 */
#define PVHV_XSD_ERRORS                                                 \
    XSD_ERROR(EINVAL),    XSD_ERROR(EACCES),  XSD_ERROR(EEXIST),        \
    XSD_ERROR(EISDIR),    XSD_ERROR(ENOENT),  XSD_ERROR(ENOMEM),        \
    XSD_ERROR(ENOSPC),    XSD_ERROR(EIO),     XSD_ERROR(ENOTEMPTY),     \
    XSD_ERROR(ENOSYS),    XSD_ERROR(EROFS),   XSD_ERROR(EBUSY),         \
    XSD_ERROR(EAGAIN),    XSD_ERROR(EISCONN), XSD_ERROR(E2BIG),         \
    XSD_ERROR(EPERM)

/*
 * The header of every message, in both directions. The payload follows
 * immediately; it is at most XENSTORE_PAYLOAD_MAX bytes.
 */
struct xsd_sockmsg {
    uint32_t type;   /* XS_*; a reply repeats the request's type or is
                        XS_ERROR */
    uint32_t req_id; /* chosen by the client; echoed in the reply */
    uint32_t tx_id;  /* transaction id, 0 for none; echoed */
    uint32_t len;    /* payload bytes that follow */
};
PVHV_ABI_SIZE(struct xsd_sockmsg, 16);
PVHV_ABI_OFFSET(struct xsd_sockmsg, type, 0);
PVHV_ABI_OFFSET(struct xsd_sockmsg, req_id, 4);
PVHV_ABI_OFFSET(struct xsd_sockmsg, tx_id, 8);
PVHV_ABI_OFFSET(struct xsd_sockmsg, len, 12);

/* Strings in an XS_WATCH_EVENT payload, by position. */
enum xs_watch_type {
    XS_WATCH_PATH = 0, /* the path that changed */
    XS_WATCH_TOKEN     /* the token given to XS_WATCH */
};

/* ------------------------------------------------------------------------
 * The shared page (one 4 KiB page per guest)
 *
 * Two byte rings, each a stream of whole messages (a message may wrap
 * around the end). Indexes are free-running 32-bit counters; the byte at
 * index i is at MASK_XENSTORE_IDX(i). A ring holds prod - cons bytes,
 * never more than XENSTORE_RING_SIZE.
 *
 *   req[]: guest writes messages, advances req_prod; xenstore reads them,
 *          advances req_cons.
 *   rsp[]: xenstore writes replies and watch events, advances rsp_prod;
 *          the guest reads them, advances rsp_cons.
 *
 * A producer writes bytes, then a write barrier, then its prod index, then
 * notifies the event channel. A consumer reads prod, a read barrier, the
 * bytes, then a full barrier before storing cons (so the bytes are read
 * before the space is handed back), then notifies. Either side may
 * notify on every index change; there is no suppression.
 * ------------------------------------------------------------------------ */
#define XENSTORE_RING_SIZE 1024 /* bytes in each ring; a power of two */
typedef uint32_t XENSTORE_RING_IDX;
/* Byte offset in a ring of free-running index `idx`. */
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];  /* guest to xenstore: requests */
    char rsp[XENSTORE_RING_SIZE];  /* xenstore to guest: replies, events */
    XENSTORE_RING_IDX req_cons;    /* written by xenstore */
    XENSTORE_RING_IDX req_prod;    /* written by the guest */
    XENSTORE_RING_IDX rsp_cons;    /* written by the guest */
    XENSTORE_RING_IDX rsp_prod;    /* written by xenstore */
    uint32_t server_features;      /* written by xenstore:
                                      XENSTORE_SERVER_FEATURE_* */
    uint32_t connection;           /* XENSTORE_CONNECTED/RECONNECT; the
                                      guest sets RECONNECT, xenstore
                                      resets the rings and sets CONNECTED */
    uint32_t error;                /* written by xenstore: XENSTORE_ERROR_* */
};
PVHV_ABI_SIZE(struct xenstore_domain_interface, 2076);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, rsp, 1024);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, req_cons, 2048);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, req_prod, 2052);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, rsp_cons, 2056);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, rsp_prod, 2060);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, server_features, 2064);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, connection, 2068);
PVHV_ABI_OFFSET(struct xenstore_domain_interface, error, 2072);

/* Longest payload of one message. Exceeding it is a protocol violation
 * (xenstore may set XENSTORE_ERROR_PROTO and stop serving the ring). */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longest paths accepted. Longer ones just get an error reply. */
#define XENSTORE_ABS_PATH_MAX 3072 /* paths starting with "/" */
#define XENSTORE_REL_PATH_MAX 2048 /* paths relative to /local/domain/<id> */

/* server_features bits. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* `connection` is honoured */
#define XENSTORE_SERVER_FEATURE_ERROR        2 /* `error` is filled in */

/* connection values. */
#define XENSTORE_CONNECTED 0 /* normal operation */
#define XENSTORE_RECONNECT 1 /* the guest asked for a ring reset */

/* error values: why xenstore stopped serving the ring. */
#define XENSTORE_ERROR_NONE    0 /* no error */
#define XENSTORE_ERROR_COMM    1 /* could not talk over the ring */
#define XENSTORE_ERROR_RINGIDX 2 /* an index was out of range */
#define XENSTORE_ERROR_PROTO   3 /* protocol violation, e.g. payload too
                                    long */

#endif /* PVHV_PUBLIC_IO_XS_WIRE_H */
