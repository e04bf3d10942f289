/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the engine's files share: rows, the shim's files, the runtime's command line. */
#pragma once

#include <json-c/json.h>

#include "engine/engine.h"

extern const StoreModule engine_store_module;

char *engine_runtime_root(const Engine *e);

/* Rows (container-record.c). owner is "<pid>:<start time>" of the command at work. */
int engine_record_insert(Engine *e, const char *id, const char *name, const char *image,
                         const char *image_id, const char *created, const char *config,
                         BerthError **err);
int engine_record_set_state(Engine *e, const char *id, const char *state, BerthError **err);
int engine_record_set_started(Engine *e, const char *id, BerthError **err);
int engine_record_delete(Engine *e, const char *id, BerthError **err);
/* The "Config"/"HostConfig" document of a create request, and the run options back from it. */
int engine_record_config_build(const EngineCreateOptions *o, const ImageRunConfig *image,
                               const char *image_ref, char **ret, BerthError **err);
int engine_record_run_options(const char *config, EngineRunOptions *ret);

/* Rows that a command which died half way left "creating" or "removing": finished off. */
void engine_repair(Engine *e);
/* The removal's steps, for engine_container_remove() and the repair: the runtime's state, the
 * rootfs mount, the directories, the row. */
int engine_container_teardown(Engine *e, const char *id, BerthError **err);

/* Runs the runtime (the container's, else the default) with --root and args; waits. Returns
 * its exit status, or -errno when it could not run. Its stderr is kept in *ret_stderr. */
int engine_runtime_run(Engine *e, const char *runtime, char *const *args, char **ret_stderr);

/* The create event of a container just made (container-events.c). */
void engine_container_created(Engine *e, const char *id);

/* The shim's status.json and health.json into c. */
int engine_shim_read_state(Engine *e, EngineContainer *c, bool started);
bool engine_shim_alive(Engine *e, const char *id, pid_t *ret_pid);
