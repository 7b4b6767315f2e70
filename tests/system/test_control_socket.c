/* test_control_socket.c: pvhv's control socket refuses bad requests and
 * strangers with error replies, and keeps serving. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "harness.h"

static struct host host;

static void setup(void)
{
    host_start(&host);
}

static void teardown(void)
{
    cr_expect_eq(host_stop(&host), 0, "pvhv must exit cleanly");
}

TestSuite(control_socket, .init = setup, .fini = teardown, .timeout = 60);

static int raw_connect(const char *rundir)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    snprintf(a.sun_path, sizeof(a.sun_path), "%s/pvhv.sock", rundir);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        return -1;
    return fd;
}

static int raw_exchange(int fd, const void *msg, size_t len)
{
    struct pvhv_ctl_reply rep;
    uint8_t buf[PVHV_CTL_MSG_MAX];

    cr_assert_eq(send(fd, msg, len, 0), (ssize_t)len);
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    cr_assert_geq(n, (ssize_t)sizeof(rep), "pvhv must answer, got %zd", n);
    memcpy(&rep, buf, sizeof(rep));
    return rep.status;
}

Test(control_socket, socket_is_private)
{
    struct stat st;
    char path[128];

    snprintf(path, sizeof(path), "%s/pvhv.sock", host.rundir);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
}

Test(control_socket, garbage_truncated_and_wrong_version)
{
    int fd = raw_connect(host.rundir);
    cr_assert_geq(fd, 0);

    uint8_t junk[300];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    cr_expect_eq(raw_exchange(fd, junk, sizeof(junk)), -XEN_EINVAL, "garbage");
    cr_expect_eq(raw_exchange(fd, junk, 1), -XEN_EINVAL, "one byte");

    struct pvhv_ctl_request h = { .magic = PVHV_CTL_MAGIC, .version = PVHV_CTL_VERSION,
                                  .op = PVHV_CTL_GETINFO, .seq = 1, .len = 8 };
    cr_expect_eq(raw_exchange(fd, &h, sizeof(h)), -XEN_EINVAL, "truncated payload");
    h.version = PVHV_CTL_VERSION + 1;
    h.len = 0;
    cr_expect_eq(raw_exchange(fd, &h, sizeof(h)), -XEN_ENOSYS, "wrong version");

    /* Larger than any message: cut by the receive buffer. */
    static uint8_t huge[PVHV_CTL_MSG_MAX + 4096];
    memcpy(huge, &h, sizeof(h));
    cr_expect_eq(raw_exchange(fd, huge, sizeof(huge)), -XEN_EINVAL, "oversized");
    close(fd);

    /* A client that hangs up mid-conversation does not bother pvhv. */
    fd = raw_connect(host.rundir);
    cr_assert(send(fd, junk, 5, 0) == 5);
    close(fd);

    struct pvhv_ctl_dominfo infos[4];
    cr_expect_eq(pvctrl_domain_list(host.ctl, 0, infos, 4), 0, "pvhv still serves");
    cr_expect(host_alive(&host));
}

Test(control_socket, refuses_non_root_peers)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/pvhv.sock", host.rundir);
    /* Let a stranger reach the socket so the credential check is what
     * stops it, not the file mode. */
    cr_assert_eq(chmod(host.rundir, 0755), 0);
    cr_assert_eq(chmod(path, 0666), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (setgid(65534) < 0 || setuid(65534) < 0)
            _exit(10);
        int fd = raw_connect(host.rundir);
        if (fd < 0)
            _exit(11);
        struct pvhv_ctl_reply rep;
        ssize_t n = recv(fd, &rep, sizeof(rep), 0);
        if (n != (ssize_t)sizeof(rep))
            _exit(12);
        _exit(rep.status == -XEN_EPERM ? 0 : 13);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "a non-root peer must get -EPERM (child status %d)", WEXITSTATUS(st));
    struct pvhv_ctl_dominfo info;
    cr_expect_eq(pvctrl_domain_getinfo(host.ctl, 999, &info), -XEN_ESRCH);
    cr_expect(host_alive(&host));
}

Test(control_socket, second_pvhv_on_the_same_rundir_refuses)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "%s --rundir %s --quiet 2>/dev/null",
             build_path("bin/pvhv"), host.rundir);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1, "second pvhv must exit 1");
    cr_expect(host_alive(&host));
}
