/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Statistics in the shape of runc's `events --stats` "data" object: cpu, memory, pids, blkio
 * and hugetlb, read from v1 or v2 files as the hierarchy holding each controller is. A
 * controller the host lacks is left out, as runc does.
 */
#include <dirent.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
        json_object_object_add(o, key, json_object_new_uint64(v));
}

static uint64_t rd(const CgroupHierarchy *h, const char *file)
{
        uint64_t v = 0;

        if (cgroup_read_u64(h, file, &v) < 0)
                return 0;
        return v;
}

static uint64_t rdk(const CgroupHierarchy *h, const char *file, const char *key)
{
        uint64_t v = 0;

        if (cgroup_read_keyed(h, file, key, &v) < 0)
                return 0;
        return v;
}

/* Every "key value" line of a file as an object (memory.stat -> "raw"). */
static struct json_object *keyed_object(const CgroupHierarchy *h, const char *file)
{
        _cleanup_free_ char *s = NULL;
        struct json_object *o;

        if (cgroup_read(h, file, &s) < 0)
                return NULL;
        o = json_object_new_object();
        for (char *save = NULL, *l = strtok_r(s, "\n", &save); l && o;
             l = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(l, ' ');
                uint64_t v;
                if (!sp)
                        continue;
                *sp = 0;
                if (string_safe_atou64(sp + 1, &v) >= 0)
                        add_u64(o, l, v);
        }
        return o;
}

static struct json_object *usage_entry(uint64_t usage, uint64_t max, uint64_t failcnt,
                                       uint64_t limit)
{
        struct json_object *o = json_object_new_object();

        add_u64(o, "usage", usage);
        add_u64(o, "max", max);
        add_u64(o, "failcnt", failcnt);
        add_u64(o, "limit", limit);
        return o;
}

/* A v1 usage entry from <prefix>usage_in_bytes and its siblings; unless always, only where
 * the kernel has those files (memsw and kmem are optional). */
static void add_v1_usage(struct json_object *m, const char *key, const CgroupHierarchy *h,
                         const char *prefix, bool always)
{
        static const char *const files[] = { "usage_in_bytes", "max_usage_in_bytes", "failcnt",
                                             "limit_in_bytes" };
        uint64_t v[ELEMENTSOF(files)];
        char f[64];

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(f, sizeof(f), "%s%s", prefix, files[i]);
                if (i == 0 && !always && !cgroup_file_exists(h, f))
                        return;
                v[i] = rd(h, f);
        }
        json_object_object_add(m, key, usage_entry(v[0], v[1], v[2], v[3]));
}

static void memory_stats(Cgroup *cg, struct json_object *data)
{
        CgroupHierarchy *h = cgroup_find(cg, "memory");
        struct json_object *m, *raw;

        if (!h)
                return;
        m = json_object_new_object();
        raw = keyed_object(h, "memory.stat");
        if (h->unified) {
                add_u64(m, "cache", rdk(h, "memory.stat", "file"));
                json_object_object_add(m, "usage",
                                       usage_entry(rd(h, "memory.current"),
                                                   rd(h, "memory.peak"),
                                                   rdk(h, "memory.events", "max"),
                                                   rd(h, "memory.max")));
                if (cgroup_file_exists(h, "memory.swap.current"))
                        json_object_object_add(m, "swap",
                                               usage_entry(rd(h, "memory.swap.current"),
                                                           rd(h, "memory.swap.peak"),
                                                           rdk(h, "memory.swap.events", "max"),
                                                           rd(h, "memory.swap.max")));
        } else {
                add_u64(m, "cache", rdk(h, "memory.stat", "cache"));
                add_v1_usage(m, "usage", h, "memory.", true);
                add_v1_usage(m, "swap", h, "memory.memsw.", false);
                add_v1_usage(m, "kernel", h, "memory.kmem.", false);
        }
        if (raw)
                json_object_object_add(m, "raw", raw);
        json_object_object_add(data, "memory", m);
}

