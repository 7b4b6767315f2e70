/* pvconsoled.h: the console daemon's shared state (Xen's xenconsoled):
 * which file does what, and the structures they share.
 *
 *   main.c      options, the pid file, then daemon_run
 *   daemon.c    the epoll loop: signals, the rescan timer, event channels,
 *               ptys, xenstore
 *   domains.c   the connection to pvhv and the domain list: which consoles
 *               to open and close
 *   console.c   one domain's console: ring <-> log file and pty
 *   ring.c      the ring protocol itself
 *   pty.c       opening a raw pty
 *   xs.c        xenstore (optional): @introduceDomain/@releaseDomain
 *               watches, console/tty
 *
 * The command line, DIR/pvconsoled.pid and the loop's epoll, signalfd and
 * timerfd are shared with the other backends (backends/common:
 * backend_main.h, pidfile.h, backend_loop.h).
 */
#ifndef PVCONSOLED_H
#define PVCONSOLED_H

#include <stdbool.h>
#include <stdint.h>

#include <pvhv/io/console.h>
#include <pvhv/pvhv_control.h>

struct pvctrl;
struct pvctrl_evtchn;
struct xs_handle;

/* How often the domain list is read again, and pvhv and xenstore are
 * looked for while absent. */
#define PVCD_RESCAN_MS 500

/* What an epoll event is about: tag << 32 | domid. */
enum pvcd_tag { TAG_SIGNAL = 1, TAG_TIMER, TAG_EVTCHN, TAG_XS, TAG_PTY };
#define PVCD_EV(tag, domid) (((uint64_t)(tag) << 32) | (uint32_t)(domid))

struct console {
    struct console *next;
    uint32_t domid;
    char name[PVHV_NAME_MAX];      /* for file names: [A-Za-z0-9._-] only */
    struct xencons_interface *intf; /* the foreign-mapped ring page */
    uint32_t remote_port;          /* the guest's end */
    int local_port;                /* ours, or -1 while not bound */
    int master, slave;             /* the pty (-1: none) */
    int log_fd;                    /* DIR/console/NAME.log (-1: none) */
    char tty[64];                  /* the slave's path */
    bool input_stalled;            /* in[] full: the master is not read */
    bool seen;                     /* in the latest domain list */
    bool xs_tty_done;              /* console/tty written to xenstore */
    bool bogus_warned, log_warned, bind_warned;
    uint64_t out_bytes, pty_dropped;
};

struct pvcd {
    const char *rundir;
    char console_dir[4096 + 16];   /* DIR/console */
    int epfd;
    struct pvctrl *ctl;            /* NULL while pvhv is not there */
    struct pvctrl_evtchn *evtchn;
    bool waiting_logged;           /* "waiting for pvhv" said once */
    struct xs_handle *xs;          /* NULL while pvxenstored is not there */
    struct console *consoles;
    bool rescan_now;               /* a xenstore watch fired */
};

/* console.c */
/* Open the console of domain `info` (ring, event channel, pty, log, tty
 * records) and pump it once. 0, or -errno (nothing is left open; -ENOENT:
 * the domain has no console ring). */
int console_open(struct pvcd *d, const struct pvhv_ctl_dominfo *info, struct console **out);
/* Pump what is left, then close everything of it (the log file stays). */
void console_close(struct pvcd *d, struct console *c);
/* Move the guest's output to the log and the pty, pending pty input to
 * the ring, notify the guest if anything moved; bind the event channel if
 * that failed before. */
void console_pump(struct pvcd *d, struct console *c);
/* The pty master is readable (or hung up). */
void console_pty_ready(struct pvcd *d, struct console *c);
/* SIGHUP: reopen the log file (after logrotate moved it). */
void console_reopen_log(struct pvcd *d, struct console *c);
struct console *console_find(struct pvcd *d, uint32_t domid);
struct console *console_by_port(struct pvcd *d, int local_port);

/* domains.c */
/* Connect to pvhv if not connected (quietly retried at every tick). */
void domains_connect(struct pvcd *d);
/* Read the domain list: open consoles of new domains, close those of
 * domains gone or dying. Losing pvhv closes them all. */
void domains_rescan(struct pvcd *d);
/* Take every pending event channel event and pump its console. */
void domains_events(struct pvcd *d);
/* Close every console and the connection to pvhv. */
void domains_disconnect(struct pvcd *d);

/* xs.c */
/* Connect to pvxenstored if it is there and set the watches. */
void xs_glue_connect(struct pvcd *d);
/* The xenstore fd is readable: drain watch events (any asks for a
 * rescan); a broken connection is closed, to be retried. */
void xs_glue_events(struct pvcd *d);
/*
 * Write /local/domain/N/console/tty once the toolstack made
 * /local/domain/N (as xenconsoled waits for the domain's records; writing
 * first would create the directory under the wrong owner and upset the
 * toolstack's transaction); until then xs_glue_retry tries again, at
 * every tick and watch event. No-op without xenstore.
 */
void xs_glue_set_tty(struct pvcd *d, struct console *c);
void xs_glue_retry(struct pvcd *d);
/* Remove it again (when the console closes). */
void xs_glue_clear_tty(struct pvcd *d, struct console *c);
void xs_glue_close(struct pvcd *d);

/* daemon.c */
/* The loop; returns the exit status once SIGTERM or SIGINT arrived. */
int daemon_run(struct pvcd *d);

#endif
