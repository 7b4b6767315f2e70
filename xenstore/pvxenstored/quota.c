/* quota.c: per-domain limits, Xen's defaults, set by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

static const struct {
    const char *name;
    size_t off;
} quota_names[] = {
    { "nodes", offsetof(struct xsd_quota, nodes) },
    { "watches", offsetof(struct xsd_quota, watches) },
    { "value-size", offsetof(struct xsd_quota, value_size) },
    { "transactions", offsetof(struct xsd_quota, transactions) },
    { "outstanding", offsetof(struct xsd_quota, outstanding) },
    { "permissions", offsetof(struct xsd_quota, permissions) },
};

void xsd_quota_defaults(struct xsd_quota *q)
{
    q->nodes = 1000;
    q->watches = 128;
    q->value_size = 2048;
    q->transactions = 10;
    q->outstanding = 20;
    q->permissions = 5;
}

int xsd_quota_set(struct xsd_quota *q, const char *name, const char *value)
{
    char *end;
    unsigned long v;

    if (value[0] < '0' || value[0] > '9')
        return -XEN_EINVAL;
    v = strtoul(value, &end, 10);
    if (*end || v > UINT32_MAX)
        return -XEN_EINVAL;
    /* A zero outstanding quota would stop a connection for good. */
    if (!strcmp(name, "outstanding") && v == 0)
        return -XEN_EINVAL;
    for (size_t i = 0; i < sizeof(quota_names) / sizeof(quota_names[0]); i++) {
        if (!strcmp(name, quota_names[i].name)) {
            *(uint32_t *)((char *)q + quota_names[i].off) = (uint32_t)v;
            return 0;
        }
    }
    return -XEN_EINVAL;
}

int xsd_quota_set_arg(struct xsd_quota *q, const char *arg)
{
    char name[32];
    const char *eq = strchr(arg, '=');

    if (!eq || (size_t)(eq - arg) >= sizeof(name))
        return -XEN_EINVAL;
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = 0;
    return xsd_quota_set(q, name, eq + 1);
}

size_t xsd_quota_format(const struct xsd_quota *q, char *buf, size_t cap)
{
    size_t n = 0;

    buf[0] = 0;
    for (size_t i = 0; i < sizeof(quota_names) / sizeof(quota_names[0]) && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s %u\n", quota_names[i].name,
                              *(const uint32_t *)((const char *)q + quota_names[i].off));
    return n < cap ? n : cap - 1;
}
