/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unix sockets: connect and listen by path (longer paths than sun_path holds too), and fds
 * passed with SCM_RIGHTS. */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* The most fds one message carries. */
#define SOCKET_MAX_FDS 16
/* The most iovecs one send takes. */
#define SOCKET_MAX_IOV 8

/* A socket of type (SOCK_STREAM|SOCK_CLOEXEC...) connected to the unix socket at path. A path
 * longer than sun_path is reached through its directory, opened O_PATH and named
 * /proc/self/fd/N/NAME (as runc and crun do). Returns the fd or -errno. */
int socket_connect_unix(int type, const char *path);
/* The same for name in directory dirfd (always through /proc/self/fd/N). */
int socket_connect_unix_at(int type, int dirfd, const char *name);
/* A socket of type bound to name in dirfd (or to path, relative to the working directory, with
 * AT_FDCWD) and listening with backlog. Returns the fd or -errno. */
int socket_listen_unix_at(int type, int dirfd, const char *name, int backlog);

/* Sends the iovecs (at most SOCKET_MAX_IOV) and n_fds fds (at most SOCKET_MAX_FDS) with
 * MSG_NOSIGNAL, retrying on EINTR; on a stream socket what a send leaves follows, the fds
 * having gone with the first part. Returns 0 or -errno. */
int socket_send_fds_iov(int fd, const struct iovec *iov, size_t n_iov, const int *fds,
                        size_t n_fds);
int socket_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t n_fds);
/* Receives one message into the iovecs, retrying on EINTR; its fds (O_CLOEXEC) go to fds, up
 * to max_fds, and the rest are closed, never leaked. *ret_n_fds (may be NULL) is how many were
 * stored. Returns the bytes received (0 when the peer closed) or -errno. */
ssize_t socket_recv_fds_iov(int fd, struct iovec *iov, size_t n_iov, int *fds, size_t max_fds,
                            size_t *ret_n_fds);
ssize_t socket_recv_fds(int fd, void *buf, size_t len, int *fds, size_t max_fds,
                        size_t *ret_n_fds);
