/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed, range-checked getters over json-c for the spec parsers, with JSON-path errors. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "basic/string-util.h"
#include "spec/spec-json.h"

static void json_path_print(FILE *f, const JsonPath *p)
{
        if (!p)
                return;
        json_path_print(f, p->parent);
        if (p->key && p->map_key) {
                char buf[256];

                string_json_escape(p->key, buf, sizeof(buf));
                fprintf(f, "[\"%s\"]", buf);
        } else if (p->key)
                fprintf(f, "%s%s", p->parent ? "." : "", p->key);
        else
                fprintf(f, "[%zu]", p->index);
}

char *json_path_format(const JsonPath *p)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!p)
                return strdup("config.json");
        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        json_path_print(f, p);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int json_path_error(BerthError **err, const JsonPath *p, const char *fmt, ...)
{
        _cleanup_free_ char *path = json_path_format(p);
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return berth_error(err, -ENOMEM, "%s", path ? path : "config.json");
        return berth_error(err, 0, "%s: %s", path ? path : "config.json", msg);
}

const char *json_type_label(struct json_object *v)
{
        switch (json_object_get_type(v)) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "boolean";
        case json_type_double:
                return "floating-point number";
        case json_type_int:
                return "integer";
        case json_type_object:
                return "object";
        case json_type_array:
                return "array";
        case json_type_string:
                return "string";
        }
        return "unknown";
}

struct json_object *json_member(struct json_object *obj, const char *key)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(obj, key, &v))
                return NULL;
        /* A JSON null reads as absent, as Go's encoding/json (and so runc) treats it. */
        return json_object_get_type(v) == json_type_null ? NULL : v;
}

int json_expect(struct json_object *v, const JsonPath *p, enum json_type type, BerthError **err)
{
        static const char *const what[] = {
                [json_type_null] = "null",        [json_type_boolean] = "a boolean",
                [json_type_double] = "a number",  [json_type_int] = "an integer",
                [json_type_object] = "an object", [json_type_array] = "an array",
                [json_type_string] = "a string",
        };

        if (json_object_get_type(v) == type)
                return 0;
        return json_path_error(err, p, "expected %s, got %s", what[type], json_type_label(v));
}

int json_to_string(struct json_object *v, const JsonPath *p, char **ret, BerthError **err)
{
        const char *s;
        char *c;
        int r;

        r = json_expect(v, p, json_type_string, err);
        if (r < 0)
                return r;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return json_path_error(err, p, "string contains a NUL byte");
        c = strdup(s);
        if (!c)
                return berth_error(err, -ENOMEM, "out of memory");
        free(*ret);
        *ret = c;
        return 0;
}

