/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volumes without a store: `volume ls --filter` as docker answers it, and the inspect
 * document's fields. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "engine/volume.h"
#include "tap.h"

static char *users[] = { (char *)"abc", NULL };

static bool match(const EngineVolume *v, const char *filter)
{
        bool m = false;
        if (engine_volume_filter_match(v, filter, &m, NULL) < 0)
                TAP_FAIL("filter `%s` refused", filter);
        return m;
}

TEST(volume_filters)
{
        EngineVolume used = { .name = (char *)"data-1", .driver = (char *)"local",
                              .labels = (char *)"{\"env\":\"prod\",\"team\":\"\"}",
                              .users = users };
        EngineVolume free_ = { .name = (char *)"cache", .driver = (char *)"local",
                               .labels = (char *)"{}" };
        BerthError *err = NULL;
        bool m;

        ASSERT_TRUE(match(&free_, "dangling=true"));
        ASSERT_FALSE(match(&used, "dangling=true"));
        ASSERT_TRUE(match(&used, "dangling=false"));
        ASSERT_TRUE(match(&free_, "dangling=1"));
        ASSERT_FALSE(match(&free_, "dangling=0"));
        ASSERT_TRUE(match(&used, "name=data"));
        ASSERT_TRUE(match(&used, "name=a-1"));
        ASSERT_FALSE(match(&free_, "name=data"));
        ASSERT_TRUE(match(&used, "label=env"));
        ASSERT_TRUE(match(&used, "label=env=prod"));
        ASSERT_FALSE(match(&used, "label=env=dev"));
        ASSERT_TRUE(match(&used, "label=team="));
        ASSERT_FALSE(match(&free_, "label=env"));
        ASSERT_TRUE(match(&free_, "driver=local"));
        ASSERT_FALSE(match(&free_, "driver=nfs"));

        ASSERT_EQ(engine_volume_filter_match(&free_, "dangling=maybe", &m, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "dangling is true or false");
        berth_error_free(&err);
        ASSERT_EQ(engine_volume_filter_match(&free_, "colour=red", &m, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "invalid filter `colour=red`");
        berth_error_free(&err);
        return 0;
}

TEST(volume_json)
{
        EngineVolume v = { .name = (char *)"v", .driver = (char *)"local",
                           .created = (char *)"2026-01-02T03:04:05Z",
                           .mountpoint = (char *)"/var/lib/berth/volumes/v/_data",
                           .labels = (char *)"{\"a\":\"b\"}", .options = (char *)"{}" };
        struct json_object *o = engine_volume_json(&v), *x;

        ASSERT_NOT_NULL(o);
        ASSERT_TRUE(json_object_object_get_ex(o, "Name", &x));
        ASSERT_STREQ(json_object_get_string(x), "v");
        ASSERT_TRUE(json_object_object_get_ex(o, "Scope", &x));
        ASSERT_STREQ(json_object_get_string(x), "local");
        ASSERT_TRUE(json_object_object_get_ex(o, "Mountpoint", &x));
        ASSERT_STREQ(json_object_get_string(x), "/var/lib/berth/volumes/v/_data");
        ASSERT_TRUE(json_object_object_get_ex(o, "CreatedAt", &x));
        ASSERT_STREQ(json_object_get_string(x), "2026-01-02T03:04:05Z");
        ASSERT_TRUE(json_object_object_get_ex(o, "Labels", &x));
        ASSERT_TRUE(json_object_is_type(x, json_type_object));
        ASSERT_TRUE(json_object_object_get_ex(x, "a", &x));
        ASSERT_STREQ(json_object_get_string(x), "b");
        ASSERT_TRUE(json_object_object_get_ex(o, "Options", &x));
        ASSERT_TRUE(json_object_is_type(x, json_type_object));
        ASSERT_EQ(json_object_object_length(o), 7);
        json_object_put(o);

        /* A labels text that is no object (a damaged row) reads as no labels. */
        v.labels = (char *)"[1]";
        o = engine_volume_json(&v);
        ASSERT_TRUE(json_object_object_get_ex(o, "Labels", &x));
        ASSERT_EQ(json_object_object_length(x), 0);
        json_object_put(o);
        return 0;
}
