/* toolstack.h: run pvctl as a user would (a process: argv, exit code,
 * stdout, stderr) against a private run directory whose daemons pvctl
 * starts itself. */
#ifndef PVHV_TEST_TOOLSTACK_H
#define PVHV_TEST_TOOLSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct stack {
    char rundir[64];
    char out[65536];  /* stdout of the last pvctl run */
    char err[16384];  /* stderr of the last pvctl run */
};

/* A fresh run directory (nothing running yet). Needs /dev/kvm. */
void stack_init(struct stack *st);
/* `pvctl host stop -f`, then remove the run directory. */
void stack_fini(struct stack *st);

/* Run `pvctl --rundir DIR args...` (NULL-terminated) with a 30 s limit;
 * returns its exit status and keeps its output in st->out / st->err. */
int pvctl(struct stack *st, ...) __attribute__((sentinel));

/* Write a config file in the run directory: `body` is the text, with
 * "@KERNEL@" replaced by the reference guest's path. Returns its path
 * (static buffer, valid until the next call). */
const char *stack_config(struct stack *st, const char *name, const char *body);

/* A sparse raw image of `mib` MiB named `name` in the run directory.
 * Returns its path (static, one of four buffers used in turn). */
const char *stack_image(struct stack *st, const char *name, unsigned mib);

/* The domid `pvctl domid NAME` prints, or -1. */
int stack_domid(struct stack *st, const char *name);
/* The state column of NAME in `pvctl list` ("r-----", ...) into buf, or
 * false if it is not listed. */
bool stack_state(struct stack *st, const char *name, char *buf, size_t len);
/* Poll `pvctl list` up to `ms` until NAME's state has `flag` ('r', 'b',
 * 'p', 's', 'c') or, with flag 0, NAME is gone. */
bool stack_wait(struct stack *st, const char *name, char flag, int ms);
/* Wait up to `ms` until RUNDIR/console/NAME.log holds `text`. */
bool stack_console_has(struct stack *st, const char *name, const char *text, int ms);

/*
 * Read what a pty's master gets (a program run under forkpty, such as
 * `pvctl console`) into buf until `text` shows up or `ms` pass; buf
 * (cap bytes, NUL-terminated, may start non-empty) keeps the tail of what
 * was read. True if `text` showed.
 */
bool pty_wait(int master, const char *text, int ms, char *buf, size_t cap);

/*
 * `pvctl console NAME` on a terminal of its own, as a user runs it: returns
 * its pid and sets *master to the terminal's other end (asserts). Then
 * write what is typed to *master (Enter is "\r" on a raw terminal) and
 * read with pty_wait.
 */
pid_t pvctl_console_open(struct stack *st, const char *name, int *master);
/* Type Ctrl-] and wait up to `ms` for pvctl to exit; closes `master`.
 * Returns its wait status, or -1 if it had to be killed. */
int pvctl_console_detach(pid_t pid, int master, int ms);

#endif
