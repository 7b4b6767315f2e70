/* control.h: the control socket: transport, checks and op dispatch for
 * the protocol in <pvhv/pvhv_control.h>. */
#ifndef PVHV_CONTROL_H
#define PVHV_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include <pvhv/pvhv_control.h>

/* A request as an op handler sees it: checked header, payload, fds. */
struct ctl_request {
    int client;          /* the connection (owns dom0 ports, maps) */
    pid_t pid;           /* the client's process, for grant copies */
    const struct pvhv_ctl_request *hdr;
    const void *payload;
    size_t len;
    int fds[PVHV_CTL_MAX_FDS];
    int nfds;
};

/* The reply an op handler fills: payload bytes, status from its return. */
struct ctl_reply {
    uint8_t *payload;    /* PVHV_CTL_MSG_MAX - header bytes available */
    size_t len;          /* bytes written */
    size_t cap;
    int fds[PVHV_CTL_MAX_FDS]; /* sent with the reply; pvhv keeps its own
                                  copies unless `close_fds` */
    int nfds;
    bool close_fds;      /* close fds[] once sent */
};

/*
 * An op handler. Returns 0 or a negative Xen errno (the reply status).
 * It may write a payload even on error (a message, for LOAD_KERNEL).
 * File descriptors in the request are closed after the handler returns.
 */
typedef int (*ctl_op_fn)(const struct ctl_request *req, struct ctl_reply *rep);

/* Append `len` bytes to the reply payload. 0, or -E2BIG if they do not fit. */
int ctl_put(struct ctl_reply *rep, const void *data, size_t len);

/* dom0's event channel, grant and foreign-memory ops, and HVM params
 * (control_dom0.c). */
int ctl_op_evtchn_bind(const struct ctl_request *req, struct ctl_reply *rep);
int ctl_op_evtchn_close(const struct ctl_request *req, struct ctl_reply *rep);
int ctl_op_gnttab_map(const struct ctl_request *req, struct ctl_reply *rep);
int ctl_op_gnttab_unmap(const struct ctl_request *req, struct ctl_reply *rep);
int ctl_op_gnttab_copy(const struct ctl_request *req, struct ctl_reply *rep);
int ctl_op_hvm_param_get(const struct ctl_request *req, struct ctl_reply *rep);
int ctl_op_foreign_map(const struct ctl_request *req, struct ctl_reply *rep);

/* The op table (control_ops.c). Index = op number; NULL = unknown. */
extern const ctl_op_fn ctl_ops[];
extern const size_t ctl_nr_ops;

/*
 * Handle one received message (its bytes, its fds) and build the reply
 * into `out` (PVHV_CTL_MSG_MAX bytes). Returns the reply's size. Closes
 * every fd. Pure of sockets, so tests can feed it anything.
 */
size_t ctl_handle_message(const void *msg, size_t len, int *fds, int nfds,
                          uint8_t *out, struct ctl_reply *rep_out);

/* Identify the client for the next ctl_handle_message (tests: 0, 0). */
void ctl_set_client(int client, pid_t pid);

/* A client went away: close its dom0 ports, unmap its grants. */
void ctl_client_gone(int client);

/*
 * Bind the control socket at `path` (mode 0600). A socket file left by a
 * dead pvhv is replaced; a live one makes this fail with -EADDRINUSE.
 * Returns the listening fd or -errno.
 */
int ctl_listen(const char *path);

/* Accept one client on `listen_fd`. Non-root peers get an -EPERM reply and
 * are closed here; returns the client fd, or -1 if there is none to serve. */
int ctl_accept(int listen_fd);

/* Serve one message from client `fd`. Returns 0, or -1 when the client
 * is gone (the caller closes it). */
int ctl_serve(int fd);

#endif
