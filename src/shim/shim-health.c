/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Health checks, as Docker runs them: the check command is exec'd in the container through the
 * runtime every interval (the first one interval after the start), its output kept up to 4 KiB,
 * killed after the timeout; retries failures in a row make the container unhealthy, a success
 * makes it healthy; failures within the start period do not count. The state is written to
 * <state>/health.json in the shape of Docker's State.Health, the last five results with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/time-util.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "shim/shim-internal.h"

#define HEALTH_OUTPUT_MAX 4096
#define HEALTH_LOG_MAX 5

typedef struct HealthResult {
        char start[40], end[40];
        int exit_code;
        char output[HEALTH_OUTPUT_MAX + 1];
} HealthResult;

struct ShimHealth {
        Shim *shim;
        EventSource *timer;
        EventSource *output_src;
        int output_fd;
        pid_t pid;              /* the runtime exec of the running check, 0 when none */
        bool timed_out;
        uint64_t started_usec;  /* the container's start, CLOCK_MONOTONIC */
        const char *status;     /* "starting", "healthy", "unhealthy" */
        unsigned failing_streak;
        HealthResult log[HEALTH_LOG_MAX];
        size_t n_log;
        HealthResult current;
        size_t n_output;
};


static void now_string(char buf[static 40])
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        log_file_format_time(&ts, buf);
}

static int health_write(ShimHealth *h)
{
        _cleanup_free_ char *path = NULL, *json = NULL;
        size_t size = 256 + HEALTH_LOG_MAX * (HEALTH_OUTPUT_MAX * 6 + 200), n;
        char *escaped = malloc(HEALTH_OUTPUT_MAX * 6 + 8);

        json = malloc(size);
        if (!json || !escaped) {
                free(escaped);
                return -ENOMEM;
        }
        n = (size_t)snprintf(json, size, "{\"Status\":\"%s\",\"FailingStreak\":%u,\"Log\":[",
                             h->status, h->failing_streak);
        for (size_t i = 0; i < h->n_log; i++) {
                const HealthResult *l = &h->log[i];
                string_json_escape(l->output, escaped, HEALTH_OUTPUT_MAX * 6 + 8);
                n += (size_t)snprintf(json + n, size - n, "%s{\"Start\":\"%s\",\"End\":\"%s\","
                                      "\"ExitCode\":%d,\"Output\":\"%s\"}", i ? "," : "",
                                      l->start, l->end, l->exit_code, escaped);
        }
        n += (size_t)snprintf(json + n, size - n, "]}\n");
        free(escaped);
        if (asprintf(&path, "%s/health.json", h->shim->o->state_dir) < 0)
                return -ENOMEM;
        return fs_write_file_replace(path, json, n, 0644);
}

static int on_health_output(EventSource *src, int fd, uint32_t revents, void *userdata)
{
        ShimHealth *h = userdata;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                event_source_free(h->output_src);
                h->output_src = NULL;
                h->output_fd = safe_close(h->output_fd);
                return 0;
        }
        size_t take = MIN((size_t)n, HEALTH_OUTPUT_MAX - h->n_output);
        memcpy(h->current.output + h->n_output, buf, take);
        h->n_output += take;
        h->current.output[h->n_output] = 0;
        return 0;
}

