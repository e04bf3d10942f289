/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exec and ps in VM mode: requests to the container's monitor on <state>/vm.sock. An exec
 * passes its stdio fds along and waits for the exit status, forwarding the signals it gets;
 * with --detach a child of ours does the waiting, and its pid is the one --pid-file names, so
 * a caller that waits for that pid (conmon) gets the process's exit status as with runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/socket-util.h"
#include "runtime/lifecycle-cgroup.h"
#include "runtime/terminal.h"
#include "isolation/vm/vm-monitor.h"
#include "isolation/vm/vm.h"

static int control_connect(Container *c, BerthError **err)
{
        int fd = socket_connect_unix_at(SOCK_SEQPACKET | SOCK_CLOEXEC, c->dirfd, VM_CONTROL_SOCKET);
        if (fd < 0)
                return berth_error(err, fd, "vm: reach the monitor of container `%s`", c->id);
        return fd;
}

/* One reply; -EPIPE when the monitor closed (the container is gone). */
static int recv_reply(int fd, char *buf, size_t size)
{
        ssize_t n;
        do
                n = recv(fd, buf, size - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -EPIPE;
        buf[n] = 0;
        return 0;
}

static int reply_error(const char *buf, const char *what, BerthError **err)
{
        int e = atoi(buf + 2);
        const char *msg = strchr(buf + 2, ' ');
        return berth_error_plain(err, e ? e : EIO, "%s: %s", what, msg ? msg + 1 : buf);
}

/* With a terminal, its size goes to the process's pty in the guest ("W rows cols"). */
static void send_winsize(int conn, int tty)
{
        struct winsize ws;
        char buf[32];
        if (tty < 0 || ioctl(tty, TIOCGWINSZ, &ws) < 0 || !ws.ws_row)
                return;
        int n = snprintf(buf, sizeof(buf), "W %u %u", ws.ws_row, ws.ws_col);
        (void)send(conn, buf, (size_t)n, MSG_NOSIGNAL);
}

/* Waits for "X <status>", forwarding signals to the process (a resize of tty, our controlling
 * terminal, as its new size); the status as a shell gives it. */
static int wait_exit(int conn, int tty)
{
        _cleanup_close_ int sfd =
                process_signalfd_all_but((const int[]){ SIGCHLD, SIGSEGV, SIGPIPE }, 3);
        char buf[256];

        for (;;) {
                struct pollfd p[2] = { { .fd = conn, .events = POLLIN },
                                       { .fd = sfd, .events = POLLIN } };
                if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return 255;
                }
                if (sfd >= 0 && p[1].revents) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                char k[32];
                                if (si.ssi_signo == SIGWINCH && tty >= 0) {
                                        send_winsize(conn, tty);
                                        continue;
                                }
                                int n = snprintf(k, sizeof(k), "K %u", si.ssi_signo);
                                (void)send(conn, k, (size_t)n, MSG_NOSIGNAL);
                        }
                }
                if (!p[0].revents)
                        continue;
                if (recv_reply(conn, buf, sizeof(buf)) < 0)
                        return 255; /* the container went away under us */
                if (buf[0] != 'X')
                        continue;
                int st = atoi(buf + 2);
                return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
        }
}

/* A terminal for exec with --console-socket: the master goes there, we pass the slave (raw:
 * the guest's pty does the line discipline). */
