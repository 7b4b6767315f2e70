/* gnttab_client.c: dom0's grant maps and copies, in libxengnttab's shape.
 * pvhv checks each grant and hands over the granter's memory fd; this
 * side maps exactly the granted pages from it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvhv/errno.h>
#include <pvhv/grant_table.h>

#include "pvctrl.h"

#define PAGE 4096UL

/* One mapped region and the handles pvhv gave for its pages. */
struct region {
    struct region *next;
    uint8_t *addr;
    uint32_t count;
    uint32_t handles[];
};

struct pvctrl_gnttab {
    struct pvctrl *ctl;
    struct region *regions;
};

int pvctrl_gnttab_open(const char *rundir, struct pvctrl_gnttab **out)
{
    struct pvctrl_gnttab *h = calloc(1, sizeof(*h));
    int r;

    if (!h)
        return -XEN_ENOMEM;
    r = pvctrl_open(rundir, &h->ctl);
    if (r < 0) {
        free(h);
        return r;
    }
    *out = h;
    return 0;
}

static void send_unmap(struct pvctrl_gnttab *h, const uint32_t *handles, uint32_t n)
{
    int16_t st[PVHV_GNTTAB_MAP_MAX];

    if (n)
        pvctrl_call(h->ctl, PVHV_CTL_GNTTAB_UNMAP, handles, n * sizeof(uint32_t), NULL, 0,
                    st, sizeof(st), NULL);
}

void pvctrl_gnttab_close(struct pvctrl_gnttab *h)
{
    if (!h)
        return;
    while (h->regions) {
        struct region *r = h->regions;
        h->regions = r->next;
        munmap(r->addr, r->count * PAGE);
        free(r);
    }
    pvctrl_close(h->ctl); /* pvhv releases the grants with the connection */
    free(h);
}

void *pvctrl_gnttab_map_grant_refs(struct pvctrl_gnttab *h, uint32_t count,
                                   uint32_t domid, const uint32_t *refs, int prot)
{
    struct pvhv_ctl_gnttab_mapping *maps = NULL;
    struct region *reg = NULL;
    uint8_t *req = NULL, *area = MAP_FAILED;
    int fd = -1, nfds = 0, err = EINVAL;
    size_t got = 0;

    if (count == 0 || count > PVHV_GNTTAB_MAP_MAX || !(prot & PROT_READ)) {
        errno = EINVAL;
        return NULL;
    }
    struct pvhv_ctl_gnttab_map m = { .domid = domid, .count = count,
                                     .flags = (prot & PROT_WRITE) ? 0 : GNTMAP_readonly };
    size_t len = sizeof(m) + count * sizeof(uint32_t);
    req = malloc(len);
    maps = calloc(count, sizeof(*maps));
    reg = calloc(1, sizeof(*reg) + count * sizeof(uint32_t));
    if (!req || !maps || !reg) {
        err = ENOMEM;
        goto fail;
    }
    memcpy(req, &m, sizeof(m));
    memcpy(req + sizeof(m), refs, count * sizeof(uint32_t));
    int r = pvctrl_call_fds(h->ctl, PVHV_CTL_GNTTAB_MAP, req, len, NULL, 0, maps,
                            count * sizeof(*maps), &got, &fd, 1, &nfds);
    if (r < 0 || got != count * sizeof(*maps)) {
        err = r < 0 ? -r : EIO;
        goto fail;
    }
    uint32_t ok = 0;
    for (uint32_t i = 0; i < count; i++)
        if (maps[i].status == GNTST_okay)
            reg->handles[ok++] = maps[i].handle;
    if (ok != count || nfds != 1) {
        send_unmap(h, reg->handles, ok);
        err = EPERM;
        goto fail;
    }
    /* Reserve the range, then put each granted page at its place. */
    area = mmap(NULL, count * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        err = errno;
        send_unmap(h, reg->handles, ok);
        goto fail;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (mmap(area + i * PAGE, PAGE, prot & (PROT_READ | PROT_WRITE),
                 MAP_SHARED | MAP_FIXED, fd, (off_t)maps[i].offset) == MAP_FAILED) {
            err = errno;
            munmap(area, count * PAGE);
            area = MAP_FAILED;
            send_unmap(h, reg->handles, ok);
            goto fail;
        }
    }
    close(fd);
    reg->addr = area;
    reg->count = count;
    reg->next = h->regions;
    h->regions = reg;
    free(req);
    free(maps);
    return area;

fail:
    if (fd >= 0 && nfds)
        close(fd);
    free(req);
    free(maps);
    free(reg);
    errno = err;
    return NULL;
}

int pvctrl_gnttab_unmap(struct pvctrl_gnttab *h, void *addr, uint32_t count)
{
    for (struct region **p = &h->regions; *p; p = &(*p)->next) {
        struct region *r = *p;
        if (r->addr != addr || r->count != count)
            continue;
        /* Unmap here first: pvhv may let the granter revoke at once. */
        munmap(r->addr, r->count * PAGE);
        send_unmap(h, r->handles, r->count);
        *p = r->next;
        free(r);
        return 0;
    }
    return -XEN_EINVAL;
}

int pvctrl_gnttab_grant_copy(struct pvctrl_gnttab *h, uint32_t count,
                             struct gnttab_copy *ops)
{
    size_t got = 0;

    if (count == 0 || count > PVHV_GNTTAB_MAP_MAX)
        return -XEN_EINVAL;
    int r = pvctrl_call(h->ctl, PVHV_CTL_GNTTAB_COPY, ops, count * sizeof(*ops), NULL, 0,
                        ops, count * sizeof(*ops), &got);
    if (r == 0 && got != count * sizeof(*ops))
        r = -XEN_EIO;
    return r;
}
