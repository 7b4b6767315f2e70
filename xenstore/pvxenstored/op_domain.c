/* op_domain.c: INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED, GET_DOMAIN_PATH,
 * RESUME, SET_TARGET. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

/* One domid argument (the whole payload). */
static int one_domid(const struct xsd_req *r, uint32_t *domid)
{
    const char *arg = xsd_req_onearg(r);

    return arg ? xsd_domid_parse(arg, domid) : -XEN_EINVAL;
}

int xsd_op_introduce(struct xsd_req *r)
{
    const char *v[3];
    uint32_t domid, evtchn;
    long long gfn;
    char *end;
    struct xsd_domain *dom;

    if (xsd_req_strings(r, v, 3) < 3 || xsd_domid_parse(v[0], &domid) < 0 ||
        domid == 0 || domid >= DOMID_FIRST_RESERVED || xsd_domid_parse(v[2], &evtchn) < 0)
        return -XEN_EINVAL;
    /* Xen sends the frame number signed. */
    gfn = strtoll(v[1], &end, 10);
    if (!*v[1] || *end)
        return -XEN_EINVAL;
    dom = xsd_domain_find(r->d, domid);
    if (dom) {
        /* Introducing again with the same page re-binds the event channel. */
        if (dom->gfn != (uint64_t)gfn)
            return -XEN_EINVAL;
        dom->evtchn = evtchn;
        r->d->changes++;
        if (r->d->ring) {
            if (dom->ring_served)
                r->d->ring->detach(r->d, dom);
            xsd_domain_attach(r->d, dom);
        }
        return xsd_reply_str(r, "OK");
    }
    dom = calloc(1, sizeof(*dom));
    if (!dom)
        return -XEN_ENOMEM;
    dom->domid = domid;
    dom->gfn = (uint64_t)gfn;
    dom->evtchn = evtchn;
    dom->target = DOMID_INVALID;
    r->d->doms[domid] = dom;
    r->d->changes++;
    if (r->d->ring && xsd_domain_attach(r->d, dom) == 0) {
        log_msg(LOG_INFO, "domain %u introduced, ring at gfn %#" PRIx64 " event channel %u",
                domid, dom->gfn, evtchn);
    } else {
        log_msg(LOG_WARN, "domain %u introduced (gfn %#" PRIx64 ", event channel %u), "
                "but its ring is not served (see above). Its permissions and quotas apply "
                "to connections bound to it with CONTROL act-as", domid, dom->gfn, evtchn);
    }
    xsd_watch_fire_special(r->d, XSD_SPECIAL_INTRODUCE);
    return xsd_reply_str(r, "OK");
}

int xsd_op_release(struct xsd_req *r)
{
    struct xsd_domain *dom;
    uint32_t domid;

    if (one_domid(r, &domid) < 0 || domid == 0)
        return -XEN_EINVAL;
    if (!(dom = xsd_domain_find(r->d, domid)))
        return -XEN_ENOENT;
    xsd_domain_release(r->d, dom);
    xsd_watch_fire_special(r->d, XSD_SPECIAL_RELEASE);
    return xsd_reply_str(r, "OK");
}

int xsd_op_is_domain_introduced(struct xsd_req *r)
{
    uint32_t domid;

    if (one_domid(r, &domid) < 0)
        return -XEN_EINVAL;
    /* Dom0 is always there. */
    return xsd_reply_str(r, domid == 0 || xsd_domain_find(r->d, domid) ? "T" : "F");
}

int xsd_op_get_domain_path(struct xsd_req *r)
{
    uint32_t domid;
    char buf[32];

    if (one_domid(r, &domid) < 0)
        return -XEN_EINVAL;
    xsd_domain_path(domid, buf);
    return xsd_reply_str(r, buf);
}

int xsd_op_resume(struct xsd_req *r)
{
    uint32_t domid;

    if (one_domid(r, &domid) < 0)
        return -XEN_EINVAL;
    /* No shutdown state is tracked yet (pvhv tells xenstore nothing of
     * shutdowns), so there is nothing to re-arm. */
    return xsd_domain_find(r->d, domid) ? xsd_reply_str(r, "OK") : -XEN_ENOENT;
}

int xsd_op_set_target(struct xsd_req *r)
{
    const char *v[2];
    uint32_t domid, target;
    struct xsd_domain *dom;

    if (xsd_req_strings(r, v, 2) != 2 || xsd_domid_parse(v[0], &domid) < 0 ||
        xsd_domid_parse(v[1], &target) < 0)
        return -XEN_EINVAL;
    dom = xsd_domain_find(r->d, domid);
    if (!dom || !xsd_domain_find(r->d, target))
        return -XEN_ENOENT;
    dom->target = target;
    r->d->changes++;
    return xsd_reply_str(r, "OK");
}
