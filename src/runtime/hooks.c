/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/log.h"
#include "runtime/hooks.h"

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

/* What a hook printed, kept for its error as runc does; the rest is read and dropped, so a
 * chatty hook never blocks on a full pipe. */
#define HOOK_OUTPUT_MAX 4096

typedef struct HookOutput {
        char buf[HOOK_OUTPUT_MAX + 1];
        size_t len;
        bool cut;
} HookOutput;

/* Reads what is there now; false at end of file or on an error. */
static bool read_output(int fd, HookOutput *o)
{
        char drop[4096];

        for (;;) {
                size_t room = HOOK_OUTPUT_MAX - o->len;
                ssize_t n = room ? read(fd, o->buf + o->len, room) : read(fd, drop, sizeof(drop));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 && errno == EAGAIN;
                if (room)
                        o->len += (size_t)n;
                else
                        o->cut = true;
        }
}

static int hook_failed(BerthError **err, HookOutput *o, const char *fmt, ...) _printf_(3, 4);

static int hook_failed(BerthError **err, HookOutput *o, const char *fmt, ...)
{
        _cleanup_free_ char *what = NULL;
        va_list ap;

        va_start(ap, fmt);
        int n = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (n < 0)
                return berth_error(err, ENOMEM, "hook");
        while (o->len > 0 && (o->buf[o->len - 1] == '\n' || o->buf[o->len - 1] == ' '))
                o->len--;
        o->buf[o->len] = 0;
        if (!o->len)
                return berth_error(err, 0, "%s", what);
        return berth_error(err, 0, "%s; its output: %s%s", what, o->buf, o->cut ? " [...]" : "");
}

static int run_one(const SpecHook *h, const char *state, const char *kind, size_t idx,
                   char *const *default_env, BerthError **err)
{
        _cleanup_close_pair_ int p[2] = { -1, -1 }, out[2] = { -1, -1 };
        HookOutput o = {};
        int status;

        if (pipe2(p, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
                return berth_error(err, errno, "hooks.%s[%zu]: create pipe", kind, idx);
        pid_t pid = fork();
        if (pid < 0)
                return berth_error(err, errno, "hooks.%s[%zu]: fork", kind, idx);
        if (pid == 0) {
                extern char **environ;
                char *const def_args[] = { h->path, NULL };
                /* stdout and stderr go to the runtime, which shows them if the hook fails:
                 * never the runtime's stdio, which may be the container's. */
                if (dup2(p[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
                    dup2(out[1], STDERR_FILENO) < 0)
                        _exit(127);
                setsid();
                /* args[0] is the hook's argv[0]; without args, its path. Without env a hook
                 * gets the runtime's own, or the container process's for those run in the
                 * container, as with runc. */
                execve(h->path, h->args && h->args[0] ? h->args : def_args,
                       h->env ? h->env : default_env ? default_env : environ);
                dprintf(STDERR_FILENO, "exec `%s`: %s\n", h->path, strerror(errno));
                _exit(127);
        }
        p[0] = safe_close(p[0]);
        out[1] = safe_close(out[1]);
        _cleanup_close_ int pidfd = pidfd_open_(pid);
        /* The hook may not read its stdin at all: a broken pipe is not its failure. */
        signal(SIGPIPE, SIG_IGN);
        (void)fs_write_all_fd(p[1], state, strlen(state));
        p[1] = safe_close(p[1]);

        /* Until it exits (or its time is up), collecting its output. Once it has exited, what
         * is left is read without waiting: a child it left behind may hold the pipe. */
        (void)fcntl(out[0], F_SETFL, O_NONBLOCK);
        int64_t deadline = h->has_timeout ? now_ms() + (int64_t)h->timeout * 1000 : -1;
        bool open_out = true;
        while (pidfd >= 0) {
                int64_t left = deadline < 0 ? -1 : deadline - now_ms();
                struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN },
                                         { .fd = open_out ? out[0] : -1, .events = POLLIN } };
                int n = deadline < 0 || left > 0 ? poll(pfd, 2, deadline < 0 ? -1 : (int)left)
                                                 : 0;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0) {
                        kill(-pid, SIGKILL);
                        kill(pid, SIGKILL);
                        waitpid(pid, NULL, 0);
                        return hook_failed(err, &o, "hooks.%s[%zu] `%s` did not finish within %d s",
                                           kind, idx, h->path, h->timeout);
                }
                if (n < 0)
                        break;
                if (pfd[1].revents)
                        open_out = read_output(out[0], &o);
                if (pfd[0].revents) {
                        (void)read_output(out[0], &o);
                        break;
                }
        }
        if (pidfd < 0) { /* no pidfd: read to the end, then wait */
                (void)fcntl(out[0], F_SETFL, 0);
                (void)read_output(out[0], &o);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return berth_error(err, errno, "hooks.%s[%zu]: wait", kind, idx);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return hook_failed(err, &o, "hooks.%s[%zu] `%s` was killed by signal %d", kind,
                                   idx, h->path, WTERMSIG(status));
        return hook_failed(err, &o, "hooks.%s[%zu] `%s` failed with exit status %d", kind, idx,
                           h->path, WEXITSTATUS(status));
}

int hooks_run_env(const Spec *spec, SpecHookKind kind, const char *state_json,
                  char *const *default_env, BerthError **err)
{
        const SpecHookList *l = &spec->hooks[kind];
        for (size_t i = 0; i < l->n; i++) {
                int r = run_one(&l->hooks[i], state_json, spec_hook_kind_name(kind), i,
                                default_env, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hooks_run(const Spec *spec, SpecHookKind kind, const char *state_json, BerthError **err)
{
        return hooks_run_env(spec, kind, state_json, NULL, err);
}

void hooks_run_warn(const Spec *spec, SpecHookKind kind, const char *state_json)
{
        const SpecHookList *l = &spec->hooks[kind];
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_error_ BerthError *err = NULL;
                if (run_one(&l->hooks[i], state_json, spec_hook_kind_name(kind), i, NULL,
                            &err) < 0)
                        log_warning("%s", err->msg);
        }
}
