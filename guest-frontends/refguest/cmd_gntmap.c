/* cmd_gntmap.c: grants between two guests: `grant-to` grants a page to a
 * peer domain and takes orders from its console; `gntmap` maps the peer's
 * grant into its own physical address space, reads and writes it. */
#include <pvhv/sched.h>

#include "refguest.h"

/* Where gntmap maps: identity-mapped by libpvfront, but not RAM. */
#define MAP_GPA 0x40000000UL

/* Read one console line (blocking by polling with yields). */
static void read_line(char *line, size_t len)
{
    size_t n = 0;
    char c;

    for (;;) {
        int r = pvfront_console_read(&c, 1);
        if (r < 0)
            return;
        if (r == 0) {
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
            continue;
        }
        if (c == '\n' || c == '\r') {
            line[n] = 0;
            return;
        }
        if (n < len - 1)
            line[n++] = c;
    }
}

int cmd_grant_to(const struct pvfront_boot_info *bi)
{
    uint64_t peer = 0;
    uint8_t *frame = (uint8_t *)bi->free_start;
    char *page = (char *)frame + XEN_PAGE_SIZE, line[64];
    grant_ref_t ref;
    int r;

    if (pvfront_cmdline_get_u64("peer", &peer) < 0 || peer >= DOMID_FIRST_RESERVED) {
        pvfront_printf("grantto: peer=DOMID needed\n");
        return 1;
    }
    if ((r = pvfront_gnttab_init(frame, 1)) < 0 ||
        (pvfront_snprintf(page, XEN_PAGE_SIZE, "shared by domU %u", bi->domid),
         r = pvfront_gnttab_grant_access((domid_t)peer, pvfront_gfn(page), 0, &ref)) < 0) {
        pvfront_printf("grantto: grant failed: %d\n", r);
        return 1;
    }
    pvfront_printf("grantto: ref=%u\n", ref);
    for (;;) {
        read_line(line, sizeof(line));
        if (!strcmp(line, "revoke")) {
            r = pvfront_gnttab_end_access(ref);
            pvfront_printf("grantto: revoke %s\n", r == 0 ? "ok" : r == -XEN_EBUSY ? "busy"
                                                                                   : "error");
        } else if (!strcmp(line, "show")) {
            pvfront_printf("grantto: page says '%.60s'\n", page);
        } else if (!strcmp(line, "quit")) {
            return 0;
        }
    }
}

int cmd_gntmap(const struct pvfront_boot_info *bi)
{
    uint64_t peer = 0, ref = 0;
    char line[64];

    if (pvfront_cmdline_get_u64("peer", &peer) < 0 || pvfront_cmdline_get_u64("ref", &ref) < 0) {
        pvfront_printf("gntmap: peer=DOMID ref=REF needed\n");
        return 1;
    }
    struct gnttab_map_grant_ref m = {
        .host_addr = MAP_GPA, .flags = GNTMAP_host_map, .ref = (grant_ref_t)ref,
        .dom = (domid_t)peer,
    };
    long r = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
    pvfront_printf("gntmap: map rc=%ld status=%d\n", r, m.status);
    if (r < 0 || m.status != GNTST_okay)
        return 1;
    volatile char *p = (volatile char *)MAP_GPA;
    char seen[64];
    unsigned i = 0;
    for (; i < sizeof(seen) - 1 && p[i]; i++)
        seen[i] = p[i];
    seen[i] = 0;
    pvfront_printf("gntmap: read '%s'\n", seen);
    pvfront_snprintf((char *)MAP_GPA, 64, "written by domU %u", bi->domid);
    /* A second map of the same address is refused. */
    struct gnttab_map_grant_ref again = m;
    HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &again, 1);
    pvfront_printf("gntmap: second map at the same address status=%d\n", again.status);
    pvfront_printf("gntmap: mapped\n");
    read_line(line, sizeof(line)); /* the test says when to unmap */
    struct gnttab_unmap_grant_ref u = { .host_addr = MAP_GPA, .handle = m.handle };
    r = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    pvfront_printf("gntmap: unmap rc=%ld status=%d\n", r, u.status);
    return r == 0 && u.status == GNTST_okay ? 0 : 1;
}
