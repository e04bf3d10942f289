/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: a new process in a running container's namespaces, cgroup and security settings. */
#pragma once

#include <stdbool.h>

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
