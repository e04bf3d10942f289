/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The volumes table and the volumes' directories: create, lookup, list, remove, prune. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/dir-stack.h"
#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/engine-internal.h"
#include "engine/mount-spec.h"
#include "engine/volume.h"

#define VOLUME_NAME_MAX 255
#define VOLUME_LABELS_MAX 1024

void engine_volume_free(EngineVolume *v)
{
        if (!v)
                return;
        free(v->name);
        free(v->driver);
        free(v->created);
        free(v->mountpoint);
        free(v->labels);
        free(v->options);
        strv_free(v->users);
        free(v);
}

void engine_volume_list_free(EngineVolume **list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                engine_volume_free(list[i]);
        free(list);
}

char *engine_volume_dir(const Engine *e, const char *name)
{
        char *p;
        return asprintf(&p, "%s/volumes/%s", e->root, name) < 0 ? NULL : p;
}

static int random_name(char ret[static 65])
{
        uint8_t b[32];

        if (getrandom(b, sizeof(b), 0) != sizeof(b))
                return -errno;
        for (size_t i = 0; i < sizeof(b); i++)
                sprintf(ret + 2 * i, "%02x", b[i]);
        return 0;
}

/* --label key=value (or key) as a JSON object's text; an anonymous volume carries docker's
 * label for it too. */
static int labels_text(char **labels, bool anonymous, char **ret, BerthError **err)
{
        _cleanup_(jwalk_putp) struct json_object *o = json_object_new_object();
        const char *text;

        if (!o)
                return berth_error(err, ENOMEM, "volume labels");
        if (strv_length(labels) > VOLUME_LABELS_MAX)
                return berth_error_plain(err, E2BIG, "more than %d labels",
                                         VOLUME_LABELS_MAX);
        STRV_FOREACH(l, labels) {
                size_t klen = strcspn(*l, "=");
                _cleanup_free_ char *key = strndup(*l, klen);
                if (!key)
                        return berth_error(err, ENOMEM, "volume labels");
                if (!*key)
                        return berth_error_plain(err, EINVAL, "label `%s`: no key", *l);
                if (json_object_object_add(o, key, json_object_new_string(
                                                           (*l)[klen] ? *l + klen + 1 : "")) < 0)
                        return berth_error(err, ENOMEM, "volume labels");
        }
        if (anonymous && json_object_object_add(o, ENGINE_VOLUME_ANONYMOUS_LABEL,
                                                json_object_new_string("")) < 0)
                return berth_error(err, ENOMEM, "volume labels");
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        *ret = text ? strdup(text) : NULL;
        return *ret ? 0 : berth_error(err, ENOMEM, "volume labels");
}

/* The local driver's options are mount options (type, device, o, size); mounting a volume
 * from them is not done yet, so any is refused rather than silently ignored. */
static int check_options(char **options, BerthError **err)
{
        static const char *const known[] = { "type", "device", "o", "size" };

        STRV_FOREACH(opt, options) {
                size_t klen = strcspn(*opt, "=");
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        if (strlen(known[i]) == klen && strncmp(*opt, known[i], klen) == 0)
                                ok = true;
                if (!ok)
                        return berth_error_plain(err, EINVAL, "invalid option key `%.*s` (the "
                                                 "local driver takes type, device, o, size)",
                                                 (int)klen, *opt);
        }
        if (options)
                return berth_error_plain(err, ENOTSUP, "option `%s`: volumes mounted from "
                                         "driver options are not supported yet", options[0]);
        return 0;
}

static int insert_row(Engine *e, const char *name, const char *labels, bool anonymous,
                      bool *ret_created, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char created[64];
        int r;

        time_format_rfc3339_now(created, sizeof(created));
        r = store_prepare(e->store, "INSERT OR IGNORE INTO volumes(name, driver, created, labels, "
                                    "options, anonymous) VALUES(?, 'local', ?, ?, '{}', ?)",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, created, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, labels, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, anonymous);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "add volume", err);
        *ret_created = sqlite3_changes(e->store->db) > 0;
        return 0;
}

int engine_volume_create(Engine *e, const EngineVolumeCreateOptions *o, EngineVolume **ret,
                         bool *ret_created, BerthError **err)
{
        _cleanup_free_ char *labels = NULL, *dir = NULL, *data = NULL;
        char generated[65];
        const char *name = o->name;
        bool created = false;
        int r;

        if (o->driver && !streq(o->driver, "local"))
                return berth_error_plain(err, ENOTSUP, "volume driver `%s` is not supported "
                                         "(only local)", o->driver);
        if (!name) {
                r = random_name(generated);
                if (r < 0)
                        return berth_error(err, -r, "volume name");
                name = generated;
        } else if (strlen(name) > VOLUME_NAME_MAX || !mount_spec_volume_name_is_valid(name))
                return berth_error_plain(err, EINVAL, "invalid volume name `%s`: only "
                                         "[a-zA-Z0-9][a-zA-Z0-9_.-]+ are allowed", name);
        r = check_options(o->options, err);
        if (r < 0)
                return r;
        r = labels_text(o->labels, o->anonymous, &labels, err);
        if (r < 0)
                return r;
        r = insert_row(e, name, labels, o->anonymous, &created, err);
        if (r < 0)
                return berth_error_prefix(err, "create volume `%s`", name);
        /* Made also for a row that exists: a directory lost is made again, empty. */
        dir = engine_volume_dir(e, name);
        if (!dir || asprintf(&data, "%s/_data", dir) < 0)
                return berth_error(err, ENOMEM, "create volume");
        r = fs_mkdir_p(data, 0755);
        if (r < 0) {
                berth_error(err, r, "create volume `%s`: create `%s`", name, data);
                if (created)
                        (void)engine_volume_remove(e, name, NULL);
                return r;
        }
        if (ret_created)
                *ret_created = created;
        if (!ret)
                return 0;
        r = engine_volume_lookup(e, name, ret, err);
        if (r < 0 && created)
                (void)engine_volume_remove(e, name, NULL);
        return r;
}

