/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json from image and flags with Docker's defaults: see engine-spec.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-spec.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_SHM_SIZE (64LL << 20)
#define CPU_PERIOD_USEC 100000

const char *const engine_spec_default_caps[] = {
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
        "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE", NULL,
};

/* Every capability the kernel headers of this build know, for --privileged and --cap-add ALL. */
static const char *const all_caps[] = {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
        "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
        "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
        "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
        "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
        "PERFMON", "BPF", "CHECKPOINT_RESTORE", NULL,
};

static const char *const masked_paths[] = {
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware", "/sys/devices/virtual/powercap", NULL,
};

static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* The devices a container may use besides mknod: null, random, full, tty, zero, urandom,
 * console, the ptys, ptmx, tun (Docker's list). */
static const struct {
        char type;
        int64_t major, minor; /* -1: any */
        const char *access;
} device_rules[] = {
        { 'c', -1, -1, "m" }, { 'b', -1, -1, "m" },  { 'c', 1, 3, "rwm" },  { 'c', 1, 8, "rwm" },
        { 'c', 1, 7, "rwm" }, { 'c', 5, 0, "rwm" },  { 'c', 1, 5, "rwm" },  { 'c', 1, 9, "rwm" },
        { 'c', 5, 1, "rwm" }, { 'c', 136, -1, "rwm" }, { 'c', 5, 2, "rwm" }, { 'c', 10, 200, "rwm" },
};

static const struct {
        const char *name;
        const char *type;
} rlimit_names[] = {
        { "core", "RLIMIT_CORE" },         { "cpu", "RLIMIT_CPU" },
        { "data", "RLIMIT_DATA" },         { "fsize", "RLIMIT_FSIZE" },
        { "locks", "RLIMIT_LOCKS" },       { "memlock", "RLIMIT_MEMLOCK" },
        { "msgqueue", "RLIMIT_MSGQUEUE" }, { "nice", "RLIMIT_NICE" },
        { "nofile", "RLIMIT_NOFILE" },     { "nproc", "RLIMIT_NPROC" },
        { "rss", "RLIMIT_RSS" },           { "rtprio", "RLIMIT_RTPRIO" },
        { "rttime", "RLIMIT_RTTIME" },     { "sigpending", "RLIMIT_SIGPENDING" },
        { "stack", "RLIMIT_STACK" },
};

/*
 * json-c returns NULL only on OOM and asserts on a NULL container: the builders skip NULLs and
 * note the failure, so the document is built in straight lines and checked once.
 */
typedef struct Builder {
        bool failed;
} Builder;

static struct json_object *add(Builder *b, struct json_object *o, const char *key,
                               struct json_object *v)
{
        if (!o || !v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                b->failed = true;
                return NULL;
        }
        return v;
}

static void push(Builder *b, struct json_object *a, struct json_object *v)
{
        if (!a || !v || json_object_array_add(a, v) < 0) {
                json_object_put(v);
                b->failed = true;
        }
}

static struct json_object *strv_json(Builder *b, const char *const *l)
{
        struct json_object *a = json_object_new_array();

        for (; l && *l; l++)
                push(b, a, json_object_new_string(*l));
        return a;
}

static struct json_object *mount_json(Builder *b, const char *dst, const char *type,
                                      const char *src, const char *const *options)
{
        struct json_object *m = json_object_new_object();

        add(b, m, "destination", json_object_new_string(dst));
        add(b, m, "type", json_object_new_string(type));
        add(b, m, "source", json_object_new_string(src));
        add(b, m, "options", strv_json(b, options));
        return m;
}

static bool cgroup2_unified(void)
{
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* "NET_ADMIN" or "CAP_NET_ADMIN" (any case) as the name in all_caps, NULL when unknown. */
static const char *cap_name(const char *s)
{
        if (strncasecmp(s, "CAP_", 4) == 0)
                s += 4;
        for (size_t i = 0; all_caps[i]; i++)
                if (strcasecmp(s, all_caps[i]) == 0)
                        return all_caps[i];
        return NULL;
}

/* Docker's capability arithmetic: the default set (or all, privileged), minus --cap-drop,
 * plus --cap-add; ALL on either side. */
/* The capabilities this process may hand on (CapBnd of /proc/self/status): "all" is all of
 * these, as Docker's daemon gives a privileged container what it has itself. */
static uint64_t bounding_set(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned long long v;

        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "CapBnd: %llx", &v) == 1)
                        return v;
        return UINT64_MAX;
}

