/* xenbus.c: the guest side of xenstore: ring I/O, requests, the watch event queue, xenbus states (see pvfront/xenbus.h). */
#include <pvhv/hvm/hvm_op.h>
#include <pvhv/hvm/params.h>
#include <pvhv/io/xs_wire.h>
#include <pvhv/pvhv_platform.h>
#include <pvfront/xenbus.h>

#include "internal.h"

#define HDR sizeof(struct xsd_sockmsg)
#define MSG_MAX (HDR + XENSTORE_PAYLOAD_MAX)
#define RING XENSTORE_RING_SIZE

static const struct xsd_errors xsd_errors[] = { PVHV_XSD_ERRORS };

/* One queued watch event: the raw payload, "path\0token\0" (checked). */
struct event {
    uint32_t len;
    char data[XENSTORE_PAYLOAD_MAX];
};

static struct {
    int ready;
    struct xenstore_domain_interface *intf;
    uint64_t pfn;
    evtchn_port_t port;
    /*
     * The stream lost sync (a header we cannot trust): every call fails
     * with -XEN_EIO from then on.
     */
    int broken;
    /*
     * req_id of the latest request, and the oldest one whose reply may
     * still come: replies to [oldest, req_id] are awaited or late (requests
     * abandoned at a timeout); oldest == req_id + 1 when none is.
     */
    uint32_t req_id, oldest;
    /* When the request being built gives up (set by begin, for call). */
    uint64_t deadline;
    /*
     * The request being written: tx_len bytes, tx_done of them in the ring
     * (one byte more than a message, for the NUL vsnprintf adds).
     */
    uint8_t tx[MSG_MAX + 1];
    size_t tx_len, tx_done;
    /* The message being read: rx_have bytes so far (NUL kept after a payload). */
    uint8_t rx[MSG_MAX + 1];
    size_t rx_have;
    /* Watch events, oldest first: order[0..nevents-1] index slots. */
    struct event events[PVFRONT_XS_EVENT_QUEUE];
    unsigned char order[PVFRONT_XS_EVENT_QUEUE];
    unsigned int nevents;
    struct pvfront_xs_stats stats;
} xs;

/* Scratch for paths built here ("<dev>/state"); single-threaded like the rest. */
static char path_buf[XENSTORE_ABS_PATH_MAX + 1];

/* ---- setup ---- */

/* Is guest frame `pfn` mapped by libpvfront's page tables (pagetables.S)? */
static int mapped(uint64_t pfn)
{
    if (pfn == 0 || pfn > (UINT64_MAX >> XEN_PAGE_SHIFT))
        return 0;
    uint64_t a = pfn << XEN_PAGE_SHIFT;
    return a < PVFRONT_MAPPED_LIMIT ||
           (a >= PVHV_SPECIAL_BASE && a < PVHV_SPECIAL_BASE + PVHV_SPECIAL_SIZE);
}

static int get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    long r = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

    if (r < 0)
        return (int)r;
    *value = p.value;
    return 0;
}

int pvfront_xenbus_init(void)
{
    uint64_t pfn = 0, port = 0;
    int r;

    if (xs.ready)
        return 0;
    if ((r = get_param(HVM_PARAM_STORE_PFN, &pfn)) < 0 ||
        (r = get_param(HVM_PARAM_STORE_EVTCHN, &port)) < 0)
        return r;
    if (pfn == 0 || port == 0)
        return -XEN_ENODEV;
    if (port >= PVFRONT_EVTCHN_NR_PORTS)
        return -XEN_EINVAL;
    if (!mapped(pfn))
        return -XEN_EFAULT;
    if ((r = pvfront_evtchn_init()) < 0 || (r = pvfront_evtchn_unmask((evtchn_port_t)port)) < 0)
        return r;
    xs.intf = (struct xenstore_domain_interface *)(uintptr_t)(pfn << XEN_PAGE_SHIFT);
    xs.pfn = pfn;
    xs.port = (evtchn_port_t)port;
    /*
     * Replies an earlier kernel left unread would be taken for ours: drop
     * them, as Linux does. A non-empty request ring is left alone (the
     * server owns req_cons).
     */
    uint32_t prod = __atomic_load_n(&xs.intf->rsp_prod, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&xs.intf->rsp_cons, __ATOMIC_RELAXED) != prod)
        __atomic_store_n(&xs.intf->rsp_cons, prod, __ATOMIC_RELEASE);
    xs.req_id = 0;
    xs.oldest = 1;
    for (unsigned int i = 0; i < PVFRONT_XS_EVENT_QUEUE; i++)
        xs.order[i] = (unsigned char)i;
    xs.ready = 1;
    return 0;
}

