/* devices.c: what every split-driver device has in xenstore, as libxl lays
 * it out: the frontend's directory under the guest and the backend's under
 * dom0, each naming the other, and the close-down handshake on detach. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pvhv/io/xenbus.h>

#include "pvctl.h"

void device_dirs(struct xs_txn *t, uint32_t domid, const char *kind, uint32_t devid,
                 char fe[128], char be[128])
{
    char buf[16];

    snprintf(fe, 128, "/local/domain/%u/device/%s/%u", domid, kind, devid);
    snprintf(be, 128, "/local/domain/0/backend/%s/%u/%u", kind, domid, devid);
    /* The guest owns its half and dom0 reads it; the other way round for
     * the backend's half. */
    txn_put(t, "", "%s", fe);
    txn_perms(t, fe, domid, 0);
    txn_put(t, be, "%s/backend", fe);
    txn_put(t, "0", "%s/backend-id", fe);
    txn_put(t, "1", "%s/state", fe);

    txn_put(t, "", "%s", be);
    txn_perms(t, be, 0, domid);
    txn_put(t, fe, "%s/frontend", be);
    snprintf(buf, sizeof(buf), "%u", domid);
    txn_put(t, buf, "%s/frontend-id", be);
    txn_put(t, "1", "%s/online", be);
    txn_put(t, "1", "%s/state", be);
}

char *xs_readf(struct session *s, const char *fmt, ...)
{
    char path[256];
    unsigned n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xs_read(s->xs, XBT_NULL, path, &n);
}

int device_args(struct session *s, int argc, char **argv, int want, uint32_t *domid)
{
    int opt;

    while ((opt = getopt(argc, argv, "+h")) != -1) {
        if (opt == 'h') {
            verb_usage(argv[0], stdout);
            return EXIT_SUCCESS;
        }
        verb_usage(argv[0], stderr);
        return EXIT_USAGE;
    }
    if (argc - optind != want) {
        verb_usage(argv[0], stderr);
        return EXIT_USAGE;
    }
    if (session_need(s, false) < 0 || domain_lookup(s, argv[optind], domid) < 0)
        return EXIT_FAILURE;
    if (!s->xs) {
        errmsg("xenstore is not running in %s: devices live there", s->rundir);
        return EXIT_FAILURE;
    }
    return -1;
}

int device_commit(struct session *s, uint32_t domid,
                  void (*records)(struct xs_txn *t, uint32_t domid, const void *dev),
                  const void *dev)
{
    for (int tries = 0; tries < 10; tries++) {
        struct xs_txn t = { .xs = s->xs, .ok = true, .t = xs_transaction_start(s->xs) };
        if (t.t == XBT_NULL)
            break;
        records(&t, domid, dev);
        if (!t.ok) {
            int e = errno;
            xs_transaction_end(s->xs, t.t, true);
            errno = e;
            break;
        }
        if (xs_transaction_end(s->xs, t.t, false))
            return 0;
        if (errno != EAGAIN)
            break;
    }
    return -(errno ? errno : EIO);
}

int device_detach(struct session *s, uint32_t domid, const char *kind, uint32_t devid,
                  const char *what)
{
    char fe[128], be[128], path[160];

    snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", domid, kind, devid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/%s/%u/%u", kind, domid, devid);
    char *state = xs_readf(s, "%s/state", be);
    if (!state) {
        errmsg("domain %u has no device %s", domid, what);
        return -ENOENT;
    }
    free(state);
    /* Ask the backend to close (as xl does), give it 10 s, then remove. */
    snprintf(path, sizeof(path), "%s/online", be);
    xs_write(s->xs, XBT_NULL, path, "0", 1);
    snprintf(path, sizeof(path), "%s/state", be);
    xs_write(s->xs, XBT_NULL, path, "5", 1);
    bool closed = false;
    for (int i = 0; i < 200 && !closed; i++) {
        char *v = xs_readf(s, "%s/state", be);
        closed = !v || atoi(v) == XenbusStateClosed;
        free(v);
        if (!closed) {
            struct timespec ts = { 0, 50 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    if (!closed)
        errmsg("the backend did not close %s in 10 s; removing it anyway", what);
    xs_rm(s->xs, XBT_NULL, fe);
    xs_rm(s->xs, XBT_NULL, be);
    return 0;
}
