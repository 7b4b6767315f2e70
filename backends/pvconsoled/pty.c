/* pty.c: the pseudo-terminal a console is offered on. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"

int pty_open(int *master, int *slave, char *path, size_t len)
{
    struct termios t;
    int m, s = -1, r;

    m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (m < 0)
        return -errno;
    if (grantpt(m) < 0 || unlockpt(m) < 0) {
        r = -errno;
        goto fail;
    }
    r = ptsname_r(m, path, len); /* an error number itself, not -1 */
    if (r != 0) {
        r = -r;
        goto fail;
    }
    s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0 || tcgetattr(s, &t) < 0) {
        r = -errno;
        goto fail;
    }
    cfmakeraw(&t);
    if (tcsetattr(s, TCSANOW, &t) < 0) {
        r = -errno;
        goto fail;
    }
    *master = m;
    *slave = s;
    return 0;
fail:
    if (s >= 0)
        close(s);
    close(m);
    return r;
}
