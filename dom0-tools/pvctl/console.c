/* console.c: `pvctl console`: find the pty pvconsoled made for the domain
 * (xenstore console/tty, else RUNDIR/console/NAME.tty) and attach the
 * terminal to it until Ctrl-] (as xl console). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console_attach.h"
#include "pvctl.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-] */

/* The pty's path into buf; false if pvconsoled has not published one. */
static bool find_tty(struct session *s, uint32_t domid, char *buf, size_t len)
{
    char path[4400], name[PVHV_NAME_MAX + 64];
    unsigned n;

    if (s->xs) {
        snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
        char *v = xs_read(s->xs, XBT_NULL, path, &n);
        if (v && *v) {
            snprintf(buf, len, "%s", v);
            free(v);
            return true;
        }
        free(v);
    }
    domain_name(s, domid, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/console/%s.tty", s->rundir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return ok && *buf;
}

int console_run(struct session *s, uint32_t domid)
{
    char tty[4096];
    bool found = false;

    /* pvconsoled picks a new domain up within half a second. */
    for (int i = 0; i < 50 && !(found = find_tty(s, domid, tty, sizeof(tty))); i++) {
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep(&ts, NULL);
    }
    if (!found) {
        errmsg("domain %u has no console pty: is pvconsoled running? (pvctl host status)",
               domid);
        return EXIT_FAILURE;
    }
    int r = console_attach(tty, STDIN_FILENO, STDOUT_FILENO, ESCAPE_CHAR);
    if (r == -EIO)
        return EXIT_SUCCESS; /* the domain went away: nothing more to show */
    if (r < 0) {
        errmsg("console of domain %u (%s): %s", domid, tty, strerror(-r));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
