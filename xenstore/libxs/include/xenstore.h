/* SPDX-License-Identifier: MIT */
/*
 * xenstore.h: libxs, pvhv's xenstore client library. It offers the API of
 * Xen's libxenstore (same names, types, flags and behaviour), so a program
 * written for <xenstore.h> builds against either, and links against libxs.
 *
 * Conventions (as libxenstore's):
 * - Functions returning a pointer return memory the caller frees with one
 *   free(); NULL means failure, with errno set.
 * - Functions returning bool return false on failure, with errno set.
 * - Errors from the daemon arrive by name and become errno values: ENOENT
 *   (no such node), EACCES (permissions), EINVAL (bad path or argument),
 *   EEXIST, ENOSPC (a quota), E2BIG (watch quota), EAGAIN (transaction
 *   conflict: start again), EBUSY, ENOSYS, EPERM, ...
 * - Connection failures give the errno of the failing call (ECONNRESET
 *   when the daemon closed the connection).
 * - A handle may be used by several threads at once: requests are
 *   serialised on the connection; watch events are queued per handle.
 * - Paths are absolute ("/local/domain/1/name") or relative to the
 *   caller's home, /local/domain/<domid> (dom0: /local/domain/0).
 *
 * The daemon's socket is found as libxenstore finds it: $XENSTORED_PATH,
 * else $XENSTORED_RUNDIR/socket, else pvhv's $PV_RUNDIR/xenstored/socket
 * (PV_RUNDIR defaulting to /run/pv).
 */
#ifndef PVHV_LIBXS_XENSTORE_H
#define PVHV_LIBXS_XENSTORE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvhv/io/xs_wire.h> /* XS_* message types, XS_WATCH_PATH/TOKEN */

#ifdef __cplusplus
extern "C" {
#endif

/* No transaction. */
#define XBT_NULL 0

/* xs_open() flags. */
#define XS_OPEN_READONLY   (1UL << 0) /* accepted; pvxenstored has one socket,
                                         so the daemon's permissions decide */
#define XS_OPEN_SOCKETONLY (1UL << 1) /* accepted; libxs only uses sockets */
#define XS_UNWATCH_FILTER  (1UL << 2) /* xs_unwatch() also drops the removed
                                         watch's queued events */

/* A connection to the daemon. */
struct xs_handle;

/* A transaction id (XBT_NULL: none). */
typedef uint32_t xs_transaction_t;

/* One permission entry: domain `id` gets `perms`. The first entry of a
 * node's list names its owner and the access of every domain not listed. */
struct xs_permissions {
    unsigned int id;
    unsigned int perms; /* XS_PERM_* bits */
};
#define XS_PERM_NONE      0x00
#define XS_PERM_READ      0x01
#define XS_PERM_WRITE     0x02
#define XS_PERM_ENOENT_OK 0x04 /* internal to xenstored; never sent */
#define XS_PERM_OWNER     0x08 /* internal to xenstored; never sent */
#define XS_PERM_IGNORE    0x10 /* internal to xenstored; never sent */

/* Room for the decimal form of an integer of type x, sign and NUL. */
#define MAX_STRLEN(x) (sizeof(x) * CHAR_BIT / 3 + 3)

/* ---- Opening and closing ---------------------------------------------- */

/* Connect to the daemon (flags: XS_OPEN_*). Returns a handle, or NULL with
 * errno (ENOENT or ECONNREFUSED: no daemon at the socket path, ENOMEM). */
struct xs_handle *xs_open(unsigned long flags);
/* Close h (NULL is fine): its watches and open transactions end with it.
 * A thread blocked in xs_read_watch() on h must not be left running. */
void xs_close(struct xs_handle *h);
/* Old names: xs_open(0), xs_open(0), xs_open(XS_OPEN_READONLY), xs_close(). */
struct xs_handle *xs_daemon_open(void);
struct xs_handle *xs_domain_open(void);
struct xs_handle *xs_daemon_open_readonly(void);
void xs_daemon_close(struct xs_handle *h);
/* In a child after fork(): free h and close its socket without talking to
 * the daemon or touching threads (the parent's handle stays usable). */
void xs_daemon_destroy_postfork(struct xs_handle *h);

/* ---- The tree ----------------------------------------------------------- */

/* The children of `path` (leaf names) in transaction t: an array of *num
 * strings in one allocation. NULL with errno on failure (ENOENT, EACCES).
 * Lists longer than one message are fetched in parts (DIRECTORY_PART). */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                    unsigned int *num);