/* The ids of the containers that use name. */
static int volume_users(Engine *e, const char *name, char ***ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        r = store_prepare(e->store, "SELECT container FROM volume_refs WHERE volume = ? "
                                    "ORDER BY container", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
                if (strv_extend(&ids, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return berth_error(err, ENOMEM, "volume users");
        if (r != SQLITE_DONE)
                return store_error(e->store, "read volume users", err);
        *ret = TAKE_PTR(ids);
        return 0;
}

#define VOLUME_COLUMNS "name, driver, created, labels, options, anonymous"

static int row_load(Engine *e, sqlite3_stmt *st, EngineVolume **ret, BerthError **err)
{
        _cleanup_engine_volume_ EngineVolume *v = calloc(1, sizeof(*v));
        _cleanup_free_ char *dir = NULL;
        int r;

        if (!v)
                return berth_error(err, ENOMEM, "volume");
        v->name = store_column_strdup(st, 0);
        v->driver = store_column_strdup(st, 1);
        v->created = store_column_strdup(st, 2);
        v->labels = store_column_strdup(st, 3);
        v->options = store_column_strdup(st, 4);
        v->anonymous = sqlite3_column_int(st, 5) != 0;
        if (!v->name || !v->driver || !v->created || !v->labels || !v->options)
                return berth_error(err, ENOMEM, "volume");
        dir = engine_volume_dir(e, v->name);
        if (!dir || asprintf(&v->mountpoint, "%s/_data", dir) < 0)
                return berth_error(err, ENOMEM, "volume");
        r = volume_users(e, v->name, &v->users, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(v);
        return 0;
}

int engine_volume_lookup(Engine *e, const char *name, EngineVolume **ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(e->store, "SELECT " VOLUME_COLUMNS " FROM volumes WHERE name = ?", &st,
                          err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return berth_error_plain(err, ENOENT, "no such volume: %s", name);
        if (r != SQLITE_ROW)
                return store_error(e->store, "look up volume", err);
        return row_load(e, st, ret, err);
}

int engine_volume_list(Engine *e, EngineVolume ***ret, size_t *ret_n, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        EngineVolume **list = NULL;
        size_t n = 0;
        int r;

        r = store_prepare(e->store, "SELECT " VOLUME_COLUMNS " FROM volumes ORDER BY name", &st,
                          err);
        if (r < 0)
                return r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                EngineVolume *v = NULL, **m;
                r = row_load(e, st, &v, err);
                if (r < 0)
                        goto fail;
                m = realloc(list, (n + 1) * sizeof(*list));
                if (!m) {
                        engine_volume_free(v);
                        r = berth_error(err, ENOMEM, "list volumes");
                        goto fail;
                }
                list = m;
                list[n++] = v;
        }
        if (r != SQLITE_DONE) {
                r = store_error(e->store, "list volumes", err);
                goto fail;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        engine_volume_list_free(list, n);
        return r;
}

int engine_volume_remove(Engine *e, const char *name, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **users = NULL;
        _cleanup_free_ char *dir = NULL, *joined = NULL;
        int r;

        /* The row goes only while no container uses it, in one statement: a create that takes
         * the volume at the same time either is seen here or finds no volume. */
        r = store_prepare(e->store, "DELETE FROM volumes WHERE name = ?1 AND NOT EXISTS "
                                    "(SELECT 1 FROM volume_refs WHERE volume = ?1)", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "remove volume", err);
        if (sqlite3_changes(e->store->db) == 0) {
                r = volume_users(e, name, &users, err);
                if (r < 0)
                        return r;
                if (!users)
                        return berth_error_plain(err, ENOENT, "no such volume: %s", name);
                size_t len = 1;
                STRV_FOREACH(u, users)
                        len += strlen(*u) + 2;
                joined = calloc(1, len);
                if (!joined)
                        return berth_error(err, ENOMEM, "remove volume");
                STRV_FOREACH(u, users) {
                        if (u != users)
                                strcat(joined, ", ");
                        strcat(joined, *u);
                }
                return berth_error_plain(err, EBUSY, "remove `%s`: volume is in use - [%s]",
                                         name, joined);
        }
        dir = engine_volume_dir(e, name);
        if (!dir)
                return berth_error(err, ENOMEM, "remove volume");
        r = fs_rm_rf(dir);
        if (r < 0 && r != -ENOENT)
                return berth_error(err, r, "remove volume `%s`: remove `%s`", name, dir);
        return 0;
}

/* The space the files below top take (st_blocks), walked without recursion; what cannot be
 * read counts as nothing. */
static uint64_t tree_size(const char *top)
{
        DirStack s = {};
        uint64_t total = 0;
        int fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;

        if (fd < 0)
                return 0;
        r = dir_stack_push(&s, fd, NULL, true);
        while (r >= 0) {
                const char *name = dir_stack_next(&s);
                struct stat st;

                if (!name) {
                        if (s.depth <= 1)
                                break;
                        r = dir_stack_pop(&s, &fd);
                        continue;
                }
                if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                total += (uint64_t)st.st_blocks * 512;
                if (S_ISDIR(st.st_mode))
                        (void)dir_stack_enter(&s, &fd, name);
        }
        safe_close(fd);
        dir_stack_done(&s);
        return total;
}

int engine_volume_prune(Engine *e, bool all, char ***ret_removed, uint64_t *ret_reclaimed,
                        BerthError **err)
{
        uint64_t reclaimed = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **names = NULL, **removed = NULL;
        int r;

        r = store_prepare(e->store, "SELECT name FROM volumes WHERE (?1 OR anonymous) AND NOT "
                                    "EXISTS (SELECT 1 FROM volume_refs WHERE volume = name) "
                                    "ORDER BY name", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, all);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
                if (strv_extend(&names, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return berth_error(err, ENOMEM, "prune volumes");
        if (r != SQLITE_DONE)
                return store_error(e->store, "prune volumes", err);
        sqlite3_finalize(TAKE_PTR(st));
        STRV_FOREACH(n, names) {
                _cleanup_error_ BerthError *one = NULL;
                _cleanup_free_ char *dir = engine_volume_dir(e, *n);
                uint64_t size = dir ? tree_size(dir) : 0;
                /* One taken by a container meanwhile stays. */
                if (engine_volume_remove(e, *n, &one) < 0)
                        continue;
                reclaimed += size;
                if (strv_extend(&removed, *n) < 0)
                        return berth_error(err, ENOMEM, "prune volumes");
        }
        *ret_removed = TAKE_PTR(removed);
        if (ret_reclaimed)
                *ret_reclaimed = reclaimed;
        return 0;
}

/* Whether the labels document has key (and, with value, that value). */
static bool labels_match(const char *labels, const char *key, size_t klen, const char *value)
{
        _cleanup_(jwalk_putp) struct json_object *o =
                labels ? jwalk_parse_object(labels, strlen(labels)) : NULL;
        _cleanup_free_ char *k = strndup(key, klen);
        struct json_object *v;

        if (!o || !k || !json_object_object_get_ex(o, k, &v))
                return false;
        return !value || (json_object_is_type(v, json_type_string) &&
                          streq(json_object_get_string(v), value));
}

int engine_volume_filter_match(const EngineVolume *v, const char *filter, bool *ret,
                               BerthError **err)
{
        const char *value;

        if ((value = startswith(filter, "dangling="))) {
                bool want;
                if (streq(value, "true") || streq(value, "1"))
                        want = true;
                else if (streq(value, "false") || streq(value, "0"))
                        want = false;
                else
                        return berth_error_plain(err, EINVAL, "filter `%s`: dangling is true or "
                                                 "false", filter);
                *ret = (v->users == NULL) == want;
        } else if ((value = startswith(filter, "name=")))
                *ret = strstr(v->name, value) != NULL;
        else if ((value = startswith(filter, "driver=")))
                *ret = streq(v->driver, value);
        else if ((value = startswith(filter, "label="))) {
                const char *eq = strchr(value, '=');
                *ret = labels_match(v->labels, value, eq ? (size_t)(eq - value) : strlen(value),
                                    eq ? eq + 1 : NULL);
        } else
                return berth_error_plain(err, EINVAL, "invalid filter `%s` (dangling, name, "
                                         "label, driver)", filter);
        return 0;
}

static struct json_object *object_or_empty(const char *text)
{
        struct json_object *o = text ? jwalk_parse_object(text, strlen(text)) : NULL;
        return o ? o : json_object_new_object();
}

struct json_object *engine_volume_json(const EngineVolume *v)
{
        struct json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_add(o, "CreatedAt", json_object_new_string(v->created));
        json_object_object_add(o, "Driver", json_object_new_string(v->driver));
        json_object_object_add(o, "Labels", object_or_empty(v->labels));
        json_object_object_add(o, "Mountpoint", json_object_new_string(v->mountpoint));
        json_object_object_add(o, "Name", json_object_new_string(v->name));
        json_object_object_add(o, "Options", object_or_empty(v->options));
        json_object_object_add(o, "Scope", json_object_new_string("local"));
        return o;
}
