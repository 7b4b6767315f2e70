/* cmd_xenstore.c: the `xenstore` command: libpvfront's xenstore client against dom0's pvxenstored. */
#include <pvfront/xenbus.h>

#include "refguest.h"

/* Results and scratch: static, the guest stack is small. */
static char val[XENSTORE_PAYLOAD_MAX + 1];
static char list[XENSTORE_PAYLOAD_MAX + 1];
static char home[64], path[128], evpath[XENSTORE_ABS_PATH_MAX + 1], evtoken[256];

/* `s` (n bytes, room for a NUL after them) made printable in place: other bytes as '?'. */
static const char *printable(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x7f)
            s[i] = '?';
    s[n] = 0;
    return s;
}

/* Print "xenstore: <what> failed: -E NAME" and fail the command. */
static int failed(const char *what, int r)
{
    pvfront_printf("xenstore: %s failed: %d %s\n", what, r, pvfront_xs_errname(r));
    return 1;
}

static const char *at(const char *rel)
{
    pvfront_snprintf(path, sizeof path, "%s/%s", home, rel);
    return path;
}

/* The two keys of the transaction; EAGAIN (a conflict) starts it again. */
static int transaction(int *tries)
{
    int r = -XEN_EAGAIN;

    for (*tries = 0; *tries < 5 && r == -XEN_EAGAIN;) {
        pvfront_xbt_t t;
        (*tries)++;
        if ((r = pvfront_xs_transaction_start(&t)) < 0)
            return r;
        if ((r = pvfront_xs_write(t, at("data/tx-a"), "one")) < 0 ||
            (r = pvfront_xs_printf(t, at("data/tx-b"), "two %d", *tries)) < 0) {
            pvfront_xs_transaction_end(t, 1);
            return r;
        }
        r = pvfront_xs_transaction_end(t, 0);
    }
    return r;
}

/* Wait for dom0 to write data/poke: events on "tok" until it can be read. */
static int wait_poke(const char *poke)
{
    uint64_t end = pvfront_time_ns() + refguest_timeout_ns();

    for (;;) {
        uint64_t now = pvfront_time_ns();
        int r = pvfront_xs_read_watch(evpath, sizeof evpath, evtoken, sizeof evtoken,
                                      now < end ? end - now : 0);
        if (r == -XEN_ETIMEDOUT) {
            pvfront_printf("xenstore: timeout waiting for %s\n", poke);
            return r;
        }
        if (r < 0)
            return failed("read_watch", r);
        pvfront_printf("xenstore: event %s token %s\n", printable(evpath, strlen(evpath)),
                       printable(evtoken, strlen(evtoken)));
        if (strcmp(evtoken, "tok") != 0)
            continue;
        /* The event that comes at once, before dom0 wrote: ENOENT. */
        r = pvfront_xs_read(XBT_NIL, poke, val, sizeof val);
        if (r == -XEN_ENOENT)
            continue;
        if (r < 0)
            return failed("read poke", r);
        pvfront_printf("xenstore: poke = %s\n", printable(val, (size_t)r));
        return 0;
    }
}

/* A value longer than the ring (1 KiB) both ways: written and read in pieces. */
static int big_value(void)
{
    const size_t n = 2000; /* under xenstored's default value-size quota (2048) */
    int r;

    for (size_t i = 0; i < n; i++)
        list[i] = (char)('a' + i % 26);
    list[n] = 0;
    if ((r = pvfront_xs_write(XBT_NIL, at("data/big"), list)) < 0)
        return failed("write big", r);
    if ((r = pvfront_xs_read(XBT_NIL, path, val, sizeof val)) < 0)
        return failed("read big", r);
    if ((size_t)r != n || memcmp(val, list, n) != 0) {
        pvfront_printf("xenstore: big value came back different: %d bytes\n", r);
        return 1;
    }
    pvfront_printf("xenstore: big value of %u bytes read back intact\n", (unsigned int)n);
    return 0;
}

/*
 * dev=TYPE/ID: the xenbus handshake of a frontend at HOME/device/TYPE/ID
 * (the toolstack made its "state" node and "backend"): Initialised, wait
 * for the backend to be Connected, Connected.
 */
static int device(const char *dev)
{
    static char dpath[128], bstate[256];
    int r;

    pvfront_snprintf(dpath, sizeof dpath, "%s/device/%s", home, dev);
    if ((r = pvfront_xenbus_switch_state(dpath, XenbusStateInitialised)) < 0)
        return failed("switch_state", r);
    pvfront_printf("xenstore: switched %s to state %d\n", dpath, XenbusStateInitialised);
    pvfront_snprintf(path, sizeof path, "%s/backend", dpath);
    if ((r = pvfront_xs_read(XBT_NIL, path, val, sizeof val)) < 0)
        return failed("read backend", r);
    pvfront_snprintf(bstate, sizeof bstate, "%s/state", printable(val, (size_t)r));
    r = pvfront_xenbus_wait_state(bstate, XenbusStateConnected, refguest_timeout_ns());
    if (r < 0)
        return failed("wait_state", r);
    pvfront_printf("xenstore: backend %s reached state %d\n", bstate, r);
    if (r != XenbusStateConnected)
        return 1;
    if ((r = pvfront_xenbus_switch_state(dpath, XenbusStateConnected)) < 0)
        return failed("switch_state", r);
    pvfront_printf("xenstore: switched %s to state %d\n", dpath, XenbusStateConnected);
    return 0;
}

