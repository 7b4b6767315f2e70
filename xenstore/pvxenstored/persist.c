/* persist.c: the state that survives a restart: the tree, the introduced
 * domains and their rings' watches, in a versioned, checksummed file
 * written atomically (format in xsd.h). The loader takes hostile input:
 * every length, count, path and id is checked, and a file that breaks any
 * rule is refused whole, leaving the daemon as it was. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/errno.h>

#include "xsd.h"

/* Limits the loader enforces beyond the file's own lengths. */
#define MAX_PERMS   2048u   /* one SET_PERMS payload holds fewer */
#define MAX_WATCHES (1u << 20) /* per domain: far past any quota */

/* ------------------------------------------------------------------------
 * CRC-32
 * ------------------------------------------------------------------------ */
uint32_t xsd_crc32(uint32_t crc, const void *buf, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    const uint8_t *p = buf;

    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------ */
struct wbuf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static void put(struct wbuf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_u32(struct wbuf *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(b, x, 4);
}

static void put_u64(struct wbuf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(struct wbuf *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

static void put_node(struct wbuf *b, const struct xsd_node *n)
{
    put_str(b, n->path, strlen(n->path));
    put_u32(b, n->nperms);
    for (uint32_t i = 0; i < n->nperms; i++) {
        put_u32(b, n->perms[i].id);
        put_u32(b, n->perms[i].perms);
    }
    put_str(b, n->value, n->vlen);
}

/* Every node reachable from "/", breadth first (each after its parent,
 * children in their listed order), then the special nodes. */
static uint32_t put_tree(struct wbuf *b, const struct xsd_store *s)
{
    static const char *const specials[] = { XSD_SPECIAL_INTRODUCE, XSD_SPECIAL_RELEASE };
    size_t cap = s->nodes.count, head = 0, tail = 0;
    const struct xsd_node **q = malloc((cap ? cap : 1) * sizeof(*q));
    const struct xsd_node *n;
    char child[XSD_PATH_BUF];
    uint32_t count = 0;

    if (!q) {
        b->oom = true;
        return 0;
    }
    if ((n = xsd_store_get(s, "/")) && tail < cap)
        q[tail++] = n;
    while (head < tail) {
        n = q[head++];
        put_node(b, n);
        count++;
        for (uint32_t off = 0; off < n->clen; off += (uint32_t)strlen(n->children + off) + 1) {
            const struct xsd_node *c;
            int l = snprintf(child, sizeof(child), "%s/%s", strcmp(n->path, "/") ? n->path : "",
                             n->children + off);
            if (l < 0 || (size_t)l >= sizeof(child))
                continue;
            if ((c = xsd_store_get(s, child)) && tail < cap)
                q[tail++] = c;
        }
    }
    free(q);
    for (size_t i = 0; i < 2; i++)
        if ((n = xsd_store_get(s, specials[i]))) {
            put_node(b, n);
            count++;
        }
    return count;
}

static void put_watch(struct wbuf *b, const struct xsd_watch *w)
{
    put_str(b, w->path, strlen(w->path));
    put_str(b, w->token, strlen(w->token));
    put_u32(b, w->strip);
}

/* A domain's watches: those still waiting for its ring, then those of its
 * persisting connections, oldest first (a connection's list is newest
 * first). Returns the count. */
static uint32_t put_watches(struct wbuf *b, const struct xsd *d, const struct xsd_domain *dom)
{
    uint32_t count = 0;

    for (const struct xsd_watch *w = dom->saved_watches; w; w = w->next, count++)
        put_watch(b, w);
    for (const struct xsd_conn *c = d->conns; c; c = c->next) {
        if (!c->persist || c->dead || c->domid != dom->domid || !c->nwatches)
            continue;
        const struct xsd_watch **v = malloc(c->nwatches * sizeof(*v));
        uint32_t n = 0;
        if (!v) {
            b->oom = true;
            return count;
        }
        for (const struct xsd_watch *w = c->watches; w && n < c->nwatches; w = w->next)
            v[n++] = w;
        while (n) {
            put_watch(b, v[--n]);
            count++;
        }
        free(v);
    }
    return count;
}

static void set_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

int xsd_persist_encode(const struct xsd *d, uint8_t **out, size_t *len)
{
    struct wbuf b = { 0 };
    uint8_t hdr[XSD_STATE_HDR] = { 0 };
    size_t at;
    uint32_t ndoms = 0, crc;

    put(&b, hdr, sizeof(hdr));
    at = b.len;
    put_u32(&b, 0);
    uint32_t nnodes = put_tree(&b, &d->store);
    if (!b.oom)
        set_u32(b.p + at, nnodes);

    at = b.len;
    put_u32(&b, 0);
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++) {
        const struct xsd_domain *dom = d->doms[i];
        if (!dom)
            continue;
        put_u32(&b, dom->domid);
        put_u64(&b, dom->gfn);
        put_u32(&b, dom->evtchn);
        put_u32(&b, dom->target);
        size_t wat = b.len;
        put_u32(&b, 0);
        uint32_t nw = put_watches(&b, d, dom);
        if (!b.oom)
            set_u32(b.p + wat, nw);
        ndoms++;
    }
    if (b.oom) {
        free(b.p);
        return -XEN_ENOMEM;
    }
    set_u32(b.p + at, ndoms);

    uint64_t body = b.len - XSD_STATE_HDR;
    memcpy(b.p, XSD_STATE_MAGIC, 8);
    set_u32(b.p + 8, XSD_STATE_VERSION);
    set_u32(b.p + 12, 0);
    set_u32(b.p + 16, (uint32_t)body);
    set_u32(b.p + 20, (uint32_t)(body >> 32));
    set_u32(b.p + 24, 0);
    crc = xsd_crc32(0, b.p, 28);
    crc = xsd_crc32(crc, b.p + XSD_STATE_HDR, b.len - XSD_STATE_HDR);
    set_u32(b.p + 28, crc);
    *out = b.p;
    *len = b.len;
    return 0;
}

/* ------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------ */
struct rbuf {
    const uint8_t *p;
    size_t len, off;
    bool bad;
};

static bool take(struct rbuf *r, void *out, size_t n)
{
    if (r->bad || r->len - r->off < n) {
        r->bad = true;
        return false;
    }
    memcpy(out, r->p + r->off, n);
    r->off += n;
    return true;
}

static uint32_t get_u32(struct rbuf *r)
{
    uint8_t x[4] = { 0 };

    take(r, x, 4);
    return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
}

static uint64_t get_u64(struct rbuf *r)
{
    uint64_t lo = get_u32(r);

    return lo | (uint64_t)get_u32(r) << 32;
}

/* A length-prefixed byte string of at most max bytes: a pointer into the
 * buffer (NULL if the file is short or it is too long). */
static const char *get_bytes(struct rbuf *r, uint32_t max, uint32_t *n)
{
    const char *s;

    *n = get_u32(r);
    if (r->bad || *n > max || r->len - r->off < *n) {
        r->bad = true;
        return NULL;
    }
    s = (const char *)r->p + r->off;
    r->off += *n;
    return s;
}

/* A length-prefixed string without NULs into out (cap bytes, NUL added).
 * False if short, too long or holding a NUL. */
static bool get_str(struct rbuf *r, char *out, size_t cap)
{
    uint32_t n;
    const char *s = get_bytes(r, (uint32_t)(cap - 1), &n);

    if (!s || memchr(s, 0, n)) {
        r->bad = true;
        return false;
    }
    memcpy(out, s, n);
    out[n] = 0;
    return true;
}

struct loaded {
    struct xsd_store store;
    bool store_ok;
    struct xsd_domain **doms; /* DOMID_FIRST_RESERVED entries */
    uint32_t nnodes, ndoms, nwatches;
};

static void loaded_free(struct loaded *l)
{
    if (l->store_ok)
        xsd_store_fini(&l->store);
    if (l->doms) {
        for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
            xsd_domain_free(l->doms[i]);
        free(l->doms);
    }
}

#define FAIL(code, ...)                                                                      \
    do {                                                                                     \
        snprintf(why, cap, __VA_ARGS__);                                                     \
        return (code);                                                                       \
    } while (0)

/* Is `path` (NUL-ended) a canonical absolute path? */
static bool canonical(const char *path)
{
    char c[XSD_PATH_BUF];
    bool rel;

    return path[0] == '/' && xsd_path_canon(path, 0, false, c, &rel) == 0 && !rel &&
           !strcmp(c, path);
}

static int load_node(struct rbuf *r, struct loaded *l, uint32_t i, bool *seen, char *why,
                     size_t cap)
{
    char path[XSD_PATH_BUF];
    struct xsd_perm *perms;
    struct xsd_node *n;
    uint32_t np, vlen;
    const char *value;
    int special = -1;

    if (!get_str(r, path, sizeof(path)))
        FAIL(-XEN_EBADMSG, "node %u: truncated or bad path", i);
    if (!strcmp(path, XSD_SPECIAL_INTRODUCE))
        special = 1;
    else if (!strcmp(path, XSD_SPECIAL_RELEASE))
        special = 2;
    else if (!strcmp(path, "/"))
        special = 0;
    else if (!canonical(path))
        FAIL(-XEN_EBADMSG, "node %u: not a canonical path", i);
    if ((i == 0) != (special == 0))
        FAIL(-XEN_EBADMSG, "node %u: the first node must be \"/\", and only it", i);
    np = get_u32(r);
    if (r->bad || np == 0 || np > MAX_PERMS || (r->len - r->off) / 8 < np)
        FAIL(-XEN_EBADMSG, "node %s: bad permission count", path);
    perms = malloc(np * sizeof(*perms));
    if (!perms)
        FAIL(-XEN_ENOMEM, "out of memory");
    for (uint32_t k = 0; k < np; k++) {
        perms[k].id = get_u32(r);
        perms[k].perms = get_u32(r);
        if (perms[k].id >= XSD_DOMID_COUNT ||
            (perms[k].perms & ~(uint32_t)(XSD_PERM_READ | XSD_PERM_WRITE))) {
            free(perms);
            FAIL(-XEN_EBADMSG, "node %s: bad permission", path);
        }
    }
    value = get_bytes(r, XENSTORE_PAYLOAD_MAX, &vlen);
    if (!value) {
        free(perms);
        FAIL(-XEN_EBADMSG, "node %s: truncated or too long value", path);
    }
    n = xsd_node_new(path, perms, np);
    free(perms);
    if (!n || xsd_node_set_value(n, value, vlen) < 0) {
        xsd_node_free(n);
        FAIL(-XEN_ENOMEM, "out of memory");
    }
    if (special >= 0) {
        /* Replaces the fresh store's own node ("/" has no children yet:
         * it comes first). */
        if (seen[special]) {
            xsd_node_free(n);
            FAIL(-XEN_EBADMSG, "node %s: twice", path);
        }
        seen[special] = true;
        if (xsd_store_put(&l->store, n) < 0)
            FAIL(-XEN_ENOMEM, "out of memory");
        return 0;
    }
    if (xsd_store_get(&l->store, path)) {
        xsd_node_free(n);
        FAIL(-XEN_EBADMSG, "node %s: twice", path);
    }
    char parent[XSD_PATH_BUF];
    size_t pl = xsd_path_parent_len(path);
    memcpy(parent, path, pl);
    parent[pl] = 0;
    struct xsd_node *p = xsd_hash_get(&l->store.nodes, parent);
    if (!p) {
        xsd_node_free(n);
        FAIL(-XEN_EBADMSG, "node %s: comes before its parent", path);
    }
    if (xsd_store_put(&l->store, n) < 0 || xsd_node_add_child(p, xsd_path_leaf(path)) < 0)
        FAIL(-XEN_ENOMEM, "out of memory");
    return 0;
}

static int load_domain(struct rbuf *r, struct loaded *l, uint32_t i, char *why, size_t cap)
{
    struct xsd_domain *dom;
    struct xsd_watch **tail;
    uint32_t domid, nw;
    char home[32];
    size_t homelen;

    domid = get_u32(r);
    if (r->bad)
        FAIL(-XEN_EBADMSG, "domain %u: truncated", i);
    if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
        FAIL(-XEN_EBADMSG, "domain %u: bad domid %u", i, domid);
    if (l->doms[domid])
        FAIL(-XEN_EBADMSG, "domain %u: twice", domid);
    dom = calloc(1, sizeof(*dom));
    if (!dom)
        FAIL(-XEN_ENOMEM, "out of memory");
    l->doms[domid] = dom;
    dom->domid = domid;
    dom->gfn = get_u64(r);
    dom->evtchn = get_u32(r);
    dom->target = get_u32(r);
    nw = get_u32(r);
    if (r->bad)
        FAIL(-XEN_EBADMSG, "domain %u: truncated", domid);
    if (dom->evtchn >= XSD_DOMID_COUNT)
        FAIL(-XEN_EBADMSG, "domain %u: bad event channel", domid);
    if (dom->target != DOMID_INVALID && (dom->target >= DOMID_FIRST_RESERVED))
        FAIL(-XEN_EBADMSG, "domain %u: bad target", domid);
    if (nw > MAX_WATCHES)
        FAIL(-XEN_EBADMSG, "domain %u: too many watches", domid);
    homelen = xsd_domain_path(domid, home);
    tail = &dom->saved_watches;
    for (uint32_t k = 0; k < nw; k++) {
        char path[XSD_PATH_BUF], token[XENSTORE_PAYLOAD_MAX + 1];
        uint32_t strip;
        struct xsd_watch *w;

        if (!get_str(r, path, sizeof(path)) || !get_str(r, token, sizeof(token)))
            FAIL(-XEN_EBADMSG, "domain %u: watch %u: truncated or bad", domid, k);
        strip = get_u32(r);
        if (r->bad)
            FAIL(-XEN_EBADMSG, "domain %u: watch %u: truncated", domid, k);
        if (path[0] == '@' ? strlen(path) > XENSTORE_REL_PATH_MAX : !canonical(path))
            FAIL(-XEN_EBADMSG, "domain %u: watch %u: bad path", domid, k);
        /* A relative watch strips exactly the domain's home. */
        if (strip && (strip != homelen || path[0] == '@'))
            FAIL(-XEN_EBADMSG, "domain %u: watch %u: bad strip", domid, k);
        w = calloc(1, sizeof(*w));
        if (!w || !(w->path = strdup(path)) || !(w->token = strdup(token))) {
            if (w)
                free(w->path);
            free(w);
            FAIL(-XEN_ENOMEM, "out of memory");
        }
        w->strip = strip;
        *tail = w;
        tail = &w->next;
        l->nwatches++;
    }
    return 0;
}

static int decode(const uint8_t *p, size_t len, struct loaded *l, char *why, size_t cap)
{
    struct rbuf r = { p, len, XSD_STATE_HDR, false };
    bool seen[3] = { false, false, false };
    uint64_t body;
    uint32_t version, crc, nnodes, ndoms;
    int rc;

    if (len < XSD_STATE_HDR)
        FAIL(-XEN_EBADMSG, "truncated: %zu bytes, shorter than the header", len);
    if (memcmp(p, XSD_STATE_MAGIC, 8))
        FAIL(-XEN_EBADMSG, "not a pvxenstored state file (bad magic)");
    struct rbuf h = { p, XSD_STATE_HDR, 8, false };
    version = get_u32(&h);
    uint32_t flags = get_u32(&h);
    body = get_u64(&h);
    uint32_t reserved = get_u32(&h);
    crc = get_u32(&h);
    if (version != XSD_STATE_VERSION)
        FAIL(-XEN_EOPNOTSUPP, "unknown version %u (this daemon reads %u)", version,
             XSD_STATE_VERSION);
    if (flags || reserved)
        FAIL(-XEN_EOPNOTSUPP, "unknown flags %#x", flags | reserved);
    if (body != len - XSD_STATE_HDR)
        FAIL(-XEN_EBADMSG, "length: the header says %" PRIu64 " bytes of body, the file has %zu",
             body, len - XSD_STATE_HDR);
    uint32_t sum = xsd_crc32(xsd_crc32(0, p, 28), p + XSD_STATE_HDR, len - XSD_STATE_HDR);
    if (sum != crc)
        FAIL(-XEN_EBADMSG, "checksum mismatch (%#x, computed %#x)", crc, sum);

    if (xsd_store_init(&l->store) < 0)
        FAIL(-XEN_ENOMEM, "out of memory");
    l->store_ok = true;
    nnodes = get_u32(&r);
    if (r.bad)
        FAIL(-XEN_EBADMSG, "truncated before the node count");
    for (uint32_t i = 0; i < nnodes; i++)
        if ((rc = load_node(&r, l, i, seen, why, cap)) < 0)
            return rc;
    if (!seen[0])
        FAIL(-XEN_EBADMSG, "no root node");
    l->nnodes = nnodes;

    l->doms = calloc(DOMID_FIRST_RESERVED, sizeof(*l->doms));
    if (!l->doms)
        FAIL(-XEN_ENOMEM, "out of memory");
    ndoms = get_u32(&r);
    if (r.bad)
        FAIL(-XEN_EBADMSG, "truncated before the domain count");
    for (uint32_t i = 0; i < ndoms; i++)
        if ((rc = load_domain(&r, l, i, why, cap)) < 0)
            return rc;
    l->ndoms = ndoms;
    if (r.off != r.len)
        FAIL(-XEN_EBADMSG, "%zu bytes after the end", r.len - r.off);
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        if (l->doms[i] && l->doms[i]->target != DOMID_INVALID && !l->doms[l->doms[i]->target])
            FAIL(-XEN_EBADMSG, "domain %zu: its target %u is not introduced", i,
                 l->doms[i]->target);
    char what[256];
    if (xsd_store_check(&l->store, what, sizeof(what)))
        FAIL(-XEN_EBADMSG, "inconsistent tree: %s", what);
    return 0;
}

int xsd_persist_decode(struct xsd *d, const void *buf, size_t len, char *why, size_t cap)
{
    struct loaded l = { 0 };
    char none[1];
    int rc;

    if (!why || !cap) {
        why = none;
        cap = sizeof(none);
    }
    why[0] = 0;
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        if (d->doms[i])
            FAIL(-XEN_EBUSY, "domains are already introduced");
    for (const struct xsd_conn *c = d->conns; c; c = c->next)
        if (c->txns)
            FAIL(-XEN_EBUSY, "transactions are open");
    rc = decode(buf, len, &l, why, cap);
    if (rc < 0) {
        loaded_free(&l);
        return rc;
    }
    /* Take it all: nothing can fail from here. */
    xsd_store_fini(&d->store);
    d->store = l.store;
    l.store_ok = false;
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++) {
        if (!l.doms[i])
            continue;
        d->doms[i] = l.doms[i];
        d->doms[i]->restoring = true;
        l.doms[i] = NULL;
    }
    snprintf(why, cap, "%u nodes, %u domains, %u ring watches", l.nnodes, l.ndoms, l.nwatches);
    loaded_free(&l);
    return 0;
}

/* ------------------------------------------------------------------------
 * The file
 * ------------------------------------------------------------------------ */
static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -XEN_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsync the directory holding `path`, so the rename itself is durable. */
static void sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    int fd;

    if (n >= sizeof(dir))
        return;
    if (slash && n == 0)
        n = 1; /* "/state" */
    memcpy(dir, slash ? path : ".", slash ? n : 1);
    dir[slash ? n : 1] = 0;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int xsd_persist_save(const struct xsd *d, const char *path)
{
    char tmp[4200];
    uint8_t *buf;
    size_t len;
    int fd, rc;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        return -XEN_ENAMETOOLONG;
    if ((rc = xsd_persist_encode(d, &buf, &len)) < 0)
        return rc;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = -errno;
        free(buf);
        return rc;
    }
    rc = write_all(fd, buf, len);
    free(buf);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmp);
        return rc;
    }
    sync_dir(path);
    return 0;
}