int pvfront_xenbus_store(uint64_t *pfn, uint32_t *port)
{
    if (!xs.ready)
        return -XEN_ENODEV;
    if (pfn)
        *pfn = xs.pfn;
    if (port)
        *port = xs.port;
    return 0;
}

static int ready(void)
{
    int r = pvfront_xenbus_init();

    if (r < 0)
        return r;
    return xs.broken ? -XEN_EIO : 0;
}

/* ---- the rings ---- */

static uint64_t deadline_after(uint64_t timeout_ns)
{
    uint64_t now = pvfront_time_ns();

    return timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
}

/* The stream cannot be trusted any more. */
static int broke(void)
{
    xs.broken = 1;
    return -XEN_EIO;
}

/* Write what fits of the pending request. 1 if bytes went in, 0 if none, or -XEN_EIO. */
static int tx_push(void)
{
    struct xenstore_domain_interface *in = xs.intf;
    uint32_t cons = __atomic_load_n(&in->req_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&in->req_prod, __ATOMIC_RELAXED);

    if (prod - cons > RING)
        return broke();
    size_t n = RING - (prod - cons), left = xs.tx_len - xs.tx_done;
    if (n > left)
        n = left;
    if (n == 0)
        return 0;
    for (size_t done = 0; done < n;) {
        size_t off = MASK_XENSTORE_IDX(prod + done), c = RING - off;
        if (c > n - done)
            c = n - done;
        memcpy(in->req + off, xs.tx + xs.tx_done + done, c);
        done += c;
    }
    /* The bytes before the index that publishes them. */
    __atomic_store_n(&in->req_prod, prod + (uint32_t)n, __ATOMIC_RELEASE);
    xs.tx_done += n;
    pvfront_evtchn_send(xs.port);
    return 1;
}

/*
 * Read toward one whole message in xs.rx. 1 when it is complete, 0 if
 * the ring ran dry first (the part read so far stays), or -XEN_EIO.
 */
