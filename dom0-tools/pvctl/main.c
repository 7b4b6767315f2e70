/* main.c: pvctl, pvhv's toolstack: xl's verbs, options and exit codes. */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvctl.h"

static const struct verb {
    const char *name;
    int (*run)(struct session *s, int argc, char **argv);
    const char *usage; /* first line: synopsis; then options */
} verbs[] = {
    { "create", cmd_create,
      "create [-c] [-p] [-q] CONFIG [KEY=VALUE ...]\n"
      "  Create a domain from an xl.cfg file; KEY=VALUE lines override it.\n"
      "  -c  attach to its console at once (Ctrl-] detaches)\n"
      "  -p  leave it paused\n"
      "  -q  quiet: print nothing on success\n" },
    { "list", cmd_list,
      "list [-l] [DOMAIN ...]\n"
      "  List domains: name, id, memory (MiB), vCPUs, state, CPU time (s).\n"
      "  State: r running, b blocked, p paused, s shut down, c crashed, d dying.\n"
      "  -l  long format: JSON, with each domain's config\n" },
    { "destroy", cmd_destroy,
      "destroy DOMAIN\n"
      "  Stop the domain at once and free everything it holds.\n" },
    { "shutdown", cmd_shutdown,
      "shutdown [-w] [-a] [-F] [DOMAIN]\n"
      "  Ask the guest to power off (xenstore control/shutdown). A guest without\n"
      "  the PV control interface is shut down by the hypervisor instead.\n"
      "  -w  wait until the domain has shut down\n"
      "  -a  all domains\n"
      "  -F  use the hypervisor at once, whatever the guest supports\n" },
    { "reboot", cmd_reboot,
      "reboot [-w] [-a] [-F] [DOMAIN]\n"
      "  As shutdown, with reason reboot (on_reboot then applies).\n" },
    { "pause", cmd_pause, "pause DOMAIN\n  Stop the domain's vCPUs.\n" },
    { "unpause", cmd_unpause, "unpause DOMAIN\n  Let a paused domain run.\n" },
    { "console", cmd_console,
      "console DOMAIN\n"
      "  Attach to the domain's console; Ctrl-] detaches.\n" },
    { "info", cmd_info, "info\n  Show the host: pvhv, KVM, daemons, domains.\n" },
    { "domid", cmd_domid, "domid NAME\n  Print the id of domain NAME.\n" },
    { "domname", cmd_domname, "domname DOMID\n  Print the name of domain DOMID.\n" },
    { "rename", cmd_rename, "rename DOMAIN NEW-NAME\n  Rename a domain.\n" },
    { "vcpu-list", cmd_vcpu_list,
      "vcpu-list [DOMAIN ...]\n"
      "  One line per vCPU: state, CPU time, exits, hypercalls, execution mode.\n" },
    { "dmesg", cmd_dmesg,
      "dmesg DOMAIN\n"
      "  Print what the domain wrote to the hypervisor's console (console_io\n"
      "  hypercalls and Xen's debug port 0xe9), as kept by pvhv.\n" },
    { "uptime", cmd_uptime,
      "uptime [-s] [DOMAIN ...]\n"
      "  How long each domain has run.\n"
      "  -s  short: no header\n" },
    { "block-attach", cmd_block_attach,
      "block-attach DOMAIN DISKSPEC\n"
      "  Attach a disk, DISKSPEC as one disk=[...] entry of xl.cfg\n"
      "  (e.g. 'format=raw, vdev=xvdb, access=rw, target=/srv/data.img').\n" },
    { "block-detach", cmd_block_detach,
      "block-detach DOMAIN VDEV\n"
      "  Detach a disk (by name, xvdb, or device number) once its backend has closed.\n" },
    { "block-list", cmd_block_list,
      "block-list DOMAIN\n"
      "  List the domain's disks: device, state, event channel, ring, backend path.\n" },
    { "network-attach", cmd_network_attach,
      "network-attach DOMAIN VIFSPEC\n"
      "  Attach a network interface, VIFSPEC as one vif=[...] entry of xl.cfg\n"
      "  (e.g. 'bridge=pvnat0, mac=00:16:3e:00:00:01, mtu=1500').\n" },
    { "network-detach", cmd_network_detach,
      "network-detach DOMAIN INDEX|MAC\n"
      "  Detach a network interface once its backend has closed.\n" },
    { "network-list", cmd_network_list,
      "network-list DOMAIN\n"
      "  List the domain's network interfaces: MAC, state, event channel, rings.\n" },
    { "net-create", cmd_net_create,
      "net-create NAME [mode=hostonly|nat] [subnet=A.B.C.D/P]\n"
      "  Make a host network (a bridge) for vifs to join with bridge=NAME: hostonly\n"
      "  reaches the host and its guests only; nat also reaches out through the\n"
      "  host (masquerade). The host takes the subnet's first address; the default\n"
      "  subnet is a free 10.X.Y.0/24. Needs the nft program.\n" },
    { "net-destroy", cmd_net_destroy,
      "net-destroy NAME\n"
      "  Remove a network net-create made (its vifs are let go).\n" },
    { "net-list", cmd_net_list,
      "net-list [-a]\n"
      "  List the networks pvctl made; -a adds every other bridge (bridged).\n" },
    { "host", cmd_host,
      "host status|start|stop\n"
      "  Show, start or stop the daemons (pvhv, pvxenstored, pvconsoled) of the\n"
      "  run directory. stop refuses while domains exist unless -f is given.\n" },
};
#define NR_VERBS (sizeof(verbs) / sizeof(verbs[0]))

