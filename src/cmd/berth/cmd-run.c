/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth run and berth create: Docker's flags into the engine's create request, then (run)
 * start, attach or print the id, wait, and remove with --rm. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/signal-util.h"
#include "basic/string-util.h"
#include "cmd/berth/attach.h"
#include "cmd/berth/berth.h"
#include "cmd/berth/env-flags.h"
#include "cmd/berth/net-flags.h"
#include "engine/engine.h"
#include "engine/units.h"

enum {
        OPT_RM = 0x100, OPT_NAME, OPT_ENV_FILE, OPT_MOUNT, OPT_TMPFS, OPT_GROUP_ADD,
        OPT_ENTRYPOINT, OPT_READ_ONLY, OPT_INIT, OPT_STOP_SIGNAL, OPT_STOP_TIMEOUT, OPT_RESTART,
        OPT_MEMORY_SWAP, OPT_CPUS, OPT_CPUSET_CPUS, OPT_PIDS_LIMIT, OPT_ULIMIT, OPT_CAP_ADD,
        OPT_CAP_DROP, OPT_PRIVILEGED, OPT_DEVICE, OPT_SECURITY_OPT, OPT_SYSCTL, OPT_SHM_SIZE,
        OPT_HEALTH_CMD, OPT_HEALTH_INTERVAL, OPT_HEALTH_RETRIES, OPT_HEALTH_TIMEOUT,
        OPT_HEALTH_START_PERIOD, OPT_NO_HEALTHCHECK, OPT_LOG_OPT, OPT_RUNTIME,
        OPT_PULL, OPT_DETACH_KEYS, OPT_SIG_PROXY, OPT_HELP,
};

