/* cmd_disk_hostile.c: `disk op=hostile`: garbage written straight into the blkif ring; each case's status. */
#include <pvfront/blkfront.h>

#include "refguest.h"

#define CASE_TIMEOUT_NS 2000000000ULL

/*
 * Post one raw request and wait up to 2 s for its answer:
 * "disk: hostile CASE status=S" (S the blkif status) or "status=timeout".
 */
static int one(struct pvfront_blkfront *bf, const char *name, const blkif_request_t *req)
{
    struct pvfront_blk_done d[4];
    uint64_t end = pvfront_time_ns() + CASE_TIMEOUT_NS;
    int r;

    if ((r = pvfront_blk_queue_raw(bf, req, (void *)name)) < 0)
        return refguest_disk_failed("queue raw", r);
    pvfront_blk_kick(bf);
    for (;;) {
        uint64_t now = pvfront_time_ns();
        r = pvfront_blk_wait(bf, now < end ? end - now : 0);
        if (r == -XEN_ETIMEDOUT) {
            pvfront_printf("disk: hostile %s status=timeout\n", name);
            return 0;
        }
        if (r < 0)
            return refguest_disk_failed("wait", r);
        int n = pvfront_blk_poll(bf, d, 4);
        if (n < 0)
            return refguest_disk_failed("poll", n);
        for (int i = 0; i < n; i++) {
            /* An earlier case's late answer is dropped; ours ends the case. */
            if (d[i].cookie == (void *)name) {
                pvfront_printf("disk: hostile %s status=%d\n", name, d[i].status);
                return 0;
            }
        }
    }
}

static void rw(blkif_request_t *req, struct pvfront_blkfront *bf, uint8_t op, uint8_t nsegs,
               uint64_t sector, grant_ref_t ref)
{
    memset(req, 0, sizeof *req);
    req->operation = op;
    req->nr_segments = nsegs;
    req->handle = (blkif_vdev_t)bf->devid;
    req->sector_number = sector;
    for (unsigned int i = 0; i < nsegs && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        req->seg[i].gref = ref;
        req->seg[i].first_sect = 0;
        req->seg[i].last_sect = 7;
    }
}

int refguest_disk_hostile(const char *vdev)
{
    static struct pvfront_blkfront bf;
    char name[24];
    grant_ref_t data_ref, ind_ref;
    blkif_request_t req;
    int r;

    uint8_t *data = refguest_disk_take(XEN_PAGE_SIZE);
    uint8_t *ind = refguest_disk_take(XEN_PAGE_SIZE);
    if (!data || !ind) {
        pvfront_printf("disk: not enough free RAM\n");
        return 1;
    }
    if (refguest_disk_connect(&bf, vdev, refguest_disk_free(), name, sizeof name))
        return 1;
    /* Our own grants for the cases that need a valid page. */
    if ((r = pvfront_gnttab_grant_access(bf.backend_id, pvfront_gfn(data), 0, &data_ref)) < 0 ||
        (r = pvfront_gnttab_grant_access(bf.backend_id, pvfront_gfn(ind), 0, &ind_ref)) < 0)
        return refguest_disk_failed("grant", r);

    /* badop: an operation that does not exist. */
    rw(&req, &bf, 0x77, 0, 0, 0);
    if (one(&bf, "badop", &req))
        return 1;

    /* badgref: a ref this domain never granted (the table's last, handed out to nobody). */
    grant_ref_t never = (grant_ref_t)(pvfront_gnttab_nr_refs() - 1);
    if (pvfront_gnttab_in_use(never) != -XEN_EINVAL) {
        pvfront_printf("disk: hostile: ref %u is in use, cannot test badgref\n", never);
        return 1;
    }
    rw(&req, &bf, BLKIF_OP_READ, 1, 0, never);
    if (one(&bf, "badgref", &req))
        return 1;

    /* range: the first sector past the end. */
    rw(&req, &bf, BLKIF_OP_READ, 1, bf.sectors, data_ref);
    if (one(&bf, "range", &req))
        return 1;

    /* segs: 12 segments in a plain request (its slot holds 11). */
    rw(&req, &bf, BLKIF_OP_READ, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, 0, data_ref);
    if (one(&bf, "segs", &req))
        return 1;

    /* indirect-lie: 513 segments (two indirect pages' worth) with one indirect page. */
    struct blkif_request_segment *sg = (struct blkif_request_segment *)ind;
    for (unsigned int i = 0; i < PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE; i++) {
        sg[i].gref = data_ref;
        sg[i].first_sect = 0;
        sg[i].last_sect = 7;
        sg[i]._pad0 = 0;
    }
    blkif_request_indirect_t *ir = (blkif_request_indirect_t *)&req;
    memset(&req, 0, sizeof req);
    ir->operation = BLKIF_OP_INDIRECT;
    ir->indirect_op = BLKIF_OP_READ;
    ir->nr_segments = PVFRONT_BLK_SEGS_PER_INDIRECT_PAGE + 1;
    ir->handle = (blkif_vdev_t)bf.devid;
    ir->sector_number = 0;
    ir->indirect_grefs[0] = ind_ref;
    if (one(&bf, "indirect-lie", &req))
        return 1;

    /* The backend still serves this ring: one honest read. */
    if ((r = pvfront_blk_submit(&bf, BLKIF_OP_READ, 0, data, XEN_PAGE_SIZE, NULL)) < 0)
        return refguest_disk_failed("sane read", r);
    {
        struct pvfront_blk_done d;
        int st = 1;
        uint64_t end = pvfront_time_ns() + CASE_TIMEOUT_NS;
        while (st == 1 && pvfront_time_ns() < end) {
            if (pvfront_blk_wait(&bf, CASE_TIMEOUT_NS) < 0)
                break;
            while (pvfront_blk_poll(&bf, &d, 1) == 1)
                if (d.cookie == NULL)
                    st = d.status;
        }
        if (st == 1)
            pvfront_printf("disk: hostile sane-read status=timeout\n");
        else
            pvfront_printf("disk: hostile sane-read status=%d\n", st);
    }

    /* overflow: req_prod two ring-sizes past what was produced, and a kick. */
    RING_IDX prod = bf.ring.req_prod_pvt + 2 * bf.ring_size;
    xen_wmb();
    PVHV_RING_WRITE_IDX(bf.ring.sring->req_prod, prod);
    xen_mb();
    pvfront_evtchn_send(bf.port);
    pvfront_printf("disk: hostile overflow sent\n");
    /* Give the backend a moment to see it before the domain goes. */
    if (pvfront_sleep_ns(200000000ULL) < 0)
        pvfront_delay_ns(200000000ULL);
    pvfront_printf("disk: hostile done\n");
    return 0;
}
