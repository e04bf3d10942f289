/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fork()-like clones with namespace flags, optionally straight into a cgroup. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/*
 * Clones the caller like fork() (the child continues on a copy of the stack) with the
 * CLONE_* flags in flags (CLONE_PARENT included: its exit signal is the caller's). With
 * cgroup_fd >= 0, a directory on the unified cgroup hierarchy, the child starts in that cgroup
 * (clone3(CLONE_INTO_CGROUP): no migration, see cgroup/cgroup-join.c) when the kernel can do
 * that, and *ret_into says whether it did; otherwise it is a plain clone. Returns the child's
 * pid (0 in the child) or -errno.
 */
pid_t clone_child(unsigned long flags, int cgroup_fd, bool *ret_into);