/* Read the whole file: 0, or a negative errno with why set. */
static int read_file(const char *path, uint8_t **out, size_t *len, char *why, size_t cap)
{
    struct stat st;
    uint8_t *buf;
    size_t have = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        snprintf(why, cap, "stat: %s", strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = -XEN_EINVAL;
        snprintf(why, cap, "not a regular file");
    } else if ((uint64_t)st.st_size > XSD_STATE_MAX) {
        rc = -XEN_E2BIG;
        snprintf(why, cap, "%lld bytes: larger than %u", (long long)st.st_size, XSD_STATE_MAX);
    }
    if (rc < 0) {
        close(fd);
        return rc;
    }
    /* One byte more than its size: a file that grows is noticed. */
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        snprintf(why, cap, "out of memory");
        return -XEN_ENOMEM;
    }
    for (;;) {
        ssize_t n = read(fd, buf + have, (size_t)st.st_size + 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            snprintf(why, cap, "read: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        have += (size_t)n;
        if (have > (size_t)st.st_size) {
            rc = -XEN_EBADMSG;
            snprintf(why, cap, "changed while read");
            break;
        }
    }
    close(fd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = have;
    return 0;
}

int xsd_persist_load(struct xsd *d, const char *path)
{
    char why[512] = "", bad[4200], tmp[4200];
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    /* A save that a crash interrupted left its temporary file: the state
     * file itself is whole (the rename never happened). */
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) < sizeof(tmp))
        unlink(tmp);
    rc = read_file(path, &buf, &len, why, sizeof(why));
    if (rc == -XEN_ENOENT) {
        log_msg(LOG_INFO, "no saved state in %s: a fresh store", path);
        return 0;
    }
    if (rc == 0) {
        rc = xsd_persist_decode(d, buf, len, why, sizeof(why));
        free(buf);
        if (rc == 0) {
            log_msg(LOG_INFO, "restored %s from %s", why, path);
            return 1;
        }
    } else if (!why[0]) {
        snprintf(why, sizeof(why), "%s", strerror(-rc));
    }
    snprintf(bad, sizeof(bad), "%s.bad", path);
    if (rename(path, bad) == 0)
        log_msg(LOG_ERR, "refused the saved state %s: %s; moved it to %s; starting with a "
                "fresh store", path, why, bad);
    else
        log_msg(LOG_ERR, "refused the saved state %s: %s; could not move it to %s (%s); "
                "starting with a fresh store", path, why, bad, strerror(errno));
    return rc;
}

