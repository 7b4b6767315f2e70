/* xs_ops.c: libxs's tree, permission, transaction and domain calls. */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Turn `len` bytes of NUL-ended strings into a vector of pointers with
 * the strings after it, in one allocation. */
static char **strings_to_vector(const char *s, unsigned int len, unsigned int *num)
{
    unsigned int n = 0;
    char **v, *copy;

    for (unsigned int i = 0; i < len; i++)
        n += s[i] == 0;
    v = malloc((n + 1) * sizeof(char *) + len + 1);
    if (!v)
        return NULL;
    copy = (char *)(v + n + 1);
    memcpy(copy, s, len);
    copy[len] = 0;
    for (unsigned int i = 0, off = 0; i < n; i++) {
        v[i] = copy + off;
        off += (unsigned int)strlen(copy + off) + 1;
    }
    v[n] = NULL;
    if (num)
        *num = n;
    return v;
}

/* A directory too long for one message, in parts; restarted if the node
 * changes in between (its generation differs). */
static char **directory_part(struct xs_handle *h, xs_transaction_t t, const char *path,
                             unsigned int *num)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        char *all = NULL, *gen0 = NULL, off[16];
        size_t alen = 0;
        bool restart = false;
        for (;;) {
            struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { off, 0 } };
            unsigned int len;
            snprintf(off, sizeof(off), "%zu", alen);
            iov[1].iov_len = strlen(off) + 1;
            char *r = libxs_talk(h, t, XS_DIRECTORY_PART, iov, 2, &len);
            if (!r) {
                free(all);
                free(gen0);
                return NULL;
            }
            size_t glen = strlen(r) + 1;
            if (glen > len) {
                free(r);
                free(all);
                free(gen0);
                errno = EBADMSG;
                return NULL;
            }
            if (!gen0) {
                gen0 = strdup(r);
            } else if (strcmp(gen0, r)) {
                restart = true;
            }
            /* The list ends with an empty string. */
            bool done = len == glen || (len >= glen + 1 && r[len - 1] == 0 &&
                                        (len == glen + 1 || r[len - 2] == 0));
            size_t take = len - glen - (done && len > glen ? 1 : 0);
            char *na = restart ? NULL : realloc(all, alen + take + 1);
            if (!restart && !na) {
                free(r);
                free(all);
                free(gen0);
                errno = ENOMEM;
                return NULL;
            }
            if (!restart) {
                all = na;
                memcpy(all + alen, r + glen, take);
                alen += take;
            }
            free(r);
            if (restart || done)
                break;
        }
        free(gen0);
        if (!restart) {
            char **v = strings_to_vector(all ? all : "", (unsigned int)alen, num);
            free(all);
            if (!v)
                errno = ENOMEM;
            return v;
        }
        free(all);
    }
    errno = EAGAIN;
    return NULL;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                    unsigned int *num)
{
    unsigned int len;
    char *r = libxs_talk_str(h, t, XS_DIRECTORY, path, &len);
    char **v;

    if (!r)
        return errno == E2BIG ? directory_part(h, t, path, num) : NULL;
    v = strings_to_vector(r, len, num);
    free(r);
    if (!v)
        errno = ENOMEM;
    return v;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    return libxs_talk_str(h, t, XS_READ, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { (void *)data, len } };

    return libxs_talk_ok(h, t, XS_WRITE, iov, 2);
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    struct iovec iov = { (void *)path, strlen(path) + 1 };

    return libxs_talk_ok(h, t, XS_MKDIR, &iov, 1);
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    struct iovec iov = { (void *)path, strlen(path) + 1 };

    return libxs_talk_ok(h, t, XS_RM, &iov, 1);
}

