/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/image-config.h"

void image_run_config_free(ImageRunConfig *c)
{
        if (!c)
                return;
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        strv_free(c->env);
        free(c->working_dir);
        free(c->user);
        free(c->stop_signal);
        strv_free(c->exposed_ports);
        strv_free(c->volumes);
        strv_free(c->labels);
        free(c);
}

/* A JSON array of strings into a vector; null or absent gives NULL. */
static int get_strv(json_object *o, const char *key, char ***ret, BerthError **err)
{
        json_object *a;
        char **l;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &a) || !a)
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return berth_error_plain(err, EINVAL, "Image config: '%s' is not an array", key);
        l = calloc(json_object_array_length(a) + 1, sizeof(char *));
        if (!l)
                return berth_error(err, ENOMEM, "config");
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (!json_object_is_type(e, json_type_string)) {
                        strv_free(l);
                        return berth_error_plain(err, EINVAL, "Image config: '%s[%zu]' is not a string",
                                           key, i);
                }
                l[i] = strdup(json_object_get_string(e));
                if (!l[i]) {
                        strv_free(l);
                        return berth_error(err, ENOMEM, "config");
                }
        }
        *ret = l;
        return 0;
}

/* Keys of a JSON object ({"80/tcp": {}}), optionally with their string values ("k=v"). */
static int get_keys(json_object *o, const char *key, bool with_values, char ***ret,
                    BerthError **err)
{
        json_object *m;
        char **l = NULL;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &m) || !m)
                return 0;
        if (!json_object_is_type(m, json_type_object))
                return berth_error_plain(err, EINVAL, "Image config: '%s' is not an object", key);
        l = calloc(1, sizeof(char *));
        if (!l)
                return berth_error(err, ENOMEM, "config");
        json_object_object_foreach(m, k, v)
        {
                char *s = NULL;
                int r;
                if (with_values)
                        r = asprintf(&s, "%s=%s", k,
                                     json_object_is_type(v, json_type_string)
                                             ? json_object_get_string(v)
                                             : "");
                else
                        r = (s = strdup(k)) ? 0 : -1;
                if (r < 0 || strv_push(&l, s) < 0) {
                        free(s);
                        strv_free(l);
                        return berth_error(err, ENOMEM, "config");
                }
        }
        *ret = l;
        return 0;
}

static int get_string(json_object *o, const char *key, char **ret, BerthError **err)
{
        json_object *v;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return berth_error_plain(err, EINVAL, "Image config: '%s' is not a string", key);
        if (!*json_object_get_string(v))
                return 0;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : berth_error(err, ENOMEM, "config");
}

int image_run_config_parse(const char *data, size_t len, ImageRunConfig **ret, BerthError **err)
{
        _cleanup_image_run_config_ ImageRunConfig *c = NULL;
        json_tokener *tok;
        json_object *root, *cfg;
        int r;

        tok = json_tokener_new();
        if (!tok)
                return berth_error(err, ENOMEM, "config");
        root = json_tokener_parse_ex(tok, data, (int)len);
        bool ok = json_tokener_get_error(tok) == json_tokener_success;
        json_tokener_free(tok);
        if (!ok || !root || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return berth_error_plain(err, EINVAL, "Image config is not a valid JSON object");
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
                json_object_put(root);
                return berth_error(err, ENOMEM, "config");
        }
        r = 0;
        if (json_object_object_get_ex(root, "config", &cfg) && cfg) {
                if (!json_object_is_type(cfg, json_type_object))
                        r = berth_error_plain(err, EINVAL, "Image config: 'config' is not an object");
                if (r >= 0)
                        r = get_strv(cfg, "Entrypoint", &c->entrypoint, err);
                if (r >= 0)
                        r = get_strv(cfg, "Cmd", &c->cmd, err);
                if (r >= 0)
                        r = get_strv(cfg, "Env", &c->env, err);
                if (r >= 0)
                        r = get_string(cfg, "WorkingDir", &c->working_dir, err);
                if (r >= 0)
                        r = get_string(cfg, "User", &c->user, err);
                if (r >= 0)
                        r = get_string(cfg, "StopSignal", &c->stop_signal, err);
                if (r >= 0)
                        r = get_keys(cfg, "ExposedPorts", false, &c->exposed_ports, err);
                if (r >= 0)
                        r = get_keys(cfg, "Volumes", false, &c->volumes, err);
                if (r >= 0)
                        r = get_keys(cfg, "Labels", true, &c->labels, err);
        }
        json_object_put(root);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int image_run_config_load(ContentStore *cs, const char *config_digest, ImageRunConfig **ret,
                          BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t n = 0;
        int r;

        r = content_store_read_blob(cs, config_digest, &data, &n, err);
        if (r < 0)
                return r;
        r = image_run_config_parse(data, n, ret, err);
        if (r < 0)
                return berth_error_prefix(err, "Config %s", config_digest);
        return 0;
}
