/* conn.c: connections: message framing on input, the output queue and
 * its limits, and the end of a connection's session. */
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

struct xsd_conn *xsd_conn_new(struct xsd *d, const struct xsd_transport *tp, void *tp_data,
                              uint32_t domid)
{
    struct xsd_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->d = d;
    c->tp = tp;
    c->tp_data = tp_data;
    c->domid = domid;
    c->id = ++d->next_conn_id;
    c->next = d->conns;
    if (d->conns)
        d->conns->prev = c;
    d->conns = c;
    return c;
}

bool xsd_conn_blocked(const struct xsd_conn *c)
{
    if (c->out_bytes >= XSD_OUT_PAUSE_BYTES)
        return true;
    return !xsd_conn_priv(c) && c->out_replies >= c->d->quota.outstanding;
}

bool xsd_conn_dead(const struct xsd_conn *c)
{
    return c->dead;
}

size_t xsd_conn_feed(struct xsd_conn *c, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t used = 0;
    struct xsd_sockmsg hdr;

    while (used < len && !c->dead) {
        if (c->in_have < sizeof(hdr)) {
            /* Between messages: honour flow control before starting one. */
            if (c->in_have == 0 && xsd_conn_blocked(c))
                break;
            size_t n = sizeof(hdr) - c->in_have;
            if (n > len - used)
                n = len - used;
            memcpy(c->in_hdr + c->in_have, p + used, n);
            c->in_have += (uint32_t)n;
            used += n;
            if (c->in_have < sizeof(hdr))
                break;
            memcpy(&hdr, c->in_hdr, sizeof(hdr));
            /* Xen's rule: an over-long payload ends the connection. */
            if (hdr.len > XENSTORE_PAYLOAD_MAX) {
                xsd_conn_kill(c, "payload longer than 4096 bytes");
                break;
            }
        }
        memcpy(&hdr, c->in_hdr, sizeof(hdr));
        size_t have = c->in_have - sizeof(hdr);
        size_t n = hdr.len - have;
        if (n > len - used)
            n = len - used;
        memcpy(c->in_payload + have, p + used, n);
        c->in_have += (uint32_t)n;
        used += n;
        if (c->in_have - sizeof(hdr) < hdr.len)
            break;
        c->in_payload[hdr.len] = 0; /* guard: string scans stop here */
        c->in_have = 0;
        xsd_dispatch(c, &hdr, c->in_payload);
    }
    return used;
}

bool xsd_conn_out_peek(const struct xsd_conn *c, const void **buf, size_t *len)
{
    if (!c->out_head)
        return false;
    *buf = c->out_head->data + c->out_head->off;
    *len = c->out_head->len - c->out_head->off;
    return true;
}

void xsd_conn_out_consume(struct xsd_conn *c, size_t n)
{
    while (n && c->out_head) {
        struct xsd_out *o = c->out_head;
        size_t k = o->len - o->off;
        if (k > n)
            k = n;
        o->off += (uint32_t)k;
        n -= k;
        c->out_bytes -= k;
        if (o->off == o->len) {
            c->out_head = o->next;
            if (!c->out_head)
                c->out_tail = NULL;
            if (o->is_reply)
                c->out_replies--;
            else
                c->out_events--;
            free(o);
        }
    }
}

int xsd_conn_send(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                  const void *payload, uint32_t len, bool is_reply)
{
    struct xsd_sockmsg hdr = { type, req_id, tx_id, len };
    struct xsd_out *o;

    if (c->dead)
        return 0;
    o = malloc(sizeof(*o) + sizeof(hdr) + len);
    if (!o)
        return -XEN_ENOMEM;
    o->next = NULL;
    o->len = (uint32_t)(sizeof(hdr) + len);
    o->off = 0;
    o->is_reply = is_reply;
    memcpy(o->data, &hdr, sizeof(hdr));
    if (len)
        memcpy(o->data + sizeof(hdr), payload, len);
    if (c->out_tail)
        c->out_tail->next = o;
    else
        c->out_head = o;
    c->out_tail = o;
    c->out_bytes += o->len;
    if (is_reply)
        c->out_replies++;
    else
        c->out_events++;
    if (c->tp && c->tp->kick)
        c->tp->kick(c);
    return 0;
}

void xsd_conn_drop_txns(struct xsd_conn *c)
{
    while (c->txns)
        xsd_txn_end(c->txns, false);
}

void xsd_conn_kill(struct xsd_conn *c, const char *why)
{
    if (c->dead)
        return;
    log_msg(LOG_INFO, "connection %u (%s, domain %u) closed: %s", c->id,
            c->tp ? c->tp->name : "?", c->domid, why);
    xsd_conn_drop_watches(c);
    xsd_conn_drop_txns(c);
    c->dead = true;
    if (c->tp && c->tp->kick)
        c->tp->kick(c);
}

void xsd_conn_free(struct xsd_conn *c)
{
    if (!c)
        return;
    if (!c->dead) {
        /* Quietly: the transport saw the peer go. */
        xsd_conn_drop_watches(c);
        xsd_conn_drop_txns(c);
        c->dead = true;
    }
    while (c->out_head)
        xsd_conn_out_consume(c, c->out_head->len - c->out_head->off);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->d->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}
