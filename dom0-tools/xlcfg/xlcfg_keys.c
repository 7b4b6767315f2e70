/* xlcfg_keys.c: what each xl.cfg key means to pvhv: pass 1 records the
 * last assignment of each, pass 2 checks and applies it, then the defaults
 * and the checks across keys. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xlcfg_int.h"

#define XLCFG__NAME_MAX ((int)sizeof(((struct xlcfg *)0)->name) - 1)

enum ktype { T_STR, T_NUM, T_LIST };

static const struct keydef {
    const char *name;
    enum ktype type;
    size_t line_off;
} keys[XK__N] = {
#define K(idx, nm, t) [idx] = { #nm, t, offsetof(struct xlcfg_lines, nm) }
    K(XK_NAME, name, T_STR),
    K(XK_UUID, uuid, T_STR),
    K(XK_TYPE, type, T_STR),
    K(XK_KERNEL, kernel, T_STR),
    K(XK_RAMDISK, ramdisk, T_STR),
    K(XK_CMDLINE, cmdline, T_STR),
    K(XK_EXTRA, extra, T_STR),
    K(XK_ROOT, root, T_STR),
    K(XK_MEMORY, memory, T_NUM),
    K(XK_MAXMEM, maxmem, T_NUM),
    K(XK_VCPUS, vcpus, T_NUM),
    K(XK_MAXVCPUS, maxvcpus, T_NUM),
    K(XK_ON_POWEROFF, on_poweroff, T_STR),
    K(XK_ON_REBOOT, on_reboot, T_STR),
    K(XK_ON_CRASH, on_crash, T_STR),
    K(XK_DISK, disk, T_LIST),
    K(XK_VIF, vif, T_LIST),
#undef K
};

/* xl keys that make sense for some guest but that pvhv does not act on:
 * a warning, not the "unknown key" one, so a typo still stands out. */
static const char *const ignored_keys[] = {
    "cpus", "cpus_soft", "cpu_weight", "cap", "localtime", "rtc_timeoffset",
    "max_grant_frames", "max_maptrack_frames", "max_event_channels",
    "on_watchdog", "on_soft_reset", "vnc", "sdl", "serial", "pvh",
};

void xlcfg__set_line(struct xlcfg *cfg, enum xlcfg__key k, int line)
{
    *(int *)((char *)&cfg->lines + keys[k].line_off) = line;
}

/* ---- pass 1: remember the last assignment of each key ------------------ */

int xlcfg__stmt(struct xlcfg__p *p, const char *key, int src, size_t off, int line)
{
    int where = src ? -src : line;

    for (int k = 0; k < XK__N; k++) {
        if (!strcmp(key, keys[k].name)) {
            p->rec[k] = (struct xlcfg__rec){ .set = true, .src = src, .off = off, .line = line };
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(ignored_keys) / sizeof(ignored_keys[0]); i++) {
        if (!strcmp(key, ignored_keys[i])) {
            xlcfg__warn(p, where, "key '%s' is not supported by pvhv, ignored", key);
            return 0;
        }
    }
    xlcfg__warn(p, where, "unknown key '%s' ignored", key);
    return 0;
}

/* ---- pass 2: one key's value ------------------------------------------ */

static const char *kind_name(enum xlcfg__vkind k)
{
    switch (k) {
    case XV_STR: return "a string";
    case XV_NUM: return "a number";
    default: return "a list";
    }
}

static int type_error(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    const char *key = keys[p->cur].name;

    switch (keys[p->cur].type) {
    case T_STR:
        return xlcfg__err(p, v->line, key, "expected a string, found %s (write %s = \"...\")",
                          kind_name(v->kind), key);
    case T_NUM:
        return xlcfg__err(p, v->line, key,
                          "expected a number, found %s (write a whole number without quotes, "
                          "e.g. %s = %s)", kind_name(v->kind), key,
                          p->cur == XK_MEMORY || p->cur == XK_MAXMEM ? "512" : "2");
    default:
        return xlcfg__err(p, v->line, key, "expected a list, found %s (write %s = [ '...' ])",
                          kind_name(v->kind), key);
    }
}

/* xl's domain names, minus what would confuse pvhv's tools: no leading '-'
 * (an option), not all digits (a domid). NULL if `s` is a good name, else
 * what is wrong with it (in buf). */
static const char *name_problem(const char *s, size_t n, char *buf, size_t len)
{
    bool digits = true;

    if (n == 0)
        return "empty (give the domain a name, e.g. \"guest1\")";
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-')) {
            if ((unsigned char)c >= ' ' && (unsigned char)c < 0x7f)
                snprintf(buf, len, "'%c' is not allowed (use letters, digits, '_', '.' "
                         "and '-')", c);
            else
                snprintf(buf, len, "byte 0x%02x is not allowed (use letters, digits, '_', "
                         "'.' and '-')", (unsigned char)c);
            return buf;
        }
        if (c < '0' || c > '9')
            digits = false;
    }
    if (s[0] == '-') {
        snprintf(buf, len, "'%.*s' starts with '-' (start it with a letter or digit)",
                 (int)(n > 63 ? 63 : n), s);
        return buf;
    }
    if (digits) {
        snprintf(buf, len, "'%.*s' is all digits, which reads as a domain id (add a letter)",
                 (int)(n > 63 ? 63 : n), s);
        return buf;
    }
    if (n > XLCFG__NAME_MAX) {
        snprintf(buf, len, "too long (%zu characters, at most %d)", n, XLCFG__NAME_MAX);
        return buf;
    }
    return NULL;
}