/* Starts one check: `runtime exec ID CMD...` with its output on a pipe. */
static int health_start(ShimHealth *h)
{
        const ShimOptions *o = h->shim->o;
        size_t n_cmd = strv_length(o->health_cmd), n_args = strv_length(o->runtime_args), i = 0;
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        char *argv[n_args + n_cmd + 4];
        argv[i++] = (char *)o->runtime;
        for (size_t k = 0; k < n_args; k++)
                argv[i++] = o->runtime_args[k];
        argv[i++] = "exec";
        argv[i++] = (char *)o->id;
        for (size_t k = 0; k < n_cmd; k++)
                argv[i++] = o->health_cmd[k];
        argv[i] = NULL;

        pid = fork();
        if (pid < 0) {
                safe_close(p[0]);
                safe_close(p[1]);
                return -errno;
        }
        if (pid == 0) {
                int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (dup2(null_fd, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
                        _exit(127);
                (void)fcntl(1, F_SETFL, 0); /* the write end blocks: the check's output */
                process_close_fds_except(3, NULL, 0);
                execvp(argv[0], argv);
                _exit(127);
        }
        safe_close(p[1]);
        h->output_fd = p[0];
        if (event_loop_add_io(h->shim->loop, h->output_fd, EPOLLIN, on_health_output, h,
                              &h->output_src) < 0)
                h->output_fd = safe_close(h->output_fd);
        h->pid = pid;
        h->timed_out = false;
        h->n_output = 0;
        h->current = (HealthResult){ 0 };
        now_string(h->current.start);
        return 0;
}

static int on_health_timer(EventSource *src, void *userdata)
{
        ShimHealth *h = userdata;
        const ShimOptions *o = h->shim->o;

        if (h->pid > 0) {
                /* The check outlived its timeout: it is killed, and counts as failed. */
                h->timed_out = true;
                (void)kill(h->pid, SIGKILL);
                return 0;
        }
        if (health_start(h) < 0)
                return event_source_set_timer(src, o->health_interval_usec);
        return event_source_set_timer(src, o->health_timeout_usec);
}

bool shim_health_reaped(ShimHealth *h, pid_t pid, int status)
{
        if (!h || pid != h->pid)
                return false;

        const ShimOptions *o = h->shim->o;
        HealthResult *r = &h->current;
        const char *old = h->status;

        h->pid = 0;
        /* What is left in the pipe. */
        if (h->output_src)
                (void)on_health_output(h->output_src, h->output_fd, EPOLLIN, h);
        now_string(r->end);
        if (h->timed_out) {
                r->exit_code = -1;
                snprintf(r->output, sizeof(r->output), "Health check exceeded timeout (%llus)",
                         (unsigned long long)(o->health_timeout_usec / 1000000));
        } else
                r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

        if (r->exit_code == 0) {
                h->failing_streak = 0;
                h->status = "healthy";
        } else if (time_monotonic_usec() - h->started_usec >= o->health_start_period_usec ||
                   !streq(h->status, "starting")) {
                h->failing_streak++;
                if (h->failing_streak >= o->health_retries)
                        h->status = "unhealthy";
        }
        if (h->n_log == HEALTH_LOG_MAX) {
                memmove(h->log, h->log + 1, sizeof(h->log[0]) * (HEALTH_LOG_MAX - 1));
                h->n_log--;
        }
        h->log[h->n_log++] = *r;
        (void)health_write(h);
        if (old != h->status) {
                char action[64];
                fprintf(stderr, "berth-shim: %s: health %s\n", o->id, h->status);
                snprintf(action, sizeof(action), "health_status: %s", h->status);
                shim_event(h->shim, action, NULL);
        }
        (void)event_source_set_timer(h->timer, o->health_interval_usec);
        return true;
}

int shim_health_start(Shim *s, ShimHealth **ret)
{
        ShimHealth *h;
        int r;

        *ret = NULL;
        if (!s->o->health_cmd || !s->o->health_cmd[0])
                return 0;
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        *h = (ShimHealth){ .shim = s, .output_fd = -1, .status = "starting",
                           .started_usec = time_monotonic_usec() };
        r = event_loop_add_timer(s->loop, s->o->health_interval_usec, on_health_timer, h,
                                 &h->timer);
        if (r < 0) {
                free(h);
                return r;
        }
        (void)health_write(h);
        *ret = h;
        return 0;
}

void shim_health_stop(ShimHealth *h)
{
        if (!h)
                return;
        if (h->pid > 0) {
                (void)kill(h->pid, SIGKILL);
                (void)process_wait_exit_status(h->pid);
        }
        event_source_free(h->timer);
        event_source_free(h->output_src);
        safe_close(h->output_fd);
        free(h);
}
