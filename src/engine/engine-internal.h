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

/* The runtime's binary: name (NULL or "berth-runtime": the engine's default) as a path, or
 * looked up in $PATH. -ENOENT when there is none. */
int engine_runtime_resolve(Engine *e, const char *name, char **ret);
/* Runs the runtime (the container's, else the default) with --root and args; waits. Returns
 * its exit status, or -errno when it could not run. Its stderr is kept in *ret_stderr. */
int engine_runtime_run(Engine *e, const char *runtime, char *const *args, char **ret_stderr);

/* The create event of a container just made (container-events.c). */
void engine_container_created(Engine *e, const char *id);

/* The shim's status.json and health.json into c. */
int engine_shim_read_state(Engine *e, EngineContainer *c, bool started);
bool engine_shim_alive(Engine *e, const char *id, pid_t *ret_pid);

/* The runtime's binary: a name without a slash is looked up in $PATH (container-life.c). */
int engine_runtime_resolve(Engine *e, const char *name, char **ret);
/* As engine_runtime_run(), with input on its stdin (NULL: /dev/null) and at most max bytes of
 * its stdout in *ret_stdout (runtime-output.c). */
int engine_runtime_output(Engine *e, const char *runtime, char *const *args, const char *input,
                          size_t max, char **ret_stdout, char **ret_stderr);
/* Runs a program (looked up in $PATH) and keeps at most max bytes of its stdout and stderr
 * together; its exit status or -errno. */
int engine_program_output(char *const *argv, size_t max, char **ret);

/* The row's config document and name (container-record-update.c). */
int engine_record_set_config(Engine *e, const char *id, const char *config, BerthError **err);
int engine_record_set_name(Engine *e, const char *id, const char *name, BerthError **err);
/* Volumes as containers use them (volume-mount.c). */
/* The volume of m (a volume mount; source NULL: a new anonymous one) taken for the container:
 * made when missing, linked to it, and filled from the image at m->target (resolved inside
 * rootfd) while empty, unless m->nocopy. *ret_source: its _data directory; *ret_created: its
 * name when this call made it, else NULL. */
int engine_volume_attach(Engine *e, const char *container_id, int rootfd, const MountSpec *m,
                         char **ret_source, char **ret_created, BerthError **err);
/* Unlinks one volume from a container. */
int engine_volume_release(Engine *e, const char *container_id, const char *name);
/* The names of the anonymous volumes the container uses. */
int engine_volume_anonymous_of(Engine *e, const char *container_id, char ***ret);
/* Removes the volumes of names that no container uses; the others stay. */
void engine_volume_remove_unused(Engine *e, char *const *names);
/* <root>/volumes/<name> */
char *engine_volume_dir(const Engine *e, const char *name);
