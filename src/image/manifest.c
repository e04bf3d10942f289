/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI and Docker manifests, indexes and image configs: media types, parsing, platforms. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "image/manifest.h"

static inline void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

bool manifest_media_type_is_layer(const char *mt)
{
        static const char *const l[] = { MT_OCI_LAYER,         MT_OCI_LAYER_GZIP,
                                         MT_OCI_LAYER_ZSTD,    MT_OCI_LAYER_ND_GZIP,
                                         MT_DOCKER_LAYER,      MT_DOCKER_LAYER_GZIP,
                                         MT_DOCKER_LAYER_FOREIGN };
        for (size_t i = 0; mt && i < ELEMENTSOF(l); i++)
                if (streq(mt, l[i]))
                        return true;
        return false;
}

bool manifest_media_type_is_manifest(const char *mt)
{
        return mt && (streq(mt, MT_OCI_MANIFEST) || streq(mt, MT_DOCKER_MANIFEST));
}

bool manifest_media_type_is_index(const char *mt)
{
        return mt && (streq(mt, MT_OCI_INDEX) || streq(mt, MT_DOCKER_LIST));
}

void manifest_platform_done(Platform *p)
{
        free(p->os);
        free(p->architecture);
        free(p->variant);
        *p = (Platform){};
}

void manifest_descriptor_done(Descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->ref_name);
        free(d->image_name);
        manifest_platform_done(&d->platform);
        *d = (Descriptor){};
}

void manifest_free(Manifest *m)
{
        if (!m)
                return;
        free(m->media_type);
        manifest_descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                manifest_descriptor_done(&m->layers[i]);
        free(m->layers);
        for (size_t i = 0; i < m->n_manifests; i++)
                manifest_descriptor_done(&m->manifests[i]);
        free(m->manifests);
        free(m);
}

void image_config_free(ImageConfig *c)
{
        if (!c)
                return;
        manifest_platform_done(&c->platform);
        free(c->created);
        strv_free(c->diff_ids);
        free(c);
}

static const char *get_string(json_object *o, const char *key)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int dup_opt(const char *s, char **ret)
{
        if (!s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int parse_platform(json_object *o, Platform *p)
{
        if (dup_opt(get_string(o, "os"), &p->os) < 0 ||
            dup_opt(get_string(o, "architecture"), &p->architecture) < 0 ||
            dup_opt(get_string(o, "variant"), &p->variant) < 0)
                return -ENOMEM;
        return 0;
}

static int dup_string(const char *s, char **ret, BerthError **err)
{
        *ret = strdup(s);
        return *ret ? 0 : berth_error(err, ENOMEM, "out of memory");
}

static int parse_descriptor(json_object *o, const JsonPath *p, Descriptor *d, BerthError **err)
{
        json_object *v;
        const char *s;
        int64_t size;
        int r;

        r = jwalk_expect(o, p, json_type_object, err);
        if (r < 0)
                return r;
        r = jwalk_get_string(o, p, "mediaType", true, &s, err);
        if (r < 0 || (r = dup_string(s, &d->media_type, err)) < 0)
                return r;
        r = jwalk_get_string(o, p, "digest", true, &s, err);
        if (r < 0)
                return r;
        if (!digest_is_valid(s)) {
                JsonPath c = JSON_PATH_KEY(p, "digest");
                return jwalk_error(err, &c, "unsupported digest `%s`", s);
        }
        r = dup_string(s, &d->digest, err);
        if (r < 0)
                return r;
        r = jwalk_get_i64(o, p, "size", true, 0, INT64_MAX, &size, err);
        if (r < 0)
                return r;
        d->size = size;
        /* platform and annotations are read leniently: a malformed one is as good as none. */
        v = jwalk_member(o, "platform");
        if (v && json_object_is_type(v, json_type_object) && parse_platform(v, &d->platform) < 0)
                return berth_error(err, ENOMEM, "out of memory");
        v = jwalk_member(o, "annotations");
        if (v && json_object_is_type(v, json_type_object) &&
            (dup_opt(get_string(v, "org.opencontainers.image.ref.name"), &d->ref_name) < 0 ||
             dup_opt(get_string(v, "io.containerd.image.name"), &d->image_name) < 0))
                return berth_error(err, ENOMEM, "out of memory");
        return 0;
}

static int parse_descriptor_array(json_object *o, const JsonPath *p, const char *key,
                                  Descriptor **ret, size_t *n, BerthError **err)
{
        JsonPath c = JSON_PATH_KEY(p, key);
        json_object *a = NULL;
        size_t len;
        int r;

        r = jwalk_get_array(o, p, key, true, 10000, &a, err);
        if (r < 0)
                return r;
        len = json_object_array_length(a);
        *ret = calloc(len + 1, sizeof(Descriptor));
        if (!*ret)
                return berth_error(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < len; i++) {
                JsonPath e = JSON_PATH_INDEX(&c, i);
                *n = i + 1;
                r = parse_descriptor(json_object_array_get_idx(a, i), &e, &(*ret)[i], err);
                if (r < 0)
                        return r;
        }
        *n = len;
        return 0;
}

json_object *manifest_descriptor_json(const char *media_type, const char *digest, int64_t size)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "mediaType", json_object_new_string(media_type));
        json_object_object_add(o, "digest", json_object_new_string(digest));
        json_object_object_add(o, "size", json_object_new_int64(size));
        return o;
}

