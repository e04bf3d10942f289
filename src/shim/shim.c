/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shim_run(): create and start the container, monitor it, record its exit, delete it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/time-util.h"
#include "basic/string-util.h"
#include "shim/shim-internal.h"

/* How long the output may keep flowing after the init exited (processes of a container that
 * shares the host's pid namespace can hold it open for ever). */
#define SHIM_DRAIN_USEC (2 * 1000000ULL)

static void ready(int *fd, const char *fmt, ...) _printf_(2, 3);
static void ready(int *fd, const char *fmt, ...)
{
        _cleanup_free_ char *line = NULL;
        va_list ap;
        int n;

        if (*fd < 0)
                return;
        va_start(ap, fmt);
        n = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (n > 0)
                (void)fs_write_all_fd(*fd, line, (size_t)n);
        *fd = safe_close(*fd);
}

/* The pty's master from the runtime, on the console socket, once create has returned. */
static int receive_console(int listen_fd, BerthError **err)
{
        _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        char data[256], control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { data, sizeof(data) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                             .msg_controllen = sizeof(control) };
        struct cmsghdr *cm;
        int fd;

        if (conn < 0)
                return berth_error(err, errno, "the runtime sent no terminal");
        if (recvmsg(conn, &mh, MSG_CMSG_CLOEXEC) < 0)
                return berth_error(err, errno, "receive the terminal");
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
                return berth_error(err, EBADMSG, "receive the terminal");
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

static int read_pid_file(const char *dir, pid_t *ret, BerthError **err)
{
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t n = 0;
        int pid, r;

        if (asprintf(&path, "%s/init.pid", dir) < 0)
                return berth_error(err, ENOMEM, "init.pid");
        r = fs_read_full_file(path, &data, &n);
        if (r < 0)
                return berth_error(err, -r, "read `%s`", path);
        data[strcspn(data, "\n")] = 0;
        if (string_safe_atoi(data, &pid) < 0 || pid <= 0)
                return berth_error(err, EINVAL, "`%s` holds no pid", path);
        *ret = pid;
        return 0;
}

static int on_drain_timeout(EventSource *src, void *userdata)
{
        Shim *s = userdata;

        if (s->exited)
                event_loop_exit(s->loop, 0);
        return 0;
}

static int on_sigchld(EventSource *src, const struct signalfd_siginfo *si, void *userdata)
{
        Shim *s = userdata;
        int status;
        pid_t pid;

        /* As a subreaper the shim inherits every orphan of the container: reap them all. */
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (shim_health_reaped(s->health, pid, status) || pid != s->init_pid)
                        continue;
                s->exited = true;
                s->status = status;
                /* Before the runtime deletes the cgroup that counts them. */
                s->oom_killed = shim_oom_count(s->oom_path) > s->oom_start;
                if (shim_io_drained(s))
                        event_loop_exit(s->loop, 0);
                else if (event_loop_add_timer(s->loop, SHIM_DRAIN_USEC, on_drain_timeout, s,
                                              &s->drain_timer) < 0)
                        event_loop_exit(s->loop, 0);
        }
        return 0;
}

static void exit_code_of(int status, int *code, int *sig)
{
        *code = 255, *sig = 0;
        if (WIFEXITED(status))
                *code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) {
                *sig = WTERMSIG(status);
                *code = 128 + *sig;
        }
}

/* status.json, written whole on every change of state (see shim.h). */
static int status_write(const Shim *s, const char *status)
{
        _cleanup_free_ char *path = NULL, *json = NULL, *exit = NULL;
        struct timespec now;
        char ts[40];
        int code, sig, n;

        if (!streq(status, "running")) {
                clock_gettime(CLOCK_REALTIME, &now);
                log_file_format_time(&now, ts);
                exit_code_of(s->status, &code, &sig);
                if (s->start_error)
                        code = 128, sig = 0;
                if (asprintf(&exit, ",\"exit_code\":%d,\"signal\":%d,\"oom_killed\":%s,"
                                    "\"finished_at\":\"%s\"", code, sig,
                             s->oom_killed ? "true" : "false", ts) < 0)
                        return -ENOMEM;
        }
        n = asprintf(&json, "{\"status\":\"%s\",\"pid\":%d,\"restart_count\":%u,"
                            "\"started_at\":\"%s\"%s}\n", status, (int)s->init_pid,
                     s->restart_count, s->started_at, exit ?: "");
        if (n < 0 || asprintf(&path, "%s/status.json", s->o->state_dir) < 0)
                return -ENOMEM;
        return fs_write_file_replace(path, json, (size_t)n, 0644);
}