/* The value of `path`, with a NUL added after it (not counted in *len;
 * len may be NULL). NULL with errno on failure (ENOENT, EACCES). */
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
/* Set `path` to len bytes of data, creating it and missing parents.
 * false with errno on failure (EACCES, ENOSPC: quota, EINVAL). */
bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len);
/* Create `path` (and parents) with an empty value if missing. */
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);
/* Remove `path` and everything below it. Removing a missing node whose
 * parent exists succeeds; ENOENT if the parent is missing too. */
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);
/* Retired in Xen (XS_RESTRICT): always false with errno ENOSYS. */
bool xs_restrict(struct xs_handle *h, unsigned domid);

/* ---- Permissions -------------------------------------------------------- */

/* The permission list of `path` (or "@introduceDomain"/"@releaseDomain"):
 * *num entries, one allocation. NULL with errno on failure. */
struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num);
/* Replace the permission list of `path` with num_perms entries (the first
 * names the owner). Only the owner or dom0 may; only dom0 may change the
 * owner (EPERM). false with errno on failure. */
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms);

/* ---- Watches ------------------------------------------------------------ */

/* Watch `path` and everything below it (or a special path,
 * "@introduceDomain" or "@releaseDomain"); events carry `token`. The new
 * watch fires once at once. false with errno (EEXIST: same path and token
 * already, E2BIG: watch quota, EINVAL). */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);
/* A file descriptor that is readable while watch events are queued, for
 * poll(); it belongs to h. -1 with errno on failure. */
int xs_fileno(struct xs_handle *h);
/* The next queued event without waiting: a vector whose
 * [XS_WATCH_PATH] is the changed path and [XS_WATCH_TOKEN] the token, one
 * allocation. NULL with errno EAGAIN if none is queued. */
char **xs_check_watch(struct xs_handle *h);
/* The next event, waiting for one; *num gets the vector's length (2).
 * NULL with errno if the connection failed. */
char **xs_read_watch(struct xs_handle *h, unsigned int *num);
/* Remove the watch on `path` with `token`. false with errno ENOENT if
 * there is none. */
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* ---- Transactions -------------------------------------------------------- */

/* Start a transaction; XBT_NULL with errno on failure (ENOSPC: quota). */
xs_transaction_t xs_transaction_start(struct xs_handle *h);
/* Commit (abort=false) or discard t. A commit fails with EAGAIN when
 * another change conflicted: start again. t is over either way. */
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/* ---- Domains (dom0 only, but xs_get_domain_path) ------------------------ */

/* Tell the daemon about domain `domid`: its xenstore ring at frame `mfn`
 * and its event channel `eventchn`. Fires @introduceDomain. */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                         unsigned int eventchn);
/* Let `domid` act for `target` (a device model for its guest). */
bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target);
/* Re-arm @releaseDomain for a domain that was shut down and resumed. */
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);
/* Forget `domid`: its connections, watches and transactions end; fires
 * @releaseDomain. ENOENT if it was not introduced. */
bool xs_release_domain(struct xs_handle *h, unsigned int domid);
/* "/local/domain/<domid>", malloc'd; NULL with errno on failure. */
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);
/* Is `domid` introduced? false also on failure (errno set then). */
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/* ---- Miscellaneous ------------------------------------------------------ */

/* Is `child` equal to `parent` or below it? */
bool xs_path_is_subpath(const char *parent, const char *child);
/* Send a CONTROL command (dom0 only) with len bytes of parameters (each
 * NUL-ended, e.g. "on\0"); returns the daemon's answer, malloc'd. */
char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);
/* The old name of xs_control_command(). */
char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);
/* The suspend event channel of `domid` (its
 * /local/domain/<domid>/device/suspend/event-channel), or -1. */
int xs_suspend_evtchn_port(int domid);

/* The daemon's run directory and socket path as described above (a
 * string that stays valid in this thread until the next call). */
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
/* The same socket: pvxenstored has no separate read-only one. */
const char *xs_daemon_socket_ro(void);
/* Write all len bytes to fd, retrying short writes and EINTR. */
bool xs_write_all(int fd, const void *data, unsigned int len);
/* Parse `num` NUL-ended permission strings ("r5", "b0", ...) into perms.
 * false with errno EINVAL on a malformed one. */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings);

#ifdef __cplusplus
}
#endif

#endif
