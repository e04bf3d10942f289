/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `docker exec` through the runtime's command line: the container's config.json process with
 * the caller's command, env, user, working directory and capabilities written to a process file
 * in a directory of its own under the run directory (with the console socket for a pty), then
 * `runtime exec [--detach] [--console-socket SOCK] --process FILE --pid-file FILE ID`. The
 * pid file tells that the command was run (runtimes write it after the execve()); the
 * runtime's stderr comes through a pipe, relayed to the caller's stderr once the process runs,
 * and before that kept: it says why a command could not be run (126) or found (127).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "engine/engine-exec.h"
#include "engine/engine-internal.h"
#include "engine/engine-spec.h"
#include "engine/engine-user.h"

#define CONFIG_MAX (4U << 20)
#define TAIL_MAX 4096
#define CONSOLE_SOCKET "console.sock"
#define PID_FILE "pid"
#define POLL_MS 100

struct EngineExec {
        char *dir;               /* <run>/exec-XXXXXX: process.json, console.sock */
        char *name;              /* the container's, for messages */
        char *cmd;               /* argv[0], for messages */
        char *runtime;           /* the runtime's file name, for messages */
        pid_t pid;               /* the runtime; 0 once reaped */
        int err_fd;              /* its stderr */
        int relay_fd;            /* where that goes once the process runs; -1: kept only */
        int dir_fd;
        bool started;            /* the runtime wrote the pid file: the process runs */
        int process_pid;         /* from the pid file; 0: unknown */
        int console;             /* the pty master; -1 */
        bool detach;
        bool tty;                /* the runtime detached: the process is waited for here */
        char tail[TAIL_MAX + 1]; /* the end of the runtime's stderr */
        size_t n_tail;
};

void engine_exec_free(EngineExec *x)
{
        if (!x)
                return;
        safe_close(x->err_fd);
        safe_close(x->console);
        safe_close(x->dir_fd);
        if (x->dir)
                (void)fs_rm_rf(x->dir);
        free(x->dir);
        free(x->name);
        free(x->cmd);
        free(x->runtime);
        free(x);
}

int engine_exec_console(const EngineExec *x)
{
        return x->console;
}

/* KEY=VALUE set in the array env: the entry of KEY replaced, else appended. */
static int env_set(struct json_object *env, const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
        struct json_object *s = json_object_new_string(kv);

        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(env); i++) {
                const char *old = json_object_get_string(json_object_array_get_idx(env, i));
                if (old && strncmp(old, kv, klen) == 0 && old[klen] == '=')
                        return json_object_array_put_idx(env, i, s) < 0 ? -ENOMEM : 0;
        }
        return json_object_array_add(env, s) < 0 ? -ENOMEM : 0;
}

static bool env_has(char *const *env, const char *key)
{
        size_t n = strlen(key);
        for (char *const *kv = env; kv && *kv; kv++)
                if (strncmp(*kv, key, n) == 0 && (*kv)[n] == '=')
                        return true;
        return false;
}

static bool env_array_has(struct json_object *env, const char *key)
{
        size_t n = strlen(key);
        for (size_t i = 0; i < json_object_array_length(env); i++) {
                const char *kv = json_object_get_string(json_object_array_get_idx(env, i));
                if (kv && strncmp(kv, key, n) == 0 && kv[n] == '=')
                        return true;
        }
        return false;
}

