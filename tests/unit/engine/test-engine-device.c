/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --device: docker's grammar, the host node read, and what config.json gets from it (the node
 * in linux.devices, the allow rule with its permissions, the host's nodes besides when
 * privileged). */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-device.h"
#include "engine/engine-spec.h"
#include "spec/runtime-spec.h"
#include "tap.h"

TEST(device_grammar)
{
        static const struct {
                const char *s, *path, *perms;
        } ok[] = {
                { "/dev/null", "/dev/null", "rwm" },
                { "/dev/null:/dev/mynull", "/dev/mynull", "rwm" },
                { "/dev/null:/dev/mynull:r", "/dev/mynull", "r" },
                { "/dev/null:rw", "/dev/null", "rw" },       /* HOST:PERMS */
                { "/dev/zero:/z:mwr", "/z", "mwr" },
        };
        EngineDevice d = {};
        BerthError *err = NULL;
        struct stat st;

        ASSERT_OK(stat("/dev/null", &st));
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                ASSERT_OK(engine_device_parse(ok[i].s, &d, NULL));
                ASSERT_STREQ(d.path, ok[i].path);
                ASSERT_STREQ(d.permissions, ok[i].perms);
                ASSERT_EQ(d.type, 'c');
                if (startswith(ok[i].s, "/dev/null")) {
                        ASSERT_EQ(d.major, (int64_t)major(st.st_rdev));
                        ASSERT_EQ(d.minor, (int64_t)minor(st.st_rdev));
                }
                engine_device_done(&d);
        }

        ASSERT_EQ(engine_device_parse("/dev/null:/x:rwx", &d, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "invalid permissions `rwx`");
        berth_error_free(&err);
        ASSERT_EQ(engine_device_parse("/dev/null:/x:rr", &d, &err), -EINVAL);
        berth_error_free(&err);
        ASSERT_EQ(engine_device_parse("/dev/null:/x:r:w", &d, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "HOST[:CONTAINER[:PERMS]]");
        berth_error_free(&err);
        ASSERT_EQ(engine_device_parse("dev/null", &d, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "absolute");
        berth_error_free(&err);
        ASSERT_EQ(engine_device_parse("/dev/null:mynull", &d, &err), -EINVAL);
        berth_error_free(&err);
        ASSERT_EQ(engine_device_parse("/etc/passwd", &d, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "`/etc/passwd` is not a device node");
        berth_error_free(&err);
        ASSERT_EQ(engine_device_parse("/nonexistent-device", &d, &err), -ENOENT);
        berth_error_free(&err);
        return 0;
}

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

static struct json_object *get(struct json_object *o, const char *a, const char *b)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, a, &v))
                return NULL;
        if (b && !json_object_object_get_ex(v, b, &v))
                return NULL;
        return v;
}

TEST(device_in_config)
{
        static char *cmd[] = { "true", NULL };
        EngineDevice d = { .path = (char *)"/dev/mynull", .type = 'c', .major = 1, .minor = 3,
                           .mode = 0666, .uid = 0, .gid = 5, .permissions = "rw" };
        EngineSpecOptions o = { .rootfs = "/r", .cmd = cmd, .devices = &d, .n_devices = 1 };
        struct json_object *doc = build(&o), *devs, *rules, *last;

        ASSERT_NOT_NULL(doc);
        devs = get(get(doc, "linux", NULL), "devices", NULL);
        ASSERT_NOT_NULL(devs);
        ASSERT_EQ(json_object_array_length(devs), 1);
        struct json_object *n = json_object_array_get_idx(devs, 0);
        ASSERT_STREQ(json_object_get_string(get(n, "path", NULL)), "/dev/mynull");
        ASSERT_STREQ(json_object_get_string(get(n, "type", NULL)), "c");
        ASSERT_EQ(json_object_get_int(get(n, "major", NULL)), 1);
        ASSERT_EQ(json_object_get_int(get(n, "minor", NULL)), 3);
        ASSERT_EQ(json_object_get_int(get(n, "fileMode", NULL)), 0666);
        ASSERT_EQ(json_object_get_int(get(n, "gid", NULL)), 5);
        rules = get(get(doc, "linux", "resources"), "devices", NULL);
        ASSERT_NOT_NULL(rules);
        last = json_object_array_get_idx(rules, json_object_array_length(rules) - 1);
        ASSERT_TRUE(json_object_get_boolean(get(last, "allow", NULL)));
        ASSERT_STREQ(json_object_get_string(get(last, "type", NULL)), "c");
        ASSERT_EQ(json_object_get_int(get(last, "major", NULL)), 1);
        ASSERT_EQ(json_object_get_int(get(last, "minor", NULL)), 3);
        ASSERT_STREQ(json_object_get_string(get(last, "access", NULL)), "rw");
        json_object_put(doc);

        /* Privileged: the node still (first, before the host's own /dev nodes, which
         * privileged adds too), and the one allow-all rule. */
        o.privileged = true;
        doc = build(&o);
        ASSERT_NOT_NULL(doc);
        devs = get(get(doc, "linux", NULL), "devices", NULL);
        ASSERT_TRUE(json_object_array_length(devs) >= 1);
        ASSERT_STREQ(json_object_get_string(get(json_object_array_get_idx(devs, 0), "path", NULL)),
                     "/dev/mynull");
        rules = get(get(doc, "linux", "resources"), "devices", NULL);
        ASSERT_EQ(json_object_array_length(rules), 1);
        ASSERT_STREQ(json_object_get_string(get(json_object_array_get_idx(rules, 0), "access",
                                                NULL)), "rwm");
        json_object_put(doc);

        /* None asked: no linux.devices at all. */
        o = (EngineSpecOptions){ .rootfs = "/r", .cmd = cmd };
        doc = build(&o);
        ASSERT_NOT_NULL(doc);
        ASSERT_NULL(get(get(doc, "linux", NULL), "devices", NULL));
        json_object_put(doc);
        return 0;
}
