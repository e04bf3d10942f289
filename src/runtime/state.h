/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the runtime keeps of a container between invocations: <root>/<id>/state.json, the
 * config.json it was created from, and the exec socket whose presence means "created".
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"
#include "basic/process-util.h"
#include "spec/runtime-spec.h"

#define STATE_FILE "state.json"
#define STATE_CONFIG "config.json"
#define STATE_EXEC_SOCKET "exec.sock"
/* Present while the runtime is still creating the container (an empty marker). */
#define STATE_CREATING "creating"

typedef enum ContainerStatus {
        STATUS_CREATING,
        STATUS_CREATED,
        STATUS_RUNNING,
        STATUS_PAUSED,
        STATUS_STOPPED,
} ContainerStatus;

typedef struct Container {
        char *root; /* --root */
        char *id;
        int dirfd;  /* <root>/<id> */
        pid_t pid;
        uint64_t pid_start; /* start time of pid, so a reused pid is not taken for ours */
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339 */
        char *owner;
        char *cgroup;  /* cgroup_serialize() of its cgroup, NULL when it has none */
        bool systemd_cgroup;
        bool creating; /* saved while create runs, so a killed create can still be deleted */
        struct json_object *annotations; /* may be NULL */
        Spec *spec; /* loaded on demand by container_load_spec() */
} Container;

const char *container_status_name(ContainerStatus s);
/* Refuses ids runc refuses: empty, ".", "..", or outside [A-Za-z0-9_+.-]. */
int container_id_validate(const char *id, BerthError **err);

/* Creates <root>/<id>; fails with a clear error when the container exists. */
int container_state_create_dir(const char *root, const char *id, int *ret_dirfd, BerthError **err);
/* Writes (or atomically replaces) state.json, with the "creating" marker first when
 * c->creating. */
int container_state_save(const Container *c, BerthError **err);
/* The container is created: removes the marker. */
int container_state_created(Container *c, BerthError **err);
/* -ENOENT: no such container; -ENODATA: its directory exists without state (see
 * container_state_remove_dir). */
int container_load(const char *root, const char *id, Container **ret, BerthError **err);
/* Removes <root>/<id> of a container whose create never saved any state. */
int container_state_remove_dir(const char *root, const char *id);
int container_load_spec(Container *c, BerthError **err);
ContainerStatus container_status(Container *c);
/* The runtime-spec state document ("ociVersion", "id", "status", "pid", "bundle",
 * "annotations") plus runc's "rootfs", "created" and "owner". */
struct json_object *container_state_json(Container *c, ContainerStatus status);
/* The same, serialized for hooks and the seccomp listener; the caller frees it. */
char *container_state_string(Container *c, ContainerStatus status);
/* Removes the state directory. */
int container_state_remove(Container *c);
void container_free(Container *c);
static inline void container_freep(Container **c)
{
        if (*c)
                container_free(*c);
}
#define _cleanup_container_ _cleanup_(container_freep)

/* The start time (field 22 of /proc/<pid>/stat), or -errno; *zombie tells a dead process. */