static void cpu_stats(Cgroup *cg, struct json_object *data)
{
        CgroupHierarchy *h = cgroup_find(cg, "cpu"), *a = cgroup_find(cg, "cpuacct");
        struct json_object *c, *u, *t;

        if (!h && !a)
                return;
        c = json_object_new_object();
        u = json_object_new_object();
        t = json_object_new_object();
        if (h && h->unified) {
                add_u64(u, "total", rdk(h, "cpu.stat", "usage_usec") * 1000);
                add_u64(u, "kernel", rdk(h, "cpu.stat", "system_usec") * 1000);
                add_u64(u, "user", rdk(h, "cpu.stat", "user_usec") * 1000);
                add_u64(t, "periods", rdk(h, "cpu.stat", "nr_periods"));
                add_u64(t, "throttledPeriods", rdk(h, "cpu.stat", "nr_throttled"));
                add_u64(t, "throttledTime", rdk(h, "cpu.stat", "throttled_usec") * 1000);
        } else {
                if (a) {
                        _cleanup_free_ char *pc = NULL;
                        add_u64(u, "total", rd(a, "cpuacct.usage"));
                        if (cgroup_read(a, "cpuacct.usage_percpu", &pc) >= 0) {
                                struct json_object *arr = json_object_new_array();
                                for (char *save = NULL, *tk = strtok_r(pc, " \n", &save); tk;
                                     tk = strtok_r(NULL, " \n", &save)) {
                                        uint64_t v;
                                        if (string_safe_atou64(tk, &v) >= 0)
                                                json_object_array_add(arr,
                                                                      json_object_new_uint64(v));
                                }
                                json_object_object_add(u, "percpu", arr);
                        }
                        add_u64(u, "kernel", rd(a, "cpuacct.usage_sys"));
                        add_u64(u, "user", rd(a, "cpuacct.usage_user"));
                }
                if (h) {
                        add_u64(t, "periods", rdk(h, "cpu.stat", "nr_periods"));
                        add_u64(t, "throttledPeriods", rdk(h, "cpu.stat", "nr_throttled"));
                        add_u64(t, "throttledTime", rdk(h, "cpu.stat", "throttled_time"));
                }
        }
        json_object_object_add(c, "usage", u);
        json_object_object_add(c, "throttling", t);
        json_object_object_add(data, "cpu", c);
}

static void pids_stats(Cgroup *cg, struct json_object *data)
{
        CgroupHierarchy *h = cgroup_find(cg, "pids");
        struct json_object *p;
        uint64_t max;

        if (!h)
                return;
        p = json_object_new_object();
        add_u64(p, "current", rd(h, "pids.current"));
        max = rd(h, "pids.max");
        add_u64(p, "limit", max == UINT64_MAX ? 0 : max);
        json_object_object_add(data, "pids", p);
}

static struct json_object *blkio_entry(const char *dev, const char *op, uint64_t v)
{
        struct json_object *e = json_object_new_object();
        unsigned maj = 0, min = 0;

        (void)sscanf(dev, "%u:%u", &maj, &min);
        add_u64(e, "major", maj);
        add_u64(e, "minor", min);
        json_object_object_add(e, "op", json_object_new_string(op));
        add_u64(e, "value", v);
        return e;
}

static struct json_object *v1_blkio_list(const CgroupHierarchy *h, const char *file)
{
        _cleanup_free_ char *s = NULL;
        struct json_object *arr = json_object_new_array();

        if (cgroup_read(h, file, &s) < 0)
                return arr;
        for (char *save = NULL, *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char dev[32], op[16];
                unsigned long long v;
                if (sscanf(l, "%31s %15s %llu", dev, op, &v) == 3 && strchr(dev, ':'))
                        json_object_array_add(arr, blkio_entry(dev, op, v));
        }
        return arr;
}

