/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/log.h"
#include "hooks.h"

static int pidfd_open_(pid_t pid)
{
        return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run_one(const SpecHook *h, const char *state, const char *kind, size_t idx,
                   BerthError **err)
{
        _cleanup_close_pair_ int p[2] = { -1, -1 };
        int status;

        if (pipe2(p, O_CLOEXEC) < 0)
                return berth_error(err, errno, "hooks.%s[%zu]: create pipe", kind, idx);
        pid_t pid = fork();
        if (pid < 0)
                return berth_error(err, errno, "hooks.%s[%zu]: fork", kind, idx);
        if (pid == 0) {
                extern char **environ;
                char *const def_args[] = { h->path, NULL };
                if (dup2(p[0], STDIN_FILENO) < 0)
                        _exit(127);
                /* Hooks never see the runtime's stdout: it may be the container's. */
                dup2(STDERR_FILENO, STDOUT_FILENO);
                setsid();
                /* Without env a hook gets the runtime's own, as with runc and crun. */
                execve(h->path, h->args ? h->args : def_args, h->env ? h->env : environ);
                dprintf(STDERR_FILENO, "berth-runtime: hooks.%s[%zu]: exec `%s`: %s\n", kind,
                        idx, h->path, strerror(errno));
                _exit(127);
        }
        p[0] = safe_close(p[0]);
        _cleanup_close_ int pidfd = pidfd_open_(pid);
        /* The hook may not read its stdin at all: a broken pipe is not its failure. */
        signal(SIGPIPE, SIG_IGN);
        (void)write_all_fd(p[1], state, strlen(state));
        p[1] = safe_close(p[1]);

        if (h->has_timeout && pidfd >= 0) {
                int64_t deadline = now_ms() + (int64_t)h->timeout * 1000;
                for (;;) {
                        int64_t left = deadline - now_ms();
                        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
                        int n = left > 0 ? poll(&pfd, 1, (int)left) : 0;
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n == 0) {
                                kill(-pid, SIGKILL);
                                kill(pid, SIGKILL);
                                waitpid(pid, NULL, 0);
                                return berth_error(err, ETIMEDOUT,
                                                   "hooks.%s[%zu] `%s` did not finish within %d s",
                                                   kind, idx, h->path, h->timeout);
                        }
                        break;
                }
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return berth_error(err, errno, "hooks.%s[%zu]: wait", kind, idx);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return berth_error(err, 0, "hooks.%s[%zu] `%s` was killed by signal %d", kind,
                                   idx, h->path, WTERMSIG(status));
        return berth_error(err, 0, "hooks.%s[%zu] `%s` failed with exit status %d", kind, idx,
                           h->path, WEXITSTATUS(status));
}

int hooks_run(const Spec *spec, SpecHookKind kind, const char *state_json, BerthError **err)
{
        const SpecHookList *l = &spec->hooks[kind];
        for (size_t i = 0; i < l->n; i++) {
                int r = run_one(&l->hooks[i], state_json, spec_hook_kind_name(kind), i, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

void hooks_run_warn(const Spec *spec, SpecHookKind kind, const char *state_json)
{
        const SpecHookList *l = &spec->hooks[kind];
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_error_ BerthError *err = NULL;
                if (run_one(&l->hooks[i], state_json, spec_hook_kind_name(kind), i, &err) < 0)
                        log_warning("%s", err->msg);
        }
}
