/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "basic/error.h"
#include "basic/macro.h"
#include "basic/socket-util.h"
#include "runtime/sync.h"
#include "runtime/sync-wire.h"

int sync_send_fds(int fd, SyncType type, int32_t value, const char *text, const int *fds,
                  size_t n_fds)
{
        SyncWire w = { .type = type, .value = value };
        struct iovec iov[2] = {
                { .iov_base = &w, .iov_len = sizeof(w) },
                { .iov_base = (void *)(text ? text : ""), .iov_len = text ? strlen(text) : 0 },
        };

        if (n_fds > SYNC_MAX_FDS)
                return -E2BIG;
        return socket_send_fds_iov(fd, iov, 2, fds, n_fds);
}

int sync_send(int fd, SyncType type, int32_t value, const char *text, int pass_fd)
{
        return sync_send_fds(fd, type, value, text, &pass_fd, pass_fd >= 0 ? 1 : 0);
}

int sync_recv_fds(int fd, SyncMsg *ret, int *fds, size_t max_fds, size_t *ret_n_fds)
{
        SyncWire w;
        size_t n_fds = 0;
        ssize_t n;

        if (ret_n_fds)
                *ret_n_fds = 0;
        /* The datagram's real size first, so any text length fits. A peer that exits with
         * our messages unread makes the kernel report ECONNRESET once, on the next receive,
         * ahead of what the peer sent before exiting (its error report): that error is
         * consumed, so look again. The exit may come between the peek and the receive, so
         * the receive looks again too. */
        int resets = 0;
        do
                n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
        while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ == 0)));
        if (n < 0)
                return -errno;
        if (n == 0)
                return -EPIPE;
        if ((size_t)n < sizeof(w))
                return -EBADMSG;

        size_t tlen = (size_t)n - sizeof(w);
        _cleanup_free_ char *text = malloc(tlen + 1);
        if (!text)
                return -ENOMEM;
        struct iovec iov[2] = {
                { .iov_base = &w, .iov_len = sizeof(w) },
                { .iov_base = text, .iov_len = tlen },
        };
        /* Whatever the caller has no room for is closed, never leaked. */
        do
                n = socket_recv_fds_iov(fd, iov, 2, fds, max_fds, &n_fds);
        while (n == -ECONNRESET && resets++ < 2);
        if (n < 0)
                return (int)n;
        if (n == 0)
                return -EPIPE;
        text[tlen] = 0;
        if (ret_n_fds)
                *ret_n_fds = n_fds;
        ret->type = w.type;
        ret->value = w.value;
        ret->text = TAKE_PTR(text);
        return 0;
}

int sync_recv(int fd, SyncMsg *ret, int *ret_fd)
{
        size_t n = 0;
        int pfd = -1;
        int r = sync_recv_fds(fd, ret, &pfd, ret_fd ? 1 : 0, &n);
        if (ret_fd)
                *ret_fd = n > 0 ? pfd : -1;
        return r;
}

void sync_msg_done(SyncMsg *m)
{
        free(m->text);
        m->text = NULL;
}

int sync_expect(int fd, SyncType type, SyncMsg *ret, int *ret_fd, char **ret_error)
{
        SyncMsg m = {};
        int r = sync_recv(fd, &m, ret_fd);
        if (r < 0)
                return r;
        if (m.type == SYNC_ERROR) {
                r = m.value > 0 ? -m.value : -EINVAL;
                if (ret_error)
                        *ret_error = TAKE_PTR(m.text);
                sync_msg_done(&m);
                return r;
        }
        if (m.type != (uint32_t)type) {
                sync_msg_done(&m);
                return -EBADMSG;
        }
        if (ret)
                *ret = m;
        else
                sync_msg_done(&m);
        return 0;
}

void sync_fail(int fd, const BerthError *err, int status)
{
        sync_send(fd, SYNC_ERROR, err ? err->errnum : EINVAL, err ? err->msg : "unknown error",
                  -1);
        _exit(status);
}

void sync_die_with_runtime(int fd)
{
        /* Armed first, then checked: a runtime that dies after the prctl() kills us, one that
         * died before has closed its end, the last one (no process of ours keeps a copy), and
         * the kernel closes a dying process's files before it signals its children. Unlike
         * getppid() == 1 this holds in a new pid namespace (getppid() is 0 there) and under a
         * subreaper. */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        while (poll(&p, 1, 0) < 0 && errno == EINTR)
                ;
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
                _exit(1);
}
