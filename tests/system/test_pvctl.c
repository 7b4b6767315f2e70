/* test_pvctl.c: pvctl as an administrator uses it: each verb run as a
 * process (argv, exit code, output), the host stack it starts, and the
 * on_poweroff/on_reboot/on_crash actions it carries out. */
#include <criterion/criterion.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "harness.h"
#include "toolstack.h"

static struct stack st;

static void setup(void) { stack_init(&st); }
static void teardown(void) { stack_fini(&st); }

TestSuite(pvctl, .init = setup, .fini = teardown, .timeout = 90);

#define SPIN_CFG                                                                  \
    "# a guest that prints a line every 200 ms\n"                                 \
    "name = \"%s\"\n"                                                             \
    "kernel = \"@KERNEL@\"\n"                                                     \
    "memory = 32\n"                                                               \
    "vcpus = 2\n"                                                                 \
    "cmdline = \"cmd=spin interval_ms=200\"\n"

static const char *spin_config(const char *name, const char *extra)
{
    char body[1024];

    snprintf(body, sizeof(body), SPIN_CFG "%s", name, extra ? extra : "");
    return stack_config(&st, name, body);
}

/* Is v a JSON string equal to want? */
static bool json_str_is(yajl_val v, const char *want)
{
    return v && YAJL_IS_STRING(v) && !strcmp(v->u.string, want);
}

static int create(const char *cfg)
{
    int rc = pvctl(&st, "create", cfg, NULL);
    cr_assert_eq(rc, 0, "pvctl create %s: exit %d\nstdout: %s\nstderr: %s", cfg, rc, st.out,
                 st.err);
    return rc;
}

Test(pvctl, verbs_on_a_running_domain)
{
    char state[16], want[64];

    create(spin_config("web", NULL));
    cr_expect(strstr(st.out, "Started domain web (id="), "create said: %s", st.out);
    cr_expect(strstr(st.err, "Parsing config from"), "create said on stderr: %s", st.err);
    int id = stack_domid(&st, "web");
    cr_assert_gt(id, 0);

    /* list: name, id, MiB, online vCPUs, state, time */
    cr_assert_eq(pvctl(&st, "list", NULL), 0);
    cr_expect(strstr(st.out, "Name") && strstr(st.out, "State"), "%s", st.out);
    snprintf(want, sizeof(want), "%d    32     1", id);
    cr_expect(strstr(st.out, want), "list lacks '%s':\n%s", want, st.out);

    snprintf(want, sizeof(want), "%d", id);
    cr_assert_eq(pvctl(&st, "domname", want, NULL), 0);
    cr_expect_str_eq(st.out, "web\n");

    /* the guest's console reaches pvconsoled's log */
    cr_expect(stack_console_has(&st, "web", "spin 3", 10000), "no console log for web");

    cr_assert_eq(pvctl(&st, "pause", "web", NULL), 0);
    cr_assert(stack_state(&st, "web", state, sizeof(state)));
    cr_expect_str_eq(state, "--p---");
    cr_assert_eq(pvctl(&st, "unpause", "web", NULL), 0);
    cr_assert(stack_state(&st, "web", state, sizeof(state)));
    cr_expect(!strchr(state, 'p'), "still paused: %s", state);

    cr_assert_eq(pvctl(&st, "vcpu-list", "web", NULL), 0);
    cr_expect(strstr(st.out, "Hypercalls"), "%s", st.out);
    int lines = 0;
    for (char *p = st.out; (p = strstr(p, "web")); p++)
        lines++;
    cr_expect_eq(lines, 2, "vcpu-list should show 2 vCPUs:\n%s", st.out);

    cr_assert_eq(pvctl(&st, "uptime", "web", NULL), 0);
    cr_expect(strstr(st.out, "web"), "%s", st.out);

    cr_assert_eq(pvctl(&st, "rename", "web", "www", NULL), 0);
    cr_expect_eq(stack_domid(&st, "www"), id);
    cr_expect_eq(pvctl(&st, "domid", "web", NULL), 1);
    cr_expect(strstr(st.err, "no domain named 'web'"), "%s", st.err);

    /* list -l: JSON with the config the domain was made from */
    cr_assert_eq(pvctl(&st, "list", "-l", NULL), 0);
    char why[256];
    yajl_val doc = yajl_tree_parse(st.out, why, sizeof(why));
    cr_assert_not_null(doc, "list -l is not JSON (%s):\n%s", why, st.out);
    cr_assert(YAJL_IS_ARRAY(doc) && doc->u.array.len == 1, "%s", st.out);
    yajl_val d0 = doc->u.array.values[0];
    const char *pname[] = { "name", NULL }, *pmem[] = { "config", "b_info", "max_memkb", NULL };
    const char *pcmd[] = { "config", "b_info", "cmdline", NULL };
    yajl_val v = yajl_tree_get(d0, pname, yajl_t_string);
    cr_expect(json_str_is(v, "www"), "%s", st.out);
    v = yajl_tree_get(d0, pmem, yajl_t_number);
    cr_expect(v && YAJL_GET_INTEGER(v) == 32768, "%s", st.out);
    v = yajl_tree_get(d0, pcmd, yajl_t_string);
    cr_expect(json_str_is(v, "cmd=spin interval_ms=200"), "%s", st.out);
    yajl_tree_free(doc);

    cr_assert_eq(pvctl(&st, "info", NULL), 0);
    cr_expect(strstr(st.out, "nr_domains") && strstr(st.out, ": 1\n"), "%s", st.out);

    cr_assert_eq(pvctl(&st, "destroy", "www", NULL), 0);
    cr_expect(stack_wait(&st, "www", 0, 2000), "www still listed");
    cr_expect_eq(pvctl(&st, "destroy", "www", NULL), 1);
}

