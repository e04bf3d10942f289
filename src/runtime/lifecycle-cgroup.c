/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pause, resume, update, ps and events: the verbs that only act on a container's cgroup,
 * each refusing the states runc refuses before it touches the cgroup.
 */
#include <limits.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "basic/log.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/lifecycle-cgroup.h"

static int open_container_cgroup(Container *c, Cgroup **ret, BerthError **err)
{
        if (!c->cgroup)
                return berth_error(err, 0, "container `%s` has no cgroup", c->id);
        int r = cgroup_open(c->cgroup, ret, err);
        if (r < 0)
                return berth_error_prefix(err, "container `%s`", c->id);
        return 0;
}

static int set_frozen(Container *c, bool frozen, BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r = open_container_cgroup(c, &cg, err);

        if (r < 0)
                return r;
        r = cgroup_freeze(cg, frozen, err);
        if (r < 0)
                return berth_error_prefix(err, "%s container `%s`", frozen ? "pause" : "resume",
                                          c->id);
        return 0;
}

int container_pause(Container *c, BerthError **err)
{
        ContainerStatus st = container_status(c);

        /* runc also freezes a created container; here its init still waits on exec.sock, and
         * `state` would keep saying "created", so only a running one is paused. */
        if (st == STATUS_PAUSED)
                return berth_error(err, 0, "container `%s` is already paused", c->id);
        if (st != STATUS_RUNNING)
                return berth_error(err, 0, "container `%s` is not running (it is %s)", c->id,
                                   container_status_name(st));
        return set_frozen(c, true, err);
}

int container_resume(Container *c, BerthError **err)
{
        ContainerStatus st = container_status(c);

        if (st != STATUS_PAUSED)
                return berth_error(err, 0, "container `%s` is not paused (it is %s)", c->id,
                                   container_status_name(st));
        return set_frozen(c, false, err);
}

int container_update(Container *c, const SpecResources *res, BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r;

        if (container_status(c) == STATUS_STOPPED)
                return berth_error(err, 0, "container `%s` is stopped: it cannot be updated",
                                   c->id);
        r = open_container_cgroup(c, &cg, err);
        if (r < 0)
                return r;
        r = cgroup_update(cg, res, err);
        if (r < 0)
                return berth_error_prefix(err, "update container `%s`", c->id);
        return 0;
}

int container_get_pids(Container *c, pid_t **ret, size_t *ret_n, BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r;

        /* No status check: as in runc, a stopped container lists what its cgroup still holds
         * (children of an init that ran without a pid namespace), usually nothing. */
        r = open_container_cgroup(c, &cg, err);
        if (r < 0)
                return r;
        r = cgroup_get_pids(cg, ret, ret_n, err);
        if (r < 0)
                return berth_error_prefix(err, "list the processes of container `%s`", c->id);
        return 0;
}

static struct json_object *event_new(const char *type, const char *id, struct json_object *data)
{
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "type", json_object_new_string(type));
        json_object_object_add(e, "id", json_object_new_string(id));
        if (data)
                json_object_object_add(e, "data", data);
        return e;
}

static int stats_event(Container *c, Cgroup *cg, struct json_object **ret, BerthError **err)
{
        struct json_object *data = NULL;
        int r = cgroup_stats(cg, &data, err);
        if (r < 0)
                return berth_error_prefix(err, "statistics of container `%s`", c->id);
        *ret = event_new("stats", c->id, data);
        return 0;
}

int container_stats_event(Container *c, struct json_object **ret, BerthError **err)
{
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r;

        if (container_status(c) == STATUS_STOPPED)
                return berth_error(err, 0, "container `%s` is not running", c->id);
        r = open_container_cgroup(c, &cg, err);
        if (r < 0)
                return r;
        return stats_event(c, cg, ret, err);
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int emit_put(ContainerEventFunc emit, void *userdata, struct json_object *e)
{
        int r = emit(e, userdata);
        json_object_put(e);
        return r;
}

/* Reads the OOM watch and emits one event per wakeup, as runc does: 1 to go on, 0 to end the
 * stream (cgroup gone, emit refused), or < 0 on an error. */
static int oom_check(Container *c, CgroupOomWatch *w, ContainerEventFunc emit, void *userdata,
                     BerthError **err)
{
        uint64_t new = 0;
        int r = cgroup_oom_watch_read(w, &new);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return berth_error(err, r, "events: read the OOM notifications of container `%s`",
                                   c->id);
        if (new > 0 && emit_put(emit, userdata, event_new("oom", c->id, NULL)) < 0)
                return 0;
        return 1;
}

int container_events(Container *c, unsigned interval_ms, ContainerEventFunc emit, void *userdata,
                     BerthError **err)
{
        _cleanup_(cgroup_oom_watch_freep) CgroupOomWatch *w = NULL;
        _cleanup_cgroup_ Cgroup *cg = NULL;
        int r;

        if (interval_ms == 0)
                return berth_error(err, 0, "events: the interval must be positive");
        if (container_status(c) == STATUS_STOPPED)
                return berth_error(err, 0, "container `%s` is not running", c->id);
        r = open_container_cgroup(c, &cg, err);
        if (r < 0)
                return r;
        _cleanup_error_ BerthError *werr = NULL;
        if (cgroup_oom_watch_open(cg, &w, &werr) < 0)
                /* runc fails here; stats still make sense without a memory controller. */
                log_warning("events: no OOM notifications for container `%s`: %s", c->id,
                            werr ? werr->msg : "unknown error");

        /* The init's pidfd ends the stream as soon as the container stops, not an interval
         * later. container_status() below catches a pid reused before pidfd_open(). */
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        int64_t next = now_ms() + interval_ms;
        for (;;) {
                int64_t left = next - now_ms();
                struct pollfd p[2] = {
                        { .fd = w ? cgroup_oom_watch_fd(w) : -1, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                };
                int n = left > 0 ? poll(p, 2, left > INT_MAX ? INT_MAX : (int)left) : 0;
                if (n < 0 && errno != EINTR)
                        return berth_error(err, errno, "events: poll");
                if (n > 0 && (p[0].revents & POLLIN)) {
                        r = oom_check(c, w, emit, userdata, err);
                        if (r <= 0)
                                return r;
                }
                if (container_status(c) == STATUS_STOPPED) {
                        /* An OOM kill of the init may be noticed together with its exit. */
                        if (w && poll(p, 1, 0) > 0 && (p[0].revents & POLLIN))
                                (void)oom_check(c, w, emit, userdata, NULL);
                        return 0;
                }
                if (now_ms() < next)
                        continue;
                next += interval_ms;
                if (next <= now_ms()) /* stats slower than the interval: no burst to catch up */
                        next = now_ms() + interval_ms;
                struct json_object *e = NULL;
                r = stats_event(c, cg, &e, err);
                if (r < 0) {
                        if (container_status(c) == STATUS_STOPPED) {
                                berth_error_free(err);
                                return 0;
                        }
                        return r;
                }
                if (emit_put(emit, userdata, e) < 0)
                        return 0;
        }
}
