/* test_xs_persist.c: the saved state (persist.c): a tree with binary
 * values, permissions, domains and ring watches saved and loaded back the
 * same; truncated, corrupted and unknown-version files refused cleanly and
 * moved aside; what a restore does with the domains. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "xs_harness.h"

TestSuite(xs_persist);

static const struct xsd_transport ring_like = { "ring-test", NULL };
static char path[XENSTORE_PAYLOAD_MAX], token[XENSTORE_PAYLOAD_MAX];

/* A write with a value of any bytes. */
static void write_bin(struct xsd_conn *c, const char *p, const void *v, size_t len)
{
    char payload[XENSTORE_PAYLOAD_MAX];
    size_t pl = strlen(p) + 1;

    memcpy(payload, p, pl);
    memcpy(payload + pl, v, len);
    struct xst_reply r = xst_call(c, XS_WRITE, 0, payload, (uint32_t)(pl + len));
    cr_assert_eq(r.type, XS_WRITE, "write %s: %s", p, r.body);
}

static const uint8_t binval[] = { 0, 1, 2, 0xff, 0, 'x', '\n', 0x80, 0 };

/*
 * The tree the round trip uses: binary and empty values, a value of 2000
 * bytes, several permission entries, children in a set order, the special
 * nodes' permissions changed; domains 1 (target of 3) and 2 and 3; domain
 * 1's ring-like connection with three watches (relative, absolute,
 * special), and a dom0 watch that is not saved.
 */