static int capabilities(const EngineSpecOptions *o, bool set[static 64], BerthError **err)
{
        uint64_t bnd = bounding_set();
        bool drop_all = false, add_all = o->privileged;

        for (char **c = o->cap_drop; c && *c; c++)
                if (strcasecmp(*c, "ALL") == 0)
                        drop_all = true;
                else if (!cap_name(*c))
                        return berth_error_plain(err, EINVAL, "--cap-drop: unknown capability "
                                                 "`%s`", *c);
        for (char **c = o->cap_add; c && *c; c++)
                if (strcasecmp(*c, "ALL") == 0)
                        add_all = true;
                else if (!cap_name(*c))
                        return berth_error_plain(err, EINVAL, "--cap-add: unknown capability "
                                                 "`%s`", *c);
        for (size_t i = 0; all_caps[i]; i++) {
                bool on = false;
                if (!drop_all)
                        for (size_t k = 0; engine_spec_default_caps[k]; k++)
                                if (streq(all_caps[i], engine_spec_default_caps[k]))
                                        on = true;
                for (char **c = o->cap_drop; c && *c; c++)
                        if (cap_name(*c) == all_caps[i])
                                on = false;
                for (char **c = o->cap_add; c && *c; c++)
                        if (cap_name(*c) == all_caps[i])
                                on = true;
                set[i] = on || (add_all && (bnd >> i & 1));
        }
        return 0;
}

static struct json_object *caps_json(Builder *b, const bool set[static 64])
{
        struct json_object *a = json_object_new_array();
        char name[64];

        for (size_t i = 0; all_caps[i]; i++)
                if (set[i]) {
                        snprintf(name, sizeof(name), "CAP_%s", all_caps[i]);
                        push(b, a, json_object_new_string(name));
                }
        return a;
}

static bool env_has(char *const *env, const char *key)
{
        size_t len = strlen(key);

        for (; env && *env; env++)
                if (strncmp(*env, key, len) == 0 && (*env)[len] == '=')
                        return true;
        return false;
}