int manifest_parse(const char *data, size_t len, const char *content_type, Manifest **ret,
                   BerthError **err)
{
        _cleanup_json_ json_object *root = NULL;
        JsonPath doc = JSON_PATH_DOC("manifest");
        Manifest *m;
        json_object *v;
        const char *mt;
        int r;

        root = len > (1 << 22) ? NULL : jwalk_parse_object(data, len);
        if (!root)
                return berth_error_plain(err, EINVAL, "manifest: not a valid JSON object");

        mt = get_string(root, "mediaType");
        if (!mt && content_type && !startswith(content_type, "application/json") &&
            !startswith(content_type, "text/plain"))
                mt = content_type;
        if (!mt) {
                /* OCI allows leaving mediaType out; tell the kinds apart by their fields. */
                if (json_object_object_get_ex(root, "manifests", NULL))
                        mt = MT_OCI_INDEX;
                else if (json_object_object_get_ex(root, "config", NULL))
                        mt = MT_OCI_MANIFEST;
                else
                        return jwalk_error(err, &doc,
                                               "no `mediaType`, `manifests` or `config`");
        }
        if (!manifest_media_type_is_manifest(mt) && !manifest_media_type_is_index(mt))
                return berth_error_plain(err, EPROTONOSUPPORT, "unknown manifest media type `%s`",
                                         mt);
        if (!json_object_object_get_ex(root, "schemaVersion", &v) || json_object_get_int(v) != 2)
                return berth_error_plain(err, EPROTONOSUPPORT,
                                         "manifest: `schemaVersion`: only 2 is supported");

        m = calloc(1, sizeof(*m));
        if (!m)
                return berth_error(err, ENOMEM, "out of memory");
        m->media_type = strdup(mt);
        if (manifest_media_type_is_index(mt)) {
                m->kind = MANIFEST_INDEX;
                r = parse_descriptor_array(root, &doc, "manifests", &m->manifests,
                                           &m->n_manifests, err);
                if (r < 0)
                        goto fail;
        } else {
                JsonPath c = JSON_PATH_KEY(&doc, "config");

                m->kind = MANIFEST_IMAGE;
                if (!json_object_object_get_ex(root, "config", &v)) {
                        r = jwalk_error(err, &c, "required field is missing");
                        goto fail;
                }
                r = parse_descriptor(v, &c, &m->config, err);
                if (r < 0)
                        goto fail;
                r = parse_descriptor_array(root, &doc, "layers", &m->layers, &m->n_layers, err);
                if (r < 0)
                        goto fail;
                for (size_t i = 0; i < m->n_layers; i++)
                        if (!manifest_media_type_is_layer(m->layers[i].media_type)) {
                                r = berth_error_plain(err, EPROTONOSUPPORT,
                                                      "layer `%s`: unknown media type `%s`",
                                                      m->layers[i].digest,
                                                      m->layers[i].media_type);
                                goto fail;
                        }
        }
        if (!m->media_type) {
                r = berth_error(err, ENOMEM, "out of memory");
                goto fail;
        }
        *ret = m;
        return 0;
fail:
        manifest_free(m);
        return r;
}

