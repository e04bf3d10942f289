/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The epoll event loop of event-loop.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "basic/macro.h"
#include "shared/event-loop.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

typedef enum EventKind {
        EVENT_IO,
        EVENT_SIGNAL,
        EVENT_CHILD,
        EVENT_TIMER,
} EventKind;

struct EventSource {
        EventLoop *loop;
        EventKind kind;
        int fd;         /* the watched fd: the caller's (io) or ours (pidfd, timerfd) */
        bool owns_fd;
        int sig;
        pid_t pid;
        bool dead;      /* freed while a batch of events was dispatched */
        union {
                EventIoHandler io;
                EventSignalHandler signal;
                EventChildHandler child;
                EventTimerHandler timer;
        } cb;
        void *userdata;
        EventSource *next; /* in the loop's list of every source */
};

struct EventLoop {
        int epoll_fd;
        int signal_fd;
        sigset_t signals;
        EventSource *sources;
        bool dispatching;
        bool exit;
        int exit_code;
};

/* The signalfd has a source of its own that points at no handler: its events fan out to the
 * signal sources. */
static EventSource signal_marker;

int event_loop_new(EventLoop **ret)
{
        EventLoop *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->signal_fd = -1;
        sigemptyset(&l->signals);
        l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epoll_fd < 0) {
                int r = -errno;
                free(l);
                return r;
        }
        *ret = l;
        return 0;
}

static void source_release(EventSource *s)
{
        if (s->owns_fd)
                safe_close(s->fd);
        free(s);
}

void event_loop_free(EventLoop *l)
{
        if (!l)
                return;
        for (EventSource *s = l->sources, *next; s; s = next) {
                next = s->next;
                source_release(s);
        }
        if (!sigisemptyset(&l->signals))
                sigprocmask(SIG_UNBLOCK, &l->signals, NULL);
        safe_close(l->signal_fd);
        safe_close(l->epoll_fd);
        free(l);
}

static int source_new(EventLoop *l, EventKind kind, int fd, bool owns_fd, void *userdata,
                      EventSource **ret)
{
        EventSource *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (EventSource){ .loop = l, .kind = kind, .fd = fd, .owns_fd = owns_fd,
                            .userdata = userdata, .next = l->sources };
        *ret = s;
        return 0;
}

/* Adds s to the epoll set and to the loop's list, or releases it. */
static int source_attach(EventSource *s, uint32_t events, EventSource **ret)
{
        struct epoll_event ev = { .events = events, .data.ptr = s };

        if (epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
                int r = -errno;
                source_release(s);
                return r;
        }
        s->loop->sources = s;
        if (ret)
                *ret = s;
        return 0;
}

int event_loop_add_io(EventLoop *l, int fd, uint32_t events, EventIoHandler cb, void *userdata,
                      EventSource **ret)
{
        EventSource *s;
        int r;

        if (fd < 0 || !cb)
                return -EINVAL;
        r = source_new(l, EVENT_IO, fd, false, userdata, &s);
        if (r < 0)
                return r;
        s->cb.io = cb;
        return source_attach(s, events, ret);
}

int event_source_set_io_events(EventSource *s, uint32_t events)
{
        struct epoll_event ev = { .events = events, .data.ptr = s };

        if (s->kind != EVENT_IO)
                return -EINVAL;
        return epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

int event_loop_add_signal(EventLoop *l, int sig, EventSignalHandler cb, void *userdata,
                          EventSource **ret)
{
        sigset_t mask = l->signals;
        EventSource *s;
        int r;

        if (sig <= 0 || sig >= _NSIG || !cb)
                return -EINVAL;
        sigaddset(&mask, sig);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = signalfd(l->signal_fd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (r < 0)
                return -errno;
        if (l->signal_fd < 0) {
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &signal_marker };
                l->signal_fd = r;
                if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, l->signal_fd, &ev) < 0)
                        return -errno;
        }
        l->signals = mask;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (EventSource){ .loop = l, .kind = EVENT_SIGNAL, .fd = -1, .sig = sig,
                            .cb.signal = cb, .userdata = userdata, .next = l->sources };
        l->sources = s;
        if (ret)
                *ret = s;
        return 0;
}

int event_loop_add_child(EventLoop *l, pid_t pid, EventChildHandler cb, void *userdata,
                         EventSource **ret)
{
        EventSource *s;
        int fd, r;

        if (pid <= 0 || !cb)
                return -EINVAL;
        fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return -errno;
        r = source_new(l, EVENT_CHILD, fd, true, userdata, &s);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        s->pid = pid;
        s->cb.child = cb;
        return source_attach(s, EPOLLIN, ret);
}

