/* xlcfg_disk.c: one DISKSPEC of `disk = [...]` (xl-disk-configuration(5)).
 *
 * A spec is comma-separated parameters: KEY=VALUE, bare flags, and
 * positional values that fill, in order, whichever of target, format, vdev,
 * access are not set yet. `target=` takes the whole rest of the spec, commas
 * included. The deprecated xend forms ("phy:/dev/x,xvda,w", "hdc:cdrom")
 * are accepted, since old configs are full of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xlcfg_int.h"

enum access { ACC_DEFAULT, ACC_RO, ACC_RW };

struct dspec {
    struct xlcfg__p *p;
    int line;
    unsigned entry;
    bool tgt_set, fmt_set, vdev_set, acc_set;
    bool prefix;            /* a deprecated "fmt:" or "phy:" prefix was seen */
    const char *tgt;
    size_t tgtlen;
    const char *vdev;
    size_t vdevlen;
    const char *fmt;        /* a static string */
    enum access acc;
    bool cdrom;
    bool emulated;
};

static int derr(struct dspec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int derr(struct dspec *d, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return xlcfg__err(d->p, d->line, "disk", "entry %u: %s", d->entry, msg);
}

/* A piece of the spec for a message: not NUL-terminated there, maybe long. */
static const char *piece(char *buf, size_t len, const char *s, size_t n)
{
    snprintf(buf, len, "%.*s%s", (int)(n > 64 ? 64 : n), s, n > 64 ? "..." : "");
    return buf;
}
#define PIECE(s, n) piece((char[80]){ 0 }, 80, (s), (n))

static bool eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(s, lit, n);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int set_format(struct dspec *d, const char *s, size_t n)
{
    static const char *const formats[] = { "raw", "qcow", "qcow2", "vhd", "qed", "empty" };
    const char *f = NULL;

    d->fmt_set = true;
    if (n == 0)     /* empty: the default, which a later format= may still set */
        return 0;
    for (size_t i = 0; !f && i < sizeof(formats) / sizeof(formats[0]); i++)
        if (eq(s, n, formats[i]))
            f = formats[i];
    if (!f)
        return derr(d, "unknown format '%s' (use raw, qcow, qcow2, vhd or qed)", PIECE(s, n));
    if (d->fmt && strcmp(d->fmt, f))
        return derr(d, "format given twice ('%s' after '%s')", PIECE(s, n), d->fmt);
    d->fmt = f;
    return 0;
}

static int set_access(struct dspec *d, const char *s, size_t n)
{
    enum access a;

    if (n == 0)
        a = ACC_DEFAULT;
    else if (eq(s, n, "r") || eq(s, n, "ro"))
        a = ACC_RO;
    else if (eq(s, n, "w") || eq(s, n, "rw"))
        a = ACC_RW;
    else
        return derr(d, "bad access '%s' (use r, ro, w or rw)", PIECE(s, n));
    if (d->acc_set && d->acc != ACC_DEFAULT && a != ACC_DEFAULT && a != d->acc)
        return derr(d, "access given twice ('%s')", PIECE(s, n));
    if (a != ACC_DEFAULT || !d->acc_set)
        d->acc = a;
    d->acc_set = true;
    return 0;
}

static int set_vdev(struct dspec *d, const char *s, size_t n)
{
    if (d->vdev_set && d->vdevlen && n)
        return derr(d, "vdev given twice ('%s')", PIECE(s, n));
    if (n || !d->vdev_set) {
        d->vdev = s;
        d->vdevlen = n;
    }
    d->vdev_set = true;
    return 0;
}

/* The deprecated "vdev:devtype" (e.g. "hdc:cdrom"). */
static int set_vdev_devtype(struct dspec *d, const char *s, size_t n)
{
    const char *colon = s + n;
    int rc;

    while (colon > s && colon[-1] != ':')
        colon--;
    colon--;
    if ((rc = set_vdev(d, s, (size_t)(colon - s))))
        return rc;
    const char *t = colon + 1;
    size_t tn = n - (size_t)(t - s);
    if (eq(t, tn, "cdrom"))
        d->cdrom = true;
    else if (eq(t, tn, "disk"))
        d->cdrom = false;
    else
        return derr(d, "unknown device type '%s' after ':' (use cdrom or disk)", PIECE(t, tn));
    return 0;
}

static int positional(struct dspec *d, const char *s, size_t n)
{
    if (!d->tgt_set) {
        d->tgt = s;
        d->tgtlen = n;
        d->tgt_set = true;
        return 0;
    }
    if (!d->fmt_set && !d->prefix) {
        /* xend's empty cdrom, ",hdc:cdrom,r": no format, straight to vdev. */
        if (d->tgtlen == 0 && memchr(s, ':', n)) {
            d->fmt_set = true;
            return set_vdev_devtype(d, s, n);
        }
        return set_format(d, s, n);
    }
    if (!d->vdev_set)
        return memchr(s, ':', n) ? set_vdev_devtype(d, s, n) : set_vdev(d, s, n);
    if (!d->acc_set)
        return set_access(d, s, n);
    return derr(d, "too many positional parameters at '%s' (the order is "
                "target,format,vdev,access)", PIECE(s, n));
}

/* A deprecated "word:" prefix at s, if any: 1 consumed (*len set), 0 none. */
static int prefix(struct dspec *d, const char *s, const char *e, size_t *len)
{
    static const char *const fmt_prefixes[] = { "raw", "qcow", "qcow2", "vhd" };
    static const char *const script_prefixes[] = { "iscsi", "nbd", "enbd", "drbd" };
    static const char *const ignored[] = {
        "tapdisk", "tap", "tap2", "aio", "ioemu", "file", "phy",
    };
    const char *w = s;

    if (w >= e || !(*w >= 'a' && *w <= 'z'))
        return 0;
    while (w < e && ((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9')))
        w++;
    if (w >= e || *w != ':')
        return 0;
    size_t n = (size_t)(w - s);
    *len = n + 1;

    for (size_t i = 0; i < sizeof(fmt_prefixes) / sizeof(fmt_prefixes[0]); i++) {
        if (eq(s, n, fmt_prefixes[i])) {
            int rc = set_format(d, s, n);
            d->prefix = true;
            return rc ? rc : 1;
        }
    }
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        if (eq(s, n, ignored[i])) {
            d->prefix = true;
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof(script_prefixes) / sizeof(script_prefixes[0]); i++) {
        if (eq(s, n, script_prefixes[i]))
            return derr(d, "'%s': block scripts are not supported by pvhv (give a file or "
                        "block device)", PIECE(s, n + 1));
    }
    /* "hdc:cdrom" is a vdev, not a prefix: only a colon followed by
     * something else than a letter or digit makes one. */
    if (w + 1 < e && ((w[1] >= 'a' && w[1] <= 'z') || (w[1] >= '0' && w[1] <= '9')))
        return 0;
    return derr(d, "unknown prefix '%s' (write format=... or target=...)", PIECE(s, n + 1));
}

static int keyword(struct dspec *d, const char *k, size_t kn, const char *v, size_t vn)
{
    static const char *const unsupported[] = {
        "script", "backend", "colo-host", "colo-port", "colo-export", "active-disk",
        "hidden-disk",
    };

    if (eq(k, kn, "format"))
        return set_format(d, v, vn);
    if (eq(k, kn, "vdev"))
        return set_vdev(d, v, vn);
    if (eq(k, kn, "access"))
        return set_access(d, v, vn);
    if (eq(k, kn, "devtype")) {
        if (eq(v, vn, "cdrom"))
            d->cdrom = true;
        else if (eq(v, vn, "disk"))
            d->cdrom = false;
        else
            return derr(d, "unknown devtype '%s' (use cdrom or disk)", PIECE(v, vn));
        return 0;
    }
    if (eq(k, kn, "backendtype")) {
        /* pvhv's extension: its trap-and-emulate disk (pvhv_platform.h). */
        d->emulated = eq(v, vn, "emulated");
        if (d->emulated)
            return 0;
        if (!eq(v, vn, "phy") && !eq(v, vn, "tap") && !eq(v, vn, "qdisk") &&
            !eq(v, vn, "standalone"))
            return derr(d, "unknown backendtype '%s' (use emulated, or phy, tap, qdisk or "
                        "standalone, which pvblkback serves alike)", PIECE(v, vn));
        xlcfg__warn(d->p, d->line, "disk: entry %u: backendtype=%s ignored: pvblkback serves "
                    "every PV disk", d->entry, PIECE(v, vn));
        return 0;
    }
    if (eq(k, kn, "specification")) {
        if (eq(v, vn, "xen"))
            return 0;
        return derr(d, "specification '%s' is not supported by pvhv (use xen or drop it)",
                    PIECE(v, vn));
    }
    if (eq(k, kn, "grant_usage")) {
        xlcfg__warn(d->p, d->line, "disk: entry %u: grant_usage ignored", d->entry);
        return 0;
    }
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        if (eq(k, kn, unsupported[i]))
            return derr(d, "'%s=' is not supported by pvhv (remove it)", PIECE(k, kn));
    }
    return derr(d, "unknown parameter '%s=' (known: target, format, vdev, access, devtype)",
                PIECE(k, kn));
}

static int flag(struct dspec *d, const char *s, size_t n, bool *done)
{
    static const char *const ignored[] = {
        "direct-io-safe", "discard", "no-discard", "trusted", "untrusted", "no-colo",
    };

    *done = true;
    if (eq(s, n, "cdrom")) {
        d->cdrom = true;
        return 0;
    }
    if (eq(s, n, "colo"))
        return derr(d, "'colo' is not supported by pvhv (remove it)");
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        if (eq(s, n, ignored[i])) {
            xlcfg__warn(d->p, d->line, "disk: entry %u: '%s' ignored by pvhv", d->entry,
                        ignored[i]);
            return 0;
        }
    }
    *done = false;
    return 0;
}

/* xvd[a-z]+, hd[a-z], sd[a-z]+ or a decimal number. */
static bool vdev_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return false;
    if (s[0] >= '0' && s[0] <= '9') {
        for (i = 0; i < n; i++)
            if (s[i] < '0' || s[i] > '9')
                return false;
        return n <= 9;
    }
    if (n >= 4 && !memcmp(s, "xvd", 3))
        i = 3;
    else if (n == 3 && !memcmp(s, "hd", 2))
        i = 2;
    else if (n >= 3 && !memcmp(s, "sd", 2))
        i = 2;
    else
        return false;
    for (; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return true;
}

int xlcfg__disk(struct xlcfg__p *p, int line, unsigned entry, const char *spec,
                size_t len, struct xlcfg_disk *out)
{
    struct dspec d = { .p = p, .line = line, .entry = entry };
    const char *s = spec, *e = spec + len;
    int rc;

    memset(out, 0, sizeof(*out));
    for (;;) {
        while (s < e && is_space(*s))
            s++;
        if (s >= e)
            break;

        if (e - s >= 7 && !memcmp(s, "target=", 7)) {
            const char *t = s + 7;
            size_t tn = (size_t)(e - t);
            if (tn && t[tn - 1] == ',')
                tn--;
            if (d.tgt_set && d.tgtlen && tn)
                return derr(&d, "target given twice ('%s')", PIECE(t, tn));
            d.tgt = t;
            d.tgtlen = tn;
            d.tgt_set = true;
            break;
        }

        size_t plen;
        if ((rc = prefix(&d, s, e, &plen)) < 0)
            return rc;
        if (rc > 0) {
            s += plen;
            continue;
        }

        const char *te = memchr(s, ',', (size_t)(e - s));
        const char *next = te ? te + 1 : e;
        if (!te)
            te = e;
        while (te > s && is_space(te[-1]))
            te--;
        size_t tn = (size_t)(te - s);
        const char *eqs = memchr(s, '=', tn);

        if (eqs) {
            const char *k = s, *v = eqs + 1;
            size_t kn = (size_t)(eqs - s);
            bool name_ok = kn > 0 && k[0] >= 'a' && k[0] <= 'z';
            for (size_t i = 0; i < kn && name_ok; i++)
                name_ok = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') ||
                          k[i] == '-' || k[i] == '_';
            if (!name_ok)
                return derr(&d, "'%s': '=' belongs in KEY=VALUE (a path with '=' or ',' "
                            "must come last, as target=PATH)", PIECE(s, tn));
            rc = keyword(&d, k, kn, v, (size_t)(te - v));
        } else {
            bool done;
            if ((rc = flag(&d, s, tn, &done)) == 0 && !done)
                rc = positional(&d, s, tn);
        }
        if (rc)
            return rc;
        s = next;
        if (next >= e)
            break;
    }

    if (!d.vdevlen)
        return derr(&d, "no vdev (say how the guest sees the disk, e.g. "
                    "'/path/disk.img,raw,xvda,rw' or vdev=xvda)");
    if (!vdev_ok(d.vdev, d.vdevlen))
        return derr(&d, "bad vdev '%s' (use xvdX, hdX, sdX with X a letter, or a number)",
                    PIECE(d.vdev, d.vdevlen));
    if (!d.tgtlen && !d.cdrom)
        return derr(&d, "empty target (give an image file or block device; only a cdrom "
                    "may be empty)");
    if (d.cdrom && d.acc == ACC_RW)
        return derr(&d, "a cdrom is read-only (drop access=rw)");
    if (d.emulated && d.cdrom)
        return derr(&d, "backendtype=emulated is a plain disk, not a cdrom (drop one of them)");
    if (d.emulated && d.fmt && strcmp(d.fmt, "raw"))
        return derr(&d, "backendtype=emulated reads raw images only (not %s)", d.fmt);
    if (d.tgtlen >= sizeof(out->target))
        return xlcfg__err(p, line, "disk", "entry %u: target too long (%zu bytes, at most %zu)",
                          entry, d.tgtlen, sizeof(out->target) - 1);
    if (d.vdevlen >= sizeof(out->vdev))
        return derr(&d, "vdev '%s' too long (at most %zu characters)", PIECE(d.vdev, d.vdevlen),
                    sizeof(out->vdev) - 1);

    memcpy(out->target, d.tgt ? d.tgt : "", d.tgtlen);
    out->target[d.tgtlen] = '\0';
    memcpy(out->vdev, d.vdev, d.vdevlen);
    out->vdev[d.vdevlen] = '\0';
    snprintf(out->format, sizeof(out->format), "%s", d.fmt ? d.fmt : "raw");
    out->cdrom = d.cdrom;
    out->emulated = d.emulated;
    out->readonly = d.acc == ACC_RO || (d.acc == ACC_DEFAULT && d.cdrom);
    out->line = line;
    return 0;
}
