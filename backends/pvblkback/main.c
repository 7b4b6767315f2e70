/* main.c: pvblkback, the block backend daemon (Xen's blkback): options,
 * the run directory and the pid file, then the loop (daemon.c). Runs in
 * the foreground; SIGTERM or SIGINT stops it cleanly. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "backend_main.h"
#include "log.h"
#include "pvblkback.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pvblkback [options]\n"
            "  --rundir DIR       run directory (default $PV_RUNDIR, else /run/pv): pvhv's\n"
            "                     socket and xenstore are looked for there; writes\n"
            "                     DIR/pvblkback.pid\n"
            "  --quiet | --debug  fewer or more messages\n"
            "  --poll-ms MS       look at every connected ring every MS ms besides its\n"
            "                     notifications (default %d; 1..%d)\n"
            "  --max-pgrants N    persistent grants kept mapped per disk (default %d:\n"
            "                     32 requests of 1 MiB; %d..%d). A frontend with more\n"
            "                     pages in flight has the rest copied. Every map is an\n"
            "                     entry in pvhv's table of dom0 maps (%d for all\n"
            "                     backends together): lower it on a host of many disks\n"
            "  --help\n"
            "Serves every disk the toolstack declares under %s/DOMID/DEVID\n"
            "(Xen's vbd protocol: a raw image file or a block device per disk).\n"
            "pvhv and pvxenstored may start before or after pvblkback; a restarted\n"
            "pvblkback takes the connected disks over without the guests noticing.\n",
            BB_TICK_MS, BB_TICK_MS, BB_MAX_PGRANTS, BB_MIN_PGRANTS, BB_PGRANTS_LIMIT,
            2 * BB_PGRANTS_LIMIT, BB_BACKEND_ROOT);
}

int main(int argc, char **argv)
{
    static const int stop[] = { SIGTERM, SIGINT, 0 };
    static struct blkback bb; /* large (the port table): not on the stack */
    static long max_pgrants = BB_MAX_PGRANTS;
    struct bk_options o = {
        .prog = "pvblkback", .usage = usage, .tick_max = BB_TICK_MS, .tick_ms = BB_TICK_MS,
        .num_opt = "max-pgrants", .num_min = BB_MIN_PGRANTS, .num_max = BB_PGRANTS_LIMIT,
        .num_value = &max_pgrants,
    };
    struct bk_run run;
    int rc;

    rc = bk_parse_options(&o, argc, argv);
    if (rc >= 0)
        return rc;
    bb.epfd = -1;
    bb.uring_efd = -1;
    bb.tick_ms = o.tick_ms;
    bb.max_pgrants = (unsigned)max_pgrants;
    bb.rundir = o.rundir;
    if (bk_run_take(&run, &o, NULL))
        return 1;
    if (bk_block_signals(stop) < 0) {
        bk_run_release(&run);
        return 1;
    }

    log_info("serving %s (pid %ld)", bb.rundir, (long)getpid());
    rc = daemon_run(&bb);
    bk_run_release(&run);
    return rc;
}
