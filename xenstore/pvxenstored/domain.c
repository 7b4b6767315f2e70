/* domain.c: the daemon state and its table of introduced domains. */
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

struct xsd *xsd_new(const struct xsd_quota *q)
{
    struct xsd *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    if (xsd_store_init(&d->store) < 0) {
        free(d);
        return NULL;
    }
    d->quota = *q;
    d->loop_fd = -1;
    return d;
}

void xsd_free(struct xsd *d)
{
    if (!d)
        return;
    while (d->conns)
        xsd_conn_free(d->conns);
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        xsd_domain_free(d->doms[i]);
    xsd_store_fini(&d->store);
    free(d);
}

struct xsd_domain *xsd_domain_find(struct xsd *d, uint32_t domid)
{
    return domid < DOMID_FIRST_RESERVED ? d->doms[domid] : NULL;
}

void xsd_domain_free(struct xsd_domain *dom)
{
    if (!dom)
        return;
    while (dom->saved_watches) {
        struct xsd_watch *w = dom->saved_watches;
        dom->saved_watches = w->next;
        free(w->path);
        free(w->token);
        free(w);
    }
    free(dom);
}

int xsd_domain_attach(struct xsd *d, struct xsd_domain *dom)
{
    struct xsd_conn *c;
    int r;

    dom->ring_served = false;
    if (!d->ring)
        return -XEN_ENODEV;
    r = d->ring->attach(d, dom);
    if (r < 0)
        return r;
    dom->ring_served = true;
    if (!dom->saved_watches)
        return 0;
    /* The connection attach() just made: the newest (conns are pushed at
     * the head) live persisting one for this domain. */
    for (c = d->conns; c; c = c->next)
        if (c->persist && !c->dead && c->domid == dom->domid)
            break;
    if (!c) {
        log_msg(LOG_WARN, "domain %u: its ring has no connection to restore watches on",
                dom->domid);
        return 0;
    }
    while (dom->saved_watches && !c->dead) {
        struct xsd_watch *w = dom->saved_watches;
        dom->saved_watches = w->next;
        r = xsd_watch_add(c, w->path, w->token, w->strip);
        /* Fire once, as a new watch does: whatever changed while the old
         * daemon's last moments went unsaved, the guest looks again. */
        if (r == 0)
            xsd_watch_send(c, c->watches, c->watches->path);
        else if (r != -XEN_EEXIST)
            log_msg(LOG_WARN, "domain %u: restored watch lost: out of memory", dom->domid);
        free(w->path);
        free(w->token);
        free(w);
    }
    return 0;
}

void xsd_domain_release(struct xsd *d, struct xsd_domain *dom)
{
    uint32_t domid = dom->domid;

    for (struct xsd_conn *c = d->conns; c; c = c->next)
        if (c->domid == domid)
            xsd_conn_kill(c, "domain released");
    if (dom->ring_served && d->ring)
        d->ring->detach(d, dom);
    /* Domains acting for this one lose their target. */
    for (size_t i = 0; i < DOMID_FIRST_RESERVED; i++)
        if (d->doms[i] && d->doms[i]->target == domid)
            d->doms[i]->target = DOMID_INVALID;
    d->doms[domid] = NULL;
    xsd_domain_free(dom);
    d->changes++;
    log_msg(LOG_INFO, "domain %u released", domid);
}

int xsd_domid_parse(const char *s, uint32_t *domid)
{
    uint32_t v = 0;

    if (!*s)
        return -XEN_EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -XEN_EINVAL;
        v = v * 10 + (uint32_t)(*s - '0');
        if (v >= XSD_DOMID_COUNT)
            return -XEN_EINVAL;
    }
    *domid = v;
    return 0;
}
