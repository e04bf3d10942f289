/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v2 driver: the spec's values on the unified hierarchy, converted where v2 counts
 * differently (cgroup-resources.c), plus controller delegation and the v2 freezer. Used on
 * pure v2 hosts and, on a hybrid host, for the controllers only the unified hierarchy has.
 */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static int unsupported(Cgroup *cg, const char *controller, const char *what, BerthError **err)
{
        return berth_error(err, EOPNOTSUPP, "cgroup %s: %s of %s is not supported on cgroup v2",
                           controller, what, cg->path);
}

int cgroup_v2_memory(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, bool update,
                     BerthError **err)
{
        const char *C = "memory";
        char buf[32];
        uint64_t cur;
        int q;

        if (r->memory.has_swappiness)
                return unsupported(cg, C, "swappiness", err);
        if (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer)
                return unsupported(cg, C, "disableOOMKiller", err);
        if (r->memory.has_kernel_tcp)
                return unsupported(cg, C, "kernelTCP", err);

        /* -1 is "unlimited" ("max"); anything further below is not a value (v1's kernel refuses
         * it, and "max" must not stand in for it here). */
        static const struct {
                const char *name;
                size_t has, val;
        } fields[] = {
                { "limit", offsetof(SpecResources, memory.has_limit),
                  offsetof(SpecResources, memory.limit) },
                { "reservation", offsetof(SpecResources, memory.has_reservation),
                  offsetof(SpecResources, memory.reservation) },
                { "swap", offsetof(SpecResources, memory.has_swap),
                  offsetof(SpecResources, memory.swap) },
        };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const char *base = (const char *)r;
                int64_t v;
                memcpy(&v, base + fields[i].val, sizeof(v));
                if (*(const bool *)(base + fields[i].has) && v < -1)
                        return berth_error(err, EINVAL,
                                           "cgroup memory: %s %" PRId64 " of %s is out of range "
                                           "(-1 is unlimited)",
                                           fields[i].name, v, cg->path);
        }

        if (update && r->memory.check_before_update && r->memory.has_limit &&
            r->memory.limit > 0 && cgroup_read_u64(h, "memory.current", &cur) >= 0 &&
            cur > (uint64_t)r->memory.limit)
                return berth_error(err, EBUSY,
                                   "cgroup memory: new limit %" PRId64 " of %s is below the "
                                   "current usage %" PRIu64 " (checkBeforeUpdate)",
                                   r->memory.limit, cg->path, cur);

        if (r->memory.has_limit) {
                q = cgroup_write(cg, h, C, "memory.max",
                                 cgroup_fmt_max(r->memory.limit, buf, sizeof(buf)), err);
                if (q < 0)
                        return q;
        }
        if (r->memory.has_swap || (r->memory.has_limit && r->memory.limit == -1)) {
                int64_t limit = r->memory.has_limit ? r->memory.limit : 0, swap;
                if (!r->memory.has_limit && cgroup_read_u64(h, "memory.max", &cur) >= 0)
                        limit = cur == UINT64_MAX ? -1 : (int64_t)cur;
                q = cgroup_swap_to_v2(r->memory.has_swap ? r->memory.swap : 0, limit, &swap);
                if (q == -EINVAL)
                        return berth_error(err, 0,
                                           "cgroup memory: swap (memory+swap) %" PRId64
                                           " for memory.swap.max of %s needs a memory limit",
                                           r->memory.swap, cg->path);
                if (q == -ERANGE)
                        return berth_error(err, 0,
                                           "cgroup memory: swap (memory+swap) %" PRId64
                                           " for memory.swap.max of %s is below the memory "
                                           "limit %" PRId64,
                                           r->memory.swap, cg->path, limit);
                /* Without swap accounting there is no memory.swap.max: only an explicit
                 * swap value is then an error. */
                if (q > 0 && (r->memory.has_swap || cgroup_file_exists(h, "memory.swap.max"))) {
                        q = cgroup_write(cg, h, C, "memory.swap.max",
                                         cgroup_fmt_max(swap, buf, sizeof(buf)), err);
                        if (q < 0)
                                return q;
                }
        }
        if (r->memory.has_reservation) {
                q = cgroup_write(cg, h, C, "memory.low",
                                 cgroup_fmt_max(r->memory.reservation, buf, sizeof(buf)), err);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_v2_cpu(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        const char *C = "cpu";
        int q;

        if (r->cpu.has_realtime_runtime || r->cpu.has_realtime_period)
                return unsupported(cg, C, "realtime runtime/period", err);
        if (r->cpu.has_shares) {
                q = cgroup_writef(cg, h, C, "cpu.weight", err, "%" PRIu64,
                                  cgroup_shares_to_weight(r->cpu.shares));
                if (q < 0)
                        return q;
        }
        if (r->cpu.has_quota || r->cpu.has_period) {
                char quota[32] = "max";
                uint64_t period = r->cpu.period;
                _cleanup_free_ char *old = NULL;
                if (r->cpu.has_quota && r->cpu.quota > 0)
                        snprintf(quota, sizeof(quota), "%" PRId64, r->cpu.quota);
                if (!r->cpu.has_quota && cgroup_read(h, "cpu.max", &old) >= 0)
                        snprintf(quota, sizeof(quota), "%.*s", (int)strcspn(old, " \n"), old);
                if (r->cpu.has_period)
                        q = cgroup_writef(cg, h, C, "cpu.max", err, "%s %" PRIu64, quota, period);
                else
                        q = cgroup_write(cg, h, C, "cpu.max", quota, err);
                if (q < 0)
                        return q;
        }
        if (r->cpu.has_burst) {
                q = cgroup_writef(cg, h, C, "cpu.max.burst", err, "%" PRIu64, r->cpu.burst);
                if (q < 0)
                        return q;
        }
        return r->cpu.has_idle ? cgroup_writef(cg, h, C, "cpu.idle", err, "%" PRId64, r->cpu.idle)
                               : 0;
}

static int io_max(Cgroup *cg, CgroupHierarchy *h, const char *key, const SpecThrottleDevice *d,
                  size_t n, BerthError **err)
{
        for (size_t i = 0; i < n; i++) {
                int q = cgroup_writef(cg, h, "io", "io.max", err,
                                      "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major,
                                      d[i].minor, key, d[i].rate);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* The spec's blkio weights are 10-1000; converted for io.weight a value outside would be
 * clamped into range without a word, so it is refused as v1's blkio.weight refuses it. */
static int check_weight(Cgroup *cg, const char *field, uint64_t w, BerthError **err)
{
        if (w >= 10 && w <= 1000)
                return 0;
        return berth_error(err, EINVAL, "cgroup io: %s %" PRIu64 " of %s is out of range (10-1000)",
                           field, w, cg->path);
}

int cgroup_v2_io(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        const char *C = "io";
        /* crun's choice: BFQ's io.bfq.weight takes the v1 range (1-1000) as it is; io.weight
         * (1-10000) gets runc's conversion. */
        bool bfq = cgroup_file_exists(h, "io.bfq.weight");
        int q;

        if (r->block_io.has_leaf_weight)
                return unsupported(cg, "io", "blockIO.leafWeight", err);
        if (r->block_io.has_weight) {
                q = check_weight(cg, "blockIO.weight", r->block_io.weight, err);
                if (q < 0)
                        return q;
                if (bfq)
                        q = cgroup_writef(cg, h, C, "io.bfq.weight", err, "%u",
                                          r->block_io.weight);
                else
                        q = cgroup_writef(cg, h, C, "io.weight", err, "default %" PRIu64,
                                          cgroup_blkio_weight_to_io_weight(r->block_io.weight));
                if (q < 0)
                        return q;
        }
        for (size_t i = 0; i < r->block_io.n_weight_device; i++) {
                const SpecWeightDevice *d = &r->block_io.weight_device[i];
                /* Zeros are "not set" (runc), so only a real leaf weight is refused. */
                if (d->has_leaf_weight && d->leaf_weight != 0)
                        return unsupported(cg, "io", "blockIO.weightDevice[].leafWeight", err);
                if (!d->has_weight || d->weight == 0)
                        continue;
                q = check_weight(cg, "blockIO.weightDevice[].weight", d->weight, err);
                if (q < 0)
                        return q;
                if (bfq)
                        q = cgroup_writef(cg, h, C, "io.bfq.weight", err,
                                          "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                                          d->weight);
                else
                        q = cgroup_writef(cg, h, C, "io.weight", err,
                                          "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                          cgroup_blkio_weight_to_io_weight(d->weight));
                if (q < 0)
                        return q;
        }
        q = io_max(cg, h, "rbps", r->block_io.throttle_read_bps, r->block_io.n_throttle_read_bps,
                   err);
        if (q >= 0)
                q = io_max(cg, h, "wbps", r->block_io.throttle_write_bps,
                           r->block_io.n_throttle_write_bps, err);
        if (q >= 0)
                q = io_max(cg, h, "riops", r->block_io.throttle_read_iops,
                           r->block_io.n_throttle_read_iops, err);
        if (q >= 0)
                q = io_max(cg, h, "wiops", r->block_io.throttle_write_iops,
                           r->block_io.n_throttle_write_iops, err);
        return q;
}

int cgroup_v2_rdma(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        /* Same file and format on v1 and v2. */
        return cgroup_v1_rdma(cg, h, r, err);
}

int cgroup_v2_unified(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        for (size_t i = 0; i < r->n_unified; i++) {
                const char *k = r->unified[i].key, *v = r->unified[i].value;
                if (isempty(k) || strchr(k, '/') || k[0] == '.' || !strchr(k, '.') ||
                    streq(k, "cgroup.procs") || streq(k, "cgroup.threads") ||
                    streq(k, "cgroup.subtree_control"))
                        return berth_error(err, 0, "cgroup: unified key `%s` is not a "
                                                        "cgroup v2 interface file this runtime "
                                                        "may write", k ? k : "");
                char ctrl[64];
                snprintf(ctrl, sizeof(ctrl), "%.*s", (int)strcspn(k, "."), k);
                int q = cgroup_write(cg, h, ctrl, k, v ? v : "", err);
                if (q < 0)
                        return q;
        }
        return 0;
}

int cgroup_v2_enable_controllers(CgroupHierarchy *h)
{
        _cleanup_free_ char *dir = strdup(h->mount);
        const char *p = h->rel;

        if (!dir)
                return -ENOMEM;
        while (p[strspn(p, "/")]) {
                _cleanup_free_ char *file = NULL;
                if (asprintf(&file, "%s/cgroup.controllers", dir) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *data = NULL, *enabled = NULL;
                if (fs_read_full_file(file, &data, NULL) >= 0) {
                        free(file);
                        if (asprintf(&file, "%s/cgroup.subtree_control", dir) < 0)
                                return -ENOMEM;
                        /* Write only what is missing: on the start path of every container. */
                        _cleanup_strv_free_ char **on = NULL;
                        if (fs_read_full_file(file, &enabled, NULL) >= 0) {
                                char *s2 = NULL;
                                for (char *t = strtok_r(enabled, " \n", &s2); t;
                                     t = strtok_r(NULL, " \n", &s2))
                                        if (strv_extend(&on, t) < 0)
                                                return -ENOMEM;
                        }
                        char *save = NULL;
                        for (char *t = strtok_r(data, " \n", &save); t;
                             t = strtok_r(NULL, " \n", &save)) {
                                char op[64];
                                if (strv_contains(on, t))
                                        continue;
                                snprintf(op, sizeof(op), "+%s", t);
                                /* Best effort: a parent holding processes refuses (the "no
                                 * internal processes" rule); the missing knob is then
                                 * reported by the write that needs it. */
                                (void)fs_write_string_file(file, op);
                        }
                }
                if (cgroup_path_descend(&dir, &p) < 0)
                        return -ENOMEM;
                if (!*p || streq(p, "/"))
                        break; /* dir is the cgroup itself: leave its subtree alone */
        }
        return 0;
}

int cgroup_v2_is_frozen(CgroupHierarchy *h, bool *ret)
{
        uint64_t v;
        int r = cgroup_read_keyed(h, "cgroup.events", "frozen", &v);

        if (r < 0)
                return r;
        *ret = v == 1;
        return 0;
}

int cgroup_v2_freeze(Cgroup *cg, CgroupHierarchy *h, bool frozen, BerthError **err)
{
        bool state = !frozen;
        int q;

        q = cgroup_write(cg, h, "freezer", "cgroup.freeze", frozen ? "1" : "0", err);
        if (q < 0)
                return q;
        for (int i = 0; i < 400; i++) {
                q = cgroup_v2_is_frozen(h, &state);
                if (q < 0)
                        return berth_error(err, q, "cgroup freezer: read cgroup.events of %s",
                                           cg->path);
                if (state == frozen)
                        return 0;
                nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
        }
        if (frozen)
                (void)cgroup_write(cg, h, "freezer", "cgroup.freeze", "0", NULL);
        return berth_error(err, ETIMEDOUT,
                           "cgroup freezer: %s did not report frozen %d in cgroup.events within "
                           "2 s",
                           cg->path, frozen);
}
