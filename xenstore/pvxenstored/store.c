/* store.c: nodes and the committed tree, keyed by path, with per-owner
 * node counts for the quota. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

struct xsd_node *xsd_node_new(const char *path, const struct xsd_perm *perms, uint32_t nperms)
{
    struct xsd_node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->path = strdup(path);
    n->perms = malloc(nperms * sizeof(*perms));
    if (!n->path || !n->perms) {
        xsd_node_free(n);
        return NULL;
    }
    memcpy(n->perms, perms, nperms * sizeof(*perms));
    n->nperms = nperms;
    return n;
}

struct xsd_node *xsd_node_dup(const struct xsd_node *o)
{
    struct xsd_node *n = xsd_node_new(o->path, o->perms, o->nperms);

    if (!n)
        return NULL;
    n->gen = o->gen;
    if (xsd_node_set_value(n, o->value, o->vlen) < 0 ||
        (o->clen && !(n->children = malloc(o->clen)))) {
        xsd_node_free(n);
        return NULL;
    }
    if (o->clen)
        memcpy(n->children, o->children, o->clen);
    n->clen = o->clen;
    return n;
}

void xsd_node_free(struct xsd_node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->perms);
    free(n->value);
    free(n->children);
    free(n);
}

int xsd_node_set_value(struct xsd_node *n, const void *v, uint32_t len)
{
    char *copy = NULL;

    if (len) {
        copy = malloc(len);
        if (!copy)
            return -XEN_ENOMEM;
        memcpy(copy, v, len);
    }
    free(n->value);
    n->value = copy;
    n->vlen = len;
    return 0;
}

int xsd_node_set_perms(struct xsd_node *n, const struct xsd_perm *p, uint32_t np)
{
    struct xsd_perm *copy = malloc(np * sizeof(*p));

    if (!copy)
        return -XEN_ENOMEM;
    memcpy(copy, p, np * sizeof(*p));
    free(n->perms);
    n->perms = copy;
    n->nperms = np;
    return 0;
}

int xsd_node_add_child(struct xsd_node *n, const char *leaf)
{
    size_t len = strlen(leaf) + 1;
    char *c = realloc(n->children, n->clen + len);

    if (!c)
        return -XEN_ENOMEM;
    memcpy(c + n->clen, leaf, len);
    n->children = c;
    n->clen += (uint32_t)len;
    return 0;
}

void xsd_node_del_child(struct xsd_node *n, const char *leaf)
{
    for (uint32_t off = 0; off < n->clen;) {
        size_t len = strlen(n->children + off) + 1;
        if (!strcmp(n->children + off, leaf)) {
            memmove(n->children + off, n->children + off + len, n->clen - off - len);
            n->clen -= (uint32_t)len;
            return;
        }
        off += (uint32_t)len;
    }
}

int xsd_store_init(struct xsd_store *s)
{
    static const struct xsd_perm dom0_only = { 0, XSD_PERM_NONE };
    static const char *const initial[] = { "/", XSD_SPECIAL_INTRODUCE, XSD_SPECIAL_RELEASE };

    memset(s, 0, sizeof(*s));
    s->owned = calloc(XSD_DOMID_COUNT, sizeof(*s->owned));
    if (!s->owned)
        return -XEN_ENOMEM;
    for (size_t i = 0; i < 3; i++) {
        struct xsd_node *n = xsd_node_new(initial[i], &dom0_only, 1);
        if (!n || xsd_store_put(s, n) < 0) {
            xsd_store_fini(s);
            return -XEN_ENOMEM;
        }
    }
    return 0;
}

static void free_node(void *n, void *arg)
{
    (void)arg;
    xsd_node_free(n);
}

void xsd_store_fini(struct xsd_store *s)
{
    xsd_hash_each(&s->nodes, free_node, NULL);
    xsd_hash_fini(&s->nodes);
    free(s->owned);
    s->owned = NULL;
}

const struct xsd_node *xsd_store_get(const struct xsd_store *s, const char *path)
{
    return xsd_hash_get(&s->nodes, path);
}

int xsd_store_put(struct xsd_store *s, struct xsd_node *n)
{
    void *old;

    if (xsd_hash_put(&s->nodes, n->path, n, &old) < 0) {
        xsd_node_free(n);
        return -XEN_ENOMEM;
    }
    n->gen = ++s->gen;
    s->changes++;
    s->owned[n->perms[0].id]++;
    if (old) {
        s->owned[((struct xsd_node *)old)->perms[0].id]--;
        xsd_node_free(old);
    }
    return 0;
}

void xsd_store_del(struct xsd_store *s, const char *path)
{
    struct xsd_node *n = xsd_hash_del(&s->nodes, path);

    if (n) {
        s->changes++;
        s->owned[n->perms[0].id]--;
        xsd_node_free(n);
    }
}

struct check_ctx {
    const struct xsd_store *s;
    uint32_t *count;
    int problems;
    char *why;
    size_t cap;
};

static void problem(struct check_ctx *k, const char *what, const char *path)
{
    if (!k->problems++)
        snprintf(k->why, k->cap, "%s: %s", what, path);
}

static void check_node(void *val, void *arg)
{
    const struct xsd_node *n = val;
    struct check_ctx *k = arg;
    char parent[XSD_PATH_BUF], child[XSD_PATH_BUF];

    k->count[n->perms[0].id]++;
    if (n->path[0] == '@')
        return;
    if (strcmp(n->path, "/")) {
        size_t pl = xsd_path_parent_len(n->path);
        const struct xsd_node *p;
        memcpy(parent, n->path, pl);
        parent[pl] = 0;
        p = xsd_store_get(k->s, parent);
        if (!p)
            problem(k, "node without parent", n->path);
        else {
            bool listed = false;
            for (uint32_t off = 0; off < p->clen; off += (uint32_t)strlen(p->children + off) + 1)
                listed |= !strcmp(p->children + off, xsd_path_leaf(n->path));
            if (!listed)
                problem(k, "node not listed by its parent", n->path);
        }
    }
    for (uint32_t off = 0; off < n->clen; off += (uint32_t)strlen(n->children + off) + 1) {
        snprintf(child, sizeof(child), "%s/%s", strcmp(n->path, "/") ? n->path : "",
                 n->children + off);
        if (!xsd_store_get(k->s, child))
            problem(k, "listed child missing", child);
    }
}

int xsd_store_check(const struct xsd_store *s, char *why, size_t cap)
{
    struct check_ctx k = { s, calloc(XSD_DOMID_COUNT, sizeof(uint32_t)), 0, why, cap };

    why[0] = 0;
    if (!k.count) {
        snprintf(why, cap, "out of memory");
        return 1;
    }
    xsd_hash_each(&s->nodes, check_node, &k);
    for (uint32_t d = 0; d < XSD_DOMID_COUNT; d++)
        if (k.count[d] != s->owned[d]) {
            if (!k.problems++)
                snprintf(why, cap, "domain %u owns %u nodes, counted %u", d, k.count[d],
                         s->owned[d]);
        }
    free(k.count);
    return k.problems;
}