int json_to_bool(struct json_object *v, const JsonPath *p, bool *ret, BerthError **err)
{
        int r = json_expect(v, p, json_type_boolean, err);
        if (r < 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 0;
}

int json_to_u64(struct json_object *v, const JsonPath *p, uint64_t max, const char *what,
                uint64_t *ret, BerthError **err)
{
        int64_t s;
        uint64_t u;

        if (json_object_get_type(v) != json_type_int)
                return json_path_error(err, p, "expected %s, got %s", what, json_type_label(v));
        /*
         * json-c stores an integer either as int64 or, above INT64_MAX, as uint64. get_int64()
         * is exact for every negative value; get_uint64() is exact for every non-negative one
         * whichever way it is stored.
         */
        s = json_object_get_int64(v);
        if (s < 0)
                return json_path_error(err, p, "expected %s, got %" PRId64, what, s);
        u = json_object_get_uint64(v);
        if (u > max)
                return json_path_error(err, p, "expected %s, got %" PRIu64, what, u);
        *ret = u;
        return 0;
}

int json_to_i64(struct json_object *v, const JsonPath *p, int64_t min, int64_t max,
                const char *what, int64_t *ret, BerthError **err)
{
        int64_t s;

        if (json_object_get_type(v) != json_type_int)
                return json_path_error(err, p, "expected %s, got %s", what, json_type_label(v));
        s = json_object_get_int64(v);
        if (s == INT64_MAX) {
                /* Saturated from a uint64 above INT64_MAX? */
                uint64_t u = json_object_get_uint64(v);
                if (u > (uint64_t)INT64_MAX)
                        return json_path_error(err, p, "expected %s, got %" PRIu64, what, u);
        }
        if (s < min || s > max)
                return json_path_error(err, p, "expected %s, got %" PRId64, what, s);
        *ret = s;
        return 0;
}

int json_to_strv(struct json_object *v, const JsonPath *p, char ***ret, BerthError **err)
{
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        r = json_expect(v, p, json_type_array, err);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return berth_error(err, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                JsonPath c = JSON_PATH_INDEX(p, i);

                r = json_to_string(json_object_array_get_idx(v, i), &c, &l[i], err);
                if (r < 0)
                        return r;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int json_field_parse(struct json_object *v, const JsonPath *p, const JsonField *f,
                            void *field, BerthError **err)
{
        uint64_t u;
        int64_t s;
        int r;

        switch (f->type) {
        case JSON_FIELD_STRING:
                return json_to_string(v, p, field, err);
        case JSON_FIELD_ABSPATH:
                r = json_to_string(v, p, field, err);
                if (r < 0)
                        return r;
                if ((*(char **)field)[0] != '/')
                        return json_path_error(err, p, "must be an absolute path");
                return 0;
        case JSON_FIELD_STRV:
                return json_to_strv(v, p, field, err);
        case JSON_FIELD_BOOL:
                return json_to_bool(v, p, field, err);
        case JSON_FIELD_U16:
                r = json_to_u64(v, p, UINT16_MAX, "an unsigned 16-bit integer", &u, err);
                if (r >= 0)
                        *(uint16_t *)field = (uint16_t)u;
                return r;
        case JSON_FIELD_U32:
                r = json_to_u64(v, p, UINT32_MAX, "an unsigned 32-bit integer", &u, err);
                if (r >= 0)
                        *(uint32_t *)field = (uint32_t)u;
                return r;
        case JSON_FIELD_U64:
                return json_to_u64(v, p, UINT64_MAX, "an unsigned 64-bit integer", field, err);
        case JSON_FIELD_I32:
                r = json_to_i64(v, p, INT32_MIN, INT32_MAX, "a 32-bit integer", &s, err);
                if (r >= 0)
                        *(int32_t *)field = (int32_t)s;
                return r;
        case JSON_FIELD_INT:
                r = json_to_i64(v, p, INT_MIN, INT_MAX, "an integer", &s, err);
                if (r >= 0)
                        *(int *)field = (int)s;
                return r;
        case JSON_FIELD_I64:
                return json_to_i64(v, p, INT64_MIN, INT64_MAX, "a 64-bit integer", field, err);
        case JSON_FIELD_LIMIT:
                return json_to_i64(v, p, -1, INT64_MAX,
                                   "-1 (unlimited) or a non-negative 64-bit integer", field, err);
        }
        return json_path_error(err, p, "internal error: unknown field type");
}

int json_parse_fields(struct json_object *obj, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err)
{
        for (size_t i = 0; i < n_fields; i++) {
                const JsonField *f = &fields[i];
                JsonPath c = JSON_PATH_KEY(p, f->key);
                struct json_object *v = json_member(obj, f->key);
                int r;

                if (!v) {
                        if (f->required)
                                return json_path_error(err, &c, "required field is missing");
                        continue;
                }
                r = json_field_parse(v, &c, f, (char *)base + f->offset, err);
                if (r < 0)
                        return r;
                if (f->has_offset != SIZE_MAX)
                        *(bool *)((char *)base + f->has_offset) = true;
        }
        return 0;
}

int json_parse_object(struct json_object *v, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err)
{
        int r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        return json_parse_fields(v, p, fields, n_fields, base, err);
}

void json_free_fields(const JsonField *fields, size_t n_fields, void *base)
{
        for (size_t i = 0; i < n_fields; i++) {
                void *field = (char *)base + fields[i].offset;

                switch (fields[i].type) {
                case JSON_FIELD_STRING:
                case JSON_FIELD_ABSPATH:
                        free(*(char **)field);
                        *(char **)field = NULL;
                        break;
                case JSON_FIELD_STRV:
                        strv_free(*(char ***)field);
                        *(char ***)field = NULL;
                        break;
                default:
                        break;
                }
        }
}

int json_parse_array(struct json_object *v, const JsonPath *p, size_t elem_size,
                     JsonElemParser parse, void **ret, size_t *ret_n, BerthError **err)
{
        size_t n;
        char *a;
        int r;

        r = json_expect(v, p, json_type_array, err);
        if (r < 0)
                return r;
        n = json_object_array_length(v);
        if (n == 0)
                return 0;
        a = calloc(n, elem_size);
        if (!a)
                return berth_error(err, -ENOMEM, "out of memory");
        *ret = a;
        *ret_n = n;
        for (size_t i = 0; i < n; i++) {
                JsonPath c = JSON_PATH_INDEX(p, i);

                r = parse(json_object_array_get_idx(v, i), &c, a + i * elem_size, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool digits_exceed(const char *d, size_t n, const char *limit)
{
        size_t ln = strlen(limit);

        while (n > 1 && d[0] == '0') {
                d++;
                n--;
        }
        return n > ln || (n == ln && memcmp(d, limit, n) > 0);
}

ssize_t json_text_check(const char *data, size_t len, const char **ret_problem)
{
        size_t i = 0;

        while (i < len) {
                char c = data[i];

                if (c == '"') {
                        for (i++; i < len && data[i] != '"'; i++)
                                if (data[i] == '\\')
                                        i++;
                        i++;
                } else if (c == '\'') {
                        *ret_problem = "single-quoted strings are not JSON";
                        return (ssize_t)i;
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                        size_t start = i, d;
                        bool neg = c == '-';

                        if (neg)
                                i++;
                        d = i;
                        while (i < len && data[i] >= '0' && data[i] <= '9')
                                i++;
                        if (i < len && (data[i] == '.' || data[i] == 'e' || data[i] == 'E')) {
                                /* A floating-point number: the typed getters refuse it where
                                 * an integer is wanted, with the JSON path. */
                                while (i < len && data[i] && strchr("0123456789.eE+-", data[i]))
                                        i++;
                                continue;
                        }
                        if (i > d &&
                            digits_exceed(data + d, i - d,
                                          neg ? "9223372036854775808" : "18446744073709551615")) {
                                *ret_problem = neg ? "integer below the 64-bit range"
                                                   : "integer above the 64-bit range";
                                return (ssize_t)start;
                        }
                } else
                        i++;
        }
        return -1;
}

int json_check_one_of(const char *value, const char *const *allowed, const JsonPath *p,
                      const char *what, BerthError **err)
{
        char buf[256];

        for (size_t i = 0; allowed[i]; i++)
                if (streq(value, allowed[i]))
                        return 0;
        string_json_escape(value, buf, sizeof(buf));
        return json_path_error(err, p, "unknown %s \"%s\"", what, buf);
}

/* Checks the value parsed from member key of the object at p (NULL when absent). */
int json_check_member_one_of(const JsonPath *p, const char *key, const char *value,
                             const char *const *allowed, const char *what, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!value)
                return 0;
        return json_check_one_of(value, allowed, &c, what, err);
}

int json_check_strv_one_of(char **l, const JsonPath *p, const char *key, const char *const *allowed,
                           const char *what, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        for (size_t i = 0; l && l[i]; i++) {
                JsonPath e = JSON_PATH_INDEX(&c, i);
                int r = json_check_one_of(l[i], allowed, &e, what, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int json_check_strv_absolute(char **l, const JsonPath *p, const char *key, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        for (size_t i = 0; l && l[i]; i++)
                if (l[i][0] != '/') {
                        JsonPath e = JSON_PATH_INDEX(&c, i);
                        return json_path_error(err, &e, "must be an absolute path");
                }
        return 0;
}

int json_require_one_of(struct json_object *obj, const JsonPath *p, const char *a, const char *b,
                        BerthError **err)
{
        if (json_member(obj, a) || json_member(obj, b))
                return 0;
        return json_path_error(err, p, "at least one of \"%s\" and \"%s\" is required", a, b);
}

/* A string-to-string object (annotations, sysctl, unified). */
int json_parse_string_map(struct json_object *v, const JsonPath *p, SpecKeyValue **ret,
                          size_t *ret_n, BerthError **err)
{
        size_t n, i = 0;
        int r;

        r = json_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        n = (size_t)json_object_object_length(v);
        if (n == 0)
                return 0;
        *ret = calloc(n, sizeof(SpecKeyValue));
        if (!*ret)
                return berth_error(err, -ENOMEM, "out of memory");
        *ret_n = n;
        json_object_object_foreach (v, key, val) {
                JsonPath c = JSON_PATH_MAP(p, key);

                if (i >= n)
                        break;
                (*ret)[i].key = strdup(key);
                if (!(*ret)[i].key)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = json_to_string(val, &c, &(*ret)[i].value, err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

void json_free_key_values(SpecKeyValue *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

/* A member of obj that must be an array of structs, parsed if present. */
int json_parse_member_array(struct json_object *obj, const JsonPath *p, const char *key,
                            size_t elem_size, JsonElemParser parse, void **ret, size_t *ret_n,
                            BerthError **err)
{
        struct json_object *v = json_member(obj, key);
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!v)
                return 0;
        return json_parse_array(v, &c, elem_size, parse, ret, ret_n, err);
}