static struct json_object *strv_to_array(char *const *l)
{
        struct json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (char *const *s = l; s && *s; s++) {
                struct json_object *v = json_object_new_string(*s);
                if (!v || json_object_array_add(a, v) < 0) {
                        json_object_put(v);
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

/* process.user from -u, resolved in the container's own /etc/passwd and /etc/group. */
static int process_user(Engine *e, EngineContainer *c, const EngineExecOptions *o,
                        struct json_object *process, struct json_object *env, BerthError **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, c->id), *rootfs = NULL;
        _cleanup_(engine_user_done) ExecUser u = { 0 };
        _cleanup_close_ int rootfd = -1;
        struct json_object *user, *gids;
        int r;

        if (!dir || asprintf(&rootfs, "%s/rootfs", dir) < 0)
                return berth_error(err, ENOMEM, "-u");
        rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return berth_error(err, errno, "open `%s`", rootfs);
        r = engine_user_resolve(rootfd, o->user, NULL, &u, err);
        if (r < 0)
                return r;
        if (!(user = json_object_new_object()) ||
            json_object_object_add(process, "user", user) < 0)
                return berth_error(err, ENOMEM, "-u");
        json_object_object_add(user, "uid", json_object_new_int64(u.uid));
        json_object_object_add(user, "gid", json_object_new_int64(u.gid));
        if (u.n_additional_gids > 0) {
                if (!(gids = json_object_new_array()))
                        return berth_error(err, ENOMEM, "-u");
                json_object_object_add(user, "additionalGids", gids);
                for (size_t i = 0; i < u.n_additional_gids; i++)
                        json_object_array_add(gids, json_object_new_int64(u.additional_gids[i]));
        }
        /* Docker: HOME follows the user unless -e sets it. */
        if (!env_has(o->env, "HOME")) {
                _cleanup_free_ char *home = NULL;
                if (asprintf(&home, "HOME=%s", u.home ?: "/") < 0 || env_set(env, home) < 0)
                        return berth_error(err, ENOMEM, "-u");
        }
        return 0;
}

static int process_privileged(struct json_object *process, BerthError **err)
{
        static const char *const sets[] = { "bounding", "effective", "permitted" };
        const EngineSpecOptions so = { .privileged = true };
        _cleanup_strv_free_ char **caps = NULL;
        struct json_object *obj;
        int r;

        r = engine_spec_capabilities(&so, &caps, err);
        if (r < 0)
                return r;
        /* Every capability this host gives us (engine_spec_capabilities() keeps to our bounding
         * set, as Docker's GetAllCapabilities()): one outside it would fail the exec. */
        if (!(obj = json_object_new_object()) ||
            json_object_object_add(process, "capabilities", obj) < 0)
                return berth_error(err, ENOMEM, "--privileged");
        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                struct json_object *a = strv_to_array(caps);
                if (!a || json_object_object_add(obj, sets[i], a) < 0)
                        return berth_error(err, ENOMEM, "--privileged");
        }
        return 0;
}

/* The container's process from its config.json with o's changes, as JSON text. */
static int process_build(Engine *e, EngineContainer *c, const EngineExecOptions *o, char **ret,
                         BerthError **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, c->id), *data = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        struct json_object *process, *env, *args;
        size_t len;
        int r;

