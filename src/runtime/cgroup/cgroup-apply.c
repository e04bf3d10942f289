/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every linux.resources field onto the hierarchy that holds its controller, with the v1 or v2
 * driver as that hierarchy is. On a hybrid host that is v1 for the controllers mounted there
 * and v2 for the ones only the unified hierarchy offers (hugetlb, say). A field whose
 * controller the host lacks is an error, never skipped: no container runs half limited.
 * Zeros that engines send for "not set" are dropped first, as runc does (unset_zeros()).
 */
#include <string.h>

#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static int absent(Cgroup *cg, const char *controller, const char *field, BerthError **err)
{
        return berth_error(err, ENOENT,
                           "cgroup %s: linux.resources.%s is set but the %s controller is not "
                           "mounted or not enabled on this host (cgroup %s)",
                           controller, field, controller, cgroup_layout_name(cg->layout));
}

/*
 * Docker writes `blockIO.weight: 0`, `cpu.shares: 0` and `disableOOMKiller: false` into every
 * config, and its `update` (through containerd) sends 0 for every limit the user did not
 * give. runc's fs and fs2 drivers take these zeros as "leave the knob alone", field by field:
 * memory limit, reservation, swap and kernelTCP; cpu shares, quota, period, realtime runtime
 * and period; pids limit (runc 1.1; runc >= 1.4 follows runtime-spec 1.3 and reads 0 as a
 * limit); blkio weight and leaf weight (per-device ones are skipped in the drivers); net_cls
 * classID; and disableOOMKiller false (only true is written). Everything else (burst, idle,
 * throttles, hugetlb limits, rdma, priorities) is written even when 0, as runc does. Values
 * that are really out of range still reach the kernel and fail with the usual error.
 */
static void unset_zeros(SpecResources *r)
{
        r->memory.has_limit &= r->memory.limit != 0;
        r->memory.has_reservation &= r->memory.reservation != 0;
        r->memory.has_swap &= r->memory.swap != 0;
        r->memory.has_kernel_tcp &= r->memory.kernel_tcp != 0;
        r->memory.has_disable_oom_killer &= r->memory.disable_oom_killer;
        r->cpu.has_shares &= r->cpu.shares != 0;
        r->cpu.has_quota &= r->cpu.quota != 0;
        r->cpu.has_period &= r->cpu.period != 0;
        r->cpu.has_realtime_runtime &= r->cpu.realtime_runtime != 0;
        r->cpu.has_realtime_period &= r->cpu.realtime_period != 0;
        r->pids.has_limit &= r->pids.limit != 0;
        r->block_io.has_weight &= r->block_io.weight != 0;
        r->block_io.has_leaf_weight &= r->block_io.leaf_weight != 0;
        r->network.has_class_id &= r->network.class_id != 0;
}

static bool memory_set(const SpecResources *r)
{
        return r->memory.has_limit || r->memory.has_reservation || r->memory.has_swap ||
               r->memory.has_kernel_tcp || r->memory.has_swappiness ||
               r->memory.has_disable_oom_killer || r->memory.has_use_hierarchy;
}

static bool cpu_set(const SpecResources *r)
{
        return r->cpu.has_shares || r->cpu.has_quota || r->cpu.has_period ||
               r->cpu.has_burst || r->cpu.has_realtime_runtime || r->cpu.has_realtime_period ||
               r->cpu.has_idle;
}

static bool blkio_set(const SpecResources *r)
{
        return r->block_io.has_weight || r->block_io.has_leaf_weight ||
               r->block_io.n_weight_device || r->block_io.n_throttle_read_bps ||
               r->block_io.n_throttle_write_bps || r->block_io.n_throttle_read_iops ||
               r->block_io.n_throttle_write_iops;
}

bool cgroup_resources_requested(const SpecResources *res)
{
        SpecResources set;

        if (!res)
                return false;
        set = *res;
        unset_zeros(&set);
        return memory_set(&set) || cpu_set(&set) || !isempty(set.cpu.cpus) ||
               !isempty(set.cpu.mems) || set.pids.has_limit || blkio_set(&set) ||
               set.n_hugepage_limits || set.network.has_class_id || set.network.n_priorities ||
               set.n_rdma || set.n_unified;
}

int cgroup_apply(Cgroup *cg, const SpecResources *res, bool update, BerthError **err)
{
        SpecResources set, *r = &set;
        CgroupHierarchy *h;
        int q;

        if (!res)
                return 0;
        /* A shallow copy: only the has_ flags change, the arrays stay the caller's. */
        set = *res;
        unset_zeros(&set);
        if (memory_set(r)) {
                if (!(h = cgroup_find(cg, "memory")))
                        return absent(cg, "memory", "memory", err);
                q = h->unified ? cgroup_v2_memory(cg, h, r, update, err) :
                                 cgroup_v1_memory(cg, h, r, update, err);
                if (q < 0)
                        return q;
        }
        if (cpu_set(r)) {
                if (!(h = cgroup_find(cg, "cpu")))
                        return absent(cg, "cpu", "cpu", err);
                q = h->unified ? cgroup_v2_cpu(cg, h, r, err) : cgroup_v1_cpu(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (!isempty(r->cpu.cpus) || !isempty(r->cpu.mems)) {
                if (!(h = cgroup_find(cg, "cpuset")))
                        return absent(cg, "cpuset", "cpu.cpus/mems", err);
                q = cgroup_cpuset(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->pids.has_limit) {
                if (!(h = cgroup_find(cg, "pids")))
                        return absent(cg, "pids", "pids", err);
                q = cgroup_pids(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (blkio_set(r)) {
                h = cgroup_find(cg, "blkio");
                if (!h)
                        h = cgroup_find(cg, "io");
                if (!h || (h->unified && !cgroup_hierarchy_has(h, "io")))
                        return absent(cg, "blkio", "blockIO", err);
                q = h->unified ? cgroup_v2_io(cg, h, r, err) : cgroup_v1_blkio(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->n_hugepage_limits) {
                if (!(h = cgroup_find(cg, "hugetlb")))
                        return absent(cg, "hugetlb", "hugepageLimits", err);
                q = cgroup_hugetlb(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->network.has_class_id) {
                h = cgroup_find(cg, "net_cls");
                if (!h || h->unified)
                        return absent(cg, "net_cls", "network.classID", err);
                q = cgroup_v1_net_cls(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->network.n_priorities) {
                h = cgroup_find(cg, "net_prio");
                if (!h || h->unified)
                        return absent(cg, "net_prio", "network.priorities", err);
                q = cgroup_v1_net_prio(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->n_rdma) {
                if (!(h = cgroup_find(cg, "rdma")))
                        return absent(cg, "rdma", "rdma", err);
                q = h->unified ? cgroup_v2_rdma(cg, h, r, err) : cgroup_v1_rdma(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->n_unified) {
                h = cgroup_unified(cg);
                if (!h)
                        return berth_error(err, EOPNOTSUPP,
                                           "cgroup: linux.resources.unified needs cgroup v2, but "
                                           "this host has cgroup v1 only");
                q = cgroup_v2_unified(cg, h, r, err);
                if (q < 0)
                        return q;
        }
        if (r->n_devices) {
                /* v1 devices controller where mounted (v1, hybrid), else the v2 eBPF program. */
                h = cgroup_find(cg, "devices");
                if (h && !h->unified)
                        q = cgroup_v1_devices(cg, h, r, err);
                else if ((h = cgroup_unified(cg)))
                        q = cgroup_bpf_devices(cg, h, r, err);
                else
                        q = absent(cg, "devices", "devices", err);
                if (q < 0)
                        return q;
        }
        return 0;
}
