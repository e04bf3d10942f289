/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's life as the engine drives it: the shim started (and, for an attached run, the
 * attach socket connected before the process starts), its state read back from the shim's
 * files, signals and stops through the runtime's command line, the wait for the end, and the
 * removal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/signal-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/engine-events.h"
#include "engine/engine-internal.h"
#include "engine/engine-network.h"
#include "image/image-mount.h"

#define STATE_FILE_MAX (64 * 1024)
#define SHIM_START_TIMEOUT_USEC (30 * 1000000ULL)
#define POLL_USEC 20000

static void sleep_usec(uint64_t usec)
{
        struct timespec ts = { .tv_sec = (time_t)(usec / 1000000), .tv_nsec = (long)(usec % 1000000) * 1000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* A runtime named without a slash is looked up in $PATH, as docker's --runtime runc finds
 * runc; the default is the engine's. */
int engine_runtime_resolve(Engine *e, const char *name, char **ret)
{
        if (!name || !*name || streq(name, "berth-runtime"))
                name = e->runtime_path;
        if (!name)
                return -ENOENT;
        if (strchr(name, '/')) {
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        const char *path = getenv("PATH") ?: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *dir = strtok(copy, ":"); dir; dir = strtok(NULL, ":")) {
                char *p;
                if (asprintf(&p, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                if (access(p, X_OK) == 0) {
                        *ret = p;
                        return 0;
                }
                free(p);
        }
        return -ENOENT;
}

int engine_runtime_run(Engine *e, const char *runtime, char *const *args, char **ret_stderr)
{
        _cleanup_free_ char *bin = NULL, *root = engine_runtime_root(e);
        _cleanup_strv_free_ char **argv = NULL;
        int p[2], r;
        pid_t pid;

        if (ret_stderr)
                *ret_stderr = NULL;
        r = engine_runtime_resolve(e, runtime, &bin);
        if (r < 0)
                return r;
        if (!root || strv_extend(&argv, bin) < 0 || strv_extend(&argv, "--root") < 0 ||
            strv_extend(&argv, root) < 0)
                return -ENOMEM;
        for (char *const *a = args; *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(p[1], STDERR_FILENO);
                execv(argv[0], argv);
                _exit(127);
        }
        safe_close(p[1]);
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        (void)fs_read_full_fd_limited(p[0], STATE_FILE_MAX, &out, &len);
        safe_close(p[0]);
        r = process_wait_exit_status(pid);
        if (ret_stderr && out) {
                out[strcspn(out, "\n")] = 0;
                *ret_stderr = TAKE_PTR(out);
        }
        return r;
}

bool engine_shim_alive(Engine *e, const char *id, pid_t *ret_pid)
{
        _cleanup_free_ char *dir = engine_container_state_dir(e, id), *data = NULL, *comm = NULL;
        char path[64];
        size_t len;
        int pid;

        if (ret_pid)
                *ret_pid = 0;
        if (!dir)
                return false;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fs_read_full_file_limited(dfd, "shim.pid", 64, &data, &len, NULL) < 0 ||
            string_safe_atoi(string_strip(data), &pid) < 0 || pid <= 0)
                return false;
        /* The pid is the shim's only while its name says so. */
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        if (fs_read_full_file_limited(AT_FDCWD, path, 64, &comm, &len, NULL) < 0 ||
            !startswith(comm, "berth-shim"))
                return false;
        uint64_t start;
        bool zombie;
        if (process_start_time(pid, &start, &zombie) < 0 || zombie)
                return false;
        if (ret_pid)
                *ret_pid = pid;
        return true;
}

static char *json_string_dup(struct json_object *o, const char *key)
{
        struct json_object *v = jwalk_member(o, key);
        return v && json_object_is_type(v, json_type_string) ? strdup(json_object_get_string(v))
                                                             : NULL;
}

int engine_shim_read_state(Engine *e, EngineContainer *c, bool started)
{
        _cleanup_free_ char *dir = engine_container_state_dir(e, c->id), *data = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        _cleanup_close_ int dfd = -1;
        struct json_object *v;
        size_t len;
        bool alive;

        alive = engine_shim_alive(e, c->id, &c->shim_pid);
        c->state = started ? ENGINE_STATE_EXITED : ENGINE_STATE_CREATED;
        c->exit_code = started ? 255 : 0;
        if (!dir)
                return -ENOMEM;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 ||
            fs_read_full_file_limited(dfd, "status.json", STATE_FILE_MAX, &data, &len, NULL) < 0 ||
            !(doc = jwalk_parse_object(data, len))) {
                /* No status yet: a shim that is starting the container. */
                if (alive)
                        c->state = ENGINE_STATE_RUNNING;
                return 0;
        }
        const char *status = (v = jwalk_member(doc, "status")) ? json_object_get_string(v) : "";
        if ((v = jwalk_member(doc, "pid")))
                c->pid = json_object_get_int(v);
        if ((v = jwalk_member(doc, "restart_count")))
                c->restart_count = (unsigned)json_object_get_int(v);
        c->started_at = json_string_dup(doc, "started_at");
        c->finished_at = json_string_dup(doc, "finished_at");
        if (streq(status, "exited")) {
                c->state = ENGINE_STATE_EXITED;
                if ((v = jwalk_member(doc, "exit_code")))
                        c->exit_code = json_object_get_int(v);
                if ((v = jwalk_member(doc, "oom_killed")))
                        c->oom_killed = json_object_get_boolean(v);
        } else if (alive && streq(status, "restarting"))
                c->state = ENGINE_STATE_RESTARTING;
        else if (alive)
                c->state = faccessat(dfd, "paused", F_OK, 0) == 0 ? ENGINE_STATE_PAUSED
                                                                   : ENGINE_STATE_RUNNING;
        /* else the shim died with the container marked running: exited, code unknown (255) */
        if (c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED)
                c->pid = 0;
        free(data);
        data = NULL;
        if (fs_read_full_file_limited(dfd, "health.json", STATE_FILE_MAX, &data, &len, NULL) >= 0)
                c->health = TAKE_PTR(data);
        return 0;
}

int engine_container_refresh(Engine *e, EngineContainer *c)
{
        free(c->started_at);
        free(c->finished_at);
        free(c->health);
        c->started_at = c->finished_at = c->health = NULL;
        c->pid = 0;
        return engine_shim_read_state(e, c, true);
}

/* berth-shim's command line for c. */
static int shim_argv(Engine *e, const EngineContainer *c, const char *state, bool attach,
                     char ***ret)
{
        _cleanup_free_ char *bundle = engine_container_dir(e, c->id),
                            *log = engine_container_log_path(e, c->id),
                            *events = engine_events_path(e),
                            *root = engine_runtime_root(e), *runtime = NULL,
                            *cgroup = engine_container_cgroup(c->id);
        _cleanup_strv_free_ char **a = NULL, **attrs = NULL;
        char buf[64];
        int r;

        if (!bundle || !log || !events || !root || !cgroup || engine_event_attrs(c, &attrs) < 0)
                return -ENOMEM;
        r = engine_runtime_resolve(e, c->run.runtime, &runtime);
        if (r < 0)
                return r;
#define ARG(s) if (strv_extend(&a, (s)) < 0) return -ENOMEM
        ARG(e->shim_path);
        ARG("--id"); ARG(c->id);
        ARG("--bundle"); ARG(bundle);
        ARG("--state"); ARG(state);
        ARG("--runtime"); ARG(runtime);
        ARG("--runtime-arg"); ARG("--root");
        ARG("--runtime-arg"); ARG(root);
        ARG("--log"); ARG(log);
        ARG("--events"); ARG(events);
        STRV_FOREACH(attr, attrs) {
                ARG("--event-attr"); ARG(*attr);
        }
        if (c->run.tty)
                ARG("--terminal");
        if (c->run.open_stdin)
                ARG("--stdin");
        if (attach)
                ARG("--attach-wait");
        ARG("--cgroup"); ARG(cgroup);
        /* --rm: the shim removes it once it has ended, after any client that holds it. */
        if (c->run.auto_remove && e->remove_command) {
                STRV_FOREACH(x, e->remove_command) {
                        ARG("--exit-command"); ARG(*x);
                }
                ARG("--exit-command"); ARG(c->id);
        }
        if (c->run.log_max_size > 0) {
                snprintf(buf, sizeof(buf), "%lld", (long long)c->run.log_max_size);
                ARG("--log-max-size"); ARG(buf);
        }
        if (c->run.log_max_files > 0) {
                snprintf(buf, sizeof(buf), "%u", c->run.log_max_files);
                ARG("--log-max-files"); ARG(buf);
        }
        if (c->run.restart.kind != RESTART_NO) {
                ARG("--restart"); ARG(restart_policy_format(&c->run.restart, buf, sizeof(buf)));
        }
        STRV_FOREACH(h, c->run.health_cmd) {
                ARG("--health-cmd"); ARG(*h);
        }
        if (c->run.health_cmd) {
                static const struct { const char *flag; size_t off; } ms[] = {
                        { "--health-interval-ms", offsetof(EngineRunOptions, health_interval) },
                        { "--health-timeout-ms", offsetof(EngineRunOptions, health_timeout) },
                        { "--health-start-period-ms", offsetof(EngineRunOptions, health_start_period) },
                };
                for (size_t i = 0; i < ELEMENTSOF(ms); i++) {
                        int64_t ns = *(const int64_t *)((const char *)&c->run + ms[i].off);
                        if (ns <= 0)
                                continue;
                        snprintf(buf, sizeof(buf), "%lld", (long long)(ns / 1000000));
                        ARG(ms[i].flag); ARG(buf);
                }
                if (c->run.health_retries > 0) {
                        snprintf(buf, sizeof(buf), "%u", c->run.health_retries);
                        ARG("--health-retries"); ARG(buf);
                }
        }
#undef ARG
        *ret = TAKE_PTR(a);
        return 0;
}

/* Connects to the attach socket the shim makes, while it waits before the start. */
static int attach_connect(const char *state, pid_t shim_parent, int *ret_fd, BerthError **err)
{
        _cleanup_free_ char *sock = NULL;
        uint64_t deadline = time_monotonic_usec() + SHIM_START_TIMEOUT_USEC;

        if (asprintf(&sock, "%s/attach.sock", state) < 0)
                return berth_error(err, ENOMEM, "attach");
        for (;;) {
                int fd = socket_connect_unix(SOCK_STREAM | SOCK_CLOEXEC, sock);
                if (fd >= 0) {
                        *ret_fd = fd;
                        return 0;
                }
                /* The shim's first process ends only once the container runs or failed. */
                if (waitpid(shim_parent, NULL, WNOHANG) != 0 || time_monotonic_usec() > deadline)
                        return 0; /* the outcome tells what happened */
                sleep_usec(5000);
        }
}

int engine_container_start(Engine *e, EngineContainer *c, const EngineStartOptions *o,
                           int *ret_attach_fd, BerthError **err)
{
        _cleanup_free_ char *state = engine_container_state_dir(e, c->id);
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_close_ int attach_fd = -1;
        int out[2], errp[2], r;
        bool attach = o && o->attach;
        pid_t pid;

        if (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
            c->state == ENGINE_STATE_RESTARTING)
                return berth_error_plain(err, EBUSY, "container `%s` is already running",
                                         c->name);
        if (c->state == ENGINE_STATE_DEAD)
                return berth_error_plain(err, EINVAL, "container `%s` is dead: remove it",
                                         c->name);
        if (!state)
                return berth_error(err, ENOMEM, "start");
        if (!e->shim_path)
                return berth_error_plain(err, ENOENT, "berth-shim was not found");
        /* What a previous life left: the shim is gone, its files go. */
        (void)fs_rm_rf(state);
        r = fs_mkdir_p(state, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", state);
        r = shim_argv(e, c, state, attach, &argv);
        if (r == -ENOENT)
                return berth_error_plain(err, ENOENT, "runtime `%s` was not found",
                                         c->run.runtime ?: "berth-runtime");
        if (r < 0)
                return berth_error(err, r, "start");
        r = engine_network_attach(e, c->id, err);
        if (r < 0)
                return r;
        r = engine_record_set_started(e, c->id, err);
        if (r < 0)
                return r;
        if (pipe2(out, O_CLOEXEC) < 0)
                return berth_error(err, errno, "start");
        if (pipe2(errp, O_CLOEXEC) < 0) {
                r = -errno;
                safe_close(out[0]);
                safe_close(out[1]);
                return berth_error(err, -r, "start");
        }
        pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                dup2(null, STDIN_FILENO);
                dup2(out[1], STDOUT_FILENO);
                dup2(errp[1], STDERR_FILENO);
                execv(argv[0], argv);
                fprintf(stderr, "exec `%s`: %m\n", argv[0]);
                _exit(127);
        }
        safe_close(out[1]);
        safe_close(errp[1]);
        if (pid < 0) {
                safe_close(out[0]);
                safe_close(errp[0]);
                return berth_error(err, errno, "start the shim");
        }
        if (attach)
                (void)attach_connect(state, pid, &attach_fd, err);
        _cleanup_free_ char *said = NULL, *complaint = NULL;
        size_t len;
        (void)fs_read_full_fd_limited(out[0], STATE_FILE_MAX, &said, &len);
        (void)fs_read_full_fd_limited(errp[0], STATE_FILE_MAX, &complaint, &len);
        safe_close(out[0]);
        safe_close(errp[0]);
        r = process_wait_exit_status(pid);
        if (r != 0) {
                const char *msg = complaint ? string_strip(complaint) : "";
                if (startswith(msg, "berth-shim: "))
                        msg += strlen("berth-shim: ");
                return berth_error_plain(err, r == 127 ? ENOENT : EIO, "start `%s`: %s", c->name,
                                         *msg ? msg : "the shim failed");
        }
        if (said)
                c->pid = atoi(said);
        c->state = ENGINE_STATE_RUNNING;
        if (ret_attach_fd)
                *ret_attach_fd = TAKE_FD(attach_fd);
        return 0;
}

static int touch_stopped(Engine *e, const char *id)
{
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/containers/%s/stopped", e->run_dir, id) < 0)
                return -ENOMEM;
        return fs_write_file_atomic(path, "", 0, 0644);
}

int engine_container_kill(Engine *e, EngineContainer *c, int sig, BerthError **err)
{
        _cleanup_free_ char *msg = NULL;
        char signame[16];
        int r;

        if (c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED)
                return berth_error_plain(err, EINVAL, "container `%s` is not running", c->name);
        snprintf(signame, sizeof(signame), "%d", sig);
        /* Before the signal, as docker does: the die it may cause comes after it. */
        char attr[32];
        snprintf(attr, sizeof(attr), "signal=%d", sig);
        engine_event_emit(e, c, "kill", attr);
        r = engine_runtime_run(e, c->run.runtime, (char *[]){ "kill", c->id, signame, NULL },
                               &msg);
        if (r != 0)
                return berth_error_plain(err, r < 0 ? -r : EIO, "kill `%s`: %s", c->name,
                                         msg && *msg ? msg : "the runtime failed");
        return 0;
}

/* Sleeps until the shim's process ends (a pidfd turns readable) or usec passed. */
static void wait_shim(pid_t shim, uint64_t usec)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, shim, 0);
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (pidfd < 0 || poll(&p, 1, (int)(usec / 1000)) < 0)
                sleep_usec(POLL_USEC);
}

