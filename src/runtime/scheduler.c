/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/string-util.h"
#include "runtime/scheduler.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

/* The kernel's struct sched_attr (sched_setattr(2)); its header clashes with glibc's sched.h. */
struct sched_attr_ {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
};

static const struct {
        const char *name;
        int value;
} policies[] = {
        { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },     { "SCHED_BATCH", 3 },
        { "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
}, flags[] = {
        { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
        { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
        { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
        { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static int lookup(const char *name, bool policy)
{
        size_t n = policy ? ELEMENTSOF(policies) : ELEMENTSOF(flags);
        for (size_t i = 0; i < n; i++) {
                const char *k = policy ? policies[i].name : flags[i].name;
                if (streq(k, name))
                        return policy ? policies[i].value : flags[i].value;
        }
        return -1;
}

int scheduler_apply(const SpecProcess *p, BerthError **err)
{
        if (p->scheduler) {
                const SpecScheduler *s = p->scheduler;
                struct sched_attr_ a = {
                        .size = sizeof(a),
                        .sched_nice = s->nice,
                        .sched_priority = (uint32_t)s->priority,
                        .sched_runtime = s->runtime,
                        .sched_deadline = s->deadline,
                        .sched_period = s->period,
                };
                int pol = lookup(s->policy, true);
                if (pol < 0)
                        return berth_error(err, 0, "process.scheduler.policy: unknown \"%s\"",
                                           s->policy);
                a.sched_policy = (uint32_t)pol;
                STRV_FOREACH(f, s->flags) {
                        int v = lookup(*f, false);
                        if (v < 0)
                                return berth_error(err, 0,
                                                   "process.scheduler.flags: unknown \"%s\"", *f);
                        a.sched_flags |= (uint64_t)v;
                }
                if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) {
                        bool rt = pol == SCHED_FIFO || pol == SCHED_RR;
                        /* With RT group scheduling a cgroup without realtime time refuses. */
                        return berth_error(err, errno, "process.scheduler: set %s%s", s->policy,
                                           rt && errno == EPERM && access("/sys/fs/cgroup/cpu/"
                                                                          "cpu.rt_runtime_us",
                                                                          F_OK) == 0
                                                   ? " (the container's cpu cgroup needs "
                                                     "linux.resources.cpu.realtimeRuntime)"
                                                   : "");
                }
        }
        if (p->has_io_priority) {
                int cls = streq(p->io_priority_class, "IOPRIO_CLASS_RT")   ? 1
                          : streq(p->io_priority_class, "IOPRIO_CLASS_BE") ? 2
                                                                           : 3;
                if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
                            (cls << IOPRIO_CLASS_SHIFT) | p->io_priority) < 0)
                        return berth_error(err, errno, "process.ioPriority: set %s %d",
                                           p->io_priority_class, p->io_priority);
        }
        return 0;
}

int scheduler_set_affinity(const char *cpus, const char *what, BerthError **err)
{
        cpu_set_t set;
        const char *p = cpus;

        CPU_ZERO(&set);
        while (*p) {
                char *end;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (end == p)
                        goto bad;
                if (*end == '-') {
                        p = end + 1;
                        b = strtoul(p, &end, 10);
                        if (end == p || b < a)
                                goto bad;
                }
                if (b >= CPU_SETSIZE)
                        goto bad;
                for (unsigned long c = a; c <= b; c++)
                        CPU_SET(c, &set);
                if (*end == ',')
                        end++;
                else if (*end)
                        goto bad;
                p = end;
        }
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return berth_error(err, errno, "%s: pin to CPUs \"%s\"", what, cpus);
        return 0;
bad:
        return berth_error(err, 0, "%s: invalid CPU list \"%s\"", what, cpus);
}
