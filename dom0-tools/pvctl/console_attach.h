/* console_attach.h: a terminal session on a console pty (the client half
 * of `pvctl console`, as xl console's). */
#ifndef PVCTL_CONSOLE_ATTACH_H
#define PVCTL_CONSOLE_ATTACH_H

/*
 * console_attach: connect in_fd and out_fd to the pty at tty_path (the
 * slave pvconsoled offers for a domain: xenstore
 * /local/domain/N/console/tty, or the path in RUNDIR/console/NAME.tty)
 * until the user types `escape` (xl's is Ctrl-], 0x1d).
 *
 * - The pty is opened O_NOCTTY (it never becomes our controlling
 *   terminal) and put in raw mode. If in_fd is a terminal it is put in
 *   raw mode too (no echo, no line editing, Ctrl-C and friends go to the
 *   guest) and restored before returning, whatever the outcome.
 * - Bytes from in_fd go to the pty, bytes from the pty to out_fd, with
 *   poll; neither direction waits for the other. Input the pty cannot take
 *   yet is kept (up to 4 KiB; beyond that typed bytes are dropped), so the
 *   escape is always seen, even while the guest does not read.
 * - `escape` ends the session wherever it appears in what is read: the
 *   bytes before it are still sent (if the pty takes them at once), the
 *   rest of that read is not.
 *
 * Returns 0 when the user typed the escape character, or when in_fd
 * reached end of file (after the input before it went to the pty);
 * -EIO when the pty closed (pvconsoled closed the console: the domain
 * went away, or pvconsoled stopped); another -errno for errors (opening
 * tty_path: -ENOENT ...; writing out_fd: -EPIPE ...).
 *
 * out_fd may be blocking (a terminal): a write to it then waits until it
 * is taken. Signals interrupting poll are ignored.
 */
int console_attach(const char *tty_path, int in_fd, int out_fd, char escape);

#endif
