/* host.c: the host stack of a run directory: pvhv, pvxenstored and
 * pvconsoled. pvctl starts the missing ones on first use, each in its own
 * session with its log in RUNDIR/log/, and finds a running one by asking
 * its socket who it is (SO_PEERCRED), so a stale socket or pid file left
 * by a killed daemon never misleads it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pvctl.h"

enum daemon_id { D_PVHV, D_XENSTORED, D_CONSOLED, D_BLKBACK, D_NETBACK, NR_DAEMONS };
/* The first NR_CORE run always; backends start when a device needs them. */
#define NR_CORE D_BLKBACK

static const struct daemon {
    const char *prog;
    const char *socket; /* under the run directory; NULL: use the pid file */
    const char *pidfile;
    const char *what;
} daemons[NR_DAEMONS] = {
    [D_PVHV] = { "pvhv", "pvhv.sock", NULL, "hypervisor" },
    [D_XENSTORED] = { "pvxenstored", "xenstored/socket", NULL, "xenstore" },
    [D_CONSOLED] = { "pvconsoled", NULL, "pvconsoled.pid", "console daemon" },
    [D_BLKBACK] = { "pvblkback", NULL, "pvblkback.pid", "block backend" },
    [D_NETBACK] = { "pvnetback", NULL, "pvnetback.pid", "network backend" },
};

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Is `pid` alive and running program `prog`? */
static bool pid_is(pid_t pid, const char *prog)
{
    char path[64], comm[64] = "";
    FILE *f;

    if (pid <= 0 || kill(pid, 0) < 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return false;
    if (!fgets(comm, sizeof(comm), f))
        comm[0] = 0;
    fclose(f);
    comm[strcspn(comm, "\n")] = 0;
    return !strncmp(comm, prog, 15); /* comm holds 15 characters */
}

/* The pid of the running daemon, or 0 if none. */
static pid_t daemon_pid(const struct session *s, enum daemon_id id)
{
    const struct daemon *dm = &daemons[id];
    char path[4200];

    if (dm->socket) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct ucred cred = { 0 };
        socklen_t cl = sizeof(cred);
        int fd, type = id == D_PVHV ? SOCK_SEQPACKET : SOCK_STREAM;
        pid_t pid = 0;

        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", s->rundir,
                             dm->socket) >= sizeof(sa.sun_path))
            return 0;
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return 0;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
            pid = cred.pid;
        close(fd);
        return pid;
    }
    snprintf(path, sizeof(path), "%s/%s", s->rundir, dm->pidfile);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid_is((pid_t)pid, dm->prog) ? (pid_t)pid : 0;
}