static int rx_pull(void)
{
    struct xenstore_domain_interface *in = xs.intf;
    int consumed = 0, r = 0;

    for (;;) {
        size_t want = HDR;
        if (xs.rx_have >= HDR) {
            uint32_t len = ((const struct xsd_sockmsg *)xs.rx)->len;
            if (len > XENSTORE_PAYLOAD_MAX) {
                r = broke();
                break;
            }
            want = HDR + len;
            if (xs.rx_have == want) {
                xs.rx[want] = 0;
                r = 1;
                break;
            }
        }
        uint32_t prod = __atomic_load_n(&in->rsp_prod, __ATOMIC_ACQUIRE);
        uint32_t cons = __atomic_load_n(&in->rsp_cons, __ATOMIC_RELAXED);
        if (prod - cons > RING) {
            r = broke();
            break;
        }
        size_t n = prod - cons;
        if (n == 0)
            break;
        if (n > want - xs.rx_have)
            n = want - xs.rx_have;
        for (size_t done = 0; done < n;) {
            size_t off = MASK_XENSTORE_IDX(cons + done), c = RING - off;
            if (c > n - done)
                c = n - done;
            memcpy(xs.rx + xs.rx_have + done, in->rsp + off, c);
            done += c;
        }
        /* The bytes are read before the space is handed back. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        __atomic_store_n(&in->rsp_cons, cons + (uint32_t)n, __ATOMIC_RELEASE);
        xs.rx_have += n;
        consumed = 1;
    }
    /* The server may be waiting for room. */
    if (consumed)
        pvfront_evtchn_send(xs.port);
    return r;
}

/* ---- the event queue ---- */

static struct event *event_at(unsigned int i)
{
    return &xs.events[xs.order[i]];
}

static void event_remove(unsigned int i)
{
    unsigned char slot = xs.order[i];

    for (unsigned int j = i; j + 1 < xs.nevents; j++)
        xs.order[j] = xs.order[j + 1];
    xs.nevents--;
    xs.order[xs.nevents] = slot;
}

/* Payload "path\0token\0": the token's offset, or 0 if malformed. */
static uint32_t event_token(const char *data, uint32_t len)
{
    size_t pl = strnlen(data, len);

    if (pl == 0 || pl + 1 >= len || strnlen(data + pl + 1, len - pl - 1) == len - pl - 1)
        return 0;
    return (uint32_t)(pl + 1);
}

static void event_queue(const char *data, uint32_t len)
{
    if (!event_token(data, len)) {
        xs.stats.bad_messages++;
        return;
    }
    xs.stats.events++;
    if (xs.nevents == PVFRONT_XS_EVENT_QUEUE) {
        event_remove(0);
        xs.stats.events_dropped++;
    }
    struct event *e = event_at(xs.nevents);
    memcpy(e->data, data, len);
    e->len = len;
    xs.nevents++;
}

/* The oldest queued event (with `token`, if not NULL): its position, or -1. */
static int event_find(const char *token)
{
    for (unsigned int i = 0; i < xs.nevents; i++) {
        struct event *e = event_at(i);
        if (!token || !strcmp(e->data + event_token(e->data, e->len), token))
            return (int)i;
    }
    return -1;
}

/* ---- requests ---- */

enum wait_for { WAIT_SENT, WAIT_REPLY, WAIT_EVENT };

/* Is `id` one of [oldest, req_id]: a request whose reply may still come? */
static int awaited(uint32_t id)
{
    return (uint32_t)(id - xs.oldest) < (uint32_t)(xs.req_id + 1 - xs.oldest);
}

/*
 * Move bytes both ways until the pending request is written (WAIT_SENT),
 * its reply is in xs.rx (WAIT_REPLY, returns 1), or an event with `token`
 * (any if NULL) is queued (WAIT_EVENT), or `deadline` passes.
 */
static int pump(enum wait_for what, const char *token, uint64_t deadline)
{
    for (;;) {
        int progress = 0, r;

        if (what == WAIT_EVENT && event_find(token) >= 0)
            return 0;
        if (xs.tx_done < xs.tx_len) {
            if ((r = tx_push()) < 0)
                return r;
            progress |= r;
        }
        if (what == WAIT_SENT && xs.tx_done == xs.tx_len)
            return 0;
        if ((r = rx_pull()) < 0)
            return r;
        if (r > 0) {
            const struct xsd_sockmsg *h = (const struct xsd_sockmsg *)xs.rx;
            const char *body = (const char *)xs.rx + HDR;
            progress = 1;
            /* Taken: the next pull starts a new message (this one stays readable until then). */
            xs.rx_have = 0;
            if (h->type == XS_WATCH_EVENT) {
                event_queue(body, h->len);
                continue;
            }
            if (what == WAIT_REPLY && xs.tx_done == xs.tx_len && h->req_id == xs.req_id) {
                xs.oldest = xs.req_id + 1;
                return 1;
            }
            if (awaited(h->req_id)) {
                /* Not the reply we wait for: an abandoned request's. */
                xs.oldest = h->req_id + 1;
                xs.stats.late_replies++;
                continue;
            }
            xs.stats.bad_messages++;
            if (what == WAIT_REPLY)
                return -XEN_EIO;
            continue;
        }
        if (progress)
            continue;
        uint64_t now = pvfront_time_ns();
        if (now >= deadline)
            return -XEN_ETIMEDOUT;
        /* Anything the server does after our look above leaves the port fired. */
        pvfront_evtchn_wait(xs.port, deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
    }
}

/* Start a request: finish writing an abandoned one first, then the header. */
static int begin(uint32_t type, pvfront_xbt_t t)
{
    int r = ready();

    if (r < 0)
        return r;
    /* One bound for the whole call: the old request's rest, ours, its reply. */
    xs.deadline = deadline_after(PVFRONT_XS_TIMEOUT_NS);
    if (xs.tx_done < xs.tx_len && (r = pump(WAIT_SENT, NULL, xs.deadline)) < 0) {
        if (r == -XEN_ETIMEDOUT)
            xs.stats.timeouts++;
        return r;
    }
    struct xsd_sockmsg h = { .type = type, .req_id = 0, .tx_id = t, .len = 0 };
    memcpy(xs.tx, &h, HDR);
    xs.tx_len = HDR;
    xs.tx_done = 0;
    return 0;
}

/* Append len bytes to the request's payload. */
static int add(const void *data, size_t len)
{
    if (len > MSG_MAX - xs.tx_len)
        return -XEN_E2BIG;
    memcpy(xs.tx + xs.tx_len, data, len);
    xs.tx_len += len;
    return 0;
}

/* Append a non-empty NUL-terminated string with its NUL. */
static int add_str(const char *s)
{
    if (!s || !*s)
        return -XEN_EINVAL;
    size_t room = MSG_MAX - xs.tx_len, n = strnlen(s, room);
    if (n == room)
        return -XEN_E2BIG;
    return add(s, n + 1);
}

/* Name -> -errno, by Xen's table (an unknown name is its first entry, EINVAL). */
static int error_of(const char *name, uint32_t len)
{
    for (size_t i = 0; i < sizeof xsd_errors / sizeof xsd_errors[0]; i++) {
        size_t n = strlen(xsd_errors[i].errstring);
        if (len >= n && !memcmp(name, xsd_errors[i].errstring, n) && (len == n || !name[n]))
            return -xsd_errors[i].errnum;
    }
    return -xsd_errors[0].errnum;
}

/*
 * Send the request built with begin/add and wait for its reply. Returns 0
 * with the payload in *body (NUL after it, valid until the next call) and
 * its length in *len, or an error (XS_ERROR's name mapped).
 */
static int call(const char **body, uint32_t *len)
{
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)xs.tx;
    uint32_t type = h->type;

    /* A fresh id (watch events carry 0, but they are told apart by type). */
    h->req_id = ++xs.req_id;
    h->len = (uint32_t)(xs.tx_len - HDR);
    xs.stats.requests++;
    int r = pump(WAIT_REPLY, NULL, xs.deadline);
    if (r == -XEN_ETIMEDOUT)
        xs.stats.timeouts++;
    if (r < 0)
        return r;
    const struct xsd_sockmsg *rh = (const struct xsd_sockmsg *)xs.rx;
    const char *b = (const char *)xs.rx + HDR;
    if (rh->type == XS_ERROR)
        return error_of(b, rh->len);
    if (rh->type != type) {
        xs.stats.bad_messages++;
        return -XEN_EIO;
    }
    *body = b;
    *len = rh->len;
    return 0;
}

/* A request of one path (plus an optional second string), reply taken as is. */
static int simple(uint32_t type, pvfront_xbt_t t, const char *path, const char *second,
                  const char **body, uint32_t *len)
{
    int r = begin(type, t);

    if (r == 0)
        r = add_str(path);
    if (r == 0 && second)
        r = add_str(second);
    if (r == 0)
        r = call(body, len);
    return r;
}

static int simple_ok(uint32_t type, pvfront_xbt_t t, const char *path, const char *second)
{
    const char *b;
    uint32_t l;

    return simple(type, t, path, second, &b, &l);
}

/* ---- the calls ---- */

int pvfront_xs_read(pvfront_xbt_t t, const char *path, char *buf, size_t len)
{
    const char *b;
    uint32_t l;
    int r = simple(XS_READ, t, path, NULL, &b, &l);

    if (r < 0)
        return r;
    if (len == 0 || l > len - 1)
        return -XEN_E2BIG;
    memcpy(buf, b, l);
    buf[l] = 0;
    return (int)l;
}

/* Parse "  123\n" strictly. */
static int parse_u64(const char *s, uint32_t len, uint64_t *out)
{
    uint32_t i = 0;
    uint64_t v = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    uint32_t start = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned int d = (unsigned int)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -XEN_ERANGE;
        v = v * 10 + d;
    }
    if (i == start)
        return -XEN_EINVAL;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
        i++;
    if (i != len)
        return -XEN_EINVAL;
    *out = v;
    return 0;
}