Test(pvctl, usage_and_help)
{
    cr_expect_eq(pvctl(&st, "help", "create", NULL), 0);
    cr_expect(strstr(st.out, "usage: pvctl create [-c] [-p] [-q] CONFIG"), "%s", st.out);
    cr_expect_eq(pvctl(&st, "frobnicate", NULL), 2);
    cr_expect(strstr(st.err, "no verb 'frobnicate'"), "%s", st.err);
    cr_expect_eq(pvctl(&st, "create", NULL), 2);
    cr_expect_eq(pvctl(&st, "create", "-z", "x.cfg", NULL), 2);
    /* a reading verb with no host running says so, and fails */
    cr_expect_eq(pvctl(&st, "list", NULL), 1);
    cr_expect(strstr(st.err, "no pvhv serves"), "%s", st.err);
}

Test(pvctl, create_paused_then_unpause)
{
    char state[16];

    cr_assert_eq(pvctl(&st, "create", "-p", spin_config("held", NULL), NULL), 0, "%s",
                 st.err);
    cr_assert(stack_state(&st, "held", state, sizeof(state)));
    cr_expect_str_eq(state, "--p---");
    cr_assert_eq(pvctl(&st, "unpause", "held", NULL), 0);
    cr_expect(stack_console_has(&st, "held", "spin 1", 10000));
}

Test(pvctl, shutdown_wait_then_on_poweroff_destroy)
{
    create(spin_config("down", "on_poweroff = \"destroy\"\n"));
    cr_assert_eq(pvctl(&st, "shutdown", "-w", "down", NULL), 0, "%s", st.err);
    cr_expect(strstr(st.out, "Shutting down domain"), "%s", st.out);
    cr_expect(strstr(st.out, "has been destroyed"), "%s", st.out);
    cr_expect(stack_wait(&st, "down", 0, 5000), "on_poweroff=destroy did not destroy it");
}

/*
 * The domid NAME has once a restart replaced domain `first`, polled for up
 * to `ms`: the monitor destroys (or renames) the old domain and then
 * creates the new one, so for a moment no domain has the name. Returns
 * the new domid, or `first` or -1 if none showed in time.
 */
static int wait_new_domid(const char *name, int first, int ms)
{
    int next = first;

    for (int waited = 0; waited < ms && (next == first || next < 0); waited += 50) {
        usleep(50000);
        next = stack_domid(&st, name);
    }
    return next;
}

Test(pvctl, reboot_restarts_with_same_name_new_domid)
{
    create(spin_config("again", NULL)); /* on_reboot defaults to restart */
    int first = stack_domid(&st, "again");
    cr_assert_eq(pvctl(&st, "reboot", "again", NULL), 0, "%s", st.err);
    int next = wait_new_domid("again", first, 5000);
    cr_expect(next > 0 && next != first, "domid %d after reboot (was %d)", next, first);
    cr_expect(stack_wait(&st, "again", 'r', 5000) || stack_wait(&st, "again", 'b', 1000));
}

