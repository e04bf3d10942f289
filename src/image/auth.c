/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/auth.h"

int auth_base64_encode(const void *data, size_t len, char **ret)
{
        char *out = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
        if (!out)
                return -ENOMEM;
        base64_encode_raw(out, len, data);
        out[BASE64_ENCODE_RAW_LENGTH(len)] = 0;
        *ret = out;
        return 0;
}

int auth_base64_decode(const char *s, char **ret, size_t *ret_len)
{
        struct base64_decode_ctx ctx;
        size_t n = strlen(s), k;
        _cleanup_free_ uint8_t *out = NULL;

        if (n % 4 != 0)
                return -EINVAL;
        out = malloc(BASE64_DECODE_LENGTH(n) + 1);
        if (!out)
                return -ENOMEM;
        base64_decode_init(&ctx);
        if (!base64_decode_update(&ctx, &k, out, n, s) || !base64_decode_final(&ctx))
                return -EINVAL;
        out[k] = 0;
        if (ret_len)
                *ret_len = k;
        *ret = (char *)TAKE_PTR(out);
        return 0;
}

static json_object *read_json(const char *path)
{
        _cleanup_free_ char *data = NULL;
        if (fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &data, NULL, NULL) < 0)
                return NULL;
        return json_tokener_parse(data);
}

/* host's entry in an "auths" object: docker keys docker.io as its old v1 URL, and other
 * clients may write the host with a scheme. */
static json_object *auth_entry(json_object *auths, const char *host)
{
        json_object *e = jwalk_member(auths, host);
        char key[512];

        if (e)
                return e;
        snprintf(key, sizeof(key), "https://%s", host);
        e = jwalk_member(auths, key);
        if (!e && streq(host, "docker.io"))
                e = jwalk_member(auths, "https://index.docker.io/v1/");
        return e;
}

static int lookup_in(const char *path, const char *host, char **ret_user, char **ret_password)
{
        json_object *root = read_json(path), *auths, *entry, *v;
        _cleanup_free_ char *decoded = NULL;
        int r = 0;

        /* Read leniently: a file or entry of the wrong shape holds no credentials. */
        if (!root || !(auths = jwalk_member(root, "auths")) ||
            !(entry = auth_entry(auths, host)) || !(v = jwalk_member(entry, "auth")) ||
            !json_object_is_type(v, json_type_string) ||
            auth_base64_decode(json_object_get_string(v), &decoded, NULL) < 0)
                goto out;
        char *colon = strchr(decoded, ':');
        if (!colon)
                goto out;
        *colon = 0;
        *ret_user = strdup(decoded);
        *ret_password = strdup(colon + 1);
        r = *ret_user && *ret_password ? 1 : -ENOMEM;
out:
        json_object_put(root);
        return r;
}

int auth_lookup(const char *authfile, const char *docker_config, const char *host,
                char **ret_user, char **ret_password, BerthError **err)
{
        int r = 0;

        if (authfile)
                r = lookup_in(authfile, host, ret_user, ret_password);
        if (r == 0 && docker_config)
                r = lookup_in(docker_config, host, ret_user, ret_password);
        return r < 0 ? berth_error(err, r, "look up the credentials of `%s`", host) : r;
}

static int write_auth(const char *path, json_object *root, BerthError **err)
{
        _cleanup_free_ char *dir = strdup(path);
        _cleanup_close_ int dfd = -1;
        const char *s;
        int r;

        if (!dir)
                return berth_error(err, ENOMEM, "out of memory");
        char *d = dirname(dir);
        r = fs_mkdir_p(d, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", d);
        dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", d);
        s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        const char *base = strrchr(path, '/');
        r = fs_write_file_atomic_at(dfd, base ? base + 1 : path, s, strlen(s), 0600);
        if (r < 0)
                return berth_error(err, r, "write `%s`", path);
        return 0;
}

int auth_store(const char *authfile, const char *host, const char *user, const char *password,
               BerthError **err)
{
        _cleanup_free_ char *pair = NULL, *b64 = NULL;
        const char *path = authfile;
        json_object *root, *auths, *entry;
        int r;

        if (asprintf(&pair, "%s:%s", user, password) < 0 ||
            auth_base64_encode(pair, strlen(pair), &b64) < 0)
                return berth_error(err, ENOMEM, "out of memory");
        root = read_json(path);
        if (!root || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                root = json_object_new_object();
        }
        if (!json_object_object_get_ex(root, "auths", &auths) ||
            !json_object_is_type(auths, json_type_object)) {
                auths = json_object_new_object();
                json_object_object_add(root, "auths", auths);
        }
        entry = json_object_new_object();
        json_object_object_add(entry, "auth", json_object_new_string(b64));
        json_object_object_add(auths, host, entry);
        r = write_auth(path, root, err);
        json_object_put(root);
        return r;
}

int auth_remove(const char *authfile, const char *host, BerthError **err)
{
        const char *path = authfile;
        json_object *root, *auths;
        int r = 0;

        root = read_json(path);
        if (root && json_object_object_get_ex(root, "auths", &auths) &&
            json_object_object_get_ex(auths, host, NULL)) {
                json_object_object_del(auths, host);
                r = write_auth(path, root, err);
                if (r >= 0)
                        r = 1;
        }
        json_object_put(root);
        return r;
}

void auth_challenge_done(AuthChallenge *c)
{
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (AuthChallenge){};
}

int auth_challenge_parse(const char *header, AuthChallenge *ret)
{
        AuthChallenge c = {};
        const char *p = header;

        while (isspace((unsigned char)*p))
                p++;
        size_t n = strcspn(p, " \t");
        c.scheme = strndup(p, n);
        if (!c.scheme)
                return -ENOMEM;
        p += n;
        /* key="value" pairs, commas between, commas allowed inside the quotes */
        while (*p) {
                while (*p == ',' || isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                const char *eq = strchr(p, '=');
                if (!eq)
                        break;
                _cleanup_free_ char *key = strndup(p, (size_t)(eq - p));
                char *value;
                p = eq + 1;
                if (*p == '"') {
                        const char *end = strchr(p + 1, '"');
                        if (!end)
                                break;
                        value = strndup(p + 1, (size_t)(end - p - 1));
                        p = end + 1;
                } else {
                        size_t k = strcspn(p, ",");
                        value = strndup(p, k);
                        p += k;
                }
                if (!key || !value) {
                        free(value);
                        auth_challenge_done(&c);
                        return -ENOMEM;
                }
                char **slot = strcasecmp(key, "realm") == 0     ? &c.realm
                              : strcasecmp(key, "service") == 0 ? &c.service
                              : strcasecmp(key, "scope") == 0   ? &c.scope
                                                                : NULL;
                if (slot) {
                        free(*slot);
                        *slot = value;
                } else
                        free(value);
        }
        *ret = c;
        return 0;
}
