/* xlcfg.c: the entry points of the xl.cfg parser, and its messages. The
 * syntax is in xlcfg_lex.c, the keys in xlcfg_keys.c, disk and vif specs in
 * their own files, host checks in xlcfg_check.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcfg_int.h"

#define CONFIG_FILE_MAX (1u << 20)

/* ---- messages --------------------------------------------------------- */

const char *xlcfg_where(const struct xlcfg *cfg, int line, char *buf, size_t len)
{
    if (!buf || !len)
        return "";
    if (line > 0)
        snprintf(buf, len, "%s:%d", cfg->file, line);
    else if (line < 0)
        snprintf(buf, len, "<command line>:%d", -line);
    else
        snprintf(buf, len, "%s", cfg->file);
    return buf;
}

static void vformat(const struct xlcfg *cfg, char *out, size_t outlen, int line,
                    const char *key, const char *fmt, va_list ap)
{
    char where[sizeof(cfg->file) + 16];
    int n;

    xlcfg_where(cfg, line, where, sizeof(where));
    if (key)
        n = snprintf(out, outlen, "%s: %s: ", where, key);
    else
        n = snprintf(out, outlen, "%s: ", where);
    if (n >= 0 && (size_t)n < outlen)
        vsnprintf(out + n, outlen - (size_t)n, fmt, ap);
    /* Values and paths may hold any byte; a message stays one line. */
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = '?';
}

