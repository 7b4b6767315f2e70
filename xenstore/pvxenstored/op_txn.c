/* op_txn.c: TRANSACTION_START and TRANSACTION_END. */
#include <stdio.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

int xsd_op_transaction_start(struct xsd_req *r)
{
    struct xsd_txn *t;
    char id[16];

    /* Transactions do not nest. */
    if (r->hdr.tx_id)
        return xsd_txn_find(r->c, r->hdr.tx_id) ? -XEN_EBUSY : -XEN_ENOENT;
    if (!xsd_conn_priv(r->c) && r->c->ntxns >= r->d->quota.transactions)
        return -XEN_ENOSPC;
    t = xsd_txn_start(r->c);
    if (!t)
        return -XEN_ENOMEM;
    snprintf(id, sizeof(id), "%u", t->id);
    return xsd_reply_str(r, id);
}

int xsd_op_transaction_end(struct xsd_req *r)
{
    const char *arg = xsd_req_onearg(r);
    int rc;

    if (!r->t)
        return -XEN_ENOENT;
    if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
        return -XEN_EINVAL;
    rc = xsd_txn_end(r->t, arg[0] == 'T');
    r->t = NULL;
    r->v.t = NULL;
    return rc < 0 ? rc : xsd_reply_str(r, "OK");
}