int image_config_parse(const char *data, size_t len, ImageConfig **ret, BerthError **err)
{
        _cleanup_json_ json_object *root = NULL;
        JsonPath doc = JSON_PATH_DOC("image config"), rp = JSON_PATH_KEY(&doc, "rootfs");
        JsonPath ip = JSON_PATH_KEY(&rp, "diff_ids");
        ImageConfig *c;
        json_object *rootfs = NULL, *ids = NULL;
        size_t n;
        int r;

        root = json_tokener_parse(data);
        if (!root || !json_object_is_type(root, json_type_object) || strlen(data) != len)
                return berth_error_plain(err, EINVAL, "image config: not a valid JSON object");
        r = jwalk_get_object(root, &doc, "rootfs", true, &rootfs, err);
        if (r < 0)
                return r;
        r = jwalk_get_array(rootfs, &rp, "diff_ids", true, SIZE_MAX, &ids, err);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(*c));
        if (!c)
                return berth_error(err, ENOMEM, "out of memory");
        n = json_object_array_length(ids);
        c->diff_ids = calloc(n + 1, sizeof(char *));
        if (!c->diff_ids || parse_platform(root, &c->platform) < 0 ||
            dup_opt(get_string(root, "created"), &c->created) < 0) {
                image_config_free(c);
                return berth_error(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(ids, i);
                JsonPath ep = JSON_PATH_INDEX(&ip, i);
                const char *s = json_object_get_string(e);
                if (!json_object_is_type(e, json_type_string) || !digest_is_valid(s)) {
                        image_config_free(c);
                        return jwalk_error(err, &ep, "expected a digest");
                }
                c->diff_ids[i] = strdup(s);
                c->n_diff_ids = i + 1;
                if (!c->diff_ids[i]) {
                        image_config_free(c);
                        return berth_error(err, ENOMEM, "out of memory");
                }
        }
        *ret = c;
        return 0;
}

int manifest_platform_host(Platform *ret)
{
        struct utsname u;
        const char *arch, *variant = NULL;

        if (uname(&u) < 0)
                return negative_errno();
        if (streq(u.machine, "x86_64"))
                arch = "amd64";
        else if (streq(u.machine, "aarch64"))
                arch = "arm64", variant = "v8";
        else if (startswith(u.machine, "armv7"))
                arch = "arm", variant = "v7";
        else if (startswith(u.machine, "armv6"))
                arch = "arm", variant = "v6";
        else if (streq(u.machine, "i686") || streq(u.machine, "i386"))
                arch = "386";
        else if (streq(u.machine, "ppc64le"))
                arch = "ppc64le";
        else if (streq(u.machine, "s390x"))
                arch = "s390x";
        else if (streq(u.machine, "riscv64"))
                arch = "riscv64";
        else
                arch = u.machine;
        *ret = (Platform){ .os = strdup("linux"), .architecture = strdup(arch),
                           .variant = variant ? strdup(variant) : NULL };
        if (!ret->os || !ret->architecture)
                return -ENOMEM;
        return 0;
}

int manifest_platform_parse(const char *s, Platform *ret, BerthError **err)
{
        _cleanup_free_ char *c = strdup(s ?: "");
        char *a, *v;

        if (!c)
                return berth_error(err, ENOMEM, "platform");
        a = strchr(c, '/');
        if (!a || a == c || !a[1])
                return berth_error_plain(err, EINVAL,
                                         "invalid platform `%s` (want os/arch[/variant])", s);
        *a++ = 0;
        v = strchr(a, '/');
        if (v)
                *v++ = 0;
        *ret = (Platform){ .os = strdup(c), .architecture = strdup(a),
                           .variant = v && *v ? strdup(v) : NULL };
        if (!ret->os || !ret->architecture)
                return berth_error(err, ENOMEM, "platform");
        return 0;
}

bool manifest_platform_matches(const Platform *want, const Platform *have)
{
        if (!have->os || !have->architecture || !streq(want->os, have->os) ||
            !streq(want->architecture, have->architecture))
                return false;
        if (!want->variant || !have->variant)
                return true;
        return streq(want->variant, have->variant);
}

int manifest_select_platform(const Manifest *index, const Platform *want)
{
        int fallback = -ENOENT;

        for (size_t i = 0; i < index->n_manifests; i++) {
                const Descriptor *d = &index->manifests[i];
                if (!manifest_media_type_is_manifest(d->media_type) ||
                    !manifest_platform_matches(want, &d->platform))
                        continue;
                /* Prefer the exact variant; otherwise the first of the architecture. */
                if (!want->variant || (d->platform.variant &&
                                       streq(want->variant, d->platform.variant)))
                        return (int)i;
                if (fallback < 0)
                        fallback = (int)i;
        }
        return fallback;
}

int manifest_chain_ids(char *const *diff_ids, size_t n, char ***ret)
{
        char **l = calloc(n + 1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (i == 0)
                        l[i] = strdup(diff_ids[0]);
                else {
                        _cleanup_free_ char *s = NULL;
                        char d[DIGEST_STRING_MAX];
                        if (asprintf(&s, "%s %s", l[i - 1], diff_ids[i]) < 0) {
                                strv_free(l);
                                return -ENOMEM;
                        }
                        digest_sha256_buffer(s, strlen(s), d);
                        l[i] = strdup(d);
                }
                if (!l[i]) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        *ret = l;
        return 0;
}
