/* main.c: pvconsoled, the console daemon (Xen's xenconsoled): options, the
 * run directory and the pid file, then the loop (daemon.c). Runs in the
 * foreground; SIGTERM or SIGINT stops it, SIGHUP reopens the log files. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "backend_main.h"
#include "log.h"
#include "pvconsoled.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvconsoled [options]\n"
            "  --rundir DIR       run directory (default $PV_RUNDIR, else /run/pv): pvhv's\n"
            "                     socket and xenstore are looked for there; writes\n"
            "                     DIR/pvconsoled.pid, and for each domain NAME\n"
            "                     DIR/console/NAME.log (its output) and DIR/console/NAME.tty\n"
            "                     (the path of its pty)\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --help\n"
            "Each domain's console ring goes to its log and to a pty (also named in\n"
            "xenstore at /local/domain/N/console/tty); `pvctl console` attaches to it.\n"
            "pvhv and pvxenstored may start before or after pvconsoled, and restart.\n");
}

int main(int argc, char **argv)
{
    static const int stop[] = { SIGTERM, SIGINT, SIGHUP, 0 };
    struct pvcd d = { .epfd = -1 };
    struct bk_options o = { .prog = "pvconsoled", .usage = usage };
    struct bk_run run;
    int rc;

    rc = bk_parse_options(&o, argc, argv);
    if (rc >= 0)
        return rc;
    d.rundir = o.rundir;
    snprintf(d.console_dir, sizeof(d.console_dir), "%s/console", d.rundir);
    if (bk_run_take(&run, &o, d.console_dir))
        return 1;
    if (bk_block_signals(stop) < 0) {
        bk_run_release(&run);
        return 1;
    }

    log_info("serving %s (pid %ld)", d.rundir, (long)getpid());
    rc = daemon_run(&d);
    bk_run_release(&run);
    return rc;
}
