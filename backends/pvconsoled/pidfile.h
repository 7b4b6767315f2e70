/* pidfile.h: DIR/pvconsoled.pid, locked while the daemon runs. */
#ifndef PVCONSOLED_PIDFILE_H
#define PVCONSOLED_PIDFILE_H

#include <sys/types.h>

/*
 * Create (or take over a stale) pid file at `path`, lock it (flock) and
 * write our pid. Returns the open fd (kept for the daemon's life), or
 * -EEXIST with the holder's pid in *other if another live process holds
 * the lock, or -errno.
 */
int pidfile_take(const char *path, pid_t *other);

/* Remove the file and drop the lock. */
void pidfile_release(const char *path, int fd);

#endif
