/* test_xs_watch.c: watches: the event at once, events for changes below,
 * relative paths, permissions, transactions, special watches. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "xs_harness.h"

static char path[XENSTORE_PAYLOAD_MAX], token[XENSTORE_PAYLOAD_MAX];

/* The next event must be (p, t). */
static void expect_event(struct xsd_conn *c, const char *p, const char *t)
{
    cr_assert(xst_event(c, path, token), "no event, expected %s", p);
    cr_expect_str_eq(path, p);
    cr_expect_str_eq(token, t);
}

static void expect_none(struct xsd_conn *c)
{
    cr_expect(!xst_event(c, path, token), "unexpected event %s %s", path, token);
}

Test(xs_watch, fires_at_once_then_for_changes_below)
{
    struct xsd *d = xst_core();
    struct xsd_conn *w = xst_conn(d, 0), *c = xst_conn(d, 0);

    cr_expect_str_eq(xst_req(w, XS_WATCH, 0, "/w", "tok", NULL), "OK");
    expect_event(w, "/w", "tok");
    expect_none(w);
    xst_write(c, 0, "/w/a/b", "1");
    expect_event(w, "/w/a/b", "tok");
    xst_write(c, 0, "/wx", "1");
    expect_none(w); /* a sibling with a common prefix is not below /w */
    xst_req(c, XS_MKDIR, 0, "/w/a/b", NULL);
    expect_none(w); /* nothing changed */
    xst_req(c, XS_SET_PERMS, 0, "/w/a", "b0", NULL);
    expect_event(w, "/w/a", "tok");
    xst_req(c, XS_RM, 0, "/w/a", NULL);
    expect_event(w, "/w/a", "tok");
    expect_none(w);
    cr_expect_str_eq(xst_req(w, XS_WATCH, 0, "/w", "tok", NULL), "error EEXIST");
    cr_expect_str_eq(xst_req(w, XS_UNWATCH, 0, "/w", "tok", NULL), "OK");
    cr_expect_str_eq(xst_req(w, XS_UNWATCH, 0, "/w", "tok", NULL), "error ENOENT");
    xst_write(c, 0, "/w/z", "1");
    expect_none(w);
    xsd_free(d);
}

Test(xs_watch, removing_a_parent_fires_watches_below)
{
    struct xsd *d = xst_core();
    struct xsd_conn *w = xst_conn(d, 0), *c = xst_conn(d, 0);

    xst_write(c, 0, "/p/q/r", "1");
    xst_req(w, XS_WATCH, 0, "/p/q/r", "deep", NULL);
    xst_drain(w);
    xst_req(c, XS_RM, 0, "/p", NULL);
    expect_event(w, "/p/q/r", "deep");
    expect_none(w);
    xsd_free(d);
}

Test(xs_watch, relative_watches_get_relative_paths)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0);
    xst_req(dom0, XS_MKDIR, 0, "/local/domain/5", NULL);
    xst_req(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", NULL);
    struct xsd_conn *g = xst_conn(d, 5);

    cr_expect_str_eq(xst_req(g, XS_WATCH, 0, "device", "dev", NULL), "OK");
    expect_event(g, "device", "dev");
    xst_write(dom0, 0, "/local/domain/5/device/vif/0", "x");
    expect_event(g, "device/vif/0", "dev");
    xsd_free(d);
}

Test(xs_watch, guests_hear_only_of_what_they_may_read)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = xst_conn(d, 5);

    xst_write(dom0, 0, "/secret/key", "1");
    cr_expect_str_eq(xst_req(g, XS_WATCH, 0, "/secret", "s", NULL), "OK");
    expect_event(g, "/secret", "s"); /* the first event is always sent */
    xst_write(dom0, 0, "/secret/key", "2");
    expect_none(g);
    xst_req(dom0, XS_SET_PERMS, 0, "/secret/key", "n0", "r5", NULL);
    expect_event(g, "/secret/key", "s");
    xst_write(dom0, 0, "/secret/key", "3");
    expect_event(g, "/secret/key", "s");
    xsd_free(d);
}