/* A frozen process (cgroup v1's freezer) dies of SIGKILL only once thawed: Docker, too,
 * kills a paused container and then unpauses it. */
static void thaw_if_paused(Engine *e, EngineContainer *c)
{
        if (c->state == ENGINE_STATE_PAUSED)
                (void)engine_runtime_run(e, c->run.runtime,
                                         (char *[]){ (char *)"resume", c->id, NULL }, NULL);
}

/* Waits until the shim has recorded the exit and gone, or until deadline (0: for ever).
 * Returns 0, or -ETIMEDOUT. The shim ends right after it wrote the exit: its end is what is
 * waited for, with a look at the files now and then (a restart keeps the same shim). */
static int wait_exited(Engine *e, EngineContainer *c, uint64_t deadline)
{
        for (;;) {
                (void)engine_container_refresh(e, c);
                if (c->state == ENGINE_STATE_EXITED && !engine_shim_alive(e, c->id, NULL))
                        return 0;
                uint64_t now = time_monotonic_usec();
                if (deadline && now > deadline)
                        return -ETIMEDOUT;
                uint64_t slice = 200000;
                if (deadline && deadline - now < slice)
                        slice = deadline - now;
                if (c->shim_pid > 0)
                        wait_shim(c->shim_pid, slice);
                else
                        sleep_usec(POLL_USEC);
        }
}

