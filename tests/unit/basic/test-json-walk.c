/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON walker: typed getters and the errors naming the JSON path. */
#include <stdlib.h>

#include "basic/json-walk.h"
#include "tap.h"

static struct json_object *parse(const char *text)
{
        return json_tokener_parse(text);
}

TEST(doc_frame_errors_name_the_path)
{
        struct json_object *root = parse("{\"layers\":[{\"digest\":\"a\"},{},{\"digest\":7}]}");
        JsonPath doc = JSON_PATH_DOC("manifest");
        struct json_object *layers = NULL;
        const char *s = NULL;
        BerthError *err = NULL;

        ASSERT_NOT_NULL(root);
        ASSERT_EQ(jwalk_get_array(root, &doc, "layers", true, 16, &layers, &err), 1);
        JsonPath l = JSON_PATH_KEY(&doc, "layers");
        JsonPath e0 = JSON_PATH_INDEX(&l, 0), e1 = JSON_PATH_INDEX(&l, 1), e2 = JSON_PATH_INDEX(&l, 2);
        ASSERT_EQ(jwalk_get_string(json_object_array_get_idx(layers, 0), &e0, "digest", true, &s,
                                   &err),
                  1);
        ASSERT_STREQ(s, "a");
        ASSERT_EQ(jwalk_get_string(json_object_array_get_idx(layers, 1), &e1, "digest", false, &s,
                                   &err),
                  0);
        ASSERT_FAIL(jwalk_get_string(json_object_array_get_idx(layers, 1), &e1, "digest", true, &s,
                                     &err));
        ASSERT_STREQ(err->msg, "manifest: `layers[1].digest`: required field is missing");
        berth_error_free(&err);
        ASSERT_FAIL(jwalk_get_string(json_object_array_get_idx(layers, 2), &e2, "digest", true, &s,
                                     &err));
        ASSERT_STREQ(err->msg, "manifest: `layers[2].digest`: expected a string, got integer");
        berth_error_free(&err);
        ASSERT_FAIL(jwalk_expect(root, &doc, json_type_array, &err));
        ASSERT_STREQ(err->msg, "manifest: expected an array, got object");
        berth_error_free(&err);
        json_object_put(root);
        return 0;
}

TEST(bare_paths_and_ranges)
{
        struct json_object *root = parse("{\"a\":{\"n\":-1,\"b\":true,\"m\":{\"k\":1}},\"l\":[1,2,3]}");
        JsonPath a = JSON_PATH_KEY(NULL, "a");
        struct json_object *l = NULL, *o = NULL;
        int64_t n = 0;
        bool b = false;
        BerthError *err = NULL;

        ASSERT_NOT_NULL(root);
        ASSERT_FAIL(jwalk_get_i64(json_object_object_get(root, "a"), &a, "n", true, 0, INT64_MAX,
                                  &n, &err));
        ASSERT_STREQ(err->msg, "a.n: expected a non-negative integer, got -1");
        berth_error_free(&err);
        ASSERT_EQ(jwalk_get_bool(json_object_object_get(root, "a"), &a, "b", true, &b, &err), 1);
        ASSERT_TRUE(b);
        ASSERT_EQ(jwalk_get_object(json_object_object_get(root, "a"), &a, "m", false, &o, &err), 1);
        JsonPath m = JSON_PATH_KEY(&a, "m"), k = JSON_PATH_MAP(&m, "k");
        ASSERT_FAIL(jwalk_to_string(json_object_object_get(o, "k"), &k, &(char *){ NULL }, &err));
        ASSERT_STREQ(err->msg, "a.m[\"k\"]: expected a string, got integer");
        berth_error_free(&err);
        ASSERT_EQ(jwalk_get_array(root, NULL, "l", true, 3, &l, &err), 1);
        ASSERT_EQ(jwalk_get_array(root, NULL, "l", true, 2, &l, &err), -E2BIG);
        ASSERT_STREQ(err->msg, "l: more than 2 entries");
        berth_error_free(&err);
        json_object_put(root);
        return 0;
}

TEST(text_check)
{
        const char *problem = NULL;
        const char *big = "{\"a\":18446744073709551616}";

        ASSERT_EQ(jwalk_text_check(big, strlen(big), &problem), 5);
        ASSERT_STREQ(problem, "integer above the 64-bit range");
        ASSERT_EQ(jwalk_text_check("{\"a\":1}", 7, &problem), -1);
        return 0;
}
