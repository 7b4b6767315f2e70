/* backend_xenbus.h: the xenstore plumbing of a xenbus backend daemon
 * (pvblkback, pvnetback): the connection to pvxenstored (lost and found
 * again), the watch on the whole backend root ROOT (e.g.
 * /local/domain/0/backend/vbd) and on each frontend's state node, nodes
 * read, nodes written into a device's directory only while it exists (in
 * a transaction, so a directory the toolstack removed is never brought
 * back), the xenbus error node, and listing ROOT/DOMID/DEVID.
 *
 * Each device's state machine stays in the daemon: this file calls back
 * into it (struct bk_xs_ops) with the (domid, devid) a watch or a listing
 * concerns. */
#ifndef BACKEND_XENBUS_H
#define BACKEND_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

/* What the daemon does for this file; `arg` is bk_xs.arg. */
struct bk_xs_ops {
    /* The connection was closed: every frontend watch is gone with it
     * (the daemon forgets it set them, to set them again). */
    void (*lost)(void *arg);
    /* Look again at device ROOT/domid/devid (may create or free it). */
    void (*check)(void *arg, uint32_t domid, uint32_t devid);
    /* Is there a device record for ROOT/domid/devid? */
    bool (*known)(void *arg, uint32_t domid, uint32_t devid);
    /* The device whose frontend directory is path[0..len): true and its
     * ids, or false if none. */
    bool (*by_fpath)(void *arg, const char *path, size_t len, uint32_t *domid,
                     uint32_t *devid);
    /* bk_xs_scan found ROOT/domid/devid listed and checked it. */
    void (*seen)(void *arg, uint32_t domid, uint32_t devid);
};

struct bk_xs {
    /* Set by the daemon before bk_xs_connect: */
    const char *root;          /* the backend root, watched as a whole */
    const char *token_be;      /* watch tokens ("pvblkback-be", "-fe") */
    const char *token_fe;
    int epfd;                  /* the loop's epoll set */
    uint64_t data;             /* epoll data of xenstore's fd */
    int tick_ms;               /* the retry period (for the messages) */
    const struct bk_xs_ops *ops;
    void *arg;
    /* State: */
    struct xs_handle *xs;      /* NULL while xenstore is not there */
    bool waiting_logged;       /* "waiting for xenstore" said once */
    bool fresh;                /* the first rescan after (re)connecting */
    bool rescan_now;           /* a full rescan is due (a watch event was
                                  dropped, a domain dir came or went...) */
};

/* One node to write: ROOT/.../key = val. */
struct bk_kv {
    const char *key;
    char val[32];
};

/*
 * Connect to pvxenstored if not connected, watch the root, add the fd to
 * the epoll set. Returns true if it connected now (logs "connected to
 * xenstore (SOCKET)"; fresh and rescan_now are set); false if already
 * connected or if it failed (logged once per outage, or as a warning when
 * the watch or epoll failed; retried at the next tick).
 */
bool bk_xs_connect(struct bk_xs *x);

/* Close the connection (no-op if closed) and call ops->lost. */
void bk_xs_close(struct bk_xs *x);

/*
 * A request failed with errno `errno` (0: EIO). A refusal (ENOENT,
 * EACCES, EINVAL, ENOSPC, E2BIG, EAGAIN, EEXIST, EPERM, EBUSY) is the
 * caller's business; anything else means the connection broke: logged
 * ("lost xenstore (WHAT PATH: ...)") and closed. Returns -errno either way.
 */
int bk_xs_failed(struct bk_xs *x, const char *what, const char *path);

/* Read dir/key (in transaction `t`, or XBT_NULL) into a malloc'd
 * NUL-terminated string; NULL with errno set (ENOTCONN without a
 * connection, ENAMETOOLONG, ENOENT, ...; a broken connection is closed). */
char *bk_xs_read(struct bk_xs *x, xs_transaction_t t, const char *dir, const char *key);

/* dir/key as an unsigned decimal into *out: 0, -ENOENT, -EINVAL (not a
 * number) or -errno. */
int bk_xs_read_uint(struct bk_xs *x, const char *dir, const char *key, unsigned long long *out);

/*
 * Read a new device's bpath/frontend into fpath (`size` bytes) and check
 * it: a directory of domain `domid` (/local/domain/DOMID/...), no "//",
 * no trailing '/', and bpath/frontend-id, if present, equal to domid (a
 * toolstack record pointing elsewhere must not make us map another
 * domain's pages). Returns 0, -EINVAL (a record not to trust), or -errno
 * (-ENOENT: the toolstack has not written it yet).
 */
int bk_xs_read_frontend(struct bk_xs *x, const char *bpath, uint32_t domid, char *fpath,
                        size_t size);

/* Does `path` exist? 1, 0, or -errno (connection trouble). */
int bk_xs_exists(struct bk_xs *x, const char *path);

/* Set (`on`) or drop the watch on fpath/state with token_fe; *watched
 * says whether it is set (nothing done if it already matches, or if
 * fpath is empty or xenstore is away). */
void bk_xs_watch_fe(struct bk_xs *x, const char *fpath, bool *watched, bool on);

/*
 * Write the `n` nodes dir/kvs[i].key in one transaction if dir/state
 * exists (retried while the transaction conflicts). Returns 0, -ENOENT
 * (dir is gone: nothing written), -ENOTCONN, -EAGAIN (conflicts all the
 * time) or -errno.
 */
int bk_xs_write_guarded(struct bk_xs *x, const char *dir, const struct bk_kv *kvs, unsigned n);

/* As Linux's xenbus_dev_fatal: write bpath/error = "ERRNO MSG" (err is
 * -errno), in a transaction, only while bpath/state exists. Best effort:
 * nothing is returned (a lost connection is closed). */
void bk_xs_write_error(struct bk_xs *x, const char *bpath, int err, const char *msg);

/* The xenstore fd is readable: take every watch event. ROOT/N or ROOT
 * itself sets rescan_now; ROOT/N/D/... calls ops->check if the device is
 * unknown or the node is D itself, D/online or D/state; a frontend's
 * .../state calls ops->check for its device. A dropped event sets
 * rescan_now; a broken connection is closed. */
void bk_xs_events(struct bk_xs *x);

/* List ROOT/N/D and call ops->check then ops->seen for each (N up to
 * 0x7FEF). Returns 0 if the whole listing was done (devices not seen are
 * gone then), or -errno (incomplete: connection trouble). */
int bk_xs_scan(struct bk_xs *x);

#endif
