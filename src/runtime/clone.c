/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/clone.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args up to .cgroup (CLONE_ARGS_SIZE_VER2), without <linux/sched.h>'s clash
 * with <sched.h>. */
struct clone_args_v2 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        uint64_t set_tid, set_tid_size, cgroup;
};

pid_t clone_child(unsigned long flags, int cgroup_fd, bool *ret_into)
{
        long pid = -1;

        if (ret_into)
                *ret_into = false;
        if (cgroup_fd >= 0) {
                struct clone_args_v2 ca = {
                        .flags = flags | CLONE_INTO_CGROUP,
                        /* clone3 takes no exit signal with CLONE_PARENT (the caller's is used) */
                        .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
                        .cgroup = (uint64_t)cgroup_fd,
                };
                pid = syscall(SYS_clone3, &ca, sizeof(ca));
                if (pid >= 0 && ret_into)
                        *ret_into = true;
        }
        if (pid < 0)
                pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
        return pid < 0 ? -errno : (pid_t)pid;
}