Test(xs_watch, transactions_fire_on_commit_only)
{
    struct xsd *d = xst_core();
    struct xsd_conn *w = xst_conn(d, 0), *c = xst_conn(d, 0);

    xst_req(w, XS_WATCH, 0, "/t", "t", NULL);
    xst_drain(w);
    uint32_t t = xst_tx_start(c);
    xst_write(c, t, "/t/a", "1");
    expect_none(w);
    xst_tx_end(c, t, true);
    expect_event(w, "/t/a", "t");
    t = xst_tx_start(c);
    xst_write(c, t, "/t/b", "1");
    xst_tx_end(c, t, false);
    expect_none(w);
    xsd_free(d);
}

Test(xs_watch, introduce_and_release_fire_special_watches)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = xst_conn(d, 5);

    cr_expect_str_eq(xst_req(dom0, XS_WATCH, 0, "@introduceDomain", "in", NULL), "OK");
    cr_expect_str_eq(xst_req(dom0, XS_WATCH, 0, "@releaseDomain", "out", NULL), "OK");
    cr_expect_str_eq(xst_req(g, XS_WATCH, 0, "@releaseDomain", "g", NULL), "OK");
    xst_drain(dom0);
    xst_drain(g);
    cr_expect_str_eq(xst_req(dom0, XS_INTRODUCE, 0, "7", "4096", "3", NULL), "OK");
    expect_event(dom0, "@introduceDomain", "in");
    cr_expect_str_eq(xst_req(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL), "T");
    cr_expect_str_eq(xst_req(dom0, XS_GET_DOMAIN_PATH, 0, "7", NULL), "/local/domain/7");
    cr_expect_str_eq(xst_req(dom0, XS_RELEASE, 0, "7", NULL), "OK");
    expect_event(dom0, "@releaseDomain", "out");
    expect_none(g); /* special events are dom0's unless the special node says */
    cr_expect_str_eq(xst_req(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL), "F");
    cr_expect_str_eq(xst_req(dom0, XS_RELEASE, 0, "7", NULL), "error ENOENT");
    /* A domain given read access to @releaseDomain hears of releases. */
    cr_expect_str_eq(xst_req(dom0, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r5", NULL), "OK");
    xst_req(dom0, XS_INTRODUCE, 0, "8", "1", "1", NULL);
    xst_req(dom0, XS_RELEASE, 0, "8", NULL);
    expect_event(g, "@releaseDomain", "g");
    xsd_free(d);
}

Test(xs_watch, release_ends_the_domains_connections)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0), *g = xst_conn(d, 5);

    xst_req(g, XS_WATCH, 0, "/x", "x", NULL);
    xst_tx_start(g);
    cr_expect_eq(g->nwatches, 1);
    cr_expect_str_eq(xst_req(dom0, XS_RELEASE, 0, "5", NULL), "OK");
    cr_expect(xsd_conn_dead(g));
    cr_expect_eq(g->nwatches, 0, "its watches are gone");
    cr_expect_eq(g->ntxns, 0, "its transactions are gone");
    struct xsd_sockmsg h = { XS_READ, 1, 0, 2 };
    cr_expect_eq(xsd_conn_feed(g, &h, sizeof(h)), 0, "a dead connection reads nothing");
    xsd_free(d);
}

Test(xs_watch, reset_watches_drops_watches_and_transactions)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    xst_req(c, XS_WATCH, 0, "/a", "1", NULL);
    xst_req(c, XS_WATCH, 0, "/b", "2", NULL);
    uint32_t t = xst_tx_start(c);
    cr_expect_str_eq(xst_req(c, XS_RESET_WATCHES, 0, "", NULL), "OK");
    cr_expect_eq(c->nwatches, 0);
    cr_expect_str_eq(xst_tx_end(c, t, true), "error ENOENT");
    xsd_free(d);
}
