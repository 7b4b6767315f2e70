/* backend_loop.c: the epoll, signalfd and timerfd every backend daemon's
 * loop is built on (backend_loop.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "backend_loop.h"
#include "log.h"

double bk_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int bk_loop_add(struct bk_loop *l, int fd, uint64_t data)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

    return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int bk_loop_open(struct bk_loop *l, const int *sigs, int tick_ms, uint64_t sig_data,
                 uint64_t tick_data)
{
    struct itimerspec its = {
        .it_interval = { tick_ms / 1000, (tick_ms % 1000) * 1000000L },
        .it_value = { 0, 1 }, /* the first tick at once */
    };
    sigset_t mask;
    int r;

    sigemptyset(&mask);
    for (const int *s = sigs; *s; s++)
        sigaddset(&mask, *s);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (l->epfd < 0 || l->sfd < 0 || l->tfd < 0 || timerfd_settime(l->tfd, 0, &its, NULL) < 0) {
        r = -errno;
        log_err("cannot set up the loop: %s", strerror(-r));
        return r;
    }
    if ((r = bk_loop_add(l, l->sfd, sig_data)) < 0 || (r = bk_loop_add(l, l->tfd, tick_data)) < 0) {
        log_err("cannot set up the loop: %s", strerror(-r));
        return r;
    }
    return 0;
}

int bk_loop_wait(struct bk_loop *l, struct epoll_event *evs, int max, int timeout)
{
    int n = epoll_wait(l->epfd, evs, max, timeout);

    if (n < 0 && errno == EINTR)
        return 0;
    if (n < 0) {
        int e = errno;
        log_err("epoll_wait: %s", strerror(e));
        return -e;
    }
    return n;
}

int bk_loop_signal(struct bk_loop *l)
{
    struct signalfd_siginfo si;

    return read(l->sfd, &si, sizeof(si)) == sizeof(si) ? (int)si.ssi_signo : 0;
}

int bk_loop_tick(struct bk_loop *l)
{
    uint64_t ticks;

    return read(l->tfd, &ticks, sizeof(ticks)) == sizeof(ticks);
}

void bk_loop_close(struct bk_loop *l)
{
    if (l->tfd >= 0)
        close(l->tfd);
    if (l->sfd >= 0)
        close(l->sfd);
    if (l->epfd >= 0)
        close(l->epfd);
    l->tfd = l->sfd = l->epfd = -1;
}
