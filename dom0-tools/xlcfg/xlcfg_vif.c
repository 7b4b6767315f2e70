/* xlcfg_vif.c: one entry of `vif = [...]`: comma-separated KEY=VALUE
 * (xl-network-configuration(5)), limited to what pvhv's netback uses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xlcfg_int.h"

struct vspec {
    struct xlcfg__p *p;
    int line;
    unsigned entry;
};

static int verr(struct vspec *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int verr(struct vspec *v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return xlcfg__err(v->p, v->line, "vif", "entry %u: %s", v->entry, msg);
}

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

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Six hex octets with ':'; it must be a unicast address a NIC may own. */
static int set_mac(struct vspec *v, const char *s, size_t n, char out[18])
{
    uint8_t b[6];

    if (n != 17)
        goto bad;
    for (int i = 0; i < 6; i++) {
        const char *o = s + 3 * i;
        if (hexval(o[0]) < 0 || hexval(o[1]) < 0 || (i < 5 && o[2] != ':'))
            goto bad;
        b[i] = (uint8_t)(hexval(o[0]) << 4 | hexval(o[1]));
    }
    if (b[0] & 1)
        return verr(v, "mac %s is a multicast address (a NIC needs a unicast one: the "
                    "first octet even, e.g. 00:16:3e:xx:xx:xx)", PIECE(s, n));
    if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
        return verr(v, "mac 00:00:00:00:00:00 is not a usable address (use e.g. "
                    "00:16:3e:xx:xx:xx, or leave mac out for a random one)");
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return 0;
bad:
    return verr(v, "bad mac '%s' (write six hex octets with ':', e.g. 00:16:3e:01:02:03)",
                PIECE(s, n));
}

/* A Linux interface name: what dev_valid_name() takes. */
static int set_ifname(struct vspec *v, const char *key, const char *s, size_t n,
                      char *out, size_t outsz)
{
    if (n >= outsz)
        return verr(v, "%s '%s' too long (at most %zu characters)", key, PIECE(s, n),
                    outsz - 1);
    if (eq(s, n, ".") || eq(s, n, ".."))
        return verr(v, "%s '%s' is not an interface name", key, PIECE(s, n));
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return verr(v, "%s '%s' is not an interface name (no '/', ':' or spaces)",
                        key, PIECE(s, n));
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int set_str(struct vspec *v, const char *key, const char *s, size_t n,
                   char *out, size_t outsz)
{
    if (n >= outsz)
        return verr(v, "%s too long (%zu bytes, at most %zu)", key, n, outsz - 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int item(struct vspec *v, const char *k, size_t kn, const char *s, size_t n,
                struct xlcfg_vif *out)
{
    if (eq(k, kn, "mac"))
        return set_mac(v, s, n, out->mac);
    if (eq(k, kn, "bridge"))
        return set_ifname(v, "bridge", s, n, out->bridge, sizeof(out->bridge));
    if (eq(k, kn, "vifname"))
        return set_ifname(v, "vifname", s, n, out->vifname, sizeof(out->vifname));
    if (eq(k, kn, "ip"))
        return set_str(v, "ip", s, n, out->ip, sizeof(out->ip));
    if (eq(k, kn, "script"))
        return set_str(v, "script", s, n, out->script, sizeof(out->script));
    if (eq(k, kn, "type")) {
        if (eq(s, n, "vif"))
            return set_str(v, "type", s, n, out->type, sizeof(out->type));
        if (eq(s, n, "ioemu"))
            return verr(v, "type=ioemu is not supported: pvhv has no emulated NICs "
                        "(use type=vif or leave type out)");
        return verr(v, "unknown type '%s' (use type=vif)", PIECE(s, n));
    }
    if (eq(k, kn, "mtu")) {
        /* As Xen 4.17's vif mtu=: the frame size the backend offers. */
        unsigned long m = 0;
        for (size_t i = 0; i < n && m <= 65535; i++) {
            if (s[i] < '0' || s[i] > '9')
                return verr(v, "mtu '%s' is not a number (68..65535)", PIECE(s, n));
            m = m * 10 + (unsigned long)(s[i] - '0');
        }
        if (n == 0 || m < 68 || m > 65535)
            return verr(v, "mtu %s out of range (68..65535)", PIECE(s, n));
        out->mtu = (unsigned)m;
        return 0;
    }
    if (eq(k, kn, "model")) {
        /* The emulated NIC's model: nothing to emulate on PVH. */
        xlcfg__warn(v->p, v->line, "vif: entry %u: model ignored (pvhv gives PVH guests PV "
                    "NICs only)", v->entry);
        return 0;
    }
    return verr(v, "unknown key '%s' (known: mac, bridge, ip, script, vifname, type, mtu, "
                "model)",
                PIECE(k, kn));
}

int xlcfg__vif(struct xlcfg__p *p, int line, unsigned entry, const char *spec,
               size_t len, struct xlcfg_vif *out)
{
    struct vspec v = { .p = p, .line = line, .entry = entry };
    const char *s = spec, *e = spec + len;
    int rc;

    memset(out, 0, sizeof(*out));
    strcpy(out->type, "vif");
    while (s < e) {
        const char *te = memchr(s, ',', (size_t)(e - s));
        const char *next = te ? te + 1 : e;
        if (!te)
            te = e;
        while (s < te && is_space(*s))
            s++;
        while (te > s && is_space(te[-1]))
            te--;
        if (s == te) {          /* empty entries, as in "mac=...,", are harmless */
            s = next;
            continue;
        }
        const char *eqs = memchr(s, '=', (size_t)(te - s));
        if (!eqs)
            return verr(&v, "'%s' is not KEY=VALUE (e.g. bridge=xenbr0)",
                        PIECE(s, (size_t)(te - s)));
        const char *k = s, *ke = eqs, *val = eqs + 1;
        while (ke > k && is_space(ke[-1]))
            ke--;
        while (val < te && is_space(*val))
            val++;
        if (val == te)
            return verr(&v, "%s= has no value (give one or leave the key out)",
                        PIECE(k, (size_t)(ke - k)));
        if ((rc = item(&v, k, (size_t)(ke - k), val, (size_t)(te - val), out)))
            return rc;
        s = next;
    }
    out->line = line;
    return 0;
}
