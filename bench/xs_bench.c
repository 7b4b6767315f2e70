/* xs_bench.c: pvxenstored over its unix socket, through libxs: read,
 * write and transactional read-modify-write ops/s with 1 and 8 clients,
 * each as a ratio to a raw unix-socket echo of the same message size
 * measured in the same run (so the figure says what xenstore itself
 * costs on this machine, not how fast the machine is). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#define RUN_SECONDS 1.0
#define MSG_BYTES 40 /* a header and a short path: what a READ sends */

enum op { OP_ECHO, OP_READ, OP_WRITE, OP_RMW };
static const char *const op_names[] = { "echo", "read", "write", "txn read-modify-write" };

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char echo_path[108];

/* The baseline server: one thread per client, echoing fixed-size messages. */
static void *echo_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[MSG_BYTES];

    for (;;) {
        size_t got = 0;
        while (got < sizeof(buf)) {
            ssize_t n = read(fd, buf + got, sizeof(buf) - got);
            if (n <= 0) {
                close(fd);
                return NULL;
            }
            got += (size_t)n;
        }
        if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
            close(fd);
            return NULL;
        }
    }
}

static void *echo_server(void *arg)
{
    int lfd = (int)(intptr_t)arg;

    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        pthread_t t;
        if (fd < 0)
            return NULL;
        pthread_create(&t, NULL, echo_conn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
}

struct client {
    enum op op;
    int id;
    double until;
    long ops, retries;
    int failed;
};

static void *client_main(void *arg)
{
    struct client *c = arg;
    char path[64], buf[MSG_BYTES] = { 0 };

    snprintf(path, sizeof(path), "/bench/client-%d", c->id);
    if (c->op == OP_ECHO) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        memcpy(sa.sun_path, echo_path, sizeof(echo_path));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            c->failed = 1;
            return NULL;
        }
        while (now() < c->until) {
            for (int i = 0; i < 100; i++) {
                size_t got = 0;
                if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                    c->failed = 1;
                while (got < sizeof(buf)) {
                    ssize_t n = read(fd, buf + got, sizeof(buf) - got);
                    if (n <= 0) {
                        c->failed = 1;
                        break;
                    }
                    got += (size_t)n;
                }
                if (c->failed)
                    break;
                c->ops++;
            }
            if (c->failed)
                break;
        }
        close(fd);
        return NULL;
    }
    struct xs_handle *h = xs_open(0);
    if (!h || !xs_write(h, XBT_NULL, path, "0", 1)) {
        c->failed = 1;
        xs_close(h);
        return NULL;
    }
    while (now() < c->until && !c->failed) {
        for (int i = 0; i < 100 && !c->failed; i++) {
            if (c->op == OP_READ) {
                char *v = xs_read(h, XBT_NULL, path, NULL);
                c->failed = !v;
                free(v);
            } else if (c->op == OP_WRITE) {
                c->failed = !xs_write(h, XBT_NULL, path, "value", 5);
            } else {
                for (;;) {
                    xs_transaction_t t = xs_transaction_start(h);
                    char *v = t ? xs_read(h, t, path, NULL) : NULL;
                    char n[24];
                    if (!v) {
                        c->failed = 1;
                        break;
                    }
                    snprintf(n, sizeof(n), "%ld", atol(v) + 1);
                    free(v);
                    if (!xs_write(h, t, path, n, (unsigned int)strlen(n))) {
                        c->failed = 1;
                        break;
                    }
                    if (xs_transaction_end(h, t, false))
                        break;
                    if (errno != EAGAIN) {
                        c->failed = 1;
                        break;
                    }
                    c->retries++;
                }
            }
            c->ops++;
        }
    }
    xs_close(h);
    return NULL;
}

/* ops/s for `op` with n clients, or -1 on failure. */
static double measure(enum op op, int n, long *retries)
{
    struct client c[8];
    pthread_t t[8];
    double start = now(), until = start + RUN_SECONDS, total = 0;
    int failed = 0;

    for (int i = 0; i < n; i++) {
        c[i] = (struct client){ op, i, until, 0, 0, 0 };
        pthread_create(&t[i], NULL, client_main, &c[i]);
    }
    *retries = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        total += c[i].ops;
        *retries += c[i].retries;
        failed |= c[i].failed;
    }
    return failed ? -1 : total / (now() - start);
}

int main(int argc, char **argv)
{
    const char *build = argc > 1 ? argv[1] : "build";
    char rundir[] = "/tmp/pvxs-bench-XXXXXX", daemon[512], sock[128];
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    pthread_t echo;
    pid_t pid;
    int lfd, rc = 0;

    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(rundir))
        return 1;
    snprintf(daemon, sizeof(daemon), "%s/bin/pvxenstored", build);
    snprintf(sock, sizeof(sock), "%s/xenstored/socket", rundir);
    snprintf(echo_path, sizeof(echo_path), "%s/echo", rundir);
    setenv("XENSTORED_PATH", sock, 1);
    pid = fork();
    if (pid == 0) {
        execl(daemon, "pvxenstored", "--rundir", rundir, "--quiet", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        struct xs_handle *h = xs_open(0);
        if (h) {
            xs_close(h);
            break;
        }
        usleep(10000);
    }
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    memcpy(sa.sun_path, echo_path, sizeof(echo_path));
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0) {
        perror("echo socket");
        return 1;
    }
    pthread_create(&echo, NULL, echo_server, (void *)(intptr_t)lfd);

    printf("pvxenstored over its unix socket (libxs clients), %.0f s per figure\n", RUN_SECONDS);
    printf("%-24s %8s %12s %16s %8s\n", "operation", "clients", "ops/s", "ratio to echo", "retries");
    for (int n = 1; n <= 8; n += 7) {
        long retries;
        double base = measure(OP_ECHO, n, &retries);
        printf("%-24s %8d %12.0f %16s %8s\n", op_names[OP_ECHO], n, base, "1", "-");
        for (enum op op = OP_READ; op <= OP_RMW; op++) {
            double r = measure(op, n, &retries);
            if (r < 0 || base <= 0) {
                printf("%-24s %8d failed\n", op_names[op], n);
                rc = 1;
                continue;
            }
            printf("%-24s %8d %12.0f %16.3f %8ld\n", op_names[op], n, r, r / base, retries);
        }
    }
    shutdown(lfd, SHUT_RDWR);
    close(lfd);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    unlink(echo_path);
    rmdir(rundir);
    return rc;
}
