/* test_emul_disk.c: pvhv's emulated disk as a user gets it: a config disk
 * with backendtype=emulated (pvctl attaches it to pvhv, no pvblkback, no
 * vbd records), a guest writing through the port-I/O device and the image
 * holding exactly that; read-only refusing writes; bad commands getting
 * their error while pvhv carries on; and the attach op's own errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "disk_pattern.h"
#include "harness.h"
#include "toolstack.h"

static struct stack st;

static void setup(void) { stack_init(&st); }
static void teardown(void) { stack_fini(&st); }

TestSuite(emul_disk_sys, .init = setup, .fini = teardown, .timeout = 120);

#define MIB (1024ull * 1024)
/* Two commands' worth (256 + 8 sectors): every word of it a trap. */
#define BYTES (128 * 1024 + 4096)

/* A sparse raw image of `mib` MiB in the run directory; its path. */
static const char *image(const char *name, unsigned mib)
{
    return stack_image(&st, name, mib);
}

/* Create domain `name` running `cmdline` with the one disk `spec`. */
static int create(const char *name, const char *cmdline, const char *spec)
{
    char body[1024], file[64];

    snprintf(body, sizeof(body),
             "name = \"%s\"\nkernel = \"@KERNEL@\"\nmemory = 32\ncmdline = \"%s\"\n"
             "disk = [ '%s' ]\n", name, cmdline, spec);
    snprintf(file, sizeof(file), "%s.cfg", name);
    return pvctl(&st, "create", stack_config(&st, file, body), NULL);
}

Test(emul_disk_sys, guest_writes_through_the_ports_and_the_file_holds_it)
{
    char spec[512], cmdline[128];
    const char *img = image("emul.img", 4);

    snprintf(spec, sizeof(spec), "format=raw, vdev=xvda, access=rw, backendtype=emulated, "
             "target=%s", img);
    snprintf(cmdline, sizeof(cmdline), "cmd=edisk op=verify bytes=%u seed=21", BYTES);
    cr_assert_eq(create("emul", cmdline, spec), 0, "create: %s", st.err);
    cr_assert(stack_console_has(&st, "emul", "edisk: done", 60000),
              "the guest never finished; its console lacks 'edisk: done'");
    cr_expect(stack_console_has(&st, "emul", "edisk: sectors=8192 ro=0 port=0x5a0", 100));
    cr_expect(stack_console_has(&st, "emul", "edisk: verify ok 135168 bytes", 100));
    cr_expect(stack_console_has(&st, "emul", "edisk: stats commands=", 100));

    /* what the guest wrote and flushed is in the file, the rest still zero */
    cr_expect_eq(disk_pattern_check(img, BYTES, 21, 4 * MIB), -1,
                 "the image does not hold what the guest wrote");

    /* pvhv's own device: no pvblkback, no split-driver records */
    cr_expect_eq(pvctl(&st, "host", "status", NULL), 0);
    cr_expect_null(strstr(st.out, "pvblkback    running"), "%s", st.out);
    cr_expect(stack_wait(&st, "emul", 0, 10000), "the guest powers off and is destroyed");
}

Test(emul_disk_sys, read_only_refuses_writes_and_the_file_stays)
{
    char spec[512];
    const char *img = image("ro.img", 1);

    snprintf(spec, sizeof(spec), "%s,raw,xvda,ro,backendtype=emulated", img);
    cr_assert_eq(create("ro", "cmd=edisk op=write-ro", spec), 0, "create: %s", st.err);
    cr_assert(stack_console_has(&st, "ro", "edisk: done", 30000), "no 'edisk: done'");
    cr_expect(stack_console_has(&st, "ro", "edisk: sectors=2048 ro=1", 100));
    cr_expect(stack_console_has(&st, "ro", "edisk: write refused: error=RO", 100));
    cr_expect_eq(disk_pattern_check(img, 0, 0, 1 * MIB), -1, "the read-only image changed");
}

