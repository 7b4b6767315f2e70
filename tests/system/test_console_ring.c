/* test_console_ring.c: the PV console ring end to end: a guest's output
 * reaches pvconsoled's log (also when the daemon comes late, or restarts
 * while the guest runs), typed input reaches the guest through the pty
 * that `pvctl console` attaches to (console_attach), and Ctrl-] or the
 * domain going away ends the session. No xenstore: pvconsoled finds the
 * domains by its rescan. The ring protocol itself is checked against
 * hostile indexes without a guest (suite console_ring_proto). */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/sched.h>

#include "../../backends/pvconsoled/ring.h"
#include "../../dom0-tools/pvctl/console_attach.h"
#include "harness.h"

#define CTRL_RBRACKET 0x1d

static struct host host;
static pid_t consoled;
static char con[65536];

/* ---- pvconsoled ---------------------------------------------------------- */

static void path_in_rundir(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/%s", host.rundir, rel);
}

/* Start pvconsoled on the host's run directory; wait for its pid file. */
static pid_t start_consoled(void)
{
    char pidfile[256];
    pid_t pid = fork();

    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        const char *prog = build_path("bin/pvconsoled");
        if (getenv("PVHV_TEST_VERBOSE"))
            execl(prog, "pvconsoled", "--rundir", host.rundir, "--debug", (char *)NULL);
        else
            execl(prog, "pvconsoled", "--rundir", host.rundir, "--quiet", (char *)NULL);
        _exit(127);
    }
    path_in_rundir(pidfile, sizeof(pidfile), "pvconsoled.pid");
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(pidfile, "r");
        long got = 0;
        if (f) {
            if (fscanf(f, "%ld", &got) != 1)
                got = 0;
            fclose(f);
        }
        if (got == pid)
            return pid;
        cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "pvconsoled exited at start-up");
        usleep(10 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_fail("pvconsoled wrote no pid file in 5 s");
    return -1;
}

/* Send `sig`, wait up to 5 s (then SIGKILL); the exit status, 128+signal
 * if a signal ended it. */
static int stop_consoled(pid_t pid, int sig)
{
    int st = 0;

    kill(pid, sig);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 128 + SIGKILL;
}

static void setup(void)
{
    host_start(&host);
    consoled = 0;
}

static void teardown(void)
{
    if (consoled > 0) {
        char pidfile[256];
        path_in_rundir(pidfile, sizeof(pidfile), "pvconsoled.pid");
        cr_expect_eq(stop_consoled(consoled, SIGTERM), 0, "pvconsoled must exit cleanly");
        cr_expect_neq(access(pidfile, F_OK), 0, "pvconsoled must remove its pid file");
    }
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(console_ring, .init = setup, .fini = teardown, .timeout = 90);

/* ---- files pvconsoled writes --------------------------------------------- */

/* The whole file into buf (NUL-terminated); its length, or -1. */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    ssize_t n;

    buf[0] = 0;
    if (fd < 0)
        return -1;
    while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = 0;
    close(fd);
    return (ssize_t)len;
}

/* Wait up to `ms` until DIR/console/NAME.log holds `text`; it is left in con. */
static bool wait_log(const char *name, const char *text, int ms)
{
    char path[256], rel[128];
    double end = now_ms() + ms;

    snprintf(rel, sizeof(rel), "console/%s.log", name);
    path_in_rundir(path, sizeof(path), rel);
    do {
        if (read_file(path, con, sizeof(con)) >= 0 && strstr(con, text))
            return true;
        usleep(5 * 1000);
    } while (now_ms() < end);
    return false;
}

/* The pty path in DIR/console/NAME.tty, waiting up to 5 s for it. */
static void tty_of(const char *name, char *tty, size_t len)
{
    char path[256], rel[128];
    double end = now_ms() + 5000;

    snprintf(rel, sizeof(rel), "console/%s.tty", name);
    path_in_rundir(path, sizeof(path), rel);
    do {
        if (read_file(path, tty, len) > 0 && strchr(tty, '\n')) {
            tty[strcspn(tty, "\n")] = 0;
            return;
        }
        usleep(5 * 1000);
    } while (now_ms() < end);
    cr_assert_fail("pvconsoled wrote no %s", path);
}