int pvfront_xs_read_u64(pvfront_xbt_t t, const char *path, uint64_t *out)
{
    const char *b;
    uint32_t l;
    int r = simple(XS_READ, t, path, NULL, &b, &l);

    return r < 0 ? r : parse_u64(b, l, out);
}

int pvfront_xs_write(pvfront_xbt_t t, const char *path, const char *value)
{
    const char *b;
    uint32_t l;
    int r = begin(XS_WRITE, t);

    if (r == 0)
        r = add_str(path);
    if (r == 0 && !value)
        r = -XEN_EINVAL;
    if (r == 0)
        r = add(value, strnlen(value, MSG_MAX - xs.tx_len + 1));
    if (r == 0)
        r = call(&b, &l);
    return r;
}

int pvfront_xs_vprintf(pvfront_xbt_t t, const char *path, const char *fmt, va_list ap)
{
    const char *b;
    uint32_t l;
    int r = begin(XS_WRITE, t);

    if (r == 0)
        r = add_str(path);
    if (r < 0)
        return r;
    /* Formatted straight into the request (tx has a byte more for the NUL it writes). */
    size_t room = MSG_MAX - xs.tx_len;
    int n = pvfront_vsnprintf((char *)xs.tx + xs.tx_len, room + 1, fmt, ap);
    if (n < 0 || (size_t)n > room)
        return -XEN_E2BIG;
    xs.tx_len += (size_t)n;
    return call(&b, &l);
}

