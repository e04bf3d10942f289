/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine handle: the store with the engine's tables, the image store, and the paths. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "engine/network-internal.h"
#include "image/builtin-image.h"
#include "image/image-handle.h"
#include "image/image-store.h"

/* The engine's tables. Steps are only appended. state is "creating" and "removing" while a
 * command works on the container (owner names the command's pid and start time, so the next
 * command knows one that died half way), else "ready"; started is 1 once it was started. */
static const StoreStep engine_store_steps[] = {
        { .sql = "CREATE TABLE containers("
                 "  id TEXT PRIMARY KEY,"
                 "  name TEXT NOT NULL UNIQUE,"
                 "  image TEXT NOT NULL,"
                 "  image_id TEXT NOT NULL,"
                 "  created TEXT NOT NULL,"
                 "  config TEXT NOT NULL,"
                 "  state TEXT NOT NULL,"
                 "  owner TEXT,"
                 "  started INTEGER NOT NULL DEFAULT 0);" },
        /* Volumes (volume.h) and which containers use them: a row in volume_refs per
         * container and volume, dropped with the container's row, so a volume is in use from
         * the create of a container until its removal, stopped or not. */
        { .sql = "CREATE TABLE volumes("
                 "  name TEXT PRIMARY KEY,"
                 "  driver TEXT NOT NULL DEFAULT 'local',"
                 "  created TEXT NOT NULL,"
                 "  labels TEXT NOT NULL DEFAULT '{}',"
                 "  options TEXT NOT NULL DEFAULT '{}',"
                 "  anonymous INTEGER NOT NULL DEFAULT 0);"
                 "CREATE TABLE volume_refs("
                 "  container TEXT NOT NULL,"
                 "  volume TEXT NOT NULL,"
                 "  PRIMARY KEY(container, volume));"
                 "CREATE INDEX volume_refs_volume ON volume_refs(volume);"
                 "CREATE TRIGGER containers_volume_refs AFTER DELETE ON containers BEGIN"
                 "  DELETE FROM volume_refs WHERE container = OLD.id;"
                 " END;" },
};
STORE_MODULE_DEFINE(engine_store_module, "engine", engine_store_steps);

const char *engine_state_name(EngineState s)
{
        static const char *const names[] = {
                [ENGINE_STATE_CREATED] = "created",       [ENGINE_STATE_RUNNING] = "running",
                [ENGINE_STATE_PAUSED] = "paused",         [ENGINE_STATE_RESTARTING] = "restarting",
                [ENGINE_STATE_EXITED] = "exited",         [ENGINE_STATE_DEAD] = "dead",
        };
        return (size_t)s < ELEMENTSOF(names) ? names[s] : "unknown";
}

static int dup_option(const char *value, char **ret)
{
        if (!value) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(value);
        return *ret ? 0 : -ENOMEM;
}

int engine_open(const EngineOptions *o, Engine **ret, BerthError **err)
{
        static const StoreModule *const modules[] = {
                &image_store_module, &snapshot_store_module, &engine_store_module,
                &engine_network_store_module, NULL,
        };
        _cleanup_engine_ Engine *e = calloc(1, sizeof(*e));
        _cleanup_error_ BerthError *warning = NULL;
        int r;

        if (!e)
                return berth_error(err, ENOMEM, "engine");
        if (dup_option(o->root, &e->root) < 0 || dup_option(o->run_dir, &e->run_dir) < 0 ||
            dup_option(o->shim_path, &e->shim_path) < 0 ||
            dup_option(o->runtime_path, &e->runtime_path) < 0 ||
            dup_option(o->init_path, &e->init_path) < 0 ||
            dup_option(o->builtin_layout, &e->builtin_layout) < 0)
                return berth_error(err, ENOMEM, "engine");
        if (o->snapshotter)
                e->snapshotter = *o->snapshotter;
        if (o->remove_command && !(e->remove_command = strv_copy(o->remove_command)))
                return berth_error(err, ENOMEM, "engine");
        r = engine_network_plugin_dirs(o->cni_path, &e->cni_plugin_dirs);
        if (r < 0)
                return berth_error(err, -r, "CNI plugin directories");
        r = store_open(e->root, modules, &e->store, err);
        if (r < 0)
                return r;
        const ImageHandleOptions io = {
                .root = e->root,
                .snapshotter = &e->snapshotter,
                .builtin_layout = e->builtin_layout,
        };
        r = image_handle_open(&io, &e->store, &e->cs, &e->sn, &warning, err);
        if (r < 0)
                return r;
        /* A built-in image that could not be loaded matters only to who asks for it. */
        r = fs_mkdir_p(e->run_dir, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", e->run_dir);
        *ret = TAKE_PTR(e);
        return 0;
}

void engine_free(Engine *e)
{
        if (!e)
                return;
        snapshotter_free(e->sn);
        content_store_free(e->cs);
        store_free(e->store);
        free(e->root);
        free(e->run_dir);
        free(e->shim_path);
        free(e->runtime_path);
        free(e->init_path);
        free(e->builtin_layout);
        strv_free(e->remove_command);
        strv_free(e->cni_plugin_dirs);
        free(e);
}

static char *path_join3(const char *a, const char *b, const char *c)
{
        char *p;
        return asprintf(&p, "%s/%s/%s", a, b, c) < 0 ? NULL : p;
}

char *engine_container_dir(const Engine *e, const char *id)
{
        return path_join3(e->root, "containers", id);
}

char *engine_container_state_dir(const Engine *e, const char *id)
{
        return path_join3(e->run_dir, "containers", id);
}

char *engine_container_log_path(const Engine *e, const char *id)
{
        char *p;
        return asprintf(&p, "%s/containers/%s/%s-json.log", e->root, id, id) < 0 ? NULL : p;
}

char *engine_container_cgroup(const char *id)
{
        char *p;
        return asprintf(&p, "/berth/%s", id) < 0 ? NULL : p;
}

char *engine_runtime_root(const Engine *e)
{
        char *p;
        return asprintf(&p, "%s/runtime", e->run_dir) < 0 ? NULL : p;
}

bool engine_image_present(Engine *e, const char *image)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;

        return image_resolve_or_builtin(e->cs, e->store, e->sn, e->builtin_layout, image, &rec,
                                        NULL) >= 0;
}
