/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of the shim share: the monitor's state and the runtime's command line. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "shared/event-loop.h"
#include "shared/log-file.h"
#include "shim/shim.h"

typedef struct ShimClient ShimClient;

typedef struct Shim {
        const ShimOptions *o;
        EventLoop *loop;
        LogFile *log;
        int stdin_fd;           /* the container's stdin: a pipe's write end, or the pty */
        int out_fd[2];          /* stdout and stderr read ends; with a pty, out_fd[0] is it */
        EventSource *out_src[2];
        int attach_fd;          /* the listening attach socket */
        ShimClient *clients;
        pid_t init_pid;
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
/* True once every output stream has reached its end. */
bool shim_io_drained(const Shim *s);
void shim_io_stop(Shim *s);

/* A unix socket path, refused clearly when longer than sun_path holds. */
int shim_socket_listen(const char *path, BerthError **err);
