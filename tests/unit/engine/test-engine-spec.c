/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json from image and flags: Docker's defaults, what each flag changes, and a document
 * that the runtime's own parser takes. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "engine/engine-spec.h"
#include "spec/runtime-spec.h"
#include "tap.h"

static char *image_entry[] = { "/docker-entrypoint.sh", NULL };
static char *image_cmd[] = { "nginx", "-g", "daemon off;", NULL };
static char *image_env[] = { "PATH=/opt/bin:/bin", "NGINX_VERSION=1.25", NULL };
static const ImageRunConfig image = {
        .entrypoint = image_entry, .cmd = image_cmd, .env = image_env, .working_dir = "/srv",
};

/* Builds the document, checks that the runtime's parser takes it, returns it parsed. */
static struct json_object *build(const EngineSpecOptions *o)
{
        _cleanup_free_ char *json = NULL;
        BerthError *err = NULL;
        Spec *s = NULL;

        if (engine_spec_build(o, &json, &err) < 0) {
                printf("# %s\n", err->msg);
                berth_error_free(&err);
                return NULL;
        }
        if (spec_parse(json, strlen(json), &s, &err) < 0) {
                printf("# the runtime refuses it: %s\n", err->msg);
                berth_error_free(&err);
                return NULL;
        }
        spec_free(s);
        return json_tokener_parse(json);
}

static struct json_object *get(struct json_object *o, const char *path)
{
        char buf[256], *save = NULL;

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
                if (!json_object_object_get_ex(o, k, &o))
                        return NULL;
        return o;
}

static const char *str(struct json_object *o, const char *path)
{
        return json_object_get_string(get(o, path));
}

static bool array_has(struct json_object *a, const char *s)
{
        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
                        return true;
        return false;
}

static struct json_object *mount_at(struct json_object *doc, const char *dst)
{
        struct json_object *a = get(doc, "mounts");
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                struct json_object *m = json_object_array_get_idx(a, i);
                if (strcmp(str(m, "destination"), dst) == 0)
                        return m;
        }
        return NULL;
}

TEST(image_defaults)
{
        struct json_object *doc, *args, *env, *caps;
        EngineSpecOptions o = { .rootfs = "/var/lib/x/rootfs", .image = &image,
                                .hostname = "web" };

        ASSERT_NOT_NULL(doc = build(&o));
        args = get(doc, "process.args");
        ASSERT_EQ(json_object_array_length(args), 4);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(args, 0)),
                     "/docker-entrypoint.sh");
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(args, 3)), "daemon off;");
        env = get(doc, "process.env");
        ASSERT_TRUE(array_has(env, "HOSTNAME=web"));
        ASSERT_TRUE(array_has(env, "PATH=/opt/bin:/bin"));
        ASSERT_TRUE(array_has(env, "NGINX_VERSION=1.25"));
        ASSERT_FALSE(array_has(env, "TERM=xterm"));
        ASSERT_STREQ(str(doc, "process.cwd"), "/srv");
        ASSERT_STREQ(str(doc, "hostname"), "web");
        caps = get(doc, "process.capabilities.bounding");
        ASSERT_EQ(json_object_array_length(caps), 14);
        ASSERT_TRUE(array_has(caps, "CAP_NET_RAW"));
        ASSERT_FALSE(array_has(caps, "CAP_SYS_ADMIN"));
        ASSERT_NULL(get(doc, "process.capabilities.inheritable"));
        ASSERT_TRUE(array_has(get(doc, "linux.maskedPaths"), "/proc/kcore"));
        ASSERT_TRUE(array_has(get(doc, "linux.readonlyPaths"), "/proc/sys"));
        ASSERT_TRUE(array_has(get(mount_at(doc, "/dev/shm"), "options"), "size=65536k"));
        ASSERT_TRUE(array_has(get(mount_at(doc, "/sys"), "options"), "ro"));
        ASSERT_NULL(mount_at(doc, "/etc/hosts"));
        /* A device rule list that denies all, then Docker's few. */
        ASSERT_EQ(json_object_array_length(get(doc, "linux.resources.devices")), 13);
        ASSERT_NULL(get(doc, "linux.seccomp"));
        json_object_put(doc);
        return 0;
}