static int timer_arm(int fd, uint64_t usec)
{
        struct itimerspec its = {
                .it_value = { .tv_sec = usec / 1000000, .tv_nsec = (usec % 1000000) * 1000 },
        };

        /* An all-zero value disarms a timerfd: fire at once instead. */
        if (usec == 0)
                its.it_value.tv_nsec = 1;
        return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int event_loop_add_timer(EventLoop *l, uint64_t usec, EventTimerHandler cb, void *userdata,
                         EventSource **ret)
{
        EventSource *s;
        int fd, r;

        if (!cb)
                return -EINVAL;
        fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = timer_arm(fd, usec);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        r = source_new(l, EVENT_TIMER, fd, true, userdata, &s);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        s->cb.timer = cb;
        return source_attach(s, EPOLLIN, ret);
}

int event_source_set_timer(EventSource *s, uint64_t usec)
{
        uint64_t expirations;

        if (s->kind != EVENT_TIMER)
                return -EINVAL;
        /* Drop an expiry not yet read, or the new arming would look fired at once. */
        (void)!read(s->fd, &expirations, sizeof(expirations));
        return timer_arm(s->fd, usec);
}

static void signals_update(EventLoop *l)
{
        sigset_t mask, unblock;

        sigemptyset(&mask);
        for (EventSource *s = l->sources; s; s = s->next)
                if (s->kind == EVENT_SIGNAL && !s->dead)
                        sigaddset(&mask, s->sig);
        sigemptyset(&unblock);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sigismember(&l->signals, sig) == 1 && sigismember(&mask, sig) != 1)
                        sigaddset(&unblock, sig);
        if (l->signal_fd >= 0)
                (void)signalfd(l->signal_fd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        sigprocmask(SIG_UNBLOCK, &unblock, NULL);
        l->signals = mask;
}

static void sources_reap(EventLoop *l)
{
        for (EventSource **p = &l->sources; *p;) {
                EventSource *s = *p;
                if (s->dead) {
                        *p = s->next;
                        source_release(s);
                } else
                        p = &s->next;
        }
}

void event_source_free(EventSource *s)
{
        if (!s || s->dead)
                return;
        s->dead = true;
        if (s->fd >= 0)
                (void)epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        if (s->kind == EVENT_SIGNAL)
                signals_update(s->loop);
        if (!s->loop->dispatching)
                sources_reap(s->loop);
}

static int dispatch_signals(EventLoop *l)
{
        struct signalfd_siginfo si;

        for (;;) {
                ssize_t n = read(l->signal_fd, &si, sizeof(si));
                if (n < 0)
                        return errno == EAGAIN ? 0 : -errno;
                if (n != sizeof(si))
                        return -EIO;
                for (EventSource *s = l->sources; s; s = s->next) {
                        if (s->kind != EVENT_SIGNAL || s->dead || s->sig != (int)si.ssi_signo)
                                continue;
                        int r = s->cb.signal(s, &si, s->userdata);
                        if (r < 0)
                                return r;
                        break;
                }
        }
}

static int dispatch_child(EventSource *s)
{
        siginfo_t si = { 0 };

        if (waitid((idtype_t)P_PIDFD, (id_t)s->fd, &si, WEXITED | WNOHANG) < 0) {
                if (errno != ECHILD)
                        return -errno;
                /* Not our child: it exited (the pidfd is readable), status unknown. */
                si = (siginfo_t){ .si_pid = s->pid, .si_code = 0 };
        } else if (si.si_pid == 0)
                return 0; /* readable but not yet waitable: spurious */
        /* A pidfd stays readable after the exit: report it once. */
        (void)epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
        return s->cb.child(s, &si, s->userdata);
}

static int dispatch(EventSource *s, uint32_t revents)
{
        uint64_t expirations;

        switch (s->kind) {
        case EVENT_IO:
                return s->cb.io(s, s->fd, revents, s->userdata);
        case EVENT_CHILD:
                return dispatch_child(s);
        case EVENT_TIMER:
                if (read(s->fd, &expirations, sizeof(expirations)) < 0)
                        return errno == EAGAIN ? 0 : -errno;
                return s->cb.timer(s, s->userdata);
        case EVENT_SIGNAL:
                break;
        }
        return 0;
}

int event_loop_run(EventLoop *l)
{
        struct epoll_event events[16];
        int r = 0;

        l->exit = false;
        while (!l->exit) {
                int n = epoll_wait(l->epoll_fd, events, ELEMENTSOF(events), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                l->dispatching = true;
                for (int i = 0; i < n && r >= 0 && !l->exit; i++) {
                        EventSource *s = events[i].data.ptr;
                        if (s == &signal_marker)
                                r = dispatch_signals(l);
                        else if (!s->dead)
                                r = dispatch(s, events[i].events);
                }
                l->dispatching = false;
                sources_reap(l);
                if (r < 0)
                        return r;
        }
        return l->exit_code;
}

void event_loop_exit(EventLoop *l, int code)
{
        l->exit = true;
        l->exit_code = code;
}
