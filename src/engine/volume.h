/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Volumes, as Docker's local driver keeps them: a row in the `volumes` table and a directory
 * <root>/volumes/<name>/_data that containers get bound in. A volume is in use while a
 * container that mounts it exists (running or not, the `volume_refs` table); one in use is
 * never removed. Anonymous volumes (made for `-v /path` and an image's Volumes) have a random
 * 64-hex name and go with their container on `rm -v` and `run --rm`.
 *
 * Every front end (the berth CLI, the Docker API) goes through these calls.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

typedef struct Engine Engine;

/* The label docker 23 gives anonymous volumes. */
#define ENGINE_VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

typedef struct EngineVolume {
        char *name, *driver, *created;
        char *mountpoint;        /* <root>/volumes/<name>/_data */
        char *labels, *options;  /* JSON objects */
        bool anonymous;
        char **users;            /* the ids of the containers that use it; NULL: none */
} EngineVolume;

void engine_volume_free(EngineVolume *v);
static inline void engine_volume_freep(EngineVolume **v)
{
        engine_volume_free(*v);
}
#define _cleanup_engine_volume_ __attribute__((cleanup(engine_volume_freep)))
void engine_volume_list_free(EngineVolume **list, size_t n);

typedef struct EngineVolumeCreateOptions {
        const char *name;        /* NULL: a random 64-hex name */
        const char *driver;      /* NULL or "local": the only driver */
        char **labels;           /* key=value */
        char **options;          /* driver options, key=value */
        bool anonymous;
} EngineVolumeCreateOptions;

/* Creates the volume, or returns the one of that name (as docker does); *ret_created (may be
 * NULL) says which. */
int engine_volume_create(Engine *e, const EngineVolumeCreateOptions *o, EngineVolume **ret,
                         bool *ret_created, BerthError **err);
/* By its exact name. -ENOENT: "no such volume". */
int engine_volume_lookup(Engine *e, const char *name, EngineVolume **ret, BerthError **err);
/* Every volume, by name. */
int engine_volume_list(Engine *e, EngineVolume ***ret, size_t *ret_n, BerthError **err);
/* Removes a volume no container uses; one in use is refused with -EBUSY ("volume is in use -
 * [ids]"). */
int engine_volume_remove(Engine *e, const char *name, BerthError **err);
/* Removes the volumes no container uses: the anonymous ones, or (all) every one, as docker
 * 23's `volume prune [-a]`. *ret_removed: their names; *ret_reclaimed (may be NULL): the
 * bytes their files took. */
int engine_volume_prune(Engine *e, bool all, char ***ret_removed, uint64_t *ret_reclaimed,
                        BerthError **err);

/* Whether v passes one filter "key=value" of `volume ls --filter`: dangling=true|false,
 * name=SUBSTRING, label=KEY or label=KEY=VALUE, driver=NAME. -EINVAL for another key. */
int engine_volume_filter_match(const EngineVolume *v, const char *filter, bool *ret,
                               BerthError **err);
/* Docker's inspect document: CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope. */
struct json_object *engine_volume_json(const EngineVolume *v);
