/* test_xs_quota.c: per-domain quotas, each kind exhausted by a guest
 * connection: nodes, watches, value size, transactions, permissions,
 * outstanding replies; dom0 is exempt. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "xs_harness.h"

static struct xsd_conn *guest(struct xsd *d, struct xsd_conn *dom0)
{
    cr_assert_str_eq(xst_req(dom0, XS_MKDIR, 0, "/local/domain/5", NULL), "OK");
    cr_assert_str_eq(xst_req(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", NULL), "OK");
    return xst_conn(d, 5);
}

static void set_quota(struct xsd_conn *dom0, const char *name, const char *v)
{
    cr_assert_str_eq(xst_req(dom0, XS_CONTROL, 0, "quota", "set", name, v, NULL), "OK");
}

Test(xs_quota, nodes)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = guest(d, dom0);
    char path[32];

    set_quota(dom0, "nodes", "20");
    int ok = 0;
    for (int i = 0; i < 30; i++) {
        snprintf(path, sizeof(path), "n%d", i);
        if (!strcmp(xst_write(g, 0, path, "v"), "OK"))
            ok++;
        else
            cr_expect_str_eq(xst_write(g, 0, path, "v"), "error ENOSPC");
    }
    cr_expect_eq(ok, 19, "home (owned by 5) + 19 nodes = 20");
    cr_expect_str_eq(xst_write(g, 0, "n0", "rewrite"), "OK", "rewriting costs nothing");
    /* Removing frees room. */
    cr_expect_str_eq(xst_req(g, XS_RM, 0, "n0", NULL), "OK");
    cr_expect_str_eq(xst_write(g, 0, "again", "v"), "OK");
    /* Parents count: a deep write needs room for all of them. */
    cr_expect_str_eq(xst_req(g, XS_RM, 0, "n1", NULL), "OK");
    cr_expect_str_eq(xst_write(g, 0, "deep/er", "v"), "error ENOSPC");
    cr_expect_str_eq(xst_read(g, 0, "deep"), "error ENOENT", "nothing half made");
    /* Inside a transaction too, counted with its own creations. */
    uint32_t t = xst_tx_start(g);
    cr_expect_str_eq(xst_write(g, t, "t1", "v"), "OK");
    cr_expect_str_eq(xst_write(g, t, "t2", "v"), "error ENOSPC");
    cr_expect_str_eq(xst_tx_end(g, t, true), "OK");
    /* Dom0 is exempt, though what it makes under the guest's home is the
     * guest's (nodes are counted by owner, as Xen does). */
    cr_expect_str_eq(xst_write(dom0, 0, "/local/domain/5/dom0", "x"), "OK");
    cr_expect_str_eq(xst_req(dom0, XS_CONTROL, 0, "quota", "5", NULL),
                     "nodes 21/20\nwatches 0/128\ntransactions 0\n");
    xsd_free(d);
}

Test(xs_quota, value_size)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = guest(d, dom0);
    char big[2050];

    memset(big, 'v', 2048);
    big[2048] = 0;
    cr_expect_str_eq(xst_write(g, 0, "v", big), "OK", "2048 bytes is the default limit");
    big[2048] = 'v';
    big[2049] = 0;
    cr_expect_str_eq(xst_write(g, 0, "v", big), "error ENOSPC");
    cr_expect_str_eq(xst_write(dom0, 0, "/local/domain/5/v", big), "OK");
    xsd_free(d);
}

Test(xs_quota, watches)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = guest(d, dom0);
    char tok[16];

    set_quota(dom0, "watches", "3");
    for (int i = 0; i < 3; i++) {
        snprintf(tok, sizeof(tok), "t%d", i);
        cr_expect_str_eq(xst_req(g, XS_WATCH, 0, "w", tok, NULL), "OK");
    }
    cr_expect_str_eq(xst_req(g, XS_WATCH, 0, "w", "t9", NULL), "error E2BIG");
    /* The quota is the domain's, across its connections. */
    struct xsd_conn *g2 = xst_conn(d, 5);
    cr_expect_str_eq(xst_req(g2, XS_WATCH, 0, "w", "other", NULL), "error E2BIG");
    cr_expect_str_eq(xst_req(g, XS_UNWATCH, 0, "w", "t0", NULL), "OK");
    cr_expect_str_eq(xst_req(g2, XS_WATCH, 0, "w", "other", NULL), "OK");
    xsd_free(d);
}

