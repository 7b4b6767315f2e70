/* pvctl.h: what pvctl's verbs share: the session (run directory, the
 * connections to pvhv and xenstore), domain lookup, the host stack, the
 * xenstore records of a domain and the saved configs. */
#ifndef PVCTL_PVCTL_H
#define PVCTL_PVCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pvhv/xen.h>
#include <pvctrl.h>
#include <xenstore.h>

#include "xlcfg.h"

/* xl's exit codes: 0 done, 1 failed, 2 bad usage. */
#define EXIT_USAGE 2

struct session {
    char rundir[4096];
    char bindir[4096];       /* where pvhv, pvxenstored, pvconsoled live */
    struct pvctrl *ctl;      /* NULL until session_connect */
    struct xs_handle *xs;    /* NULL when no pvxenstored answers */
};

/* Error and warning lines: "pvctl: ..." on stderr. */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error located in a config ("FILE:LINE: key: ..."), printed as is,
 * the way compilers print theirs. */
void cfgerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- host.c: the daemons under the run directory ---------------------- */
/*
 * Make sure pvhv, pvxenstored and pvconsoled serve s->rundir, starting the
 * missing ones (logs in RUNDIR/log/), then connect s->ctl and s->xs.
 * Returns 0 or -errno (a message was printed).
 */
int session_connect(struct session *s, bool start_missing);
/* session_connect for a verb: start the daemons only for create. Returns
 * 0, or -errno with a message printed. */
int session_need(struct session *s, bool start_missing);
/* Start the backend daemon `prog` ("pvblkback") if it is not running (the
 * backends start on first use). 0 or -errno, with a message printed. */
int host_need_backend(struct session *s, const char *prog);
void session_close(struct session *s);
int cmd_host(struct session *s, int argc, char **argv);

/* ---- domains.c: finding domains --------------------------------------- */
/*
 * Resolve a domain given by name or by number into *domid. Names come from
 * xenstore (/local/domain/N/name), else pvhv. Returns 0, or -ESRCH with a
 * message printed.
 */
int domain_lookup(struct session *s, const char *spec, uint32_t *domid);
/* The domain's name (xenstore, else pvhv) into buf; "" if unknown. */
void domain_name(struct session *s, uint32_t domid, char *buf, size_t len);
/* Is `name` taken by a live domain? */
bool domain_name_taken(struct session *s, const char *name);

