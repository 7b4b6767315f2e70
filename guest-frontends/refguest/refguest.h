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
 * compute     n=N (default 100000000): "compute: n=N ticks=T ns=NS
 *             result=0xR" (T = TSC ticks of refguest_compute(N)), then
 *             power off.
 * smp         each vCPU prints "cpu N online"; CPU 0 then prints
 *             "smp: N of N cpus online" and powers off, or after 5 s
 *             "smp: only K of N cpus online" and crashes.
 * echo        "echo: ready" then echoes each input line as "echo: LINE";
 *             the line "quit" powers off. If pvhv refuses console input
 *             (CONSOLEIO_read is dom0-only, as on Xen): "echo: console
 *             input unavailable (ERR)" and power off.
 * fault       type=pf|ud|bp|gp|de (default pf): "refguest: raising TYPE",
 *             then libpvfront's report ("pvfront: cpu 0: exception V
 *             (NAME) at rip R, error E" ...) and SHUTDOWN_crash.
 * traps       int3 and ud2 1000 times each through registered handlers:
 *             "traps: 2000 of 2000 handled; int3 N ns, ud2 M ns each",
 *             power off.
 * hypercalls  "PASS name" / "FAIL name: got X want Y" / "SKIP name: why"
 *             lines, then "hypercalls: N passed, M failed" and power off
 *             (crash if M > 0).
 */
int cmd_hello(const struct pvfront_boot_info *bi);
int cmd_info(const struct pvfront_boot_info *bi);
int cmd_crash(const struct pvfront_boot_info *bi);
int cmd_crashcode(const struct pvfront_boot_info *bi);
int cmd_reboot(const struct pvfront_boot_info *bi);
int cmd_spin(const struct pvfront_boot_info *bi);
int cmd_sleep(const struct pvfront_boot_info *bi);
int cmd_compute(const struct pvfront_boot_info *bi);
int cmd_smp(const struct pvfront_boot_info *bi);
int cmd_echo(const struct pvfront_boot_info *bi);
int cmd_hypercalls(const struct pvfront_boot_info *bi);
int cmd_fault(const struct pvfront_boot_info *bi);
int cmd_traps(const struct pvfront_boot_info *bi);

#endif /* REFGUEST_H */
