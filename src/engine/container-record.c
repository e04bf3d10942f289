/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The containers table: rows in and out, lookups by name, id and id prefix, and the create
 * request kept as Docker's Config/HostConfig document (what inspect shows, and what every
 * start of the shim reads its options from). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

static int owner_string(char buf[static 64])
{
        uint64_t start = 0;
        bool zombie;

        (void)process_start_time(getpid(), &start, &zombie);
        snprintf(buf, 64, "%d:%llu", (int)getpid(), (unsigned long long)start);
        return 0;
}

/* Whether the command named by owner still runs. */
static bool owner_alive(const char *owner)
{
        unsigned long long start;
        uint64_t now;
        bool zombie;
        int pid;

        if (!owner || sscanf(owner, "%d:%llu", &pid, &start) != 2 || pid <= 0)
                return false;
        if (process_start_time(pid, &now, &zombie) < 0 || zombie)
                return false;
        return now == start;
}

int engine_record_insert(Engine *e, const char *id, const char *name, const char *image,
                         const char *image_id, const char *created, const char *config,
                         BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char owner[64];
        int r;

        owner_string(owner);
        r = store_prepare(e->store,
                          "INSERT INTO containers(id, name, image, image_id, created, config, "
                          "state, owner) VALUES(?, ?, ?, ?, ?, ?, 'creating', ?)",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, image, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, image_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, created, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, config, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, owner, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_CONSTRAINT)
                return berth_error_plain(err, EEXIST,
                                         "the container name `%s` is already in use", name);
        if (r != SQLITE_DONE)
                return store_error(e->store, "add container", err);
        return 0;
}

static int exec_id(Engine *e, const char *sql, const char *id, const char *arg,
                   BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(e->store, sql, &st, err);

        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (arg)
                sqlite3_bind_text(st, 2, arg, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "update container", err);
        return 0;
}

int engine_record_set_state(Engine *e, const char *id, const char *state, BerthError **err)
{
        char owner[64];

        owner_string(owner);
        if (streq(state, "ready"))
                return exec_id(e, "UPDATE containers SET state = 'ready', owner = NULL "
                                  "WHERE id = ?", id, NULL, err);
        _cleanup_free_ char *sql = NULL;
        if (asprintf(&sql, "UPDATE containers SET state = ?2, owner = '%s' WHERE id = ?1",
                     owner) < 0)
                return berth_error(err, ENOMEM, "update container");
        return exec_id(e, sql, id, state, err);
}

int engine_record_set_started(Engine *e, const char *id, BerthError **err)
{
        return exec_id(e, "UPDATE containers SET started = 1 WHERE id = ?", id, NULL, err);
}

int engine_record_delete(Engine *e, const char *id, BerthError **err)
{
        return exec_id(e, "DELETE FROM containers WHERE id = ?", id, NULL, err);
}

void engine_run_options_done(EngineRunOptions *r)
{
        free(r->runtime);
        free(r->stop_signal);
        strv_free(r->health_cmd);
        *r = (EngineRunOptions){};
}

void engine_container_free(EngineContainer *c)
{
        if (!c)
                return;
        free(c->id);
        free(c->name);
        free(c->image);
        free(c->image_id);
        free(c->created);
        free(c->config);
        engine_run_options_done(&c->run);
        free(c->started_at);
        free(c->finished_at);
        free(c->health);
        free(c);
}

void engine_container_list_free(EngineContainer **list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                engine_container_free(list[i]);
        free(list);
}

#define ROW_COLUMNS "id, name, image, image_id, created, config, state, owner, started"

/* A row into a container, its state read from the shim. Returns 1 for a row that a command
 * is working on right now (not to be shown), 0 for a container. */
