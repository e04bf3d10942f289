/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's stdio in the shim: its output goes to the log file and to every attached
 * client as Docker's multiplexed stream; clients send stdin, the end of stdin and terminal
 * sizes. A client that cannot keep up is dropped rather than let it stall the container's
 * output (the log keeps everything).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/socket-util.h"
#include "shim/shim-internal.h"

struct ShimClient {
        Shim *shim;
        int fd;
        EventSource *src;
        uint8_t header[SHIM_FRAME_HEADER];
        size_t n_header;
        uint32_t left;          /* payload bytes of the current frame still to come */
        uint8_t kind;
        uint8_t resize[4];
        size_t n_resize;
        ShimClient *next;
};

int shim_socket_listen(const char *path, BerthError **err)
{
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int dfd = -1, fd = -1;
        char *slash = dir ? strrchr(dir, '/') : NULL;

        if (!dir)
                return berth_error(err, ENOMEM, "socket `%s`", path);
        /* Bound in its directory's fd: a path longer than sun_path holds works too. */
        if (slash)
                *slash = 0;
        dfd = open(slash ? (*dir ? dir : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "socket `%s`", path);
        const char *name = slash ? slash + 1 : path;
        (void)unlinkat(dfd, name, 0);
        fd = socket_listen_unix_at(SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, dfd, name, 16);
        if (fd < 0)
                return berth_error(err, -fd, "listen on `%s`", path);
        return TAKE_FD(fd);
}

static void client_free(ShimClient *c)
{
        Shim *s = c->shim;

        for (ShimClient **p = &s->clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        event_source_free(c->src);
        safe_close(c->fd);
        free(c);
}

/* Sends one frame to every client; a client whose socket is full is dropped. */
static void broadcast(Shim *s, uint8_t stream, const char *data, size_t n)
{
        uint8_t h[SHIM_FRAME_HEADER] = { stream, 0, 0, 0, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
                                         (uint8_t)(n >> 8), (uint8_t)n };

        for (ShimClient *c = s->clients, *next; c; c = next) {
                struct iovec iov[2] = { { h, sizeof(h) }, { (void *)data, n } };
                struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
                ssize_t w;

                next = c->next;
                w = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w != (ssize_t)(sizeof(h) + n))
                        client_free(c);
        }
}

static int on_output(EventSource *src, int fd, uint32_t revents, void *userdata)
{
        Shim *s = userdata;
        int stream = fd == s->out_fd[0] ? 0 : 1;
        char buf[16384];
        ssize_t n;

        n = read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                /* The end (EIO: a pty whose last slave closed). */
                if (s->log)
                        (void)log_file_flush(s->log, (LogStream)stream, NULL);
                event_source_free(src);
                s->out_src[stream] = NULL;
                s->out_fd[stream] = safe_close(s->out_fd[stream]);
                if (s->exited && shim_io_drained(s))
                        event_loop_exit(s->loop, 0);
                return 0;
        }
        if (s->log) {
                int r = log_file_write(s->log, (LogStream)stream, buf, (size_t)n, NULL);
                if (r < 0)
                        return r;
        }
        broadcast(s, stream == 0 ? SHIM_STREAM_STDOUT : SHIM_STREAM_STDERR, buf, (size_t)n);
        return 0;
}

static void input_payload(ShimClient *c, const uint8_t *p, size_t n)
{
        Shim *s = c->shim;

        if (c->kind == SHIM_STREAM_STDIN && s->stdin_fd >= 0) {
                /* Blocking is bounded by the container reading its stdin: as docker attach. */
                (void)fs_write_all_fd(s->stdin_fd, p, n);
        } else if (c->kind == SHIM_STREAM_RESIZE) {
                size_t take = MIN(n, sizeof(c->resize) - c->n_resize);
                memcpy(c->resize + c->n_resize, p, take);
                c->n_resize += take;
        }
}

static void frame_done(ShimClient *c)
{
        Shim *s = c->shim;

        if (c->kind == SHIM_STREAM_STDIN_CLOSE && s->stdin_fd >= 0 && !s->o->terminal)
                s->stdin_fd = safe_close(s->stdin_fd);
        else if (c->kind == SHIM_STREAM_RESIZE && c->n_resize == 4 && s->o->terminal) {
                struct winsize ws = {
                        .ws_row = (unsigned short)(c->resize[0] << 8 | c->resize[1]),
                        .ws_col = (unsigned short)(c->resize[2] << 8 | c->resize[3]),
                };
                (void)ioctl(s->out_fd[0], TIOCSWINSZ, &ws);
        }
        c->n_header = 0;
        c->n_resize = 0;
}