/* Start one daemon and wait until it answers. 0 or -errno. */
static int daemon_start(const struct session *s, enum daemon_id id)
{
    const struct daemon *dm = &daemons[id];
    char prog[4200], logdir[4200], log[4300];
    pid_t pid;

    snprintf(prog, sizeof(prog), "%s/%s", s->bindir, dm->prog);
    snprintf(logdir, sizeof(logdir), "%s/log", s->rundir);
    snprintf(log, sizeof(log), "%s/%s.log", logdir, dm->prog);
    if (access(prog, X_OK) < 0) {
        errmsg("cannot start the %s: %s: %s", dm->what, prog, strerror(errno));
        return -ENOENT;
    }
    if ((mkdir(s->rundir, 0700) < 0 && errno != EEXIST) ||
        (mkdir(logdir, 0755) < 0 && errno != EEXIST)) {
        errmsg("cannot create %s: %s", logdir, strerror(errno));
        return -errno;
    }
    pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        /* A daemon: its own session, no terminal, output to its log. The
         * grandchild is reparented so pvctl never has to reap it. */
        if (fork() != 0)
            _exit(0);
        setsid();
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(127);
        execl(prog, dm->prog, "--rundir", s->rundir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    for (int i = 0; i < 500; i++) {
        if (daemon_pid(s, id))
            return 0;
        sleep_ms(10);
    }
    errmsg("the %s (%s) did not come up in 5 s; see %s", dm->what, dm->prog, log);
    return -ETIMEDOUT;
}

static int daemon_stop(const struct session *s, enum daemon_id id)
{
    pid_t pid = daemon_pid(s, id);

    if (!pid)
        return 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
        sleep_ms(10);
    if (kill(pid, 0) == 0) {
        errmsg("%s (pid %d) did not stop in 5 s: killing it", daemons[id].prog, (int)pid);
        kill(pid, SIGKILL);
    }
    return 1;
}

int session_connect(struct session *s, bool start_missing)
{
    int r;

    for (int id = 0; start_missing && id < NR_CORE; id++)
        if (!daemon_pid(s, (enum daemon_id)id) && daemon_start(s, (enum daemon_id)id) < 0)
            return -ENOENT;
    r = pvctrl_open(s->rundir, &s->ctl);
    if (r < 0) {
        errmsg("no pvhv serves %s (%s); `pvctl create` or `pvctl host start` starts one",
               s->rundir, strerror(-r));
        return r;
    }
    /* xenstore is optional for reading verbs: names then come from pvhv. */
    s->xs = xs_open(0);
    return 0;
}

int host_need_backend(struct session *s, const char *prog)
{
    for (int id = NR_CORE; id < NR_DAEMONS; id++)
        if (!strcmp(daemons[id].prog, prog))
            return daemon_pid(s, (enum daemon_id)id) ? 0 : daemon_start(s, (enum daemon_id)id);
    return -EINVAL;
}

int session_need(struct session *s, bool start_missing)
{
    return s->ctl ? 0 : session_connect(s, start_missing);
}

void session_close(struct session *s)
{
    if (s->xs)
        xs_close(s->xs);
    if (s->ctl)
        pvctrl_close(s->ctl);
    s->xs = NULL;
    s->ctl = NULL;
}

static int host_status(struct session *s)
{
    int running = 0;

    printf("run directory: %s\n", s->rundir);
    for (int id = 0; id < NR_DAEMONS; id++) {
        pid_t pid = daemon_pid(s, (enum daemon_id)id);
        running += pid != 0 && id < NR_CORE;
        if (pid)
            printf("%-12s running, pid %d\n", daemons[id].prog, (int)pid);
        else
            printf("%-12s not running%s\n", daemons[id].prog,
                   id >= NR_CORE ? " (starts when a device needs it)" : "");
    }
    if (daemon_pid(s, D_PVHV) && session_need(s, false) == 0) {
        struct pvhv_ctl_dominfo infos[255];
        int n = pvctrl_domain_list(s->ctl, 1, infos, 255);
        printf("domains: %d\n", n < 0 ? 0 : n);
    }
    return running == NR_CORE ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int host_stop(struct session *s, bool force)
{
    if (daemon_pid(s, D_PVHV) && session_need(s, false) == 0) {
        struct pvhv_ctl_dominfo infos[255];
        int n = pvctrl_domain_list(s->ctl, 1, infos, 255);
        if (n > 0 && !force) {
            errmsg("%d domain%s still exist%s; destroy them first, or use host stop -f", n,
                   n == 1 ? "" : "s", n == 1 ? "s" : "");
            return EXIT_FAILURE;
        }
        for (int i = 0; i < n; i++)
            domain_teardown(s, infos[i].domid);
        session_close(s);
    }
    int stopped = 0;
    for (int id = NR_DAEMONS - 1; id >= 0; id--)
        stopped += daemon_stop(s, (enum daemon_id)id);
    printf("stopped %d daemon%s in %s\n", stopped, stopped == 1 ? "" : "s", s->rundir);
    return EXIT_SUCCESS;
}

int cmd_host(struct session *s, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "status") && argc == 2)
        return host_status(s);
    if (argc >= 2 && !strcmp(argv[1], "start") && argc == 2) {
        if (session_connect(s, true) < 0)
            return EXIT_FAILURE;
        return host_status(s);
    }
    if (argc >= 2 && !strcmp(argv[1], "stop") &&
        (argc == 2 || (argc == 3 && !strcmp(argv[2], "-f"))))
        return host_stop(s, argc == 3);
    verb_usage("host", stderr);
    return EXIT_USAGE;
}
