/* refguest.h: the reference guest's commands and the console lines they print. */
#ifndef REFGUEST_H
#define REFGUEST_H

#include <pvfront/pvfront.h>

/*
 * Each command returns what pvfront_main returns (0: power off, else the
 * domain crashes) or does not return. Lines tests can match:
 *
 * hello       "Hello from pvhv guest" then SHUTDOWN_poweroff.
 * info        "info: ..." lines: platform, vCPUs, memory map, free RAM, the
 *             clock (pvclock or TSC) checked against the TSC; power off.
 * crash       "refguest: triple fault now", then an empty IDT and ud2:
 *             the vCPU shuts down (KVM_EXIT_SHUTDOWN), no hypercall.
 * crashcode   "refguest: crashing on purpose", SHUTDOWN_crash.
 * reboot      "refguest: rebooting", SHUTDOWN_reboot.
 * spin        "spin N t=MS ms" every interval_ms=M (default 100) of TSC
 *             time, N counting from 0, forever.
 * tick        "tick N t=MS ms" every interval_ms=M (default 1000) of
 *             pvclock time, sleeping on the vCPU timer in between.
 * compute     n=N (default 100000000): "compute: n=N ticks=T ns=NS
 *             result=0xR" (T = TSC ticks of refguest_compute(N)), then
 *             power off.
 * smp         each vCPU prints "cpu N online"; CPU 0 then prints
 *             "smp: N of N cpus online" and powers off, or after 5 s
 *             "smp: only K of N cpus online" and crashes.
 * echo        "echo: ready" then echoes each input line as "echo: LINE";
 *             the line "quit" prints "echo: bye (VIRQ_CONSOLE woke me N
 *             times, M timeouts)" and powers off. Input comes from CONSOLEIO_read
 *             (pvhv's per-domain console; VIRQ_CONSOLE says it arrived).
 *             If the hypervisor refuses console input (Xen does, to a
 *             domU): "echo: console input unavailable (ERR)", power off.
 * fault       type=pf|ud|bp|gp|de (default pf): "refguest: raising TYPE",
 *             then libpvfront's report ("pvfront: cpu 0: exception V
 *             (NAME) at rip R, error E" ...) and SHUTDOWN_crash.
 * traps       int3 and ud2 1000 times each through registered handlers:
 *             "traps: 2000 of 2000 handled; int3 N ns, ud2 M ns each",
 *             power off.
 * grant-to    peer=D: grants a page saying "shared by domU N" to D and
 *             prints "grantto: ref=R"; then console lines: "revoke" ->
 *             "grantto: revoke ok|busy|error", "show" -> "grantto: page
 *             says '...'", "quit" -> power off.
 * gntmap      peer=D ref=R: maps D's grant at guest-physical 1 GiB:
 *             "gntmap: map rc=0 status=0", "gntmap: read '...'", writes
 *             "written by domU N" there, "gntmap: second map at the same
 *             address status=S", "gntmap: mapped"; after a console line
 *             "gntmap: unmap rc=0 status=0" and power off.
 * kickbench   the guest half of bench/evtchn_bench (n=N samples):
 *             "kickbench: port=P ref=R pages=64", then after dom0's go
 *             "kickbench: guest ns min/median/p99: raw_exit=a/b/c
 *             raw_ioeventfd=... evtchn_send=... null_hypercall=...",
 *             then "kickbench: dom0_to_guest ns min/median/p99: kick=..."
 *             and "kickbench: done"; power off.
 * hypercalls  "PASS name" / "FAIL name: got X want Y" / "SKIP name: why"
 *             lines, then "hypercalls: N passed, M failed" and power off
 *             (crash if M > 0).
 *
 * Event channel and grant commands. Each wait gives up after timeout_ms=N
 * (default 10000), printing "<prefix>: timeout" and crashing; any other
 * failure prints "<prefix>: <what> failed: ERR" and crashes. Before its
 * last line each prints the upcall counters (pvfront/evtchn.h):
 *   "evtchn: stats upcalls=U events=E polled=P stuck=S"
 * On a hypervisor that delivers upcalls, E counts every event and P and
 * S stay 0 (P may count events that came before a CPU was set up; S an
 * upcall the host delayed by 50 ms).
 *
 * evtchn-dom0   rounds=N (10): alloc_unbound(remote_dom=0), then
 *               "evtchn: port P"; N times: wait for an event on P, send on
 *               P; then "evtchn: N round trips", power off. (dom0 binds to
 *               P, sends, waits for the answer, N times.)
 * evtchn-guest  role=server peer=D rounds=N: alloc_unbound(remote_dom=D),
 *               "evtchn: port P", then as evtchn-dom0 (wait, send).
 *               role=client peer=D port=P rounds=N: bind_interdomain(D, P),
 *               "evtchn: connected to D:P, local port L", drops the event
 *               the bind leaves pending, then N times: send, wait.
 *               Both end with "evtchn: N round trips" and power off.
 * virq-timer    count=N (10): bind VIRQ_TIMER on CPU 0; N times: arm
 *               set_timer_op 10 ms ahead and wait for the VIRQ. Prints
 *               "virq: lateness min A us max B us, E early", then
 *               "virq: N timer events" and powers off; an event before its
 *               deadline (E > 0) prints "virq: E events came before their
 *               deadline" instead and crashes.
 * ipi           rounds=N (10), 2+ vCPUs ("ipi: needs 2 vcpus, have 1" and
 *               crash otherwise): bind_ipi on CPUs 0 and 1, "ipi: ports A
 *               (cpu 0) and B (cpu 1)"; CPU 0 sends on B and waits on A, CPU
 *               1 waits on B and sends on A, N times. "ipi: upcall modes
 *               cpu0 M cpu1 M" (PVFRONT_EVTCHN_UPCALL_*, 2 = per-vCPU
 *               vector), then "ipi: N round trips", power off.
 * grant         Places one grant frame and takes two pages A and B (free
 *               RAM after the image). A holds "hello from domU <domid>",
 *               B "readonly page" (NUL-terminated). Grants A to dom0
 *               read-write (ref RA), B read-only (ref RB), alloc_unbound
 *               (remote_dom=0) port P; prints
 *               "grant: ref=RA roref=RB port=P". Waits for an event on P
 *               (dom0 mapped and wrote A), prints
 *               "grant: dom0 wrote 'STRING'" (A up to its NUL, at most
 *               4095 bytes, unprintable bytes as '?'). Ends access to RA:
 *               "grant: revoke while mapped: busy" (-EBUSY, expected),
 *               "... UNEXPECTED ok" or "... error ERR". Sends on P, waits
 *               for an event on P (dom0 unmapped), ends access to RA and
 *               RB: "grant: revoke after unmap: ok" (or "busy" / "error
 *               ERR"), "grant: revoke readonly after unmap: ok" (same
 *               forms). Powers off.
 *
 * xenstore    libpvfront's xenstore client (pvfront/xenbus.h) over the
 *             domain's ring; HOME is /local/domain/<domid>. Lines, in order:
 *               "xenstore: init ok pfn=0xPFN port=P" (HVM_PARAM_STORE_*)
 *               "xenstore: read HOME = 'VALUE'" (the first request; with
 *                 retry=N, a timeout prints "xenstore: read HOME failed:
 *                 -110 ETIMEDOUT, retrying" and tries again, N times)
 *               "xenstore: wrote HOME/data/greeting = hello from <domid>"
 *               "xenstore: read HOME/data/greeting = hello from <domid>"
 *               "xenstore: directory HOME/data: N entries: NAME NAME ..."
 *               "xenstore: transaction committed (tries=T)": one
 *                 transaction writes HOME/data/tx-a = "one" and
 *                 HOME/data/tx-b = "two T" (T: the try that committed; a
 *                 conflict, EAGAIN, starts over, up to 5 tries)
 *               "xenstore: big value of 2000 bytes read back intact"
 *                 (HOME/data/big, longer than the 1 KiB ring)
 *               "xenstore: waiting for HOME/data/poke": watch on it with
 *                 token "tok"; then "xenstore: event PATH token TOKEN" for
 *                 each event (the first comes at once) until the node can
 *                 be read, within timeout_ms (10 s): "xenstore: poke =
 *                 VALUE", or "xenstore: timeout waiting for PATH" and crash
 *               with dev=TYPE/ID (DEV = HOME/device/TYPE/ID, whose "state"
 *                 and "backend" nodes the toolstack made): "xenstore:
 *                 switched DEV to state 3" (Initialised), then waits for
 *                 the node "<DEV/backend>/state" to reach 4: "xenstore:
 *                 backend BACKEND/state reached state S" (crash unless 4),
 *                 "xenstore: switched DEV to state 4" (Connected)
 *               "xenstore: denied read /local/domain/0/secret: -E NAME"
 *               "xenstore: denied write /local/domain/0/secret: -E NAME"
 *                 (-13 EACCES for a node dom0 made with perms "n0"; one
 *                 that is not refused prints "xenstore: UNEXPECTED read
 *                 ... = VALUE" / "UNEXPECTED write ... succeeded")
 *               "xenstore: stats requests=R timeouts=T events=E dropped=D
 *                 late=L bad=B" (struct pvfront_xs_stats)
 *               "xenstore: done", power off.
 *             Any failing step prints "xenstore: STEP failed: -E NAME"
 *             (STEP: init, read HOME, write greeting, read greeting,
 *             directory, transaction, write big, read big, watch,
 *             read_watch, read poke, unwatch, switch_state, read backend,
 *             wait_state; NAME from pvfront_xs_errname) and crashes. A domain
 *             never introduced to xenstored prints "xenstore: read HOME
 *             failed: -110 ETIMEDOUT" about 5 s after "init ok".
 */