static int on_client(EventSource *src, int fd, uint32_t revents, void *userdata)
{
        ShimClient *c = userdata;
        uint8_t buf[16384];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                client_free(c);
                return 0;
        }
        for (size_t i = 0; i < (size_t)n;) {
                if (c->n_header < SHIM_FRAME_HEADER) {
                        c->header[c->n_header++] = buf[i++];
                        if (c->n_header < SHIM_FRAME_HEADER)
                                continue;
                        c->kind = c->header[0];
                        c->left = (uint32_t)c->header[4] << 24 | (uint32_t)c->header[5] << 16 |
                                  (uint32_t)c->header[6] << 8 | c->header[7];
                        if (c->kind > SHIM_STREAM_RESIZE || c->kind == SHIM_STREAM_STDOUT ||
                            c->kind == SHIM_STREAM_STDERR || c->left > SHIM_FRAME_MAX) {
                                client_free(c); /* not our protocol */
                                return 0;
                        }
                        if (c->left == 0)
                                frame_done(c);
                        continue;
                }
                size_t take = MIN((size_t)n - i, c->left);
                input_payload(c, buf + i, take);
                i += take;
                c->left -= (uint32_t)take;
                if (c->left == 0)
                        frame_done(c);
        }
        return 0;
}

static int on_attach(EventSource *src, int fd, uint32_t revents, void *userdata)
{
        Shim *s = userdata;
        ShimClient *c;
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (cfd < 0)
                return 0;
        c = calloc(1, sizeof(*c));
        if (!c) {
                safe_close(cfd);
                return 0;
        }
        *c = (ShimClient){ .shim = s, .fd = cfd, .next = s->clients };
        if (event_loop_add_io(s->loop, cfd, EPOLLIN, on_client, c, &c->src) < 0) {
                safe_close(cfd);
                free(c);
                return 0;
        }
        s->clients = c;
        return 0;
}

int shim_io_start(Shim *s, BerthError **err)
{
        _cleanup_free_ char *path = NULL;
        int r;

        for (int i = 0; i < 2; i++) {
                if (s->out_fd[i] < 0)
                        continue;
                r = event_loop_add_io(s->loop, s->out_fd[i], EPOLLIN, on_output, s,
                                      &s->out_src[i]);
                if (r < 0)
                        return berth_error(err, -r, "watch the container's output");
        }
        if (asprintf(&path, "%s/attach.sock", s->o->state_dir) < 0)
                return berth_error(err, ENOMEM, "attach socket");
        s->attach_fd = shim_socket_listen(path, err);
        if (s->attach_fd < 0)
                return s->attach_fd;
        r = event_loop_add_io(s->loop, s->attach_fd, EPOLLIN, on_attach, s, NULL);
        if (r < 0)
                return berth_error(err, -r, "watch `%s`", path);
        return 0;
}

int shim_io_wait_client(Shim *s, uint64_t usec)
{
        /* The ready pipe breaks when the caller that was to attach has died: no wait then. */
        struct pollfd p[2] = { { .fd = s->attach_fd, .events = POLLIN }, { .fd = s->ready_fd } };
        int r;

        do
                r = poll(p, 2, (int)(usec / 1000));
        while (r < 0 && errno == EINTR);
        if (r <= 0)
                return -ETIMEDOUT;
        if (!(p[0].revents & POLLIN))
                return -EPIPE;
        return on_attach(NULL, s->attach_fd, POLLIN, s);
}

bool shim_io_drained(const Shim *s)
{
        return s->out_fd[0] < 0 && s->out_fd[1] < 0;
}

void shim_io_stop(Shim *s)
{
        _cleanup_free_ char *path = NULL;

        while (s->clients)
                client_free(s->clients);
        s->attach_fd = safe_close(s->attach_fd);
        if (asprintf(&path, "%s/attach.sock", s->o->state_dir) >= 0)
                (void)unlink(path);
}
