/* view.c: what a request sees: the committed store, or a transaction's
 * private changes over it with every access recorded. */
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

/* The transaction's entry for `path`, created (recording the committed
 * generation) on first access. NULL on allocation failure. */
static struct xsd_txn_ent *txn_ent(struct xsd_txn *t, const struct xsd_store *s,
                                   const char *path)
{
    struct xsd_txn_ent *e = xsd_hash_get(&t->ents, path);
    const struct xsd_node *n;

    if (e)
        return e;
    e = calloc(1, sizeof(*e));
    if (!e || !(e->path = strdup(path))) {
        free(e);
        return NULL;
    }
    n = xsd_store_get(s, path);
    e->base_gen = n ? n->gen : 0;
    if (xsd_hash_put(&t->ents, e->path, e, NULL) < 0) {
        free(e->path);
        free(e);
        return NULL;
    }
    return e;
}

const struct xsd_node *xsd_view_get(const struct xsd_view *v, const char *path)
{
    struct xsd_txn_ent *e;

    if (!v->t)
        return xsd_store_get(v->s, path);
    e = txn_ent(v->t, v->s, path);
    /* Out of memory: the read is not recorded, so make the commit fail
     * rather than risk a missed conflict. */
    if (!e) {
        v->t->oom = true;
        return xsd_store_get(v->s, path);
    }
    return e->modified ? e->node : xsd_store_get(v->s, path);
}

/* Owner of what the transaction currently sees at e, or -1 if nothing. */
static int64_t seen_owner(const struct xsd_view *v, const struct xsd_txn_ent *e)
{
    const struct xsd_node *n = e->modified ? e->node : xsd_store_get(v->s, e->path);

    return n ? (int64_t)n->perms[0].id : -1;
}

static int txn_set(const struct xsd_view *v, const char *path, struct xsd_node *n)
{
    struct xsd_txn *t = v->t;
    struct xsd_txn_ent *e = txn_ent(t, v->s, path);
    uint32_t me = t->conn->domid;

    if (!e) {
        xsd_node_free(n);
        return -XEN_ENOMEM;
    }
    if (seen_owner(v, e) == (int64_t)me)
        t->own_delta--;
    if (n && n->perms[0].id == me)
        t->own_delta++;
    if (e->modified)
        xsd_node_free(e->node);
    e->modified = true;
    e->node = n;
    /* A fresh generation, so DIRECTORY_PART inside the transaction sees
     * the change too. */
    if (n)
        n->gen = ++v->s->gen;
    return 0;
}

int xsd_view_put(const struct xsd_view *v, struct xsd_node *n)
{
    return v->t ? txn_set(v, n->path, n) : xsd_store_put(v->s, n);
}

int xsd_view_del(const struct xsd_view *v, const char *path)
{
    if (v->t)
        return txn_set(v, path, NULL);
    xsd_store_del(v->s, path);
    return 0;
}

uint32_t xsd_view_owned(const struct xsd_view *v, uint32_t domid)
{
    int64_t n = v->s->owned[domid];

    if (v->t && v->t->conn->domid == domid)
        n += v->t->own_delta;
    return n < 0 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}
