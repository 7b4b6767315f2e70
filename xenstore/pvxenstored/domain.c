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
        free(d->doms[i]);
    xsd_store_fini(&d->store);
    free(d);
}

struct xsd_domain *xsd_domain_find(struct xsd *d, uint32_t domid)
{
    return domid < DOMID_FIRST_RESERVED ? d->doms[domid] : NULL;
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
