/* create.c: pvctl create, and building and tearing down a domain from a
 * parsed config. A failure at any step undoes the steps before it, so a
 * refused config never leaves a half-made domain behind. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "pvctl.h"

/* "FILE:LINE" (or "<command line>:N") of the key, for error lines. */
#define AT(cfg, key) \
    xlcfg_where((cfg), xlcfg_key_line((cfg), (key)), (char[4200]){ 0 }, 4200)

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int domain_teardown(struct session *s, uint32_t domid)
{
    struct pvhv_ctl_dominfo info;
    int r = pvctrl_domain_getinfo(s->ctl, domid, &info);

    if (r == 0)
        r = pvctrl_domain_destroy(s->ctl, domid);
    records_remove(s, domid);
    if (r == 0)
        config_remove(s, info.handle);
    return r;
}

int domain_build(struct session *s, const struct xlcfg *cfg, bool paused, uint32_t *domid)
{
    char why[256] = "";
    unsigned vcpus = cfg->maxvcpus > cfg->vcpus ? cfg->maxvcpus : cfg->vcpus;
    uint32_t id;
    int r;

    if (domain_name_taken(s, cfg->name)) {
        cfgerr("%s: name: a domain named '%s' already exists (choose another name, "
               "or destroy it first)", AT(cfg, "name"), cfg->name);
        return -EEXIST;
    }
    r = pvctrl_domain_create(s->ctl, cfg->name, cfg->uuid, cfg->memory_mib * 1024, vcpus, &id);
    if (r == -EINVAL || r == -ENOMEM) {
        /* The sizes are all pvhv checks that the parser has not. */
        cfgerr("%s: memory: pvhv cannot give the domain %llu MiB: %s", AT(cfg, "memory"),
               (unsigned long long)cfg->memory_mib, strerror(-r));
        return r;
    }
    if (r < 0) {
        errmsg("%s: pvhv cannot create the domain: %s", cfg->file, strerror(-r));
        return r;
    }
    r = pvctrl_domain_load(s->ctl, id, cfg->kernel, cfg->ramdisk[0] ? cfg->ramdisk : NULL,
                           cfg->cmdline, why, sizeof(why));
    if (r < 0) {
        cfgerr("%s: kernel: pvhv cannot load %s: %s", AT(cfg, "kernel"), cfg->kernel,
               why[0] ? why : strerror(-r));
        goto undo;
    }
    r = disks_attach_emulated(s, id, cfg);
    if (r < 0)
        goto undo;
    r = records_write(s, id, cfg);
    if (r < 0)
        goto undo;
    if (!paused) {
        r = pvctrl_domain_unpause(s->ctl, id);
        if (r < 0) {
            errmsg("cannot start domain %u: %s", id, strerror(-r));
            goto undo;
        }
    }
    *domid = id;
    return 0;

undo:
    pvctrl_domain_destroy(s->ctl, id);
    records_remove(s, id);
    return r;
}

/* Does a live domain have this uuid? */
static bool uuid_taken(struct session *s, const uint8_t uuid[16])
{
    struct pvhv_ctl_dominfo infos[255];
    int n = pvctrl_domain_list(s->ctl, 1, infos, 255);

    for (int i = 0; i < n; i++)
        if (!memcmp(infos[i].handle, uuid, 16))
            return true;
    return false;
}