static int container_stop(Engine *e, EngineContainer *c, int timeout, BerthError **err)
{
        int sig = SIGTERM, r;

        if (c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED &&
            c->state != ENGINE_STATE_RESTARTING)
                return 0; /* Docker: stopping a stopped container is no error */
        (void)touch_stopped(e, c->id);
        if (timeout < 0)
                timeout = c->run.stop_timeout >= 0 ? c->run.stop_timeout : 10;
        if (c->run.stop_signal) {
                int s = signal_from_string(c->run.stop_signal);
                if (s > 0)
                        sig = s;
        }
        if (c->state == ENGINE_STATE_RESTARTING)
                return wait_exited(e, c, 0) < 0 ? berth_error_plain(err, ETIMEDOUT, "stop") : 0;
        if (c->state == ENGINE_STATE_PAUSED) {
                /* A frozen process takes no signal but SIGKILL. */
                timeout = 0;
        }
        if (timeout > 0) {
                r = engine_container_kill(e, c, sig, NULL);
                if (r >= 0 && wait_exited(e, c, time_monotonic_usec() +
                                                          (uint64_t)timeout * 1000000ULL) == 0)
                        return 0;
                if (c->state == ENGINE_STATE_EXITED)
                        return wait_exited(e, c, 0);
        }
        /* The kill can miss a container between two lives of its restart policy (the runtime
         * has deleted it, the shim is about to start it again): the `stopped` mark keeps the
         * shim from that, so the next try or the shim's end settles it. */
        for (int attempt = 0;; attempt++) {
                _cleanup_error_ BerthError *miss = NULL;
                r = engine_container_kill(e, c, SIGKILL, &miss);
                if (r >= 0)
                        break;
                if (wait_exited(e, c, time_monotonic_usec() + 200000) == 0)
                        return 0;
                if (attempt >= 25) {
                        *err = TAKE_PTR(miss);
                        return r;
                }
        }
        thaw_if_paused(e, c);
        return wait_exited(e, c, 0);
}

