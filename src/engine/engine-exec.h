/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process run in a running container, as `docker exec`: the container's process (env, user,
 * working directory, capabilities, rlimits) from its config.json with the caller's changes on
 * top, handed to the runtime as `exec --process FILE ID`. Started and waited for in two steps
 * so that a front end can relay the pty between them.
 */
#pragma once

#include <stdbool.h>

#include "engine/engine.h"

typedef struct EngineExecOptions {
        char **argv;             /* the command; argv[0] looked up in the container's PATH */
        char **env;              /* KEY=VALUE over the container's */
        const char *user;        /* USER[:GROUP] as in the container's /etc/passwd; NULL: the
                                  * container's */
        const char *workdir;     /* absolute; NULL: the container's */
        bool tty;                /* a pty, handed over by engine_exec_console() */
        bool detach;             /* return once it runs; stdio /dev/null */
        bool privileged;         /* every capability */
        unsigned short rows, cols; /* tty: its size from the start (0: the runtime's) */
        int stdio[3];            /* without tty and detach: its stdin, stdout, stderr (-1:
                                  * /dev/null); stderr also gets the runtime's complaints */
} EngineExecOptions;

typedef struct EngineExec EngineExec;

/* Checks that c runs, writes the process and starts the runtime; with tty, waits for the pty
 * master. With tty the runtime detaches and this process becomes a child subreaper
 * (PR_SET_CHILD_SUBREAPER, for good) to reap the process it leaves. On an error the exit code
 * Docker gives is in *ret_code: 126 or 127 when the command could not be run or found, 1
 * otherwise. */
int engine_exec_start(Engine *e, EngineContainer *c, const EngineExecOptions *o, EngineExec **ret,
                      int *ret_code, BerthError **err);
/* The pty master (owned by x) with tty, else -1. */
int engine_exec_console(const EngineExec *x);
/* Waits for the process (the runtime's exec ends with it); *ret_code its exit code, or as for
 * engine_exec_start() when it could not start. With detach it returns at once. */
int engine_exec_wait(EngineExec *x, int *ret_code, BerthError **err);
/* Leaves the runtime (and with it the process) running when it was not waited for. */
void engine_exec_free(EngineExec *x);
static inline void engine_exec_freep(EngineExec **x)
{
        engine_exec_free(*x);
}
#define _cleanup_engine_exec_ __attribute__((cleanup(engine_exec_freep)))

/* engine_exec_start() and engine_exec_wait() for a process without a pty. */
int engine_container_exec(Engine *e, EngineContainer *c, const EngineExecOptions *o,
                          int *ret_code, BerthError **err);
