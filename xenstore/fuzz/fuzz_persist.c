/* fuzz_persist.c: libFuzzer harness for pvxenstored's state loader
 * (persist.c). The first input byte chooses the form: odd, the rest is a
 * body that gets a right header (length and checksum), so the fuzzer
 * spends its time in the structure; even, the rest is a whole file,
 * header included. A file that loads must give a consistent tree; it is
 * then restored through a fake ring transport (some domains attach, some
 * are gone, some fail), saved, loaded again and restored the same way,
 * and both saves must be equal. Nothing may crash or leak.
 *
 * With FUZZ_PERSIST_SEEDS=DIR set, it first writes seed inputs into DIR
 * (`make fuzz` does, for its corpus). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

static const struct xsd_transport fuzz_transport = { "fuzz", NULL };

/* Domains whose id is 2 mod 3 are gone (ESRCH), 0 mod 5 cannot be served
 * (EINVAL); the rest attach with a persisting connection. */
static int fake_attach(struct xsd *d, struct xsd_domain *dom)
{
    struct xsd_conn *c;

    if (dom->domid % 3 == 2)
        return -XEN_ESRCH;
    if (dom->domid % 5 == 0)
        return -XEN_EINVAL;
    c = xsd_conn_new(d, &fuzz_transport, NULL, dom->domid);
    if (!c)
        return -XEN_ENOMEM;
    c->persist = true;
    return 0;
}

static void fake_detach(struct xsd *d, struct xsd_domain *dom)
{
    (void)d;
    (void)dom;
}

static const struct xsd_ring_ops fake_ring = { fake_attach, fake_detach };

static void drain_all(struct xsd *d)
{
    const void *buf;
    size_t len;

    for (struct xsd_conn *c = d->conns; c; c = c->next)
        while (xsd_conn_out_peek(c, &buf, &len))
            xsd_conn_out_consume(c, len);
}

static void check(const struct xsd *d)
{
    char why[256];

    if (xsd_store_check(&d->store, why, sizeof(why))) {
        fprintf(stderr, "inconsistent tree after a load: %s\n", why);
        abort();
    }
}

/* Load, check, restore; the state saved afterwards (caller frees). */
static uint8_t *load_restore_save(const uint8_t *img, size_t len, size_t *out_len, bool must)
{
    struct xsd_quota q;
    struct xsd *d;
    uint8_t *out = NULL;
    char why[256];

    xsd_quota_defaults(&q);
    d = xsd_new(&q);
    if (!d)
        return NULL;
    int r = xsd_persist_decode(d, img, len, why, sizeof(why));
    if (r == 0) {
        check(d);
        d->ring = &fake_ring;
        if (xsd_persist_restore(d, true) != 0)
            abort(); /* `last`: nothing may be left */
        drain_all(d);
        check(d);
        if (xsd_persist_encode(d, &out, out_len) < 0)
            out = NULL;
    } else if (must && r != -XEN_ENOMEM) {
        fprintf(stderr, "a state this daemon saved was refused: %s\n", why);
        abort();
    }
    xsd_free(d);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *img, *first, *second;
    size_t len, l1 = 0, l2 = 0;

    log_threshold = LOG_ERR;
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        /* A body: give it a right header. */
        len = XSD_STATE_HDR + size - 1;
        img = malloc(len);
        if (!img)
            return 0;
        memset(img, 0, XSD_STATE_HDR);
        memcpy(img, XSD_STATE_MAGIC, 8);
        img[8] = XSD_STATE_VERSION;
        uint64_t body = size - 1;
        for (int k = 0; k < 8; k++)
            img[16 + k] = (uint8_t)(body >> (8 * k));
        memcpy(img + XSD_STATE_HDR, data + 1, size - 1);
        uint32_t crc = xsd_crc32(xsd_crc32(0, img, 28), img + XSD_STATE_HDR, size - 1);
        for (int k = 0; k < 4; k++)
            img[28 + k] = (uint8_t)(crc >> (8 * k));
    } else {
        len = size - 1;
        img = malloc(len ? len : 1);
        if (!img)
            return 0;
        memcpy(img, data + 1, len);
    }
    first = load_restore_save(img, len, &l1, false);
    free(img);
    if (!first)
        return 0;
    /* What was saved loads back, and saves the same. */
    second = load_restore_save(first, l1, &l2, true);
    if (second && (l1 != l2 || memcmp(first, second, l1))) {
        fprintf(stderr, "a saved state does not save back the same (%zu, %zu bytes)\n", l1, l2);
        abort();
    }
    free(first);
    free(second);
    return 0;
}