static void blkio_stats(Cgroup *cg, struct json_object *data)
{
        CgroupHierarchy *h = cgroup_find(cg, "blkio");
        struct json_object *b;

        if (!h)
                h = cgroup_find(cg, "io");
        if (!h)
                return;
        b = json_object_new_object();
        if (!h->unified) {
                json_object_object_add(
                        b, "ioServiceBytesRecursive",
                        v1_blkio_list(h, "blkio.throttle.io_service_bytes_recursive"));
                json_object_object_add(b, "ioServicedRecursive",
                                       v1_blkio_list(h, "blkio.throttle.io_serviced_recursive"));
        } else {
                _cleanup_free_ char *s = NULL;
                struct json_object *bytes = json_object_new_array(),
                                   *ios = json_object_new_array();
                if (cgroup_read(h, "io.stat", &s) >= 0)
                        for (char *save = NULL, *l = strtok_r(s, "\n", &save); l;
                             l = strtok_r(NULL, "\n", &save)) {
                                char dev[32];
                                unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
                                if (sscanf(l, "%31s rbytes=%llu wbytes=%llu rios=%llu wios=%llu",
                                           dev, &rb, &wb, &ri, &wi) != 5)
                                        continue;
                                json_object_array_add(bytes, blkio_entry(dev, "Read", rb));
                                json_object_array_add(bytes, blkio_entry(dev, "Write", wb));
                                json_object_array_add(ios, blkio_entry(dev, "Read", ri));
                                json_object_array_add(ios, blkio_entry(dev, "Write", wi));
                        }
                json_object_object_add(b, "ioServiceBytesRecursive", bytes);
                json_object_object_add(b, "ioServicedRecursive", ios);
        }
        json_object_object_add(data, "blkio", b);
}

static void hugetlb_stats(Cgroup *cg, struct json_object *data)
{
        CgroupHierarchy *h = cgroup_find(cg, "hugetlb");
        _cleanup_closedir_ DIR *d = NULL;
        struct json_object *o;
        struct dirent *de;

        if (!h || !(d = opendir("/sys/kernel/mm/hugepages")))
                return;
        o = json_object_new_object();
        while ((de = readdir(d))) {
                unsigned long kb;
                char size[32], f[96];
                if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
                        continue;
                if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
                        snprintf(size, sizeof(size), "%luGB", kb / (1024 * 1024));
                else if (kb >= 1024 && kb % 1024 == 0)
                        snprintf(size, sizeof(size), "%luMB", kb / 1024);
                else
                        snprintf(size, sizeof(size), "%luKB", kb);
                uint64_t usage, max, failcnt;
                if (h->unified) {
                        snprintf(f, sizeof(f), "hugetlb.%s.current", size);
                        usage = rd(h, f);
                        max = 0;
                        snprintf(f, sizeof(f), "hugetlb.%s.events", size);
                        failcnt = rdk(h, f, "max");
                } else {
                        snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", size);
                        usage = rd(h, f);
                        snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
                        max = rd(h, f);
                        snprintf(f, sizeof(f), "hugetlb.%s.failcnt", size);
                        failcnt = rd(h, f);
                }
                struct json_object *e = json_object_new_object();
                add_u64(e, "usage", usage);
                add_u64(e, "max", max);
                add_u64(e, "failcnt", failcnt);
                json_object_object_add(o, size, e);
        }
        json_object_object_add(data, "hugetlb", o);
}

int cgroup_stats(Cgroup *cg, struct json_object **ret, BerthError **err)
{
        struct json_object *data;

        if (!cg->n || access(cg->h[0].dir, F_OK) < 0)
                return berth_error(err, errno ? errno : ENOENT, "cgroup: stats of %s", cg->path);
        data = json_object_new_object();
        if (!data)
                return berth_error(err, ENOMEM, "cgroup: stats");
        cpu_stats(cg, data);
        memory_stats(cg, data);
        pids_stats(cg, data);
        blkio_stats(cg, data);
        hugetlb_stats(cg, data);
        *ret = data;
        return 0;
}
