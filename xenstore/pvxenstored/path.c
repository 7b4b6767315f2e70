/* path.c: xenstore path rules: validation, relative paths, parents. */
#include <stdio.h>
#include <string.h>

#include <pvhv/errno.h>

#include "xsd.h"

static bool valid_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' || ch == '_' || ch == '@';
}

size_t xsd_domain_path(uint32_t domid, char *buf)
{
    return (size_t)sprintf(buf, "/local/domain/%u", (unsigned)domid);
}

int xsd_path_canon(const char *in, uint32_t domid, bool allow_special, char *out,
                   bool *relative)
{
    size_t len = strnlen(in, XSD_PATH_BUF), off = 0;

    if (relative)
        *relative = false;
    if (len == 0 || len >= XSD_PATH_BUF)
        return -XEN_EINVAL;
    if (in[0] == '@') {
        if (allow_special && (!strcmp(in, XSD_SPECIAL_INTRODUCE) ||
                              !strcmp(in, XSD_SPECIAL_RELEASE))) {
            memcpy(out, in, len + 1);
            return 0;
        }
        return -XEN_EINVAL;
    }
    if (in[0] != '/') {
        /* Relative to the caller's home, /local/domain/<domid>. */
        if (len > XENSTORE_REL_PATH_MAX)
            return -XEN_EINVAL;
        off = xsd_domain_path(domid, out);
        out[off++] = '/';
        if (relative)
            *relative = true;
    }
    if (off + len > XENSTORE_ABS_PATH_MAX)
        return -XEN_EINVAL;
    memcpy(out + off, in, len + 1);
    len += off;
    for (size_t i = 0; i < len; i++) {
        if (!valid_char(out[i]))
            return -XEN_EINVAL;
        if (out[i] == '/' && (out[i + 1] == '/' || (out[i + 1] == 0 && len > 1)))
            return -XEN_EINVAL;
    }
    return 0;
}

bool xsd_path_is_child(const char *child, const char *parent)
{
    size_t len = strlen(parent);

    /* "/" is written without a trailing component, so it needs its own case. */
    if (!strcmp(parent, "/"))
        return child[0] == '/';
    return !strncmp(child, parent, len) && (child[len] == '/' || child[len] == 0);
}

size_t xsd_path_parent_len(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash == path ? 1 : (size_t)(slash - path);
}

const char *xsd_path_leaf(const char *path)
{
    return strrchr(path, '/') + 1;
}
