/* test_domains.c: domains as a user sees them: a guest boots and prints,
 * powers off with its reason, runs natively, crashes alone, runs on two
 * vCPUs, survives hostile hypercalls, pauses, and bad kernels are refused. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/sched.h>
#include <pvhv/vcpu.h>

#include "harness.h"

static struct host host;
static char con[65536];

static void setup(void)
{
    host_start(&host);
}

static void teardown(void)
{
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(domains, .init = setup, .fini = teardown, .timeout = 90);

static uint64_t console_end(uint32_t domid)
{
    uint64_t off = 0;
    char buf[4096];
    int n;

    while ((n = pvctrl_console_read(host.ctl, domid, &off, buf, sizeof(buf))) > 0)
        ;
    return off;
}

Test(domains, hello_prints_and_powers_off)
{
    struct pvhv_ctl_dominfo info;
    double t0 = now_ms();
    uint32_t d = boot_refguest(&host, "hello", "cmd=hello", 1, 32);

    cr_assert(wait_console(&host, d, "\n", 5000, con, sizeof(con)), "no console output");
    double first_line = now_ms() - t0;
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 5000, &info),
              "hello must shut down (state %s)", pvctrl_state_name(info.state));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    cr_expect_str_eq(con, "Hello from pvhv guest\n");
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff);
    cr_expect_str_eq(info.name, "hello");
    cr_log_info("hello: create request to first console line %.1f ms", first_line);
    cr_expect_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    cr_expect_eq(pvctrl_domain_getinfo(host.ctl, d, &info), -XEN_ESRCH, "destroyed is gone");
}

Test(domains, guest_runs_natively)
{
    struct pvhv_ctl_vcpuinfo a, b;
    uint32_t d = boot_refguest(&host, "spin", "cmd=spin", 1, 32);

    cr_assert(wait_console(&host, d, "spin 2", 5000, con, sizeof(con)), "spin: %s", con);
    usleep(600 * 1000); /* at least two platform ticks */
    cr_assert_eq(pvctrl_vcpu_info(host.ctl, d, &a, 1), 1);
    usleep(500 * 1000);
    cr_assert_eq(pvctrl_vcpu_info(host.ctl, d, &b, 1), 1);
    /* The mode must match the platform: native on PVM, HVM on VT-x/SVM
     * (PV_PLATFORM in the test's environment says which, else the host). */
    const char *plat = getenv("PV_EXPECT_PLATFORM");
    if (plat && !strcmp(plat, "hvm"))
        cr_expect_eq(b.mode, PVHV_VCPU_MODE_HVM, "vCPU mode %u", b.mode);
    else if (plat && !strcmp(plat, "pvm"))
        cr_expect_eq(b.mode, PVHV_VCPU_MODE_NATIVE, "vCPU mode %u", b.mode);
    else
        cr_expect(b.mode == PVHV_VCPU_MODE_NATIVE || b.mode == PVHV_VCPU_MODE_HVM,
                  "vCPU mode %u: the guest must not run in KVM's emulator", b.mode);
    cr_expect_lt(b.insn_emulated - a.insn_emulated, 50000,
                 "KVM emulated %lu instructions in 0.5 s",
                 (unsigned long)(b.insn_emulated - a.insn_emulated));
    cr_expect_eq(b.online, 1);
}

Test(domains, a_crash_stays_in_its_domain)
{
    struct pvhv_ctl_dominfo info;
    uint32_t a = boot_refguest(&host, "survivor", "cmd=spin", 1, 32);
    cr_assert(wait_console(&host, a, "spin 1", 5000, con, sizeof(con)));
    uint32_t b = boot_refguest(&host, "crasher", "cmd=crash", 1, 32);

    cr_assert(wait_state(&host, b, PVHV_DOMSTATE_CRASHED, 5000, &info),
              "crash guest state %s", pvctrl_state_name(info.state));
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_crash);
    cr_expect(strstr(info.crash_msg, "triple fault") != NULL, "reason: '%s'", info.crash_msg);

    uint64_t before = console_end(a);
    usleep(400 * 1000);
    cr_expect_gt(console_end(a), before, "the other guest must keep printing");
    cr_assert(pvctrl_domain_getinfo(host.ctl, a, &info) == 0);
    cr_expect_eq(info.state, PVHV_DOMSTATE_RUNNING);
    cr_expect(host_alive(&host));

    uint32_t c = boot_refguest(&host, "reporter", "cmd=crashcode", 1, 32);
    cr_assert(wait_state(&host, c, PVHV_DOMSTATE_CRASHED, 5000, &info));
    cr_expect(strstr(info.crash_msg, "reported a crash") != NULL, "reason: '%s'",
              info.crash_msg);
}