static int console_slave(const char *path, BerthError **err)
{
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                return berth_error(err, errno, "vm: exec: open a pty");
        char *name = ptsname(master);
        int slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (slave < 0) {
                int e = errno;
                close(master);
                return berth_error(err, e, "vm: exec: open the pty's slave");
        }
        struct termios t;
        if (tcgetattr(slave, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(slave, TCSANOW, &t);
        }
        int r = terminal_send_to_socket(path, master, err);
        close(master);
        if (r < 0) {
                close(slave);
                return r;
        }
        return slave;
}

int vm_container_exec(Container *c, const SpecProcess *p, const char *console_socket,
                      bool detach, const char *pid_file, int *ret_status, BerthError **err)
{
        VmKv kv = {};
        _cleanup_close_ int conn = -1, slave = -1;
        char buf[1024];
        int fds[3] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
        int r;

        if (p->terminal && console_socket) {
                slave = console_slave(console_socket, err);
                if (slave < 0)
                        return slave;
                fds[0] = fds[1] = fds[2] = slave;
        }
        /* "E", then the kv items. */
        kv.buf = malloc(1);
        if (!kv.buf)
                return -ENOMEM;
        kv.buf[0] = 'E';
        kv.len = kv.cap = 1;
        r = vm_plan_process(&kv, p);
        if (r < 0) {
                vm_kv_done(&kv);
                return berth_error(err, r, "vm: exec: describe the process");
        }
        /* The container's seccomp filter holds for its exec'd processes too. */
        r = container_load_spec(c, err);
        if (r >= 0)
                r = vm_plan_seccomp(&kv, c->spec, err);
        if (r < 0) {
                vm_kv_done(&kv);
                return r;
        }
        conn = control_connect(c, err);
        if (conn < 0) {
                vm_kv_done(&kv);
                return conn;
        }
        r = socket_send_fds(conn, kv.buf, kv.len, fds, 3);
        vm_kv_done(&kv);
        if (r < 0)
                return berth_error(err, r, "vm: exec: send the request");
        r = recv_reply(conn, buf, sizeof(buf));
        if (r < 0)
                return berth_error(err, r, "vm: exec: the container's monitor went away");
        if (buf[0] == 'E')
                return reply_error(buf, "exec", err);
        if (buf[0] != 'S')
                return berth_error(err, EPROTO, "vm: exec: unexpected reply `%s`", buf);
        /* A terminal: the console's pty slave, made our controlling terminal so that a resize
         * of its master reaches us as SIGWINCH, or the caller's own terminal. */
        int tty = -1;
        if (p->terminal && slave >= 0) {
                if (!detach && setsid() >= 0 && ioctl(slave, TIOCSCTTY, 0) >= 0)
                        tty = slave;
        } else if (p->terminal && isatty(STDIN_FILENO))
                tty = STDIN_FILENO;
        if (!detach) {
                send_winsize(conn, tty);
                *ret_status = wait_exit(conn, tty);
                return 0;
        }
        /* Detached: a child of ours stands for the process until it exits. */
        pid_t pid = fork();
        if (pid < 0)
                return berth_error(err, errno, "vm: exec: fork");
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull >= 0) {
                        dup2(devnull, 0);
                        dup2(devnull, 1);
                        dup2(devnull, 2);
                }
                int ctty = -1;
                if (p->terminal && slave >= 0 && setsid() >= 0 &&
                    ioctl(slave, TIOCSCTTY, 0) >= 0)
                        ctty = slave;
                int st = wait_exit(conn, ctty);
                _exit(st);
        }
        if (pid_file) {
                int n = snprintf(buf, sizeof(buf), "%d", pid);
                r = fs_write_file_atomic(pid_file, buf, (size_t)n, 0644);
                if (r < 0)
                        return berth_error(err, r, "write pid file %s", pid_file);
        }
        *ret_status = 0;
        return 0;
}

int vm_container_pids(Container *c, char **ret, BerthError **err)
{
        _cleanup_close_ int conn = control_connect(c, err);
        char buf[8192];
        if (conn < 0)
                return conn;
        int r = socket_send_fds(conn, "P", 1, NULL, 0);
        if (r >= 0)
                r = recv_reply(conn, buf, sizeof(buf));
        if (r < 0)
                return berth_error(err, r, "vm: ps: ask the container's monitor");
        if (buf[0] != 'R')
                return reply_error(buf, "ps", err);
        *ret = strdup(buf[1] ? buf + 2 : "");
        return *ret ? 0 : -ENOMEM;
}

