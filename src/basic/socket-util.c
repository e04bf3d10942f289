/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unix sockets by path and fd passing: see socket-util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "basic/dir-fd.h"
#include "basic/macro.h"
#include "basic/socket-util.h"

/* The address of name in dirfd: the name itself when dirfd is AT_FDCWD and it fits, or
 * /proc/self/fd/N/NAME. */
static int sockaddr_at(int dirfd, const char *name, struct sockaddr_un *sa)
{
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        int n = dirfd == AT_FDCWD ? snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", name)
                                  : snprintf(sa->sun_path, sizeof(sa->sun_path),
                                             "/proc/self/fd/%d/%s", dirfd, name);
        return n < 0 || (size_t)n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}

/* Splits a path too long for sun_path into its directory, opened O_PATH into *ret_dirfd, and
 * its last component. */
static int open_parent(const char *path, int *ret_dirfd, const char **ret_name)
{
        const char *slash = strrchr(path, '/');
        if (!slash) {
                *ret_dirfd = AT_FDCWD;
                *ret_name = path;
                return 0;
        }
        _cleanup_free_ char *dir =
                slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        int fd = dir_fd_open_at(AT_FDCWD, dir, O_PATH);
        if (fd < 0)
                return fd;
        *ret_dirfd = fd;
        *ret_name = slash + 1;
        return 0;
}

/* A new socket of type and the address of name in dirfd. */
static int socket_for(int type, int dirfd, const char *name, struct sockaddr_un *sa)
{
        int r = sockaddr_at(dirfd, name, sa);
        if (r < 0)
                return r;
        return RET_NERRNO(socket(AF_UNIX, type, 0));
}

int socket_connect_unix_at(int type, int dirfd, const char *name)
{
        struct sockaddr_un sa;
        _cleanup_close_ int fd = socket_for(type, dirfd, name, &sa);
        if (fd < 0)
                return fd;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int socket_connect_unix(int type, const char *path)
{
        struct sockaddr_un sa;
        if (strlen(path) < sizeof(sa.sun_path))
                return socket_connect_unix_at(type, AT_FDCWD, path);
        _cleanup_close_ int dirfd = -1;
        const char *name = path;
        int r = open_parent(path, &dirfd, &name);
        if (r < 0)
                return r;
        return socket_connect_unix_at(type, dirfd, name);
}

int socket_listen_unix_at(int type, int dirfd, const char *name, int backlog)
{
        struct sockaddr_un sa;
        _cleanup_close_ int fd = socket_for(type, dirfd, name, &sa);
        if (fd < 0)
                return fd;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, backlog) < 0)
                return -errno;
        return TAKE_FD(fd);
}

typedef union Control {
        char buf[CMSG_SPACE(sizeof(int) * SOCKET_MAX_FDS)];
        struct cmsghdr align;
} Control;

int socket_send_fds_iov(int fd, const struct iovec *iov, size_t n_iov, const int *fds,
                        size_t n_fds)
{
        struct iovec left[SOCKET_MAX_IOV];
        Control control;
        struct msghdr mh = { .msg_iov = left, .msg_iovlen = n_iov };

        if (n_fds > SOCKET_MAX_FDS || n_iov > SOCKET_MAX_IOV)
                return -E2BIG;
        memcpy(left, iov, n_iov * sizeof(*iov));
        if (n_fds > 0) {
                memset(&control, 0, sizeof(control));
                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        for (;;) {
                ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                /* A stream socket may take part of it: the rest follows, the fds went with
                 * the first part. */
                mh.msg_control = NULL;
                mh.msg_controllen = 0;
                while (mh.msg_iovlen > 0 && (size_t)n >= mh.msg_iov->iov_len) {
                        n -= (ssize_t)mh.msg_iov->iov_len;
                        mh.msg_iov++;
                        mh.msg_iovlen--;
                }
                if (mh.msg_iovlen == 0)
                        return 0;
                mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + n;
                mh.msg_iov->iov_len -= (size_t)n;
        }
}

int socket_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t n_fds)
{
        struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
        return socket_send_fds_iov(fd, &iov, 1, fds, n_fds);
}

ssize_t socket_recv_fds_iov(int fd, struct iovec *iov, size_t n_iov, int *fds, size_t max_fds,
                            size_t *ret_n_fds)
{
        Control control;
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = n_iov };
        size_t n_fds = 0;
        ssize_t n;

        if (ret_n_fds)
                *ret_n_fds = 0;
        do {
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int pfd;
                        memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (n_fds < max_fds)
                                fds[n_fds++] = pfd;
                        else
                                close(pfd);
                }
        }
        if (ret_n_fds)
                *ret_n_fds = n_fds;
        return n;
}

ssize_t socket_recv_fds(int fd, void *buf, size_t len, int *fds, size_t max_fds,
                        size_t *ret_n_fds)
{
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        return socket_recv_fds_iov(fd, &iov, 1, fds, max_fds, ret_n_fds);
}
