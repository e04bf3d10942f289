/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed, range-checked getters over json-c for the spec parsers, with JSON-path errors. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "basic/string-util.h"
#include "spec/spec-json.h"

static int json_field_parse(struct json_object *v, const JsonPath *p, const JsonField *f,
                            void *field, BerthError **err)
{
        uint64_t u;
        int64_t s;
        int r;

        switch (f->type) {
        case JSON_FIELD_STRING:
                return jwalk_to_string(v, p, field, err);
        case JSON_FIELD_ABSPATH:
                r = jwalk_to_string(v, p, field, err);
                if (r < 0)
                        return r;
                if ((*(char **)field)[0] != '/')
                        return jwalk_error(err, p, "must be an absolute path");
                return 0;
        case JSON_FIELD_STRV:
                return jwalk_to_strv(v, p, field, err);
        case JSON_FIELD_BOOL:
                return jwalk_to_bool(v, p, field, err);
        case JSON_FIELD_U16:
                r = jwalk_to_u64(v, p, UINT16_MAX, "an unsigned 16-bit integer", &u, err);
                if (r >= 0)
                        *(uint16_t *)field = (uint16_t)u;
                return r;
        case JSON_FIELD_U32:
                r = jwalk_to_u64(v, p, UINT32_MAX, "an unsigned 32-bit integer", &u, err);
                if (r >= 0)
                        *(uint32_t *)field = (uint32_t)u;
                return r;
        case JSON_FIELD_U64:
                return jwalk_to_u64(v, p, UINT64_MAX, "an unsigned 64-bit integer", field, err);
        case JSON_FIELD_I32:
                r = jwalk_to_i64(v, p, INT32_MIN, INT32_MAX, "a 32-bit integer", &s, err);
                if (r >= 0)
                        *(int32_t *)field = (int32_t)s;
                return r;
        case JSON_FIELD_INT:
                r = jwalk_to_i64(v, p, INT_MIN, INT_MAX, "an integer", &s, err);
                if (r >= 0)
                        *(int *)field = (int)s;
                return r;
        case JSON_FIELD_I64:
                return jwalk_to_i64(v, p, INT64_MIN, INT64_MAX, "a 64-bit integer", field, err);
        case JSON_FIELD_LIMIT:
                return jwalk_to_i64(v, p, -1, INT64_MAX,
                                   "-1 (unlimited) or a non-negative 64-bit integer", field, err);
        }
        return jwalk_error(err, p, "internal error: unknown field type");
}

int spec_json_parse_fields(struct json_object *obj, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err)
{
        for (size_t i = 0; i < n_fields; i++) {
                const JsonField *f = &fields[i];
                JsonPath c = JSON_PATH_KEY(p, f->key);
                struct json_object *v = jwalk_member(obj, f->key);
                int r;

                if (!v) {
                        if (f->required)
                                return jwalk_error(err, &c, "required field is missing");
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

int spec_json_parse_object(struct json_object *v, const JsonPath *p, const JsonField *fields,
                      size_t n_fields, void *base, BerthError **err)
{
        int r = jwalk_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        return spec_json_parse_fields(v, p, fields, n_fields, base, err);
}

void spec_json_free_fields(const JsonField *fields, size_t n_fields, void *base)
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

int spec_json_check_one_of(const char *value, const char *const *allowed, const JsonPath *p,
                      const char *what, BerthError **err)
{
        char buf[256];

        for (size_t i = 0; allowed[i]; i++)
                if (streq(value, allowed[i]))
                        return 0;
        string_json_escape(value, buf, sizeof(buf));
        return jwalk_error(err, p, "unknown %s \"%s\"", what, buf);
}

/* Checks the value parsed from member key of the object at p (NULL when absent). */
int spec_json_check_member_one_of(const JsonPath *p, const char *key, const char *value,
                             const char *const *allowed, const char *what, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!value)
                return 0;
        return spec_json_check_one_of(value, allowed, &c, what, err);
}

int spec_json_check_strv_one_of(char **l, const JsonPath *p, const char *key,
                                const char *const *allowed, const char *what, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        for (size_t i = 0; l && l[i]; i++) {
                JsonPath e = JSON_PATH_INDEX(&c, i);
                int r = spec_json_check_one_of(l[i], allowed, &e, what, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int spec_json_check_strv_absolute(char **l, const JsonPath *p, const char *key, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);

        for (size_t i = 0; l && l[i]; i++)
                if (l[i][0] != '/') {
                        JsonPath e = JSON_PATH_INDEX(&c, i);
                        return jwalk_error(err, &e, "must be an absolute path");
                }
        return 0;
}

int spec_json_require_one_of(struct json_object *obj, const JsonPath *p, const char *a,
                             const char *b, BerthError **err)
{
        if (jwalk_member(obj, a) || jwalk_member(obj, b))
                return 0;
        return jwalk_error(err, p, "at least one of \"%s\" and \"%s\" is required", a, b);
}

/* A string-to-string object (annotations, sysctl, unified). */
int spec_json_parse_string_map(struct json_object *v, const JsonPath *p, SpecKeyValue **ret,
                          size_t *ret_n, BerthError **err)
{
        size_t n, i = 0;
        int r;

        r = jwalk_object_length(v, p, &n, err);
        if (r < 0)
                return r;
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
                r = jwalk_to_string(val, &c, &(*ret)[i].value, err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

void spec_json_free_key_values(SpecKeyValue *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

/* A member of obj that must be an array of structs, parsed if present. */
int spec_json_parse_member_array(struct json_object *obj, const JsonPath *p, const char *key,
                            size_t elem_size, JsonElemParser parse, void **ret, size_t *ret_n,
                            BerthError **err)
{
        struct json_object *v = jwalk_member(obj, key);
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!v)
                return 0;
        return jwalk_parse_array(v, &c, elem_size, parse, ret, ret_n, err);
}
