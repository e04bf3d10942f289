/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Realtime time for a v1 cpu cgroup (kernels with RT group scheduling). A group may only
 * hand its children realtime time it has itself: the kernel refuses a child's
 * cpu.rt_runtime_us unless, at every level, the children's runtime/period ratios add up to no
 * more than their parent's. A new cgroup starts with 0, so a container below /berth (made for
 * it) could never get any. runc, which puts containers straight below the root, never meets
 * this; Docker asks for a daemon option that sets its parent.
 *
 * So before writing a container's cpu.rt_runtime_us, the parents Berth made for it (and its
 * own /berth) are raised, top down, to what they need for it and the siblings they already
 * have. They are never lowered, and a parent Berth did not make is left alone: the kernel's
 * refusal then names the container's file and value.
 */
#include <dirent.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static int read_rt(const char *dir, int64_t *runtime, uint64_t *period)
{
        _cleanup_free_ char *p = NULL, *q = NULL, *rs = NULL, *ps = NULL;
        int r;

        if (asprintf(&p, "%s/cpu.rt_runtime_us", dir) < 0 ||
            asprintf(&q, "%s/cpu.rt_period_us", dir) < 0)
                return -ENOMEM;
        if ((r = fs_read_full_file(p, &rs, NULL)) < 0 || (r = fs_read_full_file(q, &ps, NULL)) < 0)
                return r;
        rs[strcspn(rs, "\n")] = ps[strcspn(ps, "\n")] = 0;
        if ((r = string_safe_atoi64(rs, runtime)) < 0 || (r = string_safe_atou64(ps, period)) < 0)
                return r;
        return *period > 0 ? 0 : -EINVAL;
}

/* The share of realtime time dir's children other than skip hold (-1 runtime: unlimited,
 * which the kernel only allows at the root, counts as the whole period). */
static int children_share(const char *dir, const char *skip, double *ret)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        double sum = 0;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    streq(de->d_name, skip))
                        continue;
                _cleanup_free_ char *sub = NULL;
                int64_t rt;
                uint64_t per;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                if (read_rt(sub, &rt, &per) < 0)
                        continue;
                sum += rt < 0 ? 1.0 : (double)rt / (double)per;
        }
        *ret = sum;
        return 0;
}

int cgroup_v1_rt_make_room(Cgroup *cg, CgroupHierarchy *h, int64_t runtime, uint64_t period,
                           BerthError **err)
{
        _cleanup_free_ char *dir = NULL;
        char *levels[64];
        double need[64];
        size_t n = 0;
        int64_t cur_rt;
        uint64_t cur_per;

        if (runtime <= 0 || !cgroup_file_exists(h, "cpu.rt_runtime_us"))
                return 0;
        if (period == 0 && read_rt(h->dir, &cur_rt, &period) < 0)
                return 0; /* the write that follows reports what is wrong */
        if (period == 0)
                return 0;
        if (!(dir = strdup(h->dir)))
                return berth_error(err, ENOMEM, "cgroup cpu");

        /* Bottom up: what each ancestor below the mount needs for this container. */
        double share = (double)runtime / (double)period;
        size_t mount_len = strlen(h->mount);
        for (;;) {
                char *slash = strrchr(dir, '/');
                if (!slash || (size_t)(slash - dir) <= mount_len || n == ELEMENTSOF(levels))
                        break;
                *slash = 0; /* dir is now the parent, slash + 1 the child on our path */
                double others = 0;
                if (children_share(dir, slash + 1, &others) < 0)
                        break;
                share += others;
                need[n] = share;
                if (!(levels[n] = strdup(dir)))
                        break;
                n++;
        }

        /* Top down: raise the ones that are ours. h->created counts the trailing components
         * this cgroup made, the leaf among them. */
        int r = 0;
        for (size_t i = n; i-- > 0;) {
                const char *rel = levels[i] + mount_len;
                bool ours = i + 1 < h->created || streq(rel, CGROUP_DEFAULT_PARENT);
                if (r < 0 || !ours || read_rt(levels[i], &cur_rt, &cur_per) < 0)
                        continue;
                if (cur_rt < 0 || (double)cur_rt / (double)cur_per >= need[i] - 1e-9)
                        continue;
                double exact = need[i] * (double)cur_per, want = (double)(uint64_t)exact;
                if (want < exact)
                        want += 1;
                _cleanup_free_ char *file = NULL;
                if (asprintf(&file, "%s/cpu.rt_runtime_us", levels[i]) < 0) {
                        r = berth_error(err, ENOMEM, "cgroup cpu");
                        continue;
                }
                char v[32];
                snprintf(v, sizeof(v), "%.0f", want);
                int q = want > (double)cur_per ? -ERANGE : fs_write_string_file(file, v);
                if (q < 0)
                        r = berth_error(err, q == -ERANGE ? 0 : q,
                                        "cgroup cpu: make room for cpu.realtimeRuntime %" PRId64
                                        " of %s: write \"%s\" to cpu.rt_runtime_us of %s%s",
                                        runtime, cg->path, v, rel,
                                        q == -ERANGE ? ": more than its period" : "");
        }
        for (size_t i = 0; i < n; i++)
                free(levels[i]);
        return r;
}

void cgroup_v1_rt_release(CgroupHierarchy *h)
{
        /* A removed cgroup's task group lingers in the kernel a while after rmdir, its
         * realtime time still counted against its parent: give it back first. */
        uint64_t rt;
        if (cgroup_read_u64(h, "cpu.rt_runtime_us", &rt) >= 0 && rt > 0) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/cpu.rt_runtime_us", h->dir) >= 0)
                        (void)fs_write_string_file(p, "0");
        }
}
