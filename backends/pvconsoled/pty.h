/* pty.h: the pseudo-terminal a console is offered on. */
#ifndef PVCONSOLED_PTY_H
#define PVCONSOLED_PTY_H

#include <stddef.h>

/*
 * Open a pty pair in raw mode (cfmakeraw: no echo, no line editing, no
 * signals, no CR/NL translation), master non-blocking. The daemon keeps
 * the slave open as xenconsoled does, so the master never sees a hangup
 * while no client is attached (bytes written meanwhile wait in the pty
 * until its buffer is full). Returns 0 with the fds and the slave's path
 * in `path` (len bytes), or -errno.
 */
int pty_open(int *master, int *slave, char *path, size_t len);

#endif
