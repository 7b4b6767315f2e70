/* txn.c: transactions: start, commit with conflict detection, abort. */
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

struct xsd_txn *xsd_txn_start(struct xsd_conn *c)
{
    struct xsd_txn *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->conn = c;
    /* Ids are per connection; 0 means "no transaction". */
    do {
        t->id = ++c->next_txid;
    } while (t->id == 0 || xsd_txn_find(c, t->id));
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    return t;
}

struct xsd_txn *xsd_txn_find(struct xsd_conn *c, uint32_t id)
{
    for (struct xsd_txn *t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

static void free_ent(void *val, void *arg)
{
    struct xsd_txn_ent *e = val;

    (void)arg;
    if (e->modified)
        xsd_node_free(e->node);
    free(e->path);
    free(e);
}

struct check {
    const struct xsd_store *s;
    bool conflict;
};

static void check_ent(void *val, void *arg)
{
    const struct xsd_txn_ent *e = val;
    struct check *k = arg;
    const struct xsd_node *n = xsd_store_get(k->s, e->path);

    if ((n ? n->gen : 0) != e->base_gen)
        k->conflict = true;
}

struct apply {
    struct xsd_store *s;
    int err;
};

static void apply_ent(void *val, void *arg)
{
    struct xsd_txn_ent *e = val;
    struct apply *a = arg;

    if (!e->modified)
        return;
    if (e->node) {
        if (xsd_store_put(a->s, e->node) < 0)
            a->err = -XEN_ENOMEM;
    } else {
        xsd_store_del(a->s, e->path);
    }
    e->modified = false; /* the store owns the node now */
    e->node = NULL;
}

int xsd_txn_end(struct xsd_txn *t, bool commit)
{
    struct xsd_conn *c = t->conn;
    struct xsd *d = c->d;
    int rc = 0;

    if (commit) {
        struct check k = { &d->store, false };
        xsd_hash_each(&t->ents, check_ent, &k);
        if (t->oom) {
            rc = -XEN_ENOMEM;
        } else if (k.conflict) {
            rc = -XEN_EAGAIN;
        } else if (!xsd_conn_priv(c) &&
                   (int64_t)d->store.owned[c->domid] + t->own_delta > d->quota.nodes &&
                   t->own_delta > 0) {
            rc = -XEN_ENOSPC;
        } else {
            struct apply a = { &d->store, 0 };
            xsd_hash_each(&t->ents, apply_ent, &a);
            if (a.err)
                log_msg(LOG_ERR, "out of memory committing a transaction of "
                        "connection %u: the tree may be inconsistent", c->id);
            for (size_t i = 0; i < t->nevents; i++)
                xsd_watch_fire(d, NULL, t->events[i].path, t->events[i].exact,
                               t->events[i].old, t->events[i].nold);
        }
    }
    /* Unlink and free. */
    for (struct xsd_txn **p = &c->txns; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    c->ntxns--;
    xsd_hash_each(&t->ents, free_ent, NULL);
    xsd_hash_fini(&t->ents);
    for (size_t i = 0; i < t->nevents; i++) {
        free(t->events[i].path);
        free(t->events[i].old);
    }
    free(t->events);
    free(t);
    return rc;
}