int pvfront_xs_printf(pvfront_xbt_t t, const char *path, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int r = pvfront_xs_vprintf(t, path, fmt, ap);
    va_end(ap);
    return r;
}

int pvfront_xs_mkdir(pvfront_xbt_t t, const char *path)
{
    return simple_ok(XS_MKDIR, t, path, NULL);
}

int pvfront_xs_rm(pvfront_xbt_t t, const char *path)
{
    return simple_ok(XS_RM, t, path, NULL);
}

int pvfront_xs_directory(pvfront_xbt_t t, const char *path, char *buf, size_t len)
{
    const char *b;
    uint32_t l;
    int r = simple(XS_DIRECTORY, t, path, NULL, &b, &l);

    if (r < 0)
        return r;
    if (l == 0 || (l == 1 && b[0] == 0))
        return 0; /* no children (some servers send one empty string) */
    /* Names each ended by a NUL, none empty. */
    if (b[l - 1] != 0)
        return -XEN_EIO;
    int n = 0;
    for (uint32_t i = 0; i < l; i++) {
        if (b[i] == 0) {
            if (i == 0 || b[i - 1] == 0)
                return -XEN_EIO;
            n++;
        }
    }
    if (l > len)
        return -XEN_E2BIG;
    memcpy(buf, b, l);
    return n;
}

