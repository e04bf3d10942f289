/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Files and directories: whole-file reads, atomic writes, recursive mkdir and removal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "macro.h"

int read_full_fd(int fd, char **ret, size_t *ret_size);
int read_full_file(const char *path, char **ret, size_t *ret_size);
int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size);
/* Writes the whole buffer, retrying on EINTR and short writes. */
int write_all_fd(int fd, const void *buf, size_t len);
/* Opens an existing file (no O_CREAT) and writes s to it, as for /proc and /sys files. */
int write_string_file(const char *path, const char *s);
int write_string_file_at(int dirfd, const char *path, const char *s);
/* Writes name in dirfd through a temporary name, fsync and rename: never half written. */
int write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* The same without fsync: never half written, but may be lost in a crash. For runtime state
 * under /run, which does not outlive a reboot anyway (runc does not sync it either). */
int write_file_replace_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* Creates name, which must not exist yet, and writes it: for a directory nobody reads before
 * the writer says so (a replace through rename would make ext4 flush it at once). */
int write_file_new_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* The same for a path: written beside it under a temporary name. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
int mkdir_p(const char *path, mode_t mode);
/* Removes path and everything below it without crossing into other mounts. */
int rm_rf_at(int dirfd, const char *name);
int rm_rf(const char *path);
bool path_is_absolute(const char *p);
int fd_get_path(int fd, char **ret);
