/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth-shim: flags, then the detach. The caller (the engine) waits until the container runs
 * or has failed to start, reads one line from the shim ("ok <pid>" or "error <message>"), and
 * is free to go: the shim lives on in a session of its own, a grandchild the caller never
 * waits for.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "shim/shim.h"

static void usage(FILE *f)
{
        fputs("Usage: berth-shim --id ID --bundle DIR --state DIR --runtime PATH [OPTION...]\n"
              "\n"
              "Creates and starts one container through an OCI runtime and monitors it.\n"
              "\n"
              "  --id ID                 the container's id\n"
              "  --bundle DIR            its bundle (config.json and rootfs)\n"
              "  --state DIR             the shim's state directory (sockets, pids, exit.json)\n"
              "  --runtime PATH          the OCI runtime (berth-runtime, runc, crun)\n"
              "  --runtime-arg ARG       a global option of the runtime (repeatable)\n"
              "  --terminal              the process has a terminal (config.json's terminal)\n"
              "  --stdin                 keep stdin open for attach\n"
              "  --attach-wait           start the process once a client has attached\n"
              "  --cgroup PATH           the container's cgroupsPath (to count its OOM kills)\n"
              "  --exit-command ARG      run once the container has ended for good, an\n"
              "                          argument at a time\n"
              "  --log PATH              the container's log file\n"
              "  --log-format FORMAT     json-file (default) or cri\n"
              "  --log-max-size SIZE     rotate at SIZE bytes (k, m, g suffixes)\n"
              "  --log-max-files N       keep N files (default 1)\n"
              "  --restart POLICY        no, on-failure[:N], always, unless-stopped\n"
              "  --health-cmd ARG        the health check's command, an argument at a time\n"
              "  --health-interval-ms N  between checks (default 30000)\n"
              "  --health-timeout-ms N   a check's time (default 30000)\n"
              "  --health-start-period-ms N  failures that do not count (default 0)\n"
              "  --health-retries N      failures in a row that make it unhealthy (default 3)\n"
              "  --events PATH           append the container's events to this journal\n"
              "  --event-attr KEY=VALUE  an attribute of every event (repeatable)\n"
              "  --foreground            do not detach (for debugging)\n"
              "  -h, --help              this text\n", f);
}

static int parse_size(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;
        uint64_t mult = 1;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        switch (*end) {
        case 'k': case 'K': mult = 1ULL << 10; end++; break;
        case 'm': case 'M': mult = 1ULL << 20; end++; break;
        case 'g': case 'G': mult = 1ULL << 30; end++; break;
        }
        if (*end || v > UINT64_MAX / mult)
                return -EINVAL;
        *ret = v * mult;
        return 0;
}

/* The shim proper: stdio to /dev/null, its own errors to <state>/shim.log. */
static int shim_child(const ShimOptions *o, int ready_fd)
{
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_free_ char *log = NULL, *pid_path = NULL, *pid = NULL;
        int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC), log_fd = -1;

        if (asprintf(&log, "%s/shim.log", o->state_dir) >= 0)
                log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (null_fd >= 0) {
                dup2(null_fd, STDIN_FILENO);
                dup2(null_fd, STDOUT_FILENO);
                dup2(log_fd >= 0 ? log_fd : null_fd, STDERR_FILENO);
        }
        safe_close(null_fd);
        safe_close(log_fd);
        if (asprintf(&pid_path, "%s/shim.pid", o->state_dir) >= 0 &&
            asprintf(&pid, "%d\n", (int)getpid()) >= 0)
                (void)fs_write_file_replace(pid_path, pid, strlen(pid), 0644);

        if (shim_run(o, ready_fd, &err) < 0) {
                fprintf(stderr, "berth-shim: %s: %s\n", o->id, err ? err->msg : "failed");
                return 1;
        }
        return 0;
}

