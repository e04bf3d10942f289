/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grammar of Docker's flags: sizes, CPUs, durations, human forms, -v, --mount, --tmpfs,
 * each with docker's answers. */
#include <errno.h>
#include <stdlib.h>

#include "engine/mount-spec.h"
#include "engine/units.h"
#include "tap.h"

TEST(ram_sizes)
{
        static const struct {
                const char *s;
                int64_t v;
        } ok[] = {
                { "0", 0 }, { "512", 512 }, { "512b", 512 }, { "1k", 1024 }, { "1KB", 1024 },
                { "1kib", 1024 }, { "64m", 64 << 20 }, { "1.5g", 3LL << 29 }, { "2 GB", 2LL << 30 },
                { "1t", 1LL << 40 }, { "0.5k", 512 },
        };
        static const char *const bad[] = { "", "m", "-1", "1x", "1kk", "1.2.3k", ".5m", "1  ",
                                           "99999999999p" };
        BerthError *err = NULL;
        int64_t v;

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                ASSERT_OK(units_parse_ram(ok[i].s, "--memory", &v, NULL));
                ASSERT_EQ(v, ok[i].v);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ASSERT_EQ(units_parse_ram(bad[i], "--memory", &v, &err), -EINVAL);
                ASSERT_CONTAINS(err->msg, "--memory: invalid size: `");
                berth_error_free(&err);
        }
        return 0;
}

TEST(cpus_and_durations)
{
        BerthError *err = NULL;
        int64_t v;

        ASSERT_OK(units_parse_cpus("1.5", "--cpus", &v, NULL));
        ASSERT_EQ(v, 1500000000);
        ASSERT_OK(units_parse_cpus("0.01", "--cpus", &v, NULL));
        ASSERT_EQ(v, 10000000);
        ASSERT_EQ(units_parse_cpus("1,5", "--cpus", &v, &err), -EINVAL);
        ASSERT_STREQ(err->msg, "--cpus: `1,5` is no number of CPUs");
        berth_error_free(&err);

        ASSERT_OK(units_parse_duration("1m30s", "--health-interval", &v, NULL));
        ASSERT_EQ(v, 90000000000LL);
        ASSERT_OK(units_parse_duration("250ms", "x", &v, NULL));
        ASSERT_EQ(v, 250000000);
        ASSERT_OK(units_parse_duration("1.5h", "x", &v, NULL));
        ASSERT_EQ(v, 5400000000000LL);
        ASSERT_OK(units_parse_duration("0", "x", &v, NULL));
        ASSERT_EQ(v, 0);
        ASSERT_OK(units_parse_duration("-2us", "x", &v, NULL));
        ASSERT_EQ(v, -2000);
        ASSERT_EQ(units_parse_duration("10", "--since", &v, &err), -EINVAL);
        ASSERT_STREQ(err->msg, "--since: `10` is no duration (such as 1m30s or 250ms)");
        berth_error_free(&err);
        ASSERT_EQ(units_parse_duration("1d", "x", &v, NULL), -EINVAL);
        ASSERT_EQ(units_parse_duration("", "x", &v, NULL), -EINVAL);
        return 0;
}

TEST(human_forms)
{
        char buf[32];

        units_format_size(0, 3, buf);
        ASSERT_STREQ(buf, "0B");
        units_format_size(4264960, 3, buf);
        ASSERT_STREQ(buf, "4.26MB");
        units_format_size(999, 3, buf);
        ASSERT_STREQ(buf, "999B");
        units_format_size(1000, 3, buf);
        ASSERT_STREQ(buf, "1kB");
        units_format_size(1234567890, 4, buf);
        ASSERT_STREQ(buf, "1.235GB");

        static const struct {
                int64_t sec;
                const char *s;
        } d[] = {
                { 0, "Less than a second" }, { 1, "1 second" }, { 59, "59 seconds" },
                { 60, "About a minute" }, { 119, "About a minute" }, { 120, "2 minutes" },
                { 3599, "59 minutes" }, { 3600, "About an hour" }, { 5399, "About an hour" },
                { 5400, "2 hours" }, { 47 * 3600, "47 hours" }, { 48 * 3600, "2 days" },
                { 14 * 86400, "2 weeks" }, { 60 * 86400, "2 months" }, { 730 * 86400, "2 years" },
        };
        for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
                units_format_duration(d[i].sec * 1000000000LL, buf);
                ASSERT_STREQ(buf, d[i].s);
        }
        return 0;
}

