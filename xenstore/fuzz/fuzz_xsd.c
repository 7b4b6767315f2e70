/* fuzz_xsd.c: libFuzzer harness for pvxenstored's message parser and
 * dispatcher. The input is split between three connections (dom0 and two
 * guests) by its first bytes; every reply is drained; the tree must stay
 * consistent and nothing may leak or crash. `make fuzz` runs it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

static const struct xsd_transport fuzz_transport = { "fuzz", NULL };

static void drain(struct xsd_conn *c)
{
    const void *buf;
    size_t len;

    while (xsd_conn_out_peek(c, &buf, &len))
        xsd_conn_out_consume(c, len);
}

/* Feed a whole message with a valid header so the fuzzer spends its time
 * in the handlers, not on framing. */
static void feed_msg(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *p, size_t len)
{
    struct xsd_sockmsg h = { type, 1, tx, (uint32_t)len };

    xsd_conn_feed(c, &h, sizeof(h));
    xsd_conn_feed(c, p, len);
    drain(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xsd_quota q;
    struct xsd *d;
    struct xsd_conn *c[3];
    char why[256];

    log_threshold = LOG_ERR;
    xsd_quota_defaults(&q);
    q.nodes = 50; /* small quotas so the fuzzer reaches their limits */
    q.watches = 8;
    q.transactions = 3;
    d = xsd_new(&q);
    if (!d)
        return 0;
    for (int i = 0; i < 3; i++)
        c[i] = xsd_conn_new(d, &fuzz_transport, NULL, 0);
    /* Guests 1 and 2, introduced and bound as the toolstack would. */
    feed_msg(c[0], XS_INTRODUCE, 0, "1\0" "1\0" "1", 7); /* NUL-ended */
    feed_msg(c[0], XS_INTRODUCE, 0, "2\0" "1\0" "1", 7);
    feed_msg(c[0], XS_MKDIR, 0, "/local/domain/1", 16);
    feed_msg(c[0], XS_SET_PERMS, 0, "/local/domain/1\0n1\0r2", 22);
    feed_msg(c[1], XS_CONTROL, 0, "act-as\0" "1", 9);
    feed_msg(c[2], XS_CONTROL, 0, "act-as\0" "2", 9);

    /* Then the input: chunks of [conn selector][length byte][bytes]. */
    size_t off = 0;
    while (off + 2 <= size) {
        struct xsd_conn *t = c[data[off] % 3];
        size_t n = data[off + 1];
        bool whole = data[off] & 0x80; /* a framed message, or raw bytes */
        off += 2;
        if (n > size - off)
            n = size - off;
        if (whole && n >= 8) {
            uint32_t type, tx;
            memcpy(&type, data + off, 4);
            memcpy(&tx, data + off + 4, 4);
            feed_msg(t, type % (XS_TYPE_COUNT + 2), tx % 4, (const char *)data + off + 8,
                     n - 8);
        } else if (!xsd_conn_dead(t)) {
            xsd_conn_feed(t, data + off, n);
        }
        off += n;
        for (int i = 0; i < 3; i++)
            drain(c[i]);
    }
    if (xsd_store_check(&d->store, why, sizeof(why))) {
        fprintf(stderr, "inconsistent tree: %s\n", why);
        abort();
    }
    xsd_free(d);
    return 0;
}