int pvfront_xs_transaction_start(pvfront_xbt_t *t)
{
    const char *b;
    uint32_t l;
    uint64_t id;
    int r = begin(XS_TRANSACTION_START, XBT_NIL);

    if (r == 0)
        r = add("", 1);
    if (r == 0)
        r = call(&b, &l);
    if (r < 0)
        return r;
    /* "<id>\0" */
    if (l == 0 || b[l - 1] != 0 || parse_u64(b, l - 1, &id) < 0 || id == 0 || id > UINT32_MAX)
        return -XEN_EIO;
    *t = (pvfront_xbt_t)id;
    return 0;
}

int pvfront_xs_transaction_end(pvfront_xbt_t t, int abort)
{
    const char *b;
    uint32_t l;
    int r = begin(XS_TRANSACTION_END, t);

    if (r == 0)
        r = add(abort ? "F" : "T", 2);
    if (r == 0)
        r = call(&b, &l);
    return r;
}

int pvfront_xs_watch(const char *path, const char *token)
{
    if (!token || !*token)
        return -XEN_EINVAL;
    return simple_ok(XS_WATCH, XBT_NIL, path, token);
}

/* Is event path `p` `path` or below it? */
static int under(const char *p, const char *path)
{
    size_t n = strlen(path);

    return !strncmp(p, path, n) && (p[n] == 0 || p[n] == '/' || (n && path[n - 1] == '/'));
}

int pvfront_xs_unwatch(const char *path, const char *token)
{
    if (!token || !*token)
        return -XEN_EINVAL;
    int r = simple_ok(XS_UNWATCH, XBT_NIL, path, token);
    if (r < 0)
        return r;
    for (unsigned int i = 0; i < xs.nevents;) {
        struct event *e = event_at(i);
        if (!strcmp(e->data + event_token(e->data, e->len), token) && under(e->data, path))
            event_remove(i);
        else
            i++;
    }
    return 0;
}

/* Take queued event `i` into the caller's buffers (dropped either way). */
static int event_take(unsigned int i, char *path, size_t plen, char *token, size_t tlen)
{
    struct event *e = event_at(i);
    uint32_t to = event_token(e->data, e->len);
    size_t pl = to - 1, tl = strlen(e->data + to);
    int r = 0;

    if (!path || !token || pl >= plen || tl >= tlen) {
        r = -XEN_E2BIG;
    } else {
        memcpy(path, e->data, pl + 1);
        memcpy(token, e->data + to, tl + 1);
    }
    event_remove(i);
    return r;
}

int pvfront_xs_read_watch(char *path, size_t plen, char *token, size_t tlen,
                          uint64_t timeout_ns)
{
    int r = ready();

    if (r < 0)
        return r;
    r = pump(WAIT_EVENT, NULL, deadline_after(timeout_ns));
    if (r < 0)
        return r;
    return event_take(0, path, plen, token, tlen);
}

void pvfront_xs_stats(struct pvfront_xs_stats *out)
{
    *out = xs.stats;
}

const char *pvfront_xs_errname(int err)
{
    static const struct {
        int errnum;
        const char *name;
    } more[] = {
        { XEN_ETIMEDOUT, "ETIMEDOUT" }, { XEN_ENODEV, "ENODEV" },
        { XEN_EFAULT, "EFAULT" },       { XEN_ERANGE, "ERANGE" },
    };

    if (err >= 0)
        return "OK";
    for (size_t i = 0; i < sizeof xsd_errors / sizeof xsd_errors[0]; i++)
        if (-err == xsd_errors[i].errnum)
            return xsd_errors[i].errstring;
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (-err == more[i].errnum)
            return more[i].name;
    return "E?";
}

/* ---- xenbus states ---- */

int pvfront_xenbus_read_state(const char *state_path)
{
    uint64_t v;
    int r = pvfront_xs_read_u64(XBT_NIL, state_path, &v);

    if (r == -XEN_ENOENT)
        return XenbusStateUnknown;
    if (r == -XEN_ERANGE)
        return -XEN_EINVAL;
    if (r < 0)
        return r;
    if (v > XenbusStateReconfigured)
        return -XEN_EINVAL;
    return (int)v;
}