void errmsg(const char *fmt, ...)
{
    va_list ap;

    fputs("pvctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cfgerr(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const struct verb *find_verb(const char *name)
{
    for (size_t i = 0; i < NR_VERBS; i++)
        if (!strcmp(verbs[i].name, name))
            return &verbs[i];
    return NULL;
}

bool verb_usage(const char *name, FILE *f)
{
    const struct verb *v = find_verb(name);

    if (!v)
        return false;
    fprintf(f, "usage: pvctl %s", v->usage);
    return true;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: pvctl [--rundir DIR] VERB [ARGS]\n"
               "  The run directory is DIR, else $PV_RUNDIR, else /run/pv.\n"
               "  pvctl help VERB shows a verb's options.\n\nverbs:\n");
    for (size_t i = 0; i < NR_VERBS; i++) {
        const char *nl = strchr(verbs[i].usage, '\n');
        const char *desc = nl + 3; /* "\n  " */
        const char *end = strchr(desc, '\n');
        fprintf(f, "  %-15s %.*s\n", verbs[i].name, (int)(end - desc), desc);
    }
}

/* The daemons are installed beside pvctl (bin/, or build/bin/). */
static void find_bindir(char *out, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (n <= 0) {
        snprintf(out, len, ".");
        return;
    }
    self[n] = 0;
    snprintf(out, len, "%s", dirname(self));
}

int main(int argc, char **argv)
{
    struct session s = { 0 };
    const char *rundir = getenv("PV_RUNDIR");
    const struct verb *v;
    int i = 1, rc;

    if (i < argc && !strcmp(argv[i], "--rundir")) {
        if (i + 1 >= argc) {
            usage(stderr);
            return EXIT_USAGE;
        }
        rundir = argv[i + 1];
        i += 2;
    } else if (i < argc && !strncmp(argv[i], "--rundir=", 9)) {
        rundir = argv[i] + 9;
        i++;
    }
    if (!rundir || !*rundir)
        rundir = "/run/pv";
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
        if (i + 1 < argc) {
            if (!verb_usage(argv[i + 1], stdout)) {
                errmsg("no verb '%s'; pvctl help lists them", argv[i + 1]);
                return EXIT_FAILURE;
            }
            return EXIT_SUCCESS;
        }
        usage(stdout);
        return EXIT_SUCCESS;
    }
    v = find_verb(argv[i]);
    if (!v) {
        errmsg("no verb '%s'; pvctl help lists them", argv[i]);
        return EXIT_USAGE;
    }
    if (strlen(rundir) >= sizeof(s.rundir) - 64) {
        errmsg("run directory path too long");
        return EXIT_FAILURE;
    }
    snprintf(s.rundir, sizeof(s.rundir), "%s", rundir);
    /* libxs and the daemons find the run directory here. */
    setenv("PV_RUNDIR", s.rundir, 1);
    find_bindir(s.bindir, sizeof(s.bindir));

    /* Each verb parses its own options with getopt from argv[0] = verb,
     * then connects (session_need), so bad usage never starts daemons. */
    optind = 1;
    rc = v->run(&s, argc - i, argv + i);
    session_close(&s);
    return rc;
}
