/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runtime-spec 1.2 config.json parser for Linux: walks the json-c document with the typed
 * getters of spec-json.c into the C types of runtime-spec.h. Scalar members are described by
 * field tables; the code here handles nesting, arrays, maps and the checks that belong to
 * parsing (names that must be known, absolute paths, required fields).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "spec/runtime-spec.h"
#include "spec/spec-json.h"

#define FIELDS(t) (t), ELEMENTSOF(t)

static const char *const namespace_names[_SPEC_NS_MAX] = {
        [SPEC_NS_PID] = "pid",     [SPEC_NS_NETWORK] = "network", [SPEC_NS_MOUNT] = "mount",
        [SPEC_NS_IPC] = "ipc",     [SPEC_NS_UTS] = "uts",         [SPEC_NS_USER] = "user",
        [SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

static const char *const hook_names[_SPEC_HOOK_MAX] = {
        [SPEC_HOOK_PRESTART] = "prestart",
        [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
        [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
        [SPEC_HOOK_START_CONTAINER] = "startContainer",
        [SPEC_HOOK_POSTSTART] = "poststart",
        [SPEC_HOOK_POSTSTOP] = "poststop",
};

static const struct {
        const char *name;
        int resource;
} rlimit_table[] = {
        { "RLIMIT_AS", RLIMIT_AS },
        { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },
        { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },
        { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
        { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },
        { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },
        { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
        { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
        { "RLIMIT_STACK", RLIMIT_STACK },
};

static const char *const io_priority_classes[] = {
        "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL,
};

static const char *const sched_policies[] = {
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
        "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const char *const sched_flags[] = {
        "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",
        "SCHED_FLAG_KEEP_POLICY",    "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
        "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

static const char *const seccomp_actions[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
        NULL,
};

static const char *const seccomp_ops[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

/* runc accepts the recursive variants too. */
static const char *const propagations[] = {
        "shared",  "slave",  "private",  "unbindable",
        "rshared", "rslave", "rprivate", "runbindable",
        NULL,
};

static const char *const device_types[] = { "c", "b", "u", "p", NULL };
static const char *const device_cgroup_types[] = { "a", "c", "b", NULL };
static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

const char *spec_namespace_name(SpecNamespaceType t)
{
        if ((unsigned)t >= _SPEC_NS_MAX)
                return NULL;
        return namespace_names[t];
}

int spec_namespace_from_name(const char *name)
{
        if (!name)
                return -EINVAL;
        for (int i = 0; i < _SPEC_NS_MAX; i++)
                if (streq(namespace_names[i], name))
                        return i;
        return -EINVAL;
}

const char *spec_hook_kind_name(SpecHookKind k)
{
        if ((unsigned)k >= _SPEC_HOOK_MAX)
                return NULL;
        return hook_names[k];
}

/* ---- freeing (every function copes with a half-parsed, zero-initialized struct) ---- */

static void mount_done(SpecMount *m)
{
        free(m->destination);
        free(m->type);
        free(m->source);
        strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

static void capabilities_free(SpecCapabilities *c)
{
        if (!c)
                return;
        strv_free(c->bounding);
        strv_free(c->effective);
        strv_free(c->inheritable);
        strv_free(c->permitted);
        strv_free(c->ambient);
        free(c);
}

static void process_free(SpecProcess *p)
{
        if (!p)
                return;
        free(p->user.additional_gids);
        free(p->user.username);
        strv_free(p->args);
        free(p->command_line);
        strv_free(p->env);
        free(p->cwd);
        capabilities_free(p->capabilities);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p->io_priority_class);
        if (p->scheduler) {
                free(p->scheduler->policy);
                strv_free(p->scheduler->flags);
                free(p->scheduler);
        }
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
        free(p);
}

static void key_values_free(SpecKeyValue *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

static void resources_free(SpecResources *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_devices; i++) {
                free(r->devices[i].type);
                free(r->devices[i].access);
        }
        free(r->devices);
        free(r->cpu.cpus);
        free(r->cpu.mems);
        free(r->block_io.weight_device);
        free(r->block_io.throttle_read_bps);
        free(r->block_io.throttle_write_bps);
        free(r->block_io.throttle_read_iops);
        free(r->block_io.throttle_write_iops);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->network.n_priorities; i++)
                free(r->network.priorities[i].name);
        free(r->network.priorities);
        for (size_t i = 0; i < r->n_rdma; i++)
                free(r->rdma[i].device);
        free(r->rdma);
        key_values_free(r->unified, r->n_unified);
        free(r);
}

static void seccomp_free(SpecSeccomp *s)
{
        if (!s)
                return;
        free(s->default_action);
        strv_free(s->architectures);
        strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                SpecSeccompSyscall *c = &s->syscalls[i];

                strv_free(c->names);
                free(c->action);
                for (size_t j = 0; j < c->n_args; j++)
                        free(c->args[j].op);
                free(c->args);
        }
        free(s->syscalls);
        free(s);
}

static void linux_free(SpecLinux *l)
{
        if (!l)
                return;
        free(l->uid_mappings);
        free(l->gid_mappings);
        key_values_free(l->sysctl, l->n_sysctl);
        resources_free(l->resources);
        free(l->cgroups_path);
        for (size_t i = 0; i < _SPEC_NS_MAX; i++)
                free(l->namespaces[i].path);
        for (size_t i = 0; i < l->n_devices; i++) {
                free(l->devices[i].type);
                free(l->devices[i].path);
        }
        free(l->devices);
        seccomp_free(l->seccomp);
        free(l->rootfs_propagation);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        free(l->intel_rdt.clos_id);
        free(l->intel_rdt.l3_cache_schema);
        free(l->intel_rdt.mem_bw_schema);
        free(l->personality.domain);
        strv_free(l->personality.flags);
        free(l);
}

void spec_free(Spec *s)
{
        if (!s)
                return;
        free(s->oci_version);
        free(s->root_path);
        for (size_t i = 0; i < s->n_mounts; i++)
                mount_done(&s->mounts[i]);
        free(s->mounts);
        process_free(s->process);
        free(s->hostname);
        free(s->domainname);
        for (size_t k = 0; k < _SPEC_HOOK_MAX; k++) {
                for (size_t i = 0; i < s->hooks[k].n; i++) {
                        free(s->hooks[k].hooks[i].path);
                        strv_free(s->hooks[k].hooks[i].args);
                        strv_free(s->hooks[k].hooks[i].env);
                }
                free(s->hooks[k].hooks);
        }
        key_values_free(s->annotations, s->n_annotations);
        linux_free(s->linux_);
        if (s->json)
                json_object_put(s->json);
        free(s);
}

/* ---- small checks ---- */

static int check_one_of(const char *value, const char *const *allowed, const JsonPath *p,
                        const char *what, BerthError **err)
{
        char buf[256];

        for (size_t i = 0; allowed[i]; i++)
                if (streq(value, allowed[i]))
                        return 0;
        json_escape(value, buf, sizeof(buf));
        return json_path_error(err, p, "unknown %s \"%s\"", what, buf);
}

/* Checks the value parsed from member key of the object at p (NULL when absent). */
static int check_member_one_of(const JsonPath *p, const char *key, const char *value,
                               const char *const *allowed, const char *what, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!value)
                return 0;
        return check_one_of(value, allowed, &c, what, err);
}

static int check_strv_one_of(char **l, const JsonPath *p, const char *key,
                             const char *const *allowed, const char *what, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        for (size_t i = 0; l && l[i]; i++) {
                JsonPath e = JSON_PATH_INDEX(&c, i);
                int r = check_one_of(l[i], allowed, &e, what, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_strv_absolute(char **l, const JsonPath *p, const char *key, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        for (size_t i = 0; l && l[i]; i++)
                if (l[i][0] != '/') {
                        JsonPath e = JSON_PATH_INDEX(&c, i);
                        return json_path_error(err, &e, "must be an absolute path");
                }
        return 0;
}

static int require_members(struct json_object *obj, const JsonPath *p, const char *a,
                           const char *b, BerthError **err)
{
        if (json_member(obj, a) || json_member(obj, b))
                return 0;
        return json_path_error(err, p, "at least one of \"%s\" and \"%s\" is required", a, b);
}

/* A string-to-string object (annotations, sysctl, unified). */
static int parse_string_map(struct json_object *v, const JsonPath *p, SpecKeyValue **ret,
                            size_t *ret_n, BerthError **err)
{
        size_t n, i = 0;
        int r;

        r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        n = (size_t)json_object_object_length(v);
        if (n == 0)
                return 0;
        *ret = calloc(n, sizeof(SpecKeyValue));
        if (!*ret)
                return berth_error(err, -ENOMEM, "out of memory");
        *ret_n = n;
        json_object_object_foreach(v, key, val)
        {
                JsonPath c = JSON_PATH_MAP(p, key);

                if (i >= n)
                        break;
                (*ret)[i].key = strdup(key);
                if (!(*ret)[i].key)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = json_to_string(val, &c, &(*ret)[i].value, err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

/* ---- id mappings, mounts ---- */

static const JsonField id_mapping_fields[] = {
        JSON_FIELD_REQ("containerID", JSON_FIELD_U32, SpecIdMapping, container_id),
        JSON_FIELD_REQ("hostID", JSON_FIELD_U32, SpecIdMapping, host_id),
        JSON_FIELD_REQ("size", JSON_FIELD_U32, SpecIdMapping, size),
};

static int parse_id_mapping(struct json_object *v, const JsonPath *p, void *elem,
                            BerthError **err)
{
        return json_parse_object(v, p, FIELDS(id_mapping_fields), elem, err);
}

static int parse_id_mappings(struct json_object *obj, const JsonPath *p, const char *key,
                             SpecIdMapping **ret, size_t *ret_n, BerthError **err)
{
        struct json_object *v = json_member(obj, key);
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!v)
                return 0;
        return json_parse_array(v, &c, sizeof(SpecIdMapping), parse_id_mapping, (void **)ret,
                                ret_n, err);
}

static const JsonField mount_fields[] = {
        JSON_FIELD_REQ("destination", JSON_FIELD_ABSPATH, SpecMount, destination),
        JSON_FIELD("type", JSON_FIELD_STRING, SpecMount, type),
        JSON_FIELD("source", JSON_FIELD_STRING, SpecMount, source),
        JSON_FIELD("options", JSON_FIELD_STRV, SpecMount, options),
};

static int parse_mount(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecMount *m = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(mount_fields), m, err);
        if (r < 0)
                return r;
        r = parse_id_mappings(v, p, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err);
        if (r < 0)
                return r;
        return parse_id_mappings(v, p, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err);
}

/* ---- process ---- */

static const JsonField user_fields[] = {
        JSON_FIELD("uid", JSON_FIELD_U32, SpecUser, uid),
        JSON_FIELD("gid", JSON_FIELD_U32, SpecUser, gid),
        JSON_FIELD_HAS("umask", JSON_FIELD_U32, SpecUser, umask, has_umask),
        JSON_FIELD("username", JSON_FIELD_STRING, SpecUser, username),
};

static int parse_gid(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        uint64_t u;
        int r = json_to_u64(v, p, UINT32_MAX, "an unsigned 32-bit integer", &u, err);
        if (r >= 0)
                *(uint32_t *)elem = (uint32_t)u;
        return r;
}

static int parse_user(struct json_object *v, const JsonPath *p, SpecUser *u, BerthError **err)
{
        struct json_object *g;
        int r;

        r = json_parse_object(v, p, FIELDS(user_fields), u, err);
        if (r < 0)
                return r;
        g = json_member(v, "additionalGids");
        if (g) {
                JsonPath c = JSON_PATH_KEY(p, "additionalGids");
                r = json_parse_array(g, &c, sizeof(uint32_t), parse_gid,
                                     (void **)&u->additional_gids, &u->n_additional_gids, err);
        }
        return r;
}

static const JsonField capabilities_fields[] = {
        JSON_FIELD("bounding", JSON_FIELD_STRV, SpecCapabilities, bounding),
        JSON_FIELD("effective", JSON_FIELD_STRV, SpecCapabilities, effective),
        JSON_FIELD("inheritable", JSON_FIELD_STRV, SpecCapabilities, inheritable),
        JSON_FIELD("permitted", JSON_FIELD_STRV, SpecCapabilities, permitted),
        JSON_FIELD("ambient", JSON_FIELD_STRV, SpecCapabilities, ambient),
};

static const JsonField rlimit_fields[] = {
        JSON_FIELD_REQ("type", JSON_FIELD_STRING, SpecRlimit, type),
        JSON_FIELD_REQ("hard", JSON_FIELD_U64, SpecRlimit, hard),
        JSON_FIELD_REQ("soft", JSON_FIELD_U64, SpecRlimit, soft),
};

static int parse_rlimit(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecRlimit *rl = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(rlimit_fields), rl, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(rlimit_table); i++)
                if (streq(rl->type, rlimit_table[i].name)) {
                        rl->resource = rlimit_table[i].resource;
                        return 0;
                }

        JsonPath c = JSON_PATH_KEY(p, "type");
        char buf[256];
        json_escape(rl->type, buf, sizeof(buf));
        return json_path_error(err, &c, "unknown rlimit \"%s\"", buf);
}

static const JsonField scheduler_fields[] = {
        JSON_FIELD_REQ("policy", JSON_FIELD_STRING, SpecScheduler, policy),
        JSON_FIELD("nice", JSON_FIELD_I32, SpecScheduler, nice),
        JSON_FIELD("priority", JSON_FIELD_I32, SpecScheduler, priority),
        JSON_FIELD("flags", JSON_FIELD_STRV, SpecScheduler, flags),
        JSON_FIELD("runtime", JSON_FIELD_U64, SpecScheduler, runtime),
        JSON_FIELD("deadline", JSON_FIELD_U64, SpecScheduler, deadline),
        JSON_FIELD("period", JSON_FIELD_U64, SpecScheduler, period),
};

static const JsonField process_fields[] = {
        JSON_FIELD("terminal", JSON_FIELD_BOOL, SpecProcess, terminal),
        JSON_FIELD_REQ("args", JSON_FIELD_STRV, SpecProcess, args),
        JSON_FIELD("commandLine", JSON_FIELD_STRING, SpecProcess, command_line),
        JSON_FIELD("env", JSON_FIELD_STRV, SpecProcess, env),
        JSON_FIELD_REQ("cwd", JSON_FIELD_ABSPATH, SpecProcess, cwd),
        JSON_FIELD("noNewPrivileges", JSON_FIELD_BOOL, SpecProcess, no_new_privileges),
        JSON_FIELD("apparmorProfile", JSON_FIELD_STRING, SpecProcess, apparmor_profile),
        JSON_FIELD_HAS("oomScoreAdj", JSON_FIELD_INT, SpecProcess, oom_score_adj,
                       has_oom_score_adj),
        JSON_FIELD("selinuxLabel", JSON_FIELD_STRING, SpecProcess, selinux_label),
};

static const JsonField console_size_fields[] = {
        JSON_FIELD_REQ("height", JSON_FIELD_U32, SpecProcess, console_height),
        JSON_FIELD_REQ("width", JSON_FIELD_U32, SpecProcess, console_width),
};

static const JsonField io_priority_fields[] = {
        JSON_FIELD_REQ("class", JSON_FIELD_STRING, SpecProcess, io_priority_class),
        JSON_FIELD_REQ("priority", JSON_FIELD_INT, SpecProcess, io_priority),
};

static const JsonField cpu_affinity_fields[] = {
        JSON_FIELD("initial", JSON_FIELD_STRING, SpecProcess, exec_cpu_affinity_initial),
        JSON_FIELD("final", JSON_FIELD_STRING, SpecProcess, exec_cpu_affinity_final),
};

static int parse_process(struct json_object *v, const JsonPath *p, SpecProcess *proc,
                         BerthError **err)
{
        struct json_object *m;
        int r;

        r = json_parse_object(v, p, FIELDS(process_fields), proc, err);
        if (r < 0)
                return r;
        if (!proc->args[0]) {
                JsonPath c = JSON_PATH_KEY(p, "args");
                return json_path_error(err, &c, "must contain at least one element");
        }
        if (proc->has_oom_score_adj && (proc->oom_score_adj < -1000 || proc->oom_score_adj > 1000)) {
                JsonPath c = JSON_PATH_KEY(p, "oomScoreAdj");
                return json_path_error(err, &c, "must be between -1000 and 1000, got %d",
                                       proc->oom_score_adj);
        }

        if ((m = json_member(v, "consoleSize"))) {
                JsonPath c = JSON_PATH_KEY(p, "consoleSize");
                r = json_parse_object(m, &c, FIELDS(console_size_fields), proc, err);
                if (r < 0)
                        return r;
                proc->has_console_size = true;
        }

        if ((m = json_member(v, "user"))) {
                JsonPath c = JSON_PATH_KEY(p, "user");
                r = parse_user(m, &c, &proc->user, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "capabilities"))) {
                JsonPath c = JSON_PATH_KEY(p, "capabilities");
                proc->capabilities = calloc(1, sizeof(SpecCapabilities));
                if (!proc->capabilities)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = json_parse_object(m, &c, FIELDS(capabilities_fields), proc->capabilities,
                                      err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "rlimits"))) {
                JsonPath c = JSON_PATH_KEY(p, "rlimits");
                r = json_parse_array(m, &c, sizeof(SpecRlimit), parse_rlimit,
                                     (void **)&proc->rlimits, &proc->n_rlimits, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < proc->n_rlimits; i++)
                        for (size_t j = 0; j < i; j++)
                                if (proc->rlimits[i].resource == proc->rlimits[j].resource) {
                                        JsonPath e = JSON_PATH_INDEX(&c, i);
                                        return json_path_error(err, &e,
                                                               "duplicate rlimit \"%s\"",
                                                               proc->rlimits[i].type);
                                }
        }

        if ((m = json_member(v, "ioPriority"))) {
                JsonPath c = JSON_PATH_KEY(p, "ioPriority");
                r = json_parse_object(m, &c, FIELDS(io_priority_fields), proc, err);
                if (r < 0)
                        return r;
                r = check_member_one_of(&c, "class", proc->io_priority_class,
                                        io_priority_classes, "I/O priority class", err);
                if (r < 0)
                        return r;
                if (proc->io_priority < 0 || proc->io_priority > 7) {
                        JsonPath e = JSON_PATH_KEY(&c, "priority");
                        return json_path_error(err, &e, "must be between 0 and 7, got %d",
                                               proc->io_priority);
                }
                proc->has_io_priority = true;
        }

        if ((m = json_member(v, "scheduler"))) {
                JsonPath c = JSON_PATH_KEY(p, "scheduler");
                proc->scheduler = calloc(1, sizeof(SpecScheduler));
                if (!proc->scheduler)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = json_parse_object(m, &c, FIELDS(scheduler_fields), proc->scheduler, err);
                if (r < 0)
                        return r;
                r = check_member_one_of(&c, "policy", proc->scheduler->policy,
                                        sched_policies, "scheduler policy", err);
                if (r < 0)
                        return r;
                r = check_strv_one_of(proc->scheduler->flags, &c, "flags", sched_flags,
                                      "scheduler flag", err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "execCPUAffinity"))) {
                JsonPath c = JSON_PATH_KEY(p, "execCPUAffinity");
                r = json_parse_object(m, &c, FIELDS(cpu_affinity_fields), proc, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- hooks ---- */

static const JsonField hook_fields[] = {
        JSON_FIELD_REQ("path", JSON_FIELD_ABSPATH, SpecHook, path),
        JSON_FIELD("args", JSON_FIELD_STRV, SpecHook, args),
        JSON_FIELD("env", JSON_FIELD_STRV, SpecHook, env),
        JSON_FIELD_HAS("timeout", JSON_FIELD_INT, SpecHook, timeout, has_timeout),
};

static int parse_hook(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecHook *h = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(hook_fields), h, err);
        if (r < 0)
                return r;
        if (h->has_timeout && h->timeout <= 0) {
                JsonPath c = JSON_PATH_KEY(p, "timeout");
                return json_path_error(err, &c, "must be greater than zero, got %d", h->timeout);
        }
        return 0;
}

static int parse_hooks(struct json_object *v, const JsonPath *p, Spec *s, BerthError **err)
{
        int r;

        r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        for (size_t k = 0; k < _SPEC_HOOK_MAX; k++) {
                struct json_object *m = json_member(v, hook_names[k]);
                JsonPath c = JSON_PATH_KEY(p, hook_names[k]);

                if (!m)
                        continue;
                r = json_parse_array(m, &c, sizeof(SpecHook), parse_hook,
                                     (void **)&s->hooks[k].hooks, &s->hooks[k].n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- linux.resources ---- */

static const JsonField device_cgroup_fields[] = {
        JSON_FIELD_REQ("allow", JSON_FIELD_BOOL, SpecDeviceCgroup, allow),
        JSON_FIELD("type", JSON_FIELD_STRING, SpecDeviceCgroup, type),
        JSON_FIELD_HAS("major", JSON_FIELD_I64, SpecDeviceCgroup, major, has_major),
        JSON_FIELD_HAS("minor", JSON_FIELD_I64, SpecDeviceCgroup, minor, has_minor),
        JSON_FIELD("access", JSON_FIELD_STRING, SpecDeviceCgroup, access),
};

static int parse_device_cgroup(struct json_object *v, const JsonPath *p, void *elem,
                               BerthError **err)
{
        SpecDeviceCgroup *d = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(device_cgroup_fields), d, err);
        if (r < 0)
                return r;
        r = check_member_one_of(p, "type", d->type, device_cgroup_types, "device type", err);
        if (r < 0)
                return r;
        if (d->access && (strspn(d->access, "rwm") != strlen(d->access))) {
                JsonPath c = JSON_PATH_KEY(p, "access");
                return json_path_error(err, &c, "must consist of the letters r, w and m");
        }
        return 0;
}

static const JsonField memory_fields[] = {
        JSON_FIELD_HAS("limit", JSON_FIELD_LIMIT, SpecResources, memory.limit, memory.has_limit),
        JSON_FIELD_HAS("reservation", JSON_FIELD_LIMIT, SpecResources, memory.reservation,
                       memory.has_reservation),
        JSON_FIELD_HAS("swap", JSON_FIELD_LIMIT, SpecResources, memory.swap, memory.has_swap),
        JSON_FIELD_HAS("kernel", JSON_FIELD_LIMIT, SpecResources, memory.kernel,
                       memory.has_kernel),
        JSON_FIELD_HAS("kernelTCP", JSON_FIELD_LIMIT, SpecResources, memory.kernel_tcp,
                       memory.has_kernel_tcp),
        JSON_FIELD_HAS("swappiness", JSON_FIELD_U64, SpecResources, memory.swappiness,
                       memory.has_swappiness),
        JSON_FIELD_HAS("disableOOMKiller", JSON_FIELD_BOOL, SpecResources,
                       memory.disable_oom_killer, memory.has_disable_oom_killer),
        JSON_FIELD_HAS("useHierarchy", JSON_FIELD_BOOL, SpecResources, memory.use_hierarchy,
                       memory.has_use_hierarchy),
        JSON_FIELD("checkBeforeUpdate", JSON_FIELD_BOOL, SpecResources,
                   memory.check_before_update),
};

static const JsonField cpu_fields[] = {
        JSON_FIELD_HAS("shares", JSON_FIELD_U64, SpecResources, cpu.shares, cpu.has_shares),
        JSON_FIELD_HAS("quota", JSON_FIELD_I64, SpecResources, cpu.quota, cpu.has_quota),
        JSON_FIELD_HAS("burst", JSON_FIELD_U64, SpecResources, cpu.burst, cpu.has_burst),
        JSON_FIELD_HAS("period", JSON_FIELD_U64, SpecResources, cpu.period, cpu.has_period),
        JSON_FIELD_HAS("realtimeRuntime", JSON_FIELD_I64, SpecResources, cpu.realtime_runtime,
                       cpu.has_realtime_runtime),
        JSON_FIELD_HAS("realtimePeriod", JSON_FIELD_U64, SpecResources, cpu.realtime_period,
                       cpu.has_realtime_period),
        JSON_FIELD("cpus", JSON_FIELD_STRING, SpecResources, cpu.cpus),
        JSON_FIELD("mems", JSON_FIELD_STRING, SpecResources, cpu.mems),
        JSON_FIELD_HAS("idle", JSON_FIELD_I64, SpecResources, cpu.idle, cpu.has_idle),
};

static const JsonField pids_fields[] = {
        JSON_FIELD_HAS("limit", JSON_FIELD_I64, SpecResources, pids.limit, pids.has_limit),
};

static const JsonField block_io_fields[] = {
        JSON_FIELD_HAS("weight", JSON_FIELD_U16, SpecResources, block_io.weight,
                       block_io.has_weight),
        JSON_FIELD_HAS("leafWeight", JSON_FIELD_U16, SpecResources, block_io.leaf_weight,
                       block_io.has_leaf_weight),
};

static const JsonField weight_device_fields[] = {
        JSON_FIELD_REQ("major", JSON_FIELD_I64, SpecWeightDevice, major),
        JSON_FIELD_REQ("minor", JSON_FIELD_I64, SpecWeightDevice, minor),
        JSON_FIELD_HAS("weight", JSON_FIELD_U16, SpecWeightDevice, weight, has_weight),
        JSON_FIELD_HAS("leafWeight", JSON_FIELD_U16, SpecWeightDevice, leaf_weight,
                       has_leaf_weight),
};

static int parse_weight_device(struct json_object *v, const JsonPath *p, void *elem,
                               BerthError **err)
{
        int r = json_parse_object(v, p, FIELDS(weight_device_fields), elem, err);
        if (r < 0)
                return r;
        return require_members(v, p, "weight", "leafWeight", err);
}

static const JsonField throttle_device_fields[] = {
        JSON_FIELD_REQ("major", JSON_FIELD_I64, SpecThrottleDevice, major),
        JSON_FIELD_REQ("minor", JSON_FIELD_I64, SpecThrottleDevice, minor),
        JSON_FIELD_REQ("rate", JSON_FIELD_U64, SpecThrottleDevice, rate),
};

static int parse_throttle_device(struct json_object *v, const JsonPath *p, void *elem,
                                 BerthError **err)
{
        return json_parse_object(v, p, FIELDS(throttle_device_fields), elem, err);
}

static const JsonField hugepage_fields[] = {
        JSON_FIELD_REQ("pageSize", JSON_FIELD_STRING, struct SpecHugepageLimit, page_size),
        JSON_FIELD_REQ("limit", JSON_FIELD_U64, struct SpecHugepageLimit, limit),
};

static int parse_hugepage_limit(struct json_object *v, const JsonPath *p, void *elem,
                                BerthError **err)
{
        return json_parse_object(v, p, FIELDS(hugepage_fields), elem, err);
}

static const JsonField network_fields[] = {
        JSON_FIELD_HAS("classID", JSON_FIELD_U32, SpecResources, network.class_id,
                       network.has_class_id),
};

static const JsonField net_priority_fields[] = {
        JSON_FIELD_REQ("name", JSON_FIELD_STRING, struct SpecNetPriority, name),
        JSON_FIELD_REQ("priority", JSON_FIELD_U32, struct SpecNetPriority, priority),
};

static int parse_net_priority(struct json_object *v, const JsonPath *p, void *elem,
                              BerthError **err)
{
        return json_parse_object(v, p, FIELDS(net_priority_fields), elem, err);
}

static const JsonField rdma_fields[] = {
        JSON_FIELD_HAS("hcaHandles", JSON_FIELD_U32, struct SpecRdma, hca_handles,
                       has_hca_handles),
        JSON_FIELD_HAS("hcaObjects", JSON_FIELD_U32, struct SpecRdma, hca_objects,
                       has_hca_objects),
};

static int parse_rdma(struct json_object *v, const JsonPath *p, SpecResources *res,
                      BerthError **err)
{
        size_t n, i = 0;
        int r;

        r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        n = (size_t)json_object_object_length(v);
        if (n == 0)
                return 0;
        res->rdma = calloc(n, sizeof(struct SpecRdma));
        if (!res->rdma)
                return berth_error(err, -ENOMEM, "out of memory");
        res->n_rdma = n;
        json_object_object_foreach(v, key, val)
        {
                JsonPath c = JSON_PATH_MAP(p, key);

                if (i >= n)
                        break;
                res->rdma[i].device = strdup(key);
                if (!res->rdma[i].device)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = json_parse_object(val, &c, FIELDS(rdma_fields), &res->rdma[i], err);
                if (r < 0)
                        return r;
                r = require_members(val, &c, "hcaHandles", "hcaObjects", err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

/* A member of obj that must be an array of structs, parsed if present. */
static int parse_member_array(struct json_object *obj, const JsonPath *p, const char *key,
                              size_t elem_size, JsonElemParser parse, void **ret, size_t *ret_n,
                              BerthError **err)
{
        struct json_object *v = json_member(obj, key);
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!v)
                return 0;
        return json_parse_array(v, &c, elem_size, parse, ret, ret_n, err);
}

static int parse_resources(struct json_object *v, const JsonPath *p, SpecResources *res,
                           BerthError **err)
{
        struct json_object *m;
        int r;

        r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;

        r = parse_member_array(v, p, "devices", sizeof(SpecDeviceCgroup), parse_device_cgroup,
                               (void **)&res->devices, &res->n_devices, err);
        if (r < 0)
                return r;

        if ((m = json_member(v, "memory"))) {
                JsonPath c = JSON_PATH_KEY(p, "memory");
                r = json_parse_object(m, &c, FIELDS(memory_fields), res, err);
                if (r < 0)
                        return r;
                if (res->memory.has_swappiness && res->memory.swappiness > 100) {
                        JsonPath e = JSON_PATH_KEY(&c, "swappiness");
                        return json_path_error(err, &e, "must be between 0 and 100, got %" PRIu64,
                                               res->memory.swappiness);
                }
                res->memory.present = true;
        }

        if ((m = json_member(v, "cpu"))) {
                JsonPath c = JSON_PATH_KEY(p, "cpu");
                r = json_parse_object(m, &c, FIELDS(cpu_fields), res, err);
                if (r < 0)
                        return r;
                res->cpu.present = true;
        }

        if ((m = json_member(v, "pids"))) {
                JsonPath c = JSON_PATH_KEY(p, "pids");
                r = json_parse_object(m, &c, FIELDS(pids_fields), res, err);
                if (r < 0)
                        return r;
                res->pids.present = true;
        }

        if ((m = json_member(v, "blockIO"))) {
                JsonPath c = JSON_PATH_KEY(p, "blockIO");
                r = json_parse_object(m, &c, FIELDS(block_io_fields), res, err);
                if (r < 0)
                        return r;
                r = parse_member_array(m, &c, "weightDevice", sizeof(SpecWeightDevice),
                                       parse_weight_device, (void **)&res->block_io.weight_device,
                                       &res->block_io.n_weight_device, err);
                if (r < 0)
                        return r;
                static const struct {
                        const char *key;
                        size_t offset, n_offset;
                } throttles[] = {
#define THROTTLE(k, m)                                                                             \
        { k, offsetof(SpecResources, block_io.m), offsetof(SpecResources, block_io.n_##m) }
                        THROTTLE("throttleReadBpsDevice", throttle_read_bps),
                        THROTTLE("throttleWriteBpsDevice", throttle_write_bps),
                        THROTTLE("throttleReadIOPSDevice", throttle_read_iops),
                        THROTTLE("throttleWriteIOPSDevice", throttle_write_iops),
#undef THROTTLE
                };
                for (size_t i = 0; i < ELEMENTSOF(throttles); i++) {
                        r = parse_member_array(
                                m, &c, throttles[i].key, sizeof(SpecThrottleDevice),
                                parse_throttle_device, (void **)((char *)res + throttles[i].offset),
                                (size_t *)((char *)res + throttles[i].n_offset), err);
                        if (r < 0)
                                return r;
                }
                res->block_io.present = true;
        }

        r = parse_member_array(v, p, "hugepageLimits", sizeof(struct SpecHugepageLimit),
                               parse_hugepage_limit, (void **)&res->hugepage_limits,
                               &res->n_hugepage_limits, err);
        if (r < 0)
                return r;

        if ((m = json_member(v, "network"))) {
                JsonPath c = JSON_PATH_KEY(p, "network");
                r = json_parse_object(m, &c, FIELDS(network_fields), res, err);
                if (r < 0)
                        return r;
                r = parse_member_array(m, &c, "priorities", sizeof(struct SpecNetPriority),
                                       parse_net_priority, (void **)&res->network.priorities,
                                       &res->network.n_priorities, err);
                if (r < 0)
                        return r;
                res->network.present = true;
        }

        if ((m = json_member(v, "rdma"))) {
                JsonPath c = JSON_PATH_KEY(p, "rdma");
                r = parse_rdma(m, &c, res, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "unified"))) {
                JsonPath c = JSON_PATH_KEY(p, "unified");
                r = parse_string_map(m, &c, &res->unified, &res->n_unified, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- linux.seccomp ---- */

static const JsonField seccomp_fields[] = {
        JSON_FIELD_REQ("defaultAction", JSON_FIELD_STRING, SpecSeccomp, default_action),
        JSON_FIELD_HAS("defaultErrnoRet", JSON_FIELD_U32, SpecSeccomp, default_errno_ret,
                       has_default_errno_ret),
        JSON_FIELD("architectures", JSON_FIELD_STRV, SpecSeccomp, architectures),
        JSON_FIELD("flags", JSON_FIELD_STRV, SpecSeccomp, flags),
        JSON_FIELD("listenerPath", JSON_FIELD_STRING, SpecSeccomp, listener_path),
        JSON_FIELD("listenerMetadata", JSON_FIELD_STRING, SpecSeccomp, listener_metadata),
};

static const JsonField seccomp_arg_fields[] = {
        JSON_FIELD_REQ("index", JSON_FIELD_U32, SpecSeccompArg, index),
        JSON_FIELD_REQ("value", JSON_FIELD_U64, SpecSeccompArg, value),
        JSON_FIELD("valueTwo", JSON_FIELD_U64, SpecSeccompArg, value_two),
        JSON_FIELD_REQ("op", JSON_FIELD_STRING, SpecSeccompArg, op),
};

static int parse_seccomp_arg(struct json_object *v, const JsonPath *p, void *elem,
                             BerthError **err)
{
        SpecSeccompArg *a = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(seccomp_arg_fields), a, err);
        if (r < 0)
                return r;
        if (a->index >= 6) {
                JsonPath c = JSON_PATH_KEY(p, "index");
                return json_path_error(err, &c, "must be between 0 and 5, got %" PRIu32,
                                       a->index);
        }
        return check_member_one_of(p, "op", a->op, seccomp_ops, "seccomp operator", err);
}

static const JsonField syscall_fields[] = {
        JSON_FIELD_REQ("names", JSON_FIELD_STRV, SpecSeccompSyscall, names),
        JSON_FIELD_REQ("action", JSON_FIELD_STRING, SpecSeccompSyscall, action),
        JSON_FIELD_HAS("errnoRet", JSON_FIELD_U32, SpecSeccompSyscall, errno_ret, has_errno_ret),
};

static int parse_syscall(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecSeccompSyscall *s = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(syscall_fields), s, err);
        if (r < 0)
                return r;
        if (!s->names[0]) {
                JsonPath c = JSON_PATH_KEY(p, "names");
                return json_path_error(err, &c, "must contain at least one element");
        }
        r = check_member_one_of(p, "action", s->action, seccomp_actions, "seccomp action",
                                err);
        if (r < 0)
                return r;
        return parse_member_array(v, p, "args", sizeof(SpecSeccompArg), parse_seccomp_arg,
                                  (void **)&s->args, &s->n_args, err);
}

static int parse_seccomp(struct json_object *v, const JsonPath *p, SpecSeccomp *s,
                         BerthError **err)
{
        int r;

        r = json_parse_object(v, p, FIELDS(seccomp_fields), s, err);
        if (r < 0)
                return r;
        r = check_member_one_of(p, "defaultAction", s->default_action, seccomp_actions,
                                "seccomp action", err);
        if (r < 0)
                return r;
        if (s->listener_metadata && !s->listener_path) {
                JsonPath c = JSON_PATH_KEY(p, "listenerMetadata");
                return json_path_error(err, &c, "must not be set without listenerPath");
        }
        return parse_member_array(v, p, "syscalls", sizeof(SpecSeccompSyscall), parse_syscall,
                                  (void **)&s->syscalls, &s->n_syscalls, err);
}

/* ---- linux ---- */

static int parse_namespaces(struct json_object *v, const JsonPath *p, SpecLinux *l,
                            BerthError **err)
{
        size_t n;
        int r;

        r = json_expect(v, p, json_type_array, err);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i), *path;
                JsonPath c = JSON_PATH_INDEX(p, i), ct = JSON_PATH_KEY(&c, "type");
                _cleanup_free_ char *type = NULL;
                int t;

                r = json_expect(e, &c, json_type_object, err);
                if (r < 0)
                        return r;
                if (!json_member(e, "type"))
                        return json_path_error(err, &ct, "required field is missing");
                r = json_to_string(json_member(e, "type"), &ct, &type, err);
                if (r < 0)
                        return r;
                t = spec_namespace_from_name(type);
                if (t < 0) {
                        char buf[256];
                        json_escape(type, buf, sizeof(buf));
                        return json_path_error(err, &ct, "unknown namespace type \"%s\"", buf);
                }
                if (l->namespaces[t].present)
                        return json_path_error(err, &ct, "duplicate namespace type \"%s\"",
                                               type);
                l->namespaces[t].present = true;
                if ((path = json_member(e, "path"))) {
                        JsonPath cp = JSON_PATH_KEY(&c, "path");
                        r = json_to_string(path, &cp, &l->namespaces[t].path, err);
                        if (r < 0)
                                return r;
                        if (l->namespaces[t].path[0] != '/')
                                return json_path_error(err, &cp, "must be an absolute path");
                }
        }
        return 0;
}

static const JsonField device_fields[] = {
        JSON_FIELD_REQ("type", JSON_FIELD_STRING, SpecDevice, type),
        JSON_FIELD_REQ("path", JSON_FIELD_ABSPATH, SpecDevice, path),
        JSON_FIELD("major", JSON_FIELD_I64, SpecDevice, major),
        JSON_FIELD("minor", JSON_FIELD_I64, SpecDevice, minor),
        JSON_FIELD_HAS("fileMode", JSON_FIELD_U32, SpecDevice, file_mode, has_file_mode),
        JSON_FIELD_HAS("uid", JSON_FIELD_U32, SpecDevice, uid, has_uid),
        JSON_FIELD_HAS("gid", JSON_FIELD_U32, SpecDevice, gid, has_gid),
};

static int parse_device(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecDevice *d = elem;
        int r;

        r = json_parse_object(v, p, FIELDS(device_fields), d, err);
        if (r < 0)
                return r;
        r = check_member_one_of(p, "type", d->type, device_types, "device type", err);
        if (r < 0)
                return r;
        if (!streq(d->type, "p"))
                for (size_t i = 0; i < 2; i++) {
                        const char *k = i == 0 ? "major" : "minor";
                        JsonPath c = JSON_PATH_KEY(p, k);

                        if (!json_member(v, k))
                                return json_path_error(
                                        err, &c, "required field is missing (device type \"%s\")",
                                        d->type);
                }
        return 0;
}

static int parse_time_offsets(struct json_object *v, const JsonPath *p, SpecLinux *l,
                              BerthError **err)
{
        int r;

        r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        json_object_object_foreach(v, key, val)
        {
                JsonPath c = JSON_PATH_MAP(p, key);
                struct json_object *m;
                bool mono = streq(key, "monotonic");
                int64_t secs = 0;
                uint64_t nsecs = 0;

                if (!mono && !streq(key, "boottime"))
                        return json_path_error(err, &c,
                                               "unknown clock, expected \"monotonic\" or "
                                               "\"boottime\"");
                r = json_expect(val, &c, json_type_object, err);
                if (r < 0)
                        return r;
                if ((m = json_member(val, "secs"))) {
                        JsonPath e = JSON_PATH_KEY(&c, "secs");
                        r = json_to_i64(m, &e, INT64_MIN, INT64_MAX, "a 64-bit integer", &secs,
                                        err);
                        if (r < 0)
                                return r;
                }
                if ((m = json_member(val, "nanosecs"))) {
                        JsonPath e = JSON_PATH_KEY(&c, "nanosecs");
                        r = json_to_u64(m, &e, UINT32_MAX, "an unsigned 32-bit integer", &nsecs,
                                        err);
                        if (r < 0)
                                return r;
                }
                if (mono) {
                        l->time_offsets.has_monotonic = true;
                        l->time_offsets.monotonic_secs = secs;
                        l->time_offsets.monotonic_nanosecs = (uint32_t)nsecs;
                } else {
                        l->time_offsets.has_boottime = true;
                        l->time_offsets.boottime_secs = secs;
                        l->time_offsets.boottime_nanosecs = (uint32_t)nsecs;
                }
        }
        return 0;
}

static const JsonField linux_fields[] = {
        JSON_FIELD("cgroupsPath", JSON_FIELD_STRING, SpecLinux, cgroups_path),
        JSON_FIELD("rootfsPropagation", JSON_FIELD_STRING, SpecLinux, rootfs_propagation),
        JSON_FIELD("maskedPaths", JSON_FIELD_STRV, SpecLinux, masked_paths),
        JSON_FIELD("readonlyPaths", JSON_FIELD_STRV, SpecLinux, readonly_paths),
        JSON_FIELD("mountLabel", JSON_FIELD_STRING, SpecLinux, mount_label),
};

static const JsonField intel_rdt_fields[] = {
        JSON_FIELD("closID", JSON_FIELD_STRING, SpecLinux, intel_rdt.clos_id),
        JSON_FIELD("l3CacheSchema", JSON_FIELD_STRING, SpecLinux, intel_rdt.l3_cache_schema),
        JSON_FIELD("memBwSchema", JSON_FIELD_STRING, SpecLinux, intel_rdt.mem_bw_schema),
        JSON_FIELD("enableCMT", JSON_FIELD_BOOL, SpecLinux, intel_rdt.enable_cmt),
        JSON_FIELD("enableMBM", JSON_FIELD_BOOL, SpecLinux, intel_rdt.enable_mbm),
};

static const JsonField personality_fields[] = {
        JSON_FIELD_REQ("domain", JSON_FIELD_STRING, SpecLinux, personality.domain),
        JSON_FIELD("flags", JSON_FIELD_STRV, SpecLinux, personality.flags),
};

static int parse_linux(struct json_object *v, const JsonPath *p, SpecLinux *l, BerthError **err)
{
        struct json_object *m;
        int r;

        r = json_parse_object(v, p, FIELDS(linux_fields), l, err);
        if (r < 0)
                return r;
        r = check_member_one_of(p, "rootfsPropagation", l->rootfs_propagation, propagations,
                                "propagation", err);
        if (r < 0)
                return r;
        r = check_strv_absolute(l->masked_paths, p, "maskedPaths", err);
        if (r < 0)
                return r;
        r = check_strv_absolute(l->readonly_paths, p, "readonlyPaths", err);
        if (r < 0)
                return r;

        r = parse_id_mappings(v, p, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err);
        if (r < 0)
                return r;
        r = parse_id_mappings(v, p, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err);
        if (r < 0)
                return r;

        if ((m = json_member(v, "timeOffsets"))) {
                JsonPath c = JSON_PATH_KEY(p, "timeOffsets");
                r = parse_time_offsets(m, &c, l, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "sysctl"))) {
                JsonPath c = JSON_PATH_KEY(p, "sysctl");
                r = parse_string_map(m, &c, &l->sysctl, &l->n_sysctl, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "resources"))) {
                JsonPath c = JSON_PATH_KEY(p, "resources");
                l->resources = calloc(1, sizeof(SpecResources));
                if (!l->resources)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_resources(m, &c, l->resources, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "namespaces"))) {
                JsonPath c = JSON_PATH_KEY(p, "namespaces");
                r = parse_namespaces(m, &c, l, err);
                if (r < 0)
                        return r;
        }

        r = parse_member_array(v, p, "devices", sizeof(SpecDevice), parse_device,
                               (void **)&l->devices, &l->n_devices, err);
        if (r < 0)
                return r;

        if ((m = json_member(v, "seccomp"))) {
                JsonPath c = JSON_PATH_KEY(p, "seccomp");
                l->seccomp = calloc(1, sizeof(SpecSeccomp));
                if (!l->seccomp)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_seccomp(m, &c, l->seccomp, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(v, "intelRdt"))) {
                JsonPath c = JSON_PATH_KEY(p, "intelRdt");
                const char *id;

                r = json_parse_object(m, &c, FIELDS(intel_rdt_fields), l, err);
                if (r < 0)
                        return r;
                /* closID names a directory under /sys/fs/resctrl: keep it there. */
                id = l->intel_rdt.clos_id;
                if (id && (isempty(id) || strchr(id, '/') || streq(id, ".") || streq(id, ".."))) {
                        JsonPath e = JSON_PATH_KEY(&c, "closID");
                        return json_path_error(err, &e, "must be a plain directory name");
                }
                l->intel_rdt.present = true;
        }

        if ((m = json_member(v, "personality"))) {
                JsonPath c = JSON_PATH_KEY(p, "personality");
                r = json_parse_object(m, &c, FIELDS(personality_fields), l, err);
                if (r < 0)
                        return r;
                r = check_member_one_of(&c, "domain", l->personality.domain,
                                        personality_domains, "personality domain", err);
                if (r < 0)
                        return r;
                l->personality.present = true;
        }
        return 0;
}

/* ---- the document ---- */

static const JsonField spec_fields[] = {
        JSON_FIELD_REQ("ociVersion", JSON_FIELD_STRING, Spec, oci_version),
        JSON_FIELD("hostname", JSON_FIELD_STRING, Spec, hostname),
        JSON_FIELD("domainname", JSON_FIELD_STRING, Spec, domainname),
};

static const JsonField root_fields[] = {
        JSON_FIELD_REQ("path", JSON_FIELD_STRING, Spec, root_path),
        JSON_FIELD("readonly", JSON_FIELD_BOOL, Spec, root_readonly),
};

static int parse_spec(struct json_object *doc, Spec *s, BerthError **err)
{
        struct json_object *m;
        int r;

        r = json_parse_fields(doc, NULL, FIELDS(spec_fields), s, err);
        if (r < 0)
                return r;
        if (isempty(s->oci_version)) {
                JsonPath c = JSON_PATH_KEY(NULL, "ociVersion");
                return json_path_error(err, &c, "must not be empty");
        }

        {
                JsonPath c = JSON_PATH_KEY(NULL, "root");
                m = json_member(doc, "root");
                if (!m)
                        return json_path_error(err, &c, "required field is missing");
                r = json_parse_object(m, &c, FIELDS(root_fields), s, err);
                if (r < 0)
                        return r;
                if (isempty(s->root_path)) {
                        JsonPath e = JSON_PATH_KEY(&c, "path");
                        return json_path_error(err, &e, "must not be empty");
                }
        }

        r = parse_member_array(doc, NULL, "mounts", sizeof(SpecMount), parse_mount,
                               (void **)&s->mounts, &s->n_mounts, err);
        if (r < 0)
                return r;

        if ((m = json_member(doc, "process"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "process");
                s->process = calloc(1, sizeof(SpecProcess));
                if (!s->process)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_process(m, &c, s->process, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(doc, "hooks"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "hooks");
                r = parse_hooks(m, &c, s, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(doc, "annotations"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "annotations");
                r = parse_string_map(m, &c, &s->annotations, &s->n_annotations, err);
                if (r < 0)
                        return r;
        }

        if ((m = json_member(doc, "linux"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "linux");
                s->linux_ = calloc(1, sizeof(SpecLinux));
                if (!s->linux_)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_linux(m, &c, s->linux_, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The length of the JSON whitespace that s starts with. */
static size_t skip_whitespace(const char *s, size_t len)
{
        size_t i = 0;

        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
                i++;
        return i;
}

/* name is what a malformed-document error starts with: "config.json" or a file's path. */
static int spec_parse_named(const char *data, size_t len, const char *name, Spec **ret,
                            BerthError **err)
{
        _cleanup_spec_ Spec *s = NULL;
        struct json_tokener *tok;
        enum json_tokener_error jerr;
        struct json_object *doc;
        const char *problem = NULL;
        size_t end;
        ssize_t bad;
        int r;

        if (skip_whitespace(data, len) == len)
                return berth_error(err, 0, "%s: empty document, expected a JSON object", name);
        if (len > INT_MAX)
                return berth_error(err, -EFBIG, "%s: document too large", name);

        tok = json_tokener_new();
        if (!tok)
                return berth_error(err, -ENOMEM, "%s: out of memory", name);
        /* Trailing data is allowed here only to be refused below with a clearer message. */
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                            JSON_TOKENER_VALIDATE_UTF8);
        doc = json_tokener_parse_ex(tok, data, (int)len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (jerr == json_tokener_continue && end == len) {
                /* json-c waits for more input after a bare number; a NUL ends the document. */
                doc = json_tokener_parse_ex(tok, "", 1);
                jerr = json_tokener_get_error(tok);
        }
        if (jerr != json_tokener_success) {
                const char *desc = jerr == json_tokener_continue
                                           ? "unexpected end of data"
                                           : json_tokener_error_desc(jerr);
                json_tokener_free(tok);
                json_object_put(doc);
                return berth_error(err, 0, "%s: malformed JSON at offset %zu: %s", name, end,
                                   desc);
        }
        json_tokener_free(tok);
        /* doc is NULL for a document that is JSON null. */

        s = calloc(1, sizeof(Spec));
        if (!s) {
                json_object_put(doc);
                return berth_error(err, -ENOMEM, "%s: out of memory", name);
        }
        s->json = doc;

        if (end + skip_whitespace(data + end, len - end) < len)
                return berth_error(err, 0,
                                   "%s: malformed JSON at offset %zu: trailing data after the "
                                   "document",
                                   name, end + skip_whitespace(data + end, len - end));
        bad = json_text_check(data, end, &problem);
        if (bad >= 0)
                return berth_error(err, 0, "%s: malformed JSON at offset %zd: %s", name, bad,
                                   problem);
        if (!json_object_is_type(doc, json_type_object))
                return berth_error(err, 0, "%s: expected a JSON object at the top level, got %s",
                                   name, json_type_label(doc));

        r = parse_spec(doc, s, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int spec_parse(const char *data, size_t len, Spec **ret, BerthError **err)
{
        return spec_parse_named(data, len, "config.json", ret, err);
}

int spec_load_file(const char *path, Spec **ret, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r;

        r = read_full_file(path, &data, &size);
        if (r < 0)
                return berth_error(err, r, "Failed to read '%s'", path);
        r = spec_parse_named(data, size, path, ret, err);
        if (r < 0 && err && *err && !startswith((*err)->msg, path))
                /* Errors naming a JSON path gain the file they are in. */
                berth_error_prefix(err, "%s", path);
        return r;
}