static int row_load(Engine *e, sqlite3_stmt *st, EngineContainer **ret, BerthError **err)
{
        _cleanup_engine_container_ EngineContainer *c = calloc(1, sizeof(*c));
        const char *state = (const char *)sqlite3_column_text(st, 6);

        if (!c)
                return berth_error(err, ENOMEM, "container");
        if (state && !streq(state, "ready") && owner_alive((const char *)sqlite3_column_text(st, 7)))
                return 1;
        c->id = store_column_strdup(st, 0);
        c->name = store_column_strdup(st, 1);
        c->image = store_column_strdup(st, 2);
        c->image_id = store_column_strdup(st, 3);
        c->created = store_column_strdup(st, 4);
        c->config = store_column_strdup(st, 5);
        if (!c->id || !c->name || !c->image || !c->image_id || !c->created || !c->config)
                return berth_error(err, ENOMEM, "container");
        if (state && !streq(state, "ready")) {
                /* Left half way by a command that died: treated as dead until repaired. */
                c->state = ENGINE_STATE_DEAD;
                *ret = TAKE_PTR(c);
                return 0;
        }
        (void)engine_record_run_options(c->config, &c->run);
        (void)engine_shim_read_state(e, c, sqlite3_column_int(st, 8) != 0);
        *ret = TAKE_PTR(c);
        return 0;
}

static bool is_hex(const char *s)
{
        return *s && strspn(s, "0123456789abcdef") == strlen(s);
}

int engine_container_lookup(Engine *e, const char *ref, EngineContainer **ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_engine_container_ EngineContainer *found = NULL;
        int r, n = 0;

        if (!ref || !*ref)
                return berth_error_plain(err, EINVAL, "a container name or id is needed");
        /* An exact name or id first, then an id prefix: Docker's order. */
        r = store_prepare(e->store,
                          "SELECT " ROW_COLUMNS ", 0 FROM containers WHERE id = ?1 OR name = ?1 "
                          "UNION ALL SELECT " ROW_COLUMNS ", 1 FROM containers "
                          "WHERE ?2 AND substr(id, 1, length(?1)) = ?1 AND id != ?1 "
                          "ORDER BY 10",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, ref[0] == '/' ? ref + 1 : ref, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, is_hex(ref));
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (sqlite3_column_int(st, 9) == 0) {
                        EngineContainer *c = NULL;
                        r = row_load(e, st, &c, err);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                return berth_error_plain(err, EBUSY,
                                                         "container `%s` is being created or "
                                                         "removed", ref);
                        *ret = c;
                        return 0;
                }
                if (n++ > 0)
                        return berth_error_plain(err, EINVAL,
                                                 "`%s` matches several containers: give more of "
                                                 "the id", ref);
                r = row_load(e, st, &found, err);
                if (r < 0)
                        return r;
        }
        if (r != SQLITE_DONE)
                return store_error(e->store, "look up container", err);
        if (!found)
                return berth_error_plain(err, ENOENT, "no such container: %s", ref);
        *ret = TAKE_PTR(found);
        return 0;
}

int engine_container_list(Engine *e, bool all, EngineContainer ***ret, size_t *ret_n,
                          BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        EngineContainer **list = NULL;
        size_t n = 0;
        int r;

        engine_repair(e);
        r = store_prepare(e->store, "SELECT " ROW_COLUMNS " FROM containers "
                                    "ORDER BY created DESC, rowid DESC", &st, err);
        if (r < 0)
                return r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                EngineContainer *c = NULL;
                r = row_load(e, st, &c, err);
                if (r < 0)
                        goto fail;
                if (r > 0)
                        continue;
                if (!all && c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED &&
                    c->state != ENGINE_STATE_RESTARTING) {
                        engine_container_free(c);
                        continue;
                }
                EngineContainer **m = realloc(list, (n + 1) * sizeof(*list));
                if (!m) {
                        engine_container_free(c);
                        r = berth_error(err, ENOMEM, "list containers");
                        goto fail;
                }
                list = m;
                list[n++] = c;
        }
        if (r != SQLITE_DONE) {
                r = store_error(e->store, "list containers", err);
                goto fail;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        engine_container_list_free(list, n);
        return r;
}