/* ---- a console_attach session in a thread -------------------------------- */

struct session {
    pthread_t thread;
    char tty[128];
    int user;     /* the test's end: write what is typed, read what is shown */
    int attach_fd; /* console_attach's end (in_fd and out_fd) */
    int result;
    char shown[16384];
    size_t shown_len;
};

static void *session_main(void *arg)
{
    struct session *s = arg;

    s->result = console_attach(s->tty, s->attach_fd, s->attach_fd, CTRL_RBRACKET);
    return NULL;
}

static void session_start(struct session *s, const char *tty)
{
    int sp[2];

    memset(s, 0, sizeof(*s));
    snprintf(s->tty, sizeof(s->tty), "%s", tty);
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    s->user = sp[0];
    s->attach_fd = sp[1];
    s->result = 1;
    cr_assert_eq(pthread_create(&s->thread, NULL, session_main, s), 0);
}

static void type(struct session *s, const char *text, size_t len)
{
    cr_assert_eq(write(s->user, text, len), (ssize_t)len);
}

/* Wait up to `ms` until what the session showed holds `text`. */
static bool wait_shown(struct session *s, const char *text, int ms)
{
    double end = now_ms() + ms;

    while (!strstr(s->shown, text) && now_ms() < end) {
        struct pollfd p = { .fd = s->user, .events = POLLIN };
        if (poll(&p, 1, 10) <= 0)
            continue;
        ssize_t n = read(s->user, s->shown + s->shown_len, sizeof(s->shown) - 1 - s->shown_len);
        if (n <= 0)
            break;
        s->shown_len += (size_t)n;
        s->shown[s->shown_len] = 0;
    }
    return strstr(s->shown, text) != NULL;
}

/* Join the session's thread (up to `ms`); its result, or 1 if it is
 * still running (it is then abandoned with its fds, the test failing). */
static int session_end(struct session *s, int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    if (pthread_timedjoin_np(s->thread, NULL, &ts) != 0)
        return 1;
    close(s->user);
    close(s->attach_fd);
    return s->result;
}

/* ---- the tests ----------------------------------------------------------- */

