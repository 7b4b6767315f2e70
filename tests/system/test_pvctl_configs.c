/* test_pvctl_configs.c: configs `pvctl create` must refuse: each gets one
 * error line naming file:line (and the key), exit status 1, and leaves no
 * domain, no xenstore record and no saved config behind. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "toolstack.h"

static struct stack st;

static void setup(void) { stack_init(&st); }
static void teardown(void) { stack_fini(&st); }

TestSuite(pvctl_configs, .init = setup, .fini = teardown, .timeout = 90);

#define GOOD "name = \"%s\"\nkernel = \"@KERNEL@\"\nmemory = 16\n"

static const struct bad {
    const char *what;
    const char *body;  /* "%s" is the config's file name, used as the name */
    int line;          /* the line the error must name (0: no line, file only) */
    const char *word;  /* a word the message must hold */
} bads[] = {
    { "no kernel", "name = \"%s\"\nmemory = 16\n", 0, "kernel" },
    { "no name", "kernel = \"@KERNEL@\"\n#%s\n", 0, "name" },
    { "memory = 0", GOOD "memory = 0\n", 4, "memory" },
    { "memory not a number", GOOD "memory = \"lots\"\n", 4, "memory" },
    { "memory beyond pvhv", GOOD "memory = 100000000\n", 4, "memory" },
    { "vcpus = 1000", GOOD "vcpus = 1000\n", 4, "vcpus" },
    { "vcpus = 0", GOOD "vcpus = 0\n", 4, "vcpus" },
    { "maxvcpus below vcpus", GOOD "vcpus = 4\nmaxvcpus = 2\n", 5, "maxvcpus" },
    { "maxmem below memory", GOOD "maxmem = 8\n", 4, "maxmem" },
    { "type hvm", GOOD "type = \"hvm\"\n", 4, "type" },
    { "unknown type", GOOD "type = \"bogus\"\n", 4, "type" },
    { "disk with bad access", GOOD "disk = [ '/tmp/x.img,raw,xvda,rx' ]\n", 4, "disk" },
    { "disk with bad vdev", GOOD "disk = [ 'format=raw, vdev=nope, target=/tmp/x' ]\n", 4,
      "vdev" },
    { "disk with no target", GOOD "disk = [ 'format=raw, vdev=xvda, access=rw' ]\n", 4,
      "disk" },
    { "vif with bad mac", GOOD "vif = [ 'mac=00:16:3e:zz:00:01' ]\n", 4, "mac" },
    { "vif with unknown key", GOOD "vif = [ 'colour=blue' ]\n", 4, "colour" },
    { "bad uuid", GOOD "uuid = \"not-a-uuid\"\n", 4, "uuid" },
    { "missing =", GOOD "memory 16\n", 4, "=" },
    { "unterminated string", GOOD "cmdline = \"cmd=hello\n", 4, "" },
    { "on_crash = explode", GOOD "on_crash = \"explode\"\n", 4, "on_crash" },
    { "kernel missing", "name = \"%s\"\nkernel = \"/nonexistent/vmlinux\"\n", 2, "kernel" },
    { "kernel is a directory", "name = \"%s\"\nkernel = \"/tmp\"\n", 2, "kernel" },
    { "kernel not an ELF", "name = \"%s\"\nkernel = \"/etc/hostname\"\n", 2, "kernel" },
    { "disk target missing", GOOD "disk = [ '/nonexistent/disk.img,raw,xvda,rw' ]\n", 4,
      "disk" },
    { "two emulated disks", GOOD "disk = [ '/tmp,raw,xvda,backendtype=emulated',\n"
                                 "  '/tmp,raw,xvdb,backendtype=emulated' ]\n", 5, "at most one" },
    { "emulated disk target missing",
      GOOD "disk = [ '/nonexistent/e.img,raw,xvda,backendtype=emulated' ]\n", 4, "disk" },
    { "emulated disk under a sector",
      GOOD "disk = [ '/etc/hostname,raw,xvda,ro,backendtype=emulated' ]\n", 4,
      "pvhv cannot attach /etc/hostname as the emulated disk" },
};

/* The error line: the last non-empty line pvctl wrote to stderr. */
static const char *last_line(char *err)
{
    char *end = err + strlen(err);

    while (end > err && end[-1] == '\n')
        *--end = 0;
    char *nl = strrchr(err, '\n');
    return nl ? nl + 1 : err;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;

    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(pvctl_configs, each_bad_config_is_one_clear_error_and_leaves_nothing)
{
    char name[32], body[1024], prefix[300];

    /* a live domain first, for the duplicate-name case below */
    snprintf(body, sizeof(body), GOOD "cmdline = \"cmd=spin interval_ms=1000\"\n", "taken");
    cr_assert_eq(pvctl(&st, "create", stack_config(&st, "taken.cfg", body), NULL), 0, "%s",
                 st.err);

    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        const struct bad *b = &bads[i];
        snprintf(name, sizeof(name), "bad%02zu", i);
        snprintf(body, sizeof(body), b->body, name);
        const char *path = stack_config(&st, name, body);
        int rc = pvctl(&st, "create", path, NULL);
        const char *line = last_line(st.err);
        cr_expect_eq(rc, 1, "%s: exit %d, stderr:\n%s", b->what, rc, st.err);
        if (b->line)
            snprintf(prefix, sizeof(prefix), "%s:%d: ", path, b->line);
        else
            snprintf(prefix, sizeof(prefix), "%s:", path);
        cr_expect(!strncmp(line, prefix, strlen(prefix)), "%s: error should start '%s': %s",
                  b->what, prefix, line);
        cr_expect(strstr(line, b->word), "%s: error should mention '%s': %s", b->what,
                  b->word, line);
    }

    /* duplicate name: the live domain is untouched */
    snprintf(body, sizeof(body), GOOD, "taken");
    const char *dup = stack_config(&st, "dup.cfg", body);
    cr_expect_eq(pvctl(&st, "create", dup, NULL), 1);
    snprintf(prefix, sizeof(prefix), "%s:1: name: a domain named 'taken' already exists",
             dup);
    cr_expect(strstr(st.err, prefix), "duplicate name: %s", st.err);

    /* nothing half-made: one domain, one saved config */
    cr_assert_eq(pvctl(&st, "list", NULL), 0);
    int lines = 0;
    for (char *p = st.out; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 2, "only the header and 'taken' should be listed:\n%s", st.out);
    snprintf(prefix, sizeof(prefix), "%s/domains", st.rundir);
    cr_expect_eq(count_entries(prefix), 1, "saved configs left behind in %s", prefix);
}

Test(pvctl_configs, unknown_key_warns_and_overrides_win)
{
    char body[512];

    snprintf(body, sizeof(body),
             GOOD "cmdline = \"cmd=spin interval_ms=1000\"\ncolour = \"blue\"\n", "warned");
    const char *path = stack_config(&st, "warned.cfg", body);
    cr_assert_eq(pvctl(&st, "create", path, "memory=24", NULL), 0, "%s", st.err);
    cr_expect(strstr(st.err, "warning: unknown key 'colour'"), "%s", st.err);
    cr_assert_eq(pvctl(&st, "list", "warned", NULL), 0);
    cr_expect(strstr(st.out, "   24 "), "memory=24 on the command line should win:\n%s",
              st.out);
}
