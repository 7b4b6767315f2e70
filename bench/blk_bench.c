/* blk_bench.c: the block driver's figures beside their baselines, on one
 * scratch file in one run: host fio (Debian's fio) straight on the file,
 * a guest's fio through the PV disk (blkfront and pvblkback: once as
 * pvctl starts pvblkback, whose 8192 persistent grants keep a full ring of
 * 1 MiB requests mapped, once with Linux's 1056, past which pages are
 * copied), and the same guest workload
 * through pvhv's emulated disk (port I/O, trap-and-emulate). MB/s and IOPS
 * per job, PV over host fio and PV over the emulated disk, and the issue's
 * two aims as met/short lines. A benchmark: it prints figures and asserts
 * nothing about them.
 *
 * Usage: blk_bench [--size-mb N] [--runtime-ms T] [BUILD] (1024 MiB, 2000
 * ms, build). 1 GiB, not less: a PV sequential pass over 256 MiB lasts
 * ~0.2 s, too short to amortise pvblkback mapping the guest's pages on
 * first use (~40 ms for 8192 pages). The file lives in $TMPDIR, else
 * /var/tmp (disk-backed: tmpfs refuses O_DIRECT). Needs root and
 * /dev/kvm; without fio the host column says so and the rest runs. The
 * guests are created with pvctl, as an administrator would, on a private
 * run directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "benchlib.h"
#include "pvctrl.h"

#define GUEST_TIMEOUT_MS 300000
/* pvblkback's persistent grants for the second PV run: Linux's
 * max_persistent_grants. */
#define LINUX_PGRANTS 1056

/* One job's figures from one party. */
struct fig {
    bool ok;
    double mbs, iops, p50_us, p99_us;
    unsigned depth; /* the depth it ran at */
};
/* The columns: who ran the job. */
enum { HOST, PV, PVLINUX, EMUL, NWHO };
static const char *const who_name[NWHO] = { "host", "PV", "PV 1056", "emulated" };
/* The jobs, in refguest's order (guest-frontends/refguest/fio.c). */
static struct job {
    const char *name, *rw, *bs;
    unsigned depth;
    bool random;
    struct fig f[NWHO];
} jobs[] = {
#define JOB(n, rw_, bs_, d, r) { .name = n, .rw = rw_, .bs = bs_, .depth = d, .random = r }
    JOB("seqwrite", "write", "1M", 32, false),      JOB("seqread", "read", "1M", 32, false),
    JOB("randread", "randread", "4k", 1, true),     JOB("randwrite", "randwrite", "4k", 1, true),
    JOB("randread", "randread", "4k", 32, true),    JOB("randwrite", "randwrite", "4k", 32, true),
    JOB("randread", "randread", "4k", 64, true),    JOB("randwrite", "randwrite", "4k", 64, true),
#undef JOB
};
#define NJOBS (sizeof(jobs) / sizeof(jobs[0]))

static char build[512], dir[64], rundir[96], image[128];
static unsigned size_mb = 1024, runtime_ms = 2000;
static struct pvctrl *ctl;

static void cleanup(void)
{
    if (ctl)
        pvctrl_close(ctl);
    ctl = NULL;
    if (rundir[0])
        bench_sh("'%s/bin/pvctl' --rundir '%s' host stop -f > /dev/null 2>&1", build, rundir);
    if (dir[0])
        bench_sh("rm -rf '%s'", dir);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "blk_bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    cleanup();
    exit(1);
}

/* The scratch file, written through once so every run overwrites
 * allocated blocks (no one pays for allocation the others do not). Does
 * it take O_DIRECT as pvblkback and pvhv open it? */
static bool make_image(void)
{
    static char buf[1 << 20];
    int fd = open(image, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
        die("%s: %s", image, strerror(errno));
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 131 + 7);
    for (unsigned i = 0; i < size_mb; i++)
        if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
            die("%s: write: %s", image, strerror(errno));
    if (fsync(fd) < 0)
        die("%s: fsync: %s", image, strerror(errno));
    close(fd);
    fd = open(image, O_RDONLY | O_DIRECT | O_CLOEXEC);
    void *p = NULL;
    bool direct = fd >= 0 && posix_memalign(&p, 4096, 4096) == 0 && pread(fd, p, 4096, 0) == 4096;
    free(p);
    if (fd >= 0)
        close(fd);
    return direct;
}

/* ---- host fio ---- */

