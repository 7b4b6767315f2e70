/* toolstack.c: see toolstack.h. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "toolstack.h"

#define PVCTL_TIMEOUT_MS 30000

void stack_init(struct stack *st)
{
    need_kvm();
    memset(st, 0, sizeof(*st));
    strcpy(st->rundir, "/tmp/pvhv-stack-XXXXXX");
    cr_assert_not_null(mkdtemp(st->rundir), "mkdtemp: %s", strerror(errno));
}

void stack_fini(struct stack *st)
{
    char cmd[256];

    pvctl(st, "host", "stop", "-f", NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", st->rundir);
    if (system(cmd) != 0)
        cr_log_info("could not remove %s", st->rundir);
}

/* Read both pipes until the child closes them or the deadline passes. */
static void collect(struct stack *st, int ofd, int efd, double deadline)
{
    size_t olen = 0, elen = 0;
    struct pollfd p[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };

    while ((p[0].fd >= 0 || p[1].fd >= 0) && now_ms() < deadline) {
        if (poll(p, 2, 100) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            char *buf = i ? st->err : st->out;
            size_t *len = i ? &elen : &olen;
            size_t cap = i ? sizeof(st->err) : sizeof(st->out);
            ssize_t n = read(p[i].fd, buf + *len, cap - 1 - *len);
            if (n <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
            } else {
                *len += (size_t)n;
            }
        }
    }
    st->out[olen] = 0;
    st->err[elen] = 0;
    for (int i = 0; i < 2; i++)
        if (p[i].fd >= 0)
            close(p[i].fd);
}

int pvctl(struct stack *st, ...)
{
    const char *argv[64] = { "pvctl", "--rundir", st->rundir };
    int argc = 3, po[2], pe[2], status;
    va_list ap;

    va_start(ap, st);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 63;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    cr_assert_eq(pipe2(po, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(pe, O_CLOEXEC), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        execv(build_path("bin/pvctl"), (char **)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    /* The daemons pvctl starts hold no copy of these pipes (they are
     * CLOEXEC and the daemons' output goes to their logs), so EOF comes
     * when pvctl exits. */
    collect(st, po[0], pe[0], now_ms() + PVCTL_TIMEOUT_MS);
    for (double end = now_ms() + 2000; waitpid(pid, &status, WNOHANG) == 0;) {
        if (now_ms() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            cr_log_error("pvctl %s %s: killed after %d ms", argv[3], argc > 4 ? argv[4] : "",
                         PVCTL_TIMEOUT_MS);
            return 124;
        }
        usleep(10000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *stack_config(struct stack *st, const char *name, const char *body)
{
    static char path[256];
    char text[8192];
    const char *k = build_path("guests/refguest.elf");
    const char *at;
    size_t n = 0;

    for (const char *p = body; *p;) {
        at = strstr(p, "@KERNEL@");
        size_t chunk = at ? (size_t)(at - p) : strlen(p);
        cr_assert_lt(n + chunk + strlen(k), sizeof(text));
        memcpy(text + n, p, chunk);
        n += chunk;
        if (!at)
            break;
        memcpy(text + n, k, strlen(k));
        n += strlen(k);
        p = at + 8;
    }
    text[n] = 0;
    snprintf(path, sizeof(path), "%s/%s", st->rundir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

int stack_domid(struct stack *st, const char *name)
{
    if (pvctl(st, "domid", name, NULL) != 0)
        return -1;
    return atoi(st->out);
}

bool stack_state(struct stack *st, const char *name, char *buf, size_t len)
{
    if (pvctl(st, "list", NULL) != 0)
        return false;
    for (char *line = strtok(st->out, "\n"); line; line = strtok(NULL, "\n")) {
        char n[128], state[16];
        int id, mem, vcpus;
        if (sscanf(line, "%127s %d %d %d %15s", n, &id, &mem, &vcpus, state) == 5 &&
            !strcmp(n, name)) {
            snprintf(buf, len, "%s", state);
            return true;
        }
    }
    return false;
}

bool stack_wait(struct stack *st, const char *name, char flag, int ms)
{
    for (double end = now_ms() + ms; now_ms() < end; usleep(50000)) {
        char state[16];
        bool listed = stack_state(st, name, state, sizeof(state));
        if (!flag && !listed)
            return true;
        if (flag && listed && strchr(state, flag))
            return true;
    }
    return false;
}

bool stack_console_has(struct stack *st, const char *name, const char *text, int ms)
{
    char path[256], buf[65536];

    snprintf(path, sizeof(path), "%s/console/%s.log", st->rundir, name);
    for (double end = now_ms() + ms; now_ms() < end; usleep(50000)) {
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        if (strstr(buf, text))
            return true;
    }
    return false;
}

bool pty_wait(int master, const char *text, int ms, char *buf, size_t cap)
{
    size_t len = strlen(buf);

    for (double end = now_ms() + ms; now_ms() < end;) {
        struct pollfd p = { master, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = read(master, buf + len, cap - 1 - len);
        if (n <= 0)
            return false;
        len += (size_t)n;
        buf[len] = 0;
        if (strstr(buf, text))
            return true;
        if (len > cap / 2) { /* keep the tail */
            memmove(buf, buf + len - cap / 4, cap / 4);
            len = cap / 4;
            buf[len] = 0;
        }
    }
    return false;
}

const char *stack_image(struct stack *st, const char *name, unsigned mib)
{
    static char path[4][256];
    static unsigned next;
    char *p = path[next++ % 4];

    snprintf(p, sizeof(path[0]), "%s/%s", st->rundir, name);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0, "%s: %s", p, strerror(errno));
    cr_assert_eq(ftruncate(fd, (off_t)mib << 20), 0);
    close(fd);
    return p;
}

pid_t pvctl_console_open(struct stack *st, const char *name, int *master)
{
    pid_t pid = forkpty(master, NULL, NULL, NULL);

    cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
    if (pid == 0) {
        execl(build_path("bin/pvctl"), "pvctl", "--rundir", st->rundir, "console", name,
              (char *)NULL);
        _exit(127);
    }
    /* Let it put the terminal in raw mode before anything is typed. */
    usleep(300000);
    return pid;
}

int pvctl_console_detach(pid_t pid, int master, int ms)
{
    int status = -1;
    bool exited = false;

    if (write(master, "\x1d", 1) == 1)
        for (double end = now_ms() + ms; !exited && now_ms() < end; usleep(20000))
            exited = waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        status = -1;
    }
    close(master);
    return status;
}