int engine_container_stop(Engine *e, EngineContainer *c, int timeout, BerthError **err)
{
        bool running = c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
                       c->state == ENGINE_STATE_RESTARTING;
        int r = container_stop(e, c, timeout, err);

        if (r >= 0)
                engine_network_release(e, c->id);
        if (r >= 0 && running)
                engine_event_emit(e, c, "stop", NULL);
        return r;
}

int engine_container_wait(Engine *e, EngineContainer *c, int *ret_code, BerthError **err)
{
        if (c->state == ENGINE_STATE_CREATED) {
                *ret_code = 0;
                return 0;
        }
        (void)wait_exited(e, c, 0);
        *ret_code = c->exit_code;
        return 0;
}

int engine_container_teardown(Engine *e, const char *id, BerthError **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, id),
                            *state = engine_container_state_dir(e, id), *rootfs = NULL;
        pid_t shim;
        int r;

        if (!dir || !state || asprintf(&rootfs, "%s/rootfs", dir) < 0)
                return berth_error(err, ENOMEM, "remove");
        /* The runtime's state (and with --force its processes), unless the shim deleted it
         * already; then the shim ends by itself, and one that does not is killed. */
        _cleanup_free_ char *rt_state = NULL;
        if (asprintf(&rt_state, "%s/runtime/%s", e->run_dir, id) < 0)
                return berth_error(err, ENOMEM, "remove");
        if (access(rt_state, F_OK) == 0)
                (void)engine_runtime_run(e, NULL,
                                         (char *[]){ "delete", "--force", (char *)id, NULL }, NULL);
        for (int i = 0; i < 250 && engine_shim_alive(e, id, &shim); i++) {
                if (i == 150)
                        (void)kill(shim, SIGKILL);
                sleep_usec(POLL_USEC);
        }
        /* Not mounted (a create that failed early) is fine; mounted but not recorded (a create
         * killed between the two) is unmounted all the same. */
        /* The network before the directories: DEL needs the rows, the hosts files of its
         * peers are rewritten. */
        engine_network_teardown(e, id);
        (void)image_unmount(e->sn, rootfs, NULL);
        if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return berth_error(err, errno, "unmount `%s`", rootfs);
        r = fs_rm_rf(dir);
        if (r < 0 && r != -ENOENT)
                return berth_error(err, r, "remove `%s`", dir);
        (void)fs_rm_rf(state);
        return engine_record_delete(e, id, err);
}

int engine_container_remove(Engine *e, EngineContainer *c, bool force, bool volumes,
                            BerthError **err)
{
        _cleanup_strv_free_ char **anonymous = NULL;
        bool running = c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
                       c->state == ENGINE_STATE_RESTARTING;
        int r;

        if (running && !force)
                return berth_error_plain(err, EBUSY,
                                         "container `%s` is running: stop it first, or remove it "
                                         "with -f", c->name);
        r = engine_record_set_state(e, c->id, "removing", err);
        if (r < 0)
                return r;
        if (running) {
                (void)touch_stopped(e, c->id);
                (void)engine_container_kill(e, c, SIGKILL, NULL);
                thaw_if_paused(e, c);
                (void)wait_exited(e, c, time_monotonic_usec() + 10 * 1000000ULL);
        }
        if (volumes)
                (void)engine_volume_anonymous_of(e, c->id, &anonymous);
        r = engine_container_teardown(e, c->id, err);
        if (r >= 0) {
                engine_event_emit(e, c, "destroy", NULL);
                engine_volume_remove_unused(e, anonymous);
        }
        return r;
}