static bool stopped_by_user(const Shim *s)
{
        _cleanup_free_ char *path = NULL;

        return asprintf(&path, "%s/stopped", s->o->state_dir) >= 0 && access(path, F_OK) == 0;
}

/* The restart policy: the engine's update of it when there is one, else the shim's own. */
static RestartPolicy restart_policy(const Shim *s)
{
        _cleanup_free_ char *path = NULL, *data = NULL;
        _cleanup_error_ BerthError *error = NULL;
        RestartPolicy p;
        size_t n = 0;

        if (asprintf(&path, "%s/restart-policy", s->o->state_dir) < 0 ||
            fs_read_full_file_limited(AT_FDCWD, path, 64, &data, &n, NULL) < 0)
                return s->o->restart;
        data[strcspn(data, "\n")] = 0;
        if (restart_policy_parse(data, &p, &error) < 0) {
                fprintf(stderr, "berth-shim: %s: `%s`: %s\n", s->o->id, path, error->msg);
                return s->o->restart;
        }
        return p;
}

/* Waits before a restart, unless the engine stops the container meanwhile. */
static bool restart_wait(const Shim *s, uint64_t usec)
{
        for (uint64_t slept = 0; slept < usec; slept += 50000) {
                if (stopped_by_user(s))
                        return false;
                (void)usleep((useconds_t)MIN(usec - slept, 50000));
        }
        return !stopped_by_user(s);
}


/* Makes the container's stdio: pipes (the runtime passes them on to the init), or a console
 * socket on which the runtime hands over the pty. */
static int stdio_prepare(Shim *s, int runtime_stdio[3], int *console_fd, char **console_path,
                         BerthError **err)
{
        int p[2];

        if (s->o->terminal) {
                if (asprintf(console_path, "%s/console.sock", s->o->state_dir) < 0)
                        return berth_error(err, ENOMEM, "console socket");
                *console_fd = shim_socket_listen(*console_path, err);
                return *console_fd < 0 ? *console_fd : 0;
        }
        if (s->o->stdin_open) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return berth_error(err, errno, "stdin pipe");
                runtime_stdio[0] = p[0];
                s->stdin_fd = p[1];
        }
        for (int i = 0; i < 2; i++) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return berth_error(err, errno, "output pipe");
                s->out_fd[i] = p[0];
                runtime_stdio[i + 1] = p[1];
                (void)fcntl(p[0], F_SETFL, O_NONBLOCK);
        }
        return 0;
}

/* Creates and starts the container. An attached first life is created, waits for its client
 * and is then started; otherwise one `run --detach` does both, a runtime call fewer. */
