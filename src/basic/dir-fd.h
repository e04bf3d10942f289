/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Directories by fd: opening one below another, reading its entries, creating a path. */
#pragma once

#include <dirent.h>
#include <sys/types.h>

/* name below dirfd (AT_FDCWD: the working directory) opened O_RDONLY|O_DIRECTORY|O_CLOEXEC,
 * plus flags (O_NOFOLLOW, O_PATH...). Returns the fd or -errno. */
int dir_fd_open_at(int dirfd, const char *name, int flags);
/* A DIR stream over the entries of dirfd, which stays open and the caller's (the stream has
 * its own fd). Returns 0 or -errno. */
int dir_fd_opendir(int dirfd, DIR **ret);
/* mkdir -p of path below dirfd: every missing component is created with mode, existing ones
 * are fine. Returns 0 or -errno. */
int dir_fd_mkdir_p(int dirfd, const char *path, mode_t mode);
/* mkdir -p of path below dirfd, then the directory opened as dir_fd_open_at() opens it.
 * Returns the fd or -errno. */
int dir_fd_create_open(int dirfd, const char *path, mode_t mode);
