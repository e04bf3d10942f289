/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's cgroup, on every layout a host has: pure v1, hybrid (v1 controllers plus a
 * cgroup2 mount at /sys/fs/cgroup/unified) and pure v2; cgroupfs paths or systemd's
 * "slice:prefix:name" form. Drivers are sibling files behind this one interface.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

typedef enum CgroupLayout {
        CGROUP_LAYOUT_V1,
        CGROUP_LAYOUT_HYBRID,
        CGROUP_LAYOUT_V2,
} CgroupLayout;

int cgroup_detect_layout(CgroupLayout *ret);

typedef struct Cgroup Cgroup;

/* Whether linux.resources asks for any limit: a field other than devices that is set and
 * not one of the zeros engines send for "not set" (cgroup-apply.c). A rootless container
 * that cannot make its cgroup may go on without one only when it asks for none. */
bool cgroup_resources_requested(const SpecResources *r);

/*
 * Creates the cgroup of container `id` (cgroups_path as in config.json, NULL for the default),
 * applies res (may be NULL) and moves pid into it. On failure nothing is left behind: no
 * directory on any hierarchy, and the error names the controller, file and value.
 */
int cgroup_create(const char *id, const char *cgroups_path, bool systemd, const SpecResources *res,
                  pid_t pid, Cgroup **ret, BerthError **err);

/* What cgroup_serialize() will say of the cgroup cgroup_create() makes with these arguments,
 * nothing made yet (NULL on any failure): recorded before the create, so that a runtime killed
 * in the middle of it leaves what `delete --force` needs to remove its directories. */
char *cgroup_plan(const char *id, const char *cgroups_path, bool systemd);
/* Opens the cgroup of an existing container from what cgroup_serialize() recorded. */
int cgroup_open(const char *serialized, Cgroup **ret, BerthError **err);
/* A string to keep in the container's state so cgroup_open() finds it again. */
char *cgroup_serialize(const Cgroup *cg);
/* The path below each hierarchy's root, e.g. "/berth/c1". */
const char *cgroup_path(const Cgroup *cg);

/*
 * Joining without a migration's cost (see cgroup-join.c): the runtime opens, on every hierarchy
 * (but the unified one when skip_unified: the init was cloned into it), the file a process
 * moves itself by, and passes fds and *ret_names to the process, which must be
 * single-threaded and calls cgroup_join_self(). At most max_fds fds.
 */
int cgroup_join_fds(Cgroup *cg, bool skip_unified, int *fds, size_t max_fds, size_t *ret_n,
                    char **ret_names, BerthError **err);
int cgroup_join_self(const int *fds, size_t n, const char *names, BerthError **err);
/* The cgroup's directory on the unified hierarchy, for clone3(CLONE_INTO_CGROUP); -ENOENT if
 * it has none. */
int cgroup_unified_dir_fd(Cgroup *cg);

/* Moves pid into the cgroup on every hierarchy (exec's process joins its container). */
int cgroup_enter(Cgroup *cg, pid_t pid, BerthError **err);
int cgroup_update(Cgroup *cg, const SpecResources *res, BerthError **err);
/* Freezes or thaws, waiting a bounded time for the kernel to report the new state. */
int cgroup_freeze(Cgroup *cg, bool frozen, BerthError **err);
int cgroup_is_frozen(Cgroup *cg, bool *ret);
int cgroup_get_pids(Cgroup *cg, pid_t **ret, size_t *ret_n, BerthError **err);
/* Signals every process in the cgroup (cgroup.kill for SIGKILL where the kernel has it). */
int cgroup_kill_all(Cgroup *cg, int sig, BerthError **err);
/* Statistics in the shape of runc's `events --stats` "data" object. */
int cgroup_stats(Cgroup *cg, struct json_object **ret, BerthError **err);
/* Kills what is left (bounded wait) and removes the cgroup on every hierarchy. */
int cgroup_destroy(Cgroup *cg, BerthError **err);
void cgroup_free(Cgroup *cg);
static inline void cgroup_freep(Cgroup **cg)
{
        if (*cg)
                cgroup_free(*cg);
}
#define _cleanup_cgroup_ _cleanup_(cgroup_freep)

/* Additions beyond the first contract, implemented under src/runtime/cgroup/. */

/* "v1", "hybrid" or "v2". */
const char *cgroup_layout_to_string(CgroupLayout l);
CgroupLayout cgroup_layout(const Cgroup *cg);
/* The cgroup's directory on the hierarchy holding controller ("memory", "pids", ...; NULL: the
 * unified one, else the first), or NULL when the host has no such controller. */
const char *cgroup_controller_dir(Cgroup *cg, const char *controller);

/* OOM notifications for `events`: poll cgroup_oom_watch_fd() for POLLIN, then
 * cgroup_oom_watch_read() gives how many OOM events happened since the last read (0 when the
 * wakeup was for something else), -ENOENT once the cgroup is gone. */
typedef struct CgroupOomWatch CgroupOomWatch;
int cgroup_oom_watch_open(Cgroup *cg, CgroupOomWatch **ret, BerthError **err);
int cgroup_oom_watch_fd(const CgroupOomWatch *w);
int cgroup_oom_watch_read(CgroupOomWatch *w, uint64_t *ret_new);
void cgroup_oom_watch_free(CgroupOomWatch *w);
static inline void cgroup_oom_watch_freep(CgroupOomWatch **w)
{
        if (*w)
                cgroup_oom_watch_free(*w);
}
/* How many processes the OOM killer has killed in the cgroup (memory.events oom_kill on v2,
 * memory.oom_control oom_kill on v1). */
int cgroup_oom_kill_count(Cgroup *cg, uint64_t *ret);

/* `update` with runc's flags: sets the field of r that flag name ("--memory" or "memory")
 * stands for, parsing value as runc does (sizes like "64m", -1 for unlimited). Flags applied
 * after a `-r FILE` resources object override it. String fields are malloc'd copies that
 * replace (and free) what r held. cgroup_update_flag_known() tells the CLI which flags these
 * are: memory, memory-reservation, memory-swap, kernel-memory, kernel-memory-tcp, cpu-share,
 * cpu-period, cpu-quota, cpu-burst, cpu-rt-period, cpu-rt-runtime, cpuset-cpus, cpuset-mems,
 * pids-limit, blkio-weight. */
int cgroup_update_flag(SpecResources *r, const char *name, const char *value, BerthError **err);
bool cgroup_update_flag_known(const char *name);
/* "64m" -> 67108864 (binary units b, k, m, g, t, p, optional "b"/"ib"); "-1" -> -1. */
int cgroup_parse_size(const char *s, int64_t *ret);

/* The "cgroup" object of `features` (runc's shape): {"v1","v2","systemd","systemdUser","rdma"}. */
int cgroup_features(struct json_object **ret);
