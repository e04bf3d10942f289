/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that act on a container's cgroup: pause, resume, update, ps and events. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"
#include "runtime/state.h"

/* Freezes a running container / thaws a paused one (bounded wait in the cgroup library). */
int container_pause(Container *c, BerthError **err);
int container_resume(Container *c, BerthError **err);
/* Applies res to a container that is not stopped. */
int container_update(Container *c, const SpecResources *res, BerthError **err);
/* The pids in the container's cgroup (host pid namespace), for `ps`; in any state. */
int container_get_pids(Container *c, pid_t **ret, size_t *ret_n, BerthError **err);

/* One event in runc's shape, {"type":"stats"|"oom","id":ID[,"data":{...}]}, handed to emit,
 * which owns nothing and returns < 0 to stop the stream. */
typedef int (*ContainerEventFunc)(struct json_object *event, void *userdata);
/* The stats event of the container now. */
int container_stats_event(Container *c, struct json_object **ret, BerthError **err);
/* Emits a stats event every interval_ms and an oom event for each OOM notification, until the
 * container stops (returns 0) or emit fails. */
int container_events(Container *c, unsigned interval_ms, ContainerEventFunc emit, void *userdata,
                     BerthError **err);