void engine_repair(Engine *e)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **ids = NULL;

        if (store_prepare(e->store, "SELECT id, owner FROM containers WHERE state != 'ready'", &st,
                          NULL) < 0)
                return;
        while (sqlite3_step(st) == SQLITE_ROW)
                if (!owner_alive((const char *)sqlite3_column_text(st, 1)))
                        (void)strv_extend(&ids, (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(TAKE_PTR(st));
        STRV_FOREACH(id, ids) {
                _cleanup_error_ BerthError *err = NULL;
                /* Claimed first, so two repairing commands do not both tear it down. */
                if (engine_record_set_state(e, *id, "removing", &err) < 0)
                        continue;
                (void)engine_container_teardown(e, *id, &err);
        }
}

/* ---- the Config/HostConfig document ---- */

static struct json_object *strv_json(char **v)
{
        struct json_object *a;

        if (!v)
                return NULL;
        a = json_object_new_array();
        STRV_FOREACH(s, v)
                json_object_array_add(a, json_object_new_string(*s));
        return a;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        json_object_object_add(o, key, v);
}

static struct json_object *string_or_null(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}

static struct json_object *labels_json(char **labels)
{
        struct json_object *o = json_object_new_object();

        STRV_FOREACH(l, labels) {
                const char *eq = strchr(*l, '=');
                _cleanup_free_ char *k = strndup(*l, eq ? (size_t)(eq - *l) : strlen(*l));
                if (k)
                        add(o, k, json_object_new_string(eq ? eq + 1 : ""));
        }
        return o;
}

int engine_record_config_build(const EngineCreateOptions *o, const ImageRunConfig *image,
                               const char *image_ref, char **ret, BerthError **err)
{
        _cleanup_(jwalk_putp) struct json_object *doc = json_object_new_object();
        struct json_object *cfg = json_object_new_object(), *host = json_object_new_object();
        const EngineRunOptions *run = &o->run;
        const EngineSpecOptions *s = &o->spec;

        add(doc, "Config", cfg);
        add(doc, "HostConfig", host);
        add(cfg, "Hostname", string_or_null(s->hostname));
        add(cfg, "User", json_object_new_string(o->user ? o->user :
                                                image && image->user ? image->user : ""));
        add(cfg, "Tty", json_object_new_boolean(run->tty));
        add(cfg, "OpenStdin", json_object_new_boolean(run->open_stdin));
        add(cfg, "Env", strv_json(s->env));
        add(cfg, "Cmd", strv_json(o->cmd_argv ? o->cmd_argv : image ? image->cmd : NULL));
        add(cfg, "Image", json_object_new_string(image_ref));
        add(cfg, "WorkingDir", json_object_new_string(s->workdir ? s->workdir :
                                                      image && image->working_dir ?
                                                      image->working_dir : ""));
        add(cfg, "Entrypoint", strv_json(o->entrypoint_argv ? o->entrypoint_argv :
                                         image ? image->entrypoint : NULL));
        add(cfg, "Labels", labels_json(o->labels));
        add(cfg, "StopSignal", string_or_null(run->stop_signal ? run->stop_signal :
                                              image ? image->stop_signal : NULL));
        if (run->stop_timeout >= 0)
                add(cfg, "StopTimeout", json_object_new_int(run->stop_timeout));
        if (run->health_cmd) {
                struct json_object *h = json_object_new_object();
                struct json_object *test = json_object_new_array();
                json_object_array_add(test, json_object_new_string("CMD"));
                STRV_FOREACH(a, run->health_cmd)
                        json_object_array_add(test, json_object_new_string(*a));
                add(h, "Test", test);
                add(h, "Interval", json_object_new_int64(run->health_interval));
                add(h, "Timeout", json_object_new_int64(run->health_timeout));
                add(h, "StartPeriod", json_object_new_int64(run->health_start_period));
                add(h, "Retries", json_object_new_int((int)run->health_retries));
                add(cfg, "Healthcheck", h);
        }

        struct json_object *rp = json_object_new_object();
        add(rp, "Name", json_object_new_string(restart_policy_name(run->restart.kind)));
        add(rp, "MaximumRetryCount", json_object_new_int((int)run->restart.max_retries));
        add(host, "RestartPolicy", rp);
        add(host, "AutoRemove", json_object_new_boolean(run->auto_remove));
        add(host, "Runtime", string_or_null(run->runtime));
        add(host, "Init", json_object_new_boolean(o->init));
        add(host, "Privileged", json_object_new_boolean(s->privileged));
        add(host, "ReadonlyRootfs", json_object_new_boolean(s->read_only));
        add(host, "Binds", strv_json(o->mounts));
        add(host, "CapAdd", strv_json(s->cap_add));
        add(host, "CapDrop", strv_json(s->cap_drop));
        add(host, "Memory", json_object_new_int64(s->memory));
        add(host, "MemorySwap", json_object_new_int64(s->memory_swap));
        add(host, "NanoCpus", json_object_new_int64(s->nano_cpus));
        add(host, "CpuShares", json_object_new_int64(s->cpu_shares));
        add(host, "CpusetCpus", json_object_new_string(s->cpuset_cpus ? s->cpuset_cpus : ""));
        add(host, "PidsLimit", s->pids_limit ? json_object_new_int64(s->pids_limit) : NULL);
        add(host, "ShmSize", json_object_new_int64(s->shm_size));
        add(host, "NetworkMode", json_object_new_string(!s->netns ? "none" :
                                                        streq(s->netns, "host") ? "host" : "none"));
        struct json_object *log = json_object_new_object(), *lc = json_object_new_object();
        add(log, "Type", json_object_new_string("json-file"));
        char num[32];
        if (run->log_max_size > 0) {
                snprintf(num, sizeof(num), "%lld", (long long)run->log_max_size);
                add(lc, "max-size", json_object_new_string(num));
        }
        if (run->log_max_files > 0) {
                snprintf(num, sizeof(num), "%u", run->log_max_files);
                add(lc, "max-file", json_object_new_string(num));
        }
        add(log, "Config", lc);
        add(host, "LogConfig", log);

        const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        *ret = text ? strdup(text) : NULL;
        return *ret ? 0 : berth_error(err, ENOMEM, "container config");
}

static int64_t get_int64(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *get_string(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static bool get_bool(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

int engine_record_run_options(const char *config, EngineRunOptions *ret)
{
        _cleanup_(jwalk_putp) struct json_object *doc =
                jwalk_parse_object(config, strlen(config));
        struct json_object *cfg, *host, *rp, *h, *log, *lc;
        EngineRunOptions r = { .stop_timeout = -1 };
        const char *s;

        if (!doc || !json_object_object_get_ex(doc, "Config", &cfg) ||
            !json_object_object_get_ex(doc, "HostConfig", &host))
                return -EBADMSG;
        r.tty = get_bool(cfg, "Tty");
        r.open_stdin = get_bool(cfg, "OpenStdin");
        r.auto_remove = get_bool(host, "AutoRemove");
        if ((s = get_string(host, "Runtime")))
                r.runtime = strdup(s);
        if ((s = get_string(cfg, "StopSignal")))
                r.stop_signal = strdup(s);
        struct json_object *t;
        if (json_object_object_get_ex(cfg, "StopTimeout", &t))
                r.stop_timeout = json_object_get_int(t);
        if (json_object_object_get_ex(host, "RestartPolicy", &rp)) {
                _cleanup_error_ BerthError *err = NULL;
                (void)restart_policy_parse(get_string(rp, "Name") ?: "no", &r.restart, &err);
                r.restart.max_retries = (unsigned)get_int64(rp, "MaximumRetryCount");
        }
        if (json_object_object_get_ex(host, "LogConfig", &log) &&
            json_object_object_get_ex(log, "Config", &lc)) {
                if ((s = get_string(lc, "max-size")))
                        r.log_max_size = strtoll(s, NULL, 10);
                if ((s = get_string(lc, "max-file")))
                        r.log_max_files = (unsigned)strtoul(s, NULL, 10);
        }
        if (json_object_object_get_ex(cfg, "Healthcheck", &h)) {
                struct json_object *test;
                if (json_object_object_get_ex(h, "Test", &test) &&
                    json_object_is_type(test, json_type_array))
                        for (size_t i = 1; i < json_object_array_length(test); i++)
                                (void)strv_extend(&r.health_cmd, json_object_get_string(
                                                                         json_object_array_get_idx(
                                                                                 test, i)));
                r.health_interval = get_int64(h, "Interval");
                r.health_timeout = get_int64(h, "Timeout");
                r.health_start_period = get_int64(h, "StartPeriod");
                r.health_retries = (unsigned)get_int64(h, "Retries");
        }
        *ret = r;
        return 0;
}
