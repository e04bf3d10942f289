/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Setting up the container's process itself, shared by the init (create) and exec. */
#pragma once

#include "basic/error.h"
#include "spec/runtime-spec.h"

typedef struct PreparedProcess {
        char **args; /* borrowed from the spec */
        char **env;
        char *exe;
        const char *affinity_final; /* borrowed: process.execCPUAffinity.final */
} PreparedProcess;

/* In the container (root and mount namespace entered): rlimits, seccomp, user, groups,
 * capabilities, cwd (resolved inside rootfd), noNewPrivileges, umask, environment and the
 * executable. */
struct SyscallFilter;
/* seccomp (may be NULL) is loaded while the process still holds CAP_SYS_ADMIN, before its user
 * and capabilities change, as runc does; with notify rules the listener goes to the runtime as
 * SYNC_SECCOMP on report_fd at once, before any other syscall. */
int process_prepare(const SpecProcess *p, int rootfd, unsigned n_listen_fds,
                    struct SyscallFilter *seccomp, int report_fd, PreparedProcess *ret,
                    BerthError **err);
void process_prepared_done(PreparedProcess *p);
/* Marks every fd past 3 + keep_fds close-on-exec, resets signals and executes; returns only
 * on failure. */
/* Executes the program; with stub_fd >= 0 through the exec stub (exec-stub.h), which reports a
 * failed execve() on report_fd. Returns only on failure. */
int process_exec(PreparedProcess *p, unsigned keep_fds, int stub_fd, int report_fd,
                 BerthError **err);
/* A program that cannot be executed, worded as runc does (`exec: "PATH": permission denied`,
 * the errno text in lower case): Docker's CLI turns "no such file or directory" and
 * "permission denied" in the error into the exit codes 127 and 126, matching case. */
int process_exec_error(BerthError **err, int errnum, const char *path);
