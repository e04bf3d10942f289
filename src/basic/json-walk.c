/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed, range-checked getters over json-c with JSON-path errors (see json-walk.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/string-util.h"

struct json_object *jwalk_parse_object(const char *data, size_t len)
{
        struct json_tokener *tok;
        struct json_object *root;
        bool ok;

        if (len > INT_MAX)
                return NULL;
        tok = json_tokener_new();
        if (!tok)
                return NULL;
        root = json_tokener_parse_ex(tok, data, (int)len);
        ok = json_tokener_get_error(tok) == json_tokener_success;
        json_tokener_free(tok);
        if (!ok || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return NULL;
        }
        return root;
}

static bool is_doc(const JsonPath *p)
{
        return p && !p->key && p->doc;
}

static void jwalk_path_print(FILE *f, const JsonPath *p)
{
        if (!p || is_doc(p))
                return;
        jwalk_path_print(f, p->parent);
        if (p->key && p->map_key) {
                char buf[256];

                string_json_escape(p->key, buf, sizeof(buf));
                fprintf(f, "[\"%s\"]", buf);
        } else if (p->key)
                fprintf(f, "%s%s", p->parent && !is_doc(p->parent) ? "." : "", p->key);
        else
                fprintf(f, "[%zu]", p->index);
}

char *jwalk_path_format(const JsonPath *p)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        jwalk_path_print(f, p);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int jwalk_error(BerthError **err, const JsonPath *p, const char *fmt, ...)
{
        _cleanup_free_ char *path = jwalk_path_format(p);
        _cleanup_free_ char *msg = NULL;
        const JsonPath *top = p;
        va_list ap;

        while (top && top->parent)
                top = top->parent;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg || !path)
                return berth_error(err, -ENOMEM, "%s", is_doc(top) ? top->doc : "document");
        if (!is_doc(top))
                return berth_error(err, 0, "%s: %s", *path ? path : "document", msg);
        if (!*path)
                return berth_error(err, 0, "%s: %s", top->doc, msg);
        return berth_error(err, 0, "%s: `%s`: %s", top->doc, path, msg);
}

const char *jwalk_type_label(struct json_object *v)
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

struct json_object *jwalk_member(struct json_object *obj, const char *key)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(obj, key, &v))
                return NULL;
        /* A JSON null reads as absent, as Go's encoding/json (and so runc) treats it. */
        return json_object_get_type(v) == json_type_null ? NULL : v;
}

int jwalk_expect(struct json_object *v, const JsonPath *p, enum json_type type,
                     BerthError **err)
{
        static const char *const what[] = {
                [json_type_null] = "null",        [json_type_boolean] = "a boolean",
                [json_type_double] = "a number",  [json_type_int] = "an integer",
                [json_type_object] = "an object", [json_type_array] = "an array",
                [json_type_string] = "a string",
        };

        if (json_object_get_type(v) == type)
                return 0;
        return jwalk_error(err, p, "expected %s, got %s", what[type], jwalk_type_label(v));
}

int jwalk_array_length(struct json_object *v, const JsonPath *p, size_t *ret_n,
                           BerthError **err)
{
        int r = jwalk_expect(v, p, json_type_array, err);
        if (r < 0)
                return r;
        *ret_n = json_object_array_length(v);
        return 0;
}

int jwalk_object_length(struct json_object *v, const JsonPath *p, size_t *ret_n,
                        BerthError **err)
{
        int r = jwalk_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        *ret_n = (size_t)json_object_object_length(v);
        return 0;
}

int jwalk_to_string(struct json_object *v, const JsonPath *p, char **ret, BerthError **err)
{
        const char *s;
        char *c;
        int r;

        r = jwalk_expect(v, p, json_type_string, err);
        if (r < 0)
                return r;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return jwalk_error(err, p, "string contains a NUL byte");
        c = strdup(s);
        if (!c)
                return berth_error(err, -ENOMEM, "out of memory");
        free(*ret);
        *ret = c;
        return 0;
}