/* ------------------------------------------------------------------------
 * Seeds: states made through the daemon's own requests.
 * ------------------------------------------------------------------------ */
static void req(struct xsd_conn *c, uint32_t type, const char *p, size_t len)
{
    struct xsd_sockmsg h = { type, 1, 0, (uint32_t)len };

    xsd_conn_feed(c, &h, sizeof(h));
    xsd_conn_feed(c, p, len);
}

static void write_seed(const char *dir, const char *name, const uint8_t *img, size_t len,
                       bool as_body)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        return;
    fputc(as_body ? 1 : 0, f);
    if (as_body)
        fwrite(img + XSD_STATE_HDR, 1, len - XSD_STATE_HDR, f);
    else
        fwrite(img, 1, len, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("FUZZ_PERSIST_SEEDS");
    struct xsd_quota q;
    struct xsd *d;
    uint8_t *img;
    size_t len;

    (void)argc;
    (void)argv;
    if (!dir)
        return 0;
    log_threshold = LOG_ERR;
    xsd_quota_defaults(&q);
    d = xsd_new(&q);
    if (!d)
        return 0;
    if (xsd_persist_encode(d, &img, &len) == 0) {
        write_seed(dir, "seed-empty-body", img, len, true);
        write_seed(dir, "seed-empty-file", img, len, false);
        free(img);
    }
    struct xsd_conn *c0 = xsd_conn_new(d, &fuzz_transport, NULL, 0);
/* NUL-ended strings (the literal's own NUL ends the last), or a write's
 * path and value (no NUL after the value). */
#define REQ(c, type, lit) req(c, type, lit, sizeof(lit))
#define WRITE(c, lit) req(c, XS_WRITE, lit, sizeof(lit) - 1)
    REQ(c0, XS_INTRODUCE, "1\0" "1044476\0" "7");
    REQ(c0, XS_INTRODUCE, "2\0" "12\0" "9");
    REQ(c0, XS_INTRODUCE, "6\0" "1\0" "1");
    REQ(c0, XS_SET_TARGET, "6\0" "1");
    WRITE(c0, "/t/zeta\0z");
    WRITE(c0, "/t/bin\0a\0b\xff");
    WRITE(c0, "/local/domain/1/data/x\0v");
    REQ(c0, XS_SET_PERMS, "/t/zeta\0n1\0r2\0w6\0b0");
    REQ(c0, XS_SET_PERMS, "/local/domain/1\0n1");
    REQ(c0, XS_SET_PERMS, "@releaseDomain\0n0\0r1");
    struct xsd_conn *r = xsd_conn_new(d, &fuzz_transport, NULL, 0);
    REQ(r, XS_CONTROL, "act-as\0" "1");
    r->persist = true;
    REQ(r, XS_WATCH, "data\0rel");
    REQ(r, XS_WATCH, "/local/domain/1/data/x\0abs");
    REQ(r, XS_WATCH, "@releaseDomain\0rd");
    unsigned ndoms = 0;
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        ndoms += d->doms[i] != NULL;
    fprintf(stderr, "fuzz_persist: seeds in %s: a tree of %zu nodes, %u domains, %u ring "
            "watches\n", dir, d->store.nodes.count, ndoms, r->nwatches);
    if (xsd_persist_encode(d, &img, &len) == 0) {
        write_seed(dir, "seed-tree-body", img, len, true);
        write_seed(dir, "seed-tree-file", img, len, false);
        free(img);
    }
    xsd_free(d);
    return 0;
}
