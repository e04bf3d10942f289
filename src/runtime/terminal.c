/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include "basic/fs-util.h"
#include "basic/socket-util.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_open_pty(int *ret_master, int *ret_slave, char **ret_slave_path, BerthError **err)
{
        char name[64];
        int unlock = 0;

        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return berth_error(err, errno, "open /dev/ptmx in the container (is /dev/pts "
                                               "mounted?)");
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return berth_error(err, errno, "unlock the pty");
        /* The peer is taken from the master itself, never by a path the container controls. */
        _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return berth_error(err, errno, "open the pty's slave");
        if (ptsname_r(master, name, sizeof(name)) != 0)
                return berth_error(err, errno, "get the pty's name");
        *ret_slave_path = strdup(name);
        if (!*ret_slave_path)
                return berth_error(err, ENOMEM, "get the pty's name");
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

int terminal_make_controlling(int slave, unsigned height, unsigned width, BerthError **err)
{
        if (height || width) {
                struct winsize ws = { .ws_row = (unsigned short)height,
                                      .ws_col = (unsigned short)width };
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return berth_error(err, errno, "set process.consoleSize");
        }
        if (setsid() < 0 && errno != EPERM)
                return berth_error(err, errno, "setsid");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return berth_error(err, errno, "make the pty the controlling terminal");
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return berth_error(err, errno, "connect the pty to fd %d", i);
        return 0;
}

int terminal_send_to_socket(const char *path, int master, BerthError **err)
{
        _cleanup_close_ int fd = socket_connect_unix(SOCK_STREAM | SOCK_CLOEXEC, path);
        if (fd < 0)
                return berth_error(err, fd, "connect to --console-socket `%s`", path);
        static const char payload[] = "/dev/ptmx";
        int r = socket_send_fds(fd, payload, sizeof(payload) - 1, &master, 1);
        if (r < 0)
                return berth_error(err, r, "send the pty to --console-socket `%s`", path);
        return 0;
}

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
        winch = 1;
}

static void copy_winsize(int master)
{
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                ioctl(master, TIOCSWINSZ, &ws);
}

/* Passes on what one read of from gives: 1 when done (or interrupted: the caller polls again),
 * 0 at the end of from or when it fails, -1 when writing to to fails. */
static int pass_on(int from, int to, char *buf, size_t size)
{
        ssize_t n = read(from, buf, size);
        if (n < 0 && errno == EINTR)
                return 1;
        if (n <= 0)
                return 0;
        return fs_write_all_fd(to, buf, (size_t)n) < 0 ? -1 : 1;
}

int terminal_relay(int master)
{
        struct termios saved, raw;
        bool restore = false;
        char buf[16384];
        bool stdin_open = true;

        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                raw = saved;
                /* Raw input; output still gets the terminal's own "\n" -> "\r\n" (the
                 * container's pty has none: terminal_clear_onlcr()). */
                cfmakeraw(&raw);
                raw.c_oflag |= OPOST | ONLCR;
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
                        restore = true;
                copy_winsize(master);
                struct sigaction sa = { .sa_handler = on_winch };
                sigaction(SIGWINCH, &sa, NULL);
        }
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = master, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                if (winch) {
                        winch = 0;
                        copy_winsize(master);
                }
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                /* EIO from the master: every slave fd is closed. */
                if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
                    pass_on(master, STDOUT_FILENO, buf, sizeof(buf)) <= 0)
                        break;
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                        int r = pass_on(STDIN_FILENO, master, buf, sizeof(buf));
                        if (r < 0)
                                break;
                        if (r == 0) {
                                /* End of input: pass EOF on as the tty's EOF character. */
                                stdin_open = false;
                                char eof = 4;
                                (void)write(master, &eof, 1);
                        }
                }
        }
        if (restore)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        return 0;
}

void terminal_clear_onlcr(int master)
{
        struct termios t;

        if (tcgetattr(master, &t) == 0) {
                t.c_oflag &= ~(tcflag_t)ONLCR;
                (void)tcsetattr(master, TCSANOW, &t);
        }
}
