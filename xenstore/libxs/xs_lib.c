/* xs_lib.c: libxs helpers shared with Xen's API: where the daemon is,
 * writing whole buffers, permission strings, path tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define PATH_BUF 4096

const char *xs_daemon_rundir(void)
{
    static __thread char buf[PATH_BUF];
    const char *d = getenv("XENSTORED_RUNDIR");
    const char *pv = getenv("PV_RUNDIR");

    if (d && *d)
        return d;
    snprintf(buf, sizeof(buf), "%s/xenstored", pv && *pv ? pv : "/run/pv");
    return buf;
}

const char *xs_daemon_socket(void)
{
    static __thread char buf[PATH_BUF + 16];
    const char *p = getenv("XENSTORED_PATH");

    if (p && *p)
        return p;
    snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
    return buf;
}

const char *xs_daemon_socket_ro(void)
{
    return xs_daemon_socket();
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (unsigned int)n;
    }
    return true;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings)
{
    const char *s = strings;

    for (unsigned int i = 0; i < num; i++, s += strlen(s) + 1) {
        char *end;
        unsigned long id;
        switch (s[0]) {
        case 'n': perms[i].perms = XS_PERM_NONE; break;
        case 'r': perms[i].perms = XS_PERM_READ; break;
        case 'w': perms[i].perms = XS_PERM_WRITE; break;
        case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
        default: errno = EINVAL; return false;
        }
        if (s[1] < '0' || s[1] > '9') {
            errno = EINVAL;
            return false;
        }
        id = strtoul(s + 1, &end, 10);
        if (*end || id > UINT32_MAX) {
            errno = EINVAL;
            return false;
        }
        perms[i].id = (unsigned int)id;
    }
    return true;
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
    size_t len = strlen(parent);

    if (!strcmp(parent, "/"))
        return child[0] == '/';
    return !strncmp(child, parent, len) && (child[len] == '/' || child[len] == 0);
}