Test(xs_quota, transactions)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = guest(d, dom0);
    uint32_t t[10];

    for (int i = 0; i < 10; i++)
        t[i] = xst_tx_start(g);
    cr_expect_str_eq(xst_req(g, XS_TRANSACTION_START, 0, "", NULL), "error ENOSPC");
    cr_expect_str_eq(xst_tx_end(g, t[3], false), "OK");
    cr_expect_neq(xst_tx_start(g), 0);
    for (int i = 0; i < 12; i++)
        xst_tx_start(dom0);
    xsd_free(d);
}

Test(xs_quota, permissions)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = guest(d, dom0);

    xst_write(g, 0, "p", "");
    cr_expect_str_eq(xst_req(g, XS_SET_PERMS, 0, "p", "n5", "r1", "r2", "r3", "r4", NULL), "OK");
    cr_expect_str_eq(xst_req(g, XS_SET_PERMS, 0, "p", "n5", "r1", "r2", "r3", "r4", "r6",
                             NULL), "error ENOSPC");
    xsd_free(d);
}

Test(xs_quota, outstanding_replies_stop_reading)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = guest(d, dom0);
    struct xsd_sockmsg h = { XS_READ, 1, 0, 16 };
    uint8_t msg[sizeof(h) + 16];

    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), "/local/domain/5", 16);
    cr_assert_str_eq(xst_write(dom0, 0, "/local/domain/5", "home"), "OK");
    /* A guest that sends and never reads: after 20 replies, no more is
     * taken from it (the transport keeps the rest). */
    size_t taken = 0;
    for (int i = 0; i < 30; i++)
        taken += xsd_conn_feed(g, msg, sizeof(msg));
    cr_expect_eq(taken, 20 * sizeof(msg));
    cr_expect(xsd_conn_blocked(g));
    cr_expect_eq(g->out_replies, 20);
    /* It reads one reply: one more request may come. */
    const void *buf;
    size_t len;
    cr_assert(xsd_conn_out_peek(g, &buf, &len));
    xsd_conn_out_consume(g, sizeof(h));
    cr_expect(xsd_conn_blocked(g), "half a reply is not a reply");
    xsd_conn_out_consume(g, len - sizeof(h));
    cr_expect(!xsd_conn_blocked(g));
    cr_expect_eq(xsd_conn_feed(g, msg, sizeof(msg)), sizeof(msg));
    /* Dom0 is not held to it. */
    for (int i = 0; i < 30; i++)
        cr_expect_eq(xsd_conn_feed(dom0, msg, sizeof(msg)), sizeof(msg));
    xsd_free(d);
}

Test(xs_quota, command_line_form)
{
    struct xsd_quota q;

    xsd_quota_defaults(&q);
    cr_expect_eq(q.nodes, 1000);
    cr_expect_eq(q.watches, 128);
    cr_expect_eq(q.value_size, 2048);
    cr_expect_eq(q.transactions, 10);
    cr_expect_eq(q.outstanding, 20);
    cr_expect_eq(xsd_quota_set_arg(&q, "nodes=5"), 0);
    cr_expect_eq(q.nodes, 5);
    cr_expect_lt(xsd_quota_set_arg(&q, "nodes"), 0);
    cr_expect_lt(xsd_quota_set_arg(&q, "bogus=1"), 0);
    cr_expect_lt(xsd_quota_set_arg(&q, "watches=-1"), 0);
    cr_expect_lt(xsd_quota_set_arg(&q, "outstanding=0"), 0);
}
