/* pidfile.c: DIR/PROG.pid, locked while a backend daemon runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pidfile.h"

static pid_t read_pid(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    return n > 0 ? (pid_t)strtol(buf, NULL, 10) : 0;
}

int pidfile_take(const char *path, pid_t *other)
{
    for (int tries = 0; tries < 10; tries++) {
        struct stat a, b;
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

        if (fd < 0)
            return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            int e = errno;
            if (other)
                *other = read_pid(fd);
            close(fd);
            return e == EWOULDBLOCK ? -EEXIST : -e;
        }
        /* A daemon stopping right now unlinks the file it locked: make
         * sure ours is the one at `path`. */
        if (fstat(fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino != b.st_ino ||
            a.st_dev != b.st_dev) {
            close(fd);
            continue;
        }
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
            int e = errno;
            close(fd);
            return -e;
        }
        return fd;
    }
    return -EAGAIN;
}

void pidfile_release(const char *path, int fd)
{
    if (fd < 0)
        return;
    unlink(path);
    close(fd);
}
