/* op_node.c: the tree operations: READ, WRITE, MKDIR, RM, DIRECTORY,
 * DIRECTORY_PART, GET_PERMS, SET_PERMS. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

static void parent_of(const char *path, char *out)
{
    size_t pl = xsd_path_parent_len(path);

    memmove(out, path, pl); /* out may be path itself */
    out[pl] = 0;
}

/*
 * The node at `path` if the caller may access it with `want`. Otherwise
 * NULL and *err: -XEN_EACCES, or -XEN_ENOENT when it does not exist and the
 * nearest existing ancestor grants `want` (so a caller learns nothing of
 * nodes it may not see: Xen's rule).
 */
static const struct xsd_node *get_node(struct xsd_req *r, const char *path, uint32_t want,
                                       int *err)
{
    const struct xsd_node *n = xsd_view_get(&r->v, path);
    char anc[XSD_PATH_BUF];

    if (n) {
        if ((xsd_perm_for(r->c, n->perms, n->nperms) & want) == want)
            return n;
        *err = -XEN_EACCES;
        return NULL;
    }
    *err = -XEN_ENOENT;
    if (path[0] == '@')
        return NULL;
    strcpy(anc, path);
    while (strcmp(anc, "/")) {
        parent_of(anc, anc);
        n = xsd_view_get(&r->v, anc);
        if (n) {
            if ((xsd_perm_for(r->c, n->perms, n->nperms) & want) != want)
                *err = -XEN_EACCES;
            break;
        }
    }
    return NULL;
}

/* Canonical form of argument `in`. */
static int canon(struct xsd_req *r, const char *in, bool special, char *out)
{
    return xsd_path_canon(in, r->c->domid, special, out, NULL);
}

int xsd_op_read(struct xsd_req *r)
{
    const char *arg = xsd_req_onearg(r);
    char path[XSD_PATH_BUF];
    const struct xsd_node *n;
    int rc;

    if (!arg || canon(r, arg, false, path) < 0)
        return -XEN_EINVAL;
    if (!(n = get_node(r, path, XSD_PERM_READ, &rc)))
        return rc;
    return xsd_reply(r, n->value, n->vlen);
}

/*
 * Create `path` and its missing parents. The nearest existing ancestor
 * must have been checked for write access (get_node said ENOENT). New
 * nodes inherit the ancestor's permissions; an unprivileged creator owns
 * them. The quota is checked for all of them before anything changes.
 */
static int create_node(struct xsd_req *r, const char *path, const void *value, uint32_t vlen)
{
    char anc[XSD_PATH_BUF];
    const struct xsd_node *a;
    struct xsd_node *p, *n;
    uint32_t missing = 0;
    int rc;

    strcpy(anc, path);
    do {
        parent_of(anc, anc);
        missing++;
    } while (!(a = xsd_view_get(&r->v, anc)));
    if (!xsd_conn_priv(r->c) &&
        (uint64_t)xsd_view_owned(&r->v, r->c->domid) + missing > r->d->quota.nodes)
        return -XEN_ENOSPC;

    /* The ancestor gains one child; then each level down to `path`. */
    size_t alen = strlen(anc) == 1 ? 0 : strlen(anc);
    struct xsd_perm *perms = malloc(a->nperms * sizeof(*perms));
    uint32_t np = a->nperms;
    if (!perms)
        return -XEN_ENOMEM;
    memcpy(perms, a->perms, np * sizeof(*perms));
    if (!xsd_conn_priv(r->c))
        perms[0].id = r->c->domid;

    p = xsd_node_dup(a);
    rc = p ? 0 : -XEN_ENOMEM;
    char level[XSD_PATH_BUF];
    size_t end = alen;
    while (!rc) {
        /* The next level: up to the next '/' after `end`. */
        const char *slash = strchr(path + end + 1, '/');
        size_t next = slash ? (size_t)(slash - path) : strlen(path);
        memcpy(level, path, next);
        level[next] = 0;
        rc = xsd_node_add_child(p, xsd_path_leaf(level));
        if (rc < 0) {
            xsd_node_free(p);
            break;
        }
        rc = xsd_view_put(&r->v, p);
        if (rc < 0)
            break;
        n = xsd_node_new(level, perms, np);
        if (!n) {
            rc = -XEN_ENOMEM;
            break;
        }
        if (!slash) {
            rc = xsd_node_set_value(n, value, vlen);
            if (!rc)
                rc = xsd_view_put(&r->v, n);
            else
                xsd_node_free(n);
            break;
        }
        p = n; /* put once its child is listed */
        end = next;
    }
    free(perms);
    return rc;
}