static const struct option run_options[] = {
        { "detach", no_argument, NULL, 'd' },
        { "interactive", no_argument, NULL, 'i' },
        { "tty", no_argument, NULL, 't' },
        { "rm", no_argument, NULL, OPT_RM },
        { "name", required_argument, NULL, OPT_NAME },
        { "env", required_argument, NULL, 'e' },
        { "env-file", required_argument, NULL, OPT_ENV_FILE },
        { "label", required_argument, NULL, 'l' },
        { "volume", required_argument, NULL, 'v' },
        { "mount", required_argument, NULL, OPT_MOUNT },
        { "tmpfs", required_argument, NULL, OPT_TMPFS },
        { "workdir", required_argument, NULL, 'w' },
        { "user", required_argument, NULL, 'u' },
        { "group-add", required_argument, NULL, OPT_GROUP_ADD },
        { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
        { "hostname", required_argument, NULL, 'h' },
        { "read-only", no_argument, NULL, OPT_READ_ONLY },
        { "init", no_argument, NULL, OPT_INIT },
        { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
        { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
        { "restart", required_argument, NULL, OPT_RESTART },
        { "memory", required_argument, NULL, 'm' },
        { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
        { "cpus", required_argument, NULL, OPT_CPUS },
        { "cpu-shares", required_argument, NULL, 'c' },
        { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
        { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
        { "ulimit", required_argument, NULL, OPT_ULIMIT },
        { "cap-add", required_argument, NULL, OPT_CAP_ADD },
        { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
        { "privileged", no_argument, NULL, OPT_PRIVILEGED },
        { "device", required_argument, NULL, OPT_DEVICE },
        { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
        { "sysctl", required_argument, NULL, OPT_SYSCTL },
        { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
        { "health-cmd", required_argument, NULL, OPT_HEALTH_CMD },
        { "health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL },
        { "health-retries", required_argument, NULL, OPT_HEALTH_RETRIES },
        { "health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT },
        { "health-start-period", required_argument, NULL, OPT_HEALTH_START_PERIOD },
        { "no-healthcheck", no_argument, NULL, OPT_NO_HEALTHCHECK },
        { "log-opt", required_argument, NULL, OPT_LOG_OPT },
        NET_FLAGS_OPTIONS,
        { "runtime", required_argument, NULL, OPT_RUNTIME },
        { "pull", required_argument, NULL, OPT_PULL },
        { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
        { "sig-proxy", required_argument, NULL, OPT_SIG_PROXY },
        { "help", no_argument, NULL, OPT_HELP },
        {},
};

typedef struct RunFlags {
        EngineCreateOptions c;
        bool detach, sig_proxy;
        const char *pull;
        char **env, **labels, **mounts, **cap_add, **cap_drop, **sysctls, **group_add;
        char **entrypoint, **health_cmd;
        EngineUlimit *ulimits;
        size_t n_ulimits;
        EngineDevice *devices;
        size_t n_devices;
        bool no_healthcheck;
        char detach_keys[16];
        size_t n_detach_keys;
        NetFlags net;
} RunFlags;

static void run_flags_done(RunFlags *f)
{
        strv_free(f->env);
        strv_free(f->labels);
        strv_free(f->mounts);
        strv_free(f->cap_add);
        strv_free(f->cap_drop);
        strv_free(f->sysctls);
        strv_free(f->group_add);
        strv_free(f->entrypoint);
        strv_free(f->health_cmd);
        free(f->ulimits);
        for (size_t i = 0; i < f->n_devices; i++)
                engine_device_done(&f->devices[i]);
        free(f->devices);
        net_flags_done(&f->net);
}

/* --ulimit nofile=1024[:2048] */
static int ulimit_add(RunFlags *f, const char *s, BerthError **err)
{
        static const char *const names[] = {
                "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
                "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as",
        };
        const char *eq = strchr(s, '=');
        char name[32];
        unsigned long long soft, hard;
        char *end;
        size_t i;

        if (!eq || (size_t)(eq - s) >= sizeof(name))
                return berth_error_plain(err, EINVAL, "--ulimit `%s`: NAME=SOFT[:HARD] expected", s);
        memcpy(name, s, (size_t)(eq - s));
        name[eq - s] = 0;
        for (i = 0; i < ELEMENTSOF(names) && !streq(names[i], name); i++)
                ;
        if (i == ELEMENTSOF(names))
                return berth_error_plain(err, EINVAL, "--ulimit: unknown limit `%s`", name);
        errno = 0;
        soft = strtoull(eq + 1, &end, 10);
        hard = soft;
        if (*end == ':')
                hard = strtoull(end + 1, &end, 10);
        if (errno || *end || end == eq + 1 || soft > hard)
                return berth_error_plain(err, EINVAL, "--ulimit `%s`: SOFT[:HARD] with SOFT at "
                                         "most HARD expected", s);
        EngineUlimit *n = realloc(f->ulimits, (f->n_ulimits + 1) * sizeof(*n));
        if (!n)
                return berth_error(err, ENOMEM, "--ulimit");
        f->ulimits = n;
        n[f->n_ulimits++] = (EngineUlimit){ .name = names[i], .soft = soft, .hard = hard };
        return 0;
}

/* --device HOST[:CONTAINER[:PERMS]] */
static int device_add(RunFlags *f, const char *s, BerthError **err)
{
        EngineDevice d = {};
        int r = engine_device_parse(s, &d, err);

        if (r < 0)
                return r;
        EngineDevice *n = realloc(f->devices, (f->n_devices + 1) * sizeof(*n));
        if (!n) {
                engine_device_done(&d);
                return berth_error(err, ENOMEM, "--device");
        }
        f->devices = n;
        n[f->n_devices++] = d;
        return 0;
}

static int security_opt(RunFlags *f, const char *s, BerthError **err)
{
        const char *v;

        if ((v = startswith(s, "seccomp=")) || (v = startswith(s, "seccomp:"))) {
                f->c.seccomp_profile = v;
                return 0;
        }
        if (streq(s, "no-new-privileges") || streq(s, "no-new-privileges=true") ||
            streq(s, "no-new-privileges:true")) {
                f->c.spec.no_new_privileges = true;
                return 0;
        }
        if (streq(s, "no-new-privileges=false") || streq(s, "no-new-privileges:false"))
                return 0;
        if (startswith(s, "label=") || startswith(s, "label:") || startswith(s, "apparmor="))
                return 0; /* no SELinux or AppArmor here: as docker on a host without them */
        return berth_error_plain(err, EINVAL, "--security-opt: unknown option `%s`", s);
}

static int duration_ns(const char *s, const char *what, int64_t *ret, BerthError **err)
{
        int r = units_parse_duration(s, what, ret, err);
        if (r >= 0 && *ret < 0)
                return berth_error_plain(err, EINVAL, "%s: `%s` is negative", what, s);
        return r;
}

static int log_opt(RunFlags *f, const char *s, BerthError **err)
{
        const char *v;
        int64_t n;
        int k;

        if ((v = startswith(s, "max-size="))) {
                if (units_parse_ram(v, "--log-opt max-size", &n, err) < 0)
                        return -EINVAL;
                f->c.run.log_max_size = n;
                return 0;
        }
        if ((v = startswith(s, "max-file="))) {
                if (string_safe_atoi(v, &k) < 0 || k < 1)
                        return berth_error_plain(err, EINVAL, "--log-opt max-file: `%s` is no "
                                                 "count of at least 1", v);
                f->c.run.log_max_files = (unsigned)k;
                return 0;
        }
        return berth_error_plain(err, EINVAL, "--log-opt: unknown option `%s` (max-size, "
                                 "max-file)", s);
}

static int push_mount(RunFlags *f, char kind, const char *s)
{
        _cleanup_free_ char *m = NULL;
        if (asprintf(&m, "%c:%s", kind, s) < 0)
                return -ENOMEM;
        return strv_push(&f->mounts, TAKE_PTR(m));
}

/* One flag; -ENOMEM and the like as errors, -EINVAL after setting err. */
static int run_flag(RunFlags *f, int c, const char *arg, BerthError **err)
{
        EngineSpecOptions *s = &f->c.spec;
        EngineRunOptions *run = &f->c.run;
        int64_t n;
        int k, r = 0;

        if (net_flags_owns(c))
                return net_flags_take(&f->net, c, arg, err);
        switch (c) {
        case 'd': f->detach = true; break;
        case 'i': run->open_stdin = true; break;
        case 't': run->tty = s->terminal = true; break;
        case OPT_RM: run->auto_remove = true; break;
        case OPT_NAME: f->c.name = arg; break;
        case 'e': r = env_flags_add(&f->env, arg); break;
        case OPT_ENV_FILE: return env_flags_add_file(&f->env, arg, err);
        case 'l': r = strv_extend(&f->labels, arg); break;
        case 'v': r = push_mount(f, 'v', arg); break;
        case OPT_MOUNT: r = push_mount(f, 'm', arg); break;
        case OPT_TMPFS: r = push_mount(f, 't', arg); break;
        case 'w': s->workdir = arg; break;
        case 'u': f->c.user = arg; break;
        case OPT_GROUP_ADD: r = strv_extend(&f->group_add, arg); break;
        case OPT_ENTRYPOINT:
                strv_free(f->entrypoint);
                f->entrypoint = calloc(2, sizeof(char *));
                if (!f->entrypoint)
                        return -ENOMEM;
                if (*arg && !(f->entrypoint[0] = strdup(arg)))
                        return -ENOMEM;
                s->has_entrypoint = true;
                break;
        case 'h': s->hostname = arg; break;
        case OPT_READ_ONLY: s->read_only = true; break;
        case OPT_INIT: f->c.init = true; break;
        case OPT_STOP_SIGNAL:
                if (signal_from_string(arg) <= 0)
                        return berth_error_plain(err, EINVAL, "--stop-signal: unknown signal `%s`",
                                                 arg);
                run->stop_signal = (char *)arg;
                break;
        case OPT_STOP_TIMEOUT:
                if (string_safe_atoi(arg, &k) < 0 || k < -1)
                        return berth_error_plain(err, EINVAL, "--stop-timeout: `%s` is no number "
                                                 "of seconds", arg);
                run->stop_timeout = k;
                break;
        case OPT_RESTART: return restart_policy_parse(arg, &run->restart, err);
        case 'm': return units_parse_ram(arg, "--memory", &s->memory, err);
        case OPT_MEMORY_SWAP:
                if (streq(arg, "-1")) {
                        s->memory_swap = -1;
                        return 0;
                }
                return units_parse_ram(arg, "--memory-swap", &s->memory_swap, err);
        case OPT_CPUS: return units_parse_cpus(arg, "--cpus", &s->nano_cpus, err);
        case 'c':
                if (string_safe_atoi64(arg, &n) < 0 || n < 0)
                        return berth_error_plain(err, EINVAL, "--cpu-shares: `%s` is no number",
                                                 arg);
                s->cpu_shares = n;
                break;
        case OPT_CPUSET_CPUS: s->cpuset_cpus = arg; break;
        case OPT_PIDS_LIMIT:
                if (string_safe_atoi64(arg, &n) < 0)
                        return berth_error_plain(err, EINVAL, "--pids-limit: `%s` is no number",
                                                 arg);
                s->pids_limit = n;
                break;
        case OPT_ULIMIT: return ulimit_add(f, arg, err);
        case OPT_CAP_ADD: r = strv_extend(&f->cap_add, arg); break;
        case OPT_CAP_DROP: r = strv_extend(&f->cap_drop, arg); break;
        case OPT_PRIVILEGED: s->privileged = true; break;
        case OPT_DEVICE: return device_add(f, arg, err);
        case OPT_SECURITY_OPT: return security_opt(f, arg, err);
        case OPT_SYSCTL: r = strv_extend(&f->sysctls, arg); break;
        case OPT_SHM_SIZE: return units_parse_ram(arg, "--shm-size", &s->shm_size, err);
        case OPT_HEALTH_CMD:
                /* Docker's CMD-SHELL form. */
                strv_free(f->health_cmd);
                f->health_cmd = NULL;
                if (strv_extend(&f->health_cmd, "/bin/sh") < 0 ||
                    strv_extend(&f->health_cmd, "-c") < 0 || strv_extend(&f->health_cmd, arg) < 0)
                        return -ENOMEM;
                break;
        case OPT_HEALTH_INTERVAL:
                return duration_ns(arg, "--health-interval", &run->health_interval, err);
        case OPT_HEALTH_TIMEOUT:
                return duration_ns(arg, "--health-timeout", &run->health_timeout, err);
        case OPT_HEALTH_START_PERIOD:
                return duration_ns(arg, "--health-start-period", &run->health_start_period, err);
        case OPT_HEALTH_RETRIES:
                if (string_safe_atoi(arg, &k) < 0 || k < 0)
                        return berth_error_plain(err, EINVAL, "--health-retries: `%s` is no "
                                                 "count", arg);
                run->health_retries = (unsigned)k;
                break;
        case OPT_NO_HEALTHCHECK: f->no_healthcheck = true; break;
        case OPT_LOG_OPT: return log_opt(f, arg, err);
        case OPT_RUNTIME: run->runtime = (char *)arg; break;
        case OPT_PULL:
                if (!streq(arg, "missing") && !streq(arg, "always") && !streq(arg, "never"))
                        return berth_error_plain(err, EINVAL, "--pull: `%s` is not missing, "
                                                 "always or never", arg);
                f->pull = arg;
                break;
        case OPT_DETACH_KEYS:
                if (attach_parse_detach_keys(arg, f->detach_keys, &f->n_detach_keys) < 0)
                        return berth_error_plain(err, EINVAL, "--detach-keys: `%s` is no key "
                                                 "sequence", arg);
                break;
        case OPT_SIG_PROXY:
                f->sig_proxy = !streq(arg, "false");
                break;
        default:
                return berth_error_plain(err, EINVAL, "unknown option (see --help)");
        }
        return r < 0 ? berth_error(err, -r, "options") : 0;
}

/* The flags, the image and its arguments. */
static int run_parse(int argc, char **argv, RunFlags *f, BerthError **err)
{
        int c, r;

        f->c.run.stop_timeout = -1;
        f->pull = "missing";
        f->sig_proxy = true;
        (void)attach_parse_detach_keys("ctrl-p,ctrl-q", f->detach_keys, &f->n_detach_keys);
        optind = 0;
        while ((c = getopt_long(argc, argv, "+dite:l:v:w:u:h:m:c:p:P", run_options, NULL)) >= 0) {
                if (c == '?')
                        return berth_error_plain(err, EINVAL, "unknown option (see --help)");
                r = run_flag(f, c, optarg, err);
                if (r < 0)
                        return err && *err ? r : berth_error(err, -r, "options");
        }
        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "an image is needed: %s [OPTIONS] IMAGE "
                                         "[COMMAND] [ARG...]", argv[0]);
        if (f->detach && f->c.run.auto_remove && f->c.run.restart.kind != RESTART_NO)
                return berth_error_plain(err, EINVAL, "--restart and --rm do not go together");
        if (f->c.run.auto_remove && f->c.run.restart.kind != RESTART_NO)
                return berth_error_plain(err, EINVAL, "--restart and --rm do not go together");
        r = net_flags_finish(&f->net, err);
        if (r < 0)
                return r;
        if (f->net.host)
                f->c.spec.netns = "host";
        f->c.net = &f->net.o;
        f->c.image = argv[optind];
        if (optind + 1 < argc) {
                f->c.spec.cmd = argv + optind + 1;
                f->c.cmd_argv = argv + optind + 1;
        }
        EngineSpecOptions *s = &f->c.spec;
        s->env = f->env;
        s->cap_add = f->cap_add;
        s->cap_drop = f->cap_drop;
        s->sysctls = f->sysctls;
        s->ulimits = f->ulimits;
        s->n_ulimits = f->n_ulimits;
        s->devices = f->devices;
        s->n_devices = f->n_devices;
        s->entrypoint = f->entrypoint;
        f->c.entrypoint_argv = f->entrypoint;
        f->c.labels = f->labels;
        f->c.mounts = f->mounts;
        f->c.group_add = f->group_add;
        if (!f->no_healthcheck)
                f->c.run.health_cmd = f->health_cmd;
        return 0;
}

/* --pull: the image fetched before the create when it is missing (or always). */
static int run_pull(BerthContext *ctx, Engine *e, const RunFlags *f, BerthError **err)
{
        bool present;

        if (streq(f->pull, "never"))
                return 0;
        present = engine_image_present(e, f->c.image);
        if (present && streq(f->pull, "missing"))
                return 0;
        return berth_pull_for_run(ctx, f->c.image, !present, err);
}

/* The exit status docker gives when the process could not start: 127 not found, 126 not
 * executable, else 125. */
static int start_failure_code(const BerthError *err)
{
        const char *m = err ? err->msg : "";
        if (strcasestr(m, "no such file") || strcasestr(m, "not found"))
                return 127;
        if (strcasestr(m, "permission denied") || strcasestr(m, "exec format"))
                return 126;
        return 125;
}

typedef struct Proxy {
        Engine *e;
        EngineContainer *c;
} Proxy;

static void proxy_signal(int sig, void *userdata)
{
        Proxy *p = userdata;
        (void)engine_container_kill(p->e, p->c, sig, NULL);
}

/* Attached: relay until the end, then the exit code (and the removal with --rm). */
static int run_attached(Engine *e, EngineContainer *c, const RunFlags *f, int attach_fd,
                        BerthError **err)
{
        Proxy proxy = { e, c };
        AttachOptions ao = {
                .stdin = f->c.run.open_stdin,
                .tty = f->c.run.tty,
                .sig_proxy = f->sig_proxy && !f->c.run.tty,
                .n_detach_keys = f->n_detach_keys,
                .on_signal = proxy_signal,
                .userdata = &proxy,
        };
        bool detached = false;
        int code = 0;

        memcpy(ao.detach_keys, f->detach_keys, sizeof(ao.detach_keys));
        if (attach_fd >= 0) {
                (void)attach_run(attach_fd, &ao, &detached);
                safe_close(attach_fd);
        }
        if (detached) {
                fprintf(stderr, "\nberth: detached from %s\n", c->name);
                return 0;
        }
        (void)engine_container_wait(e, c, &code, err);
        if (f->c.run.auto_remove) {
                _cleanup_error_ BerthError *rm_err = NULL;
                if (engine_container_remove(e, c, true, true, &rm_err) < 0)
                        fprintf(stderr, "berth: %s\n", rm_err->msg);
        }
        return code;
}

static int create_or_run(BerthContext *ctx, int argc, char **argv, bool run, BerthError **err)
{
        _cleanup_(run_flags_done) RunFlags f = {};
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_free_ char *id = NULL;
        _cleanup_close_ int hold = -1;
        int attach_fd = -1, r;

        r = run_parse(argc, argv, &f, err);
        if (r < 0)
                return berth_exit(ctx, 125, r);
        r = berth_engine_open(ctx, &e, err);
        if (r >= 0)
                r = run_pull(ctx, e, &f, err);
        if (r >= 0)
                r = engine_container_create(e, &f.c, &id, err);
        if (r < 0)
                return berth_exit(ctx, 125, r);
        if (!run) {
                printf("%s\n", id);
                return 0;
        }
        r = engine_container_lookup(e, id, &c, err);
        if (r < 0)
                return berth_exit(ctx, 125, r);
        /* --rm in the foreground: held until the exit code is read (engine_container_hold()) */
        if (!f.detach && f.c.run.auto_remove) {
                r = engine_container_hold(e, c, &hold, err);
                if (r < 0)
                        return berth_exit(ctx, 125, r);
        }
        const EngineStartOptions so = { .attach = !f.detach };
        r = engine_container_start(e, c, &so, f.detach ? NULL : &attach_fd, err);
        if (r < 0) {
                int code = start_failure_code(*err);
                if (f.c.run.auto_remove)
                        (void)engine_container_remove(e, c, true, true, NULL);
                return berth_exit(ctx, code, r);
        }
        if (f.detach) {
                printf("%s\n", id);
                return 0;
        }
        r = run_attached(e, c, &f, attach_fd, err);
        return r < 0 ? berth_exit(ctx, 125, r) : berth_exit(ctx, r, 0);
}

/* --help before the image (after it, it is the command's). */
bool cmd_run_wants_help(int argc, char **argv)
{
        int c, saved = opterr;
        bool help = false;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+dite:l:v:w:u:h:m:c:p:P", run_options, NULL)) >= 0)
                if (c == OPT_HELP)
                        help = true;
        opterr = saved;
        optind = 0;
        return help;
}

int cmd_run(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        return create_or_run(ctx, argc, argv, true, err);
}

int cmd_create(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        return create_or_run(ctx, argc, argv, false, err);
}