bool xlcfg_name_valid(const char *name)
{
    char buf[192];

    return name && !name_problem(name, strlen(name), buf, sizeof(buf));
}

static int set_name(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    char buf[192];
    const char *why = name_problem(v->str, v->len, buf, sizeof(buf));

    if (why)
        return xlcfg__err(p, v->line, "name", "%s", why);
    memcpy(p->cfg->name, v->str, v->len + 1);
    return 0;
}

static int set_uuid(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    static const char dash_at[] = { 8, 13, 18, 23 };
    uint8_t u[16];
    unsigned nb = 0;

    if (v->len != 36)
        goto bad;
    for (size_t i = 0; i < 36; ) {
        if (i == (size_t)dash_at[0] || i == (size_t)dash_at[1] ||
            i == (size_t)dash_at[2] || i == (size_t)dash_at[3]) {
            if (v->str[i] != '-')
                goto bad;
            i++;
            continue;
        }
        int hi, lo;
        char c = v->str[i], d = v->str[i + 1];
        hi = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 :
             (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        lo = (d >= '0' && d <= '9') ? d - '0' : (d >= 'a' && d <= 'f') ? d - 'a' + 10 :
             (d >= 'A' && d <= 'F') ? d - 'A' + 10 : -1;
        if (hi < 0 || lo < 0)
            goto bad;
        u[nb++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    memcpy(p->cfg->uuid, u, sizeof(u));
    p->cfg->has_uuid = true;
    return 0;
bad:
    return xlcfg__err(p, v->line, "uuid", "'%.40s%s' is not a UUID (write 36 characters, "
                      "8-4-4-4-12 hex digits, e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301)",
                      v->str, v->len > 40 ? "..." : "");
}

static int set_type(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    if (!strcmp(v->str, "pvh"))
        return 0;   /* the default is already there */
    if (!strcmp(v->str, "pv") || !strcmp(v->str, "hvm"))
        return xlcfg__err(p, v->line, "type", "\"%s\" is not supported: pvhv runs only PVH "
                          "guests (use type = \"pvh\" with a PVH-capable kernel)", v->str);
    return xlcfg__err(p, v->line, "type", "unknown type \"%.40s\" (use type = \"pvh\")", v->str);
}

static int set_action(struct xlcfg__p *p, const struct xlcfg__val *v, enum xlcfg_action *out)
{
    static const struct { const char *s; enum xlcfg_action a; } tab[] = {
        { "destroy", XLCFG_DESTROY }, { "restart", XLCFG_RESTART },
        { "preserve", XLCFG_PRESERVE }, { "rename-restart", XLCFG_RENAME_RESTART },
    };
    const char *key = keys[p->cur].name;

    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        if (!strcmp(v->str, tab[i].s)) {
            *out = tab[i].a;
            return 0;
        }
    }
    if (!strcmp(v->str, "coredump-destroy") || !strcmp(v->str, "coredump-restart") ||
        !strcmp(v->str, "soft-reset"))
        return xlcfg__err(p, v->line, key, "\"%s\" is not supported by pvhv (use destroy, "
                          "restart, preserve or rename-restart)", v->str);
    return xlcfg__err(p, v->line, key, "unknown action \"%.40s\" (use destroy, restart, "
                      "preserve or rename-restart)", v->str);
}

static int apply_str(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    struct xlcfg *cfg = p->cfg;
    const char *key = keys[p->cur].name;

    switch (p->cur) {
    case XK_NAME: return set_name(p, v);
    case XK_UUID: return set_uuid(p, v);
    case XK_TYPE: return set_type(p, v);
    case XK_KERNEL:
        if (v->len == 0)
            return xlcfg__err(p, v->line, key, "empty (give the path of a PVH kernel image)");
        return xlcfg__put(p, v->line, key, cfg->kernel, sizeof(cfg->kernel), v->str, v->len);
    case XK_RAMDISK:    /* "" is "no ramdisk", as config templates write it */
        return xlcfg__put(p, v->line, key, cfg->ramdisk, sizeof(cfg->ramdisk), v->str, v->len);
    case XK_CMDLINE:
        return xlcfg__put(p, v->line, key, cfg->cmdline, sizeof(cfg->cmdline), v->str, v->len);
    case XK_EXTRA:
        return xlcfg__put(p, v->line, key, p->extra, sizeof(p->extra), v->str, v->len);
    case XK_ROOT:
        return xlcfg__put(p, v->line, key, p->root, sizeof(p->root), v->str, v->len);
    case XK_ON_POWEROFF: return set_action(p, v, &cfg->on_poweroff);
    case XK_ON_REBOOT: return set_action(p, v, &cfg->on_reboot);
    case XK_ON_CRASH: return set_action(p, v, &cfg->on_crash);
    default: return type_error(p, v);
    }
}

static int apply_num(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    struct xlcfg *cfg = p->cfg;
    const char *key = keys[p->cur].name;

    switch (p->cur) {
    case XK_MEMORY:
    case XK_MAXMEM:
        if (v->num == 0)
            return xlcfg__err(p, v->line, key, "must be more than 0 MiB (give the size in "
                              "MiB, e.g. %s = 512)", key);
        if (v->num > XLCFG_MAX_MEMORY_MIB)
            return xlcfg__err(p, v->line, key, "%llu MiB is too large (at most %llu; the "
                              "value is in MiB, not bytes)", (unsigned long long)v->num,
                              (unsigned long long)XLCFG_MAX_MEMORY_MIB);
        *(p->cur == XK_MEMORY ? &cfg->memory_mib : &cfg->maxmem_mib) = v->num;
        return 0;
    case XK_VCPUS:
    case XK_MAXVCPUS:
        if (v->num < 1 || v->num > XLCFG_MAX_VCPUS)
            return xlcfg__err(p, v->line, key, "%llu is out of range (1 to %d)",
                              (unsigned long long)v->num, XLCFG_MAX_VCPUS);
        *(p->cur == XK_VCPUS ? &cfg->vcpus : &cfg->maxvcpus) = (unsigned)v->num;
        return 0;
    default:
        return type_error(p, v);
    }
}

static int apply_item(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    struct xlcfg *cfg = p->cfg;
    const char *key = keys[p->cur].name;
    unsigned n = ++p->item;
    int rc;

    if (v->kind != XV_ITEM_STR)
        return xlcfg__err(p, v->line, key, "entry %u: expected a string, found a number "
                          "(quote it: '...')", n);
    if (p->cur == XK_DISK) {
        if (cfg->nr_disks >= XLCFG_MAX_DISKS)
            return xlcfg__err(p, v->line, key, "entry %u: too many disks (at most %d)",
                              n, XLCFG_MAX_DISKS);
        struct xlcfg_disk *d = &cfg->disks[cfg->nr_disks];
        if ((rc = xlcfg__disk(p, v->line, n, v->str, v->len, d)))
            return rc;
        for (unsigned i = 0; i < cfg->nr_disks; i++) {
            if (!strcmp(cfg->disks[i].vdev, d->vdev))
                return xlcfg__err(p, v->line, key, "entry %u: vdev '%s' is already used by "
                                  "entry %u (give each disk its own vdev)", n, d->vdev, i + 1);
            if (cfg->disks[i].emulated && d->emulated)
                return xlcfg__err(p, v->line, key, "entry %u: a second backendtype=emulated "
                                  "disk (entry %u is one; a domain has at most one emulated "
                                  "disk)", n, i + 1);
        }
        cfg->nr_disks++;
        return 0;
    }
    if (cfg->nr_vifs >= XLCFG_MAX_VIFS)
        return xlcfg__err(p, v->line, key, "entry %u: too many vifs (at most %d)",
                          n, XLCFG_MAX_VIFS);
    if ((rc = xlcfg__vif(p, v->line, n, v->str, v->len, &cfg->vifs[cfg->nr_vifs])))
        return rc;
    cfg->nr_vifs++;
    return 0;
}

int xlcfg__apply(struct xlcfg__p *p, const struct xlcfg__val *v)
{
    enum ktype t = keys[p->cur].type;

    switch (v->kind) {
    case XV_STR:
        return t == T_STR ? apply_str(p, v) : type_error(p, v);
    case XV_NUM:
        return t == T_NUM ? apply_num(p, v) : type_error(p, v);
    case XV_LIST:
        if (t != T_LIST)
            return type_error(p, v);
        p->item = 0;    /* a later list replaces an earlier one */
        if (p->cur == XK_DISK)
            p->cfg->nr_disks = 0;
        else
            p->cfg->nr_vifs = 0;
        return 0;
    case XV_ITEM_STR:
    case XV_ITEM_NUM:
        return apply_item(p, v);
    case XV_END:
        return 0;
    }
    return 0;
}

/* ---- after every key -------------------------------------------------- */

static int last_line(const char *text, size_t len)
{
    int n = 0;

    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    if (len && text[len - 1] != '\n')
        n++;
    return n ? n : 1;
}

/* Defaults and the checks that involve more than one key. */
int xlcfg__finish(struct xlcfg__p *p)
{
    struct xlcfg *cfg = p->cfg;
    const struct xlcfg_lines *L = &cfg->lines;
    char w[sizeof(cfg->file) + 16];
    int eofl = last_line(p->text, p->len);

    if (!L->name)
        return xlcfg__err(p, eofl, "name", "missing (every domain needs one: name = \"guest1\")");
    if (!L->kernel)
        return xlcfg__err(p, eofl, "kernel", "missing (give the PVH kernel to boot: "
                          "kernel = \"/path/to/vmlinuz\")");

    if (!L->memory)
        cfg->memory_mib = XLCFG_DEFAULT_MEMORY_MIB;
    if (!L->maxmem)
        cfg->maxmem_mib = cfg->memory_mib;
    else if (cfg->maxmem_mib < cfg->memory_mib)
        return xlcfg__err(p, L->maxmem, "maxmem", "%llu MiB is less than memory (%llu MiB, %s) "
                          "(make maxmem at least memory, or drop it)",
                          (unsigned long long)cfg->maxmem_mib,
                          (unsigned long long)cfg->memory_mib,
                          L->memory ? xlcfg_where(cfg, L->memory, w, sizeof(w)) : "the default");

    if (!L->vcpus)
        cfg->vcpus = 1;
    if (!L->maxvcpus)
        cfg->maxvcpus = cfg->vcpus;
    else if (cfg->maxvcpus < cfg->vcpus)
        return xlcfg__err(p, L->maxvcpus, "maxvcpus", "%u is less than vcpus (%u, %s) "
                          "(make maxvcpus at least vcpus, or drop it)", cfg->maxvcpus,
                          cfg->vcpus, L->vcpus ? xlcfg_where(cfg, L->vcpus, w, sizeof(w))
                                               : "the default");

    /* As xl: cmdline wins; otherwise "root=ROOT EXTRA". */
    if (L->cmdline) {
        if (L->root)
            xlcfg__warn(p, L->root, "root ignored: cmdline is set (%s)",
                        xlcfg_where(cfg, L->cmdline, w, sizeof(w)));
        if (L->extra)
            xlcfg__warn(p, L->extra, "extra ignored: cmdline is set (%s)",
                        xlcfg_where(cfg, L->cmdline, w, sizeof(w)));
    } else if (L->root || L->extra) {
        int n;
        if (L->root && L->extra)
            n = snprintf(cfg->cmdline, sizeof(cfg->cmdline), "root=%s %s", p->root, p->extra);
        else if (L->root)
            n = snprintf(cfg->cmdline, sizeof(cfg->cmdline), "root=%s", p->root);
        else
            n = snprintf(cfg->cmdline, sizeof(cfg->cmdline), "%s", p->extra);
        if (n < 0 || (size_t)n >= sizeof(cfg->cmdline))
            return xlcfg__err(p, L->extra ? L->extra : L->root, L->extra ? "extra" : "root",
                              "the command line it makes is too long (%d bytes, at most %zu)",
                              n, sizeof(cfg->cmdline) - 1);
    }
    return 0;
}

int xlcfg_key_line(const struct xlcfg *cfg, const char *key)
{
    if (!cfg || !key)
        return 0;
    for (int k = 0; k < XK__N; k++) {
        if (!strcmp(key, keys[k].name))
            return *(const int *)((const char *)&cfg->lines + keys[k].line_off);
    }
    return 0;
}

const char *xlcfg_action_name(enum xlcfg_action a)
{
    switch (a) {
    case XLCFG_DESTROY: return "destroy";
    case XLCFG_RESTART: return "restart";
    case XLCFG_PRESERVE: return "preserve";
    case XLCFG_RENAME_RESTART: return "rename-restart";
    }
    return "?";
}
