/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * v1-style values of config.json onto cgroup v2 files, the way runc and crun document them:
 * cpu.shares -> cpu.weight (crun's logarithmic curve, which maps the default 1024 to the
 * default 100 and keeps 2 -> 1, 262144 -> 10000), blkio weight -> io.weight (runc's linear
 * map of 10..1000 onto 1..10000), and memory+swap -> memory.swap.max (swap alone). Also the
 * controllers written alike on both: cpuset, pids, hugetlb.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "basic/string-util.h"

#include "runtime/cgroup/cgroup-internal.h"

/* Natural log and exp for positive doubles, so libberth needs no libm for one formula. */
static double ln_pos(double x)
{
        int k = 0;

        while (x > 2.0) {
                x /= 2.0;
                k++;
        }
        while (x < 1.0) {
                x *= 2.0;
                k--;
        }
        /* ln(x) = 2 atanh((x-1)/(x+1)), x in [1,2]: the series converges fast. */
        double y = (x - 1.0) / (x + 1.0), y2 = y * y, term = y, sum = 0.0;
        for (int i = 1; i < 60; i += 2) {
                sum += term / i;
                term *= y2;
        }
        return 2.0 * sum + k * 0.69314718055994530942;
}

static double exp_pos(double x)
{
        int k = 0;

        while (x > 0.5) {
                x /= 2.0;
                k++;
        }
        double sum = 1.0, term = 1.0;
        for (int i = 1; i < 30; i++) {
                term *= x / i;
                sum += term;
        }
        while (k-- > 0)
                sum *= sum;
        return sum;
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares <= 2)
                return 1;
        if (shares >= 262144)
                return 10000;
        double l = ln_pos((double)shares) / 0.69314718055994530942;
        double e = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
        double w = exp_pos(e * 2.30258509299404568402);
        /* ceil(), with a hair of slack so 1024 -> exactly 100 despite rounding. */
        uint64_t c = (uint64_t)(w - 1e-6);
        if ((double)c < w - 1e-6)
                c++;
        return c < 1 ? 1 : c > 10000 ? 10000 : c;
}

uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        return 1 + (weight - 10) * 9999 / 990;
}

int cgroup_swap_to_v2(int64_t swap, int64_t limit, int64_t *ret)
{
        /* As runc: 0 is "unset"; -1 is "max"; with memory unlimited and swap unset, swap is
         * unlimited too. */
        if (swap == 0 && limit == -1) {
                *ret = -1;
                return 1;
        }
        if (swap == 0)
                return 0;
        if (swap < 0) {
                *ret = -1;
                return 1;
        }
        if (limit <= 0)
                return -EINVAL; /* a memory+swap total without a memory limit means nothing */
        if (swap < limit)
                return -ERANGE;
        *ret = swap - limit;
        return 1;
}

const char *cgroup_fmt_max(int64_t v, char *buf, size_t size)
{
        if (v < 0)
                snprintf(buf, size, "max");
        else
                snprintf(buf, size, "%" PRId64, v);
        return buf;
}

/* Controllers whose files are the same on v1 and v2 (hugetlb but for the limit's name). */
int cgroup_cpuset(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        int q = 0;

        if (!isempty(r->cpu.cpus))
                q = cgroup_write(cg, h, "cpuset", "cpuset.cpus", r->cpu.cpus, err);
        if (q >= 0 && !isempty(r->cpu.mems))
                q = cgroup_write(cg, h, "cpuset", "cpuset.mems", r->cpu.mems, err);
        return q;
}

int cgroup_pids(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        char buf[32];

        return cgroup_write(cg, h, "pids", "pids.max",
                            cgroup_fmt_max(r->pids.limit <= 0 ? -1 : r->pids.limit, buf,
                                           sizeof(buf)),
                            err);
}

int cgroup_hugetlb(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        for (size_t i = 0; i < r->n_hugepage_limits; i++) {
                _cleanup_free_ char *file = NULL;
                const char *ps = r->hugepage_limits[i].page_size;
                if (isempty(ps) || strchr(ps, '/'))
                        return berth_error(err, 0, "cgroup hugetlb: invalid pageSize `%s`",
                                           ps ? ps : "");
                if (asprintf(&file, "hugetlb.%s.%s", ps,
                             h->unified ? "max" : "limit_in_bytes") < 0)
                        return berth_error(err, ENOMEM, "cgroup hugetlb");
                int q = cgroup_writef(cg, h, "hugetlb", file, err, "%" PRIu64,
                                      r->hugepage_limits[i].limit);
                if (q < 0)
                        return q;
        }
        return 0;
}
