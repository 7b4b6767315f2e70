/* pvctrl.h: libpvctrl, dom0's door to the pvhv daemon.
 *
 * Every function returns 0 (or a count) on success and a negative Xen errno
 * on failure: what pvhv answered, or the local error (-ECONNREFUSED when no
 * pvhv listens, -EIO on a broken reply). A handle is not thread-safe; use
 * one per thread.
 */
#ifndef PVCTRL_H
#define PVCTRL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <pvhv/pvhv_control.h>

struct pvctrl;

/*
 * Connect to pvhv's control socket in `rundir` (NULL: $PV_RUNDIR, else
 * /run/pv). Returns 0 and a handle in *out, or -errno.
 */
int pvctrl_open(const char *rundir, struct pvctrl **out);
void pvctrl_close(struct pvctrl *h);

/*
 * Send request `op` with `payload` (`len` bytes) and `nfds` file
 * descriptors; wait for its reply. The reply payload (at most `cap` bytes)
 * goes to `reply`, its size to *reply_len (either may be NULL/0).
 * Returns the reply's status.
 */
int pvctrl_call(struct pvctrl *h, uint16_t op, const void *payload, size_t len,
                const int *fds, int nfds, void *reply, size_t cap,
                size_t *reply_len);

/* As pvctrl_call, and receive up to `max_fds` file descriptors the reply
 * carries into rfds (*nrfds: how many; the caller closes them). */
int pvctrl_call_fds(struct pvctrl *h, uint16_t op, const void *payload, size_t len,
                    const int *fds, int nfds, void *reply, size_t cap,
                    size_t *reply_len, int *rfds, int max_fds, int *nrfds);

/* Create a paused domain. *domid receives its id. */
int pvctrl_domain_create(struct pvctrl *h, const char *name,
                         const uint8_t uuid[16], uint64_t memory_kib,
                         uint32_t vcpus, uint32_t *domid);

/*
 * Load the kernel at path `kernel` (and `ramdisk` if not NULL) with
 * `cmdline`. On -ENOEXEC and other load errors pvhv's reason is copied to
 * `why` (size `why_len`, may be NULL).
 */
int pvctrl_domain_load(struct pvctrl *h, uint32_t domid, const char *kernel,
                       const char *ramdisk, const char *cmdline, char *why,
                       size_t why_len);

/*
 * Give the domain its emulated disk (pvhv_platform.h, PVHV_EDISK_PORT):
 * the file or block device at `path`, opened here read-only when `flags`
 * has PVHV_EMUL_DISK_F_READONLY, else read-write, and passed to pvhv,
 * which keeps it until the domain is destroyed. At most one per domain.
 * Returns 0, or a negative errno with the reason in `why` (size
 * `why_len`, may be NULL): open()'s error, or pvhv's (-ESRCH no domain,
 * -EEXIST one attached already, -EINVAL not a file or block device or
 * smaller than a sector, -EACCES).
 */
int pvctrl_emul_disk_attach(struct pvctrl *h, uint32_t domid, const char *path, uint32_t flags,
                            char *why, size_t why_len);

int pvctrl_domain_unpause(struct pvctrl *h, uint32_t domid);
int pvctrl_domain_pause(struct pvctrl *h, uint32_t domid);
int pvctrl_domain_destroy(struct pvctrl *h, uint32_t domid);
/* Ask the domain to shut down with `reason` (SHUTDOWN_*). */
int pvctrl_domain_shutdown(struct pvctrl *h, uint32_t domid, uint32_t reason);
int pvctrl_domain_getinfo(struct pvctrl *h, uint32_t domid,
                          struct pvhv_ctl_dominfo *info);

/* Fill up to `max` infos of domains with id >= first. Returns the count. */
int pvctrl_domain_list(struct pvctrl *h, uint32_t first,
                       struct pvhv_ctl_dominfo *infos, unsigned max);

/* Per-vCPU info of a domain; returns how many entries were filled. */
int pvctrl_vcpu_info(struct pvctrl *h, uint32_t domid,
                     struct pvhv_ctl_vcpuinfo *infos, unsigned max);

/*
 * Read the domain's hypervisor console from stream offset *offset into
 * buf (at most `cap` bytes). Advances *offset past what was read. Returns
 * the number of bytes read (0 when nothing new).
 */
int pvctrl_console_read(struct pvctrl *h, uint32_t domid, uint64_t *offset,
                        void *buf, size_t cap);

/* Read HVM parameter `index` (HVM_PARAM_*) of a domain into *value. */
int pvctrl_hvm_param_get(struct pvctrl *h, uint32_t domid, uint32_t index,
                         uint64_t *value);

/*
 * Map `count` guest frames from `gfn` of a domain read-write into this
 * process (a privileged foreign map, as xenforeignmemory_map; used for the
 * xenstore and console rings). Returns the address, or NULL with errno set
 * (ESRCH no such domain, EINVAL frames out of range). Undo with
 * munmap(addr, count * 4096); the mapping outlives the domain harmlessly.
 */
