/* xs_txn.c: writing many xenstore nodes in one transaction, the first
 * failure remembered so the caller checks once at the end. */
#include <stdarg.h>
#include <string.h>

#include "pvctl.h"

void txn_put(struct xs_txn *t, const char *value, const char *fmt, ...)
{
    char path[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (t->ok && !xs_write(t->xs, t->t, path, value, (unsigned)strlen(value)))
        t->ok = false;
}

void txn_perms(struct xs_txn *t, const char *path, uint32_t owner, uint32_t reader)
{
    struct xs_permissions p[2] = {
        { .id = owner, .perms = XS_PERM_NONE },
        { .id = reader, .perms = XS_PERM_READ },
    };

    if (t->ok && !xs_set_permissions(t->xs, t->t, path, p, reader == owner ? 1 : 2))
        t->ok = false;
}
