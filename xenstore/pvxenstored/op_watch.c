/* op_watch.c: WATCH, UNWATCH, RESET_WATCHES. */
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

/* The watch path as stored: canonical, or "@..." as given. *strip is what
 * to cut from event paths for a relative watch. */
static int watch_path(struct xsd_req *r, const char *in, char *out, uint32_t *strip)
{
    bool relative;
    char home[32];

    *strip = 0;
    if (in[0] == '@') {
        /* Special watches may have any name; only two ever fire. */
        if (strlen(in) > XENSTORE_REL_PATH_MAX)
            return -XEN_EINVAL;
        strcpy(out, in);
        return 0;
    }
    if (xsd_path_canon(in, r->c->domid, false, out, &relative) < 0)
        return -XEN_EINVAL;
    if (relative)
        *strip = (uint32_t)xsd_domain_path(r->c->domid, home);
    return 0;
}

int xsd_op_watch(struct xsd_req *r)
{
    const char *v[2];
    char path[XSD_PATH_BUF];
    uint32_t strip;
    struct xsd_domain *dom;
    int rc;

    if (xsd_req_strings(r, v, 2) < 2 || watch_path(r, v[0], path, &strip) < 0)
        return -XEN_EINVAL;
    dom = xsd_domain_find(r->d, r->c->domid);
    if (!xsd_conn_priv(r->c) && dom && dom->nwatches >= r->d->quota.watches)
        return -XEN_E2BIG;
    if ((rc = xsd_watch_add(r->c, path, v[1], strip)) < 0)
        return rc;
    if ((rc = xsd_reply_str(r, "OK")) < 0)
        return rc;
    /* A new watch fires once at once, so a client need not read first. */
    xsd_watch_send(r->c, r->c->watches, path);
    return 0;
}

int xsd_op_unwatch(struct xsd_req *r)
{
    const char *v[2];
    char path[XSD_PATH_BUF];
    uint32_t strip;
    int rc;

    if (xsd_req_strings(r, v, 2) < 2 || watch_path(r, v[0], path, &strip) < 0)
        return -XEN_EINVAL;
    if ((rc = xsd_watch_del(r->c, path, v[1])) < 0)
        return rc;
    return xsd_reply_str(r, "OK");
}

int xsd_op_reset_watches(struct xsd_req *r)
{
    xsd_conn_drop_watches(r->c);
    xsd_conn_drop_txns(r->c);
    return xsd_reply_str(r, "OK");
}
