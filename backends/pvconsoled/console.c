/* console.c: one domain's console: the ring's output goes to
 * DIR/console/NAME.log and the pty, the pty's input into the ring. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/hvm/params.h>

#include "log.h"
#include "pty.h"
#include "pvconsoled.h"
#include "pvctrl.h"
#include "ring.h"

#define PAGE_SIZE 4096

struct console *console_find(struct pvcd *d, uint32_t domid)
{
    for (struct console *c = d->consoles; c; c = c->next)
        if (c->domid == domid)
            return c;
    return NULL;
}

struct console *console_by_port(struct pvcd *d, int local_port)
{
    for (struct console *c = d->consoles; c; c = c->next)
        if (c->local_port >= 0 && c->local_port == local_port)
            return c;
    return NULL;
}

/* A file name from the domain's name: [A-Za-z0-9._-], anything else '_';
 * "domN" if nothing usable is left. */
static void file_name(char *out, size_t len, const char *name, uint32_t domid)
{
    size_t n = 0;

    for (const char *p = name; *p && n + 1 < len; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        out[n++] = ok ? ch : '_';
    }
    out[n] = 0;
    if (n == 0 || !strcmp(out, ".") || !strcmp(out, ".."))
        snprintf(out, len, "dom%u", domid);
}

static void path_of(const struct pvcd *d, const struct console *c, const char *ext, char *out,
                    size_t len)
{
    snprintf(out, len, "%s/%s.%s", d->console_dir, c->name, ext);
}

static int open_log(struct pvcd *d, struct console *c)
{
    char path[sizeof(d->console_dir) + PVHV_NAME_MAX + 8];

    if (mkdir(d->console_dir, 0755) < 0 && errno != EEXIST)
        return -errno;
    path_of(d, c, "log", path, sizeof(path));
    c->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return c->log_fd < 0 ? -errno : 0;
}

void console_reopen_log(struct pvcd *d, struct console *c)
{
    if (c->log_fd >= 0)
        close(c->log_fd);
    c->log_fd = -1;
    if (open_log(d, c) < 0)
        log_warn("dom%u: cannot reopen its log: %s", c->domid, strerror(errno));
}

/* DIR/console/NAME.tty holds the pty's path (and a newline), for tools
 * without xenstore; written to a temporary name and renamed into place,
 * so a reader never sees half of it. */
static void write_tty_file(struct pvcd *d, struct console *c)
{
    char path[sizeof(d->console_dir) + PVHV_NAME_MAX + 8], tmp[sizeof(path) + 8];
    FILE *f;

    path_of(d, c, "tty", path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "we");
    if (!f) {
        log_warn("dom%u: cannot write %s: %s", c->domid, tmp, strerror(errno));
        return;
    }
    fprintf(f, "%s\n", c->tty);
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        log_warn("dom%u: cannot write %s: %s", c->domid, path, strerror(errno));
        unlink(tmp);
    }
}

static void remove_tty_file(struct pvcd *d, struct console *c)
{
    char path[sizeof(d->console_dir) + PVHV_NAME_MAX + 8], buf[sizeof(c->tty) + 2] = "";
    FILE *f;

    /* Only if it still names our pty: a domain of the same name may have
     * taken the file over. */
    path_of(d, c, "tty", path, sizeof(path));
    f = fopen(path, "re");
    if (!f)
        return;
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    if (!strcmp(buf, c->tty))
        unlink(path);
}

static void bind_port(struct pvcd *d, struct console *c)
{
    int r = pvctrl_evtchn_bind_interdomain(d->evtchn, c->domid, c->remote_port);

    if (r < 0) {
        /* E.g. a killed pvconsoled's port that pvhv has not closed yet:
         * retried at every tick, the ring polled meanwhile. */
        if (!c->bind_warned)
            log_warn("dom%u: cannot bind its console port %u: %s (polling the ring; "
                     "binding is retried)", c->domid, c->remote_port, strerror(-r));
        c->bind_warned = true;
        return;
    }
    if (c->bind_warned)
        log_info("dom%u: console port %u bound at last", c->domid, c->remote_port);
    c->local_port = r;
    c->bind_warned = false;
}

static void notify(struct pvcd *d, struct console *c)
{
    if (c->local_port >= 0)
        pvctrl_evtchn_notify(d->evtchn, (uint32_t)c->local_port);
}

static void write_log(struct console *c, const char *buf, size_t n)
{
    while (n && c->log_fd >= 0) {
        ssize_t w = write(c->log_fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!c->log_warned)
                log_warn("dom%u: writing its log: %s (output lost)", c->domid,
                         w < 0 ? strerror(errno) : "no progress");
            c->log_warned = true;
            return;
        }
        buf += w;
        n -= (size_t)w;
    }
}

/* Never blocks: what the pty does not take now is dropped (it is in the log). */
static void write_pty(struct console *c, const char *buf, size_t n)
{
    while (n && c->master >= 0) {
        ssize_t w = write(c->master, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (c->pty_dropped == 0)
                log_debug("dom%u: pty full, dropping output to it", c->domid);
            c->pty_dropped += n;
            return;
        }
        buf += w;
        n -= (size_t)w;
    }
}

