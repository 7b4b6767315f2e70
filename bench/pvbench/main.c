/* main.c: pvbench, the researcher's instrument: pvhv's paths against the
 * raw platform they are built on, measured in one run, printed as a table
 * and written as CSV, JSON and plots. docs/BENCHMARKS.md explains it. */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvbench.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: pvbench [options] [BUILD]\n"
            "Times pvhv's paths (hypercalls, a trapped MSR write, an emulated device, event\n"
            "channels, grants, a PV ring) inside a guest and from dom0, beside the raw\n"
            "platform measured by a minimal monitor of its own, and compares each figure\n"
            "with its baseline. BUILD is the build tree (default: the one pvbench is in).\n"
            "\n"
            "  --runs N       runs per figure (default 5, at most %d)\n"
            "  --run-ms MS    length of one run (default 100; operations per run follow)\n"
            "  --quick        3 runs of 10 ms: a smoke run, not for reading figures\n"
            "  --csv FILE     write the figures as CSV\n"
            "  --json FILE    write the figures as JSON\n"
            "  --plot DIR     write PNG plots (and their data and gnuplot script) into DIR;\n"
            "                 needs gnuplot (Debian: gnuplot-nox)\n"
            "  --pvhv PATH    the pvhv daemon (default BUILD/bin/pvhv)\n"
            "  --guest PATH   the reference guest (default BUILD/guests/refguest.elf)\n"
            "  --unpaired     time the raw baselines once, before pvhv starts, instead\n"
            "                 of again before each run of the figures compared with them\n"
            "  --cpu N|any    run the raw VM's and the measuring guest's vCPU on CPU N\n"
            "                 (default: the lowest CPU pvbench may use); any: no pinning\n"
            "  --verbose      say what is being measured; pvhv logs to stderr\n"
            "\n"
            "Exit status: 0 the run completed (figures missing, refused for PVM's\n"
            "emulated mode or unavailable here are reported with the reason), 1 a\n"
            "file not written, 2 bad usage.\n",
            PVBENCH_MAX_RUNS);
}

/* The build tree pvbench runs from: BUILD/bin/pvbench. */
static void default_build(char *out, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (n <= 0) {
        snprintf(out, len, "build");
        return;
    }
    exe[n] = 0;
    snprintf(out, len, "%s", dirname(dirname(exe)));
}

static bool number(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "runs", required_argument, NULL, 'r' },   { "run-ms", required_argument, NULL, 'm' },
        { "quick", no_argument, NULL, 'q' },        { "csv", required_argument, NULL, 'c' },
        { "json", required_argument, NULL, 'j' },   { "plot", required_argument, NULL, 'p' },
        { "pvhv", required_argument, NULL, 'P' },   { "guest", required_argument, NULL, 'g' },
        { "verbose", no_argument, NULL, 'v' },      { "help", no_argument, NULL, 'h' },
        { "unpaired", no_argument, NULL, 'u' },     { "cpu", required_argument, NULL, 'C' },
        { NULL, 0, NULL, 0 },
    };
    struct pvbench_opts o = { .runs = 5, .run_ms = 100 };
    struct pvbench_host host = { 0 };
    const char *pvhv = NULL, *guest = NULL, *cpu_arg = NULL;
    bool runs_set = false, ms_set = false;
    char build[PATH_MAX];
    int c;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (!number(optarg, 1, PVBENCH_MAX_RUNS, &o.runs))
                goto bad;
            runs_set = true;
            break;
        case 'm':
            if (!number(optarg, 1, 10000, &o.run_ms))
                goto bad;
            ms_set = true;
            break;
        case 'q':
            o.quick = true;
            break;
        case 'c':
            o.csv = optarg;
            break;
        case 'j':
            o.json = optarg;
            break;
        case 'p':
            o.plot = optarg;
            break;
        case 'P':
            pvhv = optarg;
            break;
        case 'g':
            guest = optarg;
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'u':
            o.unpaired = true;
            break;
        case 'C':
            cpu_arg = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            goto bad;
        }
    }
    if (argc - optind > 1)
        goto bad;
    if (!cpu_arg) {
        o.cpu = cpu_default();
    } else if (!strcmp(cpu_arg, "any")) {
        o.cpu = -1;
    } else {
        unsigned c;
        if (!number(cpu_arg, 0, CPU_SETSIZE - 1, &c) || !cpu_allowed((int)c)) {
            fprintf(stderr, "pvbench: --cpu %s: not a CPU this process may run on\n", cpu_arg);
            return 2;
        }
        o.cpu = (int)c;
    }
    host.cpu = o.cpu;
    if (o.quick) {
        o.runs = runs_set ? o.runs : 3;
        o.run_ms = ms_set ? o.run_ms : 10;
    }
    if (optind < argc)
        snprintf(build, sizeof(build), "%s", argv[optind]);
    else
        default_build(build, sizeof(build));
    snprintf(o.pvhv, sizeof(o.pvhv), "%s", pvhv ? pvhv : "");
    snprintf(o.guest, sizeof(o.guest), "%s", guest ? guest : "");
    if (!pvhv)
        snprintf(o.pvhv, sizeof(o.pvhv), "%s/bin/pvhv", build);
    if (!guest)
        snprintf(o.guest, sizeof(o.guest), "%s/guests/refguest.elf", build);
    if (access(o.pvhv, X_OK) < 0 || access(o.guest, R_OK) < 0) {
        fprintf(stderr, "pvbench: need %s and %s (build first, or name them with --pvhv and "
                        "--guest)\n", o.pvhv, o.guest);
        return 2;
    }
    /* Before measuring: a run that cannot end in its plots is not started. */
    if (o.plot && !plot_available()) {
        fprintf(stderr, "pvbench: --plot needs gnuplot, which is not installed (Debian: "
                        "apt-get install gnuplot-nox); nothing was measured\n");
        return 1;
    }

    raw_measure(&o, &host);
    if (o.unpaired)
        raw_close();
    pvpaths_measure(&o);
    raw_close();
    figures_compute_ratios();
    report_table(&o, &host);

    int rc = 0;
    if (o.csv && report_csv(o.csv) < 0)
        rc = 1;
    if (o.json && report_json(o.json, &o, &host) < 0)
        rc = 1;
    if (o.plot && report_plots(o.plot, &host) < 0)
        rc = 1;
    /* A figure missing or refused is reported (table, CSV, JSON) with its
     * reason; it does not fail the run: the others still hold. */
    for (size_t i = 0; i < pvbench_nr_figures; i++)
        free(pvbench_figures[i].paired);
    return rc;
bad:
    usage(stderr);
    return 2;
}
