/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Files and directories: whole-file reads, atomic writes, recursive mkdir and removal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "basic/error.h"
#include "basic/macro.h"

/* Size limits of outside input read whole, so that a link to /dev/zero or a huge file cannot
 * take the memory: JSON documents (config.json, exec --process, update -r, state.json, image
 * manifests, indexes and configs, docker-archive manifest.json, auth and registry files) 4 MiB,
 * the manifest limit of the OCI distribution spec, containerd and Berth's own pull; passwd
 * files 16 MiB. */
#define READ_LIMIT_JSON ((size_t)4 << 20)
#define READ_LIMIT_PASSWD ((size_t)16 << 20)
/* JSON blobs of the content store read whole (manifests, indexes, image configs): 16 MiB, as
 * an image config with a long history may outgrow a manifest's 4 MiB. */
#define READ_LIMIT_BLOB ((size_t)16 << 20)

/* Outside input: a regular file (after following links) of at most max bytes, read whole and
 * NUL-terminated. Opened with O_NONBLOCK|O_NOCTTY, so a FIFO or device neither blocks nor
 * becomes a terminal before it is refused; errors name path and the limit. err may be NULL. */
int fs_read_full_file_limited(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size,
                           BerthError **err);
/* The same for an open fd, named name in errors. */
int fs_read_full_regular_fd(int fd, const char *name, size_t max, char **ret, size_t *ret_size,
                         BerthError **err);
/* All of fd (a pipe too), -EFBIG past max bytes. */
int fs_read_full_fd_limited(int fd, size_t max, char **ret, size_t *ret_size);
/* Kernel interfaces only (/proc, /sys, cgroupfs, pipes from our own children): no type check
 * or useful limit. Anything from a config, an image, a bundle or a user goes through the ones
 * above. */
int fs_read_full_fd(int fd, char **ret, size_t *ret_size);
int fs_read_full_file(const char *path, char **ret, size_t *ret_size);
int fs_read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size);
/* Writes the whole buffer, retrying on EINTR and short writes. */
int fs_write_all_fd(int fd, const void *buf, size_t len);
/* The same for n iovecs, which it advances as it writes. */
int fs_writev_all(int fd, struct iovec *iov, size_t n);
/* Opens an existing file (no O_CREAT) and writes s to it, as for /proc and /sys files. */
int fs_write_string_file(const char *path, const char *s);
int fs_write_string_file_at(int dirfd, const char *path, const char *s);
/* Writes name in dirfd through a temporary name, fsync and rename: never half written. */
int fs_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* The same without fsync: never half written, but may be lost in a crash. For runtime state
 * under /run, which does not outlive a reboot anyway (runc does not sync it either). */
int fs_write_file_replace_at(int dirfd, const char *name, const void *data, size_t len,
                             mode_t mode);
/* Creates name, which must not exist yet, and writes it: for a directory nobody reads before
 * the writer says so (a replace through rename would make ext4 flush it at once). */
int fs_write_file_new_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* The same for a path: written beside it under a temporary name. */
int fs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
int fs_write_file_replace(const char *path, const void *data, size_t len, mode_t mode);
int fs_mkdir_p(const char *path, mode_t mode);
/* Removes path and everything below it without crossing into other mounts. */
int fs_rm_rf_at(int dirfd, const char *name);
int fs_rm_rf(const char *path);
bool fs_path_is_absolute(const char *p);
int fs_fd_get_path(int fd, char **ret);

/* "/proc/self/fd/N": the path that reaches fd's file (reopening an O_PATH fd, mounting on it). */
void fs_proc_fd_path(int fd, char buf[static 32]);
