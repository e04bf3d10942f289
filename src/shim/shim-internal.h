/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of the shim share: the monitor's state and the runtime's command line. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared/event-loop.h"
#include "shared/log-file.h"
#include "shim/shim.h"

typedef struct ShimClient ShimClient;
typedef struct ShimHealth ShimHealth;

typedef struct Shim {
        const ShimOptions *o;
        int ready_fd;           /* to the caller, until the first start is reported */
        EventLoop *loop;
        LogFile *log;
        int stdin_fd;           /* the container's stdin: a pipe's write end, or the pty */
        int out_fd[2];          /* stdout and stderr read ends; with a pty, out_fd[0] is it */
        EventSource *out_src[2];
        int attach_fd;          /* the listening attach socket */
        ShimClient *clients;
        pid_t init_pid;
        char *oom_path;         /* the memory cgroup's OOM kill counter */
        uint64_t oom_start;
        bool oom_killed;
        ShimHealth *health;
        EventSource *drain_timer;
        char started_at[40];
        unsigned restart_count;
        bool start_error;       /* a restart failed to start */
        bool exited;
        int status;             /* wait status of the init */
} Shim;

/* Runs `runtime [runtime_args] --log <state>/runtime.log --log-format json verb...` with the
 * given stdio (-1: /dev/null). Returns its exit status (0 ok), or -errno when it could not run;
 * on a failure, *ret_error is the runtime's last error message when it logged one. */
int shim_runtime_run(const ShimOptions *o, char *const *verb, const int stdio[3],
                     char **ret_error);

/* The stdio relay and the attach socket (shim-io.c). */
int shim_io_start(Shim *s, BerthError **err);
/* Waits up to usec for the first attach client and takes it in; 0, -ETIMEDOUT, or -EPIPE when
 * the caller that was to attach has died (its ready pipe broke). */
int shim_io_wait_client(Shim *s, uint64_t usec);
/* True once every output stream has reached its end. */
bool shim_io_drained(const Shim *s);
void shim_io_stop(Shim *s);

/* Health checks (shim-health.c): started with the container, stopped at its exit; the
 * SIGCHLD handler passes every reaped pid, true when it was a check's. */
int shim_health_start(Shim *s, ShimHealth **ret);
bool shim_health_reaped(ShimHealth *h, pid_t pid, int status);
void shim_health_stop(ShimHealth *h);

/* The OOM kill count of the container's memory cgroup (shim-oom.c). */
char *shim_oom_events_path(pid_t pid);
char *shim_oom_events_path_of_cgroup(const char *path);
uint64_t shim_oom_count(const char *path);

/* Appends a container event to the journal, when there is one (shim-events.c); extra is one
 * more "key=value" attribute or NULL. Failures are only reported on stderr (shim.log). */
void shim_event(const Shim *s, const char *action, const char *extra);

/* A unix socket path, refused clearly when longer than sun_path holds. */
int shim_socket_listen(const char *path, BerthError **err);
