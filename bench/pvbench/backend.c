/* backend.c: pvbench's dom0 end of the guest's figures, in one thread: it
 * answers each event on the round-trip port, serves the benchmark ring
 * (ring.h's backend loop, the guest not trusted) and, at each handshake on
 * the sync port, takes pvhv's view of the guest's vCPU before answering.
 * It blocks in poll() as a real backend would. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "benchlib.h"

static void note(struct backend *b, const char *what, int err)
{
    if (!b->err[0])
        snprintf(b->err, sizeof(b->err), "%s: %s", what, strerror(err < 0 ? -err : err));
}

/* Answer every request on the ring with the same id and value. */
static void serve_ring(struct backend *b)
{
    pvbench_back_ring_t *r = &b->ring;
    int more, notify;

    do {
        RING_IDX rp = PVHV_RING_READ_IDX(r->sring->req_prod);
        xen_rmb();
        if (RING_REQUEST_PROD_OVERFLOW(r, rp)) {
            note(b, "the guest's ring claims more requests than it holds", EPROTO);
            return;
        }
        while (r->req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(r, r->req_cons)) {
            struct pvbench_request req;
            RING_COPY_REQUEST(r, r->req_cons, &req);
            r->req_cons++;
            struct pvbench_response *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
            rsp->id = req.id;
            rsp->value = req.value;
            r->rsp_prod_pvt++;
            b->served++;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
            if (notify) {
                int e = pvctrl_evtchn_notify(b->evtchn, (uint32_t)b->ring_port);
                if (e < 0)
                    note(b, "notify on the ring port", e);
            }
        }
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
    } while (more);
}

/* A handshake: pvhv's view of the vCPU, then the caller's hook. */
static void handshake(struct backend *b)
{
    struct pvhv_ctl_vcpuinfo info;
    struct backend_snap *s = b->nsnaps < BACKEND_MAX_SNAPS ? &b->snaps[b->nsnaps] : NULL;
    int n = pvctrl_vcpu_info(b->ctl, b->domid, &info, 1);

    if (s) {
        s->ok = n >= 1;
        s->mode = s->ok ? info.mode : 0;
        s->insn = s->ok ? info.insn_emulated : 0;
        s->t_ns = bench_now_ns();
        s->hook_ns = b->hook_ns;
        b->nsnaps++;
    }
    if (b->control && b->on_sync) {
        /* One copy of what the guest may change at any time, checked. */
        struct pvbench_control c;
        memcpy(&c, (const void *)b->control, sizeof(c));
        c.id[sizeof(c.id) - 1] = 0;
        double t0 = bench_now_ns();
        b->on_sync(&c, b->on_sync_arg);
        b->hook_ns += bench_now_ns() - t0;
    }
    __atomic_add_fetch(&b->progress, 1, __ATOMIC_RELEASE);
}

static void *backend_main(void *arg)
{
    struct backend *b = arg;
    struct pollfd pfd = { .fd = pvctrl_evtchn_fd(b->evtchn), .events = POLLIN };
    int e;

    if ((e = pvctrl_evtchn_notify(b->evtchn, (uint32_t)b->sync_port)) < 0) /* go */
        note(b, "the go event", e);
    while (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int port;
        while ((port = pvctrl_evtchn_pending(b->evtchn)) >= 0) {
            if (port == b->rt_port) {
                e = pvctrl_evtchn_notify(b->evtchn, (uint32_t)port);
            } else if (port == b->ring_port) {
                serve_ring(b);
                e = 0;
            } else if (port == b->sync_port) {
                handshake(b);
                e = pvctrl_evtchn_notify(b->evtchn, (uint32_t)port);
            } else {
                e = 0;
            }
            if (e < 0)
                note(b, "notify", e);
        }
    }
    return NULL;
}

int backend_start(struct backend *b)
{
    int e = pthread_create(&b->thread, NULL, backend_main, b);

    if (e)
        return -e;
    b->started = true;
    return 0;
}

void backend_stop(struct backend *b)
{
    if (!b->started)
        return;
    __atomic_store_n(&b->stop, 1, __ATOMIC_RELEASE);
    pthread_join(b->thread, NULL);
    b->started = false;
}
