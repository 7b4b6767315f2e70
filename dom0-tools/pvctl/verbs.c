/* verbs.c: pvctl's verbs on existing domains, with xl's output. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/sched.h>

#include "pvctl.h"

#define LIST_MAX 255

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Exactly `want` operands after the options, or print usage. */
static bool operands(int argc, char **argv, int want)
{
    if (optind < argc && !strcmp(argv[optind], "--"))
        optind++;
    if (argc - optind == want)
        return true;
    verb_usage(argv[0], stderr);
    return false;
}

/* Options -h only. Returns -1 to go on, else an exit code. */
static int no_options(int argc, char **argv)
{
    int opt;

    while ((opt = getopt(argc, argv, "+h")) != -1) {
        if (opt == 'h') {
            verb_usage(argv[0], stdout);
            return EXIT_SUCCESS;
        }
        verb_usage(argv[0], stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/* One DOMAIN operand, resolved. Returns -1 to go on, else an exit code. */
static int one_domain(struct session *s, int argc, char **argv, uint32_t *domid)
{
    int r = no_options(argc, argv);

    if (r >= 0)
        return r;
    if (!operands(argc, argv, 1))
        return EXIT_USAGE;
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    return domain_lookup(s, argv[optind], domid) < 0 ? EXIT_FAILURE : -1;
}

/* xl's state column: r b p s c d, one place each. */
static void state_flags(const struct pvhv_ctl_dominfo *i, char out[7])
{
    memcpy(out, "------", 7);
    switch (i->state) {
    case PVHV_DOMSTATE_RUNNING: out[0] = 'r'; break;
    case PVHV_DOMSTATE_BLOCKED: out[1] = 'b'; break;
    case PVHV_DOMSTATE_PAUSED: out[2] = 'p'; break;
    case PVHV_DOMSTATE_SHUTDOWN: out[3] = 's'; break;
    case PVHV_DOMSTATE_CRASHED: out[3] = 's'; out[4] = 'c'; break;
    case PVHV_DOMSTATE_DYING: out[5] = 'd'; break;
    }
}

/* The domains named by argv[optind..] (names or ids), else every domain:
 * their infos into infos (LIST_MAX entries). Returns how many, or -1 with
 * a message printed. */
static int select_domains(struct session *s, int argc, char **argv,
                          struct pvhv_ctl_dominfo *infos)
{
    int n = 0;

    if (optind < argc) {
        for (int i = optind; i < argc && n < LIST_MAX; i++, n++) {
            uint32_t domid;
            if (domain_lookup(s, argv[i], &domid) < 0 ||
                pvctrl_domain_getinfo(s->ctl, domid, &infos[n]) < 0)
                return -1;
        }
        return n;
    }
    n = pvctrl_domain_list(s->ctl, 1, infos, LIST_MAX);
    if (n < 0) {
        errmsg("cannot list domains: %s", strerror(-n));
        return -1;
    }
    return n;
}

int cmd_list(struct session *s, int argc, char **argv)
{
    struct pvhv_ctl_dominfo infos[LIST_MAX];
    bool longfmt = false;
    int opt, n = 0;

    while ((opt = getopt(argc, argv, "+lh")) != -1) {
        switch (opt) {
        case 'l': longfmt = true; break;
        case 'h': verb_usage("list", stdout); return EXIT_SUCCESS;
        default: verb_usage("list", stderr); return EXIT_USAGE;
        }
    }
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    if ((n = select_domains(s, argc, argv, infos)) < 0)
        return EXIT_FAILURE;
    if (longfmt)
        return list_json(s, infos, n);
    printf("%-40s %5s %5s %5s     %-6s %9s\n", "Name", "ID", "Mem", "VCPUs", "State",
           "Time(s)");
    for (int i = 0; i < n; i++) {
        char name[PVHV_NAME_MAX + 64], st[7];
        domain_name(s, infos[i].domid, name, sizeof(name));
        state_flags(&infos[i], st);
        printf("%-40s %5u %5llu %5u     %-6s %9.1f\n", name, infos[i].domid,
               (unsigned long long)(infos[i].memory_kib / 1024), infos[i].nr_online_vcpus, st,
               (double)infos[i].cpu_time_ns / 1e9);
    }
    return EXIT_SUCCESS;
}

int cmd_destroy(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    int r = one_domain(s, argc, argv, &domid);

    if (r >= 0)
        return r;
    r = domain_teardown(s, domid);
    if (r < 0) {
        errmsg("cannot destroy domain %u: %s", domid, strerror(-r));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/* Ask one domain to shut down the way Xen's toolstack does: through
 * control/shutdown when the guest said it listens (feature-poweroff),
 * else (or with force) through the hypervisor. */
static int request_shutdown(struct session *s, uint32_t domid, uint32_t reason, bool force)
{
    const char *word = reason == SHUTDOWN_reboot ? "reboot" : "poweroff";
    char path[96];
    bool pv = false;

    if (!force && s->xs) {
        unsigned n;
        snprintf(path, sizeof(path), "/local/domain/%u/control/feature-%s", domid, word);
        char *v = xs_read(s->xs, XBT_NULL, path, &n);
        pv = v && !strcmp(v, "1");
        free(v);
    }
    if (pv) {
        snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
        if (!xs_write(s->xs, XBT_NULL, path, word, (unsigned)strlen(word))) {
            errmsg("domain %u: cannot write %s: %s", domid, path, strerror(errno));
            return -errno;
        }
        return 0;
    }
    if (!force)
        fprintf(stderr, "pvctl: domain %u has no PV control interface: shut down by "
                "pvhv instead\n", domid);
    int r = pvctrl_domain_shutdown(s->ctl, domid, reason);
    if (r < 0)
        errmsg("domain %u: cannot shut down: %s", domid, strerror(-r));
    return r;
}

/* Is the domain shut down (or gone)? */
static bool is_down(struct session *s, uint32_t domid, bool *gone)
{
    struct pvhv_ctl_dominfo info;

    *gone = pvctrl_domain_getinfo(s->ctl, domid, &info) < 0;
    return *gone || info.state == PVHV_DOMSTATE_SHUTDOWN ||
           info.state == PVHV_DOMSTATE_CRASHED || info.state == PVHV_DOMSTATE_DYING;
}

/* -w: wait until the domain is down and its on_poweroff/on_reboot action
 * has run: it is gone (destroyed or restarted under a new id), or it
 * stays down past a few of the monitor's polls (preserved). */
static void wait_down(struct session *s, uint32_t domid)
{
    bool gone = false;
    int down_ms = 0;

    while (!gone && down_ms < 1000) {
        if (is_down(s, domid, &gone))
            down_ms += 50;
        if (!gone)
            sleep_ms(50);
    }
    printf("Domain %u has %s\n", domid, gone ? "been destroyed" : "shut down");
}

static int shutdown_verb(struct session *s, int argc, char **argv, uint32_t reason)
{
    bool wait = false, all = false, force = false;
    uint32_t ids[LIST_MAX];
    int opt, n = 0, failed = 0;

    while ((opt = getopt(argc, argv, "+waFh")) != -1) {
        switch (opt) {
        case 'w': wait = true; break;
        case 'a': all = true; break;
        case 'F': force = true; break;
        case 'h': verb_usage(argv[0], stdout); return EXIT_SUCCESS;
        default: verb_usage(argv[0], stderr); return EXIT_USAGE;
        }
    }
    if (all ? !operands(argc, argv, 0) : !operands(argc, argv, 1))
        return EXIT_USAGE;
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    if (all) {
        struct pvhv_ctl_dominfo infos[LIST_MAX];
        n = pvctrl_domain_list(s->ctl, 1, infos, LIST_MAX);
        for (int i = 0; i < n; i++)
            ids[i] = infos[i].domid;
        if (n < 0)
            return EXIT_FAILURE;
    } else {
        if (domain_lookup(s, argv[optind], &ids[0]) < 0)
            return EXIT_FAILURE;
        n = 1;
    }
    for (int i = 0; i < n; i++) {
        printf("%s domain %u\n", reason == SHUTDOWN_reboot ? "Rebooting" : "Shutting down",
               ids[i]);
        fflush(stdout);
        if (request_shutdown(s, ids[i], reason, force) < 0) {
            failed++;
            ids[i] = 0;
        }
    }
    if (wait && n - failed > 0) {
        printf("Waiting for %d domain%s\n", n - failed, n - failed == 1 ? "" : "s");
        fflush(stdout);
        for (int i = 0; i < n; i++)
            if (ids[i])
                wait_down(s, ids[i]);
    }
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_shutdown(struct session *s, int argc, char **argv)
{
    return shutdown_verb(s, argc, argv, SHUTDOWN_poweroff);
}

int cmd_reboot(struct session *s, int argc, char **argv)
{
    return shutdown_verb(s, argc, argv, SHUTDOWN_reboot);
}

int cmd_pause(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    int r = one_domain(s, argc, argv, &domid);

    if (r >= 0)
        return r;
    r = pvctrl_domain_pause(s->ctl, domid);
    if (r < 0)
        errmsg("cannot pause domain %u: %s", domid, strerror(-r));
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_unpause(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    int r = one_domain(s, argc, argv, &domid);

    if (r >= 0)
        return r;
    r = pvctrl_domain_unpause(s->ctl, domid);
    if (r < 0)
        errmsg("cannot unpause domain %u: %s", domid, strerror(-r));
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_domid(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    int r = no_options(argc, argv);

    if (r >= 0)
        return r;
    if (!operands(argc, argv, 1))
        return EXIT_USAGE;
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    /* xl domid takes a name only. */
    r = domain_lookup(s, argv[optind], &domid);
    if (r < 0)
        return EXIT_FAILURE;
    printf("%u\n", domid);
    return EXIT_SUCCESS;
}

int cmd_domname(struct session *s, int argc, char **argv)
{
    char name[PVHV_NAME_MAX + 64], *end;
    struct pvhv_ctl_dominfo info;
    int r = no_options(argc, argv);

    if (r >= 0)
        return r;
    if (!operands(argc, argv, 1))
        return EXIT_USAGE;
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    unsigned long id = strtoul(argv[optind], &end, 10);
    if (!*argv[optind] || *end || id >= DOMID_FIRST_RESERVED) {
        errmsg("'%s' is not a domain id", argv[optind]);
        return EXIT_FAILURE;
    }
    if (pvctrl_domain_getinfo(s->ctl, (uint32_t)id, &info) < 0) {
        errmsg("no domain with id %lu", id);
        return EXIT_FAILURE;
    }
    domain_name(s, (uint32_t)id, name, sizeof(name));
    printf("%s\n", name);
    return EXIT_SUCCESS;
}

int cmd_rename(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    int r = no_options(argc, argv);

    if (r >= 0)
        return r;
    if (!operands(argc, argv, 2))
        return EXIT_USAGE;
    const char *to = argv[optind + 1];
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    if (domain_lookup(s, argv[optind], &domid) < 0)
        return EXIT_FAILURE;
    if (!xlcfg_name_valid(to)) {
        errmsg("'%s' is not a valid domain name (1-63 of A-Z a-z 0-9 _ . -, not all "
               "digits, not starting with -)", to);
        return EXIT_FAILURE;
    }
    if (domain_name_taken(s, to)) {
        errmsg("a domain named '%s' already exists", to);
        return EXIT_FAILURE;
    }
    r = records_rename(s, domid, to);
    if (r < 0) {
        errmsg("cannot rename domain %u: %s", domid, strerror(-r));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

static const char *mode_name(uint32_t mode)
{
    switch (mode) {
    case PVHV_VCPU_MODE_NATIVE: return "native";
    case PVHV_VCPU_MODE_EMULATED: return "emulated";
    case PVHV_VCPU_MODE_HVM: return "hvm";
    default: return "-";
    }
}

int cmd_vcpu_list(struct session *s, int argc, char **argv)
{
    struct pvhv_ctl_dominfo infos[LIST_MAX];
    int n = 0, r = no_options(argc, argv);

    if (r >= 0)
        return r;
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    if ((n = select_domains(s, argc, argv, infos)) < 0)
        return EXIT_FAILURE;
    /* Timer: who runs the vCPU's singleshot timer, pvhv or KVM (KVM's Xen
     * support, guests on the callback vector). */
    printf("%-32s %5s %5s %-6s %9s %-8s %12s %12s %-5s\n", "Name", "ID", "VCPU", "State",
           "Time(s)", "Mode", "Exits", "Hypercalls", "Timer");
    for (int i = 0; i < n; i++) {
        struct pvhv_ctl_vcpuinfo v[PVHV_MAX_VCPUS];
        char name[PVHV_NAME_MAX + 64];
        int nv = pvctrl_vcpu_info(s->ctl, infos[i].domid, v, PVHV_MAX_VCPUS);
        domain_name(s, infos[i].domid, name, sizeof(name));
        for (int k = 0; k < nv; k++) {
            const char *st = !v[k].online ? "---" : v[k].blocked ? "-b-" : "r--";
            printf("%-32s %5u %5u %-6s %9.1f %-8s %12llu %12llu %-5s\n", name, infos[i].domid,
                   v[k].vcpu, st, (double)v[k].cpu_time_ns / 1e9, mode_name(v[k].mode),
                   (unsigned long long)v[k].exits, (unsigned long long)v[k].hypercalls,
                   v[k].timer_port ? "kvm" : "pvhv");
        }
    }
    return EXIT_SUCCESS;
}

int cmd_dmesg(struct session *s, int argc, char **argv)
{
    char buf[4096];
    uint64_t off = 0;
    uint32_t domid;
    int r = one_domain(s, argc, argv, &domid);

    if (r >= 0)
        return r;
    while ((r = pvctrl_console_read(s->ctl, domid, &off, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)r, stdout);
    if (r < 0)
        errmsg("cannot read the console of domain %u: %s", domid, strerror(-r));
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_uptime(struct session *s, int argc, char **argv)
{
    struct pvhv_ctl_dominfo infos[LIST_MAX];
    bool shortfmt = false;
    int opt, n = 0;

    while ((opt = getopt(argc, argv, "+sh")) != -1) {
        switch (opt) {
        case 's': shortfmt = true; break;
        case 'h': verb_usage("uptime", stdout); return EXIT_SUCCESS;
        default: verb_usage("uptime", stderr); return EXIT_USAGE;
        }
    }
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    if ((n = select_domains(s, argc, argv, infos)) < 0)
        return EXIT_FAILURE;
    if (!shortfmt)
        printf("%-32s %5s %s\n", "Name", "ID", "Uptime");
    for (int i = 0; i < n; i++) {
        char name[PVHV_NAME_MAX + 64];
        uint64_t sec = infos[i].uptime_ns / 1000000000ull;
        domain_name(s, infos[i].domid, name, sizeof(name));
        if (sec >= 86400)
            printf("%-32s %5u %llu day%s, %2llu:%02llu:%02llu\n", name, infos[i].domid,
                   (unsigned long long)(sec / 86400), sec / 86400 == 1 ? "" : "s",
                   (unsigned long long)(sec % 86400 / 3600),
                   (unsigned long long)(sec % 3600 / 60), (unsigned long long)(sec % 60));
        else
            printf("%-32s %5u %2llu:%02llu:%02llu\n", name, infos[i].domid,
                   (unsigned long long)(sec / 3600), (unsigned long long)(sec % 3600 / 60),
                   (unsigned long long)(sec % 60));
    }
    return EXIT_SUCCESS;
}

int cmd_info(struct session *s, int argc, char **argv)
{
    struct pvhv_ctl_dominfo infos[LIST_MAX];
    int r = no_options(argc, argv);

    if (r >= 0)
        return r;
    if (!operands(argc, argv, 0))
        return EXIT_USAGE;
    if (session_need(s, false) < 0)
        return EXIT_FAILURE;
    int n = pvctrl_domain_list(s->ctl, 1, infos, LIST_MAX);
    uint64_t mem = 0;
    for (int i = 0; i < n; i++)
        mem += infos[i].memory_kib;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGE_SIZE);
    printf("%-24s: %s\n", "run_directory", s->rundir);
    printf("%-24s: %ld\n", "nr_cpus", cpus);
    printf("%-24s: %lld\n", "total_memory", (long long)pages * psize / (1024 * 1024));
    printf("%-24s: %d\n", "nr_domains", n < 0 ? 0 : n);
    printf("%-24s: %llu\n", "domain_memory", (unsigned long long)(mem / 1024));
    printf("%-24s: %s\n", "xenstore", s->xs ? "running" : "not running");
    printf("%-24s: %s\n", "xen_caps", "hvm-3.0-x86_64 (PVH guests)");
    return EXIT_SUCCESS;
}

int cmd_console(struct session *s, int argc, char **argv)
{
    uint32_t domid;
    int r = one_domain(s, argc, argv, &domid);

    if (r >= 0)
        return r;
    return console_run(s, domid);
}