/* Image env, then the flags' (a later KEY replaces an earlier one), then Docker's additions. */
static int environment(const EngineSpecOptions *o, char ***ret)
{
        _cleanup_strv_free_ char **env = NULL;
        char *const *lists[2] = { o->image ? o->image->env : NULL, o->env };
        char buf[512];

        if (!isempty(o->hostname)) {
                snprintf(buf, sizeof(buf), "HOSTNAME=%s", o->hostname);
                if (strv_extend(&env, buf) < 0)
                        return -ENOMEM;
        }
        for (size_t l = 0; l < 2; l++)
                for (char *const *e = lists[l]; e && *e; e++) {
                        size_t klen = strcspn(*e, "=");
                        bool replaced = false;
                        for (char **x = env; x && *x; x++)
                                if (strncmp(*x, *e, klen) == 0 && (*x)[klen] == (*e)[klen]) {
                                        char *copy = strdup(*e);
                                        if (!copy)
                                                return -ENOMEM;
                                        free(*x);
                                        *x = copy;
                                        replaced = true;
                                        break;
                                }
                        if (!replaced && strv_extend(&env, *e) < 0)
                                return -ENOMEM;
                }
        if (!env_has(env, "PATH") && strv_extend(&env, DEFAULT_PATH) < 0)
                return -ENOMEM;
        if (o->terminal && !env_has(env, "TERM") && strv_extend(&env, "TERM=xterm") < 0)
                return -ENOMEM;
        if (o->user && !isempty(o->user->home) && !env_has(env, "HOME")) {
                snprintf(buf, sizeof(buf), "HOME=%s", o->user->home);
                if (strv_extend(&env, buf) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(env);
        return 0;
}

/* Entrypoint and command as docker joins them: --entrypoint replaces the image's and drops its
 * Cmd; arguments replace the Cmd. */
static int arguments(const EngineSpecOptions *o, char ***ret, BerthError **err)
{
        _cleanup_strv_free_ char **args = NULL;
        char *const *entry = o->has_entrypoint ? o->entrypoint : o->image ? o->image->entrypoint
                                                                         : NULL;
        char *const *cmd = o->cmd ? o->cmd
                                  : !o->has_entrypoint && o->image ? o->image->cmd : NULL;

        for (char *const *a = entry; a && *a; a++)
                if (strv_extend(&args, *a) < 0)
                        return berth_error(err, ENOMEM, "arguments");
        for (char *const *a = cmd; a && *a; a++)
                if (strv_extend(&args, *a) < 0)
                        return berth_error(err, ENOMEM, "arguments");
        if (!args)
                return berth_error_plain(err, EINVAL, "no command: the image has no Entrypoint "
                                         "or Cmd, and none was given");
        *ret = TAKE_PTR(args);
        return 0;
}

static struct json_object *process_json(Builder *b, const EngineSpecOptions *o, char **args,
                                        char **env, const bool caps[static 64], BerthError **err)
{
        struct json_object *p = json_object_new_object(), *user, *c;
        const char *cwd = !isempty(o->workdir) ? o->workdir
                        : o->image && !isempty(o->image->working_dir) ? o->image->working_dir
                                                                      : "/";

        add(b, p, "terminal", json_object_new_boolean(o->terminal));
        user = add(b, p, "user", json_object_new_object());
        add(b, user, "uid", json_object_new_int64(o->user ? o->user->uid : 0));
        add(b, user, "gid", json_object_new_int64(o->user ? o->user->gid : 0));
        if (o->user && o->user->n_additional_gids > 0) {
                struct json_object *g = add(b, user, "additionalGids", json_object_new_array());
                for (size_t i = 0; i < o->user->n_additional_gids; i++)
                        push(b, g, json_object_new_int64(o->user->additional_gids[i]));
        }
        add(b, p, "args", strv_json(b, (const char *const *)args));
        add(b, p, "env", strv_json(b, (const char *const *)env));
        if (cwd[0] != '/') {
                json_object_put(p);
                berth_error_plain(err, EINVAL, "the working directory `%s` is not an absolute "
                                  "path", cwd);
                return NULL;
        }
        add(b, p, "cwd", json_object_new_string(cwd));
        c = add(b, p, "capabilities", json_object_new_object());
        add(b, c, "bounding", caps_json(b, caps));
        add(b, c, "effective", caps_json(b, caps));
        add(b, c, "permitted", caps_json(b, caps));
        if (o->no_new_privileges)
                add(b, p, "noNewPrivileges", json_object_new_boolean(true));
        if (o->n_ulimits > 0) {
                struct json_object *rl = add(b, p, "rlimits", json_object_new_array());
                for (size_t i = 0; i < o->n_ulimits; i++) {
                        const char *type = NULL;
                        for (size_t k = 0; k < ELEMENTSOF(rlimit_names); k++)
                                if (streq(o->ulimits[i].name, rlimit_names[k].name))
                                        type = rlimit_names[k].type;
                        if (!type) {
                                json_object_put(p);
                                berth_error_plain(err, EINVAL, "--ulimit: unknown limit `%s`",
                                                  o->ulimits[i].name);
                                return NULL;
                        }
                        struct json_object *r = json_object_new_object();
                        add(b, r, "type", json_object_new_string(type));
                        add(b, r, "hard", json_object_new_uint64(o->ulimits[i].hard));
                        add(b, r, "soft", json_object_new_uint64(o->ulimits[i].soft));
                        push(b, rl, r);
                }
        }
        return p;
}

static const char *const etc_files[] = { "resolv.conf", "hostname", "hosts" };

/* The number of components of a destination, as docker sorts mounts ("/a//b/" is 2). */
static size_t destination_depth(const char *p)
{
        size_t n = 0;

        for (; *p; p++)
                if (*p != '/' && (p[1] == '/' || !p[1]))
                        n++;
        return n;
}

/* Entry i of the /etc files (n_etc of them) followed by the user's mounts: at the same depth
 * the user's come later, so a -v onto /etc/hosts wins over the container's own. */
static const char *mount_destination(const EngineSpecOptions *o, size_t n_etc, size_t i)
{
        static const char *const etc_paths[] = { "/etc/resolv.conf", "/etc/hostname",
                                                 "/etc/hosts" };
        return i < n_etc ? etc_paths[i] : o->mounts[i - n_etc].target;
}

/* One -v, --mount or --tmpfs: a tmpfs, or a bind of a host path (a volume's directory too). */
static struct json_object *user_mount_json(Builder *b, const MountSpec *m)
{
        if (m->kind == MOUNT_SPEC_TMPFS) {
                _cleanup_strv_free_ char **opts = NULL;
                char v[64];
                if (strv_extend(&opts, "nosuid") < 0 || strv_extend(&opts, "nodev") < 0)
                        b->failed = true;
                if (m->tmpfs_size > 0) {
                        snprintf(v, sizeof(v), "size=%lld", (long long)m->tmpfs_size);
                        if (strv_extend(&opts, v) < 0)
                                b->failed = true;
                }
                if (m->tmpfs_mode) {
                        snprintf(v, sizeof(v), "mode=%o", (unsigned)m->tmpfs_mode);
                        if (strv_extend(&opts, v) < 0)
                                b->failed = true;
                }
                if (m->readonly && strv_extend(&opts, "ro") < 0)
                        b->failed = true;
                /* --tmpfs options as given, after the defaults (later ones win). */
                for (const char *p = m->tmpfs_options; p && *p;) {
                        size_t len = strcspn(p, ",");
                        _cleanup_free_ char *one = strndup(p, len);
                        if (!one || strv_extend(&opts, one) < 0)
                                b->failed = true;
                        p += len + (p[len] == ',');
                }
                return mount_json(b, m->target, "tmpfs", "tmpfs", (const char *const *)opts);
        } else {
                const char *opts[] = { m->non_recursive ? "bind" : "rbind",
                                       m->propagation ?: "rprivate",
                                       m->readonly ? "ro" : "rw", NULL };
                return mount_json(b, m->target, "bind", m->source, opts);
        }
}

static struct json_object *mounts_json(Builder *b, const EngineSpecOptions *o)
{
        struct json_object *a = json_object_new_array();
        char shm[64];
        const char *ro_or_rw = o->privileged ? "rw" : "ro";

        snprintf(shm, sizeof(shm), "size=%lldk",
                 (long long)((o->shm_size > 0 ? o->shm_size : DEFAULT_SHM_SIZE) / 1024));
        push(b, a, mount_json(b, "/proc", "proc", "proc",
                              (const char *[]){ "nosuid", "noexec", "nodev", NULL }));
        push(b, a, mount_json(b, "/dev", "tmpfs", "tmpfs",
                              (const char *[]){ "nosuid", "strictatime", "mode=755",
                                                "size=65536k", NULL }));
        push(b, a, mount_json(b, "/dev/pts", "devpts", "devpts",
                              (const char *[]){ "nosuid", "noexec", "newinstance",
                                                "ptmxmode=0666", "mode=0620", "gid=5", NULL }));
        push(b, a, mount_json(b, "/sys", "sysfs", "sysfs",
                              (const char *[]){ "nosuid", "noexec", "nodev", ro_or_rw, NULL }));
        push(b, a, mount_json(b, "/sys/fs/cgroup", "cgroup", "cgroup",
                              (const char *[]){ ro_or_rw, "nosuid", "noexec", "nodev", NULL }));
        push(b, a, mount_json(b, "/dev/mqueue", "mqueue", "mqueue",
                              (const char *[]){ "nosuid", "noexec", "nodev", NULL }));
        push(b, a, mount_json(b, "/dev/shm", "tmpfs", "shm",
                              (const char *[]){ "nosuid", "noexec", "nodev", "mode=1777", shm,
                                                NULL }));
        /* The container's /etc files and the user's mounts in docker's order: by the depth of
         * the destination, so a volume on /etc does not hide /etc/hosts. */
        size_t n_etc = o->etc_dir ? ELEMENTSOF(etc_files) : 0, n = n_etc + o->n_mounts, *order;
        order = calloc(n ? n : 1, sizeof(*order));
        if (!order) {
                b->failed = true;
                return a;
        }
        for (size_t i = 0; i < n; i++) {
                size_t k = i, d = destination_depth(mount_destination(o, n_etc, i));
                while (k > 0 &&
                       destination_depth(mount_destination(o, n_etc, order[k - 1])) > d) {
                        order[k] = order[k - 1];
                        k--;
                }
                order[k] = i;
        }
        for (size_t i = 0; i < n; i++) {
                if (order[i] < n_etc) {
                        const char *file = etc_files[order[i]];
                        _cleanup_free_ char *src = NULL, *dst = NULL;
                        if (asprintf(&src, "%s/%s", o->etc_dir, file) < 0 ||
                            asprintf(&dst, "/etc/%s", file) < 0) {
                                b->failed = true;
                                break;
                        }
                        push(b, a, mount_json(b, dst, "bind", src,
                                              (const char *[]){ "rbind", "rprivate", NULL }));
                } else
                        push(b, a, user_mount_json(b, &o->mounts[order[i] - n_etc]));
        }
        free(order);
        return a;
}

static struct json_object *resources_json(Builder *b, const EngineSpecOptions *o)
{
        struct json_object *r = json_object_new_object(), *dev, *mem, *cpu;

        dev = add(b, r, "devices", json_object_new_array());
        if (o->privileged) {
                struct json_object *rule = json_object_new_object();
                add(b, rule, "allow", json_object_new_boolean(true));
                add(b, rule, "access", json_object_new_string("rwm"));
                push(b, dev, rule);
        } else {
                struct json_object *deny = json_object_new_object();
                add(b, deny, "allow", json_object_new_boolean(false));
                add(b, deny, "access", json_object_new_string("rwm"));
                push(b, dev, deny);
                for (size_t i = 0; i < ELEMENTSOF(device_rules); i++) {
                        struct json_object *rule = json_object_new_object();
                        char type[2] = { device_rules[i].type, 0 };
                        add(b, rule, "allow", json_object_new_boolean(true));
                        add(b, rule, "type", json_object_new_string(type));
                        if (device_rules[i].major >= 0)
                                add(b, rule, "major", json_object_new_int64(device_rules[i].major));
                        if (device_rules[i].minor >= 0)
                                add(b, rule, "minor", json_object_new_int64(device_rules[i].minor));
                        add(b, rule, "access", json_object_new_string(device_rules[i].access));
                        push(b, dev, rule);
                }
                /* --device: its node allowed with the permissions given. */
                for (size_t i = 0; i < o->n_devices; i++) {
                        struct json_object *rule = json_object_new_object();
                        char type[2] = { o->devices[i].type, 0 };
                        add(b, rule, "allow", json_object_new_boolean(true));
                        add(b, rule, "type", json_object_new_string(type));
                        add(b, rule, "major", json_object_new_int64(o->devices[i].major));
                        add(b, rule, "minor", json_object_new_int64(o->devices[i].minor));
                        add(b, rule, "access", json_object_new_string(o->devices[i].permissions));
                        push(b, dev, rule);
                }
        }
        if (o->memory > 0 || o->memory_swap != 0) {
                mem = add(b, r, "memory", json_object_new_object());
                if (o->memory > 0)
                        add(b, mem, "limit", json_object_new_int64(o->memory));
                /* Docker: swap unset with a memory limit allows as much swap again. */
                if (o->memory_swap != 0)
                        add(b, mem, "swap", json_object_new_int64(o->memory_swap));
                else if (o->memory > 0)
                        add(b, mem, "swap", json_object_new_int64(o->memory * 2));
        }
        if (o->cpu_shares > 0 || o->nano_cpus > 0 || !isempty(o->cpuset_cpus)) {
                cpu = add(b, r, "cpu", json_object_new_object());
                if (o->cpu_shares > 0)
                        add(b, cpu, "shares", json_object_new_int64(o->cpu_shares));
                if (o->nano_cpus > 0) {
                        add(b, cpu, "period", json_object_new_int64(CPU_PERIOD_USEC));
                        add(b, cpu, "quota", json_object_new_int64(
                                o->nano_cpus * CPU_PERIOD_USEC / 1000000000LL));
                }
                if (!isempty(o->cpuset_cpus))
                        add(b, cpu, "cpus", json_object_new_string(o->cpuset_cpus));
        }
        if (o->pids_limit != 0) {
                struct json_object *pids = add(b, r, "pids", json_object_new_object());
                add(b, pids, "limit", json_object_new_int64(o->pids_limit));
        }
        return r;
}

static struct json_object *key_values_json(Builder *b, char *const *l, const char *what,
                                           BerthError **err)
{
        struct json_object *o = json_object_new_object();

        for (; l && *l; l++) {
                const char *eq = strchr(*l, '=');
                _cleanup_free_ char *key = NULL;
                if (!eq || eq == *l) {
                        json_object_put(o);
                        berth_error_plain(err, EINVAL, "%s: `%s` is not key=value", what, *l);
                        return NULL;
                }
                key = strndup(*l, (size_t)(eq - *l));
                if (!key)
                        b->failed = true;
                else
                        add(b, o, key, json_object_new_string(eq + 1));
        }
        return o;
}

static struct json_object *device_json(Builder *b, const char *path, char type, int64_t major,
                                       int64_t minor, mode_t mode, uid_t uid, gid_t gid)
{
        struct json_object *n = json_object_new_object();
        char t[2] = { type, 0 };

        add(b, n, "path", json_object_new_string(path));
        add(b, n, "type", json_object_new_string(t));
        add(b, n, "major", json_object_new_int64(major));
        add(b, n, "minor", json_object_new_int64(minor));
        add(b, n, "fileMode", json_object_new_int64(mode));
        add(b, n, "uid", json_object_new_int64(uid));
        add(b, n, "gid", json_object_new_int64(gid));
        return n;
}

static bool device_given(const EngineSpecOptions *o, const char *path)
{
        for (size_t i = 0; i < o->n_devices; i++)
                if (streq(o->devices[i].path, path))
                        return true;
        return false;
}

/* --privileged: every device node of the host's /dev, as Docker gives them (two levels deep:
 * /dev/net/tun, /dev/dri/card0; not the container's own pts, shm, mqueue, console). */
static void host_devices(Builder *b, struct json_object *devs, const EngineSpecOptions *o,
                         const char *dir, int depth)
{
        static const char *const skip[] = { "pts", "shm", "mqueue", "fd", "console", ".lxc",
                                            ".udev", NULL };
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;
                if (de->d_name[0] == '.' && (!de->d_name[1] || streq(de->d_name, "..")))
                        continue;
                if (depth == 0 && strv_contains((char **)skip, de->d_name))
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0 || lstat(path, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && depth == 0)
                        host_devices(b, devs, o, path, depth + 1);
                else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && !device_given(o, path))
                        push(b, devs, device_json(b, path, S_ISCHR(st.st_mode) ? 'c' : 'b',
                                                  major(st.st_rdev), minor(st.st_rdev),
                                                  st.st_mode & 07777, st.st_uid, st.st_gid));
        }
}

