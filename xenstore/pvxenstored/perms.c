/* perms.c: xenstore permission strings and who may do what to a node. */
#include <stdio.h>

#include <pvhv/errno.h>

#include "xsd.h"

int xsd_perm_parse(const char *s, struct xsd_perm *p)
{
    uint32_t id = 0;
    const char *d;

    switch (s[0]) {
    case 'n': p->perms = XSD_PERM_NONE; break;
    case 'r': p->perms = XSD_PERM_READ; break;
    case 'w': p->perms = XSD_PERM_WRITE; break;
    case 'b': p->perms = XSD_PERM_READ | XSD_PERM_WRITE; break;
    default: return -XEN_EINVAL;
    }
    for (d = s + 1; *d >= '0' && *d <= '9'; d++) {
        id = id * 10 + (uint32_t)(*d - '0');
        if (id >= XSD_DOMID_COUNT)
            return -XEN_EINVAL;
    }
    if (d == s + 1 || *d)
        return -XEN_EINVAL;
    p->id = id;
    return 0;
}

size_t xsd_perm_format(const struct xsd_perm *p, char *buf)
{
    static const char letters[] = "nrwb";

    return (size_t)sprintf(buf, "%c%u", letters[p->perms & 3], (unsigned)(p->id & 0xffff));
}

uint32_t xsd_perm_for(const struct xsd_conn *c, const struct xsd_perm *perms, uint32_t nperms)
{
    const uint32_t all = XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;
    const struct xsd_domain *dom;
    uint32_t target = DOMID_INVALID;

    if (xsd_conn_priv(c))
        return all;
    dom = xsd_domain_find(c->d, c->domid);
    if (dom)
        target = dom->target;
    if (perms[0].id == c->domid || perms[0].id == target)
        return all;
    for (uint32_t i = 1; i < nperms; i++)
        if (perms[i].id == c->domid || perms[i].id == target)
            return perms[i].perms & (XSD_PERM_READ | XSD_PERM_WRITE);
    return perms[0].perms & (XSD_PERM_READ | XSD_PERM_WRITE);
}
