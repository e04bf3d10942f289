/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed access to a parsed json-c document: every getter checks the JSON type and the range of
 * the C target and refuses a bad value with an error that names the JSON path. Two voices:
 * below a document frame (JSON_PATH_DOC) an error reads "manifest: `layers[2].digest`: expected
 * a string"; below no frame (the spec parser's) it reads "linux.namespaces[1].type: ...".
 * The prefix is jwalk_: json_* is json-c's namespace.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"

/*
 * A JSON path as a chain of stack frames, formatted only when an error is reported: the
 * walker never allocates for a path. NULL is the root of a document without a name.
 */
typedef struct JsonPath {
        const struct JsonPath *parent;
        const char *key; /* object member, or NULL for an array element or a document frame */
        size_t index;
        bool map_key;    /* a key of a free-form map: printed as ["key"] */
        const char *doc; /* a document frame (the root): what the errors start with */
} JsonPath;

#define JSON_PATH_KEY(p, k) ((JsonPath){ .parent = (p), .key = (k) })
#define JSON_PATH_INDEX(p, i) ((JsonPath){ .parent = (p), .index = (i) })
#define JSON_PATH_MAP(p, k) ((JsonPath){ .parent = (p), .key = (k), .map_key = true })
#define JSON_PATH_DOC(name) ((JsonPath){ .doc = (name) })

/* For _cleanup_(jwalk_putp): drops a reference to a json-c object. */
static inline void jwalk_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
}

/* Parses exactly len bytes as a JSON object; NULL when they are not one (or on OOM). */
struct json_object *jwalk_parse_object(const char *data, size_t len);

/* "linux.namespaces[1].type" (without the document's name); "" for a root, NULL on OOM. */
char *jwalk_path_format(const JsonPath *p);
/* Sets *err to "<doc>: `<path>`: <message>" or "<path>: <message>" and returns -EINVAL. */
int jwalk_error(BerthError **err, const JsonPath *p, const char *fmt, ...) _printf_(3, 4);
/* "string", "integer", "floating-point number", ... for messages. */
const char *jwalk_type_label(struct json_object *v);

/* The member key of obj, or NULL when it is absent or JSON null (null means absent). */
struct json_object *jwalk_member(struct json_object *obj, const char *key);

int jwalk_expect(struct json_object *v, const JsonPath *p, enum json_type type,
                     BerthError **err);

/* Checks that v is an array and gives its length. */
int jwalk_array_length(struct json_object *v, const JsonPath *p, size_t *ret_n,
                           BerthError **err);
/* The number of members of v, which must be an object. */
int jwalk_object_length(struct json_object *v, const JsonPath *p, size_t *ret_n,
                        BerthError **err);

/* Scalars. The strings are duplicated; embedded NUL bytes are refused. */
int jwalk_to_string(struct json_object *v, const JsonPath *p, char **ret, BerthError **err);
int jwalk_to_bool(struct json_object *v, const JsonPath *p, bool *ret, BerthError **err);
int jwalk_to_u64(struct json_object *v, const JsonPath *p, uint64_t max, const char *what,
                 uint64_t *ret, BerthError **err);
int jwalk_to_i64(struct json_object *v, const JsonPath *p, int64_t min, int64_t max,
                 const char *what, int64_t *ret, BerthError **err);
/* An array of strings as a NULL-terminated vector (an empty array gives an empty vector). */
int jwalk_to_strv(struct json_object *v, const JsonPath *p, char ***ret, BerthError **err);

/*
 * Members of an object by key. Each returns 1 when the member is there (and valid), 0 when it
 * is absent and not required; a required member that is absent is an error naming its path.
 * Strings are borrowed from the document (*ret stays valid while obj lives).
 */
int jwalk_get_string(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                     const char **ret, BerthError **err);
int jwalk_get_i64(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                  int64_t min, int64_t max, int64_t *ret, BerthError **err);
int jwalk_get_bool(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                   bool *ret, BerthError **err);
int jwalk_get_object(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                     struct json_object **ret, BerthError **err);
/* An array of at most max elements (E2BIG past that). */
int jwalk_get_array(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                    size_t max, struct json_object **ret, BerthError **err);

/*
 * Arrays of structs: allocates n zeroed elements and stores them and n in *ret and *ret_n before
 * parsing, so that a failure half way leaves something the normal free functions release.
 */
typedef int (*JsonElemParser)(struct json_object *v, const JsonPath *p, void *elem,
                              BerthError **err);
int jwalk_parse_array(struct json_object *v, const JsonPath *p, size_t elem_size,
                      JsonElemParser parse, void **ret, size_t *ret_n, BerthError **err);

/*
 * Checks the raw text of a document json-c accepted for what json-c 0.16 lets through even in
 * strict mode: integers beyond the 64-bit ranges (silently saturated by json-c) and
 * single-quoted strings. Returns the offset of the first offence, or -1.
 */
ssize_t jwalk_text_check(const char *data, size_t len, const char **ret_problem);