int xsd_op_write(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    const struct xsd_node *n;
    size_t plen = strnlen(r->payload, r->hdr.len);
    const char *value;
    uint32_t vlen;
    int rc;

    if (plen == r->hdr.len || canon(r, r->payload, false, path) < 0)
        return -XEN_EINVAL;
    value = r->payload + plen + 1;
    vlen = r->hdr.len - (uint32_t)plen - 1;
    if (!xsd_conn_priv(r->c) && vlen > r->d->quota.value_size)
        return -XEN_ENOSPC;
    n = get_node(r, path, XSD_PERM_WRITE, &rc);
    if (n) {
        struct xsd_node *m = xsd_node_dup(n);
        if (!m || xsd_node_set_value(m, value, vlen) < 0) {
            xsd_node_free(m);
            return -XEN_ENOMEM;
        }
        rc = xsd_view_put(&r->v, m);
    } else if (rc == -XEN_ENOENT) {
        rc = create_node(r, path, value, vlen);
    }
    if (rc < 0)
        return rc;
    xsd_watch_fire(r->d, r->t, path, false, NULL, 0);
    return xsd_reply_str(r, "OK");
}

int xsd_op_mkdir(struct xsd_req *r)
{
    const char *arg = xsd_req_onearg(r);
    char path[XSD_PATH_BUF];
    int rc;

    if (!arg || canon(r, arg, false, path) < 0)
        return -XEN_EINVAL;
    if (get_node(r, path, XSD_PERM_WRITE, &rc))
        return xsd_reply_str(r, "OK"); /* exists: nothing changes */
    if (rc != -XEN_ENOENT)
        return rc;
    if ((rc = create_node(r, path, NULL, 0)) < 0)
        return rc;
    xsd_watch_fire(r->d, r->t, path, false, NULL, 0);
    return xsd_reply_str(r, "OK");
}

/* Every path in the subtree under `top` (top excluded), parents first. */
struct pathlist {
    char **v;
    size_t n, cap;
};

static int pathlist_add(struct pathlist *l, const char *parent, const char *leaf)
{
    char *p;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return -XEN_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    p = malloc(strlen(parent) + strlen(leaf) + 2);
    if (!p)
        return -XEN_ENOMEM;
    sprintf(p, "%s/%s", strcmp(parent, "/") ? parent : "", leaf);
    l->v[l->n++] = p;
    return 0;
}

static int add_children(struct xsd_req *r, struct pathlist *l, const struct xsd_node *n)
{
    for (uint32_t off = 0; off < n->clen; off += (uint32_t)strlen(n->children + off) + 1)
        if (pathlist_add(l, n->path, n->children + off) < 0)
            return -XEN_ENOMEM;
    (void)r;
    return 0;
}