Test(console_ring, hello_reaches_the_log)
{
    char path[256], tty[128];

    consoled = start_consoled();
    uint32_t d = boot_refguest(&host, "hello", "cmd=hello", 1, 32);
    cr_expect(wait_log("hello", "Hello from pvhv guest\n", 5000), "log:\n%s", con);
    cr_expect_str_eq(con, "Hello from pvhv guest\n", "the log holds exactly the output");
    /* The hypervisor console still gets everything too. */
    cr_expect(wait_console(&host, d, "Hello from pvhv guest\n", 5000, con, sizeof(con)),
              "console:\n%s", con);
    tty_of("hello", tty, sizeof(tty));
    cr_expect_eq(strncmp(tty, "/dev/pts/", 9), 0, "a pty: %s", tty);

    /* Gone: the tty file goes within a rescan, the log stays. */
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    path_in_rundir(path, sizeof(path), "console/hello.tty");
    double end = now_ms() + 3000;
    while (access(path, F_OK) == 0 && now_ms() < end)
        usleep(10 * 1000);
    cr_expect_neq(access(path, F_OK), 0, "%s must go with the domain", path);
    cr_expect(wait_log("hello", "Hello from pvhv guest\n", 0), "the log stays");

    /* A second daemon on the same run directory refuses to start. */
    pid_t second = fork();
    cr_assert_geq(second, 0);
    if (second == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        execl(build_path("bin/pvconsoled"), "pvconsoled", "--rundir", host.rundir,
              (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(second, &st, 0);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1,
              "a second pvconsoled must exit 1 (status %#x)", st);
}

Test(console_ring, output_before_the_daemon_is_kept)
{
    struct pvhv_ctl_dominfo info;
    uint32_t d = boot_refguest(&host, "early", "cmd=hello", 1, 32);

    /* The guest prints and powers off before any daemon: the ring holds it. */
    cr_assert(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 5000, &info));
    consoled = start_consoled();
    cr_expect(wait_log("early", "Hello from pvhv guest\n", 5000), "log:\n%s", con);
    cr_expect_str_eq(con, "Hello from pvhv guest\n");
}

Test(console_ring, echo_through_the_pty)
{
    struct pvhv_ctl_dominfo info;
    struct session s;
    char tty[128];

    consoled = start_consoled();
    uint32_t d = boot_refguest(&host, "echo", "cmd=echo", 1, 32);
    cr_assert(wait_console(&host, d, "echo: ready\n", 5000, con, sizeof(con)), "%s", con);
    tty_of("echo", tty, sizeof(tty));
    cr_expect(wait_log("echo", "echo: ready\n", 5000), "log:\n%s", con);

    session_start(&s, tty);
    /* What the guest printed before anyone attached waited in the pty. */
    cr_expect(wait_shown(&s, "echo: ready\n", 5000), "shown:\n%s", s.shown);
    type(&s, "hello ring\n", 11);
    cr_expect(wait_shown(&s, "echo: hello ring\n", 5000), "shown:\n%s", s.shown);
    char esc = CTRL_RBRACKET;
    type(&s, &esc, 1);
    cr_expect_eq(session_end(&s, 5000), 0, "Ctrl-] must end console_attach with 0");

    cr_expect(wait_log("echo", "echo: hello ring\n", 5000), "log:\n%s", con);
    cr_expect(wait_console(&host, d, "echo: hello ring\n", 5000, con, sizeof(con)),
              "the hypervisor console gets the echo too:\n%s", con);

    /* Quit through the hypervisor console: the guest says how the ring went. */
    cr_assert_eq(pvctrl_console_input(host.ctl, d, "quit\n", 5), 5);
    cr_expect(wait_state(&host, d, PVHV_DOMSTATE_SHUTDOWN, 5000, &info), "state %s",
              pvctrl_state_name(info.state));
    wait_console(&host, d, "\xff", 0, con, sizeof(con));
    const char *stats = strstr(con, "echo: ring port ");
    cr_assert_not_null(stats, "console:\n%s", con);
    unsigned port = 0, ring_woken = 0;
    unsigned long in = 0, out = 0, dropped = 0;
    cr_assert_eq(sscanf(stats, "echo: ring port %u woke me %u times; ring in %lu, out %lu, "
                               "dropped %lu bytes",
                        &port, &ring_woken, &in, &out, &dropped),
                 5, "%s", stats);
    cr_expect_neq(port, 0);
    cr_expect_geq(ring_woken, 1, "typed input must wake the guest by the ring's port");
    cr_expect_eq(in, 11, "\"hello ring\\n\" came through the ring");
    cr_expect_eq(dropped, 0, "a daemon was there: nothing dropped");
    cr_expect_gt(out, 0);
}

Test(console_ring, attach_ends_when_the_domain_goes)
{
    struct session s;
    char tty[128];

    consoled = start_consoled();
    uint32_t d = boot_refguest(&host, "goner", "cmd=echo", 1, 32);
    tty_of("goner", tty, sizeof(tty));
    session_start(&s, tty);
    cr_expect(wait_shown(&s, "echo: ready\n", 5000), "shown:\n%s", s.shown);
    cr_assert_eq(pvctrl_domain_destroy(host.ctl, d), 0);
    cr_expect_eq(session_end(&s, 5000), -EIO, "the pty closing must end console_attach");
    cr_expect_eq(console_attach("/nonexistent/pty", 0, 1, CTRL_RBRACKET), -ENOENT);
}

Test(console_ring, daemon_restart_keeps_logging)
{
    consoled = start_consoled();
    uint32_t d = boot_refguest(&host, "survivor", "cmd=echo", 1, 32);
    cr_assert(wait_log("survivor", "echo: ready\n", 5000), "log:\n%s", con);

    /* Killed outright: its ports close with its connections. */
    cr_expect_eq(stop_consoled(consoled, SIGKILL), 128 + SIGKILL);
    consoled = 0;
    cr_assert_eq(pvctrl_console_input(host.ctl, d, "while down\n", 11), 11);
    cr_assert(wait_console(&host, d, "echo: while down\n", 5000, con, sizeof(con)), "%s",
              con);

    /* A new daemon takes over (the stale pid file is no obstacle) and
     * logs what the ring kept meanwhile, then what follows. */
    consoled = start_consoled();
    cr_expect(wait_log("survivor", "echo: while down\n", 5000), "log:\n%s", con);
    cr_assert_eq(pvctrl_console_input(host.ctl, d, "after restart\n", 14), 14);
    cr_expect(wait_log("survivor", "echo: after restart\n", 5000), "log:\n%s", con);
    const char *ready = strstr(con, "echo: ready\n");
    cr_assert_not_null(ready, "log:\n%s", con);
    cr_expect_null(strstr(ready + 1, "echo: ready\n"), "nothing logged twice:\n%s", con);

    /* Typed through the new daemon's pty, the input still arrives. */
    struct session s;
    char tty[128];
    tty_of("survivor", tty, sizeof(tty));
    session_start(&s, tty);
    type(&s, "via new pty\n", 12);
    cr_expect(wait_shown(&s, "echo: via new pty\n", 5000), "shown:\n%s", s.shown);
    char esc = CTRL_RBRACKET;
    type(&s, &esc, 1);
    cr_expect_eq(session_end(&s, 5000), 0);
}

/* ---- the ring protocol, no guest ------------------------------------------ */

TestSuite(console_ring_proto);

Test(console_ring_proto, output_wraps_the_free_running_indexes)
{
    static struct xencons_interface r;
    char buf[4096];
    bool bogus = false;

    /* 10 bytes written across the index wrap (and the array's end). */
    r.out_cons = r.out_prod = 0xfffffffbu;
    for (int i = 0; i < 10; i++)
        r.out[MASK_XENCONS_IDX(r.out_prod + (uint32_t)i, r.out)] = (char)('0' + i);
    r.out_prod += 10;
    cr_assert_eq(ring_take_output(&r, buf, sizeof(buf), &bogus), 10);
    cr_expect_eq(memcmp(buf, "0123456789", 10), 0);
    cr_expect_eq(r.out_cons, r.out_prod);
    cr_expect_not(bogus);
    cr_expect_eq(ring_take_output(&r, buf, sizeof(buf), &bogus), 0);

    /* A small buffer takes part; the rest stays for the next call. */
    r.out_prod += 5;
    cr_expect_eq(ring_take_output(&r, buf, 3, &bogus), 3);
    cr_expect_eq(ring_take_output(&r, buf, 3, &bogus), 2);
}

Test(console_ring_proto, hostile_indexes_are_contained)
{
    static struct xencons_interface r;
    char buf[4096];
    bool bogus = false;

    /* More than a ring's worth "written": resynchronised, nothing read. */
    r.out_cons = 100;
    r.out_prod = 100 + sizeof(r.out) + 1;
    cr_expect_eq(ring_take_output(&r, buf, sizeof(buf), &bogus), 0);
    cr_expect(bogus);
    cr_expect_eq(r.out_cons, r.out_prod);
    /* prod behind cons: the same. */
    bogus = false;
    r.out_prod = r.out_cons - 1;
    cr_expect_eq(ring_take_output(&r, buf, sizeof(buf), &bogus), 0);
    cr_expect(bogus);

    /* A full ring is exactly the ring's size. */
    bogus = false;
    r.out_cons = 7;
    r.out_prod = 7 + sizeof(r.out);
    cr_expect_eq(ring_take_output(&r, buf, sizeof(buf), &bogus), sizeof(r.out));
    cr_expect_not(bogus);

    /* Input: the guest's in_cons ahead of our in_prod means no room. */
    r.in_prod = 50;
    r.in_cons = 51;
    cr_expect_eq(ring_input_room(&r), 0);
    cr_expect_eq(ring_put_input(&r, "x", 1), 0);
    cr_expect_eq(r.in_prod, 50);
    /* Room is what in_cons handed back; input beyond it waits. */
    r.in_cons = 50 - 1000;
    cr_expect_eq(ring_input_room(&r), sizeof(r.in) - 1000);
    memset(buf, 'a', sizeof(buf));
    cr_expect_eq(ring_put_input(&r, buf, 100), sizeof(r.in) - 1000);
    cr_expect_eq(r.in_prod, 50 + sizeof(r.in) - 1000);
    cr_expect_eq(ring_input_room(&r), 0);
}
