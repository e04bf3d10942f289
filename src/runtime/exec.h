/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: a new process in a running container's namespaces, cgroup and security settings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"
#include "runtime/state.h"

typedef struct ExecOptions {
        const char *console_socket;
        const char *pid_file;
        bool detach;
        /* Run it in a paused container too (runc's --ignore-paused): it joins the frozen
         * cgroup and stays frozen, and so does this call, until the container is resumed. */
        bool ignore_paused;
        unsigned preserve_fds;
        /* Execute the program through the exec stub (exec-stub.h); otherwise the caller runs
         * from a sealed copy of the runtime (cloned_binary_ensure()). */
        bool exec_stub;
} ExecOptions;

/* Runs p in container c. In the foreground it waits and returns the exit status (128+signal)
 * in *ret_status; with detach it returns once the process is executing. */
int container_exec(Container *c, const SpecProcess *p, const ExecOptions *o, int *ret_status,
                   BerthError **err);

/* exec-process.c. A process.json (--process), parsed as the "process" of a minimal config so
 * that it gets every check and error path of config.json ("process.user.uid: ..."). */
int container_exec_load_process(const char *path, Spec **ret, BerthError **err);

/* The changes a caller asks for to the container's own process (runc's exec flags). */
typedef struct ExecOverrides {
        char *const *args;      /* the command, replacing process.args */
        bool terminal;
        const char *cwd;        /* absolute, or NULL for the config's */
        char *const *env;       /* KEY=VALUE each, replacing the config's KEY or added */
        const char *user;       /* "UID[:GID]", or NULL */
        const uint32_t *gids;   /* replacing process.user.additionalGids when n_gids > 0 */
        size_t n_gids;
        char *const *caps;      /* added to every capability set */
        bool no_new_privileges; /* set it; false leaves the config's */
} ExecOverrides;
int container_exec_override(SpecProcess *p, const ExecOverrides *x, BerthError **err);

/* Chooses how p is executed (o->exec_stub): through the exec stub where that changes nothing
 * for the process, else from a sealed copy of the runtime, into which argv (the running
 * command) is re-executed first (cloned_binary_ensure(): in the copy it returns at once).
 * c's spec must be loaded. */
int container_exec_protect(Container *c, const SpecProcess *p, char **argv, ExecOptions *o,
                           BerthError **err);
