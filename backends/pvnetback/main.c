/* main.c: pvnetback, the network backend daemon (Xen's netback): options,
 * the run directory and the pid file, then the loop (daemon.c). Runs in
 * the foreground; SIGTERM or SIGINT stops it cleanly. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend_main.h"
#include "log.h"
#include "pvnetback.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvnetback [options]\n"
            "  --rundir DIR       run directory (default $PV_RUNDIR, else /run/pv): pvhv's\n"
            "                     socket and xenstore are looked for there; writes\n"
            "                     DIR/pvnetback.pid\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --poll-ms MS       look at every connected ring every MS ms besides its\n"
            "                     notifications (default %d; 1..%d)\n"
            "  --help\n"
            "Serves every vif the toolstack declares under %s/DOMID/DEVID\n"
            "(Xen's netif protocol): a TAP device per vif, named vifDOMID.DEVID (or\n"
            "B/vifname), MTU from B/mtu, in the bridge B/bridge names.\n"
            "pvhv and pvxenstored may start before or after pvnetback; a restarted\n"
            "pvnetback makes the TAPs again and takes the connected rings over.\n",
            NB_TICK_MS, NB_TICK_MS, NB_BACKEND_ROOT);
}

int main(int argc, char **argv)
{
    static const int stop[] = { SIGTERM, SIGINT, 0 };
    static struct netback nb; /* large (the port table): not on the stack */
    struct bk_options o = {
        .prog = "pvnetback", .usage = usage, .tick_max = NB_TICK_MS, .tick_ms = NB_TICK_MS,
    };
    struct bk_run run;
    int rc;

    rc = bk_parse_options(&o, argc, argv);
    if (rc >= 0)
        return rc;
    nb.epfd = -1;
    nb.tick_ms = o.tick_ms;
    nb.rundir = o.rundir;
    if (bk_run_take(&run, &o, NULL))
        return 1;
    if (access("/dev/net/tun", R_OK | W_OK) < 0)
        log_warn("/dev/net/tun: %s: no vif can be served (load the tun module)",
                 strerror(errno));
    if (bk_block_signals(stop) < 0) {
        bk_run_release(&run);
        return 1;
    }

    log_info("serving %s (pid %ld)", nb.rundir, (long)getpid());
    rc = daemon_run(&nb);
    bk_run_release(&run);
    return rc;
}
