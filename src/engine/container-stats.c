/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `stats`: a container's CPU time, memory, pids and block I/O from its cgroup (cgroup v1's
 * controllers or the unified v2 tree, found through /proc/<init pid>/cgroup), its network
 * counters from /proc/<init pid>/net/dev, and Docker's arithmetic over two samples. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define FILE_MAX (256 * 1024)
#define UNLIMITED_MIN (UINT64_C(1) << 60) /* v1's "no limit" is a page-rounded LLONG_MAX */

static char *read_text(const char *path)
{
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (fs_read_full_file_limited(AT_FDCWD, path, FILE_MAX, &data, &len, NULL) < 0)
                return NULL;
        return TAKE_PTR(data);
}

/* A file holding one number; "max" is UINT64_MAX. */
static int read_u64(const char *dir, const char *name, uint64_t *ret)
{
        _cleanup_free_ char *path = NULL, *text = NULL;

        if (!dir || asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        text = read_text(path);
        if (!text)
                return -ENOENT;
        string_strip(text);
        if (streq(text, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return string_safe_atou64(text, ret);
}

/* "key value" lines (memory.stat, cpu.stat): the value of key. */
static int stat_value(const char *dir, const char *name, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t klen = strlen(key);

        if (!dir || asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        if (!(text = read_text(path)))
                return -ENOENT;
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, klen) == 0 && l[klen] == ' ')
                        return sscanf(l + klen + 1, "%" SCNu64, ret) == 1 ? 0 : -EBADMSG;
        return -ENOENT;
}

/* The directory of controller (NULL: the unified tree) for the process whose
 * /proc/<pid>/cgroup is text. */
static char *cgroup_dir(const char *text, const char *controller, bool unified_only)
{
        _cleanup_free_ char *copy = strdup(text);
        char *save = NULL;

        if (!copy)
                return NULL;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *p;
                if (!c2)
                        continue;
                *c1 = *c2 = 0;
                const char *ctrls = c1 + 1, *path = c2 + 1;
                if (!controller) {
                        if (*ctrls || !streq(l, "0"))
                                continue;
                        return asprintf(&p, "%s%s", unified_only ? CGROUP_ROOT
                                                                 : CGROUP_ROOT "/unified",
                                        streq(path, "/") ? "" : path) < 0 ? NULL : p;
                }
                _cleanup_free_ char *list = strdup(ctrls);
                char *s2 = NULL;
                bool has = false;
                for (char *w = list ? strtok_r(list, ",", &s2) : NULL; w && !has;
                     w = strtok_r(NULL, ",", &s2))
                        has = streq(w, controller);
                if (!has)
                        continue;
                if (asprintf(&p, CGROUP_ROOT "/%s%s", ctrls, path) < 0)
                        return NULL;
                if (access(p, F_OK) == 0)
                        return p;
                free(p);
                return asprintf(&p, CGROUP_ROOT "/%s%s", controller, path) < 0 ? NULL : p;
        }
        return NULL;
}

static bool cgroup_is_unified(void)
{
        struct statfs fs;

        return statfs(CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static uint64_t host_memory(void)
{
        struct sysinfo si;

        return sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit : 0;
}

/* The host's CPU time in ns: /proc/stat's first line, user to softirq as Docker sums it. */
static uint64_t system_cpu_ns(void)
{
        _cleanup_free_ char *text = read_text("/proc/stat");
        unsigned long long v[7] = {};
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t ticks = 0;

        if (!text || hz <= 0 ||
            sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6]) != 7)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                ticks += v[i];
        return ticks * (1000000000ULL / (uint64_t)hz);
}

/* v1 blkio.throttle.io_service_bytes ("MAJ:MIN Read N") or v2 io.stat ("rbytes=N"). */
static void block_io(const char *dir, bool v2, EngineStatsSample *s)
{
        _cleanup_free_ char *path = NULL, *text = NULL;

        if (!dir || asprintf(&path, "%s/%s", dir, v2 ? "io.stat" : "blkio.throttle.io_service_bytes") < 0 ||
            !(text = read_text(path)))
                return;
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                unsigned long long n;
                char op[16];
                if (v2) {
                        const char *r = strstr(l, "rbytes="), *w = strstr(l, "wbytes="),
                                   *end = strchr(l, '\n');
                        if (r && (!end || r < end) && sscanf(r, "rbytes=%llu", &n) == 1)
                                s->blk_read += n;
                        if (w && (!end || w < end) && sscanf(w, "wbytes=%llu", &n) == 1)
                                s->blk_write += n;
                } else if (sscanf(l, "%*u:%*u %15s %llu", op, &n) == 2) {
                        if (streq(op, "Read"))
                                s->blk_read += n;
                        else if (streq(op, "Write"))
                                s->blk_write += n;
                }
        }
}