static double num(yajl_val root, const char **path)
{
    yajl_val v = yajl_tree_get(root, path, yajl_t_number);
    return v ? YAJL_GET_DOUBLE(v) : -1;
}

/* One fio job on the image; its figures. `engine` io_uring or libaio. */
static struct fig host_job(const struct job *j, const char *engine, bool direct)
{
    static char out[1 << 20];
    char cmd[2048], extra[96] = "";
    struct fig f = { .depth = j->depth };

    if (j->random) /* the sequential passes cover the file once, as the guests' do */
        snprintf(extra, sizeof(extra), "--norandommap --randrepeat=0 --time_based --runtime=%ums",
                 runtime_ms);
    snprintf(cmd, sizeof(cmd),
             "fio --output-format=json --name=%s --filename='%s' --rw=%s --bs=%s --iodepth=%u "
             "--ioengine=%s --direct=%d --size=%uM %s 2>/dev/null",
             j->name, image, j->rw, j->bs, j->depth, engine, direct, size_mb, extra);
    FILE *p = popen(cmd, "r");
    if (!p)
        return f;
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = 0;
    if (pclose(p) != 0)
        return f;
    yajl_val root = yajl_tree_parse(out, NULL, 0);
    const char *jp[] = { "jobs", NULL };
    yajl_val arr = root ? yajl_tree_get(root, jp, yajl_t_array) : NULL;
    if (arr && YAJL_GET_ARRAY(arr)->len > 0) {
        yajl_val job = YAJL_GET_ARRAY(arr)->values[0];
        const char *dirn = strstr(j->rw, "write") ? "write" : "read";
        const char *bw[] = { dirn, "bw_bytes", NULL }, *io[] = { dirn, "iops", NULL };
        const char *p50[] = { dirn, "clat_ns", "percentile", "50.000000", NULL };
        const char *p99[] = { dirn, "clat_ns", "percentile", "99.000000", NULL };
        f.mbs = num(job, bw) / 1e6;
        f.iops = num(job, io);
        f.p50_us = num(job, p50) / 1e3;
        f.p99_us = num(job, p99) / 1e3;
        f.ok = f.mbs >= 0 && f.iops >= 0;
    }
    yajl_tree_free(root);
    return f;
}

/* Every job with host fio; "" or why the column is empty, into `how`. */
static void host_fio(bool direct, char *how, size_t len)
{
    const char *engine = "io_uring";

    if (bench_sh("fio --version > /dev/null 2>&1") != 0) {
        snprintf(how, len, "missing: fio is not installed (apt-get install fio); column skipped");
        return;
    }
    for (size_t i = 0; i < NJOBS; i++) {
        jobs[i].f[HOST] = host_job(&jobs[i], engine, direct);
        if (!jobs[i].f[HOST].ok && i == 0 && !strcmp(engine, "io_uring")) {
            engine = "libaio"; /* a kernel without io_uring for fio */
            jobs[i].f[HOST] = host_job(&jobs[i], engine, direct);
        }
    }
    snprintf(how, len, "fio --ioengine=%s --direct=%d", engine, direct);
}

/* ---- guests ---- */

/* Create guest `name` with `disk` and `cmdline` through pvctl; its domid. */
static uint32_t guest(const char *name, const char *disk, const char *cmdline)
{
    char cfg[160], log[160];
    struct pvhv_ctl_dominfo infos[16];
    FILE *f;

    snprintf(cfg, sizeof(cfg), "%s/%s.cfg", dir, name);
    snprintf(log, sizeof(log), "%s/%s.create", dir, name);
    f = fopen(cfg, "w");
    if (!f)
        die("%s: %s", cfg, strerror(errno));
    fprintf(f, "name = \"%s\"\nkernel = \"%s/guests/refguest.elf\"\nmemory = 64\n"
               "cmdline = \"%s\"\non_poweroff = \"preserve\"\non_crash = \"preserve\"\n"
               "disk = [ '%s, target=%s' ]\n",
            name, build, cmdline, disk, image);
    fclose(f);
    if (bench_sh("'%s/bin/pvctl' --rundir '%s' create -q '%s' > '%s' 2>&1", build, rundir, cfg,
                 log)) {
        bench_sh("cat '%s' >&2", log);
        die("pvctl create %s failed", cfg);
    }
    if (!ctl && pvctrl_open(rundir, &ctl) < 0)
        die("cannot reach pvhv in %s", rundir);
    int n = pvctrl_domain_list(ctl, 1, infos, 16);
    for (int i = 0; i < n; i++)
        if (!strcmp(infos[i].name, name))
            return infos[i].domid;
    die("pvctl created %s but pvhv does not list it", name);
}

