/* cmdline.c: the boot copy of the command line and key=value lookups. */
#include "internal.h"

static char line[PVHV_CMDLINE_MAX];

void pvfront__cmdline_init(const char *src)
{
    size_t n = 0;
    while (src && n < sizeof line - 1 && src[n]) {
        line[n] = src[n];
        n++;
    }
    line[n] = '\0';
}

const char *pvfront_cmdline(void)
{
    return line;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* The value of the first word whose key is `key` (ends at *val_end), or NULL. */
static const char *find(const char *key, const char **val_end)
{
    size_t klen = strlen(key);
    const char *p = line;

    while (*p) {
        while (is_space(*p))
            p++;
        const char *w = p;
        while (*p && !is_space(*p))
            p++;
        if ((size_t)(p - w) >= klen && !strncmp(w, key, klen) &&
            (w + klen == p || w[klen] == '=')) {
            *val_end = p;
            return w + klen == p ? p : w + klen + 1;
        }
    }
    return NULL;
}

bool pvfront_cmdline_has(const char *key)
{
    const char *end;
    return find(key, &end) != NULL;
}

int pvfront_cmdline_get(const char *key, char *val, size_t len)
{
    const char *end, *v = find(key, &end);
    if (!v)
        return -XEN_ENOENT;
    size_t n = (size_t)(end - v);
    if (len) {
        size_t c = n < len - 1 ? n : len - 1;
        memcpy(val, v, c);
        val[c] = '\0';
    }
    return (int)n;
}

int pvfront_cmdline_get_u64(const char *key, uint64_t *out)
{
    const char *end, *v = find(key, &end);
    if (!v)
        return -XEN_ENOENT;
    unsigned base = 10;
    if (end - v > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        base = 16;
        v += 2;
    }
    uint64_t r = 0;
    const char *p = v;
    for (; p < end; p++) {
        unsigned d;
        char c = *p;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
        else break;
        if (r > (UINT64_MAX - d) / base)
            return -XEN_EINVAL;
        r = r * base + d;
    }
    if (p == v)
        return -XEN_EINVAL;
    if (p < end) {
        unsigned shift;
        switch (*p | 0x20) {
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        default: return -XEN_EINVAL;
        }
        if (p + 1 != end || r > (UINT64_MAX >> shift))
            return -XEN_EINVAL;
        r <<= shift;
    }
    *out = r;
    return 0;
}