/* ------------------------------------------------------------------------
 * After a load
 * ------------------------------------------------------------------------ */
int xsd_persist_restore(struct xsd *d, bool last)
{
    int left = 0;
    bool released = false;

    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++) {
        struct xsd_domain *dom = d->doms[i];
        int r;

        if (!dom || !dom->restoring)
            continue;
        r = xsd_domain_attach(d, dom);
        if (r == 0) {
            dom->restoring = false;
            log_msg(LOG_INFO, "domain %u restored: its ring is served again", dom->domid);
        } else if (r == -XEN_ESRCH || r == -XEN_ENOENT || r == -XEN_ECONNREFUSED) {
            /* No such domain, or no pvhv at all (so no domains). */
            log_msg(LOG_INFO, "domain %u is gone (%s): released", dom->domid,
                    r == -XEN_ESRCH ? "pvhv no longer has it" : "pvhv is not running");
            xsd_domain_release(d, dom);
            released = true;
        } else if (!last) {
            left++;
        } else {
            dom->restoring = false;
            log_msg(LOG_WARN, "domain %u restored but its ring is not served (%s); an "
                    "INTRODUCE with the same page serves it", dom->domid, strerror(-r));
        }
    }
    if (released)
        xsd_watch_fire_special(d, XSD_SPECIAL_RELEASE);
    return left;
}

uint64_t xsd_persist_seq(const struct xsd *d)
{
    return d->changes + d->store.changes;
}
