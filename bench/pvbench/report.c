/* report.c: the figures as an aligned table on stdout, and as CSV. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pvbench.h"

/* Run-to-run spread: (largest - smallest run median) / median. */
static double spread(const struct figure *f)
{
    double lo = f->run_median[0], hi = lo;

    for (unsigned r = 1; r < f->runs; r++) {
        lo = f->run_median[r] < lo ? f->run_median[r] : lo;
        hi = f->run_median[r] > hi ? f->run_median[r] : hi;
    }
    return f->median > 0 ? (hi - lo) / f->median : 0;
}

void report_table(const struct pvbench_opts *o, const struct pvbench_host *host)
{
    printf("pvbench: pvhv against the raw platform (%s, kernel %s, TSC %.0f MHz), %s\n",
           host->platform ? (!strcmp(host->platform, "pvm") ? "KVM PVM" : "KVM VT-x/SVM")
                          : "platform unknown",
           host->kernel, host->tsc_khz / 1000.0, host->date);
    if (host->cpu >= 0)
        printf("the raw VM's and the measuring guest's vCPU on CPU %d; ", host->cpu);
    printf("%u runs per figure of ~%u ms each; us per operation over all runs; spread: "
           "range of the runs' medians / median;\nratios: median / the baseline's median "
           "(and min / the baseline's min)\n\n",
           o->runs, o->run_ms);
    printf("  %-44s %9s %9s %9s %7s  %s\n", "figure", "min", "median", "p99", "spread",
           "ratios to the baseline");
    int side = -1, notes = 0;
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        const struct figure *f = &pvbench_figures[i];
        if ((int)f->side != side) {
            side = (int)f->side;
            printf("%s\n", figure_side_name(f->side));
        }
        if (f->state != FIG_OK) {
            printf("  %-44s %s [%d]\n", f->label, figure_state_name(f->state), ++notes);
            continue;
        }
        printf("  %-44s %9.2f %9.2f %9.2f %6.1f%%  ", f->label, f->min / 1000,
               f->median / 1000, f->p99 / 1000, 100 * spread(f));
        if (!strcmp(f->baseline, f->id))
            printf("(baseline)\n");
        else if (f->ratio > 0)
            printf("%5.2fx (%5.2fx) %s%s\n", f->ratio, f->ratio_min, f->baseline,
                   f->paired_runs ? "*" : "");
        else
            printf("     - (%s missing)\n", f->baseline);
    }
    notes = 0;
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        const struct figure *f = &pvbench_figures[i];
        if (f->state == FIG_OK)
            continue;
        if (!notes++)
            printf("\n");
        printf("[%d] %s %s: %s\n", notes, f->id, figure_state_name(f->state), f->why);
    }
    printf("\n* baseline timed again right before each of the figure's runs, on the same "
           "CPU (the ratios use those runs)\n");
    printf("\ntargets (issue 10):\n");
    for (size_t i = 0; i < pvbench_nr_targets; i++) {
        const struct pvbench_target *t = &pvbench_targets[i];
        const struct figure *f = figure_find(t->id);
        if (f->ratio > 0)
            printf("  %-46s %5.2f, min %5.2f (target <= %.2f: %s)\n", t->what, f->ratio,
                   f->ratio_min, t->target, f->ratio <= t->target ? "met" : "missed");
        else
            printf("  %-46s  n/a (target <= %.2f)\n", t->what, t->target);
    }
}

/* A CSV field: quoted, inner quotes doubled (RFC 4180). */
static void csv_text(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int report_csv(const char *path)
{
    FILE *out = fopen(path, "w");

    if (!out) {
        fprintf(stderr, "pvbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(out, "id,label,group,state,min_ns,median_ns,p99_ns,runs,k,spread,baseline,ratio,"
                 "ratio_min,baseline_paired_median_ns,bytes,vcpu_before,vcpu_after,emulated_per_s,"
                 "probe_ns,why\n");
    for (size_t i = 0; i < pvbench_nr_figures; i++) {
        const struct figure *f = &pvbench_figures[i];
        fprintf(out, "%s,", f->id);
        csv_text(out, f->label);
        fputc(',', out);
        csv_text(out, figure_side_name(f->side));
        fprintf(out, ",%s,", figure_state_name(f->state));
        if (f->state == FIG_OK)
            fprintf(out, "%.1f,%.1f,%.1f,%u,%llu,%.4f,", f->min, f->median, f->p99, f->runs,
                    (unsigned long long)f->k, spread(f));
        else
            fprintf(out, ",,,,,,");
        fprintf(out, "%s,", f->baseline);
        if (f->ratio > 0)
            fprintf(out, "%.4f,%.4f,", f->ratio, f->ratio_min);
        else
            fprintf(out, ",,");
        if (f->paired_runs)
            fprintf(out, "%.1f", f->paired_median);
        fprintf(out, ",%u,", f->bytes);
        if (f->mode.known)
            fprintf(out, "%s,%s,%.0f,", figure_mode_name(f->mode.before),
                    figure_mode_name(f->mode.after), f->mode.emulated_per_s);
        else
            fprintf(out, ",,,");
        if (f->mode.known && f->side == SIDE_GUEST)
            fprintf(out, "%lu", f->mode.probe_ns);
        fputc(',', out);
        csv_text(out, f->why);
        fputc('\n', out);
    }
    if (fclose(out) != 0) {
        fprintf(stderr, "pvbench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}
