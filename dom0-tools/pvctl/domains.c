/* domains.c: finding domains by name or id. pvhv knows which domains
 * exist; xenstore knows their current names (rename changes only it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pvctl.h"

#define LIST_MAX 255

void domain_name(struct session *s, uint32_t domid, char *buf, size_t len)
{
    struct pvhv_ctl_dominfo info;
    char path[64];

    buf[0] = 0;
    if (s->xs) {
        unsigned n = 0;
        snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
        char *v = xs_read(s->xs, XBT_NULL, path, &n);
        if (v) {
            snprintf(buf, len, "%s", v);
            free(v);
            return;
        }
    }
    if (pvctrl_domain_getinfo(s->ctl, domid, &info) == 0)
        snprintf(buf, len, "%s", info.name);
}

/* Visit every domain pvhv has; fn returns non-zero to stop. */
static int each_domain(struct session *s, int (*fn)(struct session *, uint32_t, void *),
                       void *arg)
{
    struct pvhv_ctl_dominfo infos[LIST_MAX];
    uint32_t first = 1;

    for (;;) {
        int n = pvctrl_domain_list(s->ctl, first, infos, LIST_MAX);
        if (n <= 0)
            return n;
        for (int i = 0; i < n; i++) {
            int r = fn(s, infos[i].domid, arg);
            if (r)
                return r;
        }
        first = infos[n - 1].domid + 1;
    }
}

struct find_name {
    const char *name;
    uint32_t domid;
};

static int match_name(struct session *s, uint32_t domid, void *arg)
{
    struct find_name *f = arg;
    char name[PVHV_NAME_MAX + 64];

    domain_name(s, domid, name, sizeof(name));
    if (strcmp(name, f->name))
        return 0;
    f->domid = domid;
    return 1;
}

bool domain_name_taken(struct session *s, const char *name)
{
    struct find_name f = { name, 0 };

    return each_domain(s, match_name, &f) == 1;
}

int domain_lookup(struct session *s, const char *spec, uint32_t *domid)
{
    struct pvhv_ctl_dominfo info;
    struct find_name f = { spec, 0 };
    char *end;

    /* A number is a domid, as in xl; anything else is a name. */
    unsigned long id = strtoul(spec, &end, 10);
    if (*spec && !*end) {
        if (id > 0 && id < DOMID_FIRST_RESERVED &&
            pvctrl_domain_getinfo(s->ctl, (uint32_t)id, &info) == 0) {
            *domid = (uint32_t)id;
            return 0;
        }
        errmsg("no domain with id %s", spec);
        return -ESRCH;
    }
    if (each_domain(s, match_name, &f) == 1) {
        *domid = f.domid;
        return 0;
    }
    errmsg("no domain named '%s'", spec);
    return -ESRCH;
}
