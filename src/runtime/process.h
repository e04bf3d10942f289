/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Setting up the container's process itself, shared by the init (create) and exec. */
#pragma once

#include "basic/error.h"
#include "spec/runtime-spec.h"

typedef struct PreparedProcess {
        char **args; /* borrowed from the spec */
        char **env;
        char *exe;
} PreparedProcess;

/* In the container (root and mount namespace entered): rlimits, user, groups, capabilities,
 * cwd (resolved inside rootfd), noNewPrivileges, umask, environment and the executable. */
int process_prepare(const SpecProcess *p, int rootfd, unsigned n_listen_fds, PreparedProcess *ret,
                    BerthError **err);
void process_prepared_done(PreparedProcess *p);
/* Marks every fd past 3 + keep_fds close-on-exec, resets signals and executes; returns only
 * on failure. */
int process_exec(PreparedProcess *p, unsigned keep_fds, BerthError **err);