TEST(volume_flags)
{
        BerthError *err = NULL;
        MountSpec m;

        ASSERT_OK(mount_spec_parse_volume("/data", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_VOLUME);
        ASSERT_NULL(m.source);
        ASSERT_STREQ(m.target, "/data");
        mount_spec_done(&m);

        ASSERT_OK(mount_spec_parse_volume("/host/dir:/data:ro,z,rshared", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_BIND);
        ASSERT_STREQ(m.source, "/host/dir");
        ASSERT_TRUE(m.readonly);
        ASSERT_STREQ(m.propagation, "rshared");
        mount_spec_done(&m);

        ASSERT_OK(mount_spec_parse_volume("cache:/var/cache:nocopy", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_VOLUME);
        ASSERT_STREQ(m.source, "cache");
        ASSERT_TRUE(m.nocopy);
        ASSERT_FALSE(m.readonly);
        mount_spec_done(&m);

        /* DST:MODE */
        ASSERT_OK(mount_spec_parse_volume("/data:ro", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_VOLUME);
        ASSERT_NULL(m.source);
        ASSERT_TRUE(m.readonly);
        mount_spec_done(&m);

        static const struct {
                const char *s, *why;
        } bad[] = {
                { "a:b:c:d", "invalid volume specification" },
                { "/x:/y:ro,rw", "invalid mode `ro,rw`" },
                { "/x:/y:fast", "invalid mode `fast`" },
                { "/x:/y:ro,", "invalid mode" },
                { "/x:data", "is not an absolute path" },
                { "/x:/", "the destination can't be `/`" },
                { "v:/", "the destination can't be `/`" },
                { "bad name:/d", "is no volume name" },
                { "x:/d", "is no volume name" },
                { "/x:/d:nocopy", "nocopy is for volumes" },
                { "vol:/d:shared", "propagation is for binds" },
                { ":/d", "invalid volume specification" },
                { "", "the destination is missing" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ASSERT_EQ(mount_spec_parse_volume(bad[i].s, &m, &err), -EINVAL);
                if (!strstr(err->msg, bad[i].why))
                        TAP_FAIL("%s: %s", bad[i].s, err->msg);
                ASSERT_TRUE(strncmp(err->msg, "-v: ", 4) == 0);
                berth_error_free(&err);
        }
        return 0;
}

TEST(mount_and_tmpfs_flags)
{
        BerthError *err = NULL;
        MountSpec m;

        ASSERT_OK(mount_spec_parse_mount("type=bind,source=/h,target=/c,readonly,"
                                         "bind-propagation=slave", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_BIND);
        ASSERT_STREQ(m.source, "/h");
        ASSERT_STREQ(m.target, "/c");
        ASSERT_TRUE(m.readonly);
        ASSERT_STREQ(m.propagation, "slave");
        mount_spec_done(&m);

        ASSERT_OK(mount_spec_parse_mount("src=data,dst=/d,ro=false,volume-nocopy=true", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_VOLUME);
        ASSERT_FALSE(m.readonly);
        ASSERT_TRUE(m.nocopy);
        mount_spec_done(&m);

        ASSERT_OK(mount_spec_parse_mount("type=tmpfs,destination=/t,tmpfs-size=64m,"
                                         "tmpfs-mode=1770", &m, NULL));
        ASSERT_EQ(m.kind, MOUNT_SPEC_TMPFS);
        ASSERT_EQ(m.tmpfs_size, 64 << 20);
        ASSERT_EQ(m.tmpfs_mode, 01770);
        mount_spec_done(&m);

        static const struct {
                const char *s, *why;
        } bad[] = {
                { "type=bind,target=/c", "a bind needs an absolute source" },
                { "type=nfs,target=/c", "type `nfs` is not bind, volume or tmpfs" },
                { "type=bind,src=/h", "the destination is missing" },
                { "target=/c,colour=red", "unexpected key `colour`" },
                { "target=/c,,ro", "an empty field" },
                { "target=/c,ro=maybe", "`ro` takes true or false" },
                { "type=tmpfs,src=x,target=/t", "a tmpfs takes no source" },
                { "type=bind,src=/h,target=/c,tmpfs-size=1m", "tmpfs options on a bind" },
                { "type=tmpfs,target=/t,tmpfs-mode=999", "no octal mode" },
                { "target", "`target` needs a value" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ASSERT_EQ(mount_spec_parse_mount(bad[i].s, &m, &err), -EINVAL);
                if (!strstr(err->msg, bad[i].why))
                        TAP_FAIL("%s: %s", bad[i].s, err->msg);
                berth_error_free(&err);
        }

        ASSERT_OK(mount_spec_parse_tmpfs("/run:rw,noexec,size=65536k", &m, NULL));
        ASSERT_STREQ(m.target, "/run");
        ASSERT_STREQ(m.tmpfs_options, "rw,noexec,size=65536k");
        mount_spec_done(&m);
        ASSERT_EQ(mount_spec_parse_tmpfs("run", &m, &err), -EINVAL);
        ASSERT_STREQ(err->msg, "--tmpfs: `run`: the destination `run` is not an absolute path");
        berth_error_free(&err);
        return 0;
}