/* Forks the shim into a session of its own and reports what it says. */
static int detach(const ShimOptions *o)
{
        char line[4096];
        size_t n = 0;
        int p[2];
        pid_t child;

        if (pipe2(p, O_CLOEXEC) < 0) {
                fprintf(stderr, "berth-shim: pipe: %m\n");
                return 1;
        }
        child = fork();
        if (child < 0) {
                fprintf(stderr, "berth-shim: fork: %m\n");
                return 1;
        }
        if (child == 0) {
                safe_close(p[0]);
                if (setsid() < 0)
                        _exit(1);
                pid_t shim = fork();
                if (shim < 0)
                        _exit(1);
                if (shim == 0) {
                        (void)process_close_fds_except(3, (int[]){ p[1] }, 1);
                        _exit(shim_child(o, p[1]));
                }
                _exit(0);
        }
        safe_close(p[1]);
        (void)process_wait_exit_status(child);
        /* Until the shim speaks; a caller that died meanwhile (its end of stdout broken) will
         * read nothing: this process goes, and the shim, waiting for that caller's attach,
         * sees its ready pipe broken and starts the container without it. */
        for (;;) {
                struct pollfd pf[2] = { { .fd = p[0], .events = POLLIN },
                                        { .fd = STDOUT_FILENO } };
                if (poll(pf, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (pf[0].revents)
                        break;
                if (pf[1].revents & (POLLERR | POLLHUP))
                        return 1;
                if (pf[1].revents & POLLNVAL)
                        break; /* no stdout: only the shim's word ends the wait */
        }
        while (n < sizeof(line) - 1) {
                ssize_t r = read(p[0], line + n, sizeof(line) - 1 - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                n += (size_t)r;
        }
        safe_close(p[0]);
        line[n] = 0;
        line[strcspn(line, "\n")] = 0;
        if (startswith(line, "ok ")) {
                printf("%s\n", line + 3);
                return 0;
        }
        fprintf(stderr, "berth-shim: %s\n",
                startswith(line, "error ") ? line + 6 : "the shim exited before the container ran");
        return 1;
}

enum {
        ARG_ID = 0x100, ARG_BUNDLE, ARG_STATE, ARG_RUNTIME, ARG_RUNTIME_ARG, ARG_TERMINAL,
        ARG_STDIN, ARG_LOG, ARG_LOG_FORMAT, ARG_LOG_MAX_SIZE, ARG_LOG_MAX_FILES, ARG_FOREGROUND,
        ARG_RESTART, ARG_HEALTH_CMD, ARG_HEALTH_INTERVAL, ARG_HEALTH_TIMEOUT,
        ARG_HEALTH_START_PERIOD, ARG_HEALTH_RETRIES, ARG_ATTACH_WAIT, ARG_EXIT_COMMAND, ARG_EVENTS,
        ARG_EVENT_ATTR, ARG_CGROUP,
};

static const struct option options[] = {
        { "id", required_argument, NULL, ARG_ID },
        { "bundle", required_argument, NULL, ARG_BUNDLE },
        { "state", required_argument, NULL, ARG_STATE },
        { "runtime", required_argument, NULL, ARG_RUNTIME },
        { "runtime-arg", required_argument, NULL, ARG_RUNTIME_ARG },
        { "terminal", no_argument, NULL, ARG_TERMINAL },
        { "stdin", no_argument, NULL, ARG_STDIN },
        { "attach-wait", no_argument, NULL, ARG_ATTACH_WAIT },
        { "cgroup", required_argument, NULL, ARG_CGROUP },
        { "exit-command", required_argument, NULL, ARG_EXIT_COMMAND },
        { "log", required_argument, NULL, ARG_LOG },
        { "log-format", required_argument, NULL, ARG_LOG_FORMAT },
        { "log-max-size", required_argument, NULL, ARG_LOG_MAX_SIZE },
        { "log-max-files", required_argument, NULL, ARG_LOG_MAX_FILES },
        { "foreground", no_argument, NULL, ARG_FOREGROUND },
        { "restart", required_argument, NULL, ARG_RESTART },
        { "health-cmd", required_argument, NULL, ARG_HEALTH_CMD },
        { "health-interval-ms", required_argument, NULL, ARG_HEALTH_INTERVAL },
        { "health-timeout-ms", required_argument, NULL, ARG_HEALTH_TIMEOUT },
        { "health-start-period-ms", required_argument, NULL, ARG_HEALTH_START_PERIOD },
        { "health-retries", required_argument, NULL, ARG_HEALTH_RETRIES },
        { "events", required_argument, NULL, ARG_EVENTS },
        { "event-attr", required_argument, NULL, ARG_EVENT_ATTR },
        { "help", no_argument, NULL, 'h' },
        {}
};

/* A count of at least 1 (--log-max-files, --health-retries). */
static int parse_count(const char *flag, const char *arg, unsigned *ret)
{
        int v;

        if (string_safe_atoi(arg, &v) < 0 || v < 1) {
                fprintf(stderr, "berth-shim: --%s: `%s` is no count of at least 1\n", flag, arg);
                return -EINVAL;
        }
        *ret = (unsigned)v;
        return 0;
}

/* --health-*-ms: milliseconds, 0 allowed only for the start period. */
static int parse_msec(const char *flag, const char *arg, bool zero_ok, uint64_t *ret_usec)
{
        int v;

        if (string_safe_atoi(arg, &v) < 0 || v < 0 || (v == 0 && !zero_ok)) {
                fprintf(stderr, "berth-shim: --%s: `%s` is no number of milliseconds\n", flag,
                        arg);
                return -EINVAL;
        }
        *ret_usec = (uint64_t)v * 1000;
        return 0;
}

/* The options that take a value to check; the rest are stored as they come. */
static int parse_value(int c, const char *arg, ShimOptions *o)
{
        _cleanup_error_ BerthError *err = NULL;

        switch (c) {
        case ARG_LOG_FORMAT:
                if (streq(arg, "json-file"))
                        o->log.format = LOG_FILE_JSON;
                else if (streq(arg, "cri"))
                        o->log.format = LOG_FILE_CRI;
                else {
                        fprintf(stderr, "berth-shim: --log-format: `%s` is neither json-file "
                                        "nor cri\n", arg);
                        return -EINVAL;
                }
                return 0;
        case ARG_LOG_MAX_SIZE:
                if (parse_size(arg, &o->log.max_size) < 0) {
                        fprintf(stderr, "berth-shim: --log-max-size: `%s` is no size\n", arg);
                        return -EINVAL;
                }
                return 0;
        case ARG_LOG_MAX_FILES:
                return parse_count("log-max-files", arg, &o->log.max_files);
        case ARG_RESTART:
                if (restart_policy_parse(arg, &o->restart, &err) < 0) {
                        fprintf(stderr, "berth-shim: %s\n", err->msg);
                        return -EINVAL;
                }
                return 0;
        case ARG_HEALTH_INTERVAL:
                return parse_msec("health-interval-ms", arg, false, &o->health_interval_usec);
        case ARG_HEALTH_TIMEOUT:
                return parse_msec("health-timeout-ms", arg, false, &o->health_timeout_usec);
        case ARG_HEALTH_START_PERIOD:
                return parse_msec("health-start-period-ms", arg, true,
                                  &o->health_start_period_usec);
        case ARG_HEALTH_RETRIES:
                return parse_count("health-retries", arg, &o->health_retries);
        default:
                return -EINVAL;
        }
}

/* Returns 0 to go on, 1 after --help, -EINVAL after a message. The three vectors have room
 * for every argument. */
static int parse_args(int argc, char **argv, ShimOptions *o, char **runtime_args,
                      char **health_cmd, char **exit_command, char **event_attrs,
                      bool *foreground)
{
        size_t n_runtime_args = 0, n_health_cmd = 0, n_exit_command = 0, n_event_attrs = 0;
        int c;

        o->runtime_args = runtime_args;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_ID: o->id = optarg; break;
                case ARG_BUNDLE: o->bundle = optarg; break;
                case ARG_STATE: o->state_dir = optarg; break;
                case ARG_RUNTIME: o->runtime = optarg; break;
                case ARG_RUNTIME_ARG: runtime_args[n_runtime_args++] = optarg; break;
                case ARG_TERMINAL: o->terminal = true; break;
                case ARG_STDIN: o->stdin_open = true; break;
                case ARG_ATTACH_WAIT: o->attach_wait = true; break;
                case ARG_CGROUP: o->cgroup = optarg; break;
                case ARG_LOG: o->log_path = optarg; break;
                case ARG_FOREGROUND: *foreground = true; break;
                case ARG_EVENTS: o->events_path = optarg; break;
                case ARG_EVENT_ATTR:
                        if (!strchr(optarg, '=')) {
                                fprintf(stderr, "berth-shim: --event-attr: `%s` is no "
                                                "KEY=VALUE\n", optarg);
                                return -EINVAL;
                        }
                        event_attrs[n_event_attrs++] = optarg;
                        o->event_attrs = event_attrs;
                        break;
                case ARG_HEALTH_CMD:
                        health_cmd[n_health_cmd++] = optarg;
                        o->health_cmd = health_cmd;
                        break;
                case ARG_EXIT_COMMAND:
                        exit_command[n_exit_command++] = optarg;
                        o->exit_command = exit_command;
                        break;
                case 'h':
                        usage(stdout);
                        return 1;
                case '?':
                        usage(stderr);
                        return -EINVAL;
                default:
                        if (parse_value(c, optarg, o) < 0)
                                return -EINVAL;
                }
        }
        if (optind < argc || !o->id || !o->bundle || !o->state_dir || !o->runtime) {
                fprintf(stderr, "berth-shim: --id, --bundle, --state and --runtime are needed "
                                "(and nothing else)\n");
                return -EINVAL;
        }
        return 0;
}

/* A caller that died leaves the pipes it read broken: writing to them must fail with EPIPE,
 * not kill the shim of a running container. A handler, not SIG_IGN: the disposition would
 * pass to the container through exec, a handler does not. */
static void on_sigpipe(int sig)
{
        (void)sig;
}

int main(int argc, char **argv)
{
        _cleanup_free_ char *bundle = NULL, *state = NULL;
        _cleanup_free_ char **runtime_args = calloc((size_t)argc + 1, sizeof(char *));
        _cleanup_free_ char **health_cmd = calloc((size_t)argc + 1, sizeof(char *));
        _cleanup_free_ char **exit_command = calloc((size_t)argc + 1, sizeof(char *));
        _cleanup_free_ char **event_attrs = calloc((size_t)argc + 1, sizeof(char *));
        ShimOptions o = {
                .log = { .format = LOG_FILE_JSON, .max_files = 1 },
                .health_interval_usec = 30 * 1000000ULL,
                .health_timeout_usec = 30 * 1000000ULL,
                .health_retries = 3,
        };

        bool foreground = false;
        int r;

        (void)sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = on_sigpipe }, NULL);
        if (!runtime_args || !health_cmd || !exit_command || !event_attrs)
                return 125;
        r = parse_args(argc, argv, &o, runtime_args, health_cmd, exit_command, event_attrs,
                       &foreground);
        if (r != 0)
                return r > 0 ? 0 : 125;
        /* The shim leaves the caller's directory: every path becomes absolute. */
        bundle = realpath(o.bundle, NULL);
        state = realpath(o.state_dir, NULL);
        if (!bundle || !state) {
                fprintf(stderr, "berth-shim: %s: %m\n", !bundle ? o.bundle : o.state_dir);
                return 125;
        }
        o.bundle = bundle;
        o.state_dir = state;
        if (chdir("/") < 0)
                return 125;
        if (foreground) {
                _cleanup_error_ BerthError *err = NULL;
                if (shim_run(&o, -1, &err) < 0) {
                        fprintf(stderr, "berth-shim: %s\n", err ? err->msg : "failed");
                        return 1;
                }
                return 0;
        }
        return detach(&o);
}
