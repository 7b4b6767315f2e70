/* watch.c: watches: add, remove, and fire events with Xen's matching and
 * permission rules. */
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

int xsd_watch_add(struct xsd_conn *c, const char *path, const char *token, uint32_t strip)
{
    struct xsd_watch *w;

    for (w = c->watches; w; w = w->next)
        if (!strcmp(w->path, path) && !strcmp(w->token, token))
            return -XEN_EEXIST;
    w = calloc(1, sizeof(*w));
    if (!w || !(w->path = strdup(path)) || !(w->token = strdup(token))) {
        if (w)
            free(w->path);
        free(w);
        return -XEN_ENOMEM;
    }
    w->strip = strip;
    w->next = c->watches;
    c->watches = w;
    c->nwatches++;
    if (c->persist)
        c->d->changes++;
    struct xsd_domain *dom = xsd_domain_find(c->d, c->domid);
    if (dom && !xsd_conn_priv(c))
        dom->nwatches++;
    return 0;
}

static void watch_free(struct xsd_conn *c, struct xsd_watch *w)
{
    struct xsd_domain *dom = xsd_domain_find(c->d, c->domid);

    if (dom && !xsd_conn_priv(c) && dom->nwatches)
        dom->nwatches--;
    c->nwatches--;
    if (c->persist)
        c->d->changes++;
    free(w->path);
    free(w->token);
    free(w);
}

int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token)
{
    for (struct xsd_watch **p = &c->watches; *p; p = &(*p)->next) {
        struct xsd_watch *w = *p;
        if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
            *p = w->next;
            watch_free(c, w);
            return 0;
        }
    }
    return -XEN_ENOENT;
}

void xsd_conn_drop_watches(struct xsd_conn *c)
{
    while (c->watches) {
        struct xsd_watch *w = c->watches;
        c->watches = w->next;
        watch_free(c, w);
    }
}

void xsd_watch_send(struct xsd_conn *c, const struct xsd_watch *w, const char *path)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t plen, tlen;

    if (w->strip) {
        /* Relative watch: the event path is relative too ("" for the
         * home directory itself). */
        path += strlen(path) >= w->strip ? w->strip : strlen(path);
        if (*path == '/')
            path++;
    }
    plen = strlen(path) + 1;
    tlen = strlen(w->token) + 1;
    if (plen + tlen > sizeof(buf))
        return; /* as Xen: an event too long for one message is not sent */
    if (!xsd_conn_priv(c) && c->out_events >= XSD_EVENTS_MAX) {
        if (!c->events_dropped)
            log_msg(LOG_WARN, "connection %u (domain %u) reads no watch events: "
                    "dropping them", c->id, c->domid);
        c->events_dropped = true;
        return;
    }
    if (xsd_conn_priv(c) && c->out_bytes >= XSD_OUT_KILL_BYTES) {
        xsd_conn_kill(c, "reads nothing back (output queue full)");
        return;
    }
    memcpy(buf, path, plen);
    memcpy(buf + plen, w->token, tlen);
    if (xsd_conn_send(c, XS_WATCH_EVENT, 0, 0, buf, (uint32_t)(plen + tlen), false) < 0)
        log_msg(LOG_WARN, "out of memory: watch event for connection %u lost", c->id);
}

/* May connection c hear of a change to `path`? If it could read the node
 * before (old), can read it now, or can read its parent. */
static bool permitted(struct xsd_conn *c, const char *path, const struct xsd_perm *old,
                      uint32_t nold)
{
    const struct xsd_node *n;
    char parent[XSD_PATH_BUF];
    size_t pl;

    if (xsd_conn_priv(c))
        return true;
    if (old && (xsd_perm_for(c, old, nold) & XSD_PERM_READ))
        return true;
    n = xsd_store_get(&c->d->store, path);
    if (n && (xsd_perm_for(c, n->perms, n->nperms) & XSD_PERM_READ))
        return true;
    if (!strcmp(path, "/"))
        return false;
    pl = xsd_path_parent_len(path);
    memcpy(parent, path, pl);
    parent[pl] = 0;
    n = xsd_store_get(&c->d->store, parent);
    return n && (xsd_perm_for(c, n->perms, n->nperms) & XSD_PERM_READ);
}

static int queue_event(struct xsd_txn *t, const char *path, bool exact,
                       const struct xsd_perm *old, uint32_t nold)
{
    struct xsd_event *ev;

    if (t->nevents == t->cap_events) {
        size_t cap = t->cap_events ? t->cap_events * 2 : 8;
        struct xsd_event *e = realloc(t->events, cap * sizeof(*e));
        if (!e)
            return -XEN_ENOMEM;
        t->events = e;
        t->cap_events = cap;
    }
    ev = &t->events[t->nevents];
    memset(ev, 0, sizeof(*ev));
    ev->path = strdup(path);
    if (old && (ev->old = malloc(nold * sizeof(*old))))
        memcpy(ev->old, old, nold * sizeof(*old));
    if (!ev->path || (old && !ev->old)) {
        free(ev->path);
        free(ev->old);
        return -XEN_ENOMEM;
    }
    ev->nold = old ? nold : 0;
    ev->exact = exact;
    t->nevents++;
    return 0;
}

int xsd_watch_fire(struct xsd *d, struct xsd_txn *t, const char *path, bool exact,
                   const struct xsd_perm *old, uint32_t nold)
{
    if (t)
        return queue_event(t, path, exact, old, nold);
    for (struct xsd_conn *c = d->conns; c; c = c->next) {
        if (c->dead)
            continue;
        for (struct xsd_watch *w = c->watches; w; w = w->next) {
            bool match = exact ? !strcmp(path, w->path) : xsd_path_is_child(path, w->path);
            if (match && permitted(c, path, old, nold))
                xsd_watch_send(c, w, path);
            if (c->dead) /* killed for not reading: its watches are gone */
                break;
        }
    }
    return 0;
}

void xsd_watch_fire_special(struct xsd *d, const char *special)
{
    const struct xsd_node *n = xsd_store_get(&d->store, special);

    for (struct xsd_conn *c = d->conns; c; c = c->next) {
        if (c->dead)
            continue;
        if (!xsd_conn_priv(c) && !(n && (xsd_perm_for(c, n->perms, n->nperms) & XSD_PERM_READ)))
            continue;
        for (struct xsd_watch *w = c->watches; w && !c->dead; w = c->dead ? NULL : w->next)
            if (!strcmp(w->path, special))
                xsd_watch_send(c, w, special);
    }
}