void *pvctrl_foreign_map(struct pvctrl *h, uint32_t domid, uint64_t gfn, uint32_t count);

/*
 * Start the pvhv daemon `pvhv_path` on run directory `rundir` (created if
 * missing) and wait up to 5 s until its control socket answers. `quiet`
 * passes --quiet. Returns 0 and its pid in *pid, -EADDRINUSE if a pvhv
 * already serves `rundir`, -ETIMEDOUT or -ECHILD if it did not come up.
 */
int pvctrl_start_pvhv(const char *pvhv_path, const char *rundir, int quiet,
                      pid_t *pid);

/* SIGTERM the daemon `pid`, SIGKILL after `timeout_ms`; returns its exit
 * status (128 + signal if killed). */
int pvctrl_stop_pvhv(pid_t pid, int timeout_ms);

/* ------------------------------------------------------------------------
 * Event channels, in the shape of libxenevtchn. Each handle has its own
 * connection to pvhv; its ports close with it. Not thread-safe.
 * ------------------------------------------------------------------------ */
struct pvctrl_evtchn;

/* Open a handle (rundir as pvctrl_open). 0 or -errno. */
int pvctrl_evtchn_open(const char *rundir, struct pvctrl_evtchn **out);
/* Close it and every port it holds. */
void pvctrl_evtchn_close(struct pvctrl_evtchn *h);
/* A file descriptor that polls readable while some port has an event. */
int pvctrl_evtchn_fd(struct pvctrl_evtchn *h);
/* A local port that domain `domid` may bind to. Returns the port or a
 * negative Xen errno. */
int pvctrl_evtchn_bind_unbound_port(struct pvctrl_evtchn *h, uint32_t domid);
/* Bind to `remote_port` of `domid` (unbound for dom0). Returns the local
 * port, or -ESRCH (no domain), -EINVAL (not an unbound port for dom0). */
int pvctrl_evtchn_bind_interdomain(struct pvctrl_evtchn *h, uint32_t domid,
                                   uint32_t remote_port);
/* Close a local port; the guest's end becomes unbound. */
int pvctrl_evtchn_unbind(struct pvctrl_evtchn *h, uint32_t port);
/* Signal the guest through local `port`. 0, or -EINVAL (not ours). */
int pvctrl_evtchn_notify(struct pvctrl_evtchn *h, uint32_t port);
/* Take one port with an event: returns it, or -EAGAIN if none. Repeated
 * events before this call count as one, as Xen's pending bit does. */
int pvctrl_evtchn_pending(struct pvctrl_evtchn *h);
/* Re-enable delivery on `port` after pending() (kept for libxenevtchn's
 * shape: pvhv's ports never mask, so it only checks the port). */
int pvctrl_evtchn_unmask(struct pvctrl_evtchn *h, uint32_t port);

/* ------------------------------------------------------------------------
 * Grants, in the shape of libxengnttab. Not thread-safe.
 * ------------------------------------------------------------------------ */
struct pvctrl_gnttab;

int pvctrl_gnttab_open(const char *rundir, struct pvctrl_gnttab **out);
/* Unmaps everything it mapped and closes. */
void pvctrl_gnttab_close(struct pvctrl_gnttab *h);
/*
 * Map `count` grants of `domid` (refs[]) as one contiguous region of
 * count pages: PROT_READ alone maps read-only (GNTMAP_readonly), with
 * PROT_WRITE read-write. Returns the address, or NULL with errno set
 * (EINVAL, ESRCH no domain, EPERM a grant refused: not granted to dom0,
 * read-only, bad ref). Either all are mapped or none.
 */
void *pvctrl_gnttab_map_grant_refs(struct pvctrl_gnttab *h, uint32_t count,
                                   uint32_t domid, const uint32_t *refs, int prot);
/* Unmap a region map_grant_refs returned (count pages). 0 or -EINVAL. */
int pvctrl_gnttab_unmap(struct pvctrl_gnttab *h, void *addr, uint32_t count);
/*
 * Run `count` grant copies (struct gnttab_copy from <pvhv/grant_table.h>;
 * a side without its GNTCOPY_*_gref flag is an address in this process,
 * in u.gmfn). Each op's status is written back. 0, or a negative errno if
 * the batch could not be sent.
 */
struct gnttab_copy;
int pvctrl_gnttab_grant_copy(struct pvctrl_gnttab *h, uint32_t count,
                             struct gnttab_copy *ops);

/* Type `len` bytes (at most PVHV_CONSOLE_INPUT_SIZE) into the domain's
 * hypervisor console. Returns how many were taken, or a negative errno. */
int pvctrl_console_input(struct pvctrl *h, uint32_t domid, const void *data, size_t len);

/* Printable name of a PVHV_DOMSTATE_*. */
const char *pvctrl_state_name(uint32_t state);

#endif
