/* dispatch.c: one message in, one reply out: type table, privilege and
 * transaction checks, argument helpers, error replies by name. */
#include <stdio.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

#define OP_TXN  0x1 /* runs inside the transaction named by tx_id */
#define OP_PRIV 0x2 /* dom0 only */

static const struct {
    const char *name;
    int (*fn)(struct xsd_req *r);
    unsigned flags;
} ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = { "CONTROL", xsd_op_control, OP_PRIV },
    [XS_DIRECTORY] = { "DIRECTORY", xsd_op_directory, OP_TXN },
    [XS_READ] = { "READ", xsd_op_read, OP_TXN },
    [XS_GET_PERMS] = { "GET_PERMS", xsd_op_get_perms, OP_TXN },
    [XS_WATCH] = { "WATCH", xsd_op_watch, 0 },
    [XS_UNWATCH] = { "UNWATCH", xsd_op_unwatch, 0 },
    [XS_TRANSACTION_START] = { "TRANSACTION_START", xsd_op_transaction_start, 0 },
    [XS_TRANSACTION_END] = { "TRANSACTION_END", xsd_op_transaction_end, OP_TXN },
    [XS_INTRODUCE] = { "INTRODUCE", xsd_op_introduce, OP_PRIV },
    [XS_RELEASE] = { "RELEASE", xsd_op_release, OP_PRIV },
    [XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", xsd_op_get_domain_path, 0 },
    [XS_WRITE] = { "WRITE", xsd_op_write, OP_TXN },
    [XS_MKDIR] = { "MKDIR", xsd_op_mkdir, OP_TXN },
    [XS_RM] = { "RM", xsd_op_rm, OP_TXN },
    [XS_SET_PERMS] = { "SET_PERMS", xsd_op_set_perms, OP_TXN },
    [XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", xsd_op_is_domain_introduced, OP_PRIV },
    [XS_RESUME] = { "RESUME", xsd_op_resume, OP_PRIV },
    [XS_SET_TARGET] = { "SET_TARGET", xsd_op_set_target, OP_PRIV },
    [XS_RESET_WATCHES] = { "RESET_WATCHES", xsd_op_reset_watches, 0 },
    [XS_DIRECTORY_PART] = { "DIRECTORY_PART", xsd_op_directory_part, OP_TXN },
};

static const struct xsd_errors errors[] = { PVHV_XSD_ERRORS };

const char *xsd_errno_name(int err)
{
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (errors[i].errnum == err)
            return errors[i].errstring;
    return errors[0].errstring;
}

int xsd_req_strings(const struct xsd_req *r, const char **v, int max)
{
    int n = 0;

    if (r->hdr.len && r->payload[r->hdr.len - 1] != 0)
        return -XEN_EINVAL;
    for (uint32_t off = 0; off < r->hdr.len; off += (uint32_t)strlen(r->payload + off) + 1) {
        if (n < max)
            v[n] = r->payload + off;
        n++;
    }
    return n;
}

const char *xsd_req_onearg(const struct xsd_req *r)
{
    if (!r->hdr.len || strlen(r->payload) + 1 != r->hdr.len)
        return NULL;
    return r->payload;
}

int xsd_reply(struct xsd_req *r, const void *data, uint32_t len)
{
    return xsd_conn_send(r->c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, data, len, true);
}

int xsd_reply_str(struct xsd_req *r, const char *s)
{
    return xsd_reply(r, s, (uint32_t)strlen(s) + 1);
}

static void log_request(const struct xsd_req *r, const char *name, int rc)
{
    char arg[64];
    size_t n = 0;

    /* The first string only, printable characters only: payloads are the
     * client's bytes. */
    for (; n < r->hdr.len && n < sizeof(arg) - 1 && r->payload[n]; n++)
        arg[n] = (r->payload[n] >= 0x20 && r->payload[n] < 0x7f) ? r->payload[n] : '?';
    arg[n] = 0;
    log_msg(LOG_INFO, "conn %u dom %u: %s tx %u \"%s\" -> %s", r->c->id, r->c->domid,
            name, r->hdr.tx_id, arg, rc ? xsd_errno_name(-rc) : "ok");
}

void xsd_dispatch(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const char *payload)
{
    struct xsd_req r = { .d = c->d, .c = c, .hdr = *hdr, .payload = payload };
    const char *name = "unknown";
    int rc;

    r.v.s = &c->d->store;
    if (hdr->type >= XS_TYPE_COUNT || !ops[hdr->type].fn) {
        rc = -XEN_ENOSYS;
    } else {
        name = ops[hdr->type].name;
        rc = 0;
        if ((ops[hdr->type].flags & OP_PRIV) && !xsd_conn_priv(c))
            rc = -XEN_EACCES;
        else if ((ops[hdr->type].flags & OP_TXN) && hdr->tx_id) {
            r.t = xsd_txn_find(c, hdr->tx_id);
            if (!r.t)
                rc = -XEN_ENOENT;
            r.v.t = r.t;
        }
        if (!rc)
            rc = ops[hdr->type].fn(&r);
    }
    if (c->d->log_requests)
        log_request(&r, name, rc);
    if (rc < 0) {
        const char *e = xsd_errno_name(-rc);
        if (xsd_conn_send(c, XS_ERROR, hdr->req_id, hdr->tx_id, e, (uint32_t)strlen(e) + 1,
                          true) < 0)
            xsd_conn_kill(c, "out of memory for a reply");
    }
}