int cmd_hello(const struct pvfront_boot_info *bi);
int cmd_info(const struct pvfront_boot_info *bi);
int cmd_crash(const struct pvfront_boot_info *bi);
int cmd_crashcode(const struct pvfront_boot_info *bi);
int cmd_reboot(const struct pvfront_boot_info *bi);
int cmd_spin(const struct pvfront_boot_info *bi);
int cmd_tick(const struct pvfront_boot_info *bi);
int cmd_sleep(const struct pvfront_boot_info *bi);
int cmd_kickbench(const struct pvfront_boot_info *bi);
int cmd_grant_to(const struct pvfront_boot_info *bi);
int cmd_gntmap(const struct pvfront_boot_info *bi);
int cmd_compute(const struct pvfront_boot_info *bi);
int cmd_smp(const struct pvfront_boot_info *bi);
int cmd_echo(const struct pvfront_boot_info *bi);
int cmd_hypercalls(const struct pvfront_boot_info *bi);
int cmd_fault(const struct pvfront_boot_info *bi);
int cmd_traps(const struct pvfront_boot_info *bi);
int cmd_evtchn_dom0(const struct pvfront_boot_info *bi);
int cmd_evtchn_guest(const struct pvfront_boot_info *bi);
int cmd_virq_timer(const struct pvfront_boot_info *bi);
int cmd_ipi(const struct pvfront_boot_info *bi);
int cmd_grant(const struct pvfront_boot_info *bi);
int cmd_xenstore(const struct pvfront_boot_info *bi);

/* cmd_evtchn.c, shared with cmd_grant.c. */
/* refguest_timeout_ns: timeout_ms=N from the command line (default 10 s), in ns. */
uint64_t refguest_timeout_ns(void);
/*
 * refguest_wait: pvfront_evtchn_wait with that timeout; on failure prints
 * "<who>: timeout" or "<who>: wait on port P failed: ERR". Returns its result.
 */
int refguest_wait(const char *who, evtchn_port_t port);
/* refguest_evtchn_stats: print "evtchn: stats upcalls=U events=E polled=P stuck=S". */
void refguest_evtchn_stats(void);

#endif /* REFGUEST_H */