        if (!dir)
                return berth_error(err, ENOMEM, "exec");
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", dir);
        r = fs_read_full_file_limited(dfd, "config.json", CONFIG_MAX, &data, &len, err);
        if (r < 0)
                return r;
        if (!(doc = jwalk_parse_object(data, len)))
                return berth_error_plain(err, EINVAL, "`%s/config.json` is no JSON object", dir);
        process = jwalk_member(doc, "process");
        if (!process || !json_object_is_type(process, json_type_object))
                return berth_error_plain(err, EINVAL, "`%s/config.json`: `process` is no object",
                                         dir);
        env = jwalk_member(process, "env");
        if (env && !json_object_is_type(env, json_type_array))
                return berth_error_plain(err, EINVAL, "`%s/config.json`: `process.env` is no "
                                         "array", dir);
        if (!env) {
                if (!(env = json_object_new_array()) ||
                    json_object_object_add(process, "env", env) < 0)
                        return berth_error(err, ENOMEM, "exec");
        }
        if (!(args = strv_to_array(o->argv)) || json_object_object_add(process, "args", args) < 0)
                return berth_error(err, ENOMEM, "exec");
        STRV_FOREACH(kv, o->env)
                if (env_set(env, *kv) < 0)
                        return berth_error(err, ENOMEM, "-e");
        /* Docker: a pty comes with TERM=xterm unless the env has one. */
        if (o->tty && !env_has(o->env, "TERM") && !env_array_has(env, "TERM") &&
            env_set(env, "TERM=xterm") < 0)
                return berth_error(err, ENOMEM, "exec");
        json_object_object_add(process, "terminal", json_object_new_boolean(o->tty));
        json_object_object_del(process, "consoleSize");
        if (o->tty && o->rows > 0 && o->cols > 0) {
                struct json_object *size = json_object_new_object();
                if (!size || json_object_object_add(process, "consoleSize", size) < 0)
                        return berth_error(err, ENOMEM, "exec");
                json_object_object_add(size, "height", json_object_new_int(o->rows));
                json_object_object_add(size, "width", json_object_new_int(o->cols));
        }
        if (o->workdir)
                json_object_object_add(process, "cwd", json_object_new_string(o->workdir));
        if (o->user && (r = process_user(e, c, o, process, env, err)) < 0)
                return r;
        if (o->privileged && (r = process_privileged(process, err)) < 0)
                return r;
        const char *text = json_object_to_json_string_ext(process, JSON_C_TO_STRING_PLAIN);
        if (!text || !(*ret = strdup(text)))
                return berth_error(err, ENOMEM, "exec");
        return 0;
}

/* fds[i] onto i in a child (-1: /dev/null), whatever numbers they had. */
static void child_stdio(const int fds[3])
{
        int tmp[3];

        for (int i = 0; i < 3; i++) {
                tmp[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, 3)
                                     : open("/dev/null", O_RDWR | O_CLOEXEC);
                if (tmp[i] < 0)
                        _exit(127);
        }
        for (int i = 0; i < 3; i++)
                if (dup2(tmp[i], i) < 0)
                        _exit(127);
}

static int runtime_spawn(Engine *e, EngineContainer *c, EngineExec *x, const EngineExecOptions *o,
                         BerthError **err)
{
        _cleanup_free_ char *bin = NULL, *root = engine_runtime_root(e), *file = NULL,
                            *sock = NULL, *pid_file = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        int p[2], r;

        r = engine_runtime_resolve(e, c->run.runtime, &bin);
        if (r < 0)
                return berth_error_plain(err, ENOENT, "runtime `%s` was not found",
                                         c->run.runtime ?: "berth-runtime");
        x->runtime = strdup(strrchr(bin, '/') ? strrchr(bin, '/') + 1 : bin);
        if (!x->runtime || !root || asprintf(&file, "%s/process.json", x->dir) < 0 ||
            asprintf(&sock, "%s/" CONSOLE_SOCKET, x->dir) < 0 ||
            asprintf(&pid_file, "%s/" PID_FILE, x->dir) < 0)
                return berth_error(err, ENOMEM, "exec");
#define ARG(s) if (strv_extend(&argv, (s)) < 0) return berth_error(err, ENOMEM, "exec")
        ARG(bin);
        ARG("--root"); ARG(root);
        ARG("exec");
        ARG("--process"); ARG(file);
        ARG("--pid-file"); ARG(pid_file);
        /* With a pty the runtime detaches (runc takes a console socket only so), and the process,
         * orphaned, comes to us as the subreaper to be waited for. */
        if (o->detach || o->tty)
                ARG("--detach");
        if (o->tty) {
                /* runc takes the terminal from the process file but wants the flag too */
                ARG("--tty");
                ARG("--console-socket"); ARG(sock);
        }
        ARG(c->id);
#undef ARG
        if (pipe2(p, O_CLOEXEC) < 0)
                return berth_error(err, errno, "exec");
        x->pid = fork();
        if (x->pid < 0) {
                r = errno;
                safe_close(p[0]);
                safe_close(p[1]);
                return berth_error(err, r, "exec");
        }
        if (x->pid == 0) {
                int fds[3] = { -1, -1, p[1] };
                if (!o->tty && !o->detach) {
                        fds[0] = o->stdio[0];
                        fds[1] = o->stdio[1];
                }
                child_stdio(fds);
                execv(argv[0], argv);
                fprintf(stderr, "exec `%s`: %m\n", argv[0]);
                _exit(127);
        }
        safe_close(p[1]);
        x->err_fd = p[0];
        return 0;
}

