/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed access to a parsed json-c document for the spec parsers: every getter checks the JSON
 * type and the range of the C target, and refuses a bad value with an error that names the JSON
 * path ("linux.resources.memory.limit: expected ..., got string"). Internal to src/spec/.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

#define FIELDS(t) (t), ELEMENTSOF(t)

/*
 * A JSON path as a chain of stack frames, formatted only when an error is reported: the
 * walker never allocates for a path. The document root is the NULL path.
 */
typedef struct JsonPath {
        const struct JsonPath *parent;
        const char *key; /* object member, or NULL for an array element */
        size_t index;
        bool map_key; /* a key of a free-form map: printed as ["key"] */
} JsonPath;

#define JSON_PATH_KEY(p, k) ((JsonPath){ .parent = (p), .key = (k) })
#define JSON_PATH_INDEX(p, i) ((JsonPath){ .parent = (p), .index = (i) })
#define JSON_PATH_MAP(p, k) ((JsonPath){ .parent = (p), .key = (k), .map_key = true })

/* "linux.namespaces[1].type"; NULL on OOM. The root formats as "config.json". */
char *json_path_format(const JsonPath *p);
/* Sets *err to "<path>: <message>" and returns -EINVAL. */
int json_path_error(BerthError **err, const JsonPath *p, const char *fmt, ...) _printf_(3, 4);
/* "string", "integer", "floating-point number", ... for messages. */
const char *json_type_label(struct json_object *v);

/* The member key of obj, or NULL when it is absent or JSON null (null means absent). */
struct json_object *json_member(struct json_object *obj, const char *key);

int json_expect(struct json_object *v, const JsonPath *p, enum json_type type, BerthError **err);

/* Scalars. The strings are duplicated; embedded NUL bytes are refused. */
int json_to_string(struct json_object *v, const JsonPath *p, char **ret, BerthError **err);
int json_to_bool(struct json_object *v, const JsonPath *p, bool *ret, BerthError **err);
int json_to_u64(struct json_object *v, const JsonPath *p, uint64_t max, const char *what,
                uint64_t *ret, BerthError **err);
int json_to_i64(struct json_object *v, const JsonPath *p, int64_t min, int64_t max,
                const char *what, int64_t *ret, BerthError **err);
/* An array of strings as a NULL-terminated vector (an empty array gives an empty vector). */
int json_to_strv(struct json_object *v, const JsonPath *p, char ***ret, BerthError **err);

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
int json_parse_fields(struct json_object *obj, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err);
/* Checks that v is an object, then json_parse_fields(). */
int json_parse_object(struct json_object *v, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err);
/* Frees the STRING/ABSPATH/STRV members named by a field table. */
void json_free_fields(const JsonField *fields, size_t n_fields, void *base);

/*
 * Arrays of structs: allocates n zeroed elements and stores them and n in *ret and *ret_n before
 * parsing, so that a failure half way leaves something the normal free functions release.
 */
typedef int (*JsonElemParser)(struct json_object *v, const JsonPath *p, void *elem,
                              BerthError **err);
int json_parse_array(struct json_object *v, const JsonPath *p, size_t elem_size,
                     JsonElemParser parse, void **ret, size_t *ret_n, BerthError **err);

/*
 * Checks the raw text of a document json-c accepted for what json-c 0.16 lets through even in
 * strict mode: integers beyond the 64-bit ranges (silently saturated by json-c) and
 * single-quoted strings. Returns the offset of the first offence, or -1.
 */
ssize_t json_text_check(const char *data, size_t len, const char **ret_problem);

/* The member key of obj as an array of structs, if present. */
int json_parse_member_array(struct json_object *obj, const JsonPath *p, const char *key,
                            size_t elem_size, JsonElemParser parse, void **ret, size_t *ret_n,
                            BerthError **err);

/* A string-to-string object (annotations, sysctl, unified), in document order. */
int json_parse_string_map(struct json_object *v, const JsonPath *p, SpecKeyValue **ret,
                          size_t *ret_n, BerthError **err);
void json_free_key_values(SpecKeyValue *kv, size_t n);

/* Checks on parsed values, each refusing with an error naming the path. */
int json_check_one_of(const char *value, const char *const *allowed, const JsonPath *p,
                      const char *what, BerthError **err);
/* For the value parsed from member key of the object at p; NULL (absent) passes. */
int json_check_member_one_of(const JsonPath *p, const char *key, const char *value,
                             const char *const *allowed, const char *what, BerthError **err);
int json_check_strv_one_of(char **l, const JsonPath *p, const char *key, const char *const *allowed,
                           const char *what, BerthError **err);
int json_check_strv_absolute(char **l, const JsonPath *p, const char *key, BerthError **err);
/* The object at p must have member a or member b (or both). */
int json_require_one_of(struct json_object *obj, const JsonPath *p, const char *a, const char *b,
                        BerthError **err);