static struct json_object *linux_json(Builder *b, const EngineSpecOptions *o, BerthError **err)
{
        struct json_object *l = json_object_new_object(), *ns, *sysctl;
        static const char *const namespaces[] = { "pid", "ipc", "uts", "mount" };

        ns = add(b, l, "namespaces", json_object_new_array());
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++) {
                struct json_object *n = json_object_new_object();
                add(b, n, "type", json_object_new_string(namespaces[i]));
                push(b, ns, n);
        }
        if (!o->netns || !streq(o->netns, "host")) {
                struct json_object *n = json_object_new_object();
                add(b, n, "type", json_object_new_string("network"));
                if (o->netns)
                        add(b, n, "path", json_object_new_string(o->netns));
                push(b, ns, n);
        }
        /* Docker's default cgroupns: private on cgroup v2, the host's on v1. */
        if (cgroup2_unified()) {
                struct json_object *n = json_object_new_object();
                add(b, n, "type", json_object_new_string("cgroup"));
                push(b, ns, n);
        }
        if (!o->privileged) {
                add(b, l, "maskedPaths", strv_json(b, masked_paths));
                add(b, l, "readonlyPaths", strv_json(b, readonly_paths));
        }
        if (o->n_devices > 0 || o->privileged) {
                struct json_object *devs = add(b, l, "devices", json_object_new_array());
                for (size_t i = 0; i < o->n_devices; i++) {
                        const EngineDevice *d = &o->devices[i];
                        push(b, devs, device_json(b, d->path, d->type, d->major, d->minor,
                                                  d->mode, d->uid, d->gid));
                }
                if (o->privileged)
                        host_devices(b, devs, o, "/dev", 0);
        }
        add(b, l, "resources", resources_json(b, o));
        if (o->sysctls) {
                sysctl = key_values_json(b, o->sysctls, "--sysctl", err);
                if (!sysctl) {
                        json_object_put(l);
                        return NULL;
                }
                add(b, l, "sysctl", sysctl);
        }
        if (o->cgroups_path)
                add(b, l, "cgroupsPath", json_object_new_string(o->cgroups_path));
        if (o->seccomp_json && !o->privileged) {
                struct json_object *profile = json_tokener_parse(o->seccomp_json);
                if (!profile || !json_object_is_type(profile, json_type_object)) {
                        json_object_put(profile);
                        json_object_put(l);
                        berth_error_plain(err, EINVAL, "the seccomp profile is no JSON object");
                        return NULL;
                }
                add(b, l, "seccomp", profile);
        }
        return l;
}

