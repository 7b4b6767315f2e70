/* harness.h: whole-system test helpers: a private pvhv per test, guests
 * booted through the control socket, and waits on what a user would see. */
#ifndef PVHV_TEST_HARNESS_H
#define PVHV_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pvctrl.h"

struct host {
    char rundir[64];
    pid_t pvhv;
    struct pvctrl *ctl;
};

/* Fail the test with a clear message when /dev/kvm is missing, or skip
 * it when PV_ALLOW_NO_KVM=1. */
void need_kvm(void);

/*
 * Start pvhv in a fresh temporary run directory and connect to it. Fails
 * the test (criterion assert) if it cannot; if /dev/kvm is missing the test
 * fails with a clear message, or is skipped when PV_ALLOW_NO_KVM=1.
 */
void host_start(struct host *h);

/* Stop pvhv (SIGTERM, then SIGKILL after 5 s) and remove the directory.
 * Returns pvhv's exit status (or 128+signal). */
int host_stop(struct host *h);

/* Is pvhv still running? */
bool host_alive(struct host *h);

/* Path of a built artefact, e.g. build_path("guests/refguest.elf"). */
const char *build_path(const char *rel);

/* Create, load and unpause the reference guest with `cmdline`. Returns
 * the domid (asserts on failure). */
uint32_t boot_refguest(struct host *h, const char *name, const char *cmdline,
                       uint32_t vcpus, uint64_t memory_mib);

/* Create and load the reference guest with `cmdline` but leave it paused,
 * as a toolstack does while it sets the domain up in xenstore; start it
 * with pvctrl_domain_unpause. Returns the domid (asserts on failure). */
uint32_t create_refguest(struct host *h, const char *name, const char *cmdline,
                         uint32_t vcpus, uint64_t memory_mib);

/* Wait up to `ms` for the domain to reach `state` (PVHV_DOMSTATE_*). */
bool wait_state(struct host *h, uint32_t domid, uint32_t state, int ms,
                struct pvhv_ctl_dominfo *info);

/*
 * Wait up to `ms` for the domain to shut down, noting meanwhile what
 * KVM kept for its vCPU 0 (pvhv_ctl_vcpuinfo): in *seen, the last
 * non-zero timer_port, and kvm_runstate if it was ever set. Returns
 * whether it shut down (*info: its last state).
 */
bool wait_shutdown_watching_vcpu0(struct host *h, uint32_t domid, int ms,
                                  struct pvhv_ctl_dominfo *info, struct pvhv_ctl_vcpuinfo *seen);

/* What PV_KVM_XEN in the test's environment asks of pvhv: 1 (KVM's Xen
 * support, as the SVM lab's xen-on run), 0 (not), -1 (unset: whatever
 * the host offers). */
int kvm_xen_expected(void);

/* The last 12 KiB of the file at `path` (a daemon's log, for failure
 * messages), or "(no log)". A static buffer: the next call reuses it. */
const char *file_tail(const char *path);

/*
 * Wait up to `ms` for the domain to shut down, then read its whole console
 * into `out` (`cap` bytes); fails the test (with state, crash reason and
 * console) if it did not shut down. *info is the domain's last state.
 */
void expect_shutdown(struct host *h, uint32_t domid, int ms, struct pvhv_ctl_dominfo *info,
                     char *out, size_t cap);

/*
 * Wait up to `ms` until the domain's console holds `text`. The console so
 * far is kept in `out` (NUL-terminated, `cap` bytes). Returns true if seen.
 */
bool wait_console(struct host *h, uint32_t domid, const char *text, int ms,
                  char *out, size_t cap);

/*
 * A dom0 daemon of the build tree (`prog`: "pvxenstored", "pvblkback", ...)
 * on the host's run directory, started as pvctl would start it, with
 * --debug under PVHV_TEST_VERBOSE. Waits until `ready` (a path under the
 * run directory: a socket that accepts, or any file such as a pid file)
 * exists; asserts if the daemon dies or 5 s pass. For pvxenstored it also
 * points libxs in this process at its socket (XENSTORED_PATH). Returns the
 * daemon's pid.
 */
pid_t host_daemon_start(struct host *h, const char *prog, const char *ready);
/* Send `sig` to a daemon host_daemon_start made and reap it; its wait
 * status. */
int host_daemon_stop(pid_t pid, int sig);

/* The toolstack's xenstore introduction of a new domain: the ring pvhv set
 * up (HVM_PARAM_STORE_PFN/_EVTCHN) handed to xenstored. Asserts. */
struct xs_handle;
void host_introduce(struct host *h, struct xs_handle *xs, uint32_t domid);

/* Monotonic milliseconds. */
double now_ms(void);

/*
 * Write a minimal PVH kernel to `path`: `code` (len bytes) loaded at 1 MiB
 * and entered there in 32-bit mode. For guests a test wants to misbehave
 * in ways the reference guest never would.
 */
void write_tiny_kernel(const char *path, const uint8_t *code, size_t len);

/* Create, load `kernel` and unpause; returns the domid. */
uint32_t boot_kernel(struct host *h, const char *name, const char *kernel,
                     const char *cmdline, uint32_t vcpus, uint64_t memory_mib);

#endif
