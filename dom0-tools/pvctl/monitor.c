/* monitor.c: one small process per domain, as xl leaves behind after
 * `xl create`: it waits for the domain to shut down and carries out
 * on_poweroff, on_reboot or on_crash. Restarts rebuild the domain from the
 * config saved at create (same name and uuid, a new domid). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <pvhv/sched.h>

#include "pvctl.h"

#define POLL_MS 100
/* More restarts than this within RESTART_WINDOW_S: stop restarting (a
 * guest that dies at boot would otherwise spin forever). */
#define RESTART_MAX 10
#define RESTART_WINDOW_S 60

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void mlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mlog(const char *fmt, ...)
{
    char when[32];
    time_t t = time(NULL);
    va_list ap;

    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
    fprintf(stderr, "%s pvctl-monitor[%d]: ", when, (int)getpid());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Rebuild from the saved config. With a new uuid (rename-restart keeps
 * the old domain) the config is saved again under it. Returns 0 and the
 * new domid and uuid, or -errno. */
static int restart(struct session *s, uint32_t old, uint8_t uuid[16], bool keep_old,
                   uint32_t *domid)
{
    struct xlcfg *cfg = calloc(1, sizeof(*cfg));
    char err[1024], src[128], u[37], *text = NULL;
    int r;

    if (!cfg)
        return -ENOMEM;
    uuid_unparse_lower(uuid, u);
    snprintf(src, sizeof(src), "%s/domains/%s.cfg", s->rundir, u);
    r = config_load(s, uuid, &text);
    if (r == 0)
        r = xlcfg_parse_buffer(src, text, strlen(text), NULL, 0, cfg, err, sizeof(err),
                               NULL, NULL);
    if (r < 0) {
        mlog("cannot restart from %s: %s", src, r == -ENOENT ? "config gone" : err);
        goto out;
    }
    if (keep_old) {
        char *line = NULL;
        uuid_generate(cfg->uuid);
        uuid_unparse_lower(cfg->uuid, u);
        if (asprintf(&line, "%s\nuuid = \"%s\"\n", text, u) < 0 ||
            (r = config_save(s, cfg->uuid, line)) < 0) {
            free(line);
            r = r < 0 ? r : -ENOMEM;
            goto out;
        }
        free(line);
    } else {
        /* The old domain goes first: the name must be free. */
        pvctrl_domain_destroy(s->ctl, old);
        records_remove(s, old);
    }
    r = domain_build(s, cfg, false, domid);
    if (r == 0)
        memcpy(uuid, cfg->uuid, 16);
    else
        config_remove(s, cfg->uuid);
out:
    free(text);
    free(cfg);
    return r;
}

/* The monitor proper: returns when nothing more is to be done. */
static void watch_domain(struct session *s, uint32_t domid, uint8_t uuid[16])
{
    time_t restarts[RESTART_MAX] = { 0 };
    unsigned nrestarts = 0;

    for (;;) {
        struct pvhv_ctl_dominfo info;
        int r = pvctrl_domain_getinfo(s->ctl, domid, &info);

        if (r == -ESRCH)
            return; /* destroyed by someone: our job is over */
        if (r < 0) {
            mlog("domain %u: lost pvhv (%s)", domid, strerror(-r));
            return;
        }
        if (info.state != PVHV_DOMSTATE_SHUTDOWN && info.state != PVHV_DOMSTATE_CRASHED) {
            sleep_ms(POLL_MS);
            continue;
        }

        char name[PVHV_NAME_MAX + 64], *text = NULL;
        struct xlcfg *cfg = calloc(1, sizeof(*cfg));
        enum xlcfg_action act = XLCFG_DESTROY;
        const char *why;
        char err[256];

        domain_name(s, domid, name, sizeof(name));
        if (cfg && config_load(s, uuid, &text) == 0 &&
            xlcfg_parse_buffer("saved", text, strlen(text), NULL, 0, cfg, err, sizeof(err),
                               NULL, NULL) == 0) {
            switch (info.shutdown_reason) {
            case SHUTDOWN_poweroff: act = cfg->on_poweroff; why = "poweroff"; break;
            case SHUTDOWN_reboot: act = cfg->on_reboot; why = "reboot"; break;
            case SHUTDOWN_suspend: act = XLCFG_PRESERVE; why = "suspend"; break;
            default: act = cfg->on_crash; why = "crash"; break;
            }
        } else {
            why = "shutdown";
        }
        free(text);
        free(cfg);

        if (act == XLCFG_RESTART || act == XLCFG_RENAME_RESTART) {
            time_t now = time(NULL);
            if (nrestarts == RESTART_MAX && now - restarts[0] < RESTART_WINDOW_S) {
                mlog("domain %s (id %u): %s: restarted %d times in %d s; preserving it "
                     "instead", name, domid, why, RESTART_MAX, RESTART_WINDOW_S);
                return;
            }
            if (nrestarts == RESTART_MAX)
                memmove(restarts, restarts + 1, sizeof(restarts[0]) * --nrestarts);
            restarts[nrestarts++] = now;
        }
        switch (act) {
        case XLCFG_DESTROY:
            mlog("domain %s (id %u): %s: destroyed", name, domid, why);
            domain_teardown(s, domid);
            return;
        case XLCFG_PRESERVE:
            mlog("domain %s (id %u): %s: preserved", name, domid, why);
            return;
        case XLCFG_RENAME_RESTART: {
            char newname[PVHV_NAME_MAX + 64];
            snprintf(newname, sizeof(newname), "%.40s--incarnation-%u", name, domid);
            records_rename(s, domid, newname);
        }
            /* fall through */
        case XLCFG_RESTART: {
            uint32_t next;
            r = restart(s, domid, uuid, act == XLCFG_RENAME_RESTART, &next);
            if (r < 0) {
                mlog("domain %s (id %u): %s: restart failed: %s", name, domid, why,
                     strerror(-r));
                return;
            }
            mlog("domain %s (id %u): %s: restarted as id %u", name, domid, why, next);
            domid = next;
            break;
        }
        }
    }
}

int monitor_spawn(struct session *s, uint32_t domid, const uint8_t uuid[16])
{
    char log[4200];
    pid_t pid;

    snprintf(log, sizeof(log), "%s/log", s->rundir);
    mkdir(log, 0755);
    snprintf(log, sizeof(log), "%s/log/pvctl-monitor.log", s->rundir);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        struct session m = { 0 };
        uint8_t id[16];

        /* Detach twice so the monitor is nobody's child to reap. */
        if (fork() != 0)
            _exit(0);
        setsid();
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(127);
        /* The parent's connections are its own: drop them unused. */
        if (s->xs)
            xs_daemon_destroy_postfork(s->xs);
        if (s->ctl)
            pvctrl_close(s->ctl);
        memcpy(m.rundir, s->rundir, sizeof(m.rundir));
        memcpy(m.bindir, s->bindir, sizeof(m.bindir));
        memcpy(id, uuid, 16);
        if (session_connect(&m, false) == 0)
            watch_domain(&m, domid, id);
        session_close(&m);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