static void pathlist_free(struct pathlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

int xsd_op_rm(struct xsd_req *r)
{
    const char *arg = xsd_req_onearg(r);
    char path[XSD_PATH_BUF], parent[XSD_PATH_BUF];
    const struct xsd_node *n, *p;
    struct pathlist l = { 0 };
    struct xsd_perm *old = NULL;
    uint32_t nold = 0;
    int rc;

    if (!arg || canon(r, arg, false, path) < 0 || !strcmp(path, "/"))
        return -XEN_EINVAL;
    parent_of(path, parent);
    n = get_node(r, path, XSD_PERM_WRITE, &rc);
    if (!n) {
        /* Removing what is not there is fine if its parent is. */
        if (rc == -XEN_ENOENT && xsd_view_get(&r->v, parent))
            return xsd_reply_str(r, "OK");
        return rc;
    }
    /* Collect the subtree (each node read through the view, so a
     * transaction records it), fire exact events for the descendants with
     * their permissions before removal, then remove them. */
    rc = add_children(r, &l, n);
    for (size_t i = 0; !rc && i < l.n; i++) {
        const struct xsd_node *d = xsd_view_get(&r->v, l.v[i]);
        if (d) {
            rc = add_children(r, &l, d);
            if (!rc)
                rc = xsd_watch_fire(r->d, r->t, d->path, true, d->perms, d->nperms);
        }
    }
    if (!rc && !(old = malloc(n->nperms * sizeof(*old))))
        rc = -XEN_ENOMEM;
    if (!rc) {
        nold = n->nperms;
        memcpy(old, n->perms, nold * sizeof(*old));
    }
    p = rc ? NULL : xsd_view_get(&r->v, parent);
    struct xsd_node *pc = p ? xsd_node_dup(p) : NULL;
    if (!rc && !pc)
        rc = -XEN_ENOMEM;
    for (size_t i = l.n; !rc && i-- > 0;)
        rc = xsd_view_del(&r->v, l.v[i]);
    if (!rc)
        rc = xsd_view_del(&r->v, path);
    if (!rc) {
        xsd_node_del_child(pc, xsd_path_leaf(path));
        rc = xsd_view_put(&r->v, pc);
        pc = NULL;
    }
    xsd_node_free(pc);
    pathlist_free(&l);
    if (!rc)
        rc = xsd_watch_fire(r->d, r->t, path, false, old, nold);
    free(old);
    return rc < 0 ? rc : xsd_reply_str(r, "OK");
}

int xsd_op_directory(struct xsd_req *r)
{
    const char *arg = xsd_req_onearg(r);
    char path[XSD_PATH_BUF];
    const struct xsd_node *n;
    int rc;

    if (!arg || canon(r, arg, false, path) < 0)
        return -XEN_EINVAL;
    if (!(n = get_node(r, path, XSD_PERM_READ, &rc)))
        return rc;
    /* Too long for one reply: the client goes on with DIRECTORY_PART. */
    if (n->clen > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    return xsd_reply(r, n->children, n->clen);
}

int xsd_op_directory_part(struct xsd_req *r)
{
    const char *v[2];
    char path[XSD_PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
    const struct xsd_node *n;
    unsigned long off;
    char *end;
    int rc;

    if (xsd_req_strings(r, v, 2) != 2 || canon(r, v[0], false, path) < 0)
        return -XEN_EINVAL;
    off = strtoul(v[1], &end, 10);
    if (!*v[1] || *end)
        return -XEN_EINVAL;
    if (!(n = get_node(r, path, XSD_PERM_READ, &rc)))
        return rc;
    /* <gen>|<child>|* and, once the list is complete, an empty string. */
    size_t len = (size_t)snprintf(buf, sizeof(buf), "%" PRIu64, n->gen) + 1;
    size_t room = sizeof(buf) - len - 1;
    size_t take = 0;
    if (off < n->clen) {
        /* Whole names only, as many as fit. */
        while (off + take < n->clen) {
            size_t l = strlen(n->children + off + take) + 1;
            if (take + l > room)
                break;
            take += l;
        }
        if (take == 0 && off + take < n->clen)
            return -XEN_E2BIG;
        memcpy(buf + len, n->children + off, take);
        len += take;
    }
    if (off + take >= n->clen)
        buf[len++] = 0;
    return xsd_reply(r, buf, (uint32_t)len);
}

int xsd_op_get_perms(struct xsd_req *r)
{
    const char *arg = xsd_req_onearg(r);
    char path[XSD_PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
    const struct xsd_node *n;
    size_t len = 0;
    int rc;

    if (!arg || canon(r, arg, true, path) < 0)
        return -XEN_EINVAL;
    if (!(n = get_node(r, path, XSD_PERM_READ, &rc)))
        return rc;
    for (uint32_t i = 0; i < n->nperms && len + 8 <= sizeof(buf); i++)
        len += xsd_perm_format(&n->perms[i], buf + len) + 1;
    return xsd_reply(r, buf, (uint32_t)len);
}

int xsd_op_set_perms(struct xsd_req *r)
{
    const char *v[1];
    char path[XSD_PATH_BUF];
    struct xsd_perm *perms, *old;
    const struct xsd_node *n;
    struct xsd_node *m;
    int count = xsd_req_strings(r, v, 1), rc = 0;
    uint32_t np;

    if (count < 2 || canon(r, v[0], true, path) < 0)
        return -XEN_EINVAL;
    np = (uint32_t)count - 1;
    if (!xsd_conn_priv(r->c) && np > r->d->quota.permissions)
        return -XEN_ENOSPC;
    perms = calloc(np, sizeof(*perms));
    if (!perms)
        return -XEN_ENOMEM;
    const char *s = v[0] + strlen(v[0]) + 1;
    for (uint32_t i = 0; i < np; i++, s += strlen(s) + 1) {
        if (xsd_perm_parse(s, &perms[i]) < 0) {
            free(perms);
            return -XEN_EINVAL;
        }
    }
    n = get_node(r, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &rc);
    if (n && !xsd_conn_priv(r->c) && perms[0].id != n->perms[0].id)
        rc = -XEN_EPERM; /* only dom0 gives a node away */
    if (!n || rc == -XEN_EPERM) {
        free(perms);
        return rc;
    }
    old = malloc(n->nperms * sizeof(*old));
    m = xsd_node_dup(n);
    if (!old || !m || xsd_node_set_perms(m, perms, np) < 0) {
        free(old);
        free(perms);
        xsd_node_free(m);
        return -XEN_ENOMEM;
    }
    uint32_t nold = n->nperms;
    memcpy(old, n->perms, nold * sizeof(*old));
    free(perms);
    rc = xsd_view_put(&r->v, m);
    if (!rc) {
        if (path[0] == '@')
            rc = 0; /* special nodes fire nothing of their own */
        else
            rc = xsd_watch_fire(r->d, r->t, path, false, old, nold);
    }
    free(old);
    return rc < 0 ? rc : xsd_reply_str(r, "OK");
}