/* The running pvblkback's pid (from its pid file), or 0. */
static pid_t blkback_pid(void)
{
    char path[160];
    long pid = 0;

    snprintf(path, sizeof(path), "%s/pvblkback.pid", rundir);
    FILE *f = fopen(path, "r");
    if (f && fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    if (f)
        fclose(f);
    return pid > 0 && kill((pid_t)pid, 0) == 0 ? (pid_t)pid : 0;
}

/* Replace the pvblkback pvctl started (with its defaults) by one with
 * `args`, as an administrator would; pvctl then finds it running. */
static void restart_blkback(const char *args)
{
    pid_t pid = blkback_pid();

    if (pid > 0) {
        kill(pid, SIGTERM);
        for (int i = 0; i < 500 && kill(pid, 0) == 0; i++)
            usleep(10000);
    }
    if (bench_sh("cd / && setsid '%s/bin/pvblkback' --rundir '%s' --quiet %s "
                 ">> '%s/log/pvblkback.log' 2>&1 < /dev/null &", build, rundir, args, rundir))
        die("cannot start pvblkback %s", args);
    for (int i = 0; i < 500 && !blkback_pid(); i++)
        usleep(10000);
    if (!blkback_pid())
        die("pvblkback %s did not start (see %s/log/pvblkback.log)", args, rundir);
}

/* Wait for `done` on the guest's console; its text (static). */
static const char *guest_run(uint32_t domid, const char *name, const char *done)
{
    static struct bench_console con;

    bench_console_init(&con, domid);
    if (!bench_console_await(ctl, &con, done, GUEST_TIMEOUT_MS, 200))
        die("%s never printed '%s'; its console:\n%s", name, done, con.text);
    bench_sh("'%s/bin/pvctl' --rundir '%s' destroy %s > /dev/null 2>&1", build, rundir, name);
    return con.text;
}

/* Read the guest's "fio:" lines into each job's `which` figure. */
static void parse_fio(const char *text, size_t which)
{
    for (const char *l = strstr(text, "fio: "); l; l = strstr(l + 1, "\nfio: ")) {
        char name[16], bs[8];
        unsigned depth, asked = 0;
        unsigned long cmbs_i, cmbs_f, iops, p50, p99;
        const char *p = l + (*l == '\n');
        if (sscanf(p, "fio: %15s bs=%7s iodepth=%u", name, bs, &depth) != 3)
            continue;
        const char *a = strstr(p, " asked=");
        const char *m = strstr(p, " MB/s=");
        if (!m || (a && a < m && sscanf(a, " asked=%u", &asked) != 1))
            continue;
        if (sscanf(m, " MB/s=%lu.%2lu iops=%lu lat_us p50=%lu p99=%lu", &cmbs_i, &cmbs_f, &iops,
                   &p50, &p99) != 5)
            continue;
        for (size_t i = 0; i < NJOBS; i++) {
            struct job *j = &jobs[i];
            struct fig *f = &j->f[which];
            if (f->ok || strcmp(j->name, name) || strcmp(j->bs, bs) ||
                j->depth != (a && a < m ? asked : depth))
                continue;
            *f = (struct fig){ true, cmbs_i + cmbs_f / 100.0, (double)iops, (double)p50,
                               (double)p99, depth };
            if (iops == 0) /* under one a second (the emulated disk's writes): from MB/s */
                f->iops = f->mbs * 1e6 / (strcmp(bs, "1M") ? 4096 : 1048576);
            break;
        }
    }
}

/* The line starting with `prefix` in text, for the report (static). */
static const char *line_of(const char *text, const char *prefix)
{
    static char buf[256];
    const char *p = strstr(text, prefix);

    if (!p)
        return "?";
    snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(p, "\n"), p);
    return buf;
}

/* ---- the report ---- */

/* What a job's ratios compare: MB/s for sequential jobs, IOPS for random. */
static double metric(const struct job *j, int who)
{
    return j->random ? j->f[who].iops : j->f[who].mbs;
}

static void cell(const struct fig *f)
{
    if (!f->ok)
        printf(" %8s %8s", "-", "-");
    else
        printf(f->iops < 10 ? " %8.2f %8.2f" : " %8.2f %8.0f", f->mbs, f->iops);
}