Test(domains, two_vcpus_both_print)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "smp", "cmd=smp", 2, 32);

    expect_shutdown(&host, d, 10000, &info, con, sizeof(con));
    cr_expect(strstr(con, "cpu 0 online\n") != NULL, "console: %s", con);
    cr_expect(strstr(con, "cpu 1 online\n") != NULL, "console: %s", con);
    cr_expect(strstr(con, "smp: 2 of 2 cpus online\n") != NULL, "console: %s", con);
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff);
    cr_expect_eq(info.nr_vcpus, 2);
}

Test(domains, hostile_hypercalls_get_errors)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "hostile", "cmd=hypercalls", 2, 32);

    expect_shutdown(&host, d, 20000, &info, con, sizeof(con));
    cr_expect(strstr(con, "FAIL") == NULL, "console:\n%s", con);
    cr_expect(strstr(con, " 0 failed") != NULL, "console:\n%s", con);
    cr_expect(host_alive(&host));
}

Test(domains, pause_stops_and_unpause_resumes)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "pausable", "cmd=spin", 1, 32);

    cr_assert(wait_console(&host, d, "spin 1", 5000, con, sizeof(con)));
    cr_assert_eq(pvctrl_domain_pause(host.ctl, d), 0);
    cr_assert_eq(pvctrl_domain_getinfo(host.ctl, d, &info), 0);
    cr_expect_eq(info.state, PVHV_DOMSTATE_PAUSED);
    uint64_t at = console_end(d);
    usleep(400 * 1000);
    cr_expect_eq(console_end(d), at, "a paused guest must not print");
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    usleep(400 * 1000);
    cr_expect_gt(console_end(d), at, "an unpaused guest prints again");
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, d), 0);
}

Test(domains, bad_kernels_are_refused_and_nothing_is_left)
{
    char why[256];
    uint32_t d;

    cr_assert_eq(pvctrl_domain_create(host.ctl, "bad", NULL, 32 * 1024, 1, &d), 0);
    cr_expect_eq(pvctrl_domain_unpause(host.ctl, d), -XEN_EINVAL, "no kernel yet");
    cr_expect_eq(pvctrl_domain_load(host.ctl, d, "/etc/hostname", NULL, "", why,
                                    sizeof(why)), -XEN_ENOEXEC);
    cr_expect(strstr(why, "not an ELF file") != NULL, "why: %s", why);
    cr_expect_eq(pvctrl_domain_load(host.ctl, d, "/nonexistent/kernel", NULL, "", why,
                                    sizeof(why)), -ENOENT);
    cr_expect_eq(pvctrl_domain_load(host.ctl, d, "/tmp", NULL, "", why, sizeof(why)),
                 -XEN_EBADF, "a directory is not a kernel");
    /* Still loadable after the refusals. */
    cr_expect_eq(pvctrl_domain_load(host.ctl, d, build_path("guests/refguest.elf"), NULL,
                                    "cmd=hello", why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(pvctrl_domain_load(host.ctl, d, build_path("guests/refguest.elf"), NULL,
                                    "cmd=hello", why, sizeof(why)), -XEN_EBUSY);
    cr_expect_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    cr_expect_eq(pvctrl_domain_destroy(host.ctl, d), -XEN_ESRCH);
}

Test(domains, unbacked_mmio_crashes_the_domain)
{
    struct pvhv_ctl_dominfo info;
    char path[] = "/tmp/pvhv-mmio-XXXXXX";
    int fd = mkstemp(path);
    /* 32-bit: mov %eax, 0xf0000000; then spin. */
    static const uint8_t code[] = { 0xa3, 0x00, 0x00, 0x00, 0xf0, 0xeb, 0xfe };

    cr_assert_geq(fd, 0);
    close(fd);
    write_tiny_kernel(path, code, sizeof(code));
    uint32_t d = boot_kernel(&host, "mmio", path, "", 1, 16);
    unlink(path);
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_CRASHED, 5000, &info),
              "state %s", pvctrl_state_name(info.state));
    cr_expect(strstr(info.crash_msg, "unbacked address 0xf0000000") != NULL, "reason: %s",
              info.crash_msg);
    cr_expect(host_alive(&host));
}