int cmd_xenstore(const struct pvfront_boot_info *bi)
{
    uint64_t pfn = 0;
    uint32_t port = 0;
    int r, tries;

    if (bi->domid == DOMID_INVALID) {
        pvfront_printf("xenstore: domid unknown\n");
        return 1;
    }
    if ((r = pvfront_xenbus_init()) < 0)
        return failed("init", r);
    pvfront_xenbus_store(&pfn, &port);
    pvfront_printf("xenstore: init ok pfn=%#lx port=%u\n", (unsigned long)pfn, port);

    pvfront_snprintf(home, sizeof home, "/local/domain/%u", bi->domid);
    /*
     * The first request: times out (-110) if the domain was never
     * introduced. retry=N tries N more times (the abandoned request's late
     * reply is then dropped by libpvfront).
     */
    uint64_t retries = 0;
    pvfront_cmdline_get_u64("retry", &retries);
    while ((r = pvfront_xs_read(XBT_NIL, home, val, sizeof val)) == -XEN_ETIMEDOUT &&
           retries > 0) {
        retries--;
        pvfront_printf("xenstore: read %s failed: %d %s, retrying\n", home, r,
                       pvfront_xs_errname(r));
    }
    if (r < 0) {
        pvfront_snprintf(list, sizeof list, "read %s", home);
        return failed(list, r);
    }
    pvfront_printf("xenstore: read %s = '%s'\n", home, printable(val, (size_t)r));

    pvfront_snprintf(list, sizeof list, "hello from %u", bi->domid);
    if ((r = pvfront_xs_write(XBT_NIL, at("data/greeting"), list)) < 0)
        return failed("write greeting", r);
    pvfront_printf("xenstore: wrote %s = %s\n", path, list);
    if ((r = pvfront_xs_read(XBT_NIL, path, val, sizeof val)) < 0)
        return failed("read greeting", r);
    pvfront_printf("xenstore: read %s = %s\n", path, printable(val, (size_t)r));

    if ((r = pvfront_xs_directory(XBT_NIL, at("data"), list, sizeof list)) < 0)
        return failed("directory", r);
    /* One line: the NULs between names become spaces. */
    size_t n = 0;
    for (int i = 0; i < r; i++) {
        n += strlen(list + n);
        if (i + 1 < r)
            list[n++] = ' ';
    }
    pvfront_printf("xenstore: directory %s: %d entries: %s\n", path, r, printable(list, n));

    if ((r = transaction(&tries)) < 0)
        return failed("transaction", r);
    pvfront_printf("xenstore: transaction committed (tries=%d)\n", tries);

    if ((r = big_value()) != 0)
        return r;

    /* Kept apart from path: at() reuses it. */
    static char poke[128];
    pvfront_snprintf(poke, sizeof poke, "%s/data/poke", home);
    if ((r = pvfront_xs_watch(poke, "tok")) < 0)
        return failed("watch", r);
    pvfront_printf("xenstore: waiting for %s\n", poke);
    if (wait_poke(poke) < 0)
        return 1;
    if ((r = pvfront_xs_unwatch(poke, "tok")) < 0)
        return failed("unwatch", r);

    char dev[64];
    if (pvfront_cmdline_get("dev", dev, sizeof dev) > 0 && (r = device(dev)) != 0)
        return r;

    /* dom0's node with perms "n0": both must be refused. */
    static const char secret[] = "/local/domain/0/secret";
    r = pvfront_xs_read(XBT_NIL, secret, val, sizeof val);
    if (r >= 0)
        pvfront_printf("xenstore: UNEXPECTED read %s = %s\n", secret, printable(val, (size_t)r));
    else
        pvfront_printf("xenstore: denied read %s: %d %s\n", secret, r, pvfront_xs_errname(r));
    r = pvfront_xs_write(XBT_NIL, secret, "overwritten by a guest");
    if (r >= 0)
        pvfront_printf("xenstore: UNEXPECTED write %s succeeded\n", secret);
    else
        pvfront_printf("xenstore: denied write %s: %d %s\n", secret, r, pvfront_xs_errname(r));

    struct pvfront_xs_stats s;
    pvfront_xs_stats(&s);
    pvfront_printf("xenstore: stats requests=%lu timeouts=%lu events=%lu dropped=%lu late=%lu "
                   "bad=%lu\n",
                   (unsigned long)s.requests, (unsigned long)s.timeouts, (unsigned long)s.events,
                   (unsigned long)s.events_dropped, (unsigned long)s.late_replies,
                   (unsigned long)s.bad_messages);
    pvfront_printf("xenstore: done\n");
    return 0;
}