/* " 1.23x": job's figure of `a` over that of `b`; -1 when either is missing. */
static double ratio_of(const struct job *j, int a, int b)
{
    return j->f[a].ok && j->f[b].ok && metric(j, b) > 0 ? metric(j, a) / metric(j, b) : -1;
}

static void ratio(const struct job *j, int a, int b)
{
    double r = ratio_of(j, a, b);

    if (r < 0)
        printf(" %7s", "-");
    else
        printf(r < 1000 ? " %6.2fx" : " %6.0fx", r);
}

/* The aims for PV column `pv`: met or short on the worse of each pair. */
static void aims(int pv, const char *label)
{
    double s[2] = { ratio_of(&jobs[0], pv, HOST), ratio_of(&jobs[1], pv, HOST) };
    double r[2] = { ratio_of(&jobs[4], pv, EMUL), ratio_of(&jobs[5], pv, EMUL) };

    printf("  %s:\n", label);
    printf("    sequential MB/s >= 0.80x host fio: ");
    if (s[0] < 0 || s[1] < 0)
        printf("not measured\n");
    else
        printf("seqwrite %.2fx, seqread %.2fx: %s\n", s[0], s[1],
               s[0] >= 0.8 && s[1] >= 0.8 ? "met" : "short");
    printf("    4 KiB random IOPS at iodepth 32 >= 10x the emulated disk: ");
    if (r[0] < 0 || r[1] < 0)
        printf("not measured\n");
    else
        printf("randread %.1fx, randwrite %.0fx: %s\n", r[0], r[1],
               r[0] >= 10 && r[1] >= 10 ? "met" : "short");
}

