/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stats: docker's CPU % over two samples and MEM %. */
#include <math.h>

#include "engine/engine.h"
#include "tap.h"

#define ASSERT_NEAR(a, b)                                                                          \
        do {                                                                                       \
                double _a = (a), _b = (b);                                                         \
                if (fabs(_a - _b) > 1e-9)                                                          \
                        TAP_FAIL("%s = %f, expected %f", #a, _a, _b);                              \
        } while (0)

TEST(cpu_percent)
{
        EngineStatsSample a = { .cpu_ns = 1000, .system_ns = 10000, .online_cpus = 4 };
        EngineStatsSample b = { .cpu_ns = 3000, .system_ns = 18000, .online_cpus = 4 };

        /* 2000 of the host's 8000 ns over 4 CPUs: one CPU busy, 100 % */
        ASSERT_NEAR(engine_stats_cpu_percent(&a, &b), 100.0);
        b.online_cpus = 2;
        ASSERT_NEAR(engine_stats_cpu_percent(&a, &b), 50.0);
        /* no time passed, or the counter went back (a restart): 0 */
        b.system_ns = a.system_ns;
        ASSERT_NEAR(engine_stats_cpu_percent(&a, &b), 0.0);
        b.system_ns = 18000;
        b.cpu_ns = 500;
        ASSERT_NEAR(engine_stats_cpu_percent(&a, &b), 0.0);
        /* no CPU count read: one */
        b.cpu_ns = 3000;
        b.online_cpus = 0;
        ASSERT_NEAR(engine_stats_cpu_percent(&a, &b), 25.0);
        return 0;
}

TEST(mem_percent)
{
        EngineStatsSample s = { .mem_usage = 16 << 20, .mem_limit = 64 << 20 };

        ASSERT_NEAR(engine_stats_mem_percent(&s), 25.0);
        s.mem_limit = 0;
        ASSERT_NEAR(engine_stats_mem_percent(&s), 0.0);
        return 0;
}