static void set_input(struct pvcd *d, struct console *c, bool on)
{
    struct epoll_event ev = { .events = on ? EPOLLIN : 0,
                              .data.u64 = PVCD_EV(TAG_PTY, c->domid) };

    if (c->master >= 0 && c->input_stalled == on) {
        epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->master, &ev);
        c->input_stalled = !on;
    }
}

/* Bytes from the pty into in[], as many as fit; the rest stays in the pty
 * (its reader blocks) and the master is not watched until the guest makes
 * room. Returns true if anything went in. */
static bool pump_input(struct pvcd *d, struct console *c)
{
    bool moved = false;
    char buf[sizeof(c->intf->in)];

    while (c->master >= 0) {
        size_t room = ring_input_room(c->intf);
        if (room == 0) {
            set_input(d, c, false);
            return moved;
        }
        ssize_t n = read(c->master, buf, room < sizeof(buf) ? room : sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EAGAIN: all read; EIO cannot happen while we hold the slave */
        ring_put_input(c->intf, buf, (size_t)n);
        moved = true;
    }
    set_input(d, c, true);
    return moved;
}

static bool pump_output(struct console *c)
{
    char buf[sizeof(c->intf->out)];
    bool moved = false, bogus = false;
    size_t n;

    /* Until empty: the guest may write while we copy. Bounded, so a guest
     * writing without end cannot keep the daemon here. */
    for (int laps = 0; laps < 64 && (n = ring_take_output(c->intf, buf, sizeof(buf), &bogus));
         laps++) {
        write_log(c, buf, n);
        write_pty(c, buf, n);
        c->out_bytes += n;
        moved = true;
    }
    if (bogus && !c->bogus_warned) {
        log_warn("dom%u: its console ring indexes are nonsense; resynchronised", c->domid);
        c->bogus_warned = true;
    }
    return moved || bogus;
}

void console_pump(struct pvcd *d, struct console *c)
{
    if (c->local_port < 0 && d->evtchn)
        bind_port(d, c);
    bool moved = pump_output(c);
    if (!c->input_stalled || ring_input_room(c->intf))
        moved |= pump_input(d, c);
    if (moved)
        notify(d, c);
}

void console_pty_ready(struct pvcd *d, struct console *c)
{
    if (pump_input(d, c))
        notify(d, c);
}

int console_open(struct pvcd *d, const struct pvhv_ctl_dominfo *info, struct console **out)
{
    uint64_t pfn = 0, port = 0;
    int r = pvctrl_hvm_param_get(d->ctl, info->domid, HVM_PARAM_CONSOLE_PFN, &pfn);

    if (r == 0)
        r = pvctrl_hvm_param_get(d->ctl, info->domid, HVM_PARAM_CONSOLE_EVTCHN, &port);
    if (r < 0)
        return r;
    if (pfn == 0 || port == 0 || port > UINT32_MAX)
        return -ENOENT;

    struct console *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->domid = info->domid;
    c->remote_port = (uint32_t)port;
    c->local_port = -1;
    c->master = c->slave = c->log_fd = -1;
    char name[PVHV_NAME_MAX + 1];
    memcpy(name, info->name, PVHV_NAME_MAX);
    name[PVHV_NAME_MAX] = 0;
    file_name(c->name, sizeof(c->name), name, info->domid);

    c->intf = pvctrl_foreign_map(d->ctl, info->domid, pfn, 1);
    if (!c->intf) {
        r = -errno;
        free(c);
        return r;
    }
    r = pty_open(&c->master, &c->slave, c->tty, sizeof(c->tty));
    if (r == 0)
        r = open_log(d, c);
    if (r < 0) {
        if (c->master >= 0) {
            close(c->master);
            close(c->slave);
        }
        munmap(c->intf, PAGE_SIZE);
        free(c);
        return r;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = PVCD_EV(TAG_PTY, c->domid) };
    epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->master, &ev);
    bind_port(d, c);
    write_tty_file(d, c);
    xs_glue_set_tty(d, c);
    c->next = d->consoles;
    d->consoles = c;
    log_info("dom%u (%s): console on %s, port %u, log %s/%s.log", c->domid, name, c->tty,
             c->remote_port, d->console_dir, c->name);
    console_pump(d, c);
    *out = c;
    return 0;
}

void console_close(struct pvcd *d, struct console *c)
{
    for (struct console **p = &d->consoles; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    /* What the guest wrote last (its ring outlives it in our mapping). */
    pump_output(c);
    if (c->master >= 0) {
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->master, NULL);
        close(c->master);
        close(c->slave);
    }
    remove_tty_file(d, c);
    xs_glue_clear_tty(d, c);
    if (c->local_port >= 0 && d->evtchn)
        pvctrl_evtchn_unbind(d->evtchn, (uint32_t)c->local_port);
    munmap(c->intf, PAGE_SIZE);
    if (c->log_fd >= 0)
        close(c->log_fd);
    log_info("dom%u: console closed (%llu bytes of output%s)", c->domid,
             (unsigned long long)c->out_bytes, c->pty_dropped ? ", some not taken by the pty" : "");
    free(c);
}
