/* cmd_grant.c: the `grant` command: grant two pages to dom0, revoke while mapped and after. */
#include "refguest.h"

static const char *revoke_result(int r, char *buf, size_t len)
{
    if (r == 0)
        return "ok";
    if (r == -XEN_EBUSY)
        return "busy";
    pvfront_snprintf(buf, len, "error %d", r);
    return buf;
}

int cmd_grant(const struct pvfront_boot_info *bi)
{
    /* The table frame and the two pages: free RAM after the image. */
    if (bi->free_end - bi->free_start < 3 * XEN_PAGE_SIZE) {
        pvfront_printf("grant: not enough free RAM\n");
        return 1;
    }
    uint8_t *frame = (uint8_t *)bi->free_start;
    char *a = (char *)frame + XEN_PAGE_SIZE;
    char *b = (char *)frame + 2 * XEN_PAGE_SIZE;
    grant_ref_t ra, rb;
    evtchn_port_t port;
    char err[32];

    int r = pvfront_gnttab_init(frame, 1);
    if (r < 0) {
        pvfront_printf("grant: placing the grant table failed: %d\n", r);
        return 1;
    }
    memset(a, 0, XEN_PAGE_SIZE);
    memset(b, 0, XEN_PAGE_SIZE);
    pvfront_snprintf(a, XEN_PAGE_SIZE, "hello from domU %u", bi->domid);
    pvfront_snprintf(b, XEN_PAGE_SIZE, "readonly page");
    if ((r = pvfront_gnttab_grant_access(0, pvfront_gfn(a), 0, &ra)) < 0 ||
        (r = pvfront_gnttab_grant_access(0, pvfront_gfn(b), 1, &rb)) < 0) {
        pvfront_printf("grant: grant_access failed: %d\n", r);
        return 1;
    }
    if ((r = pvfront_evtchn_alloc_unbound(0, &port)) < 0) {
        pvfront_printf("grant: alloc_unbound failed: %d\n", r);
        return 1;
    }
    pvfront_printf("grant: ref=%u roref=%u port=%u\n", ra, rb, port);

    /* dom0 maps RA (and maybe RB), writes a string into page A, notifies. */
    if (refguest_wait("grant", port) < 0)
        return 1;
    /* Bounded by the page whatever dom0 wrote; unprintable bytes shown as '?'. */
    static char shown[XEN_PAGE_SIZE];
    size_t len = strnlen(a, XEN_PAGE_SIZE - 1);
    for (size_t i = 0; i < len; i++)
        shown[i] = a[i] >= 0x20 && a[i] < 0x7f ? a[i] : '?';
    shown[len] = 0;
    pvfront_printf("grant: dom0 wrote '%s'\n", shown);

    r = pvfront_gnttab_end_access(ra);
    if (r == -XEN_EBUSY)
        pvfront_printf("grant: revoke while mapped: busy\n");
    else if (r == 0)
        pvfront_printf("grant: revoke while mapped: UNEXPECTED ok\n");
    else
        pvfront_printf("grant: revoke while mapped: error %d\n", r);

    /* Tell dom0 to unmap; it answers once it has. */
    if ((r = pvfront_evtchn_send(port)) < 0) {
        pvfront_printf("grant: send failed: %d\n", r);
        return 1;
    }
    if (refguest_wait("grant", port) < 0)
        return 1;
    pvfront_printf("grant: revoke after unmap: %s\n",
                   revoke_result(pvfront_gnttab_end_access(ra), err, sizeof err));
    pvfront_printf("grant: revoke readonly after unmap: %s\n",
                   revoke_result(pvfront_gnttab_end_access(rb), err, sizeof err));
    return 0;
}
