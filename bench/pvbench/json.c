/* json.c: the figures as JSON, written with yajl's generator (so the
 * output is valid JSON by construction). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "pvbench.h"

static void str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void key_str(yajl_gen g, const char *k, const char *v)
{
    str(g, k);
    str(g, v);
}

static void key_num(yajl_gen g, const char *k, double v)
{
    str(g, k);
    yajl_gen_double(g, v);
}

static void key_int(yajl_gen g, const char *k, long long v)
{
    str(g, k);
    yajl_gen_integer(g, v);
}

static void figure_json(yajl_gen g, const struct figure *f)
{
    yajl_gen_map_open(g);
    key_str(g, "id", f->id);
    key_str(g, "label", f->label);
    key_str(g, "group", figure_side_name(f->side));
    key_str(g, "state", figure_state_name(f->state));
    key_str(g, "baseline", f->baseline);
    if (f->bytes)
        key_int(g, "bytes", f->bytes);
    if (f->state == FIG_OK) {
        key_num(g, "min", f->min);
        key_num(g, "median", f->median);
        key_num(g, "p99", f->p99);
        key_int(g, "runs", f->runs);
        key_int(g, "k", (long long)f->k);
        str(g, "run_medians");
        yajl_gen_array_open(g);
        for (unsigned r = 0; r < f->runs; r++)
            yajl_gen_double(g, f->run_median[r]);
        yajl_gen_array_close(g);
        if (f->ratio > 0) {
            key_num(g, "ratio", f->ratio);
            key_num(g, "ratio_min", f->ratio_min);
        }
        if (f->paired_runs) {
            str(g, "baseline_paired");
            yajl_gen_map_open(g);
            key_num(g, "min", f->paired_min);
            key_num(g, "median", f->paired_median);
            key_num(g, "p99", f->paired_p99);
            key_int(g, "runs", f->paired_runs);
            yajl_gen_map_close(g);
        }
    }
    if (f->mode.known) {
        str(g, "vcpu");
        yajl_gen_map_open(g);
        key_str(g, "before", figure_mode_name(f->mode.before));
        key_str(g, "after", figure_mode_name(f->mode.after));
        key_num(g, "emulated_per_s", f->mode.emulated_per_s);
        if (f->side == SIDE_GUEST)
            key_int(g, "probe_ns", (long long)f->mode.probe_ns);
        yajl_gen_map_close(g);
    }
    if (f->why[0])
        key_str(g, "why", f->why);
    yajl_gen_map_close(g);
}

int report_json(const char *path, const struct pvbench_opts *o,
                const struct pvbench_host *host)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    int rc = -1;

    if (!g) {
        fprintf(stderr, "pvbench: out of memory\n");
        return -1;
    }
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    str(g, "pvbench");
    yajl_gen_map_open(g);
    key_int(g, "format", 1);
    key_str(g, "unit", "ns");
    key_str(g, "date", host->date);
    key_str(g, "kernel", host->kernel);
    key_str(g, "platform", host->platform ? host->platform : "unknown");
    key_int(g, "tsc_khz", host->tsc_khz);
    key_int(g, "cpu", host->cpu);
    key_int(g, "runs", o->runs);
    key_int(g, "run_ms", o->run_ms);
    str(g, "quick");
    yajl_gen_bool(g, o->quick);
    yajl_gen_map_close(g);
    str(g, "figures");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < pvbench_nr_figures; i++)
        figure_json(g, &pvbench_figures[i]);
    yajl_gen_array_close(g);
    str(g, "targets");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < pvbench_nr_targets; i++) {
        const struct pvbench_target *t = &pvbench_targets[i];
        const struct figure *f = figure_find(t->id);
        yajl_gen_map_open(g);
        key_str(g, "what", t->what);
        key_str(g, "figure", t->id);
        key_str(g, "baseline", f->baseline);
        key_num(g, "target", t->target);
        if (f->ratio > 0) {
            key_num(g, "ratio", f->ratio);
            key_num(g, "ratio_min", f->ratio_min);
            str(g, "met");
            yajl_gen_bool(g, f->ratio <= t->target);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);

    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
        fprintf(stderr, "pvbench: JSON generation failed\n");
    } else {
        FILE *out = fopen(path, "w");
        bool ok = out && fwrite(buf, 1, len, out) == len;
        if (out && fclose(out) != 0)
            ok = false;
        if (!ok)
            fprintf(stderr, "pvbench: %s: %s\n", path, strerror(errno));
        rc = ok ? 0 : -1;
    }
    yajl_gen_free(g);
    return rc;
}