static unsigned read_oom_count(const Container *c)
{
        char buf[24] = "";
        int fd = openat(c->dirfd, VM_OOM_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        return (unsigned)strtoul(buf, NULL, 10);
}

int vm_container_events(Container *c, unsigned interval_ms, ContainerEventFunc emit,
                        void *userdata, BerthError **err)
{
        unsigned seen = read_oom_count(c), waited = 0;
        int r;

        if (container_status(c) == STATUS_STOPPED)
                return berth_error(err, 0, "container `%s` is not running", c->id);
        /* The guest's OOM kills arrive through the monitor's counter file: a short poll. */
        for (;;) {
                unsigned step = MIN(interval_ms - waited, 100U);
                usleep(step * 1000);
                waited += step;
                unsigned now = read_oom_count(c);
                for (; seen < now; seen++) {
                        struct json_object *e = json_object_new_object();
                        json_object_object_add(e, "type", json_object_new_string("oom"));
                        json_object_object_add(e, "id", json_object_new_string(c->id));
                        r = emit(e, userdata);
                        json_object_put(e);
                        if (r < 0)
                                return 0;
                }
                if (container_status(c) == STATUS_STOPPED)
                        return 0;
                if (waited < interval_ms)
                        continue;
                waited = 0;
                struct json_object *e = NULL;
                r = container_stats_event(c, &e, err);
                if (r < 0)
                        return r;
                r = emit(e, userdata);
                json_object_put(e);
                if (r < 0)
                        return 0;
        }
}

int vm_container_update(Container *c, const SpecResources *res, BerthError **err)
{
        VmKv kv = {};
        char buf[1024];
        int r = 0;

        if (container_status(c) == STATUS_STOPPED)
                return berth_error(err, 0, "container `%s` is stopped: it cannot be updated",
                                   c->id);
        if (res->memory.has_reservation || res->memory.has_swap || res->memory.has_kernel ||
            res->memory.has_kernel_tcp || res->block_io.present || res->n_hugepage_limits ||
            res->network.present || res->n_rdma || res->n_unified || res->n_devices)
                return berth_error(err, EOPNOTSUPP,
                                   "update container `%s`: a VM container takes memory limit, "
                                   "pids limit and cpu only",
                                   c->id);
        /* cpu: the host's cgroup throttles qemu, and with it the whole guest. */
        if (res->cpu.present) {
                SpecResources cpu = { .cpu = res->cpu };
                r = container_update(c, &cpu, err);
                if (r < 0)
                        return r;
        }
        /* memory and pids: the container's cgroup in the guest. 0 is "unset", as in process
         * mode; a negative value lifts the limit. */
        kv.buf = malloc(1);
        if (!kv.buf)
                return -ENOMEM;
        kv.buf[0] = 'U';
        kv.len = kv.cap = 1;
        if (res->memory.has_limit && res->memory.limit != 0)
                r = vm_kv_addf(&kv, "memory", "%lld",
                               (long long)(res->memory.limit < 0 ? -1 : res->memory.limit));
        if (r >= 0 && res->pids.has_limit && res->pids.limit != 0)
                r = vm_kv_addf(&kv, "pids", "%lld",
                               (long long)(res->pids.limit < 0 ? -1 : res->pids.limit));
        if (r < 0 || kv.len == 1) {
                vm_kv_done(&kv);
                return r < 0 ? berth_error(err, r, "update container `%s`", c->id) : 0;
        }
        _cleanup_close_ int conn = control_connect(c, err);
        if (conn < 0) {
                vm_kv_done(&kv);
                return conn;
        }
        r = socket_send_fds(conn, kv.buf, kv.len, NULL, 0);
        vm_kv_done(&kv);
        if (r >= 0)
                r = recv_reply(conn, buf, sizeof(buf));
        if (r < 0)
                return berth_error(err, r, "update container `%s`: ask its monitor", c->id);
        if (buf[0] != 'S') {
                reply_error(buf, "update", err);
                return berth_error_prefix(err, "update container `%s`", c->id);
        }
        return 0;
}