Test(domains, a_guest_stuck_in_pvm_emulation_is_crashed)
{
    struct pvhv_ctl_dominfo info;
    struct pvhv_ctl_vcpuinfo vi;
    char path[] = "/tmp/pvhv-emul-XXXXXX";
    int fd = mkstemp(path);
    static const uint8_t code[] = { 0xeb, 0xfe }; /* 32-bit: jmp . */

    cr_assert_geq(fd, 0);
    close(fd);
    write_tiny_kernel(path, code, sizeof(code));
    uint32_t d = boot_kernel(&host, "emulated", path, "", 1, 16);
    unlink(path);
    usleep(600 * 1000);
    cr_assert_eq(pvctrl_vcpu_info(host.ctl, d, &vi, 1), 1);
    if (vi.mode == PVHV_VCPU_MODE_HVM) {
        host_stop(&host); /* criterion runs no .fini after a skip */
        cr_skip_test("hardware virtualisation: no emulated mode to get stuck in");
    }
    cr_expect_eq(vi.mode, PVHV_VCPU_MODE_EMULATED);
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_CRASHED, 6000, &info),
              "state %s", pvctrl_state_name(info.state));
    cr_expect(strstr(info.crash_msg, "emulated mode") != NULL, "reason: %s", info.crash_msg);
}

Test(domains, a_sleeping_guest_is_blocked_and_its_timer_wakes_it)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "sleeper", "cmd=sleep ms=600", 1, 32);

    /* While it sleeps on its timer, the domain shows as blocked. */
    cr_expect(wait_state(&host, d, PVHV_DOMSTATE_BLOCKED, 3000, &info),
              "state %s", pvctrl_state_name(info.state));
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 10000, &info),
              "the timer must wake it: state %s", pvctrl_state_name(info.state));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    unsigned long asked = 0, slept = 0;
    cr_assert_eq(sscanf(con, "sleep: %lu ms asked, %lu us slept", &asked, &slept), 2,
                 "console: %s", con);
    cr_expect_geq(slept, asked * 1000, "a timer must not fire early (%lu us)", slept);
    cr_expect_eq(info.shutdown_reason, SHUTDOWN_poweroff);
}

/* Parse one "runstate: HOW ..." line of the guest. */
struct runstate_line {
    int state;
    unsigned long running, runnable, blocked, offline, entry, now;
};

static bool runstate_of(const char *console, const char *how, struct runstate_line *r)
{
    char key[32];
    snprintf(key, sizeof(key), "runstate: %s ", how);
    const char *p = strstr(console, key);
    return p && sscanf(p + strlen(key),
                       "state=%d running=%lu runnable=%lu blocked=%lu offline=%lu entry=%lu "
                       "now=%lu",
                       &r->state, &r->running, &r->runnable, &r->blocked, &r->offline,
                       &r->entry, &r->now) == 7;
}

/*
 * A guest's runstate (VCPUOP_register_runstate_memory_area and
 * VCPUOP_get_runstate_info) counts the 200 ms it spun as running (or
 * runnable, if the host took the CPU away) and the 300 ms it slept in
 * SCHEDOP_block as blocked, whether pvhv keeps the runstate or KVM does
 * (KVM's Xen support).
 */