/* Every interface of the container's network namespace but lo. */
static void net_io(pid_t pid, EngineStatsSample *s)
{
        _cleanup_free_ char *path = NULL, *text = NULL;

        if (asprintf(&path, "/proc/%d/net/dev", (int)pid) < 0 || !(text = read_text(path)))
                return;
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                char name[64];
                unsigned long long rx, tx;
                if (sscanf(l, " %63[^:]: %llu %*u %*u %*u %*u %*u %*u %*u %llu", name, &rx,
                           &tx) != 3 || streq(name, "lo"))
                        continue;
                s->net_rx += rx;
                s->net_tx += tx;
        }
}

int engine_container_stats_sample(Engine *e, EngineContainer *c, EngineStatsSample *ret,
                                  BerthError **err)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        EngineStatsSample s = {};
        uint64_t v;
        (void)e;

        if ((c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED) || c->pid <= 0)
                return berth_error_plain(err, EINVAL, "container `%s` is not running", c->name);
        if (asprintf(&path, "/proc/%d/cgroup", (int)c->pid) < 0)
                return berth_error(err, ENOMEM, "stats");
        if (!(text = read_text(path)))
                return berth_error_plain(err, ESRCH, "stats `%s`: its process %d is gone",
                                         c->name, (int)c->pid);
        s.system_ns = system_cpu_ns();
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        s.online_cpus = cpus > 0 ? (unsigned)cpus : 1;
        uint64_t host_mem = host_memory();

        if (cgroup_is_unified()) {
                _cleanup_free_ char *dir = cgroup_dir(text, NULL, true);
                if (!dir)
                        return berth_error_plain(err, ENOENT, "stats `%s`: no cgroup in `%s`",
                                                 c->name, path);
                if (stat_value(dir, "cpu.stat", "usage_usec", &v) >= 0)
                        s.cpu_ns = v * 1000;
                if (read_u64(dir, "memory.current", &v) >= 0)
                        s.mem_usage = v;
                if (stat_value(dir, "memory.stat", "inactive_file", &v) >= 0 && v < s.mem_usage)
                        s.mem_usage -= v;
                if (read_u64(dir, "memory.max", &v) >= 0)
                        s.mem_limit = v;
                (void)read_u64(dir, "pids.current", &s.pids);
                block_io(dir, true, &s);
        } else {
                _cleanup_free_ char *cpu = cgroup_dir(text, "cpuacct", false),
                                    *mem = cgroup_dir(text, "memory", false),
                                    *pids = cgroup_dir(text, "pids", false),
                                    *blk = cgroup_dir(text, "blkio", false);
                if (!cpu && !mem)
                        return berth_error_plain(err, ENOENT, "stats `%s`: no cgroup in `%s`",
                                                 c->name, path);
                (void)read_u64(cpu, "cpuacct.usage", &s.cpu_ns);
                (void)read_u64(mem, "memory.usage_in_bytes", &s.mem_usage);
                if (stat_value(mem, "memory.stat", "total_inactive_file", &v) >= 0 &&
                    v < s.mem_usage)
                        s.mem_usage -= v;
                if (read_u64(mem, "memory.limit_in_bytes", &v) >= 0)
                        s.mem_limit = v;
                (void)read_u64(pids, "pids.current", &s.pids);
                block_io(blk, false, &s);
        }
        if (s.mem_limit == 0 || s.mem_limit >= UNLIMITED_MIN || (host_mem && s.mem_limit > host_mem))
                s.mem_limit = host_mem;
        net_io(c->pid, &s);
        *ret = s;
        return 0;
}

double engine_stats_cpu_percent(const EngineStatsSample *before, const EngineStatsSample *now)
{
        if (now->cpu_ns < before->cpu_ns || now->system_ns <= before->system_ns)
                return 0.0;
        double cpu = (double)(now->cpu_ns - before->cpu_ns);
        double sys = (double)(now->system_ns - before->system_ns);
        return cpu / sys * (double)(now->online_cpus ? now->online_cpus : 1) * 100.0;
}

double engine_stats_mem_percent(const EngineStatsSample *s)
{
        return s->mem_limit ? (double)s->mem_usage / (double)s->mem_limit * 100.0 : 0.0;
}