static const char *crash_config(const char *name, const char *action)
{
    char body[512];

    snprintf(body, sizeof(body),
             "name = \"%s\"\nkernel = \"@KERNEL@\"\nmemory = 16\n"
             "cmdline = \"cmd=crashcode\"\non_crash = \"%s\"\n", name, action);
    return stack_config(&st, name, body);
}

Test(pvctl, on_crash_restart)
{
    create(crash_config("phoenix", "restart"));
    int first = stack_domid(&st, "phoenix");
    int next = wait_new_domid("phoenix", first, 10000);
    cr_expect(next > 0 && next != first, "not restarted: domid %d (first %d)", next, first);
}

Test(pvctl, on_crash_preserve_keeps_the_crashed_domain)
{
    create(crash_config("wreck", "preserve"));
    cr_expect(stack_wait(&st, "wreck", 'c', 10000), "wreck never showed as crashed");
    int id = stack_domid(&st, "wreck");
    usleep(500000);
    cr_expect_eq(stack_domid(&st, "wreck"), id, "a preserved domain must stay as it is");
    cr_expect_eq(pvctl(&st, "destroy", "wreck", NULL), 0);
}

Test(pvctl, on_crash_rename_restart)
{
    char old[64];

    create(crash_config("moth", "rename-restart"));
    int first = stack_domid(&st, "moth");
    snprintf(old, sizeof(old), "moth--incarnation-%d", first);
    cr_expect(stack_wait(&st, old, 'c', 10000), "no preserved %s", old);
    int next = wait_new_domid("moth", first, 5000);
    cr_expect(next > 0 && next != first, "no new moth (domid %d, first %d)", next, first);
}

Test(pvctl, host_stack_status_stop_and_a_killed_daemon)
{
    cr_expect_eq(pvctl(&st, "host", "status", NULL), 1);
    cr_expect(strstr(st.out, "pvhv         not running"), "%s", st.out);
    cr_assert_eq(pvctl(&st, "host", "start", NULL), 0, "%s", st.err);
    const char *p = strstr(st.out, "pvxenstored  running, pid ");
    cr_assert_not_null(p, "%s", st.out);
    pid_t xsd = atoi(p + strlen("pvxenstored  running, pid "));
    cr_assert_gt(xsd, 0);

    /* kill -9 leaves its socket file behind; pvctl must see it is stale */
    kill(xsd, SIGKILL);
    usleep(100000);
    create(spin_config("after", NULL));
    cr_expect_eq(pvctl(&st, "host", "status", NULL), 0, "%s", st.out);

    cr_expect_eq(pvctl(&st, "host", "stop", NULL), 1);
    cr_expect(strstr(st.err, "still exist"), "%s", st.err);
    cr_expect_eq(pvctl(&st, "host", "stop", "-f", NULL), 0);
    cr_expect_eq(pvctl(&st, "host", "status", NULL), 1);
}

Test(pvctl, console_through_a_terminal_then_ctrl_bracket_detaches)
{
    char body[256], seen[8192] = "";
    int master;

    snprintf(body, sizeof(body),
             "name = \"talk\"\nkernel = \"@KERNEL@\"\nmemory = 16\ncmdline = \"cmd=echo\"\n");
    create(stack_config(&st, "talk.cfg", body));
    cr_assert(stack_console_has(&st, "talk", "echo: ready", 10000));

    /* `pvctl console talk` on a terminal, as a user runs it */
    pid_t pid = pvctl_console_open(&st, "talk", &master);
    /* Enter sends \r on a raw terminal: the guest gets the line as typed. */
    const char line[] = "hello through the pty\r";
    cr_assert_eq(write(master, line, sizeof(line) - 1), (ssize_t)sizeof(line) - 1);
    cr_expect(pty_wait(master, "echo: hello through the pty", 10000, seen, sizeof(seen)),
              "the echo did not come back; the terminal showed:\n%s", seen);

    /* Ctrl-] detaches; pvctl exits 0 and the guest runs on */
    int status = pvctl_console_detach(pid, master, 5000);
    cr_expect(status != -1, "Ctrl-] did not detach");
    cr_expect(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "pvctl console: %d",
              status);
    char state[16];
    cr_expect(stack_state(&st, "talk", state, sizeof(state)), "the guest died on detach");
}
