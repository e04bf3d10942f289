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
#include "spec/spec-linux.h"

static const char *const namespace_names[_SPEC_NS_MAX] = {
        [SPEC_NS_PID] = "pid",       [SPEC_NS_NETWORK] = "network", [SPEC_NS_MOUNT] = "mount",
        [SPEC_NS_IPC] = "ipc",       [SPEC_NS_UTS] = "uts",         [SPEC_NS_USER] = "user",
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
        "IOPRIO_CLASS_RT",
        "IOPRIO_CLASS_BE",
        "IOPRIO_CLASS_IDLE",
        NULL,
};

static const char *const sched_policies[] = {
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
        "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const char *const sched_flags[] = {
        "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
        "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
        "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

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
        spec_json_free_key_values(s->annotations, s->n_annotations);
        spec_linux_free(s->linux_);
        if (s->json)
                json_object_put(s->json);
        free(s);
}

/* ---- id mappings, mounts ---- */

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

        r = spec_json_parse_object(v, p, FIELDS(mount_fields), m, err);
        if (r < 0)
                return r;
        r = spec_parse_id_mappings(v, p, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err);
        if (r < 0)
                return r;
        return spec_parse_id_mappings(v, p, "gidMappings", &m->gid_mappings, &m->n_gid_mappings,
                                      err);
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
        int r = jwalk_to_u64(v, p, UINT32_MAX, "an unsigned 32-bit integer", &u, err);
        if (r >= 0)
                *(uint32_t *)elem = (uint32_t)u;
        return r;
}

static int parse_user(struct json_object *v, const JsonPath *p, SpecUser *u, BerthError **err)
{
        struct json_object *g;
        int r;

        r = spec_json_parse_object(v, p, FIELDS(user_fields), u, err);
        if (r < 0)
                return r;
        g = jwalk_member(v, "additionalGids");
        if (g) {
                JsonPath c = JSON_PATH_KEY(p, "additionalGids");
                r = jwalk_parse_array(g, &c, sizeof(uint32_t), parse_gid,
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

        r = spec_json_parse_object(v, p, FIELDS(rlimit_fields), rl, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(rlimit_table); i++)
                if (streq(rl->type, rlimit_table[i].name)) {
                        rl->resource = rlimit_table[i].resource;
                        return 0;
                }

        JsonPath c = JSON_PATH_KEY(p, "type");
        char buf[256];
        string_json_escape(rl->type, buf, sizeof(buf));
        return jwalk_error(err, &c, "unknown rlimit \"%s\"", buf);
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

        r = spec_json_parse_object(v, p, FIELDS(process_fields), proc, err);
        if (r < 0)
                return r;
        if (!proc->args[0]) {
                JsonPath c = JSON_PATH_KEY(p, "args");
                return jwalk_error(err, &c, "must contain at least one element");
        }
        if (proc->has_oom_score_adj &&
            (proc->oom_score_adj < -1000 || proc->oom_score_adj > 1000)) {
                JsonPath c = JSON_PATH_KEY(p, "oomScoreAdj");
                return jwalk_error(err, &c, "must be between -1000 and 1000, got %d",
                                       proc->oom_score_adj);
        }

        if ((m = jwalk_member(v, "consoleSize"))) {
                JsonPath c = JSON_PATH_KEY(p, "consoleSize");
                r = spec_json_parse_object(m, &c, FIELDS(console_size_fields), proc, err);
                if (r < 0)
                        return r;
                proc->has_console_size = true;
        }

        if ((m = jwalk_member(v, "user"))) {
                JsonPath c = JSON_PATH_KEY(p, "user");
                r = parse_user(m, &c, &proc->user, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "capabilities"))) {
                JsonPath c = JSON_PATH_KEY(p, "capabilities");
                proc->capabilities = calloc(1, sizeof(SpecCapabilities));
                if (!proc->capabilities)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = spec_json_parse_object(m, &c, FIELDS(capabilities_fields), proc->capabilities,
                                           err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "rlimits"))) {
                JsonPath c = JSON_PATH_KEY(p, "rlimits");
                r = jwalk_parse_array(m, &c, sizeof(SpecRlimit), parse_rlimit,
                                     (void **)&proc->rlimits, &proc->n_rlimits, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < proc->n_rlimits; i++)
                        for (size_t j = 0; j < i; j++)
                                if (proc->rlimits[i].resource == proc->rlimits[j].resource) {
                                        JsonPath e = JSON_PATH_INDEX(&c, i);
                                        return jwalk_error(err, &e, "duplicate rlimit \"%s\"",
                                                               proc->rlimits[i].type);
                                }
        }

        if ((m = jwalk_member(v, "ioPriority"))) {
                JsonPath c = JSON_PATH_KEY(p, "ioPriority");
                r = spec_json_parse_object(m, &c, FIELDS(io_priority_fields), proc, err);
                if (r < 0)
                        return r;
                r = spec_json_check_member_one_of(&c, "class", proc->io_priority_class,
                                             io_priority_classes, "I/O priority class", err);
                if (r < 0)
                        return r;
                if (proc->io_priority < 0 || proc->io_priority > 7) {
                        JsonPath e = JSON_PATH_KEY(&c, "priority");
                        return jwalk_error(err, &e, "must be between 0 and 7, got %d",
                                               proc->io_priority);
                }
                proc->has_io_priority = true;
        }

        if ((m = jwalk_member(v, "scheduler"))) {
                JsonPath c = JSON_PATH_KEY(p, "scheduler");
                proc->scheduler = calloc(1, sizeof(SpecScheduler));
                if (!proc->scheduler)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = spec_json_parse_object(m, &c, FIELDS(scheduler_fields), proc->scheduler, err);
                if (r < 0)
                        return r;
                r = spec_json_check_member_one_of(&c, "policy", proc->scheduler->policy,
                                                  sched_policies, "scheduler policy", err);
                if (r < 0)
                        return r;
                r = spec_json_check_strv_one_of(proc->scheduler->flags, &c, "flags", sched_flags,
                                           "scheduler flag", err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "execCPUAffinity"))) {
                JsonPath c = JSON_PATH_KEY(p, "execCPUAffinity");
                r = spec_json_parse_object(m, &c, FIELDS(cpu_affinity_fields), proc, err);
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

        r = spec_json_parse_object(v, p, FIELDS(hook_fields), h, err);
        if (r < 0)
                return r;
        if (h->has_timeout && h->timeout <= 0) {
                JsonPath c = JSON_PATH_KEY(p, "timeout");
                return jwalk_error(err, &c, "must be greater than zero, got %d", h->timeout);
        }
        return 0;
}