static void report(const char *fsname, bool direct, const char *host_how, const char *pvdisk)
{
    printf("blk_bench: one %u MiB raw file on %s (%s), %s; random jobs %u ms each\n", size_mb,
           fsname, dir, direct ? "O_DIRECT for all" : "buffered: O_DIRECT refused here",
           runtime_ms);
    printf("  host      %s\n", host_how);
    printf("  PV        refguest disk op=fio: blkfront -> pvblkback as pvctl starts it (io_uring);\n"
           "            %s\n", pvdisk);
    printf("  PV 1056   the same with pvblkback --max-pgrants %d (Linux's max_persistent_grants:\n"
           "            pages past it go through grant copies)\n", LINUX_PGRANTS);
    printf("  emulated  refguest edisk op=fio: port I/O trapped to pvhv, one command at a time\n"
           "            (depth 1 whatever the job asks); sequential jobs stop after %u ms\n",
           runtime_ms);
    printf("\n%-19s|%-18s|%-34s|%-34s|%s\n", "", " host fio", " PV", " PV 1056", " emulated");
    printf("%-9s %2s %5s |", "job", "bs", "depth");
    for (int w = 0; w < NWHO; w++) {
        printf(" %8s %8s", "MB/s", "IOPS");
        if (w == PV || w == PVLINUX)
            printf(" %7s %7s", "/host", "/emul");
        printf(w + 1 < NWHO ? " |" : "\n");
    }
    for (size_t i = 0; i < NJOBS; i++) {
        const struct job *j = &jobs[i];
        printf("%-9s %2s %5u |", j->name, j->bs, j->depth);
        for (int w = 0; w < NWHO; w++) {
            cell(&j->f[w]);
            if (w == PV || w == PVLINUX) {
                ratio(j, w, HOST);
                ratio(j, w, EMUL);
            }
            printf(w + 1 < NWHO ? " |" : "\n");
        }
    }
    printf("(ratios: MB/s for the sequential jobs, IOPS for the random ones)\n");
    printf("\nlatency, us p50/p99:\n");
    for (size_t i = 0; i < NJOBS; i++) {
        const struct job *j = &jobs[i];
        printf("  %-9s %2s %5u", j->name, j->bs, j->depth);
        for (int w = 0; w < NWHO; w++) {
            char v[48] = "-";
            if (j->f[w].ok)
                snprintf(v, sizeof(v), "%.0f/%.0f", j->f[w].p50_us, j->f[w].p99_us);
            printf("  %s %-15s", who_name[w], v);
        }
        printf("\n");
    }
    printf("\naims (issue 8; figures, not assertions):\n");
    aims(PV, "PV (pvblkback as pvctl starts it)");
    aims(PVLINUX, "PV 1056 (pvblkback --max-pgrants 1056)");
    for (size_t i = 0; i < NJOBS; i++)
        for (int w = PV; w < NWHO; w++)
            if (!jobs[i].f[w].ok)
                printf("note: %s printed no figure for %s %s depth %u\n", who_name[w],
                       jobs[i].name, jobs[i].bs, jobs[i].depth);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = { { "size-mb", 1, 0, 's' },
                                          { "runtime-ms", 1, 0, 't' },
                                          { "help", 0, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    char host_how[160], fsname[64] = "?", cmdline[256];
    int o;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 's')
            size_mb = (unsigned)strtoul(optarg, NULL, 10);
        else if (o == 't')
            runtime_ms = (unsigned)strtoul(optarg, NULL, 10);
        else {
            fprintf(o == 'h' ? stdout : stderr,
                    "usage: blk_bench [--size-mb N (1024)] [--runtime-ms T (2000)] [BUILD]\n");
            return o == 'h' ? 0 : 2;
        }
    }
    if (size_mb < 1 || size_mb > 65536 || runtime_ms < 100 || runtime_ms > 600000) {
        fprintf(stderr, "blk_bench: --size-mb 1..65536, --runtime-ms 100..600000\n");
        return 2;
    }
    if (bench_build_dir(optind < argc ? argv[optind] : NULL, build, sizeof(build)) < 0) {
        fprintf(stderr, "blk_bench: no build tree at %s\n", optind < argc ? argv[optind] : "build");
        return 1;
    }
    if (access("/dev/kvm", R_OK | W_OK) < 0) {
        fprintf(stderr, "blk_bench: needs /dev/kvm (root)\n");
        return 1;
    }
    /* A disk-backed directory: /tmp may be tmpfs, which refuses O_DIRECT. */
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
    snprintf(dir, sizeof(dir), "%s/pvhv-blkbench-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        dir[0] = 0;
        die("mkdtemp in %s: %s", tmp, strerror(errno));
    }
    struct statvfs sv;
    uint64_t avail = statvfs(dir, &sv) == 0 ? (uint64_t)sv.f_bavail * sv.f_frsize : UINT64_MAX;
    if (avail < ((uint64_t)size_mb + 64) << 20)
        die("%s has %llu MiB free, the scratch file needs %u (set TMPDIR or --size-mb)", dir,
            (unsigned long long)(avail >> 20), size_mb);
    snprintf(rundir, sizeof(rundir), "%s/run", dir);
    snprintf(image, sizeof(image), "%s/disk.img", dir);
    bool direct = make_image();
    snprintf(cmdline, sizeof(cmdline), "stat -f -c %%T '%s' 2>/dev/null", dir);
    FILE *p = popen(cmdline, "r");
    if (p && fgets(fsname, sizeof(fsname), p))
        fsname[strcspn(fsname, "\n")] = 0;
    if (p)
        pclose(p);

    host_fio(direct, host_how, sizeof(host_how));

    snprintf(cmdline, sizeof(cmdline), "cmd=disk op=fio vdev=xvda size_mb=%u runtime_ms=%u",
             size_mb, runtime_ms);
    /* pvctl starts pvblkback with its defaults for the first PV guest. */
    uint32_t d = guest("pv", "format=raw, vdev=xvda, access=rw", cmdline);
    const char *con = guest_run(d, "pv", "disk: closed xvda\n");
    parse_fio(con, PV);
    char pvdisk[256];
    snprintf(pvdisk, sizeof(pvdisk), "%s", line_of(con, "disk: xvda "));
    char fewer[64];
    snprintf(fewer, sizeof(fewer), "--max-pgrants %d", LINUX_PGRANTS);
    restart_blkback(fewer);
    d = guest("pv1056", "format=raw, vdev=xvda, access=rw", cmdline);
    con = guest_run(d, "pv1056", "disk: closed xvda\n");
    parse_fio(con, PVLINUX);

    snprintf(cmdline, sizeof(cmdline), "cmd=edisk op=fio size_mb=%u runtime_ms=%u", size_mb,
             runtime_ms);
    d = guest("emul", "format=raw, vdev=xvda, access=rw, backendtype=emulated", cmdline);
    con = guest_run(d, "emul", "edisk: done\n");
    parse_fio(con, EMUL);

    report(fsname, direct, host_how, pvdisk);
    cleanup();
    return 0;
}
