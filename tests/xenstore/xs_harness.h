/* xs_harness.h: xenstore test helpers: pvxenstored's core driven through
 * its own parser by test connections, and a real daemon in a temporary
 * run directory. */
#ifndef PVHV_TEST_XS_HARNESS_H
#define PVHV_TEST_XS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "xsd.h"

/* A core with Xen's default quotas (quiet log). Asserts on failure. */
struct xsd *xst_core(void);

/* A connection acting as `domid` (0: dom0). A non-zero domid is introduced
 * first if it is not yet (as the toolstack would). */
struct xsd_conn *xst_conn(struct xsd *d, uint32_t domid);

/* One reply as the client sees it. */
struct xst_reply {
    uint32_t type, req_id, tx_id, len;
    char body[XENSTORE_PAYLOAD_MAX + 1]; /* NUL added after len bytes */
};

/* Send a raw message (header made here) byte by byte or whole, and take
 * the reply; watch events that came first are kept for xst_event(). */
struct xst_reply xst_call(struct xsd_conn *c, uint32_t type, uint32_t tx, const void *payload,
                          uint32_t len);

/*
 * Send NUL-ended strings (a NULL-ended list) and return the answer as
 * text: the first string of the reply ("OK", a value, a tx id) or
 * "error ENOENT" for an XS_ERROR. The text lives until the next call.
 */
const char *xst_req(struct xsd_conn *c, uint32_t type, uint32_t tx, ...)
    __attribute__((sentinel));

/* Shorthands. */
const char *xst_read(struct xsd_conn *c, uint32_t tx, const char *path);
const char *xst_write(struct xsd_conn *c, uint32_t tx, const char *path, const char *value);
uint32_t xst_tx_start(struct xsd_conn *c);
const char *xst_tx_end(struct xsd_conn *c, uint32_t tx, bool commit);

/* The next queued watch event of c, if any (path and token copied out). */
bool xst_event(struct xsd_conn *c, char *path, char *token);
/* Drop every queued event of c. */
void xst_drain(struct xsd_conn *c);

/* Path of a built artefact ($PVHV_BUILD/rel). */
const char *xst_build_path(const char *rel);

/* A pvxenstored process in a fresh run directory (extra args NULL-ended).
 * Fills rundir (64 bytes) and sets XENSTORED_PATH for this process and its
 * children. Asserts if the daemon does not come up. */
pid_t xst_daemon_start(char *rundir, ...) __attribute__((sentinel));
/* SIGTERM it and wait; returns its exit status (128+signal if killed);
 * removes the run directory. */
int xst_daemon_stop(pid_t pid, const char *rundir);

/* Run a shell command with output captured into out (cap bytes, NUL-ended);
 * returns its exit status. */
int xst_run(const char *cmd, char *out, size_t cap);

#endif