int pvfront_xenbus_switch_state(const char *dev_path, enum xenbus_state s)
{
    if (!dev_path || !*dev_path)
        return -XEN_EINVAL;
    int n = pvfront_snprintf(path_buf, sizeof path_buf, "%s/state", dev_path);
    if (n < 0 || (size_t)n >= sizeof path_buf)
        return -XEN_E2BIG;

    int r = -XEN_EAGAIN;
    for (int tries = 0; tries < 16 && r == -XEN_EAGAIN; tries++) {
        pvfront_xbt_t t;
        uint64_t cur;
        if ((r = pvfront_xs_transaction_start(&t)) < 0)
            return r;
        r = pvfront_xs_read_u64(t, path_buf, &cur);
        if (r == 0 && cur == (uint64_t)s) {
            /* Already there: nothing to write, no event to cause. */
            pvfront_xs_transaction_end(t, 1);
            return 0;
        }
        if (r == -XEN_EINVAL || r == -XEN_ERANGE)
            r = 0; /* garbage in the node: overwrite it */
        if (r == 0)
            r = pvfront_xs_printf(t, path_buf, "%u", (unsigned int)s);
        if (r < 0) {
            pvfront_xs_transaction_end(t, 1);
            return r;
        }
        r = pvfront_xs_transaction_end(t, 0);
    }
    return r;
}

#define WAIT_TOKEN "pvfront-wait-state"

int pvfront_xenbus_wait_state(const char *state_path, enum xenbus_state want,
                              uint64_t timeout_ns)
{
    uint64_t deadline = deadline_after(timeout_ns);
    int r = pvfront_xs_watch(state_path, WAIT_TOKEN);

    if (r < 0)
        return r;
    for (;;) {
        r = pvfront_xenbus_read_state(state_path);
        if (r < 0 || r >= (int)want)
            break;
        /* Sleep until our watch fires (other watches' events stay queued). */
        r = pump(WAIT_EVENT, WAIT_TOKEN, deadline);
        if (r < 0)
            break;
        int i;
        while ((i = event_find(WAIT_TOKEN)) >= 0)
            event_remove((unsigned int)i);
    }
    /* Also drops our queued events; a failure here changes nothing for the caller. */
    pvfront_xs_unwatch(state_path, WAIT_TOKEN);
    return r;
}

int pvfront_xenbus_wait_range(const char *state_path, int lo, int hi, uint64_t deadline_ns)
{
    for (;;) {
        int s = pvfront_xenbus_read_state(state_path);
        if (s < 0 || (s >= lo && s <= hi))
            return s;
        uint64_t now = pvfront_time_ns();
        if (now >= deadline_ns)
            return -XEN_ETIMEDOUT;
        if (s < lo) {
            s = pvfront_xenbus_wait_state(state_path, (enum xenbus_state)lo, deadline_ns - now);
            if (s < 0)
                return s;
        } else {
            pvfront__nap();
        }
    }
}

int pvfront_xenbus_close(const char *dev_path, const char *back_state_path,
                         uint64_t timeout_ns)
{
    int r, ret = 0;

    if ((r = pvfront_xenbus_switch_state(dev_path, XenbusStateClosing)) < 0)
        ret = r;
    r = pvfront_xenbus_wait_state(back_state_path, XenbusStateClosing, timeout_ns);
    if (r < 0 && ret == 0)
        ret = r;
    if ((r = pvfront_xenbus_switch_state(dev_path, XenbusStateClosed)) < 0 && ret == 0)
        ret = r;
    r = pvfront_xenbus_wait_state(back_state_path, XenbusStateClosed, timeout_ns);
    if (r < 0 && ret == 0)
        ret = r;
    return ret;
}
