/* backend_loop.h: the skeleton of every backend daemon's one loop: an
 * epoll set with the stop signals (a signalfd) and the periodic tick (a
 * timerfd) in it. The daemon adds its own fds (xenstore, event channels,
 * ptys, TAPs, io_uring) and dispatches on the epoll data it chose. */
#ifndef BACKEND_LOOP_H
#define BACKEND_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct bk_loop {
    int epfd;                  /* the epoll set; -1 while not open */
    int sfd;                   /* signalfd of the stop signals; -1 */
    int tfd;                   /* timerfd of the tick; -1 */
};

/* Monotonic milliseconds (for ticks and rate limits, never wall time). */
double bk_now_ms(void);

/*
 * Open the loop: the epoll set, a signalfd for `sigs` (0-terminated; the
 * caller has blocked them, bk_block_signals) registered with epoll data
 * `sig_data`, and a timerfd firing every `tick_ms` (the first tick at
 * once) registered with `tick_data`. Returns 0, or -errno after logging
 * "cannot set up the loop: ..."; what was opened stays in *l for
 * bk_loop_close either way.
 */
int bk_loop_open(struct bk_loop *l, const int *sigs, int tick_ms, uint64_t sig_data,
                 uint64_t tick_data);

/* Register `fd` for EPOLLIN with epoll data `data`. 0 or -errno (not
 * logged: the caller says what the fd was). */
int bk_loop_add(struct bk_loop *l, int fd, uint64_t data);

/*
 * epoll_wait for at most `max` events, `timeout` ms (-1: forever).
 * Returns the number of events (0 after a timeout or an interrupted
 * wait: just go round again), or -errno after logging "epoll_wait: ...".
 */
int bk_loop_wait(struct bk_loop *l, struct epoll_event *evs, int max, int timeout);

/* The signalfd was readable: the next stop signal's number, or 0 if none
 * is left to read. */
int bk_loop_signal(struct bk_loop *l);

/* The timerfd was readable: 1 if a tick is due (the expirations are
 * consumed: several missed ticks make one), 0 if not. */
int bk_loop_tick(struct bk_loop *l);

/* Close the fds (no-op for those never opened); l->epfd becomes -1. */
void bk_loop_close(struct bk_loop *l);

#endif