Test(domains, runstate_counts_running_and_blocked_time)
{
    struct pvhv_ctl_dominfo info;
    struct pvhv_ctl_vcpuinfo seen;
    uint32_t d = boot_refguest(&host, "runstate", "cmd=runstate spin_ms=200 sleep_ms=300", 1, 32);

    /* Who keeps the area (pvhv_ctl_vcpuinfo.kvm_runstate), while it runs. */
    wait_shutdown_watching_vcpu0(&host, d, 20000, &info, &seen);
    expect_shutdown(&host, d, 20000, &info, con, sizeof(con));
    if (kvm_xen_expected() == 1)
        cr_expect(seen.kvm_runstate, "with KVM's Xen support KVM keeps the runstate area");
    else if (kvm_xen_expected() == 0)
        cr_expect(!seen.kvm_runstate, "without KVM's Xen support pvhv keeps the runstate area");
    const char *area = strstr(con, "runstate: area");
    cr_log_info("%.*s", area ? (int)strcspn(area, "\n") : 0, area ? area : "");
    static const char *const hows[] = { "area", "call" };
    for (int i = 0; i < 2; i++) {
        struct runstate_line r;
        cr_assert(runstate_of(con, hows[i], &r), "no runstate %s line:\n%s", hows[i], con);
        cr_expect_eq(r.state, RUNSTATE_running, "%s: the guest reads it while it runs", hows[i]);
        cr_expect_geq(r.blocked, 250, "%s: slept 300 ms, blocked %lu ms", hows[i], r.blocked);
        cr_expect_geq(r.running + r.runnable, 150, "%s: spun 200 ms, running %lu + runnable %lu",
                      hows[i], r.running, r.runnable);
        cr_expect_leq(r.entry, r.now, "%s: entered its state at %lu, after now %lu", hows[i],
                      r.entry, r.now);
    }
}

Test(domains, initrd_and_cmdline_reach_the_guest)
{
    char path[] = "/tmp/pvhv-initrd-XXXXXX", why[256];
    int fd = mkstemp(path);
    static char data[10000];
    uint32_t d;

    cr_assert_geq(fd, 0);
    memset(data, 'x', sizeof(data));
    memcpy(data, "PVHV-INITRD-TEST", 16);
    cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
    close(fd);
    cr_assert_eq(pvctrl_domain_create(host.ctl, "initrd", NULL, 32 * 1024, 1, &d), 0);
    int r = pvctrl_domain_load(host.ctl, d, build_path("guests/refguest.elf"), path,
                               "cmd=info marker=42", why, sizeof(why));
    unlink(path);
    cr_assert_eq(r, 0, "%s", why);
    cr_assert_eq(pvctrl_domain_unpause(host.ctl, d), 0);
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 10000, NULL));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    cr_expect(strstr(con, "10000 bytes, begins 'PVHV-INITRD-TEST'") != NULL, "console:\n%s",
              con);
    cr_expect(strstr(con, "cmdline 'cmd=info marker=42'") != NULL, "console:\n%s", con);
    cr_expect(strstr(con, "type 2") != NULL, "the special pages are reserved:\n%s", con);
}

Test(domains, console_input_reaches_the_guest)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "echo", "cmd=echo", 1, 32);

    cr_assert(wait_console(&host, d, "echo: ready\n", 5000, con, sizeof(con)), "%s", con);
    usleep(200 * 1000); /* let it go to sleep on VIRQ_CONSOLE */
    const char *typed = "hello pvhv\n";
    cr_assert_eq(pvctrl_console_input(host.ctl, d, typed, strlen(typed)), (int)strlen(typed));
    cr_expect(wait_console(&host, d, "echo: hello pvhv\n", 5000, con, sizeof(con)),
              "console:\n%s", con);
    cr_assert_eq(pvctrl_console_input(host.ctl, d, "quit\n", 5), 5);
    cr_expect(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 5000, &info),
              "state %s", pvctrl_state_name(info.state));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    unsigned woken = 0, timeouts = 0;
    const char *bye = strstr(con, "echo: bye");
    cr_assert_not_null(bye, "console:\n%s", con);
    sscanf(bye, "echo: bye (VIRQ_CONSOLE woke me %u times, %u timeouts)", &woken, &timeouts);
    cr_expect_geq(woken, 1, "input must arrive by VIRQ_CONSOLE:\n%s", con);
    cr_expect_eq(pvctrl_console_input(host.ctl, 4242, "x", 1), -XEN_ESRCH);
}
