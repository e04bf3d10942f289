/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CVE-2019-5736 without copying the runtime: the init keeps running the runtime's own image,
 * made non-dumpable so no process in the container can open its /proc/<pid>/exe, and executes
 * the container's program through a sealed memfd of the tiny exec stub (exec-stub/stub.c), so
 * "#!/proc/self/exe" reaches the stub and never the runtime's binary.
 *
 * This is the fast path; where it could change what the container gets, the init instead
 * re-executes a sealed copy of the whole runtime (container_init_reexec()), as before:
 *  - CAP_SYS_PTRACE in the bounding set (or no process.capabilities, which keeps the host's): a
 *    process holding it may open a non-dumpable process's /proc/<pid>/exe;
 *  - createContainer or startContainer hooks: the init itself executes them in the container;
 *  - a seccomp profile that does not let execveat, fcntl, write, exit_group, capget and
 *    capset through unconditionally (needed under the container's filter to execute the stub
 *    without making the process dumpable, and by the stub itself);
 *  - a process that is not root and holds permitted capabilities that are not ambient (the
 *    extra execve() must not change what the program gets; for root the kernel recomputes
 *    the sets from bounding and inheritable at every execve(), and ambient ones survive it);
 *  - an SELinux label, or a kernel/architecture without the stub.
 */
#pragma once

#include <stdbool.h>

#include "spec/runtime-spec.h"

bool exec_stub_usable(const Spec *s);
/* The same for a process `exec` runs in a container with profile sc (no hooks there). */
bool exec_stub_usable_process(const SpecProcess *p, const SpecSeccomp *sc);
/* A sealed, executable memfd holding the stub. */
int exec_stub_memfd(int *ret);
/* Executes path (argv, envp) through the stub in stub_fd; report_fd, the channel whose closing
 * tells the runtime the program runs, stays open until the stub's own execve() and gets a
 * SYNC_EXEC_FAILED record should that fail. Returns -errno when the stub itself cannot run. */
int exec_stub_exec(int stub_fd, int report_fd, const char *path, char *const *argv,
                   char *const *envp);
