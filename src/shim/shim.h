/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth-shim, the monitor of one container (conmon's and containerd-shim's job): it creates and
 * starts the container through an OCI runtime's command line, holds its stdio (pipes, or the
 * pty the runtime hands over on a console socket), writes its log, serves attach and resize on
 * a unix socket, records its exit status, and deletes it when it has exited. It runs detached
 * from whoever started it (its own session, a subreaper of the container's init), so killing or
 * replacing the engine never stops a container; the engine reads what the shim leaves in its
 * state directory:
 *
 *   <state>/shim.pid     the shim's pid
 *   <state>/init.pid     the container's init (written by the runtime)
 *   <state>/attach.sock  attach: the output as Docker's multiplexed stream, stdin and resize in
 *   <state>/status.json  {"status":"running|restarting|exited","pid":N,"restart_count":N,
 *                        "started_at":"...", and once it exited: "exit_code":N,"signal":S,
 *                        "oom_killed":B,"finished_at":"..."}; "exited" is written last, when
 *                        the container has been deleted and the shim is about to end
 *   <state>/health.json  Docker's State.Health, with a health check
 *   <state>/stopped      made by the engine before it stops the container: no restart then
 *   <state>/restart-policy  written by the engine's `update --restart`: the policy (as
 *                        --restart takes it) that replaces the shim's own from the next exit on
 *   <state>/shim.log     the shim's own errors after it has detached
 *
 * With an events journal, the shim appends what only it sees: start (of every life, before it
 * reports the first), oom, die (exitCode) and health_status changes.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "basic/error.h"
#include "shared/log-file.h"
#include "shared/restart-policy.h"

typedef struct ShimOptions {
        const char *id;
        const char *bundle;
        const char *state_dir;
        const char *runtime;            /* the OCI runtime binary */
        char **runtime_args;            /* global options before the verb (--root DIR, ...) */
        bool terminal;                  /* process.terminal: the runtime hands over a pty */
        bool stdin_open;                /* keep stdin open for attach (-i) */
        bool attach_wait;               /* start the process once a client has attached (or
                                         * after SHIM_ATTACH_WAIT_USEC, or once that client
                                         * died before it could), so an attached run
                                         * misses none of its output */
        const char *cgroup;             /* config.json's cgroupsPath, to find the OOM
                                         * counter; NULL: from /proc/<init>/cgroup */
        const char *log_path;           /* NULL: no log file */
        LogFileOptions log;
        RestartPolicy restart;
        char **health_cmd;              /* NULL: no health check */
        char **exit_command;            /* run (detached) once the container has ended for
                                         * good, e.g. the engine's removal of an auto-remove
                                         * container; NULL: none */
        uint64_t health_interval_usec;
        uint64_t health_timeout_usec;
        uint64_t health_start_period_usec;
        unsigned health_retries;
        const char *events_path;        /* the events journal (event-journal.h); NULL: none */
        char **event_attrs;             /* "key=value" of every event (name, image, labels) */
} ShimOptions;

/* Attach frames, in both directions: Docker's multiplexed stream header (stream byte, three
 * zero bytes, big-endian 32-bit length) then the payload. To the client: SHIM_STREAM_STDOUT and
 * SHIM_STREAM_STDERR (a pty's output is all stdout); from the client: stdin data, the end of
 * stdin, and a resize (payload: rows and columns, big-endian 16-bit each). */
enum {
        SHIM_STREAM_STDIN = 0,
        SHIM_STREAM_STDOUT = 1,
        SHIM_STREAM_STDERR = 2,
        SHIM_STREAM_STDIN_CLOSE = 3,
        SHIM_STREAM_RESIZE = 4,
};
#define SHIM_FRAME_HEADER 8
#define SHIM_FRAME_MAX (1U << 20)
#define SHIM_ATTACH_WAIT_USEC (30 * 1000000ULL)

/* Creates and starts the container, writes one line to ready_fd ("ok <init pid>" or
 * "error <message>") and closes it, then monitors the container until it has exited and been
 * deleted. Returns 0, or -errno when the container could not be started. */
int shim_run(const ShimOptions *o, int ready_fd, BerthError **err);
