/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `update`: new resource limits for a running container through the runtime's `update -r -`
 * (an OCI linux.resources object on its stdin), the same limits in the bundle's config.json
 * for its next start, and the new values in the row's HostConfig, with the restart policy,
 * which a running container's shim also finds in its state directory (shim.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

#define CONFIG_MAX (8 * 1024 * 1024)
#define CPU_PERIOD_USEC 100000 /* as engine-spec.c sets it at create */

/* obj[key] as an object, made when it is missing (or not an object). */
static struct json_object *member_object(struct json_object *obj, const char *key)
{
        struct json_object *v = jwalk_member(obj, key);

        if (v && json_object_is_type(v, json_type_object))
                return v;
        v = json_object_new_object();
        json_object_object_add(obj, key, v);
        return v;
}

static int64_t host_int(struct json_object *host, const char *key)
{
        struct json_object *v = jwalk_member(host, key);
        return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
}

/* The linux.resources object of what changes. */
static struct json_object *resources_json(const EngineUpdateOptions *o, struct json_object *host,
                                          BerthError **err)
{
        _cleanup_(jwalk_putp) struct json_object *r = json_object_new_object();

        if (o->memory >= 0 || o->memory_swap != INT64_MIN) {
                struct json_object *m = member_object(r, "memory");
                int64_t memory = o->memory >= 0 ? o->memory : host_int(host, "Memory");
                int64_t swap = o->memory_swap != INT64_MIN ? o->memory_swap
                                                           : host_int(host, "MemorySwap");
                if (swap > 0 && memory > swap) {
                        berth_error_plain(err, EINVAL, "--memory: the memory limit should be "
                                          "smaller than the memory+swap limit; update "
                                          "--memory-swap at the same time");
                        return NULL;
                }
                if (o->memory_swap != INT64_MIN && memory <= 0 && swap > 0) {
                        berth_error_plain(err, EINVAL, "--memory-swap: a memory limit is "
                                          "needed as well");
                        return NULL;
                }
                if (memory > 0)
                        json_object_object_add(m, "limit", json_object_new_int64(memory));
                /* Docker: no swap limit of its own allows as much swap again. */
                if (swap != 0)
                        json_object_object_add(m, "swap", json_object_new_int64(swap));
                else if (memory > 0)
                        json_object_object_add(m, "swap", json_object_new_int64(memory * 2));
        }
        if (o->cpu_shares >= 0 || o->nano_cpus >= 0 || o->cpuset_cpus) {
                struct json_object *c = member_object(r, "cpu");
                if (o->cpu_shares > 0)
                        json_object_object_add(c, "shares", json_object_new_int64(o->cpu_shares));
                if (o->nano_cpus >= 0) {
                        json_object_object_add(c, "period", json_object_new_int64(CPU_PERIOD_USEC));
                        /* 0: no quota, which the cgroup spells -1 */
                        json_object_object_add(c, "quota", json_object_new_int64(
                                o->nano_cpus > 0 ? o->nano_cpus * CPU_PERIOD_USEC / 1000000000LL
                                                 : -1));
                }
                if (o->cpuset_cpus)
                        json_object_object_add(c, "cpus", json_object_new_string(o->cpuset_cpus));
        }
        if (o->pids_limit >= 0) {
                struct json_object *p = member_object(r, "pids");
                json_object_object_add(p, "limit", json_object_new_int64(o->pids_limit > 0
                                                                                 ? o->pids_limit
                                                                                 : -1));
        }
        return TAKE_PTR(r);
}

/* Each member of src into dst, objects merged a level down (memory, cpu, pids). */
static void merge(struct json_object *dst, struct json_object *src)
{
        json_object_object_foreach(src, k, v) {
                if (json_object_is_type(v, json_type_object)) {
                        merge(member_object(dst, k), v);
                        continue;
                }
                json_object_object_add(dst, k, json_object_get(v));
        }
}

/* The bundle's config.json, for the next start of the container. */
static int bundle_update(Engine *e, const EngineContainer *c, struct json_object *res,
                         BerthError **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, c->id), *data = NULL, *path = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        size_t len;
        int r;

        if (!dir || asprintf(&path, "%s/config.json", dir) < 0)
                return berth_error(err, ENOMEM, "update");
        r = fs_read_full_file_limited(AT_FDCWD, path, CONFIG_MAX, &data, &len, NULL);
        if (r < 0)
                return berth_error(err, -r, "read `%s`", path);
        doc = jwalk_parse_object(data, len);
        if (!doc)
                return berth_error_plain(err, EBADMSG, "`%s` is no JSON object", path);
        merge(member_object(member_object(doc, "linux"), "resources"), res);
        const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        r = fs_write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0)
                return berth_error(err, -r, "write `%s`", path);
        return 0;
}

