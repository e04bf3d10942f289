/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client end of a container's attach socket: the shim's frames (Docker's multiplexed
 * stream) to stdout and stderr, stdin to the container, the terminal's size on start and on
 * SIGWINCH, the detach keys (ctrl-p ctrl-q by default), and with sig_proxy the signals this
 * process gets passed on to the container.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/signal-util.h"
#include "basic/string-util.h"
#include "cmd/berth/attach.h"
#include "shim/shim.h"

static volatile sig_atomic_t winch, proxied;

static void on_winch(int sig)
{
        winch = 1;
}

static void on_proxy(int sig)
{
        proxied = sig;
}

static int send_frame(int fd, uint8_t stream, const void *data, size_t n)
{
        uint8_t h[SHIM_FRAME_HEADER] = { stream, 0, 0, 0, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
                                         (uint8_t)(n >> 8), (uint8_t)n };
        int r = fs_write_all_fd(fd, h, sizeof(h));
        return r < 0 || n == 0 ? r : fs_write_all_fd(fd, data, n);
}

static void send_size(int fd)
{
        struct winsize ws;
        uint8_t p[4];

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0)
                return;
        p[0] = (uint8_t)(ws.ws_row >> 8);
        p[1] = (uint8_t)ws.ws_row;
        p[2] = (uint8_t)(ws.ws_col >> 8);
        p[3] = (uint8_t)ws.ws_col;
        (void)send_frame(fd, SHIM_STREAM_RESIZE, p, sizeof(p));
}

/* "ctrl-p,ctrl-q" as bytes; "" turns detaching off. */
int attach_parse_detach_keys(const char *s, char out[static 16], size_t *ret_n)
{
        _cleanup_free_ char *copy = strdup(s);
        size_t n = 0;

        if (!copy)
                return -ENOMEM;
        for (char *k = strtok(copy, ","); k; k = strtok(NULL, ",")) {
                if (n >= 15)
                        return -EINVAL;
                const char *c = startswith(k, "ctrl-");
                if (c && strlen(c) == 1 && ((*c >= 'a' && *c <= 'z') || strchr("@[\\]^_", *c)))
                        out[n++] = (char)((*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c) & 0x1f);
                else if (!c && strlen(k) == 1)
                        out[n++] = k[0];
                else
                        return -EINVAL;
        }
        *ret_n = n;
        return 0;
}

/* Output frames: returns 1 at the end of the stream, 0 to go on, -errno. */
static int read_frames(int fd, uint8_t *buf, size_t *have, size_t size)
{
        ssize_t k = read(fd, buf + *have, size - *have);

        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (k == 0)
                return 1;
        *have += (size_t)k;
        for (;;) {
                if (*have < SHIM_FRAME_HEADER)
                        return 0;
                size_t len = (size_t)buf[4] << 24 | (size_t)buf[5] << 16 | (size_t)buf[6] << 8 |
                             buf[7];
                if (len > size - SHIM_FRAME_HEADER)
                        return -EBADMSG;
                if (*have < SHIM_FRAME_HEADER + len)
                        return 0;
                int out = buf[0] == SHIM_STREAM_STDERR ? STDERR_FILENO : STDOUT_FILENO;
                (void)fs_write_all_fd(out, buf + SHIM_FRAME_HEADER, len);
                memmove(buf, buf + SHIM_FRAME_HEADER + len, *have - SHIM_FRAME_HEADER - len);
                *have -= SHIM_FRAME_HEADER + len;
        }
}

/* stdin to the container; returns 1 when the detach keys were typed. */
static int forward_input(int fd, const AttachOptions *o, size_t *matched, bool *eof)
{
        char buf[4096];
        ssize_t k = read(STDIN_FILENO, buf, sizeof(buf));

        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (k == 0) {
                *eof = true;
                return send_frame(fd, SHIM_STREAM_STDIN_CLOSE, NULL, 0);
        }
        if (o->tty && o->n_detach_keys > 0) {
                /* The keys are held back while they may still be the sequence. */
                for (ssize_t i = 0; i < k; i++) {
                        if (buf[i] == o->detach_keys[*matched]) {
                                if (++*matched == o->n_detach_keys)
                                        return 1;
                                continue;
                        }
                        if (*matched)
                                (void)send_frame(fd, SHIM_STREAM_STDIN, o->detach_keys, *matched);
                        *matched = 0;
                        if (buf[i] == o->detach_keys[0]) {
                                *matched = 1;
                                continue;
                        }
                        (void)send_frame(fd, SHIM_STREAM_STDIN, buf + i, 1);
                }
                return 0;
        }
        return send_frame(fd, SHIM_STREAM_STDIN, buf, (size_t)k);
}

int attach_run(int fd, const AttachOptions *o, bool *ret_detached)
{
        static const int proxy_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        _cleanup_free_ uint8_t *buf = malloc(SHIM_FRAME_HEADER + SHIM_FRAME_MAX);
        struct termios saved;
        bool raw = false, in_eof = !o->stdin, detached = false;
        size_t have = 0, matched = 0;
        int r = 0;

        if (!buf)
                return -ENOMEM;
        *ret_detached = false;
        if (o->tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                struct termios t = saved;
                cfmakeraw(&t);
                raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
        }
        if (o->tty) {
                struct sigaction sa = { .sa_handler = on_winch };
                sigaction(SIGWINCH, &sa, NULL);
                send_size(fd);
        }
        if (o->sig_proxy) {
                struct sigaction sa = { .sa_handler = on_proxy };
                for (size_t i = 0; i < ELEMENTSOF(proxy_signals); i++)
                        sigaction(proxy_signals[i], &sa, NULL);
        }
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = fd, .events = POLLIN },
                        { .fd = in_eof ? -1 : STDIN_FILENO, .events = POLLIN },
                };
                if (winch) {
                        winch = 0;
                        send_size(fd);
                }
                if (proxied) {
                        int sig = proxied;
                        proxied = 0;
                        if (o->on_signal)
                                o->on_signal(sig, o->userdata);
                }
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (p[0].revents) {
                        r = read_frames(fd, buf, &have, SHIM_FRAME_HEADER + SHIM_FRAME_MAX);
                        if (r != 0)
                                break;
                }
                if (p[1].revents) {
                        r = forward_input(fd, o, &matched, &in_eof);
                        if (r == 1) {
                                detached = true;
                                break;
                        }
                        if (r < 0) {
                                in_eof = true;
                                r = 0;
                        }
                }
        }
        if (raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        if (o->sig_proxy)
                for (size_t i = 0; i < ELEMENTSOF(proxy_signals); i++)
                        signal(proxy_signals[i], SIG_DFL);
        *ret_detached = detached;
        return r < 0 ? r : 0;
}
