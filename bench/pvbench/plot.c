/* plot.c: PNG plots through gnuplot (Debian's gnuplot-nox): grant copy
 * cost against payload size, PV against emulated round trips, and every
 * pvhv figure against its baseline. The data files and the gnuplot script
 * stay beside the PNGs, so a plot can be redrawn or restyled by hand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvbench.h"

bool plot_available(void)
{
    const char *path = getenv("PATH");
    char dir[512], exe[600];

    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
        snprintf(exe, sizeof(exe), "%s/gnuplot", dir[0] ? dir : ".");
        if (access(exe, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (!(f = fopen(path, "w")))
        fprintf(stderr, "pvbench: %s: %s\n", path, strerror(errno));
    return f;
}

/* A label as a gnuplot string in a data file. */
static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        if (*s != '"' && *s != '\\')
            fputc(*s, f);
    fputc('"', f);
}

static const struct {
    const char *id, *label;
} round_trips[] = {
    { "ring.rt", "PV ring guest<->dom0" },
    { "emul.device_rt", "emulated device (2 MMIO exits)" },
    { "evt.rt_dom0", "event guest<->dom0" },
    { "evt.rt_guest", "event guest<->guest" },
    { "raw.irq_rt", "raw kick round trip" },
    { "raw.mmio_exit", "raw MMIO exit" },
};

static int write_data(const char *dir, double *null_hc)
{
    FILE *f = open_in(dir, "grant_copy.dat");

    if (!f)
        return -1;
    fprintf(f, "# bytes median_us min_us p99_us (GNTTABOP_copy, guest to guest)\n");
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        const struct figure *g = &pvbench_figures[i];
        if (g->bytes && g->state == FIG_OK)
            fprintf(f, "%u %.3f %.3f %.3f\n", g->bytes, g->median / 1000, g->min / 1000,
                    g->p99 / 1000);
    }
    fclose(f);
    const struct figure *n = figure_find("hc.null");
    *null_hc = n->state == FIG_OK ? n->median / 1000 : 0;

    if (!(f = open_in(dir, "roundtrips.dat")))
        return -1;
    fprintf(f, "# label median_us min_us p99_us\n");
    for (size_t i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
        const struct figure *g = figure_find(round_trips[i].id);
        if (g->state != FIG_OK)
            continue;
        quoted(f, round_trips[i].label);
        fprintf(f, " %.3f %.3f %.3f\n", g->median / 1000, g->min / 1000, g->p99 / 1000);
    }
    fclose(f);

    if (!(f = open_in(dir, "overhead.dat")))
        return -1;
    fprintf(f, "# figure (baseline) ratio_of_medians\n");
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        const struct figure *g = &pvbench_figures[i];
        char label[160];
        if ((g->side != SIDE_GUEST && g->side != SIDE_DOM0) || g->ratio <= 0)
            continue;
        snprintf(label, sizeof(label), "%s (%s)", g->id, g->baseline);
        quoted(f, label);
        fprintf(f, " %.4f\n", g->ratio);
    }
    fclose(f);
    return 0;
}

static int write_script(const char *dir, const struct pvbench_host *host, double null_hc)
{
    FILE *f = open_in(dir, "pvbench.gp");
    char sub[256];

    if (!f)
        return -1;
    snprintf(sub, sizeof(sub), "%s, %s, %s", host->platform ? host->platform : "?",
             host->kernel, host->date);
    fprintf(f,
            "# pvbench's plots; run `gnuplot pvbench.gp` in this directory to redraw them.\n"
            "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "    set terminal pngcairo size 1024,640 noenhanced\n"
            "} else {\n"
            "    set terminal png size 1024,640 noenhanced\n"
            "}\n"
            "set grid\n"
            "\n"
            "set output \"grant_copy.png\"\n"
            "set title \"Grant copy cost against payload size (GNTTABOP_copy, guest to guest)\\n%s\"\n"
            "set xlabel \"payload per hypercall (bytes, log scale; 64 KiB = 16 ops of 4 KiB)\"\n"
            "set ylabel \"time per hypercall (us): median, bars min to p99\"\n"
            "set logscale x 2\n"
            "set xrange [32:131072]\n"
            "set yrange [0:*]\n"
            "set key top left\n"
            "plot \"grant_copy.dat\" using 1:2:3:4 with yerrorlines lw 2 title \"grant copy\"",
            sub);
    if (null_hc > 0)
        fprintf(f, ", \\\n     %.3f with lines dt 2 lw 2 title \"null hypercall (median)\"",
                null_hc);
    fprintf(f,
            "\n\n"
            "set output \"roundtrips.png\"\n"
            "unset logscale\n"
            "set xrange [*:*]\n"
            "set title \"PV against emulated round trips\\n%s\"\n"
            "set xlabel \"path (one request and its answer)\"\n"
            "set ylabel \"time per round trip (us): median, bars min to p99\"\n"
            "set style fill solid 0.5 border -1\n"
            "set xtics rotate by 20 right\n"
            "set offsets 0.8, 0.5, 0, 0\n"
            "set lmargin 14\n"
            "set bmargin 7\n"
            "# boxerrorbars, 5 columns: x, y, ylow, yhigh, box width\n"
            "plot \"roundtrips.dat\" using 0:2:3:4:(0.6):xtic(1) with boxerrorbars notitle\n"
            "\n"
            "set output \"overhead.png\"\n"
            "set title \"pvhv's paths against their baselines\\n%s\"\n"
            "set xlabel \"figure (its baseline)\"\n"
            "set ylabel \"median / baseline median (log scale; 1 = as cheap)\"\n"
            "set logscale y\n"
            "set yrange [0.5:*]\n"
            "set xtics rotate by 45 right font \",9\"\n"
            "set bmargin 13\n"
            "set key top left\n"
            "set boxwidth 0.6\n"
            "set offsets 0.5, 0.5, 0, 0\n"
            "plot \"overhead.dat\" using 0:2:xtic(1) with boxes notitle, \\\n"
            "     1.10 with lines dt 2 lw 2 title \"target 1.10 (null hypercall / raw exit)\", \\\n"
            "     1.25 with lines dt 3 lw 2 title \"target 1.25 (event kick / raw ioeventfd)\"\n",
            sub, sub);
    return fclose(f) == 0 ? 0 : -1;
}

int report_plots(const char *dir, const struct pvbench_host *host)
{
    double null_hc;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "pvbench: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (write_data(dir, &null_hc) < 0 || write_script(dir, host, null_hc) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "pvbench: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (chdir(dir) < 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "pvbench.gp", (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "pvbench: gnuplot failed on %s/pvbench.gp (status %d)\n", dir,
                WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        return -1;
    }
    return 0;
}