static int container_start(Shim *s, BerthError **err)
{
        _cleanup_free_ char *pid_file = NULL, *console_path = NULL, *error = NULL;
        _cleanup_close_ int console_fd = -1;
        int runtime_stdio[3] = { -1, -1, -1 };
        bool one_call = !(s->o->attach_wait && s->ready_fd >= 0);
        char *argv[10];
        size_t n = 0;
        int r;

        r = stdio_prepare(s, runtime_stdio, &console_fd, &console_path, err);
        if (r < 0)
                goto out;
        if (asprintf(&pid_file, "%s/init.pid", s->o->state_dir) < 0) {
                r = berth_error(err, ENOMEM, "init.pid");
                goto out;
        }
        argv[n++] = one_call ? "run" : "create";
        if (one_call)
                argv[n++] = "--detach";
        argv[n++] = "--bundle";
        argv[n++] = (char *)s->o->bundle;
        argv[n++] = "--pid-file";
        argv[n++] = pid_file;
        if (console_path) {
                argv[n++] = "--console-socket";
                argv[n++] = console_path;
        }
        argv[n++] = (char *)s->o->id;
        argv[n] = NULL;
        r = shim_runtime_run(s->o, argv, runtime_stdio, &error);
        for (int i = 0; i < 3; i++)
                safe_close(runtime_stdio[i]);
        if (r != 0) {
                /* A failed `run` is reported as a create's: most of its work is. */
                r = berth_error_plain(err, r < 0 ? -r : EIO, "create `%s`: %s", s->o->id,
                                      error ?: "the runtime failed");
                goto out;
        }
        if (console_fd >= 0) {
                s->out_fd[0] = receive_console(console_fd, err);
                if (s->out_fd[0] < 0) {
                        r = s->out_fd[0];
                        goto delete;
                }
                (void)fcntl(s->out_fd[0], F_SETFL, O_NONBLOCK);
                /* Input goes to the same pty, on an fd of its own that outlives the end of
                 * the output. */
                s->stdin_fd = fcntl(s->out_fd[0], F_DUPFD_CLOEXEC, 3);
                (void)unlink(console_path);
        }
        r = read_pid_file(s->o->state_dir, &s->init_pid, err);
        if (r < 0)
                goto delete;
        r = shim_io_start(s, err);
        if (r < 0)
                goto delete;
        /* The OOM counter: by the cgroupsPath when the engine gave it, since a process killed
         * at once has no cgroup left to look up in /proc (cgroup v1). */
        s->oom_path = s->o->cgroup ? shim_oom_events_path_of_cgroup(s->o->cgroup)
                                   : shim_oom_events_path(s->init_pid);
        if (one_call) {
                /* The process already runs: a count read now could include its own kills.
                 * The runtime made the container's cgroup in this call, so it starts at 0. */
                s->oom_start = 0;
                return 0;
        }
        s->oom_start = shim_oom_count(s->oom_path);
        /* The first life of an attached run: its client is there before the first byte. */
        if (s->ready_fd >= 0)
                (void)shim_io_wait_client(s, SHIM_ATTACH_WAIT_USEC);
        free(error);
        error = NULL;
        char *start[] = { "start", (char *)s->o->id, NULL };
        r = shim_runtime_run(s->o, start, (int[3]){ -1, -1, -1 }, &error);
        if (r != 0) {
                r = berth_error_plain(err, r < 0 ? -r : EIO, "start `%s`: %s", s->o->id,
                                      error ?: "the runtime failed");
                goto delete;
        }
        return 0;
delete:;
        char *del[] = { "delete", "--force", (char *)s->o->id, NULL };
        (void)shim_runtime_run(s->o, del, (int[3]){ -1, -1, -1 }, NULL);
out:
        if (console_path)
                (void)unlink(console_path);
        return r < 0 ? r : -EIO;
}

/* Docker's events of an exit: oom first when the OOM killer struck, then die. */
static void container_died(const Shim *s, int code)
{
        char attr[32];

        if (s->oom_killed)
                shim_event(s, "oom", NULL);
        snprintf(attr, sizeof(attr), "exitCode=%d", code);
        shim_event(s, "die", attr);
}

/* One life of the container: from its start until it has exited and been deleted. */
static int container_life(Shim *s, BerthError **err)
{
        struct timespec now;
        int r;

        s->exited = false;
        s->status = 0;
        s->oom_killed = false;
        r = container_start(s, err);
        if (r < 0) {
                for (int i = 0; i < 2; i++)
                        s->out_fd[i] = safe_close(s->out_fd[i]);
                s->stdin_fd = safe_close(s->stdin_fd);
                free(s->oom_path);
                s->oom_path = NULL;
                return r;
        }
        /* Before the caller may go, so that no event of this life comes before its start. */
        shim_event(s, "start", NULL);
        /* The caller may go: the container runs. */
        ready(&s->ready_fd, "ok %d\n", (int)s->init_pid);
        clock_gettime(CLOCK_REALTIME, &now);
        log_file_format_time(&now, s->started_at);
        (void)status_write(s, "running");
        r = shim_health_start(s, &s->health);
        if (r < 0)
                fprintf(stderr, "berth-shim: %s: no health checks: %s\n", s->o->id, strerror(-r));

        /* Until the init has exited and its output has ended (or stopped for a while). */
        r = event_loop_run(s->loop);

        shim_health_stop(s->health);
        s->health = NULL;
        event_source_free(s->drain_timer);
        s->drain_timer = NULL;
        for (int i = 0; i < 2; i++) {
                if (s->log)
                        (void)log_file_flush(s->log, (LogStream)i, NULL);
                event_source_free(s->out_src[i]);
                s->out_src[i] = NULL;
                s->out_fd[i] = safe_close(s->out_fd[i]);
        }
        s->stdin_fd = safe_close(s->stdin_fd);
        shim_io_stop(s);
        free(s->oom_path);
        s->oom_path = NULL;
        char *del[] = { "delete", "--force", (char *)s->o->id, NULL };
        (void)shim_runtime_run(s->o, del, (int[3]){ -1, -1, -1 }, NULL);
        return r < 0 ? berth_error(err, -r, "monitor `%s`", s->o->id) : 0;
}