static struct xsd *build(struct xsd_conn **ring1)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c0 = xst_conn(d, 0);
    char big[2001];

    cr_assert_str_eq(xst_req(c0, XS_INTRODUCE, 0, "1", "1044476", "7", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_INTRODUCE, 0, "2", "12", "9", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_INTRODUCE, 0, "3", "13", "10", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_SET_TARGET, 0, "3", "1", NULL), "OK");
    /* Children in an order that is not alphabetical. */
    xst_write(c0, 0, "/t/zeta", "last made first");
    xst_write(c0, 0, "/t/alpha", "");
    xst_write(c0, 0, "/t/mid/deep/deeper", "x");
    write_bin(c0, "/t/bin", binval, sizeof(binval));
    memset(big, 'q', 2000);
    big[2000] = 0;
    xst_write(c0, 0, "/t/big", big);
    cr_assert_str_eq(xst_req(c0, XS_SET_PERMS, 0, "/t/zeta", "n1", "r2", "w3", "b0", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r1", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_MKDIR, 0, "/local/domain/1", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_SET_PERMS, 0, "/local/domain/1", "n1", NULL), "OK");
    xst_write(c0, 0, "/local/domain/1/data/x", "by dom0");
    cr_assert_str_eq(xst_req(c0, XS_WATCH, 0, "/t", "dom0-not-saved", NULL), "OK");

    struct xsd_conn *r = xst_conn(d, 1);
    r->persist = true;
    cr_assert_str_eq(xst_req(r, XS_WATCH, 0, "data", "rel", NULL), "OK");
    cr_assert_str_eq(xst_req(r, XS_WATCH, 0, "/local/domain/1/data/x", "abs", NULL), "OK");
    cr_assert_str_eq(xst_req(r, XS_WATCH, 0, "@releaseDomain", "rel-dom", NULL), "OK");
    xst_write(r, 0, "data/own", "guest's");
    xst_drain(r);
    xst_drain(c0);
    if (ring1)
        *ring1 = r;
    return d;
}

struct cmp {
    const struct xsd_store *other;
    int nodes;
};

static void same_node(void *val, void *arg)
{
    const struct xsd_node *a = val;
    struct cmp *k = arg;
    const struct xsd_node *b = xsd_store_get(k->other, a->path);

    k->nodes++;
    cr_assert_not_null(b, "node %s lost", a->path);
    cr_expect_eq(a->vlen, b->vlen, "%s: value length", a->path);
    cr_expect(a->vlen == b->vlen && (!a->vlen || !memcmp(a->value, b->value, a->vlen)),
              "%s: value", a->path);
    cr_expect_eq(a->nperms, b->nperms, "%s: permissions", a->path);
    cr_expect(a->nperms == b->nperms && !memcmp(a->perms, b->perms, a->nperms * sizeof(*a->perms)),
              "%s: permissions", a->path);
    cr_expect(a->clen == b->clen && (!a->clen || !memcmp(a->children, b->children, a->clen)),
              "%s: children (and their order)", a->path);
}

/* Same nodes, values, permissions, children, owner counts. */
static void same_tree(const struct xsd *a, const struct xsd *b)
{
    struct cmp k = { &b->store, 0 };
    char why[256];

    xsd_hash_each(&a->store.nodes, same_node, &k);
    cr_expect_eq((size_t)k.nodes, b->store.nodes.count, "node count");
    cr_expect_eq(xsd_store_check(&b->store, why, sizeof(why)), 0, "loaded tree: %s", why);
    cr_expect(!memcmp(a->store.owned, b->store.owned, XSD_DOMID_COUNT * sizeof(uint32_t)),
              "per-owner counts rebuilt");
}

static struct xsd *decoded(const uint8_t *buf, size_t len)
{
    struct xsd *d = xst_core();
    char why[256];
    int r = xsd_persist_decode(d, buf, len, why, sizeof(why));

    cr_assert_eq(r, 0, "decode: %d %s", r, why);
    return d;
}

Test(xs_persist, round_trip_tree_perms_domains_watches)
{
    struct xsd *d = build(NULL);
    uint8_t *buf, *again;
    size_t len, alen;

    cr_assert_eq(xsd_persist_encode(d, &buf, &len), 0);
    cr_expect(!memcmp(buf, XSD_STATE_MAGIC, 8));
    struct xsd *e = decoded(buf, len);
    same_tree(d, e);

    /* The binary value, byte for byte. */
    const struct xsd_node *n = xsd_store_get(&e->store, "/t/bin");
    cr_assert_not_null(n);
    cr_expect_eq(n->vlen, sizeof(binval));
    cr_expect(!memcmp(n->value, binval, sizeof(binval)));
    /* Children in creation order, not sorted. */
    n = xsd_store_get(&e->store, "/t");
    cr_assert_not_null(n);
    cr_expect(n->clen > 5 && !strcmp(n->children, "zeta"), "first child %s", n->children);

    /* Domains and their fields. */
    for (uint32_t id = 1; id <= 3; id++) {
        cr_assert_not_null(xsd_domain_find(e, id), "domain %u", id);
        cr_expect(xsd_domain_find(e, id)->restoring);
        cr_expect(!xsd_domain_find(e, id)->ring_served);
    }
    cr_expect_null(xsd_domain_find(e, 4));
    cr_expect_eq(xsd_domain_find(e, 1)->gfn, 1044476);
    cr_expect_eq(xsd_domain_find(e, 1)->evtchn, 7);
    cr_expect_eq(xsd_domain_find(e, 2)->gfn, 12);
    cr_expect_eq(xsd_domain_find(e, 3)->target, 1);
    cr_expect_eq(xsd_domain_find(e, 1)->target, DOMID_INVALID);

    /* Domain 1's ring watches, in the order they were set; no dom0 watch. */
    const struct xsd_watch *w = xsd_domain_find(e, 1)->saved_watches;
    cr_assert_not_null(w);
    cr_expect_str_eq(w->path, "/local/domain/1/data");
    cr_expect_str_eq(w->token, "rel");
    cr_expect_eq(w->strip, strlen("/local/domain/1"));
    w = w->next;
    cr_assert_not_null(w);
    cr_expect_str_eq(w->path, "/local/domain/1/data/x");
    cr_expect_str_eq(w->token, "abs");
    cr_expect_eq(w->strip, 0);
    w = w->next;
    cr_assert_not_null(w);
    cr_expect_str_eq(w->path, "@releaseDomain");
    cr_expect_null(w->next);
    cr_expect_null(xsd_domain_find(e, 2)->saved_watches);

    /* What is loaded saves as it was read. */
    cr_assert_eq(xsd_persist_encode(e, &again, &alen), 0);
    cr_expect(alen == len && !memcmp(buf, again, len), "a second save differs");
    free(again);
    free(buf);
    xsd_free(e);
    xsd_free(d);
}

Test(xs_persist, empty_store_round_trip)
{
    struct xsd *d = xst_core();
    uint8_t *buf;
    size_t len;

    cr_assert_eq(xsd_persist_encode(d, &buf, &len), 0);
    /* Header, node count, "/" and the two special nodes, domain count. */
    cr_expect_lt(len, 200, "%zu bytes", len);
    struct xsd *e = decoded(buf, len);
    same_tree(d, e);
    cr_expect_eq(e->store.nodes.count, 3);
    for (uint32_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        cr_assert_null(e->doms[i]);
    cr_expect_eq(xsd_persist_restore(e, true), 0);
    free(buf);
    xsd_free(e);
    xsd_free(d);
}

/* ------------------------------------------------------------------------
 * Restore: a fake ring transport whose attach makes a persisting
 * connection, and fails with ESRCH (domain gone) for domain 2.
 * ------------------------------------------------------------------------ */
static int fake_attach(struct xsd *d, struct xsd_domain *dom)
{
    if (dom->domid == 2)
        return -XEN_ESRCH;
    struct xsd_conn *c = xsd_conn_new(d, &ring_like, NULL, dom->domid);
    cr_assert_not_null(c);
    c->persist = true;
    return 0;
}

static void fake_detach(struct xsd *d, struct xsd_domain *dom)
{
    (void)d;
    (void)dom;
}

static const struct xsd_ring_ops fake_ring = { fake_attach, fake_detach };

static struct xsd_conn *ring_conn(struct xsd *d, uint32_t domid)
{
    for (struct xsd_conn *c = d->conns; c; c = c->next)
        if (c->persist && !c->dead && c->domid == domid)
            return c;
    return NULL;
}

Test(xs_persist, restore_reattaches_rings_and_releases_gone_domains)
{
    struct xsd *d = build(NULL);
    uint8_t *buf;
    size_t len;

    cr_assert_eq(xsd_persist_encode(d, &buf, &len), 0);
    struct xsd *e = decoded(buf, len);
    free(buf);
    struct xsd_conn *c0 = xst_conn(e, 0);
    cr_assert_str_eq(xst_req(c0, XS_WATCH, 0, "@releaseDomain", "rel", NULL), "OK");
    cr_assert_str_eq(xst_req(c0, XS_WATCH, 0, "@introduceDomain", "intro", NULL), "OK");
    xst_drain(c0);
    e->ring = &fake_ring;
    uint64_t seq = xsd_persist_seq(e);

    cr_expect_eq(xsd_persist_restore(e, false), 0);
    cr_expect_neq(xsd_persist_seq(e), seq, "the domain list changed: a save is due");
    /* Domain 2 is gone: released, @releaseDomain once, no @introduceDomain. */
    cr_expect_null(xsd_domain_find(e, 2));
    cr_assert(xst_event(c0, path, token));
    cr_expect_str_eq(path, "@releaseDomain");
    cr_expect_str_eq(token, "rel");
    cr_expect(!xst_event(c0, path, token), "one event only: %s %s", path, token);
    cr_expect_str_eq(xst_req(c0, XS_IS_DOMAIN_INTRODUCED, 0, "2", NULL), "F");
    cr_expect_str_eq(xst_req(c0, XS_IS_DOMAIN_INTRODUCED, 0, "1", NULL), "T");

    /* Domain 1's ring: its three watches back, each firing once as a new
     * watch does (the special one too: dom 1 may read @releaseDomain, and
     * saw domain 2 go as well). */
    struct xsd_domain *dom1 = xsd_domain_find(e, 1);
    cr_assert_not_null(dom1);
    cr_expect(dom1->ring_served);
    cr_expect(!dom1->restoring);
    cr_expect_null(dom1->saved_watches);
    cr_expect_eq(dom1->nwatches, 3);
    struct xsd_conn *r = ring_conn(e, 1);
    cr_assert_not_null(r);
    cr_expect_eq(r->nwatches, 3);
    const char *want[][2] = { { "data", "rel" },
                              { "/local/domain/1/data/x", "abs" },
                              { "@releaseDomain", "rel-dom" },
                              { "@releaseDomain", "rel-dom" } };
    for (int i = 0; i < 4; i++) {
        cr_assert(xst_event(r, path, token), "event %d missing", i);
        cr_expect_str_eq(path, want[i][0]);
        cr_expect_str_eq(token, want[i][1]);
    }
    cr_expect(!xst_event(r, path, token), "unexpected %s %s", path, token);

    /* And they fire for changes, relative paths stripped, in the order
     * they did before the restart (the newest watch first). */
    xst_write(c0, 0, "/local/domain/1/data/x", "changed");
    cr_assert(xst_event(r, path, token));
    cr_expect_str_eq(path, "/local/domain/1/data/x");
    cr_expect_str_eq(token, "abs");
    cr_assert(xst_event(r, path, token));
    cr_expect_str_eq(path, "data/x");
    cr_expect_str_eq(token, "rel");
    cr_expect(!xst_event(r, path, token), "unexpected %s %s", path, token);
    /* The guest still owns its home; quotas count its nodes again. */
    cr_expect_str_eq(xst_read(r, 0, "data/own"), "guest's");
    cr_expect_str_eq(xst_write(r, 0, "data/new", "after"), "OK");
    cr_expect_str_eq(xst_read(r, 0, "/t/alpha"), "error EACCES");
    /* Domain 3 keeps its target. */
    cr_expect_eq(xsd_domain_find(e, 3)->target, 1);

    /* A save now has the watches from the connection, not the domain. */
    uint8_t *b2;
    size_t l2;
    cr_assert_eq(xsd_persist_encode(e, &b2, &l2), 0);
    struct xsd *f = decoded(b2, l2);
    free(b2);
    const struct xsd_watch *w = xsd_domain_find(f, 1)->saved_watches;
    int n = 0;
    for (; w; w = w->next)
        n++;
    cr_expect_eq(n, 3);
    cr_expect_null(xsd_domain_find(f, 2));
    xsd_free(f);
    xsd_free(e);
    xsd_free(d);
}

static int failing_attach(struct xsd *d, struct xsd_domain *dom)
{
    (void)d;
    (void)dom;
    return -XEN_EINVAL;
}

static const struct xsd_ring_ops failing_ring = { failing_attach, fake_detach };

Test(xs_persist, restore_failure_keeps_domain_and_watches_until_introduced_again)
{
    struct xsd *d = build(NULL);
    uint8_t *buf;
    size_t len;

    cr_assert_eq(xsd_persist_encode(d, &buf, &len), 0);
    struct xsd *e = decoded(buf, len);
    free(buf);
    e->ring = &failing_ring;
    cr_expect_eq(xsd_persist_restore(e, false), 3, "three to retry");
    cr_expect_eq(xsd_persist_restore(e, true), 0);
    struct xsd_domain *dom1 = xsd_domain_find(e, 1);
    cr_assert_not_null(dom1);
    cr_expect(!dom1->ring_served);
    cr_expect(!dom1->restoring);
    cr_expect_not_null(dom1->saved_watches, "kept for a later INTRODUCE");
    /* The toolstack introduces it again: the ring is served, watches back. */
    e->ring = &fake_ring;
    struct xsd_conn *c0 = xst_conn(e, 0);
    cr_expect_str_eq(xst_req(c0, XS_INTRODUCE, 0, "1", "1044476", "7", NULL), "OK");
    cr_expect(dom1->ring_served);
    cr_expect_null(dom1->saved_watches);
    cr_assert_not_null(ring_conn(e, 1));
    cr_expect_eq(ring_conn(e, 1)->nwatches, 3);
    xsd_free(e);
    xsd_free(d);
}

Test(xs_persist, seq_changes_with_what_is_saved_only)
{
    struct xsd_conn *r;
    struct xsd *d = build(&r);
    struct xsd_conn *c0 = xst_conn(d, 0);
    uint64_t s = xsd_persist_seq(d);

    xst_read(c0, 0, "/t/zeta");
    cr_expect_str_eq(xst_req(c0, XS_WATCH, 0, "/x", "dom0", NULL), "OK");
    uint32_t tx = xst_tx_start(c0);
    xst_write(c0, tx, "/t/in-tx", "1");
    cr_expect_eq(xsd_persist_seq(d), s, "reads, dom0 watches, uncommitted writes: no save");
    cr_expect_str_eq(xst_tx_end(c0, tx, true), "OK");
    cr_expect_neq(xsd_persist_seq(d), s, "a commit");
    s = xsd_persist_seq(d);
    xst_req(c0, XS_RM, 0, "/t/alpha", NULL);
    cr_expect_neq(xsd_persist_seq(d), s, "rm");
    s = xsd_persist_seq(d);
    cr_expect_str_eq(xst_req(r, XS_WATCH, 0, "more", "t", NULL), "OK");
    cr_expect_neq(xsd_persist_seq(d), s, "a ring watch");
    s = xsd_persist_seq(d);
    cr_expect_str_eq(xst_req(r, XS_UNWATCH, 0, "more", "t", NULL), "OK");
    cr_expect_neq(xsd_persist_seq(d), s, "a ring unwatch");
    s = xsd_persist_seq(d);
    cr_expect_str_eq(xst_req(c0, XS_INTRODUCE, 0, "9", "1", "1", NULL), "OK");
    cr_expect_neq(xsd_persist_seq(d), s, "introduce");
    s = xsd_persist_seq(d);
    cr_expect_str_eq(xst_req(c0, XS_RELEASE, 0, "9", NULL), "OK");
    cr_expect_neq(xsd_persist_seq(d), s, "release");
    xsd_free(d);
}

/* ------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------ */
static char dir[64], state[128], bad[140];

static void files_setup(void)
{
    /* Each refused file is logged as an error: keep them off the report. */
    cr_redirect_stderr();
    strcpy(dir, "/tmp/pvxs-persist-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(bad, sizeof(bad), "%s/state.bad", dir);
}

static void files_teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static bool exists(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0;
}

static void write_file(const char *p, const uint8_t *buf, size_t len)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

/* The saved file of build()'s tree, in memory. */
static uint8_t *saved(size_t *len)
{
    struct xsd *d = build(NULL);
    uint8_t *buf;

    cr_assert_eq(xsd_persist_encode(d, &buf, len), 0);
    xsd_free(d);
    return buf;
}

/* Load `state` into a fresh core: it must be refused with `err`, moved
 * aside, and leave the core fresh. */
static void expect_refused(int err, const char *what)
{
    struct xsd *e = xst_core();
    int r = xsd_persist_load(e, state);

    cr_expect_eq(r, err, "%s: load returned %d, expected %d", what, r, err);
    cr_expect(!exists(state), "%s: the refused file must be moved aside", what);
    cr_expect(exists(bad), "%s: state.bad must hold it", what);
    cr_expect_eq(e->store.nodes.count, 3, "%s: the store must be fresh", what);
    cr_expect_null(xsd_domain_find(e, 1), "%s: no domains", what);
    xsd_free(e);
    unlink(bad);
}

/* Fix the checksum of a changed image (so the loader looks further). */
static void reseal(uint8_t *buf, size_t len)
{
    uint32_t crc = xsd_crc32(xsd_crc32(0, buf, 28), buf + XSD_STATE_HDR, len - XSD_STATE_HDR);

    buf[28] = (uint8_t)crc;
    buf[29] = (uint8_t)(crc >> 8);
    buf[30] = (uint8_t)(crc >> 16);
    buf[31] = (uint8_t)(crc >> 24);
}

Test(xs_persist, save_and_load_file, .init = files_setup, .fini = files_teardown)
{
    struct xsd *d = build(NULL), *e = xst_core();
    struct stat st;

    cr_expect_eq(xsd_persist_load(e, state), 0, "no file: a fresh start");
    cr_expect_eq(e->store.nodes.count, 3);
    cr_assert_eq(xsd_persist_save(d, state), 0);
    cr_expect(!exists(bad));
    cr_assert_eq(stat(state, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600, "only root reads the state");
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", state);
    cr_expect(!exists(tmp), "the temporary file is renamed");
    cr_expect_eq(xsd_persist_load(e, state), 1);
    same_tree(d, e);
    cr_expect_not_null(xsd_domain_find(e, 1));
    /* Not twice into the same core. */
    cr_expect_eq(xsd_persist_decode(e, "", 0, NULL, 0), -XEN_EBUSY);
    /* Saving again replaces it whole. */
    cr_assert_eq(xsd_persist_save(e, state), 0);
    xsd_free(e);
    e = xst_core();
    cr_expect_eq(xsd_persist_load(e, state), 1);
    same_tree(d, e);
    xsd_free(e);
    xsd_free(d);
}

Test(xs_persist, truncated_file_refused_and_moved_aside, .init = files_setup,
     .fini = files_teardown)
{
    size_t len;
    uint8_t *buf = saved(&len);
    size_t cuts[] = { 0, 7, XSD_STATE_HDR - 1, XSD_STATE_HDR, XSD_STATE_HDR + 3, len / 2,
                      len - 1 };

    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "cut at %zu of %zu", cuts[i], len);
        write_file(state, buf, cuts[i]);
        expect_refused(-XEN_EBADMSG, what);
    }
    /* Cut, with its header's length and checksum made to match: the
     * structure itself is found short. */
    for (size_t cut = XSD_STATE_HDR; cut < len; cut += 97) {
        char what[64];
        uint8_t *b = malloc(len);
        memcpy(b, buf, len);
        uint64_t body = cut - XSD_STATE_HDR;
        for (int k = 0; k < 8; k++)
            b[16 + k] = (uint8_t)(body >> (8 * k));
        reseal(b, cut);
        snprintf(what, sizeof(what), "resealed cut at %zu", cut);
        write_file(state, b, cut);
        expect_refused(-XEN_EBADMSG, what);
        free(b);
    }
    /* One byte too many. */
    uint8_t *b = malloc(len + 1);
    memcpy(b, buf, len);
    b[len] = 0;
    write_file(state, b, len + 1);
    expect_refused(-XEN_EBADMSG, "a byte appended");
    free(b);
    free(buf);
}

Test(xs_persist, flipped_byte_refused_and_moved_aside, .init = files_setup,
     .fini = files_teardown)
{
    size_t len;
    uint8_t *buf = saved(&len);

    /* Every byte of the header and a spread of the body, each bit. */
    for (size_t at = 0; at < len; at += at < XSD_STATE_HDR ? 1 : 13) {
        for (int bit = 0; bit < 8; bit += 3) {
            char what[64];
            buf[at] ^= (uint8_t)(1u << bit);
            write_file(state, buf, len);
            struct xsd *e = xst_core();
            int r = xsd_persist_load(e, state);
            snprintf(what, sizeof(what), "byte %zu bit %d", at, bit);
            cr_expect(r == -XEN_EBADMSG || r == -XEN_EOPNOTSUPP, "%s: %d", what, r);
            cr_expect(!exists(state) && exists(bad), "%s: moved aside", what);
            cr_expect_eq(e->store.nodes.count, 3, "%s: fresh", what);
            xsd_free(e);
            unlink(bad);
            buf[at] ^= (uint8_t)(1u << bit);
        }
    }
    /* And the intact file still loads. */
    write_file(state, buf, len);
    struct xsd *e = xst_core();
    cr_expect_eq(xsd_persist_load(e, state), 1);
    xsd_free(e);
    free(buf);
}

Test(xs_persist, wrong_version_refused_and_moved_aside, .init = files_setup,
     .fini = files_teardown)
{
    size_t len;
    uint8_t *buf = saved(&len);

    buf[8] = 2; /* version 2, checksum made right: a newer daemon's file */
    reseal(buf, len);
    write_file(state, buf, len);
    expect_refused(-XEN_EOPNOTSUPP, "version 2");
    buf[8] = 1;
    buf[12] = 1; /* flags this version does not know */
    reseal(buf, len);
    write_file(state, buf, len);
    expect_refused(-XEN_EOPNOTSUPP, "unknown flags");
    buf[12] = 0;
    memcpy(buf, "PVXSDST2", 8);
    reseal(buf, len);
    write_file(state, buf, len);
    expect_refused(-XEN_EBADMSG, "other magic");
    free(buf);
}

/* A body written by hand, sealed with a right header. */
struct img {
    uint8_t b[8192];
    size_t len;
};

static void u32(struct img *m, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        m->b[m->len++] = (uint8_t)(v >> (8 * k));
}

static void str(struct img *m, const char *s)
{
    u32(m, (uint32_t)strlen(s));
    memcpy(m->b + m->len, s, strlen(s));
    m->len += strlen(s);
}

static void node(struct img *m, const char *p, uint32_t owner, const char *v)
{
    str(m, p);
    u32(m, 1);
    u32(m, owner);
    u32(m, 0);
    str(m, v);
}

static void begin(struct img *m, uint32_t nnodes)
{
    memset(m, 0, sizeof(*m));
    memcpy(m->b, XSD_STATE_MAGIC, 8);
    m->b[8] = XSD_STATE_VERSION;
    m->len = XSD_STATE_HDR;
    u32(m, nnodes);
}

static int finish(struct img *m, char *why, size_t cap)
{
    uint64_t body = m->len - XSD_STATE_HDR;
    for (int k = 0; k < 8; k++)
        m->b[16 + k] = (uint8_t)(body >> (8 * k));
    reseal(m->b, m->len);
    struct xsd *e = xst_core();
    int r = xsd_persist_decode(e, m->b, m->len, why, cap);
    if (r < 0) {
        cr_expect_eq(e->store.nodes.count, 3, "refused: the core unchanged");
        cr_expect_null(xsd_domain_find(e, 1));
    }
    xsd_free(e);
    return r;
}

Test(xs_persist, hostile_contents_refused)
{
    struct img m;
    char why[256];

    begin(&m, 2);
    node(&m, "/", 0, "");
    node(&m, "/a", 0, "v");
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), 0, "a minimal good file: %s", why);

    begin(&m, 1);
    node(&m, "/a", 0, "v");
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "no root first");

    begin(&m, 2);
    node(&m, "/", 0, "");
    node(&m, "/a/b", 0, "");
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "a node before its parent");
    cr_expect(strstr(why, "parent") != NULL, "%s", why);

    begin(&m, 3);
    node(&m, "/", 0, "");
    node(&m, "/a", 0, "");
    node(&m, "/a", 0, "");
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "a node twice");

    begin(&m, 2);
    node(&m, "/", 0, "");
    node(&m, "/a", 70000, "");
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "an owner past the domids");

    const char *bad_paths[] = { "/a/", "//", "/a b", "a", "/a//b", "@other" };
    for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
        begin(&m, 2);
        node(&m, "/", 0, "");
        node(&m, bad_paths[i], 0, "");
        u32(&m, 0);
        cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "path %s", bad_paths[i]);
    }

    begin(&m, 2);
    node(&m, "/", 0, "");
    str(&m, "/a");
    u32(&m, 0); /* no permissions */
    str(&m, "");
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "no permissions");

    begin(&m, 1);
    node(&m, "/", 0, "");
    u32(&m, 5000); /* 5000 domains in a few bytes */
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "a count past the end");

    begin(&m, 1);
    node(&m, "/", 0, "");
    u32(&m, 1);
    u32(&m, 0); /* domain 0 */
    u32(&m, 1);
    u32(&m, 0);
    u32(&m, 1);
    u32(&m, DOMID_INVALID);
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "dom0 introduced");

    begin(&m, 1);
    node(&m, "/", 0, "");
    u32(&m, 1);
    u32(&m, 5);
    u32(&m, 1);
    u32(&m, 0);
    u32(&m, 1);
    u32(&m, 6); /* target 6, not introduced */
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "a dangling target");

    begin(&m, 1);
    node(&m, "/", 0, "");
    u32(&m, 1);
    u32(&m, 5);
    u32(&m, 1);
    u32(&m, 0);
    u32(&m, 1);
    u32(&m, DOMID_INVALID);
    u32(&m, 1);
    str(&m, "/local/domain/5/x");
    str(&m, "tok");
    u32(&m, 3); /* strips neither 0 nor the home */
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "a bad strip");

    begin(&m, 1);
    node(&m, "/", 0, "");
    u32(&m, 1);
    u32(&m, 5);
    u32(&m, 1);
    u32(&m, 0);
    u32(&m, 1);
    u32(&m, DOMID_INVALID);
    u32(&m, 1);
    str(&m, "/local/domain/5/x");
    u32(&m, 3);
    memcpy(m.b + m.len, "t\0k", 3); /* a NUL inside the token */
    m.len += 3;
    u32(&m, 0);
    cr_expect_eq(finish(&m, why, sizeof(why)), -XEN_EBADMSG, "a NUL in a token");

    begin(&m, 1);
    node(&m, "/", 0, "");
    u32(&m, 1);
    u32(&m, 5);
    u32(&m, 1);
    u32(&m, 0);
    u32(&m, 1);
    u32(&m, DOMID_INVALID);
    u32(&m, 1);
    str(&m, "/local/domain/5/x");
    str(&m, "tok");
    u32(&m, strlen("/local/domain/5"));
    cr_expect_eq(finish(&m, why, sizeof(why)), 0, "a good relative watch: %s", why);
}