/* Whether the runtime has ended (not reaped yet). */
static bool runtime_exited(const EngineExec *x)
{
        siginfo_t si = { 0 };
        return waitid(P_PID, (id_t)x->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != 0;
}

/* The pty master the runtime sends to the console socket, unless it ends first. */
static int console_receive(EngineExec *x, int listen_fd, BerthError **err)
{
        for (;;) {
                struct pollfd p = { .fd = listen_fd, .events = POLLIN };
                int k = poll(&p, 1, POLL_MS);
                if (k < 0 && errno != EINTR)
                        return berth_error(err, errno, "exec: wait for the console");
                if (k > 0) {
                        _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                        if (conn < 0)
                                return berth_error(err, errno, "exec: accept the console");
                        char b[64];
                        size_t n = 0;
                        ssize_t got = socket_recv_fds(conn, b, sizeof(b), &x->console, 1, &n);
                        if (got < 0)
                                return berth_error(err, (int)-got, "exec: receive the console");
                        if (n == 1)
                                return 0;
                        x->console = -1;
                        continue;
                }
                if (runtime_exited(x))
                        return 0; /* the wait tells why */
        }
}

static void tail_add(EngineExec *x, const char *buf, size_t k)
{
        if (k >= TAIL_MAX) {
                memcpy(x->tail, buf + k - TAIL_MAX, TAIL_MAX);
                x->n_tail = TAIL_MAX;
        } else {
                size_t keep = MIN(x->n_tail, TAIL_MAX - k);
                memmove(x->tail, x->tail + x->n_tail - keep, keep);
                memcpy(x->tail + keep, buf, k);
                x->n_tail = keep + k;
        }
        x->tail[x->n_tail] = 0;
}

/* Once the runtime has written the pid file, the execve() succeeded: what its stderr had until
 * then (the process's first words) is relayed, and from then on all of it. Before, it is kept:
 * the runtime's complaint when the command cannot be run becomes the error instead. */
static void check_started(EngineExec *x)
{
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (x->started || faccessat(x->dir_fd, PID_FILE, F_OK, 0) < 0)
                return;
        x->started = true;
        if (x->relay_fd >= 0 && x->n_tail > 0)
                (void)fs_write_all_fd(x->relay_fd, x->tail, x->n_tail);
        if (fs_read_full_file_limited(x->dir_fd, PID_FILE, 32, &data, &len, NULL) < 0 ||
            string_safe_atoi(string_strip(data), &x->process_pid) < 0 || x->process_pid < 0)
                x->process_pid = 0;
        /* The runtime has read the process file: the directory goes now, not only when this
         * process is not interrupted. */
        (void)fs_rm_rf(x->dir);
}

/* Reads what the runtime's stderr has. Returns the bytes read, 0 at the end, -1 when there is
 * nothing yet. */
static ssize_t stderr_pump(EngineExec *x)
{
        char buf[4096];
        ssize_t k = read(x->err_fd, buf, sizeof(buf));

        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? -1 : 0; /* an error ends it too */
        if (k == 0)
                return 0;
        check_started(x);
        if (x->started && x->relay_fd >= 0)
                (void)fs_write_all_fd(x->relay_fd, buf, (size_t)k);
        else if (!x->started && x->n_tail + (size_t)k > TAIL_MAX && x->relay_fd >= 0) {
                /* More than a runtime says before a start: the process's, surely. */
                x->started = true;
                (void)fs_write_all_fd(x->relay_fd, x->tail, x->n_tail);
                (void)fs_write_all_fd(x->relay_fd, buf, (size_t)k);
        }
        tail_add(x, buf, (size_t)k);
        return k;
}

/* The runtime's last line: why the command could not be run. *ret_code: 127 when it was not
 * found, else 126, as Docker. */
static const char *start_failure(EngineExec *x, int *ret_code)
{
        char *line;

        while (x->n_tail > 0 && strchr("\r\n \t", x->tail[x->n_tail - 1]))
                x->tail[--x->n_tail] = 0;
        line = strrchr(x->tail, '\n');
        line = line ? line + 1 : x->tail;
        /* "berth-runtime: exec: ...": the message says which runtime already */
        const char *own = x->runtime ? startswith(line, x->runtime) : NULL;
        if (own && startswith(own, ": "))
                line += strlen(x->runtime) + 2;
        /* runc logs as logrus: time="..." level=error msg="..." */
        char *msg = strstr(line, " msg=\"");
        if (msg && x->n_tail > 0 && x->tail[x->n_tail - 1] == '"') {
                x->tail[--x->n_tail] = 0;
                line = msg + strlen(" msg=\"");
                char *w = line;
                for (char *r = line; *r; r++) {
                        if (*r == '\\' && r[1])
                                r++;
                        *w++ = *r;
                }
                *w = 0;
        }
        *ret_code = strcasestr(line, "not found") || strcasestr(line, "no such file") ? 127 : 126;
        return *line ? line : "the runtime failed";
}

/* The process the runtime left (with a pty): ours to reap as the subreaper. */
static int process_wait(EngineExec *x, int *ret_code, BerthError **err)
{
        if (x->process_pid <= 0)
                return berth_error_plain(err, EINVAL, "exec `%s` in `%s`: the runtime's pid file "
                                         "holds no pid", x->cmd, x->name);
        *ret_code = process_wait_exit_status(x->process_pid);
        return 0;
}

int engine_exec_wait(EngineExec *x, int *ret_code, BerthError **err)
{
        int status;

        *ret_code = 1;
        if (x->pid <= 0)
                return berth_error_plain(err, EINVAL, "exec: not started");
        (void)fcntl(x->err_fd, F_SETFL, O_NONBLOCK);
        for (;;) {
                struct pollfd p = { .fd = x->err_fd, .events = POLLIN };
                if (poll(&p, 1, POLL_MS) > 0 && stderr_pump(x) == 0)
                        break;
                check_started(x);
                /* A process it left behind may hold the pipe: the runtime's end is the end. */
                if (runtime_exited(x)) {
                        while (stderr_pump(x) > 0)
                                ;
                        break;
                }
        }
        status = process_wait_exit_status(x->pid);
        x->pid = 0;
        check_started(x);
        if (!x->started || ((x->detach || x->tty) && status != 0)) {
                const char *why = start_failure(x, ret_code);
                return berth_error_plain(err, *ret_code == 127 ? ENOENT : EIO,
                                         "exec `%s` in `%s`: %s", x->cmd, x->name, why);
        }
        if (x->tty)
                return process_wait(x, ret_code, err);
        *ret_code = status;
        return 0;
}

int engine_exec_start(Engine *e, EngineContainer *c, const EngineExecOptions *o, EngineExec **ret,
                      int *ret_code, BerthError **err)
{
        _cleanup_engine_exec_ EngineExec *x = NULL;
        _cleanup_free_ char *process = NULL, *tmpl = NULL;
        _cleanup_close_ int listen_fd = -1;
        int dfd;
        int r;

        *ret_code = 1;
        if (!o->argv || !o->argv[0] || !*o->argv[0])
                return berth_error_plain(err, EINVAL, "exec: no command");
        if (o->tty && o->detach)
                return berth_error_plain(err, EINVAL, "exec: a detached process gets no pty");
        if (o->workdir && o->workdir[0] != '/')
                return berth_error_plain(err, EINVAL, "exec: the working directory `%s` is not "
                                         "absolute", o->workdir);
        STRV_FOREACH(kv, o->env)
                if (!strchr(*kv, '=') || **kv == '=')
                        return berth_error_plain(err, EINVAL, "exec: `%s` is no KEY=VALUE", *kv);
        if (c->state == ENGINE_STATE_PAUSED)
                return berth_error_plain(err, EBUSY, "container `%s` is paused: unpause it first",
                                         c->name);
        if (c->state == ENGINE_STATE_RESTARTING)
                return berth_error_plain(err, EBUSY, "container `%s` is restarting: wait until "
                                         "it runs", c->name);
        if (c->state != ENGINE_STATE_RUNNING)
                return berth_error_plain(err, EINVAL, "container `%s` is not running", c->name);
        r = process_build(e, c, o, &process, err);
        if (r < 0)
                return berth_error_prefix(err, "exec in `%s`", c->name);

        x = calloc(1, sizeof(*x));
        if (!x)
                return berth_error(err, ENOMEM, "exec");
        *x = (EngineExec){ .err_fd = -1, .console = -1, .relay_fd = -1, .dir_fd = -1,
                           .detach = o->detach };
        if (!(x->name = strdup(c->name)) || !(x->cmd = strdup(o->argv[0])) ||
            asprintf(&tmpl, "%s/exec-XXXXXX", e->run_dir) < 0)
                return berth_error(err, ENOMEM, "exec");
        r = fs_mkdir_p(e->run_dir, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", e->run_dir);
        if (!mkdtemp(tmpl))
                return berth_error(err, errno, "create `%s`", tmpl);
        x->dir = TAKE_PTR(tmpl);
        x->tty = o->tty;
        if (o->tty && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return berth_error(err, errno, "exec: become a subreaper");
        dfd = x->dir_fd = open(x->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", x->dir);
        r = fs_write_file_new_at(dfd, "process.json", process, strlen(process), 0600);
        if (r < 0)
                return berth_error(err, r, "write `%s/process.json`", x->dir);
        if (o->tty) {
                listen_fd = socket_listen_unix_at(SOCK_STREAM | SOCK_CLOEXEC, dfd, CONSOLE_SOCKET,
                                                  1);
                if (listen_fd < 0)
                        return berth_error(err, -listen_fd, "listen on `%s/" CONSOLE_SOCKET "`",
                                           x->dir);
        }
        if (!o->detach)
                x->relay_fd = o->stdio[2];
        r = runtime_spawn(e, c, x, o, err);
        if (r < 0)
                return r;
        if (o->tty) {
                r = console_receive(x, listen_fd, err);
                if (r < 0)
                        return r;
                if (x->console < 0) {
                        /* It ended before it sent one: its own words say why. */
                        r = engine_exec_wait(x, ret_code, err);
                        if (r >= 0)
                                r = berth_error_plain(err, EIO, "exec `%s` in `%s`: no pty came "
                                                      "from the runtime", x->cmd, x->name);
                        return r;
                }
        }
        if (o->detach) {
                r = engine_exec_wait(x, ret_code, err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(x);
        *ret_code = 0;
        return 0;
}

int engine_container_exec(Engine *e, EngineContainer *c, const EngineExecOptions *o,
                          int *ret_code, BerthError **err)
{
        _cleanup_engine_exec_ EngineExec *x = NULL;
        int r;

        if (o->tty)
                return berth_error_plain(err, EINVAL, "exec: a pty needs engine_exec_start()");
        r = engine_exec_start(e, c, o, &x, ret_code, err);
        if (r < 0 || o->detach)
                return r;
        return engine_exec_wait(x, ret_code, err);
}
