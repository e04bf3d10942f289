/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runc's `update` flags onto a SpecResources, so `berth-runtime update --memory 64m ...`
 * and `update -r FILE` feed cgroup_update() the same struct. Flags override what -r gave, as
 * in runc. Values parse the way runc's do: sizes with k/m/g/t/p suffixes (binary units,
 * "64m", "1.5g"), -1 for unlimited where runc takes it.
 */
#include <ctype.h>
#include <string.h>

#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

int cgroup_parse_size(const char *s, int64_t *ret)
{
        char *end;
        double v;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "-1")) {
                *ret = -1;
                return 0;
        }
        if (!isdigit((unsigned char)s[0]) && s[0] != '.')
                return -EINVAL;
        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || v < 0)
                return -EINVAL;
        double mul = 1;
        switch (tolower((unsigned char)*end)) {
        case 0:
                break;
        case 'b':
                end++;
                break;
        case 'k':
                mul = 1024.0;
                end++;
                break;
        case 'm':
                mul = 1024.0 * 1024;
                end++;
                break;
        case 'g':
                mul = 1024.0 * 1024 * 1024;
                end++;
                break;
        case 't':
                mul = 1024.0 * 1024 * 1024 * 1024;
                end++;
                break;
        case 'p':
                mul = 1024.0 * 1024 * 1024 * 1024 * 1024;
                end++;
                break;
        default:
                return -EINVAL;
        }
        if (mul > 1 && tolower((unsigned char)end[0]) == 'i' &&
            tolower((unsigned char)end[1]) == 'b')
                end += 2;
        else if (mul > 1 && tolower((unsigned char)end[0]) == 'b')
                end++;
        if (*end)
                return -EINVAL;
        v *= mul;
        if (v >= 9.2e18)
                return -ERANGE;
        *ret = (int64_t)v;
        return 0;
}

static int set_string(char **field, const char *v)
{
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        free(*field);
        *field = c;
        return 0;
}

typedef enum {
        F_MEMORY,
        F_MEMORY_RESERVATION,
        F_MEMORY_SWAP,
        F_KERNEL_MEMORY,
        F_KERNEL_MEMORY_TCP,
        F_CPU_SHARE,
        F_CPU_PERIOD,
        F_CPU_QUOTA,
        F_CPU_BURST,
        F_CPU_RT_PERIOD,
        F_CPU_RT_RUNTIME,
        F_CPUSET_CPUS,
        F_CPUSET_MEMS,
        F_PIDS_LIMIT,
        F_BLKIO_WEIGHT,
} Flag;

static const struct {
        const char *name;
        Flag flag;
} flags[] = {
        { "memory", F_MEMORY },
        { "memory-reservation", F_MEMORY_RESERVATION },
        { "memory-swap", F_MEMORY_SWAP },
        { "kernel-memory", F_KERNEL_MEMORY },
        { "kernel-memory-tcp", F_KERNEL_MEMORY_TCP },
        { "cpu-share", F_CPU_SHARE },
        { "cpu-period", F_CPU_PERIOD },
        { "cpu-quota", F_CPU_QUOTA },
        { "cpu-burst", F_CPU_BURST },
        { "cpu-rt-period", F_CPU_RT_PERIOD },
        { "cpu-rt-runtime", F_CPU_RT_RUNTIME },
        { "cpuset-cpus", F_CPUSET_CPUS },
        { "cpuset-mems", F_CPUSET_MEMS },
        { "pids-limit", F_PIDS_LIMIT },
        { "blkio-weight", F_BLKIO_WEIGHT },
};

bool cgroup_update_flag_known(const char *name)
{
        const char *n = startswith(name, "--") ? name + 2 : name;

        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (streq(flags[i].name, n))
                        return true;
        return false;
}

int cgroup_update_flag(SpecResources *r, const char *name, const char *value, BerthError **err)
{
        const char *n = startswith(name, "--") ? name + 2 : name;
        int64_t s = 0;
        uint64_t u = 0;
        int q = 0;
        size_t i;

        for (i = 0; i < ELEMENTSOF(flags); i++)
                if (streq(flags[i].name, n))
                        break;
        if (i == ELEMENTSOF(flags)) {
                if (streq(n, "l3-cache-schema") || streq(n, "mem-bw-schema"))
                        return berth_error(err, EOPNOTSUPP,
                                           "update: --%s (Intel RDT) is not supported", n);
                return berth_error(err, 0, "update: unknown flag --%s", n);
        }
        if (!value)
                return berth_error(err, 0, "update: --%s needs a value", n);

        Flag f = flags[i].flag;
        switch (f) {
        case F_MEMORY:
        case F_MEMORY_RESERVATION:
        case F_MEMORY_SWAP:
        case F_KERNEL_MEMORY:
        case F_KERNEL_MEMORY_TCP:
                q = cgroup_parse_size(value, &s);
                break;
        case F_CPU_QUOTA:
        case F_CPU_RT_RUNTIME:
        case F_PIDS_LIMIT:
                q = string_safe_atoi64(value, &s);
                break;
        case F_CPUSET_CPUS:
        case F_CPUSET_MEMS:
                break;
        default:
                q = string_safe_atou64(value, &u);
        }
        if (q < 0)
                return berth_error(err, 0, "update: invalid value `%s` for --%s", value, n);

        switch (f) {
        case F_MEMORY:
                r->memory.present = r->memory.has_limit = true;
                r->memory.limit = s;
                break;
        case F_MEMORY_RESERVATION:
                r->memory.present = r->memory.has_reservation = true;
                r->memory.reservation = s;
                break;
        case F_MEMORY_SWAP:
                r->memory.present = r->memory.has_swap = true;
                r->memory.swap = s;
                break;
        case F_KERNEL_MEMORY:
                r->memory.present = r->memory.has_kernel = true;
                r->memory.kernel = s;
                break;
        case F_KERNEL_MEMORY_TCP:
                r->memory.present = r->memory.has_kernel_tcp = true;
                r->memory.kernel_tcp = s;
                break;
        case F_CPU_SHARE:
                r->cpu.present = r->cpu.has_shares = true;
                r->cpu.shares = u;
                break;
        case F_CPU_PERIOD:
                r->cpu.present = r->cpu.has_period = true;
                r->cpu.period = u;
                break;
        case F_CPU_QUOTA:
                r->cpu.present = r->cpu.has_quota = true;
                r->cpu.quota = s;
                break;
        case F_CPU_BURST:
                r->cpu.present = r->cpu.has_burst = true;
                r->cpu.burst = u;
                break;
        case F_CPU_RT_PERIOD:
                r->cpu.present = r->cpu.has_realtime_period = true;
                r->cpu.realtime_period = u;
                break;
        case F_CPU_RT_RUNTIME:
                r->cpu.present = r->cpu.has_realtime_runtime = true;
                r->cpu.realtime_runtime = s;
                break;
        case F_CPUSET_CPUS:
        case F_CPUSET_MEMS:
                r->cpu.present = true;
                if (set_string(f == F_CPUSET_CPUS ? &r->cpu.cpus : &r->cpu.mems, value) < 0)
                        return berth_error(err, ENOMEM, "update");
                break;
        case F_PIDS_LIMIT:
                r->pids.present = r->pids.has_limit = true;
                r->pids.limit = s;
                break;
        case F_BLKIO_WEIGHT:
                if (u > 1000 || (u != 0 && u < 10))
                        return berth_error(err, 0,
                                           "update: --blkio-weight %s is out of range 10-1000",
                                           value);
                r->block_io.present = r->block_io.has_weight = true;
                r->block_io.weight = (uint16_t)u;
                break;
        }
        return 0;
}
