/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed access to a parsed json-c document for the spec parsers: every getter checks the JSON
 * type and the range of the C target, and refuses a bad value with an error that names the JSON
 * path ("linux.resources.memory.limit: expected ..., got string"). Internal to src/spec/. The
 * generic walker (paths, scalars, arrays) is basic/json-walk.h; this adds field tables, maps
 * and the spec's checks.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"
#include "basic/json-walk.h"
#include "spec/runtime-spec.h"

#define FIELDS(t) (t), ELEMENTSOF(t)

/* Declarative parsing of the scalar members of one object into a C struct. */
typedef enum JsonFieldType {
        JSON_FIELD_STRING,  /* char * */
        JSON_FIELD_ABSPATH, /* char *, must start with '/' */
        JSON_FIELD_STRV,    /* char **, NULL-terminated */
        JSON_FIELD_BOOL,    /* bool */
        JSON_FIELD_U16,     /* uint16_t */
        JSON_FIELD_U32,     /* uint32_t */
        JSON_FIELD_U64,     /* uint64_t */
        JSON_FIELD_I32,     /* int32_t */
        JSON_FIELD_INT,     /* int */
        JSON_FIELD_I64,     /* int64_t */
        JSON_FIELD_LIMIT,   /* int64_t, -1 (unlimited) or >= 0 */
} JsonFieldType;

typedef struct JsonField {
        const char *key;
        JsonFieldType type;
        size_t offset;
        size_t has_offset; /* a bool set when the member is present, or SIZE_MAX */
        bool required;
} JsonField;

#define JSON_FIELD(k, t, st, m)                                                                    \
        {                                                                                          \
                (k), (t), offsetof(st, m), SIZE_MAX, false                                         \
        }
#define JSON_FIELD_REQ(k, t, st, m)                                                                \
        {                                                                                          \
                (k), (t), offsetof(st, m), SIZE_MAX, true                                          \
        }
#define JSON_FIELD_HAS(k, t, st, m, h)                                                             \
        {                                                                                          \
                (k), (t), offsetof(st, m), offsetof(st, h), false                                  \
        }

/* obj must be an object; p is its path. */
int spec_json_parse_fields(struct json_object *obj, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err);
/* Checks that v is an object, then spec_json_parse_fields(). */
int spec_json_parse_object(struct json_object *v, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err);
/* Frees the STRING/ABSPATH/STRV members named by a field table. */
void spec_json_free_fields(const JsonField *fields, size_t n_fields, void *base);

/* The member key of obj as an array of structs, if present. */
int spec_json_parse_member_array(struct json_object *obj, const JsonPath *p, const char *key,
                            size_t elem_size, JsonElemParser parse, void **ret, size_t *ret_n,
                            BerthError **err);

/* A string-to-string object (annotations, sysctl, unified), in document order. */
int spec_json_parse_string_map(struct json_object *v, const JsonPath *p, SpecKeyValue **ret,
                          size_t *ret_n, BerthError **err);
void spec_json_free_key_values(SpecKeyValue *kv, size_t n);

/* Checks on parsed values, each refusing with an error naming the path. */
int spec_json_check_one_of(const char *value, const char *const *allowed, const JsonPath *p,
                      const char *what, BerthError **err);
/* For the value parsed from member key of the object at p; NULL (absent) passes. */
int spec_json_check_member_one_of(const JsonPath *p, const char *key, const char *value,
                             const char *const *allowed, const char *what, BerthError **err);
int spec_json_check_strv_one_of(char **l, const JsonPath *p, const char *key,
                                const char *const *allowed, const char *what, BerthError **err);
int spec_json_check_strv_absolute(char **l, const JsonPath *p, const char *key, BerthError **err);
/* The object at p must have member a or member b (or both). */
int spec_json_require_one_of(struct json_object *obj, const JsonPath *p, const char *a,
                             const char *b, BerthError **err);
