/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"

#define RUN_STDERR_MAX ((size_t)64 << 10)

int process_wait_exit_status(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 255;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

static volatile sig_atomic_t forward_pid;

static void forward(int sig)
{
        if (forward_pid > 0)
                kill(forward_pid, sig);
}

int process_run_output(char *const *argv, char *const *envp, bool path_lookup, const char *input,
                       size_t max, char **ret_out, char **ret_err)
{
        _cleanup_close_pair_ int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
        _cleanup_free_ char *o = NULL, *e = NULL;
        size_t len;
        pid_t pid;

        if ((input && pipe2(in, O_CLOEXEC) < 0) || (ret_out && pipe2(out, O_CLOEXEC) < 0) ||
            (ret_err && pipe2(errp, O_CLOEXEC) < 0))
                return -errno;
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                int fd_out = ret_out ? out[1] : null;

                if (dup2(input ? in[0] : null, STDIN_FILENO) < 0 ||
                    dup2(fd_out, STDOUT_FILENO) < 0 ||
                    dup2(ret_err ? errp[1] : fd_out, STDERR_FILENO) < 0)
                        _exit(127);
                if (!envp)
                        envp = environ;
                if (path_lookup)
                        execvpe(argv[0], argv, envp);
                else
                        execve(argv[0], argv, envp);
                dprintf(STDERR_FILENO, "exec `%s`: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        errp[1] = safe_close(errp[1]);
        if (input) {
                /* The programs run here read their input before they write much. */
                (void)fs_write_all_fd(in[1], input, strlen(input));
                in[1] = safe_close(in[1]);
        }
        if (ret_out)
                (void)fs_read_full_fd_limited(out[0], max, &o, &len);
        if (ret_err)
                (void)fs_read_full_fd_limited(errp[0], RUN_STDERR_MAX, &e, &len);
        int status = process_wait_exit_status(pid);
        if (ret_out)
                *ret_out = TAKE_PTR(o);
        if (ret_err)
                *ret_err = TAKE_PTR(e);
        return status;
}

void process_forward_signals_to(pid_t pid)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };

        forward_pid = pid;
        if (pid > 0)
                for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                        sigaction(sigs[i], &sa, NULL);
}

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return x < y ? -1 : x > y;
}

/* One range, with close_range() where the kernel has it (5.9) and one by one up to the limit
 * of open files where it has not. */
static void close_between(int from, int to)
{
        if (from > to)
                return;
        if (syscall(SYS_close_range, (unsigned)from, (unsigned)to, 0) >= 0)
                return;
        long max = sysconf(_SC_OPEN_MAX);
        if (max <= 0 || max > 1 << 20)
                max = 1 << 20;
        for (long fd = from; fd <= to && fd < max; fd++)
                close((int)fd);
}

int process_close_fds_except(int first, const int *keep, size_t n_keep)
{
        int sorted[64];
        size_t n = 0;

        if (n_keep > ELEMENTSOF(sorted))
                return -E2BIG;
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] >= first)
                        sorted[n++] = keep[i];
        qsort(sorted, n, sizeof(int), cmp_int);
        int from = first;
        for (size_t i = 0; i < n; i++) {
                close_between(from, sorted[i] - 1);
                from = sorted[i] + 1;
        }
        close_between(from, INT_MAX);
        return 0;
}

int process_signalfd_all_but(const int *keep, size_t n_keep)
{
        sigset_t mask;
        sigfillset(&mask);
        sigdelset(&mask, SIGKILL);
        sigdelset(&mask, SIGSTOP);
        for (size_t i = 0; i < n_keep; i++)
                sigdelset(&mask, keep[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

int process_start_time(pid_t pid, uint64_t *ret, bool *zombie)
{
        char path[64], buf[1024];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return n < 0 ? -errno : -EIO;
        buf[n] = 0;
        /* The command name may hold spaces and parentheses: fields start after the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -EIO;
        p += 2;
        if (zombie)
                *zombie = *p == 'Z' || *p == 'X';
        /* p is field 3 (state); the start time is field 22. */
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        *ret = strtoull(p, NULL, 10);
        return 0;
}