static void host_update(struct json_object *host, const EngineUpdateOptions *o)
{
        if (o->memory >= 0)
                json_object_object_add(host, "Memory", json_object_new_int64(o->memory));
        if (o->memory_swap != INT64_MIN)
                json_object_object_add(host, "MemorySwap", json_object_new_int64(o->memory_swap));
        if (o->nano_cpus >= 0)
                json_object_object_add(host, "NanoCpus", json_object_new_int64(o->nano_cpus));
        if (o->cpu_shares >= 0)
                json_object_object_add(host, "CpuShares", json_object_new_int64(o->cpu_shares));
        if (o->cpuset_cpus)
                json_object_object_add(host, "CpusetCpus", json_object_new_string(o->cpuset_cpus));
        if (o->pids_limit >= 0)
                json_object_object_add(host, "PidsLimit", o->pids_limit > 0
                                                                  ? json_object_new_int64(o->pids_limit)
                                                                  : NULL);
        if (o->restart) {
                struct json_object *rp = json_object_new_object();
                json_object_object_add(rp, "Name", json_object_new_string(
                                                           restart_policy_name(o->restart->kind)));
                json_object_object_add(rp, "MaximumRetryCount",
                                       json_object_new_int((int)o->restart->max_retries));
                json_object_object_add(host, "RestartPolicy", rp);
        }
}

/* The running shim decides on restarts at each exit: it reads the new policy there. */
static int restart_policy_tell_shim(Engine *e, const EngineContainer *c, const RestartPolicy *p,
                                    BerthError **err)
{
        _cleanup_free_ char *state = engine_container_state_dir(e, c->id), *path = NULL;
        char buf[48];
        int r;

        if (!state || asprintf(&path, "%s/restart-policy", state) < 0)
                return berth_error(err, ENOMEM, "update `%s`", c->name);
        restart_policy_format(p, buf, sizeof(buf));
        strcat(buf, "\n");
        r = fs_write_file_replace(path, buf, strlen(buf), 0644);
        if (r < 0)
                return berth_error(err, -r, "update `%s`: write `%s`", c->name, path);
        return 0;
}

int engine_container_update(Engine *e, EngineContainer *c, const EngineUpdateOptions *o,
                            BerthError **err)
{
        _cleanup_(jwalk_putp) struct json_object *doc = jwalk_parse_object(c->config,
                                                                           strlen(c->config));
        _cleanup_(jwalk_putp) struct json_object *res = NULL;
        struct json_object *host;
        int r;

        if (!doc)
                return berth_error_plain(err, EBADMSG, "update `%s`: its stored config is no "
                                         "JSON object", c->name);
        if (o->restart && o->restart->kind != RESTART_NO && c->run.auto_remove)
                return berth_error_plain(err, EINVAL, "update `%s`: a restart policy cannot be "
                                         "set on a container started with --rm", c->name);
        host = member_object(doc, "HostConfig");
        res = resources_json(o, host, err);
        if (!res)
                return -EINVAL;
        if (json_object_object_length(res) > 0) {
                const char *text = json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN);
                if (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
                    c->state == ENGINE_STATE_RESTARTING) {
                        _cleanup_free_ char *out = NULL, *msg = NULL;
                        r = engine_runtime_output(e, c->run.runtime,
                                                  (char *[]){ "update", "-r", "-", c->id, NULL },
                                                  text, 64 * 1024, &out, &msg);
                        if (r != 0)
                                return berth_error_plain(err, r < 0 ? -r : EIO,
                                                         "update `%s`: %s", c->name,
                                                         msg && *msg ? msg
                                                                     : "the runtime failed");
                }
                r = bundle_update(e, c, res, err);
                if (r < 0)
                        return berth_error_prefix(err, "update `%s`", c->name);
        }
        host_update(host, o);
        const char *config = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        r = engine_record_set_config(e, c->id, config, err);
        if (r < 0)
                return r;
        if (o->restart && (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
                           c->state == ENGINE_STATE_RESTARTING)) {
                r = restart_policy_tell_shim(e, c, o->restart, err);
                if (r < 0)
                        return r;
        }
        char *copy = strdup(config);
        if (copy) {
                free(c->config);
                c->config = copy;
        }
        return 0;
}
