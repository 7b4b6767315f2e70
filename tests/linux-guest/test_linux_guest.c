/* test_linux_guest.c: Debian's stock kernel, which no one here wrote, boots
 * under pvhv as a Xen PVH guest, and its own xen-blkfront and xen-netfront
 * drivers work against pvblkback and pvnetback. It needs KVM's Xen support
 * (a 6.12 host kernel), so it runs in the SVM lab's `linux` configuration:
 * `make test-linux-guest` (tests/svm-lab/lab.sh ships the guest kernel and
 * its initramfs, tests/linux-guest/guest-init, to /pvhv/linux-guest/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "toolstack.h"

/* Guest time under QEMU's software CPU is 50-100 times host time. */
#define BOOT_MS 240000
#define STEP_MS 120000

static struct stack st;
static char disk[128], kernel[128], initrd[128];

static void setup(void)
{
    struct stat sb;

    snprintf(kernel, sizeof(kernel), "%s", build_path("linux-guest/vmlinux"));
    snprintf(initrd, sizeof(initrd), "%s", build_path("linux-guest/initrd.cpio"));
    if (stat(kernel, &sb) < 0 || stat(initrd, &sb) < 0)
        cr_assert_fail("no stock guest kernel at %s (%s): this test runs in the SVM lab, "
                       "`make test-linux-guest`", kernel, strerror(errno));
    if (!getenv("PV_KVM_XEN") || strcmp(getenv("PV_KVM_XEN"), "1"))
        cr_assert_fail("a stock Linux guest needs KVM's Xen support: run with PV_KVM_XEN=1");
    stack_init(&st);
    snprintf(disk, sizeof(disk), "%s", stack_image(&st, "disk.img", 64));
    /* The guest's side of the network: a bridge the host holds 10.0.9.1 on. */
    cr_assert_eq(system("ip link add lgbr0 type bridge && ip addr add 10.0.9.1/24 dev lgbr0 "
                        "&& ip link set lgbr0 up"), 0, "cannot make the bridge lgbr0");
}

static void teardown(void)
{
    stack_fini(&st);
    if (system("ip link del lgbr0 2>/dev/null")) {
        /* already gone */
    }
}

TestSuite(linux_guest, .init = setup, .fini = teardown, .timeout = 900);

/* `pvctl console stock` on a terminal: a typed line comes back through the
 * guest's hvc0 and its shell; Ctrl-] detaches. */
static void console_round_trip(void)
{
    char seen[16384] = "";
    int master;
    pid_t pid = pvctl_console_open(&st, "stock", &master);

    const char line[] = "typed at the host\r";
    cr_assert_eq(write(master, line, sizeof(line) - 1), (ssize_t)sizeof(line) - 1);
    cr_expect(pty_wait(master, "LG: echo typed at the host", STEP_MS, seen, sizeof(seen)),
              "the line did not come back through the guest; the terminal showed:\n%s", seen);
    int status = pvctl_console_detach(pid, master, 10000);
    cr_expect(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "pvctl console did not detach cleanly (status %d)", status);
}

/* Does the host file hold `text` anywhere? */
static bool file_holds(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    size_t n = strlen(text), have = 0;
    static char buf[1 << 20];
    bool found = false;

    if (!f)
        return false;
    for (;;) {
        size_t got = fread(buf + have, 1, sizeof(buf) - have, f);
        if (got == 0)
            break;
        have += got;
        if (memmem(buf, have, text, n)) {
            found = true;
            break;
        }
        /* Keep the last n-1 bytes: a match may straddle two reads. */
        size_t keep = have < n ? have : n - 1;
        memmove(buf, buf + have - keep, keep);
        have = keep;
    }
    fclose(f);
    return found;
}

Test(linux_guest, boots_uses_its_disk_and_network_and_powers_off)
{
    char body[1024];

    snprintf(body, sizeof(body),
             "name = \"stock\"\ntype = \"pvh\"\nkernel = \"%s\"\nramdisk = \"%s\"\n"
             "cmdline = \"console=hvc0 loglevel=4 lg.disk=xvda lg.ip=10.0.9.2/24 "
             "lg.ping=10.0.9.1\"\n"
             "memory = 256\nvcpus = 1\n"
             "disk = [ 'format=raw, vdev=xvda, access=rw, target=%s' ]\n"
             "vif = [ 'bridge=lgbr0, mac=00:16:3e:00:09:02' ]\n",
             kernel, initrd, disk);
    double t0 = now_ms();
    cr_assert_eq(pvctl(&st, "create", stack_config(&st, "stock.cfg", body), NULL), 0, "%s",
                 st.err);

    /* It boots to its init, and says so on its console (hvc0). */
    cr_assert(stack_console_has(&st, "stock", "LG: init at", BOOT_MS),
              "the guest never reached its init; pvctl dmesg stock and "
              "%s/console/stock.log say why", st.rundir);
    cr_log_info("stock Linux: /init %.1f s after pvctl create (QEMU TCG)",
                (now_ms() - t0) / 1000);
    /* Linux takes its events through Xen's callback vector and binds
     * VIRQ_TIMER: KVM runs its timer, not pvhv (vcpu-list's last column). */
    cr_expect_eq(pvctl(&st, "vcpu-list", "stock", NULL), 0, "%s", st.err);
    cr_expect(strstr(st.out, " kvm") != NULL, "KVM does not run the guest's timer:\n%s", st.out);
    cr_log_info("%s", st.out);
    /* Exits to pvhv so far: ~400 to /init. Tens of thousands mean Linux
     * polls a device pvhv lacks (it did the CMOS RTC, until the FADT said
     * there is none). A count, not a time: QEMU's speed does not move it. */
    unsigned long long exits = 0;
    const char *line = strstr(st.out, "\nstock ");
    cr_expect(line && sscanf(line, " stock %*u %*u %*s %*f %*s %llu", &exits) == 1,
              "cannot read vcpu-list:\n%s", st.out);
    cr_expect_lt(exits, 5000, "%llu exits to pvhv before /init", exits);

    /* xen-blkfront on pvblkback: a filesystem made, written, remounted,
     * read back; the host's image holds it. */
    cr_expect(stack_console_has(&st, "stock", "LG: disk read back: written by the stock guest",
                                STEP_MS),
              "the disk round trip failed (see %s/console/stock.log)", st.rundir);
    cr_expect(stack_console_has(&st, "stock", "LG: disk done", STEP_MS));
    cr_expect(file_holds(disk, "written by the stock guest"),
              "the host's image does not hold the guest's file");

    /* xen-netfront on pvnetback: the guest pings the host's side of the bridge. */
    cr_expect(stack_console_has(&st, "stock", "LG: ping 10.0.9.1: 3 packets received", STEP_MS),
              "the guest did not reach the host over its vif (see %s/console/stock.log)",
              st.rundir);
    cr_assert(stack_console_has(&st, "stock", "LG: ready", STEP_MS));

    console_round_trip();

    /* `pvctl shutdown`: Linux's xenbus watch on control/shutdown powers it off. */
    cr_expect_eq(pvctl(&st, "shutdown", "-w", "stock", NULL), 0, "%s", st.err);
    cr_expect(strstr(st.err, "no PV control interface") == NULL,
              "the guest did not answer through xenbus: %s", st.err);
    cr_expect(stack_console_has(&st, "stock", "LG: poweroff requested", 1000),
              "the guest's init never heard of the shutdown");
    cr_expect(stack_wait(&st, "stock", 0, STEP_MS), "the domain is still there after shutdown");
}
