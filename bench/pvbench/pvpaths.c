/* pvpaths.c: pvhv's paths: a private pvhv, the measuring guest (refguest
 * cmd=pvbench role=main) and its peer (role=peer), dom0's side of every
 * figure, and the guest's result lines turned into figures, each checked
 * against pvhv's view of the vCPU's mode. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvhv/pvhv_control.h>
#include <pvhv/pvhv_platform.h>

#include "backend.h"
#include "benchlib.h"
#include "pvbench.h"

#define MAIN_MIB 64
#define PEER_MIB 32
#define GUEST_TIMEOUT_MS 30000 /* any one wait inside the guests */

struct session {
    const struct pvbench_opts *o;
    char rundir[64];
    pid_t pvhv;
    struct pvctrl *ctl;
    uint32_t main_dom, peer_dom;
    bool have_main, have_peer;
    struct bench_console main_con, peer_con;
    struct pvctrl_evtchn *kick_evtchn; /* never polled: kicks pile up unread */
    struct pvctrl_gnttab *gnttab;
    void *ring_page;
    const void *control_page;
    unsigned map_ref;
    struct backend be;
    char stopped[200]; /* why the guest ended early, for its missing figures */
};

static int fail(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct session *s, const char *fmt, ...)
{
    va_list ap;

    (void)s;
    fprintf(stderr, "pvbench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return -1;
}

static int create(struct session *s, const char *name, uint64_t mib, uint32_t *domid)
{
    int r = pvctrl_domain_create(s->ctl, name, NULL, mib * 1024, 1, domid);

    return r < 0 ? fail(s, "cannot create domain %s: %s", name, strerror(-r)) : 0;
}

static int boot(struct session *s, uint32_t domid, const char *cmdline)
{
    char why[256] = "";
    int r = pvctrl_domain_load(s->ctl, domid, s->o->guest, NULL, cmdline, why, sizeof(why));

    if (r < 0)
        return fail(s, "cannot load %s: %s", s->o->guest, why[0] ? why : strerror(-r));
    if ((r = pvctrl_domain_unpause(s->ctl, domid)) < 0)
        return fail(s, "cannot start domain %u: %s", domid, strerror(-r));
    return 0;
}

static const char *await_line(struct session *s, struct bench_console *c, const char *text)
{
    const char *p = bench_console_await(s->ctl, c, text, GUEST_TIMEOUT_MS, 5);

    if (!p)
        fail(s, "domain %u never printed '%s'; its console:\n%s", c->domid, text, c->text);
    return p;
}

/* dom0's own figure: map and unmap one of the guest's grants. */
static int dom0_map(void *arg)
{
    struct session *s = arg;
    uint32_t ref = s->map_ref;
    void *p = pvctrl_gnttab_map_grant_refs(s->gnttab, 1, s->main_dom, &ref,
                                           PROT_READ | PROT_WRITE);

    return p && pvctrl_gnttab_unmap(s->gnttab, p, 1) == 0 ? 0 : -1;
}

/*
 * The backend's hook at each handshake: before each run of a guest figure
 * whose baseline is a raw figure, time one run of that baseline in the
 * raw VM (the guest waits meanwhile), so figure and baseline see the
 * machine at the same moments.
 */
static void pair_baseline(const struct pvbench_control *c, void *arg)
{
    (void)arg;
    if (c->phase != PVBENCH_PHASE_BEFORE && c->phase != PVBENCH_PHASE_RUN)
        return;
    struct figure *f = figure_find(c->id);
    struct figure *b = f && f->side == SIDE_GUEST ? figure_find(f->baseline) : NULL;
    if (!b || b->side != SIDE_RAW || b->state != FIG_OK || !b->k ||
        f->paired_runs >= PVBENCH_MAX_RUNS)
        return;
    double *more = realloc(f->paired, (f->npaired + b->k) * sizeof(double));
    if (!more)
        return;
    f->paired = more;
    if (raw_time_run(b, f->paired + f->npaired) < 0)
        return;
    f->npaired += b->k;
    f->paired_runs++;
}

/* Boot both guests and connect dom0's ends. */
static int connect(struct session *s)
{
    const struct pvbench_opts *o = s->o;
    char cmd[256];
    unsigned pport, pref, ppages, kick, rt, ring, sync, ring_ref, control_ref;
    int r;

    if (create(s, "pvbench", MAIN_MIB, &s->main_dom) < 0)
        return -1;
    s->have_main = true;
    if (create(s, "pvbench-peer", PEER_MIB, &s->peer_dom) < 0)
        return -1;
    s->have_peer = true;
    bench_console_init(&s->main_con, s->main_dom);
    bench_console_init(&s->peer_con, s->peer_dom);

    snprintf(cmd, sizeof(cmd), "cmd=pvbench role=peer peer=%u", s->main_dom);
    const char *l;
    if (boot(s, s->peer_dom, cmd) < 0 ||
        !(l = await_line(s, &s->peer_con, "pvbench: peer port=")))
        return -1;
    if (sscanf(l, "pvbench: peer port=%u ref=%u pages=%u", &pport, &pref, &ppages) != 3 ||
        ppages != PVBENCH_PEER_PAGES)
        return fail(s, "the peer's line is not what refguest.h says: %.80s", l);

    snprintf(cmd, sizeof(cmd),
             "cmd=pvbench role=main peer=%u peer_port=%u peer_ref=%u runs=%u run_ms=%u "
             "timeout_ms=%d",
             s->peer_dom, pport, pref, o->runs, o->run_ms, GUEST_TIMEOUT_MS);
    if (boot(s, s->main_dom, cmd) < 0 || !(l = await_line(s, &s->main_con, "pvbench: dom0 ")))
        return -1;
    /* Its vCPU on the CPU the raw baselines run on (cpu.c says why). */
    char thread[16];
    snprintf(thread, sizeof(thread), "d%uv0", s->main_dom);
    if (o->cpu >= 0 && (r = cpu_pin_thread(s->pvhv, thread, o->cpu)) < 0)
        fprintf(stderr, "pvbench: cannot pin pvhv's thread %s to CPU %d: %s\n", thread, o->cpu,
                strerror(-r));
    if (sscanf(l, "pvbench: dom0 kick=%u rt=%u ring=%u sync=%u ring_ref=%u map_ref=%u "
                  "control_ref=%u",
               &kick, &rt, &ring, &sync, &ring_ref, &s->map_ref, &control_ref) != 7)
        return fail(s, "the guest's line is not what refguest.h says: %.80s", l);

    struct backend *b = &s->be;
    if ((r = pvctrl_open(s->rundir, &b->ctl)) < 0 ||
        (r = pvctrl_evtchn_open(s->rundir, &b->evtchn)) < 0 ||
        (r = pvctrl_evtchn_open(s->rundir, &s->kick_evtchn)) < 0 ||
        (r = pvctrl_gnttab_open(s->rundir, &s->gnttab)) < 0)
        return fail(s, "cannot connect to pvhv: %s", strerror(-r));
    b->domid = s->main_dom;
    if ((r = pvctrl_evtchn_bind_interdomain(s->kick_evtchn, s->main_dom, kick)) < 0 ||
        (r = b->rt_port = pvctrl_evtchn_bind_interdomain(b->evtchn, s->main_dom, rt)) < 0 ||
        (r = b->ring_port = pvctrl_evtchn_bind_interdomain(b->evtchn, s->main_dom, ring)) < 0 ||
        (r = b->sync_port = pvctrl_evtchn_bind_interdomain(b->evtchn, s->main_dom, sync)) < 0)
        return fail(s, "cannot bind the guest's ports: %s", strerror(-r));
    /* A fresh bind leaves our end pending: start from nothing. */
    while (pvctrl_evtchn_pending(b->evtchn) >= 0)
        ;
    uint32_t ref = ring_ref;
    s->ring_page = pvctrl_gnttab_map_grant_refs(s->gnttab, 1, s->main_dom, &ref,
                                                PROT_READ | PROT_WRITE);
    if (!s->ring_page)
        return fail(s, "cannot map the guest's ring: %s", strerror(errno));
    BACK_RING_INIT(&b->ring, (pvbench_sring_t *)s->ring_page, 4096);
    ref = control_ref;
    s->control_page = pvctrl_gnttab_map_grant_refs(s->gnttab, 1, s->main_dom, &ref, PROT_READ);
    if (!s->control_page)
        return fail(s, "cannot map the guest's control page: %s", strerror(errno));
    b->control = s->control_page;
    b->on_sync = pair_baseline;
    return 0;
}

/* Wait for "pvbench: done" (or the guest's end), reading the console
 * rarely: each read is a request pvhv serves while the guest is timed. */
static int wait_done(struct session *s)
{
    const struct pvbench_opts *o = s->o;
    /* Generous: every figure's runs, calibration and handshakes, thrice. */
    double limit = bench_now_ns() + 60e9 + pvbench_nr_figures * o->runs * o->run_ms * 3e6;
    struct pvhv_ctl_dominfo info;

    for (;;) {
        usleep(250000);
        bench_console_poll(s->ctl, &s->main_con);
        if (strstr(s->main_con.text, "pvbench: done\n"))
            return 0;
        if (s->be.err[0])
            return fail(s, "dom0's backend: %s", s->be.err);
        if (pvctrl_domain_getinfo(s->ctl, s->main_dom, &info) == 0 &&
            (info.state == PVHV_DOMSTATE_SHUTDOWN || info.state == PVHV_DOMSTATE_CRASHED)) {
            bench_console_poll(s->ctl, &s->main_con);
            if (strstr(s->main_con.text, "pvbench: done\n"))
                return 0;
            snprintf(s->stopped, sizeof(s->stopped), "the guest stopped (%s%s%s) before it",
                     pvctrl_state_name(info.state), info.crash_msg[0] ? ": " : "",
                     info.crash_msg);
            return fail(s, "%s finished; its console:\n%s", s->stopped, s->main_con.text);
        }
        if (bench_now_ns() > limit)
            return fail(s, "the guest did not finish in time; its console:\n%s",
                        s->main_con.text);
        if (o->verbose)
            fprintf(stderr, "pvbench: guest handshakes so far: %u\n",
                    __atomic_load_n(&s->be.progress, __ATOMIC_ACQUIRE));
    }
}

/*
 * Refuse a guest figure taken in PVM's emulated mode: pvhv's own view
 * (the mode its 250 ms tick saw) before and after, and KVM's count of
 * emulated instructions in between, as a rate.
 */
static void check_mode(struct session *s, struct figure *f, unsigned sync, unsigned after,
                       const unsigned long probe[2])
{
    const struct backend *b = &s->be;

    if (after <= sync || after >= b->nsnaps || !b->snaps[sync].ok || !b->snaps[after].ok) {
        f->state = FIG_REFUSED;
        snprintf(f->why, sizeof(f->why),
                 "pvhv did not say which mode the vCPU ran in (no vCPU info around handshake "
                 "%u), so the figure may come from PVM's emulated mode",
                 sync);
        return;
    }
    const struct backend_snap *a = &b->snaps[sync], *z = &b->snaps[after];
    /* The guest's own time: less what dom0 spent timing the baseline. */
    double secs = (z->t_ns - a->t_ns - (z->hook_ns - a->hook_ns)) / 1e9;
    f->mode.known = true;
    f->mode.before = a->mode;
    f->mode.after = z->mode;
    f->mode.emulated_per_s = secs > 0 ? (double)(z->insn - a->insn) / secs : 0;
    /* The rate applies whatever pvhv calls the platform: on VT-x/SVM KVM
     * emulates only MMIO accesses, far below it, and a pvhv told the
     * wrong platform (PV_PLATFORM=hvm on PVM) reports HVM for a guest
     * that never left PVM's emulator. */
    unsigned long slow = probe[0] > probe[1] ? probe[0] : probe[1];
    f->mode.probe_ns = slow;
    if (a->mode == PVHV_VCPU_MODE_EMULATED || z->mode == PVHV_VCPU_MODE_EMULATED ||
        f->mode.emulated_per_s > PVBENCH_EMULATED_RATE || slow > PVBENCH_PROBE_NS) {
        f->state = FIG_REFUSED;
        snprintf(f->why, sizeof(f->why),
                 "the vCPU ran in PVM's emulated mode, where every instruction costs ~0.7 us, "
                 "so the figure would time KVM's emulator, not pvhv (pvhv saw the vCPU %s "
                 "before and %s after; KVM emulated %.0f instructions a second; 1000 rounds "
                 "of a two-instruction loop took %lu ns)",
                 figure_mode_name(a->mode), figure_mode_name(z->mode),
                 f->mode.emulated_per_s, slow);
    }
}

/* One "pvbench: fig ..." line into its figure. */
static void parse_figure(struct session *s, const char *line)
{
    char id[32];
    unsigned sync, after, runs;
    unsigned long long k, min, med, p99;
    int n = 0;

    if (sscanf(line, "pvbench: fig %31s sync=%u,%u runs=%u k=%llu min=%llu median=%llu "
                     "p99=%llu run_medians=%n",
               id, &sync, &after, &runs, &k, &min, &med, &p99, &n) != 8 || !n) {
        fprintf(stderr, "pvbench: cannot read the guest's line: %.100s\n", line);
        return;
    }
    struct figure *f = figure_find(id);
    if (!f || f->side != SIDE_GUEST || runs < 1 || runs > PVBENCH_MAX_RUNS) {
        fprintf(stderr, "pvbench: the guest reported an unknown figure: %.100s\n", line);
        return;
    }
    const char *p = line + n;
    for (unsigned r = 0; r < runs; r++) {
        char *end;
        f->run_median[r] = (double)strtoull(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
    }
    unsigned long probe[2] = { ULONG_MAX, ULONG_MAX }; /* missing: not native */
    const char *eol = strchr(line, '\n'), *pr = strstr(line, " probe=");
    if (pr && (!eol || pr < eol))
        sscanf(pr, " probe=%lu,%lu", &probe[0], &probe[1]);
    /* A baseline the guest timed between the runs itself. */
    unsigned long bmin, bmed, b99, kb;
    const char *bp = strstr(line, " base=");
    if (bp && (!eol || bp < eol) &&
        sscanf(bp, " base=%lu,%lu,%lu,%lu", &bmin, &bmed, &b99, &kb) == 4 && bmin <= bmed &&
        bmed <= b99) {
        f->paired_min = (double)bmin;
        f->paired_median = (double)bmed;
        f->paired_p99 = (double)b99;
        f->paired_runs = runs;
    }
    f->runs = runs;
    f->k = k;
    f->min = (double)min;
    f->median = (double)med;
    f->p99 = (double)p99;
    f->state = FIG_OK;
    check_mode(s, f, sync, after, probe);
}

static void parse_results(struct session *s)
{
    for (const char *l = s->main_con.text; (l = strstr(l, "pvbench: ")); l++) {
        if (l != s->main_con.text && l[-1] != '\n')
            continue;
        char id[32], why[200];
        if (!strchr(l, '\n'))
            break; /* the last line, unfinished: the guest stopped in it */
        if (!strncmp(l, "pvbench: fig ", 13)) {
            parse_figure(s, l);
        } else if (sscanf(l, "pvbench: skip %31[^:]: %199[^\n]", id, why) == 2) {
            struct figure *f = figure_find(id);
            if (f) {
                f->state = FIG_UNAVAILABLE;
                snprintf(f->why, sizeof(f->why), "%s", why);
            }
        }
    }
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void teardown(struct session *s)
{
    backend_stop(&s->be);
    if (s->ring_page)
        pvctrl_gnttab_unmap(s->gnttab, s->ring_page, 1);
    if (s->control_page)
        pvctrl_gnttab_unmap(s->gnttab, (void *)s->control_page, 1);
    if (s->gnttab)
        pvctrl_gnttab_close(s->gnttab);
    if (s->kick_evtchn)
        pvctrl_evtchn_close(s->kick_evtchn);
    if (s->be.evtchn)
        pvctrl_evtchn_close(s->be.evtchn);
    if (s->be.ctl)
        pvctrl_close(s->be.ctl);
    if (s->have_main)
        pvctrl_domain_destroy(s->ctl, s->main_dom);
    if (s->have_peer)
        pvctrl_domain_destroy(s->ctl, s->peer_dom);
    if (s->ctl)
        pvctrl_close(s->ctl);
    if (s->pvhv > 0)
        pvctrl_stop_pvhv(s->pvhv, 5000);
    nftw(s->rundir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int pvpaths_measure(const struct pvbench_opts *o)
{
    static struct session s; /* the consoles are big */
    int r, rc = -1;

    memset(&s, 0, sizeof(s));
    s.o = o;
    snprintf(s.rundir, sizeof(s.rundir), "/tmp/pvbench-XXXXXX");
    if (!mkdtemp(s.rundir))
        return fail(&s, "mkdtemp: %s", strerror(errno));
    if ((r = pvctrl_start_pvhv(o->pvhv, s.rundir, !o->verbose, &s.pvhv)) < 0 ||
        (r = pvctrl_open(s.rundir, &s.ctl)) < 0) {
        fail(&s, "cannot start %s: %s", o->pvhv, strerror(-r));
        goto out;
    }
    if (connect(&s) < 0)
        goto out;

    struct figure *f = figure_find("gnt.map_dom0");
    if (o->verbose)
        fprintf(stderr, "pvbench: %s\n", f->id);
    cpu_set_t old;
    cpu_pin_self(o->cpu, &old);
    time_host_op(o, f, dom0_map, &s, "pvctrl_gnttab_map_grant_refs/unmap");
    cpu_restore_self(&old);

    /* pvhv's tick names the vCPU's mode every 250 ms: have a first answer
     * before the first figure, so "before" means something. */
    for (int i = 0; i < 40; i++) {
        struct pvhv_ctl_vcpuinfo vi;
        if (pvctrl_vcpu_info(s.ctl, s.main_dom, &vi, 1) == 1 &&
            vi.mode != PVHV_VCPU_MODE_UNKNOWN)
            break;
        usleep(50000);
    }
    if ((r = backend_start(&s.be)) < 0) {
        fail(&s, "cannot start dom0's backend thread: %s", strerror(-r));
        goto out;
    }
    rc = wait_done(&s);
    backend_stop(&s.be);
    if (rc == 0 && s.be.err[0])
        rc = fail(&s, "dom0's backend: %s", s.be.err);
    /* What the guest reported before any failure still counts. */
    bench_console_poll(s.ctl, &s.main_con);
    parse_results(&s);
out:
    if (rc < 0)
        bench_console_poll(s.ctl, &s.main_con);
    if (o->verbose)
        fprintf(stderr, "pvbench: the measuring guest's console:\n%s", s.main_con.text);
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        f = &pvbench_figures[i];
        if ((f->side == SIDE_GUEST || f->side == SIDE_DOM0) && f->state == FIG_MISSING)
            snprintf(f->why, sizeof(f->why), "%s%s",
                     s.stopped[0] ? s.stopped
                     : rc < 0     ? "the pvhv part of the run failed (see above)"
                                  : "the guest did not report it",
                     s.stopped[0] ? " reported it" : "");
    }
    teardown(&s);
    return rc;
}
