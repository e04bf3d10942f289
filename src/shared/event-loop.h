/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small epoll event loop for the per-container shim and the servers: fd readiness, signals
 * (one signalfd), process exits (pidfds) and one-shot timers (timerfds). Single-threaded. A
 * handler that returns a negative errno ends event_loop_run() with it; a source may be freed
 * from any handler, its own included (the memory is released after the batch of events).
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>

typedef struct EventLoop EventLoop;
typedef struct EventSource EventSource;

typedef int (*EventIoHandler)(EventSource *s, int fd, uint32_t revents, void *userdata);
typedef int (*EventSignalHandler)(EventSource *s, const struct signalfd_siginfo *si,
                                  void *userdata);
/* si->si_pid is the process; si->si_code is 0 when it was no child of ours (its status is
 * then unknown: only a child can be waited for). */
typedef int (*EventChildHandler)(EventSource *s, const siginfo_t *si, void *userdata);
typedef int (*EventTimerHandler)(EventSource *s, void *userdata);

int event_loop_new(EventLoop **ret);
void event_loop_free(EventLoop *l);
static inline void event_loop_freep(EventLoop **l)
{
        event_loop_free(*l);
}
#define _cleanup_event_loop_ __attribute__((cleanup(event_loop_freep)))

/* fd stays the caller's; events are EPOLLIN, EPOLLOUT, ... (EPOLLHUP and EPOLLERR always). */
int event_loop_add_io(EventLoop *l, int fd, uint32_t events, EventIoHandler cb, void *userdata,
                      EventSource **ret);
int event_source_set_io_events(EventSource *s, uint32_t events);
/* Blocks sig for the whole process and delivers it through the loop's signalfd. */
int event_loop_add_signal(EventLoop *l, int sig, EventSignalHandler cb, void *userdata,
                          EventSource **ret);
/* Watches pid through a pidfd; a child of ours is reaped and its status passed on. */
int event_loop_add_child(EventLoop *l, pid_t pid, EventChildHandler cb, void *userdata,
                         EventSource **ret);
/* Fires once, usec from now on CLOCK_MONOTONIC; event_source_set_timer() arms it again. */
int event_loop_add_timer(EventLoop *l, uint64_t usec, EventTimerHandler cb, void *userdata,
                         EventSource **ret);
int event_source_set_timer(EventSource *s, uint64_t usec);

/* Removes the source from its loop; NULL is fine. */
void event_source_free(EventSource *s);

/* Runs until event_loop_exit() or a handler's error; returns the exit code or -errno. */
int event_loop_run(EventLoop *l);
void event_loop_exit(EventLoop *l, int code);
