/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A pty master the runtime handed over, relayed to and from this process's terminal: raw mode,
 * the terminal's size on start and on SIGWINCH, and the detach keys, after which a process of
 * its own keeps the master open (closing it would hang the container's process up).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "cmd/berth/pty-relay.h"

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
        winch = 1;
}

static void copy_size(int master)
{
        struct winsize ws;

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);
}

/* After the detach keys the pty stays open in a process of its own, which reads and drops
 * its output until the process has closed it: closing the master would hang the process up. */
static void hold_master(int master)
{
        int p[2];
        pid_t pid;

        /* This process may lead the session of the terminal it was run from: its end hangs up
         * that session's foreground group, which the holder is in until its setsid(). The
         * holder ignores SIGHUP, and is waited for until it has a session of its own. */
        if (pipe2(p, O_CLOEXEC) < 0)
                return;
        pid = fork();
        if (pid != 0) {
                char c;
                safe_close(p[1]);
                while (pid > 0 && read(p[0], &c, 1) < 0 && errno == EINTR)
                        ;
                safe_close(p[0]);
                return;
        }
        (void)signal(SIGHUP, SIG_IGN);
        (void)setsid();
        safe_close(p[1]);
        safe_close(p[0]);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int i = 0; i < 3; i++)
                (void)dup2(null, i);
        /* blocking: a non-blocking master would have this loop spin */
        (void)fcntl(master, F_SETFL, fcntl(master, F_GETFL) & ~O_NONBLOCK);
        char buf[4096];
        for (;;) {
                ssize_t k = read(master, buf, sizeof(buf));
                if (k == 0 || (k < 0 && errno != EINTR))
                        _exit(0);
        }
}

/* stdin to the pty; returns 1 when the detach keys were typed, -1 at the end of stdin. */
static int relay_input(int master, const PtyRelayOptions *o, size_t *matched)
{
        char buf[4096];
        ssize_t k = read(STDIN_FILENO, buf, sizeof(buf));

        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -1;
        if (k == 0)
                return -1;
        for (ssize_t i = 0; i < k; i++) {
                if (o->n_detach_keys > 0 && buf[i] == o->detach_keys[*matched]) {
                        if (++*matched == o->n_detach_keys)
                                return 1;
                        continue;
                }
                if (*matched)
                        (void)fs_write_all_fd(master, o->detach_keys, *matched);
                *matched = 0;
                if (o->n_detach_keys > 0 && buf[i] == o->detach_keys[0]) {
                        *matched = 1;
                        continue;
                }
                (void)fs_write_all_fd(master, buf + i, 1);
        }
        return 0;
}

bool pty_relay(int master, const PtyRelayOptions *o)
{
        struct sigaction sa = { .sa_handler = on_winch }, old;
        struct termios saved;
        bool raw = false, in_open = o->interactive, detached = false;
        size_t matched = 0;
        char buf[4096];

        if (o->interactive && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                struct termios t = saved;
                cfmakeraw(&t);
                raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
        }
        sigaction(SIGWINCH, &sa, &old);
        copy_size(master);
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = master, .events = POLLIN },
                        { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                if (winch) {
                        winch = 0;
                        copy_size(master);
                }
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[0].revents) {
                        ssize_t k = read(master, buf, sizeof(buf));
                        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (k <= 0)
                                break; /* EIO: every slave is closed */
                        (void)fs_write_all_fd(STDOUT_FILENO, buf, (size_t)k);
                }
                if (p[1].revents) {
                        int r = relay_input(master, o, &matched);
                        if (r == 1) {
                                hold_master(master);
                                detached = true;
                                break;
                        }
                        if (r < 0)
                                in_open = false;
                }
        }
        if (raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        sigaction(SIGWINCH, &old, NULL);
        return detached;
}
