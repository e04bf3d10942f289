/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp profile rendered for a container: what its capabilities, the
 * architecture and the kernel let in, and a document the runtime's parser takes. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "engine/engine-seccomp.h"
#include "engine/engine-spec.h"
#include "spec/runtime-spec.h"
#include "tap.h"

/* The action the rendered profile gives a syscall with no argument conditions: the last
 * unconditional rule that names it, else the default. */
static const char *action_of(struct json_object *doc, const char *name, bool *conditional)
{
        struct json_object *rules, *v;
        const char *action = "default";

        *conditional = false;
        json_object_object_get_ex(doc, "syscalls", &rules);
        for (size_t i = 0; i < json_object_array_length(rules); i++) {
                struct json_object *r = json_object_array_get_idx(rules, i), *names;
                json_object_object_get_ex(r, "names", &names);
                for (size_t k = 0; k < json_object_array_length(names); k++)
                        if (strcmp(json_object_get_string(json_object_array_get_idx(names, k)),
                                   name) == 0) {
                                if (json_object_object_get_ex(r, "args", &v)) {
                                        *conditional = true;
                                        continue;
                                }
                                json_object_object_get_ex(r, "action", &v);
                                action = json_object_get_string(v);
                        }
        }
        return action;
}

static struct json_object *render(char **caps, const char *arch, const char *kernel)
{
        _cleanup_free_ char *json = NULL;
        BerthError *err = NULL;

        if (engine_seccomp_render(NULL, caps, arch, kernel, &json, &err) < 0) {
                printf("# %s\n", err->msg);
                berth_error_free(&err);
                return NULL;
        }
        return json_tokener_parse(json);
}

TEST(default_capabilities)
{
        char *caps[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", NULL };
        struct json_object *doc = render(caps, "amd64", "6.1.0-13-amd64"), *v;
        bool cond;

        ASSERT_NOT_NULL(doc);
        ASSERT_TRUE(json_object_object_get_ex(doc, "defaultAction", &v));
        ASSERT_STREQ(json_object_get_string(v), "SCMP_ACT_ERRNO");
        ASSERT_TRUE(json_object_object_get_ex(doc, "architectures", &v));
        ASSERT_EQ(json_object_array_length(v), 3);
        ASSERT_STREQ(action_of(doc, "read", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "ptrace", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "arch_prctl", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "set_tls", &cond), "default");
        ASSERT_STREQ(action_of(doc, "mount", &cond), "default");
        ASSERT_STREQ(action_of(doc, "unshare", &cond), "default");
        ASSERT_STREQ(action_of(doc, "kexec_load", &cond), "default");
        ASSERT_STREQ(action_of(doc, "clone3", &cond), "SCMP_ACT_ERRNO");
        /* clone only without namespace flags; personality only with its five values. */
        ASSERT_STREQ(action_of(doc, "clone", &cond), "default");
        ASSERT_TRUE(cond);
        ASSERT_STREQ(action_of(doc, "personality", &cond), "default");
        ASSERT_TRUE(cond);
        ASSERT_STREQ(action_of(doc, "socket", &cond), "default");
        ASSERT_TRUE(cond);
        json_object_put(doc);

        /* Before 4.8, ptrace is not safe under seccomp. */
        doc = render(caps, "amd64", "4.4.0");
        ASSERT_STREQ(action_of(doc, "ptrace", &cond), "default");
        json_object_put(doc);
        return 0;
}

TEST(granted_capabilities_open_their_calls)
{
        char *caps[] = { "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME", NULL };
        struct json_object *doc = render(caps, "amd64", "6.1.0");
        bool cond;

        ASSERT_STREQ(action_of(doc, "mount", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "unshare", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "clone", &cond), "SCMP_ACT_ALLOW");
        ASSERT_FALSE(cond); /* the flag-masked rule is gone */
        ASSERT_STREQ(action_of(doc, "clone3", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "kcmp", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "clock_settime", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "reboot", &cond), "default");
        json_object_put(doc);

        /* Another architecture: its own calls, not amd64's. */
        doc = render(caps, "arm64", "6.1.0");
        ASSERT_STREQ(action_of(doc, "set_tls", &cond), "SCMP_ACT_ALLOW");
        ASSERT_STREQ(action_of(doc, "arch_prctl", &cond), "default");
        json_object_put(doc);
        return 0;
}

TEST(the_runtime_takes_it)
{
        _cleanup_free_ char *seccomp = NULL, *json = NULL;
        char *caps[] = { "CAP_CHOWN", NULL }, *cmd[] = { "true", NULL };
        BerthError *err = NULL;
        Spec *s = NULL;
        size_t size = 0;

        ASSERT_NOT_NULL(engine_seccomp_default_profile(&size));
        ASSERT_TRUE(size > 1000 && strlen(engine_seccomp_default_profile(NULL)) == size);
        ASSERT_OK(engine_seccomp_render(NULL, caps, NULL, NULL, &seccomp, NULL));
        EngineSpecOptions o = { .rootfs = "/r", .cmd = cmd, .seccomp_json = seccomp };
        ASSERT_OK(engine_spec_build(&o, &json, NULL));
        if (spec_parse(json, strlen(json), &s, &err) < 0)
                TAP_FAIL("%s", err->msg);
        ASSERT_TRUE(s->linux_ != NULL);
        spec_free(s);

        ASSERT_EQ(engine_seccomp_render("{\"x\":1}", caps, NULL, NULL, &json, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "no Berth profile");
        berth_error_free(&err);
        return 0;
}