TEST(command_line_overrides)
{
        struct json_object *doc;
        BerthError *err = NULL;
        char *json = NULL;
        char *cmd[] = { "sh", "-c", "env", NULL }, *env[] = { "NGINX_VERSION=2", "A=b", NULL };
        char *empty[] = { NULL };
        EngineSpecOptions o = { .rootfs = "/r", .image = &image, .cmd = cmd, .env = env,
                                .terminal = true, .workdir = "/tmp" };

        ASSERT_NOT_NULL(doc = build(&o));
        /* Arguments replace the Cmd, after the image's entrypoint. */
        ASSERT_EQ(json_object_array_length(get(doc, "process.args")), 4);
        ASSERT_TRUE(array_has(get(doc, "process.env"), "NGINX_VERSION=2"));
        ASSERT_FALSE(array_has(get(doc, "process.env"), "NGINX_VERSION=1.25"));
        ASSERT_TRUE(array_has(get(doc, "process.env"), "TERM=xterm"));
        ASSERT_STREQ(str(doc, "process.cwd"), "/tmp");
        json_object_put(doc);

        /* --entrypoint "" clears the image's, and its Cmd goes with it. */
        o.cmd = NULL;
        o.entrypoint = empty;
        o.has_entrypoint = true;
        ASSERT_EQ(engine_spec_build(&o, &json, &err), -EINVAL);
        ASSERT_STREQ(err->msg, "no command: the image has no Entrypoint or Cmd, and none was "
                               "given");
        berth_error_free(&err);
        o.cmd = cmd;
        ASSERT_NOT_NULL(doc = build(&o));
        ASSERT_STREQ(str(doc, "process.args"), "[ \"sh\", \"-c\", \"env\" ]");
        json_object_put(doc);

        o.workdir = "relative";
        ASSERT_EQ(engine_spec_build(&o, &json, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "`relative` is not an absolute path");
        berth_error_free(&err);
        return 0;
}

TEST(capabilities_and_privileged)
{
        struct json_object *doc, *caps;
        BerthError *err = NULL;
        char *json = NULL;
        char *drop_all[] = { "ALL", NULL }, *add_one[] = { "net_admin", NULL };
        char *drop_some[] = { "CAP_NET_RAW", "mknod", NULL }, *bogus[] = { "FLY", NULL };
        EngineSpecOptions o = { .rootfs = "/r", .image = &image, .cap_drop = drop_all,
                                .cap_add = add_one };

        ASSERT_NOT_NULL(doc = build(&o));
        caps = get(doc, "process.capabilities.effective");
        ASSERT_EQ(json_object_array_length(caps), 1);
        ASSERT_TRUE(array_has(caps, "CAP_NET_ADMIN"));
        json_object_put(doc);

        o.cap_drop = drop_some;
        o.cap_add = NULL;
        ASSERT_NOT_NULL(doc = build(&o));
        ASSERT_EQ(json_object_array_length(get(doc, "process.capabilities.permitted")), 12);
        json_object_put(doc);

        o.cap_add = bogus;
        ASSERT_EQ(engine_spec_build(&o, &json, &err), -EINVAL);
        ASSERT_STREQ(err->msg, "--cap-add: unknown capability `FLY`");
        berth_error_free(&err);

        EngineSpecOptions p = { .rootfs = "/r", .image = &image, .privileged = true,
                                .seccomp_json = "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}" };
        ASSERT_NOT_NULL(doc = build(&p));
        ASSERT_TRUE(json_object_array_length(get(doc, "process.capabilities.bounding")) > 38);
        ASSERT_NULL(get(doc, "linux.maskedPaths"));
        ASSERT_NULL(get(doc, "linux.seccomp"));
        ASSERT_TRUE(array_has(get(mount_at(doc, "/sys"), "options"), "rw"));
        ASSERT_EQ(json_object_array_length(get(doc, "linux.resources.devices")), 1);
        json_object_put(doc);
        return 0;
}

TEST(resources_mounts_and_namespaces)
{
        struct json_object *doc, *ns;
        BerthError *err = NULL;
        char *json = NULL;
        char *sysctls[] = { "net.ipv4.ip_forward=1", NULL }, *bad_sysctls[] = { "novalue", NULL };
        const EngineUlimit ulimits[] = { { "nofile", 1024, 2048 } };
        const MountSpec mounts[] = {
                { .kind = MOUNT_SPEC_BIND, .source = "/host/data", .target = "/data",
                  .readonly = true },
                { .kind = MOUNT_SPEC_TMPFS, .target = "/run", .tmpfs_size = 1 << 20,
                  .tmpfs_options = "noexec" },
        };
        EngineSpecOptions o = {
                .rootfs = "/r", .image = &image, .memory = 64 << 20, .nano_cpus = 1500000000,
                .pids_limit = 100, .cpuset_cpus = "0", .shm_size = 128 << 20, .sysctls = sysctls,
                .ulimits = ulimits, .n_ulimits = 1, .mounts = mounts, .n_mounts = 2,
                .etc_dir = "/var/lib/berth/containers/x", .netns = "/run/netns/x",
                .read_only = true, .cgroups_path = "/berth/x",
        };

        ASSERT_NOT_NULL(doc = build(&o));
        ASSERT_EQ(json_object_get_int64(get(doc, "linux.resources.memory.limit")), 64 << 20);
        ASSERT_EQ(json_object_get_int64(get(doc, "linux.resources.memory.swap")), 128 << 20);
        ASSERT_EQ(json_object_get_int64(get(doc, "linux.resources.cpu.quota")), 150000);
        ASSERT_EQ(json_object_get_int64(get(doc, "linux.resources.cpu.period")), 100000);
        ASSERT_EQ(json_object_get_int64(get(doc, "linux.resources.pids.limit")), 100);
        struct json_object *v = NULL;
        ASSERT_TRUE(json_object_object_get_ex(get(doc, "linux.sysctl"), "net.ipv4.ip_forward",
                                              &v));
        ASSERT_STREQ(json_object_get_string(v), "1");
        ASSERT_TRUE(array_has(get(mount_at(doc, "/dev/shm"), "options"), "size=131072k"));
        ASSERT_STREQ(str(mount_at(doc, "/etc/hosts"), "source"),
                     "/var/lib/berth/containers/x/hosts");
        ASSERT_TRUE(array_has(get(mount_at(doc, "/data"), "options"), "ro"));
        ASSERT_TRUE(array_has(get(mount_at(doc, "/run"), "options"), "size=1048576"));
        ASSERT_TRUE(array_has(get(mount_at(doc, "/run"), "options"), "noexec"));
        ASSERT_TRUE(json_object_get_boolean(get(doc, "root.readonly")));
        ASSERT_STREQ(str(doc, "linux.cgroupsPath"), "/berth/x");
        ASSERT_STREQ(str(json_object_array_get_idx(get(doc, "process.rlimits"), 0), "type"),
                     "RLIMIT_NOFILE");
        ns = get(doc, "linux.namespaces");
        ASSERT_STREQ(str(json_object_array_get_idx(ns, 4), "path"), "/run/netns/x");
        json_object_put(doc);

        o.netns = "host";
        ASSERT_NOT_NULL(doc = build(&o));
        for (size_t i = 0; i < json_object_array_length(get(doc, "linux.namespaces")); i++)
                ASSERT_TRUE(strcmp(str(json_object_array_get_idx(get(doc, "linux.namespaces"), i),
                                       "type"), "network") != 0);
        json_object_put(doc);

        o.sysctls = bad_sysctls;
        ASSERT_EQ(engine_spec_build(&o, &json, &err), -EINVAL);
        ASSERT_STREQ(err->msg, "--sysctl: `novalue` is not key=value");
        berth_error_free(&err);
        return 0;
}

TEST(user_and_init)
{
        struct json_object *doc;
        gid_t gids[] = { 29, 50 };
        ExecUser u = { .uid = 1000, .gid = 1000, .additional_gids = gids, .n_additional_gids = 2,
                       .home = "/home/app" };
        EngineSpecOptions o = { .rootfs = "/r", .image = &image, .user = &u,
                                .init_path = "/usr/libexec/berth/berth-init" };

        ASSERT_NOT_NULL(doc = build(&o));
        ASSERT_EQ(json_object_get_int64(get(doc, "process.user.uid")), 1000);
        ASSERT_EQ(json_object_array_length(get(doc, "process.user.additionalGids")), 2);
        ASSERT_TRUE(array_has(get(doc, "process.env"), "HOME=/home/app"));
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(get(doc, "process.args"), 0)),
                     "/sbin/berth-init");
        ASSERT_STREQ(str(mount_at(doc, "/sbin/berth-init"), "source"),
                     "/usr/libexec/berth/berth-init");
        json_object_put(doc);
        return 0;
}
