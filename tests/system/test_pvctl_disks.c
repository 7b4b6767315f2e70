/* test_pvctl_disks.c: disks through the toolstack, as an administrator
 * declares them: disk= in the config (pvctl starts pvblkback), then
 * block-list, block-attach and block-detach on the running domain, and the
 * image file holding what the guest wrote. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk_pattern.h"
#include "harness.h"
#include "toolstack.h"

static struct stack st;

static void setup(void) { stack_init(&st); }
static void teardown(void) { stack_fini(&st); }

TestSuite(pvctl_disks, .init = setup, .fini = teardown, .timeout = 90);

#define MIB (1024ull * 1024)

/* A sparse raw image of `mib` MiB in the run directory; its path. */
static const char *image(const char *name, unsigned mib)
{
    return stack_image(&st, name, mib);
}

/* The line of block-list for `vdev`, or NULL. */
static const char *listed(const char *vdev)
{
    for (char *line = st.out; line && *line;) {
        char *nl = strchr(line, '\n');
        if (!strncmp(line, vdev, strlen(vdev)) && line[strlen(vdev)] == ' ')
            return line;
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

Test(pvctl_disks, config_disk_then_attach_list_detach)
{
    char body[1024], spec[512], state[16];
    const char *data = image("data.img", 64);

    snprintf(body, sizeof(body),
             "name = \"store\"\nkernel = \"@KERNEL@\"\nmemory = 64\n"
             "cmdline = \"cmd=disk op=verify vdev=xvda bytes=%llu seed=11 hold=1\"\n"
             "disk = [ 'format=raw, vdev=xvda, access=rw, target=%s' ]\n",
             4 * MIB, data);
    int rc = pvctl(&st, "create", stack_config(&st, "store.cfg", body), NULL);
    cr_assert_eq(rc, 0, "create: %s", st.err);
    cr_assert(stack_console_has(&st, "store", "disk: holding", 30000),
              "the guest never held its disk; console log lacks 'disk: holding'");
    cr_expect(stack_console_has(&st, "store", "disk: verify ok 4194304 bytes", 100));

    /* the backend started on demand */
    cr_expect_eq(pvctl(&st, "host", "status", NULL), 0);
    cr_expect(strstr(st.out, "pvblkback    running"), "%s", st.out);

    /* block-list: xvda connected (state 4), with its ring and channel */
    cr_assert_eq(pvctl(&st, "block-list", "store", NULL), 0, "%s", st.err);
    const char *l = listed("xvda");
    cr_assert_not_null(l, "block-list:\n%s", st.out);
    cr_expect(strstr(l, " 51712 ") && strstr(l, " 4 "), "xvda line: %s", l);

    /* what the guest flushed is in the file */
    cr_expect_eq(disk_pattern_check(data, 4 * MIB, 11, 4 * MIB), -1,
                 "the image does not hold what the guest wrote");

    /* hot-plug a second disk; the backend offers it (InitWait, 2) */
    const char *extra = image("extra.img", 8);
    snprintf(spec, sizeof(spec), "format=raw, vdev=xvdb, access=ro, target=%s", extra);
    cr_assert_eq(pvctl(&st, "block-attach", "store", spec, NULL), 0, "%s", st.err);
    bool offered = false;
    for (int i = 0; i < 100 && !offered; i++) {
        cr_assert_eq(pvctl(&st, "block-list", "store", NULL), 0);
        l = listed("xvdb");
        offered = l != NULL;
        if (!offered)
            usleep(50000);
    }
    cr_expect(offered, "xvdb not listed:\n%s", st.out);
    cr_expect_eq(pvctl(&st, "block-attach", "store", spec, NULL), 1, "attached twice");
    cr_expect(strstr(st.err, "already has a xvdb"), "%s", st.err);

    /* bad specs are refused with the reason */
    cr_expect_eq(pvctl(&st, "block-attach", "store", "vdev=xvdc, access=rx, target=/x", NULL),
                 1);
    cr_expect(strstr(st.err, "block-attach: disk:"), "%s", st.err);

    cr_assert_eq(pvctl(&st, "block-detach", "store", "xvdb", NULL), 0, "%s", st.err);
    cr_assert_eq(pvctl(&st, "block-list", "store", NULL), 0);
    cr_expect_null(listed("xvdb"), "xvdb still listed:\n%s", st.out);
    cr_expect_not_null(listed("xvda"));

    /* destroy: the domain's devices go with it, the data stays */
    cr_assert_eq(pvctl(&st, "destroy", "store", NULL), 0);
    cr_expect(stack_wait(&st, "store", 0, 2000));
    cr_expect(stack_state(&st, "store", state, sizeof(state)) == false);
    cr_expect_eq(disk_pattern_check(data, 4 * MIB, 11, 4 * MIB), -1);
}

Test(pvctl_disks, a_missing_image_is_a_config_error)
{
    char body[512];

    snprintf(body, sizeof(body),
             "name = \"nodisk\"\nkernel = \"@KERNEL@\"\nmemory = 16\n"
             "disk = [ 'format=raw, vdev=xvda, access=rw, target=%s/absent.img' ]\n",
             st.rundir);
    const char *cfg = stack_config(&st, "nodisk.cfg", body);
    cr_expect_eq(pvctl(&st, "create", cfg, NULL), 1);
    char prefix[300];
    snprintf(prefix, sizeof(prefix), "%s:4: disk", cfg);
    cr_expect(strstr(st.err, prefix), "%s", st.err);
}