int jwalk_to_bool(struct json_object *v, const JsonPath *p, bool *ret, BerthError **err)
{
        int r = jwalk_expect(v, p, json_type_boolean, err);
        if (r < 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 0;
}

int jwalk_to_u64(struct json_object *v, const JsonPath *p, uint64_t max, const char *what,
                uint64_t *ret, BerthError **err)
{
        int64_t s;
        uint64_t u;

        if (json_object_get_type(v) != json_type_int)
                return jwalk_error(err, p, "expected %s, got %s", what,
                                       jwalk_type_label(v));
        /*
         * json-c stores an integer either as int64 or, above INT64_MAX, as uint64. get_int64()
         * is exact for every negative value; get_uint64() is exact for every non-negative one
         * whichever way it is stored.
         */
        s = json_object_get_int64(v);
        if (s < 0)
                return jwalk_error(err, p, "expected %s, got %" PRId64, what, s);
        u = json_object_get_uint64(v);
        if (u > max)
                return jwalk_error(err, p, "expected %s, got %" PRIu64, what, u);
        *ret = u;
        return 0;
}

int jwalk_to_i64(struct json_object *v, const JsonPath *p, int64_t min, int64_t max,
                const char *what, int64_t *ret, BerthError **err)
{
        int64_t s;

        if (json_object_get_type(v) != json_type_int)
                return jwalk_error(err, p, "expected %s, got %s", what,
                                       jwalk_type_label(v));
        s = json_object_get_int64(v);
        if (s == INT64_MAX) {
                /* Saturated from a uint64 above INT64_MAX? */
                uint64_t u = json_object_get_uint64(v);
                if (u > (uint64_t)INT64_MAX)
                        return jwalk_error(err, p, "expected %s, got %" PRIu64, what, u);
        }
        if (s < min || s > max)
                return jwalk_error(err, p, "expected %s, got %" PRId64, what, s);
        *ret = s;
        return 0;
}

int jwalk_to_strv(struct json_object *v, const JsonPath *p, char ***ret, BerthError **err)
{
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        r = jwalk_array_length(v, p, &n, err);
        if (r < 0)
                return r;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return berth_error(err, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                JsonPath c = JSON_PATH_INDEX(p, i);

                r = jwalk_to_string(json_object_array_get_idx(v, i), &c, &l[i], err);
                if (r < 0)
                        return r;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

/* The member key of obj checked for type: 1 when there, 0 when absent and optional. */
static int jwalk_get_value(struct json_object *obj, const JsonPath *p, const char *key,
                           bool required, enum json_type type, struct json_object **ret,
                           BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);
        struct json_object *v = jwalk_member(obj, key);
        int r;

        if (!v) {
                if (required)
                        return jwalk_error(err, &c, "required field is missing");
                return 0;
        }
        r = jwalk_expect(v, &c, type, err);
        if (r < 0)
                return r;
        *ret = v;
        return 1;
}

int jwalk_get_string(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                     const char **ret, BerthError **err)
{
        struct json_object *v = NULL;
        int r;

        r = jwalk_get_value(obj, p, key, required, json_type_string, &v, err);
        if (r <= 0)
                return r;
        if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
                JsonPath c = JSON_PATH_KEY(p, key);
                return jwalk_error(err, &c, "string contains a NUL byte");
        }
        *ret = json_object_get_string(v);
        return 1;
}

int jwalk_get_i64(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                  int64_t min, int64_t max, int64_t *ret, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);
        struct json_object *v = NULL;
        int r;

        r = jwalk_get_value(obj, p, key, required, json_type_int, &v, err);
        if (r <= 0)
                return r;
        r = jwalk_to_i64(v, &c, min, max,
                         min == 0 && max == INT64_MAX ? "a non-negative integer" : "an integer",
                         ret, err);
        return r < 0 ? r : 1;
}

int jwalk_get_bool(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                   bool *ret, BerthError **err)
{
        struct json_object *v = NULL;
        int r;

        r = jwalk_get_value(obj, p, key, required, json_type_boolean, &v, err);
        if (r <= 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 1;
}

int jwalk_get_object(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                     struct json_object **ret, BerthError **err)
{
        return jwalk_get_value(obj, p, key, required, json_type_object, ret, err);
}

int jwalk_get_array(struct json_object *obj, const JsonPath *p, const char *key, bool required,
                    size_t max, struct json_object **ret, BerthError **err)
{
        int r = jwalk_get_value(obj, p, key, required, json_type_array, ret, err);
        if (r <= 0)
                return r;
        if (json_object_array_length(*ret) > max) {
                JsonPath c = JSON_PATH_KEY(p, key);
                jwalk_error(err, &c, "more than %zu entries", max);
                return -E2BIG;
        }
        return 1;
}

int jwalk_parse_array(struct json_object *v, const JsonPath *p, size_t elem_size,
                     JsonElemParser parse, void **ret, size_t *ret_n, BerthError **err)
{
        size_t n;
        char *a;
        int r;

        r = jwalk_array_length(v, p, &n, err);
        if (r < 0)
                return r;
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

ssize_t jwalk_text_check(const char *data, size_t len, const char **ret_problem)
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