static int parse_hooks(struct json_object *v, const JsonPath *p, Spec *s, BerthError **err)
{
        int r;

        r = jwalk_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        for (size_t k = 0; k < _SPEC_HOOK_MAX; k++) {
                struct json_object *m = jwalk_member(v, hook_names[k]);
                JsonPath c = JSON_PATH_KEY(p, hook_names[k]);

                if (!m)
                        continue;
                r = jwalk_parse_array(m, &c, sizeof(SpecHook), parse_hook,
                                     (void **)&s->hooks[k].hooks, &s->hooks[k].n, err);
                if (r < 0)
                        return r;
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

        r = spec_json_parse_fields(doc, NULL, FIELDS(spec_fields), s, err);
        if (r < 0)
                return r;
        if (isempty(s->oci_version)) {
                JsonPath c = JSON_PATH_KEY(NULL, "ociVersion");
                return jwalk_error(err, &c, "must not be empty");
        }

        {
                JsonPath c = JSON_PATH_KEY(NULL, "root");
                m = jwalk_member(doc, "root");
                if (!m)
                        return jwalk_error(err, &c, "required field is missing");
                r = spec_json_parse_object(m, &c, FIELDS(root_fields), s, err);
                if (r < 0)
                        return r;
                if (isempty(s->root_path)) {
                        JsonPath e = JSON_PATH_KEY(&c, "path");
                        return jwalk_error(err, &e, "must not be empty");
                }
        }

        r = spec_json_parse_member_array(doc, NULL, "mounts", sizeof(SpecMount), parse_mount,
                                    (void **)&s->mounts, &s->n_mounts, err);
        if (r < 0)
                return r;

        if ((m = jwalk_member(doc, "process"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "process");
                s->process = calloc(1, sizeof(SpecProcess));
                if (!s->process)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_process(m, &c, s->process, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(doc, "hooks"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "hooks");
                r = parse_hooks(m, &c, s, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(doc, "annotations"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "annotations");
                r = spec_json_parse_string_map(m, &c, &s->annotations, &s->n_annotations, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(doc, "linux"))) {
                JsonPath c = JSON_PATH_KEY(NULL, "linux");
                s->linux_ = calloc(1, sizeof(SpecLinux));
                if (!s->linux_)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = spec_parse_linux(m, &c, s->linux_, err);
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
                const char *desc = jerr == json_tokener_continue ? "unexpected end of data"
                                                                 : json_tokener_error_desc(jerr);
                json_tokener_free(tok);
                json_object_put(doc);
                return berth_error(err, 0, "%s: malformed JSON at offset %zu: %s", name, end, desc);
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
        bad = jwalk_text_check(data, end, &problem);
        if (bad >= 0)
                return berth_error(err, 0, "%s: malformed JSON at offset %zd: %s", name, bad,
                                   problem);
        if (!json_object_is_type(doc, json_type_object))
                return berth_error(err, 0, "%s: expected a JSON object at the top level, got %s",
                                   name, jwalk_type_label(doc));

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

        r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &data, &size, err);
        if (r < 0)
                return r;
        r = spec_parse_named(data, size, path, ret, err);
        if (r < 0 && err && *err && !startswith((*err)->msg, path))
                /* Errors naming a JSON path gain the file they are in. */
                berth_error_prefix(err, "%s", path);
        return r;
}
