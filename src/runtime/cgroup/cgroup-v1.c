/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v1 driver: one function per controller writes the spec's values into that
 * controller's hierarchy, plus the v1 freezer. Used on pure v1 hosts and for the v1
 * controllers of a hybrid host.
 */
#include <string.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

int cgroup_v1_memory(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, bool update,
                     BerthError **err)
{
        const char *C = "memory";
        int64_t limit = r->memory.has_limit ? r->memory.limit : 0;
        int64_t swap = r->memory.has_swap ? r->memory.swap : 0;
        uint64_t cur = 0;
        int q;

        if (update && r->memory.check_before_update && limit > 0 &&
            cgroup_read_u64(h, "memory.usage_in_bytes", &cur) >= 0 && cur > (uint64_t)limit)
                return berth_error(err, EBUSY,
                                   "cgroup memory: new limit %" PRId64 " of %s is below the "
                                   "current usage %" PRIu64 " (checkBeforeUpdate)",
                                   limit, cg->path, cur);

        /* As runc: unlimited memory with swap unset makes memory+swap unlimited too. */
        if (limit == -1 && swap == 0 && cgroup_file_exists(h, "memory.memsw.limit_in_bytes"))
                swap = -1;
        /* memsw must stay >= memory at every moment: raise memsw first, lower it last. */
        bool swap_first = false;
        if (limit != 0 && swap != 0) {
                if (cgroup_read_u64(h, "memory.limit_in_bytes", &cur) < 0)
                        cur = 0;
                swap_first = limit == -1 || cur < (uint64_t)limit;
        }
        if (swap != 0 && swap_first) {
                q = cgroup_writef(cg, h, C, "memory.memsw.limit_in_bytes", err, "%" PRId64, swap);
                if (q < 0)
                        return q;
        }
        if (limit != 0) {
                q = cgroup_writef(cg, h, C, "memory.limit_in_bytes", err, "%" PRId64, limit);
                if (q < 0)
                        return q;
        }
        if (swap != 0 && !swap_first) {
                q = cgroup_writef(cg, h, C, "memory.memsw.limit_in_bytes", err, "%" PRId64, swap);
                if (q < 0)
                        return q;
        }
        if (r->memory.has_reservation) {
                q = cgroup_writef(cg, h, C, "memory.soft_limit_in_bytes", err, "%" PRId64,
                                  r->memory.reservation);
                if (q < 0)
                        return q;
        }
        if (r->memory.has_kernel_tcp) {
                q = cgroup_writef(cg, h, C, "memory.kmem.tcp.limit_in_bytes", err, "%" PRId64,
                                  r->memory.kernel_tcp);
                if (q < 0)
                        return q;
        }
        /* memory.kernel is deprecated by the runtime-spec and refused by kernels >= 5.16;
         * like runc, it is ignored. */
        if (r->memory.has_swappiness) {
                if (r->memory.swappiness > 100)
                        return berth_error(err, 0,
                                           "cgroup memory: swappiness %" PRIu64
                                           " for memory.swappiness of %s is out of range 0-100",
                                           r->memory.swappiness, cg->path);
                q = cgroup_writef(cg, h, C, "memory.swappiness", err, "%" PRIu64,
                                  r->memory.swappiness);
                if (q < 0)
                        return q;
        }
        if (r->memory.has_disable_oom_killer) {
                q = cgroup_write(cg, h, C, "memory.oom_control",
                                 r->memory.disable_oom_killer ? "1" : "0", err);
                if (q < 0)
                        return q;
        }
        if (r->memory.has_use_hierarchy) {
                q = cgroup_write(cg, h, C, "memory.use_hierarchy",
                                 r->memory.use_hierarchy ? "1" : "0", err);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* Writes a then b; if the kernel refuses a first (a period shorter than the runtime already
 * set, say), writes b then a. */
static int write_pair(Cgroup *cg, CgroupHierarchy *h, const char *c, const char *fa,
                      const char *va, const char *fb, const char *vb, BerthError **err)
{
        _cleanup_error_ BerthError *first = NULL;
        int q;

        if (!va)
                return vb ? cgroup_write(cg, h, c, fb, vb, err) : 0;
        q = cgroup_write(cg, h, c, fa, va, &first);
        if (q >= 0)
                return vb ? cgroup_write(cg, h, c, fb, vb, err) : 0;
        if (q != -EINVAL || !vb) {
                if (err && !*err)
                        *err = TAKE_PTR(first);
                return q;
        }
        q = cgroup_write(cg, h, c, fb, vb, err);
        if (q < 0)
                return q;
        return cgroup_write(cg, h, c, fa, va, err);
}

int cgroup_v1_cpu(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        const char *C = "cpu";
        char period[32], quota[32], rtp[32], rtr[32];
        int q;

        if (r->cpu.has_shares) {
                uint64_t got;
                q = cgroup_writef(cg, h, C, "cpu.shares", err, "%" PRIu64, r->cpu.shares);
                if (q < 0)
                        return q;
                /* The kernel clamps silently (2-262144); say so, as runc does. */
                if (cgroup_read_u64(h, "cpu.shares", &got) >= 0 && got != r->cpu.shares)
                        return berth_error(err, 0,
                                           "cgroup cpu: cpu.shares of %s is %" PRIu64
                                           " after writing %" PRIu64 " (the kernel allows "
                                           "2-262144)",
                                           cg->path, got, r->cpu.shares);
        }
        if (r->cpu.has_period)
                snprintf(period, sizeof(period), "%" PRIu64, r->cpu.period);
        if (r->cpu.has_quota)
                snprintf(quota, sizeof(quota), "%" PRId64, r->cpu.quota < 0 ? -1 : r->cpu.quota);
        q = write_pair(cg, h, C, "cpu.cfs_period_us", r->cpu.has_period ? period : NULL,
                       "cpu.cfs_quota_us", r->cpu.has_quota ? quota : NULL, err);
        if (q < 0)
                return q;
        if (r->cpu.has_burst) {
                q = cgroup_writef(cg, h, C, "cpu.cfs_burst_us", err, "%" PRIu64, r->cpu.burst);
                if (q < 0)
                        return q;
        }
        if (r->cpu.has_realtime_period)
                snprintf(rtp, sizeof(rtp), "%" PRIu64, r->cpu.realtime_period);
        if (r->cpu.has_realtime_runtime)
                snprintf(rtr, sizeof(rtr), "%" PRId64, r->cpu.realtime_runtime);
        if (r->cpu.has_realtime_runtime &&
            (q = cgroup_v1_rt_make_room(cg, h, r->cpu.realtime_runtime,
                                        r->cpu.has_realtime_period ? r->cpu.realtime_period : 0,
                                        err)) < 0)
                return q;
        q = write_pair(cg, h, C, "cpu.rt_period_us", r->cpu.has_realtime_period ? rtp : NULL,
                       "cpu.rt_runtime_us", r->cpu.has_realtime_runtime ? rtr : NULL, err);
        if (q < 0)
                return q;
        return r->cpu.has_idle ? cgroup_writef(cg, h, C, "cpu.idle", err, "%" PRId64, r->cpu.idle)
                               : 0;
}

static int copy_if_empty(const char *parent, const char *child, const char *file)
{
        _cleanup_free_ char *pp = NULL, *cp = NULL, *pv = NULL, *cv = NULL;
        int r;

        if (asprintf(&pp, "%s/%s", parent, file) < 0 || asprintf(&cp, "%s/%s", child, file) < 0)
                return -ENOMEM;
        r = fs_read_full_file(cp, &cv, NULL);
        if (r < 0)
                return r;
        if (!isempty(cv) && !streq(cv, "\n"))
                return 0;
        r = fs_read_full_file(pp, &pv, NULL);
        if (r < 0)
                return r;
        pv[strcspn(pv, "\n")] = 0;
        if (isempty(pv))
                return 0;
        return fs_write_string_file(cp, pv);
}

int cgroup_v1_cpuset_init(CgroupHierarchy *h)
{
        _cleanup_free_ char *dir = strdup(h->mount);
        const char *p = h->rel;
        int r;

        if (!dir)
                return -ENOMEM;
        for (;;) {
                _cleanup_free_ char *parent = strdup(dir);
                if (!parent)
                        return -ENOMEM;
                r = cgroup_path_descend(&dir, &p);
                if (r <= 0)
                        return r;
                r = copy_if_empty(parent, dir, "cpuset.cpus");
                if (r >= 0)
                        r = copy_if_empty(parent, dir, "cpuset.mems");
                if (r < 0)
                        return r;
        }
}

static int write_devices(Cgroup *cg, CgroupHierarchy *h, const char *c, const char *file,
                         const SpecThrottleDevice *d, size_t n, BerthError **err)
{
        for (size_t i = 0; i < n; i++) {
                int q = cgroup_writef(cg, h, c, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                      d[i].major, d[i].minor, d[i].rate);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_v1_blkio(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        const char *C = "blkio";
        /* CFQ's blkio.weight is gone since Linux 5.0; BFQ offers blkio.bfq.weight instead. */
        bool bfq = !cgroup_file_exists(h, "blkio.weight") &&
                   cgroup_file_exists(h, "blkio.bfq.weight");
        const char *wfile = bfq ? "blkio.bfq.weight" : "blkio.weight";
        const char *wdfile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
        int q;

        if (r->block_io.has_weight) {
                q = cgroup_writef(cg, h, C, wfile, err, "%u", r->block_io.weight);
                if (q < 0)
                        return q;
        }
        if (r->block_io.has_leaf_weight) {
                q = cgroup_writef(cg, h, C, "blkio.leaf_weight", err, "%u",
                                  r->block_io.leaf_weight);
                if (q < 0)
                        return q;
        }
        for (size_t i = 0; i < r->block_io.n_weight_device; i++) {
                const SpecWeightDevice *d = &r->block_io.weight_device[i];
                /* A zero weight or leaf weight is "not set", as for the cgroup-wide ones. */
                if (d->has_weight && d->weight != 0) {
                        q = cgroup_writef(cg, h, C, wdfile, err, "%" PRId64 ":%" PRId64 " %u",
                                          d->major, d->minor, d->weight);
                        if (q < 0)
                                return q;
                }
                if (d->has_leaf_weight && d->leaf_weight != 0) {
                        q = cgroup_writef(cg, h, C, "blkio.leaf_weight_device", err,
                                          "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                                          d->leaf_weight);
                        if (q < 0)
                                return q;
                }
        }
        q = write_devices(cg, h, C, "blkio.throttle.read_bps_device", r->block_io.throttle_read_bps,
                          r->block_io.n_throttle_read_bps, err);
        if (q >= 0)
                q = write_devices(cg, h, C, "blkio.throttle.write_bps_device",
                                  r->block_io.throttle_write_bps, r->block_io.n_throttle_write_bps,
                                  err);
        if (q >= 0)
                q = write_devices(cg, h, C, "blkio.throttle.read_iops_device",
                                  r->block_io.throttle_read_iops,
                                  r->block_io.n_throttle_read_iops, err);
        if (q >= 0)
                q = write_devices(cg, h, C, "blkio.throttle.write_iops_device",
                                  r->block_io.throttle_write_iops,
                                  r->block_io.n_throttle_write_iops, err);
        return q;
}

/* "c 1:3 rwm", with "*" for an absent or negative number. */
static void device_rule(const SpecDeviceCgroup *d, char *buf, size_t size)
{
        char maj[24] = "*", min[24] = "*";

        if (d->has_major && d->major >= 0)
                snprintf(maj, sizeof(maj), "%" PRId64, d->major);
        if (d->has_minor && d->minor >= 0)
                snprintf(min, sizeof(min), "%" PRId64, d->minor);
        const char *type = isempty(d->type) ? "a" : d->type;
        const char *access = isempty(d->access) ? "rwm" : d->access;
        if (streq(type, "a") && streq(maj, "*") && streq(min, "*") &&
            strspn(access, "rwm") == strlen(access) && strchr(access, 'r') &&
            strchr(access, 'w') && strchr(access, 'm'))
                snprintf(buf, size, "a");
        else
                snprintf(buf, size, "%s %s:%s %s", type, maj, min, access);
}

int cgroup_v1_devices(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        _cleanup_close_ int deny = -1, allow = -1;
        char rule[96];
        int q;

        /* Start from deny-all, then the rules in order: a later rule overrides an earlier one,
         * which is what the kernel's allow/deny files do when written in sequence. */
        q = cgroup_write_keep(cg, h, "devices", "devices.deny", &deny, "a", err);
        if (q < 0)
                return q;
        for (size_t i = 0; i < r->n_devices; i++) {
                const SpecDeviceCgroup *d = &r->devices[i];
                if (d->type && !(streq(d->type, "a") || streq(d->type, "c") ||
                                 streq(d->type, "b")))
                        return berth_error(err, 0,
                                           "cgroup devices: rule %zu: type `%s` is not a, b or c",
                                           i, d->type);
                if (d->access && strspn(d->access, "rwm") != strlen(d->access))
                        return berth_error(err, 0,
                                           "cgroup devices: rule %zu: access `%s` is not made of "
                                           "r, w and m",
                                           i, d->access);
                device_rule(d, rule, sizeof(rule));
                q = cgroup_write_keep(cg, h, "devices",
                                      d->allow ? "devices.allow" : "devices.deny",
                                      d->allow ? &allow : &deny, rule, err);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_v1_rdma(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        for (size_t i = 0; i < r->n_rdma; i++) {
                const struct SpecRdma *d = &r->rdma[i];
                char hh[24] = "max", ho[24] = "max";
                if (d->has_hca_handles)
                        snprintf(hh, sizeof(hh), "%" PRIu32, d->hca_handles);
                if (d->has_hca_objects)
                        snprintf(ho, sizeof(ho), "%" PRIu32, d->hca_objects);
                int q = cgroup_writef(cg, h, "rdma", "rdma.max", err,
                                      "%s hca_handle=%s hca_object=%s", d->device ? d->device : "",
                                      hh, ho);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_v1_net_cls(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        if (!r->network.has_class_id)
                return 0;
        return cgroup_writef(cg, h, "net_cls", "net_cls.classid", err, "%" PRIu32,
                             r->network.class_id);
}

int cgroup_v1_net_prio(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        for (size_t i = 0; i < r->network.n_priorities; i++) {
                int q = cgroup_writef(cg, h, "net_prio", "net_prio.ifpriomap", err,
                                      "%s %" PRIu32, r->network.priorities[i].name,
                                      r->network.priorities[i].priority);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_v1_is_frozen(CgroupHierarchy *h, bool *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = cgroup_read(h, "freezer.state", &s);

        if (r < 0)
                return r;
        *ret = startswith(s, "FROZEN") != NULL;
        return 0;
}

int cgroup_v1_freeze(Cgroup *cg, CgroupHierarchy *h, bool frozen, BerthError **err)
{
        const char *want = frozen ? "FROZEN" : "THAWED";
        _cleanup_free_ char *s = NULL;
        int q;

        /* FREEZING can stall while a task sits in an uninterruptible sleep; writing FROZEN
         * again retries. Bounded: about 2 s in all. */
        for (int i = 0; i < 400; i++) {
                if (i % 20 == 0) {
                        q = cgroup_write(cg, h, "freezer", "freezer.state", want, err);
                        if (q < 0)
                                return q;
                }
                free(s);
                s = NULL;
                q = cgroup_read(h, "freezer.state", &s);
                if (q < 0)
                        return berth_error(err, q, "cgroup freezer: read freezer.state of %s",
                                           cg->path);
                s[strcspn(s, "\n")] = 0;
                if (streq(s, want))
                        return 0;
                nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
        }
        if (frozen) {
                /* Never leave it half frozen. */
                (void)cgroup_write(cg, h, "freezer", "freezer.state", "THAWED", NULL);
        }
        return berth_error(err, ETIMEDOUT,
                           "cgroup freezer: %s did not reach %s within 2 s (freezer.state is %s)",
                           cg->path, want, s ? s : "unknown");
}
