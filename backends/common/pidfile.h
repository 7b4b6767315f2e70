/* pidfile.h: DIR/PROG.pid (pvconsoled, pvblkback, pvnetback), locked while
 * the daemon runs, so that two daemons never serve one run directory. */
#ifndef BACKEND_PIDFILE_H
#define BACKEND_PIDFILE_H

#include <sys/types.h>

/*
 * Create (or take over a stale) pid file at `path`, lock it (flock) and
 * write our pid. Returns the open fd (kept for the daemon's life), or
 * -EEXIST with the holder's pid in *other if another live process holds
 * the lock, or -errno.
 */
int pidfile_take(const char *path, pid_t *other);

/* Remove the file at `path` and drop the lock held by `fd` (from
 * pidfile_take; a negative fd: nothing to do). */
void pidfile_release(const char *path, int fd);

#endif