Test(emul_disk_sys, bad_commands_get_errors_and_pvhv_carries_on)
{
    char spec[512];
    static const char *const lines[] = {
        "edisk: hostile range status=0x105 error=RANGE",
        "edisk: hostile straddle status=0x105 error=RANGE",
        "edisk: hostile wrap status=0x105 error=RANGE",
        "edisk: hostile count0 status=0x205 error=COUNT",
        "edisk: hostile count-big status=0x205 error=COUNT",
        "edisk: hostile badcmd status=0x405 error=CMD",
        "edisk: hostile data-idle value=0xffffffff",
        "edisk: hostile data-idle status=0x605 error=PROTO",
        "edisk: hostile abandon write=0x2 intact=1",
        "edisk: hostile sane-read ok",
        "edisk: done",
    };

    snprintf(spec, sizeof(spec), "%s,raw,xvda,rw,backendtype=emulated", image("h.img", 1));
    cr_assert_eq(create("hostile", "cmd=edisk op=hostile", spec), 0, "create: %s", st.err);
    cr_assert(stack_console_has(&st, "hostile", "edisk: done", 30000), "no 'edisk: done'");
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        cr_expect(stack_console_has(&st, "hostile", lines[i], 10), "no '%s'", lines[i]);
    /* pvhv still serves: a second guest on the same host runs */
    cr_expect_eq(create("after", "cmd=edisk op=info", spec), 0, "%s", st.err);
    cr_expect(stack_console_has(&st, "after", "edisk: done", 30000));
}

Test(emul_disk_sys, a_guest_without_one_finds_nothing)
{
    char body[256];

    snprintf(body, sizeof(body), "name = \"none\"\nkernel = \"@KERNEL@\"\nmemory = 16\n"
                                 "cmdline = \"cmd=edisk\"\non_crash = \"preserve\"\n");
    cr_assert_eq(pvctl(&st, "create", stack_config(&st, "none.cfg", body), NULL), 0, "%s",
                 st.err);
    cr_expect(stack_console_has(&st, "none", "edisk: no disk at port 0x5a0", 30000));
}

/* The control op itself, below the toolstack. */
static struct host h;

static void op_fini(void)
{
    if (h.pvhv > 0)
        host_stop(&h);
}

TestSuite(emul_disk_op, .fini = op_fini, .timeout = 60);

Test(emul_disk_op, attach_errors_name_their_cause)
{
    char why[256], dir[96], small[96];

    host_start(&h);
    uint32_t d = create_refguest(&h, "op", "cmd=edisk", 1, 16);
    snprintf(dir, sizeof(dir), "%s", h.rundir);
    snprintf(small, sizeof(small), "%s/small.img", h.rundir);
    int fd = open(small, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "x", 1), 1);
    close(fd);

    cr_expect_eq(pvctrl_emul_disk_attach(h.ctl, 999, small, 0, why, sizeof(why)), -XEN_ESRCH);
    cr_expect_str_eq(why, "no domain 999");
    cr_expect_eq(pvctrl_emul_disk_attach(h.ctl, d, dir, PVHV_EMUL_DISK_F_READONLY, why,
                                         sizeof(why)), -XEN_EINVAL);
    cr_expect(strstr(why, "regular file or a block device"), "%s", why);
    cr_expect_eq(pvctrl_emul_disk_attach(h.ctl, d, small, 0, why, sizeof(why)), -XEN_EINVAL);
    cr_expect(strstr(why, "less than one 512-byte sector"), "%s", why);
    cr_expect_eq(pvctrl_emul_disk_attach(h.ctl, d, "/nonexistent.img", 0, why, sizeof(why)),
                 -ENOENT);
    cr_expect(strstr(why, "/nonexistent.img"), "%s", why);
    fd = open(small, O_RDWR | O_CLOEXEC);
    cr_assert_eq(ftruncate(fd, 1 * MIB), 0);
    close(fd);
    cr_expect_eq(pvctrl_emul_disk_attach(h.ctl, d, small, 0, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(pvctrl_emul_disk_attach(h.ctl, d, small, 0, why, sizeof(why)), -XEN_EEXIST);
    cr_expect(strstr(why, "at most one"), "%s", why);
    cr_assert_eq(pvctrl_domain_unpause(h.ctl, d), 0);
    char con[4096];
    cr_expect(wait_console(&h, d, "edisk: done", 30000, con, sizeof(con)), "%s", con);
    cr_expect(strstr(con, "edisk: sectors=2048 ro=0"), "%s", con);
    cr_assert_eq(pvctrl_domain_destroy(h.ctl, d), 0);
    cr_expect_eq(host_stop(&h), 0);
}
