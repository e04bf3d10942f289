/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ps --filter: parsing (known keys, status names, exit codes) and matching (one key's values
 * are alternatives, keys combine). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "engine/engine.h"
#include "tap.h"

static EngineContainer web = {
        .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        .name = "web-front",
        .image = "localhost/busybox:latest",
        .image_id = "sha256:9f958aeae05acc1ae15f5c62cda58691edba12b28f1349bb3a2b0120f2f798db",
        .config = "{\"Config\":{\"Labels\":{\"tier\":\"front\",\"app\":\"shop\"}},\"HostConfig\":{}}",
        .state = ENGINE_STATE_RUNNING,
};

static EngineContainer job = {
        .id = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
        .name = "job",
        .image = "localhost/other:1",
        .image_id = "sha256:1111111111111111111111111111111111111111111111111111111111111111",
        .config = "{\"Config\":{\"Labels\":null},\"HostConfig\":{}}",
        .state = ENGINE_STATE_EXITED,
        .exit_code = 3,
};

/* Whether the filters (NULL-ended) let web and job through: "wj", "w", "j" or "". */
static char *matches(const char *first, ...)
{
        _cleanup_engine_filter_ EngineFilter *f = NULL;
        static char out[3];
        va_list ap;
        size_t n = 0;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                if (engine_filter_add(&f, s, NULL) < 0) {
                        va_end(ap);
                        return (char *)"error";
                }
        va_end(ap);
        if (engine_filter_match(f, &web))
                out[n++] = 'w';
        if (engine_filter_match(f, &job))
                out[n++] = 'j';
        out[n] = 0;
        return out;
}

TEST(each_key)
{
        ASSERT_STREQ(matches("status=running", NULL), "w");
        ASSERT_STREQ(matches("status=exited", NULL), "j");
        ASSERT_STREQ(matches("status=paused", NULL), "");
        ASSERT_STREQ(matches("name=front", NULL), "w");
        ASSERT_STREQ(matches("name=/job", NULL), "j");
        ASSERT_STREQ(matches("name=o", NULL), "wj");
        ASSERT_STREQ(matches("id=0123", NULL), "w");
        ASSERT_STREQ(matches("id=123", NULL), "");
        ASSERT_STREQ(matches("label=tier", NULL), "w");
        ASSERT_STREQ(matches("label=tier=front", NULL), "w");
        ASSERT_STREQ(matches("label=tier=back", NULL), "");
        ASSERT_STREQ(matches("label=tie", NULL), "");
        ASSERT_STREQ(matches("exited=3", NULL), "j");
        ASSERT_STREQ(matches("exited=0", NULL), "");
        ASSERT_STREQ(matches("ancestor=localhost/busybox:latest", NULL), "w");
        ASSERT_STREQ(matches("ancestor=localhost/busybox", NULL), "w");
        ASSERT_STREQ(matches("ancestor=localhost/other", NULL), "");
        ASSERT_STREQ(matches("ancestor=localhost/other:1", NULL), "j");
        ASSERT_STREQ(matches("ancestor=9f958aeae05a", NULL), "w");
        ASSERT_STREQ(matches("ancestor=sha256:9f958aeae05a", NULL), "w");
        ASSERT_STREQ(matches("ancestor=9f958a", NULL), ""); /* too short for an id */
        return 0;
}

TEST(keys_combine)
{
        ASSERT_STREQ(matches(NULL), "wj");
        ASSERT_STREQ(matches("status=running", "status=exited", NULL), "wj");
        ASSERT_STREQ(matches("status=running", "name=job", NULL), "");
        ASSERT_STREQ(matches("status=exited", "name=job", "name=web", NULL), "j");
        ASSERT_STREQ(matches("label=app=shop", "label=tier=front", NULL), "w");
        return 0;
}

TEST(bad_filters)
{
        _cleanup_engine_filter_ EngineFilter *f = NULL;
        BerthError *err = NULL;

        ASSERT_STREQ(matches("status=sleeping", NULL), "error");
        ASSERT_STREQ(matches("exited=x", NULL), "error");
        ASSERT_STREQ(matches("exited=-1", NULL), "error");
        ASSERT_STREQ(matches("colour=red", NULL), "error");
        ASSERT_STREQ(matches("=x", NULL), "error");
        ASSERT_EQ(engine_filter_add(&f, "status", &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "KEY=VALUE");
        berth_error_free(&err);
        ASSERT_EQ(engine_filter_add(&f, "colour=red", &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "`colour`");
        berth_error_free(&err);
        ASSERT_NULL(f);
        return 0;
}
