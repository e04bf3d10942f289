/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run settings of an image config (Entrypoint, Cmd, Env, ...), read with JSON-path errors. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "basic/json-walk.h"
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
static int get_strv(json_object *o, const JsonPath *p, const char *key, char ***ret,
                    BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);
        json_object *a = jwalk_member(o, key);

        *ret = NULL;
        if (!a)
                return 0;
        return jwalk_to_strv(a, &c, ret, err);
}

/* Keys of a JSON object ({"80/tcp": {}}), optionally with their string values ("k=v"). */
static int get_keys(json_object *o, const JsonPath *p, const char *key, bool with_values,
                    char ***ret, BerthError **err)
{
        json_object *m = NULL;
        char **l = NULL;
        int r;

        *ret = NULL;
        r = jwalk_get_object(o, p, key, false, &m, err);
        if (r <= 0)
                return r;
        l = calloc(1, sizeof(char *));
        if (!l)
                return berth_error(err, ENOMEM, "out of memory");
        json_object_object_foreach(m, k, v)
        {
                char *s = NULL;

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
                        return berth_error(err, ENOMEM, "out of memory");
                }
        }
        *ret = l;
        return 0;
}

/* A string member; null, absent or empty gives NULL. */
static int get_string(json_object *o, const JsonPath *p, const char *key, char **ret,
                      BerthError **err)
{
        const char *v = NULL;
        int r;

        *ret = NULL;
        r = jwalk_get_string(o, p, key, false, &v, err);
        if (r <= 0 || !*v)
                return r;
        *ret = strdup(v);
        return *ret ? 0 : berth_error(err, ENOMEM, "out of memory");
}

int image_run_config_parse(const char *data, size_t len, ImageRunConfig **ret, BerthError **err)
{
        _cleanup_image_run_config_ ImageRunConfig *c = NULL;
        JsonPath doc = JSON_PATH_DOC("image config"), cp = JSON_PATH_KEY(&doc, "config");
        json_object *root, *cfg = NULL;
        int r;

        root = jwalk_parse_object(data, len);
        if (!root)
                return berth_error_plain(err, EINVAL, "image config: not a valid JSON object");
        c = calloc(1, sizeof(*c));
        if (!c) {
                json_object_put(root);
                return berth_error(err, ENOMEM, "out of memory");
        }
        r = jwalk_get_object(root, &doc, "config", false, &cfg, err);
        if (r > 0) {
                r = get_strv(cfg, &cp, "Entrypoint", &c->entrypoint, err);
                if (r >= 0)
                        r = get_strv(cfg, &cp, "Cmd", &c->cmd, err);
                if (r >= 0)
                        r = get_strv(cfg, &cp, "Env", &c->env, err);
                if (r >= 0)
                        r = get_string(cfg, &cp, "WorkingDir", &c->working_dir, err);
                if (r >= 0)
                        r = get_string(cfg, &cp, "User", &c->user, err);
                if (r >= 0)
                        r = get_string(cfg, &cp, "StopSignal", &c->stop_signal, err);
                if (r >= 0)
                        r = get_keys(cfg, &cp, "ExposedPorts", false, &c->exposed_ports, err);
                if (r >= 0)
                        r = get_keys(cfg, &cp, "Volumes", false, &c->volumes, err);
                if (r >= 0)
                        r = get_keys(cfg, &cp, "Labels", true, &c->labels, err);
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
                return berth_error_prefix(err, "config `%s`", config_digest);
        return 0;
}