bool xs_restrict(struct xs_handle *h, unsigned domid)
{
    (void)h;
    (void)domid;
    errno = ENOSYS;
    return false;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num)
{
    unsigned int len, n = 0;
    char *r = libxs_talk_str(h, t, XS_GET_PERMS, path, &len);
    struct xs_permissions *p;

    if (!r)
        return NULL;
    for (unsigned int i = 0; i < len; i++)
        n += r[i] == 0;
    p = malloc((n ? n : 1) * sizeof(*p));
    if (!p || !xs_strings_to_perms(p, n, r)) {
        int e = p ? errno : ENOMEM;
        free(p);
        free(r);
        errno = e;
        return NULL;
    }
    free(r);
    *num = n;
    return p;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t len = 0;
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { buf, 0 } };

    for (unsigned int i = 0; i < num_perms; i++) {
        static const char letters[] = "nrwb";
        int n = snprintf(buf + len, sizeof(buf) - len, "%c%u",
                         letters[perms[i].perms & (XS_PERM_READ | XS_PERM_WRITE)], perms[i].id);
        if (n < 0 || (size_t)n + 1 >= sizeof(buf) - len) {
            errno = E2BIG;
            return false;
        }
        len += (size_t)n + 1;
    }
    iov[1].iov_len = len;
    return libxs_talk_ok(h, t, XS_SET_PERMS, iov, 2);
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    char *r = libxs_talk_str(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
    unsigned long id;
    char *end;

    if (!r)
        return XBT_NULL;
    id = strtoul(r, &end, 10);
    if (*end || id == 0 || id > UINT32_MAX) {
        free(r);
        errno = EBADMSG;
        return XBT_NULL;
    }
    free(r);
    return (xs_transaction_t)id;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    struct iovec iov = { abort ? "F" : "T", 2 };

    return libxs_talk_ok(h, t, XS_TRANSACTION_END, &iov, 1);
}

/* A request whose payload is printf'd NUL-separated numbers. */
static bool domain_op(struct xs_handle *h, uint32_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool domain_op(struct xs_handle *h, uint32_t type, const char *fmt, ...)
{
    char buf[96];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    /* '|' in fmt stands for NUL. */
    for (int i = 0; i < n; i++)
        if (buf[i] == '|')
            buf[i] = 0;
    struct iovec iov = { buf, (size_t)n };
    return libxs_talk_ok(h, XBT_NULL, type, &iov, 1);
}

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                         unsigned int eventchn)
{
    return domain_op(h, XS_INTRODUCE, "%u|%lu|%u|", domid, mfn, eventchn);
}

bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    return domain_op(h, XS_SET_TARGET, "%u|%u|", domid, target);
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    return domain_op(h, XS_RESUME, "%u|", domid);
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    return domain_op(h, XS_RELEASE, "%u|", domid);
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%u", domid);
    return libxs_talk_str(h, XBT_NULL, XS_GET_DOMAIN_PATH, buf, NULL);
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    char buf[16], *r;
    bool yes;

    snprintf(buf, sizeof(buf), "%u", domid);
    r = libxs_talk_str(h, XBT_NULL, XS_IS_DOMAIN_INTRODUCED, buf, NULL);
    if (!r)
        return false;
    yes = !strcmp(r, "T");
    free(r);
    return yes;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    struct iovec iov[2] = { { (void *)cmd, strlen(cmd) + 1 }, { data, len } };

    return libxs_talk(h, XBT_NULL, XS_CONTROL, iov, 2, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    return xs_control_command(h, cmd, data, len);
}

int xs_suspend_evtchn_port(int domid)
{
    struct xs_handle *h = xs_open(0);
    char path[64], *v, *end;
    long port = -1;

    if (!h)
        return -1;
    snprintf(path, sizeof(path), "/local/domain/%d/device/suspend/event-channel", domid);
    v = xs_read(h, XBT_NULL, path, NULL);
    if (v) {
        port = strtol(v, &end, 10);
        if (*end || end == v || port < 0 || port > INT32_MAX)
            port = -1;
        free(v);
    }
    xs_close(h);
    return (int)port;
}
