/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container lifecycle of the OCI runtime: create, start, run, kill, delete. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"
#include "runtime/state.h"

typedef struct CreateOptions {
        const char *root;           /* state root, e.g. /run/berth */
        const char *id;
        const char *bundle;         /* NULL: the current directory */
        const char *config;         /* NULL: <bundle>/config.json */
        const char *pid_file;
        const char *console_socket;
        bool no_pivot;
        bool no_new_keyring;
        bool systemd_cgroup;
        unsigned preserve_fds;
        unsigned listen_fds;        /* fds from 3 on passed through by socket activation:
                                     * the caller's LISTEN_FDS (the library reads no
                                     * environment) */
} CreateOptions;

/* The parts of a create that `run` keeps using after the container is created. */
typedef struct CreateResult {
        Container *container;
        int start_fd;       /* run: the channel to start the init on; -1 after create */
        int console_master; /* run with a terminal and no console socket: the pty master */
} CreateResult;

/* create: the init waits for `start` on <state>/exec.sock. With `foreground`, it waits on
 * ret->start_fd instead and the caller starts it (run). */
int container_create(const CreateOptions *o, bool foreground, CreateResult *ret, BerthError **err);
void container_create_result_done(CreateResult *r);
/* Starts a created container and runs the poststart hooks. */
int container_start(Container *c, BerthError **err);
/* Starts through the channel of a foreground create. */
int container_start_fd(Container *c, int start_fd, BerthError **err);
/* run: create + start; in the foreground it waits and returns the exit status (128+signal) in
 * *ret_status and deletes the container unless keep. */
int container_run(const CreateOptions *o, bool detach, bool keep, int *ret_status,
                  BerthError **err);
int container_kill(Container *c, int sig, bool all, BerthError **err);
/* Deletes a stopped (or, with force, any) container: poststop hooks, cgroup, state. */
int container_delete(Container *c, bool force, BerthError **err);

/* init.c: the container's first process, from clone() to execve(); never returns. */
typedef struct InitArgs {
        const CreateOptions *opts;
        const Spec *spec;
        const char *bundle;  /* absolute */
        const char *rootfs;  /* absolute */
        int sync_fd;         /* the init's end of the setup channel */
        int listen_fd;       /* exec.sock for create, -1 for run */
        bool joined_early;   /* the namespaces to join were joined before the clone */
        unsigned n_listen_fds; /* LISTEN_FDS passed through */
        struct SyscallFilter *seccomp; /* loaded by the init; may be NULL */
        int config_fd;       /* the config.json copy, open for reading (the init may not be
                              * allowed to open it once in its user namespace) */
        int exec_stub_fd;    /* the sealed exec stub to execute the program by, or -1 */
        bool reexec;         /* !exec_stub_usable(): the init re-executes the runtime's copy,
                              * and the runtime sends it its settings (decided once, here) */
} InitArgs;

/* Right after the clone: the init goes on in the runtime's own image, non-dumpable, when the
 * exec stub can protect the runtime's binary (exec-stub.h), else container_init_reexec(). */
_noreturn_ void container_init_start(const InitArgs *a);
/* The other way (CVE-2019-5736): the init executes a sealed memfd copy of the runtime, so the
 * host's binary never runs in the container; the copy continues in container_init_main(), which
 * gets its settings from the runtime: container_init_send_settings() on the runtime's end of
 * the sync socket, after SYNC_MAPPED if the init waits for that, before SYNC_GO. Returns -errno. */
int container_init_send_settings(int fd, const InitArgs *a);
/* `berth-runtime init SYNC_FD` (internal): reads its settings from SYNC_FD, then the config. */
int container_init_main(int argc, char **argv);
