/* hash.c: a chained hash map from borrowed C strings to pointers. */
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

/* FNV-1a: short keys, no adversary can pick a colliding set cheaply enough
 * to matter at the node quota, and chains stay short at load <= 1. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
    return h;
}

static struct xsd_hash_ent *find(const struct xsd_hash *h, const char *key, uint64_t hv)
{
    if (!h->nbuckets)
        return NULL;
    for (struct xsd_hash_ent *e = h->buckets[hv & (h->nbuckets - 1)]; e; e = e->next)
        if (e->hash == hv && !strcmp(e->key, key))
            return e;
    return NULL;
}

void *xsd_hash_get(const struct xsd_hash *h, const char *key)
{
    struct xsd_hash_ent *e = find(h, key, hash_str(key));

    return e ? e->val : NULL;
}

static int grow(struct xsd_hash *h)
{
    size_t n = h->nbuckets ? h->nbuckets * 2 : 16;
    struct xsd_hash_ent **b = calloc(n, sizeof(*b));

    if (!b)
        return -XEN_ENOMEM;
    for (size_t i = 0; i < h->nbuckets; i++) {
        struct xsd_hash_ent *e = h->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(h->buckets);
    h->buckets = b;
    h->nbuckets = n;
    return 0;
}

int xsd_hash_put(struct xsd_hash *h, const char *key, void *val, void **old)
{
    uint64_t hv = hash_str(key);
    struct xsd_hash_ent *e = find(h, key, hv);

    if (old)
        *old = NULL;
    if (e) {
        if (old)
            *old = e->val;
        e->key = key;
        e->val = val;
        return 0;
    }
    if (h->count >= h->nbuckets && grow(h) < 0)
        return -XEN_ENOMEM;
    e = malloc(sizeof(*e));
    if (!e)
        return -XEN_ENOMEM;
    e->hash = hv;
    e->key = key;
    e->val = val;
    e->next = h->buckets[hv & (h->nbuckets - 1)];
    h->buckets[hv & (h->nbuckets - 1)] = e;
    h->count++;
    return 0;
}

void *xsd_hash_del(struct xsd_hash *h, const char *key)
{
    uint64_t hv = hash_str(key);

    if (!h->nbuckets)
        return NULL;
    for (struct xsd_hash_ent **p = &h->buckets[hv & (h->nbuckets - 1)]; *p; p = &(*p)->next) {
        struct xsd_hash_ent *e = *p;
        if (e->hash == hv && !strcmp(e->key, key)) {
            void *val = e->val;
            *p = e->next;
            free(e);
            h->count--;
            return val;
        }
    }
    return NULL;
}

void xsd_hash_each(const struct xsd_hash *h, void (*fn)(void *val, void *arg), void *arg)
{
    for (size_t i = 0; i < h->nbuckets; i++)
        for (struct xsd_hash_ent *e = h->buckets[i]; e; e = e->next)
            fn(e->val, arg);
}

void xsd_hash_fini(struct xsd_hash *h)
{
    for (size_t i = 0; i < h->nbuckets; i++) {
        struct xsd_hash_ent *e = h->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(h->buckets);
    memset(h, 0, sizeof(*h));
}
