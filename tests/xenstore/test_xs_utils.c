/* test_xs_utils.c: Debian's xenstore-utils (the real /usr/bin/xenstore-*)
 * pointed at pvxenstored with XENSTORED_PATH: the answers a user expects.
 * Run twice: on Xen's libxenstore, and on libxs as libxenstore.so.4. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_harness.h"

static char out[8192];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return xst_run(cmd, out, sizeof(out));
}

static void session(void)
{
    cr_expect_eq(sh("xenstore-write /vm/a/name guest-a /vm/a/memory 512 2>&1"), 0, "%s", out);
    cr_expect_eq(sh("xenstore-read /vm/a/name 2>&1"), 0);
    cr_expect_str_eq(out, "guest-a\n");
    cr_expect_eq(sh("xenstore-read /vm/a/name /vm/a/memory 2>&1"), 0, "several paths");
    cr_expect_str_eq(out, "guest-a\n512\n");
    cr_expect_neq(sh("xenstore-read /vm/a/nothing 2>&1"), 0);
    cr_expect(strstr(out, "couldn't read path /vm/a/nothing"), "%s", out);
    cr_expect_eq(sh("xenstore-list /vm/a 2>&1"), 0);
    cr_expect_str_eq(out, "name\nmemory\n");
    cr_expect_eq(sh("xenstore-ls /vm 2>&1"), 0);
    cr_expect_str_eq(out, "a = \"\"\n name = \"guest-a\"\n memory = \"512\"\n");
    cr_expect_eq(sh("xenstore-exists /vm/a/name 2>&1"), 0);
    cr_expect_neq(sh("xenstore-exists /vm/a/nothing 2>&1"), 0);
    cr_expect_eq(sh("xenstore-chmod /vm/a/name r0 b5 2>&1"), 0, "%s", out);
    cr_expect_eq(sh("xenstore-ls -p /vm/a 2>&1"), 0);
    cr_expect(strstr(out, "name = \"guest-a\"") && strstr(out, "(r0,b5)"), "%s", out);
    cr_expect(strstr(out, "memory = \"512\"") && strstr(out, "(n0)"), "%s", out);
    cr_expect_eq(sh("xenstore-rm /vm/a/memory 2>&1"), 0);
    cr_expect_eq(sh("xenstore-list /vm/a 2>&1"), 0);
    cr_expect_str_eq(out, "name\n");
    cr_expect_eq(sh("xenstore-rm /vm 2>&1"), 0);
    cr_expect_neq(sh("xenstore-exists /vm 2>&1"), 0);
    /* Relative paths are dom0's home. */
    cr_expect_eq(sh("xenstore-write name Domain-0 && xenstore-read /local/domain/0/name"), 0);
    cr_expect_str_eq(out, "Domain-0\n");

    /* xenstore-watch: the first event at once, then one per change. */
    FILE *w = popen("timeout 20 xenstore-watch -n 3 /watched", "r");
    char line[256];
    cr_assert_not_null(w);
    cr_assert_not_null(fgets(line, sizeof(line), w), "no first event");
    cr_expect_str_eq(line, "/watched\n");
    cr_expect_eq(sh("xenstore-write /watched/x 1 && xenstore-write /elsewhere 1 && "
                    "xenstore-rm /watched/x"), 0);
    cr_assert_not_null(fgets(line, sizeof(line), w));
    cr_expect_str_eq(line, "/watched/x\n");
    cr_assert_not_null(fgets(line, sizeof(line), w));
    cr_expect_str_eq(line, "/watched/x\n");
    cr_expect_eq(pclose(w), 0);
}

Test(xs_utils, xenstore_utils_on_xens_libxenstore)
{
    char rundir[64];
    pid_t d = xst_daemon_start(rundir, NULL);

    unsetenv("LD_LIBRARY_PATH");
    session();
    cr_expect_eq(xst_daemon_stop(d, rundir), 0, "pvxenstored stops cleanly");
}

Test(xs_utils, xenstore_utils_on_libxs)
{
    char rundir[64], lib[512];
    pid_t d = xst_daemon_start(rundir, NULL);

    snprintf(lib, sizeof(lib), "%s", xst_build_path("lib/xenstore-compat"));
    setenv("LD_LIBRARY_PATH", lib, 1);
    /* The dynamic loader lists what it would load (ldd without ldd: the
     * SVM lab's initramfs has none). */
    int r = sh("LD_TRACE_LOADED_OBJECTS=1 /usr/bin/xenstore-read");
    bool on_libxs = r == 0 && strstr(out, "xenstore-compat/libxenstore.so.4");
    cr_expect(on_libxs, "not on libxs: %s", out);
    if (on_libxs)
        session();
    unsetenv("LD_LIBRARY_PATH");
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
}

Test(xs_utils, pvxs_cli)
{
    char rundir[64], pvxs[600];
    pid_t d = xst_daemon_start(rundir, NULL);

    snprintf(pvxs, sizeof(pvxs), "%s", xst_build_path("bin/pvxs"));
    cr_expect_eq(sh("%s write /p/a 1 /p/b 'two words' 2>&1", pvxs), 0, "%s", out);
    cr_expect_eq(sh("%s read /p/b", pvxs), 0);
    cr_expect_str_eq(out, "two words\n");
    cr_expect_eq(sh("%s ls /p", pvxs), 0);
    cr_expect_str_eq(out, "a = \"1\"\nb = \"two words\"\n");
    cr_expect_eq(sh("%s chmod /p/a n0 r3 && xenstore-ls -p /p | head -1", pvxs), 0);
    cr_expect(strstr(out, "(n0,r3)"), "%s", out);
    cr_expect_eq(sh("%s rm /p/a && %s ls /p", pvxs, pvxs), 0);
    cr_expect_str_eq(out, "b = \"two words\"\n");
    cr_expect_neq(sh("%s read /p/a 2>&1", pvxs), 0);
    cr_expect(strstr(out, "No such file or directory"), "%s", out);
    char cmd[700], line[256];
    snprintf(cmd, sizeof(cmd), "timeout 20 %s watch -n 2 /p", pvxs);
    FILE *w = popen(cmd, "r");
    cr_assert_not_null(w);
    cr_assert_not_null(fgets(line, sizeof(line), w));
    cr_expect_str_eq(line, "/p pvxs\n");
    cr_expect_eq(sh("%s write /p/c 3", pvxs), 0);
    cr_assert_not_null(fgets(line, sizeof(line), w));
    cr_expect_str_eq(line, "/p/c pvxs\n");
    cr_expect_eq(pclose(w), 0);
    cr_expect_eq(xst_daemon_stop(d, rundir), 0);
}