/* The exit command, in a session of its own and not waited for: it may wait for this shim
 * to be gone (a removal does). */
static void exit_command(const ShimOptions *o)
{
        pid_t pid;

        if (!o->exit_command || !o->exit_command[0])
                return;
        pid = fork();
        if (pid != 0) {
                if (pid > 0)
                        (void)waitpid(pid, NULL, 0);
                return;
        }
        if (setsid() < 0 || fork() != 0)
                _exit(0);
        execv(o->exit_command[0], o->exit_command);
        fprintf(stderr, "berth-shim: %s: exec `%s`: %m\n", o->id, o->exit_command[0]);
        _exit(127);
}

int shim_run(const ShimOptions *o, int ready_fd, BerthError **err)
{
        _cleanup_event_loop_ EventLoop *loop = NULL;
        _cleanup_log_file_ LogFile *log = NULL;
        Shim s = { .o = o, .stdin_fd = -1, .out_fd = { -1, -1 }, .attach_fd = -1,
                   .ready_fd = ready_fd };
        uint64_t backoff = 0;
        int r;

        /* Orphans of the container (the init once its runtime has gone) become the shim's. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                r = berth_error(err, errno, "become a subreaper");
                goto fail;
        }
        r = event_loop_new(&loop);
        if (r < 0) {
                r = berth_error(err, -r, "event loop");
                goto fail;
        }
        s.loop = loop;
        r = event_loop_add_signal(loop, SIGCHLD, on_sigchld, &s, NULL);
        if (r < 0) {
                r = berth_error(err, -r, "watch SIGCHLD");
                goto fail;
        }
        if (o->log_path) {
                r = log_file_open(o->log_path, &o->log, &log);
                if (r < 0) {
                        r = berth_error(err, -r, "open the log `%s`", o->log_path);
                        goto fail;
                }
                s.log = log;
        }
        for (;;) {
                uint64_t started = time_monotonic_usec();
                int code, sig;

                r = container_life(&s, err);
                if (r < 0 && s.ready_fd >= 0)
                        goto fail;
                if (r < 0) {
                        /* A restart that could not start: the container stays exited. */
                        s.start_error = true;
                        fprintf(stderr, "berth-shim: %s\n", (*err)->msg);
                        break;
                }
                exit_code_of(s.status, &code, &sig);
                container_died(&s, code);
                RestartPolicy policy = restart_policy(&s);
                if (!restart_policy_wants(&policy, code, s.restart_count, stopped_by_user(&s)))
                        break;
                (void)status_write(&s, "restarting");
                backoff = restart_policy_backoff_usec(backoff, time_monotonic_usec() - started);
                if (!restart_wait(&s, backoff))
                        break;
                /* An update during the wait may have turned restarts off. */
                policy = restart_policy(&s);
                if (!restart_policy_wants(&policy, code, s.restart_count, stopped_by_user(&s)))
                        break;
                s.restart_count++;
        }
        (void)status_write(&s, "exited");
        exit_command(o);
        return r < 0 ? r : 0;
fail:
        ready(&s.ready_fd, "error %s\n", err && *err ? (*err)->msg : "the shim failed");
        return r;
}
