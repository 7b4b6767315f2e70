/* main.c: refguest's entry point: pick the command named on the command line and run it. */
#include <pvfront/pvfront.h>

#include "refguest.h"

/*
 * Command line: `cmd=NAME [options]`. No cmd means hello. Each command's
 * output is described beside it in refguest.h; tests match those lines.
 */
static const struct command {
    const char *name;
    int (*run)(const struct pvfront_boot_info *bi);
    const char *help;
} commands[] = {
    { "hello", cmd_hello, "print the greeting, power off" },
    { "info", cmd_info, "print the boot information and clock, power off" },
    { "crash", cmd_crash, "triple fault (empty IDT, then ud2)" },
    { "crashcode", cmd_crashcode, "shut down with SHUTDOWN_crash" },
    { "reboot", cmd_reboot, "shut down with SHUTDOWN_reboot" },
    { "spin", cmd_spin, "print a counter every interval_ms (100) forever" },
    { "tick", cmd_tick, "as spin, idle between lines (interval_ms, 1000)" },
    { "grant-to", cmd_grant_to, "grant a page to peer=D, obey console lines" },
    { "gntmap", cmd_gntmap, "map peer=D's grant ref=R, read and write it" },
    { "kickbench", cmd_kickbench, "bench/evtchn_bench's guest half (n=N samples)" },
    { "pvbench", cmd_pvbench, "bench/pvbench's guest half (role=main|peer)" },
    { "sleep", cmd_sleep, "sleep ms=N (100) on the vCPU timer, print how long" },
    { "runstate", cmd_runstate, "spin, sleep, print vCPU 0's runstate times" },
    { "compute", cmd_compute, "time n=N rounds of the compute loop" },
    { "smp", cmd_smp, "every vCPU reports in, then power off" },
    { "echo", cmd_echo, "echo console input lines until 'quit'" },
    { "hypercalls", cmd_hypercalls, "hostile hypercall test" },
    { "fault", cmd_fault, "raise type=pf|ud|bp|gp|de unhandled: report, crash" },
    { "traps", cmd_traps, "int3 and ud2 through registered handlers, timed" },
    { "evtchn-dom0", cmd_evtchn_dom0, "event ping-pong with dom0 on an unbound port" },
    { "evtchn-guest", cmd_evtchn_guest, "event ping-pong with another guest (role=, peer=)" },
    { "virq-timer", cmd_virq_timer, "count=N VIRQ_TIMER events from set_timer_op (spin=1: no block)" },
    { "ipi", cmd_ipi, "IPI event ping-pong between CPUs 0 and 1" },
    { "grant", cmd_grant, "grant two pages to dom0, revoke while mapped and after" },
    { "xenstore", cmd_xenstore, "xenstore over the ring: read, write, list, transaction, watch" },
    { "disk", cmd_disk, "blkfront: op=info|verify|check|discard|write-ro|fio|hostile vdev=xvda[,..]" },
    { "edisk", cmd_edisk, "emulated disk: op=info|verify|check|write-ro|hostile|fio" },
    { "net", cmd_net, "netfront: op=serve|ping|udp-echo-client|udp-send|udp-recv|tcp-send|tcp-recv|hostile ip=A.B.C.D" },
};

int pvfront_main(const struct pvfront_boot_info *bi)
{
    char name[32];

    if (pvfront_cmdline_get("cmd", name, sizeof name) < 0)
        pvfront_snprintf(name, sizeof name, "hello");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(bi);

    pvfront_printf("refguest: unknown command '%s'; commands:\n", name);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        pvfront_printf("  cmd=%-12s %s\n", commands[i].name, commands[i].help);
    return 1;
}