int xlcfg__errc(const struct xlcfg *cfg, char *err, size_t errlen, int rc, int line,
                const char *key, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vformat(cfg, err, errlen, line, key, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int xlcfg__err(struct xlcfg__p *p, int line, const char *key, const char *fmt, ...)
{
    va_list ap;

    if (p->err && p->errlen) {
        va_start(ap, fmt);
        vformat(p->cfg, p->err, p->errlen, line, key, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

void xlcfg__warn(struct xlcfg__p *p, int line, const char *fmt, ...)
{
    char msg[sizeof(p->cfg->file) + 512];
    va_list ap;

    if (!p->warn)
        return;
    va_start(ap, fmt);
    vformat(p->cfg, msg, sizeof(msg), line, "warning", fmt, ap);
    va_end(ap);
    p->warn(p->ctx, msg);
}

int xlcfg__put(struct xlcfg__p *p, int line, const char *key, char *dst,
               size_t dstsz, const char *s, size_t n)
{
    if (n >= dstsz)
        return xlcfg__err(p, line, key, "too long (%zu bytes, at most %zu)", n, dstsz - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* ---- entry points ----------------------------------------------------- */

static void get_src(const struct xlcfg__p *p, int src, const char **text, size_t *len)
{
    if (src == 0) {
        *text = p->text;
        *len = p->len;
    } else {
        *text = p->over[src - 1];
        *len = strlen(*text);
    }
}

static int parse(struct xlcfg__p *p)
{
    struct xlcfg *cfg = p->cfg;
    int order[XK__N], n = 0, rc;

    if ((rc = xlcfg__scan(p, 0, p->text, p->len)))
        return rc;
    for (int i = 1; i <= p->nover; i++) {
        const char *o = p->over[i - 1];
        if (!o)
            return xlcfg__err(p, -i, NULL, "NULL override");
        if (strchr(o, '\n'))
            return xlcfg__err(p, -i, NULL, "an override must be one line (give each "
                              "KEY=VALUE as its own argument)");
        if ((rc = xlcfg__scan(p, i, o, strlen(o))))
            return rc;
    }

    /* Apply in the order the values were written, so the first error
     * reported is the first in the file. */
    for (int k = 0; k < XK__N; k++) {
        if (!p->rec[k].set)
            continue;
        int j = n++;
        while (j > 0 && (p->rec[order[j - 1]].src > p->rec[k].src ||
                         (p->rec[order[j - 1]].src == p->rec[k].src &&
                          p->rec[order[j - 1]].off > p->rec[k].off))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    for (int i = 0; i < n; i++) {
        const struct xlcfg__rec *r = &p->rec[order[i]];
        const char *text;
        size_t len;

        p->cur = (enum xlcfg__key)order[i];
        xlcfg__set_line(cfg, p->cur, r->src ? -r->src : r->line);
        get_src(p, r->src, &text, &len);
        if ((rc = xlcfg__eval(p, r->src, text, len, r->off, r->line, xlcfg__apply)))
            return rc;
    }
    return xlcfg__finish(p);
}

int xlcfg_parse_buffer(const char *name, const char *text, size_t len,
                       char *const *overrides, int nover, struct xlcfg *cfg,
                       char *err, size_t errlen,
                       void (*warn)(void *ctx, const char *msg), void *ctx)
{
    struct xlcfg__p *p;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!name)
        name = "<config>";
    if (!cfg || (!text && len) || nover < 0 || (nover > 0 && !overrides)) {
        if (err && errlen)
            snprintf(err, errlen, "%s: xlcfg: invalid arguments", name);
        return -EINVAL;
    }
    memset(cfg, 0, sizeof(*cfg));
    if (strlen(name) >= sizeof(cfg->file)) {
        if (err && errlen)
            snprintf(err, errlen, "%.64s...: config path too long (at most %zu bytes)",
                     name, sizeof(cfg->file) - 1);
        return -ENAMETOOLONG;
    }
    strcpy(cfg->file, name);
    strcpy(cfg->type, "pvh");
    cfg->on_poweroff = XLCFG_DESTROY;
    cfg->on_reboot = XLCFG_RESTART;
    cfg->on_crash = XLCFG_DESTROY;

    /* ~10 KiB of scratch: off the stack of callers that may be threads. */
    p = calloc(1, sizeof(*p));
    if (!p) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", name);
        return -ENOMEM;
    }
    p->cfg = cfg;
    p->err = err;
    p->errlen = errlen;
    p->warn = warn;
    p->ctx = ctx;
    p->text = text ? text : "";
    p->len = len;
    p->over = overrides;
    p->nover = nover;
    rc = parse(p);
    free(p);
    if (rc && err && errlen && !err[0])
        snprintf(err, errlen, "%s: invalid config", name);
    return rc;
}

int xlcfg_parse_file(const char *path, char *const *overrides, int nover,
                     struct xlcfg *cfg, char *err, size_t errlen,
                     void (*warn)(void *ctx, const char *msg), void *ctx)
{
    size_t cap = 4096, len = 0;
    char *buf;
    int fd, rc;

    if (err && errlen)
        err[0] = '\0';
    if (!path || !cfg) {
        if (err && errlen)
            snprintf(err, errlen, "xlcfg: invalid arguments");
        return -EINVAL;
    }
    if (strlen(path) >= sizeof(cfg->file)) {
        if (err && errlen)
            snprintf(err, errlen, "%.64s...: config path too long (at most %zu bytes)",
                     path, sizeof(cfg->file) - 1);
        return -ENAMETOOLONG;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
        return rc;
    }
    buf = malloc(cap);
    if (!buf) {
        close(fd);
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", path);
        return -ENOMEM;
    }
    for (;;) {
        if (len > CONFIG_FILE_MAX) {
            rc = -EFBIG;
            if (err && errlen)
                snprintf(err, errlen, "%s: too big for a domain config (over %u bytes)",
                         path, CONFIG_FILE_MAX);
            goto out;
        }
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = -ENOMEM;
                if (err && errlen)
                    snprintf(err, errlen, "%s: out of memory", path);
                goto out;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            if (err && errlen)
                snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    rc = xlcfg_parse_buffer(path, buf, len, overrides, nover, cfg, err, errlen, warn, ctx);
out:
    free(buf);
    close(fd);
    return rc;
}

/* One list entry parsed alone, `where` standing for the file. */
static int parse_one(const char *where, enum xlcfg__key key, const char *spec, void *out,
                     char *err, size_t errlen)
{
    struct xlcfg__p *p;
    struct xlcfg *cfg;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!where || !spec || !out)
        return -EINVAL;
    cfg = calloc(1, sizeof(*cfg));
    p = calloc(1, sizeof(*p));
    if (!cfg || !p) {
        free(cfg);
        free(p);
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", where);
        return -ENOMEM;
    }
    snprintf(cfg->file, sizeof(cfg->file), "%s", where);
    p->cfg = cfg;
    p->err = err;
    p->errlen = errlen;
    p->cur = key;
    if (key == XK_DISK)
        rc = xlcfg__disk(p, 0, 1, spec, strlen(spec), out);
    else
        rc = xlcfg__vif(p, 0, 1, spec, strlen(spec), out);
    free(p);
    free(cfg);
    return rc;
}

int xlcfg_parse_disk(const char *where, const char *spec, struct xlcfg_disk *out, char *err,
                     size_t errlen)
{
    return parse_one(where, XK_DISK, spec, out, err, errlen);
}

int xlcfg_parse_vif(const char *where, const char *spec, struct xlcfg_vif *out, char *err,
                    size_t errlen)
{
    return parse_one(where, XK_VIF, spec, out, err, errlen);
}