/* The file's text, for parsing and for saving (restarts re-read it). */
static char *read_file(const char *path, int *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf;

    if (fd < 0 || fstat(fd, &st) < 0) {
        *err = errno;
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
        *err = S_ISREG(st.st_mode) ? EFBIG : EISDIR;
        close(fd);
        return NULL;
    }
    buf = malloc((size_t)st.st_size + 1);
    ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        *err = buf ? EIO : ENOMEM;
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

static void print_warning(void *ctx, const char *msg)
{
    bool quiet = *(bool *)ctx;

    if (!quiet)
        fprintf(stderr, "%s\n", msg);
}

/* Text saved for restarts: the file, the overrides, the uuid it got. */
static char *saved_text(const char *text, char **over, int nover, const uint8_t uuid[16])
{
    size_t len = strlen(text) + 128;
    char u[37], *out, *p;

    for (int i = 0; i < nover; i++)
        len += strlen(over[i]) + 1;
    out = p = malloc(len);
    if (!out)
        return NULL;
    p += sprintf(p, "%s\n", text);
    for (int i = 0; i < nover; i++)
        p += sprintf(p, "%s\n", over[i]);
    uuid_unparse_lower(uuid, u);
    sprintf(p, "uuid = \"%s\"\n", u);
    return out;
}

/* Wait (up to 3 s) until the console daemon has a pty for the domain, so
 * `create -c` shows the guest's output from its first line. */
static void wait_console_ready(struct session *s, uint32_t domid)
{
    char path[64];

    if (!s->xs)
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    for (int i = 0; i < 300; i++) {
        unsigned n;
        char *v = xs_read(s->xs, XBT_NULL, path, &n);
        free(v);
        if (v)
            return;
        sleep_ms(10);
    }
}

int cmd_create(struct session *s, int argc, char **argv)
{
    bool console = false, paused = false, quiet = false;
    struct xlcfg *cfg;
    char err[1024], *text, *save;
    uint32_t domid;
    int opt, e = 0, r;

    while ((opt = getopt(argc, argv, "+cpqh")) != -1) {
        switch (opt) {
        case 'c': console = true; break;
        case 'p': paused = true; break;
        case 'q': quiet = true; break;
        case 'h': verb_usage("create", stdout); return EXIT_SUCCESS;
        default: verb_usage("create", stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        verb_usage("create", stderr);
        return EXIT_USAGE;
    }
    const char *file = argv[optind];
    char **over = argv + optind + 1;
    int nover = argc - optind - 1;
    for (int i = 0; i < nover; i++)
        if (!strchr(over[i], '=')) {
            errmsg("'%s' is not KEY=VALUE", over[i]);
            return EXIT_USAGE;
        }
    if (!quiet)
        fprintf(stderr, "Parsing config from %s\n", file);
    text = read_file(file, &e);
    if (!text) {
        errmsg("%s: cannot read the config: %s", file, strerror(e));
        return EXIT_FAILURE;
    }
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg) {
        free(text);
        return EXIT_FAILURE;
    }
    r = xlcfg_parse_buffer(file, text, strlen(text), over, nover, cfg, err, sizeof(err),
                           print_warning, &quiet);
    if (r == 0)
        r = xlcfg_check_host(cfg, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (session_need(s, true) < 0) {
        r = -ENOTCONN;
        goto out;
    }
    if ((disks_pv_count(cfg) && host_need_backend(s, "pvblkback") < 0) ||
        (cfg->nr_vifs && host_need_backend(s, "pvnetback") < 0)) {
        r = -ENOENT;
        goto out;
    }
    if (domain_name_taken(s, cfg->name)) {
        cfgerr("%s: name: a domain named '%s' already exists (choose another name, "
               "or destroy it first)", AT(cfg, "name"), cfg->name);
        r = -EEXIST;
        goto out;
    }
    if (cfg->has_uuid && uuid_taken(s, cfg->uuid)) {
        cfgerr("%s: uuid: a domain with this uuid already exists (leave uuid out and "
               "pvctl makes a new one)", AT(cfg, "uuid"));
        r = -EEXIST;
        goto out;
    }
    if (!cfg->has_uuid) {
        uuid_generate(cfg->uuid);
        cfg->has_uuid = true;
    }
    save = saved_text(text, over, nover, cfg->uuid);
    r = save ? config_save(s, cfg->uuid, save) : -ENOMEM;
    free(save);
    if (r < 0) {
        errmsg("cannot save the config under %s/domains: %s", s->rundir, strerror(-r));
        goto out;
    }
    r = domain_build(s, cfg, true, &domid);
    if (r < 0) {
        config_remove(s, cfg->uuid);
        goto out;
    }
    r = monitor_spawn(s, domid, cfg->uuid);
    if (r == 0 && console)
        wait_console_ready(s, domid);
    if (r == 0 && !paused) {
        r = pvctrl_domain_unpause(s->ctl, domid);
        if (r < 0)
            errmsg("cannot start domain %u: %s", domid, strerror(-r));
    }
    if (r < 0) {
        domain_teardown(s, domid);
        goto out;
    }
    if (!quiet)
        printf("Started domain %s (id=%u)%s\n", cfg->name, domid, paused ? ", paused" : "");
    fflush(stdout);
    if (console)
        r = console_run(s, domid) == EXIT_SUCCESS ? 0 : -EIO;
out:
    free(cfg);
    free(text);
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