/* ---- xs_txn.c: many writes in one xenstore transaction ---------------- */
struct xs_txn {
    struct xs_handle *xs;
    xs_transaction_t t;
    bool ok;                 /* false after the first failure */
};
/* Write `value` at the formatted path. */
void txn_put(struct xs_txn *t, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* `owner` owns path (full rights); `reader` may read it (may equal owner). */
void txn_perms(struct xs_txn *t, const char *path, uint32_t owner, uint32_t reader);

/* ---- devices.c: what every split-driver device shares -------------------- */
/* Add a device's frontend dir /local/domain/N/device/KIND/DEVID and backend
 * dir /local/domain/0/backend/KIND/N/DEVID to a transaction, with their
 * owners, cross-links and initial states; their paths go to fe and be. */
void device_dirs(struct xs_txn *t, uint32_t domid, const char *kind, uint32_t devid,
                 char fe[128], char be[128]);
/* Write a device's records (records(t, domid, dev)) in one transaction,
 * retried on EAGAIN. 0 or -errno. */
int device_commit(struct session *s, uint32_t domid,
                  void (*records)(struct xs_txn *t, uint32_t domid, const void *dev),
                  const void *dev);
/* Detach as xl does: backend online=0 and Closing, wait up to 10 s for
 * Closed, then remove both dirs. `what` names it in messages. 0 or -ENOENT. */
int device_detach(struct session *s, uint32_t domid, const char *kind, uint32_t devid,
                  const char *what);
/* For the *-attach/-detach/-list verbs: options (-h), exactly `want`
 * operands, the first a domain; connects. -1 to go on, else an exit code. */
int device_args(struct session *s, int argc, char **argv, int want, uint32_t *domid);
/* xs_read of a formatted path (malloc'd, NULL if absent). */
char *xs_readf(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- disks.c: virtual block devices ------------------------------------ */
/* Xen's vbd number of a vdev name (docs/misc/vbd-interface.txt): xvdX,
 * sdX, hdX or a plain number. 0 or -EINVAL. */
int vbd_devid(const char *vdev, uint32_t *devid);
/* Add a disk's frontend and backend directories to a transaction, as
 * libxl lays them out. */
void disk_records(struct xs_txn *t, uint32_t domid, const struct xlcfg_disk *d);
/* How many of the config's disks are PV ones (served by pvblkback; the
 * others are backendtype=emulated). */
unsigned disks_pv_count(const struct xlcfg *cfg);
/* Give pvhv the config's backendtype=emulated disk, if it has one (the
 * parser allows at most one). 0, or -errno with a config error printed at
 * the disk's line. */
int disks_attach_emulated(struct session *s, uint32_t domid, const struct xlcfg *cfg);
int cmd_block_attach(struct session *s, int argc, char **argv);
int cmd_block_detach(struct session *s, int argc, char **argv);
int cmd_block_list(struct session *s, int argc, char **argv);

/* ---- vifs.c: virtual network interfaces -------------------------------- */
/* Add vif `devid` of a domain (uuid for its default MAC) to a transaction,
 * as libxl lays it out. */
void vif_records(struct xs_txn *t, uint32_t domid, const uint8_t uuid[16], uint32_t devid,
                 const struct xlcfg_vif *v);
int cmd_network_attach(struct session *s, int argc, char **argv);
int cmd_network_detach(struct session *s, int argc, char **argv);
int cmd_network_list(struct session *s, int argc, char **argv);

/* ---- networks.c: host networks (libhostnet) ---------------------------- */
int cmd_net_create(struct session *s, int argc, char **argv);
int cmd_net_destroy(struct session *s, int argc, char **argv);
int cmd_net_list(struct session *s, int argc, char **argv);

/* ---- records.c: xenstore records and saved configs -------------------- */
/* Write the records xl writes for a new domain (paused, not yet run) and
 * introduce it to xenstore. 0 or -errno. */
int records_write(struct session *s, uint32_t domid, const struct xlcfg *cfg);
/* Remove them and release the domain from xenstore (idempotent). */
void records_remove(struct session *s, uint32_t domid);
/* Rename in xenstore (/local/domain/N/name and /vm/UUID/name). */
int records_rename(struct session *s, uint32_t domid, const char *name);

/* The config a domain was created from (to restart it, and for list -l):
 * saved as RUNDIR/domains/UUID.cfg, the file's text plus the overrides. */
int config_save(struct session *s, const uint8_t uuid[16], const char *text);
/* Load it into a malloc'd string (*text), 0 or -errno. */
int config_load(struct session *s, const uint8_t uuid[16], char **text);
void config_remove(struct session *s, const uint8_t uuid[16]);

/* ---- create.c ---------------------------------------------------------- */
/*
 * Build and start a domain from a parsed config: create, load, records,
 * unpause unless `paused`. On any failure nothing is left behind.
 * Returns 0 and *domid, or -errno with a message printed.
 */
int domain_build(struct session *s, const struct xlcfg *cfg, bool paused, uint32_t *domid);
/* Destroy a domain and everything pvctl made for it. */
int domain_teardown(struct session *s, uint32_t domid);

/* ---- monitor.c: carrying out on_poweroff/on_reboot/on_crash ----------- */
/* Fork a detached process that watches `domid` and acts on its shutdown
 * (xl's per-domain daemon). 0 or -errno. */
int monitor_spawn(struct session *s, uint32_t domid, const uint8_t uuid[16]);

/* ---- the verbs (each returns an exit code) ---------------------------- */
int cmd_create(struct session *s, int argc, char **argv);
int cmd_list(struct session *s, int argc, char **argv);
int cmd_destroy(struct session *s, int argc, char **argv);
int cmd_shutdown(struct session *s, int argc, char **argv);
int cmd_reboot(struct session *s, int argc, char **argv);
int cmd_pause(struct session *s, int argc, char **argv);
int cmd_unpause(struct session *s, int argc, char **argv);
int cmd_console(struct session *s, int argc, char **argv);
int cmd_info(struct session *s, int argc, char **argv);
int cmd_domid(struct session *s, int argc, char **argv);
int cmd_domname(struct session *s, int argc, char **argv);
int cmd_rename(struct session *s, int argc, char **argv);
int cmd_vcpu_list(struct session *s, int argc, char **argv);
int cmd_dmesg(struct session *s, int argc, char **argv);
int cmd_uptime(struct session *s, int argc, char **argv);

/* list -l: the domains as JSON on stdout (list_json.c); an exit code. */
int list_json(struct session *s, const struct pvhv_ctl_dominfo *infos, int n);

/* Print the usage of `verb` to f; false if there is no such verb. */
bool verb_usage(const char *verb, FILE *f);

/* Attach to a domain's console (console.c); returns an exit code. */
int console_run(struct session *s, uint32_t domid);

#endif