int engine_spec_capabilities(const EngineSpecOptions *o, char ***ret, BerthError **err)
{
        _cleanup_strv_free_ char **names = NULL;
        bool caps[64] = { 0 };
        char name[64];
        int r;

        r = capabilities(o, caps, err);
        if (r < 0)
                return r;
        for (size_t i = 0; all_caps[i]; i++) {
                if (!caps[i])
                        continue;
                snprintf(name, sizeof(name), "CAP_%s", all_caps[i]);
                if (strv_extend(&names, name) < 0)
                        return berth_error(err, ENOMEM, "capabilities");
        }
        if (!names && !(names = calloc(1, sizeof(char *))))
                return berth_error(err, ENOMEM, "capabilities");
        *ret = TAKE_PTR(names);
        return 0;
}

int engine_spec_build(const EngineSpecOptions *o, char **ret_json, BerthError **err)
{
        _cleanup_strv_free_ char **args = NULL, **env = NULL;
        struct json_object *doc, *root, *process, *linux_obj, *annotations;
        Builder b = { 0 };
        bool caps[64] = { 0 };
        const char *text;
        int r;

        if (!o->rootfs || o->rootfs[0] != '/')
                return berth_error_plain(err, EINVAL, "the rootfs `%s` is not an absolute path",
                                         o->rootfs ?: "");
        r = capabilities(o, caps, err);
        if (r < 0)
                return r;
        r = arguments(o, &args, err);
        if (r < 0)
                return r;
        if (o->init_path) {
                /* Berth's init runs as PID 1 and runs the command: "init -- args". */
                _cleanup_strv_free_ char **with_init = NULL;
                if (strv_extend(&with_init, "/sbin/berth-init") < 0 ||
                    strv_extend(&with_init, "--") < 0)
                        return berth_error(err, ENOMEM, "--init");
                for (char **a = args; *a; a++)
                        if (strv_extend(&with_init, *a) < 0)
                                return berth_error(err, ENOMEM, "--init");
                strv_free(args);
                args = TAKE_PTR(with_init);
        }
        if (environment(o, &env) < 0)
                return berth_error(err, ENOMEM, "environment");

        doc = json_object_new_object();
        add(&b, doc, "ociVersion", json_object_new_string("1.0.2-dev"));
        process = process_json(&b, o, args, env, caps, err);
        if (!process) {
                json_object_put(doc);
                return -EINVAL;
        }
        add(&b, doc, "process", process);
        root = add(&b, doc, "root", json_object_new_object());
        add(&b, root, "path", json_object_new_string(o->rootfs));
        add(&b, root, "readonly", json_object_new_boolean(o->read_only));
        if (!isempty(o->hostname))
                add(&b, doc, "hostname", json_object_new_string(o->hostname));
        struct json_object *mounts = add(&b, doc, "mounts", mounts_json(&b, o));
        if (o->init_path)
                push(&b, mounts, mount_json(&b, "/sbin/berth-init", "bind", o->init_path,
                                            (const char *[]){ "bind", "ro", NULL }));
        linux_obj = linux_json(&b, o, err);
        if (!linux_obj) {
                json_object_put(doc);
                return -EINVAL;
        }
        add(&b, doc, "linux", linux_obj);
        if (o->annotations) {
                annotations = key_values_json(&b, o->annotations, "annotation", err);
                if (!annotations) {
                        json_object_put(doc);
                        return -EINVAL;
                }
                add(&b, doc, "annotations", annotations);
        }
        text = b.failed ? NULL : json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        *ret_json = text ? strdup(text) : NULL;
        json_object_put(doc);
        if (!*ret_json)
                return berth_error(err, ENOMEM, "config.json");
        return 0;
}
