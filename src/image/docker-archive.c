/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `docker save` archives: manifest.json lists, per image, its config file, its RepoTags and
 * its layers as uncompressed tars. Loading turns them into a Docker v2 schema 2 manifest (OCI
 * when a layer is zstd) in the store; saving writes <config-hex>.json and
 * <diff-id-hex>/layer.tar per layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/confine.h"
#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "image/blob-io.h"
#include "image/image-archive.h"
#include "image/image-unpack.h"
#include "image/layer-stream.h"
#include "image/manifest.h"
#include "image/reference.h"

static inline void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

static int ingest_file(ContentStore *cs, int dirfd, const char *what, const char *path,
                       char digest[DIGEST_STRING_MAX], int64_t *ret_size,
                       LayerCompression *ret_comp, BerthError **err)
{
        _cleanup_free_ char *clean = strdup(path);
        _cleanup_close_ int fd = -1;
        unsigned char magic[4] = {};
        struct stat st;
        int r;

        if (!clean)
                return berth_error(err, ENOMEM, "load");
        confine_clean_path(clean);
        fd = confine_open(dirfd, clean, O_RDONLY, 0);
        if (fd < 0 || fstat(fd, &st) < 0)
                return berth_error(err, fd < 0 ? fd : -errno, "%s: open `%s`", what,
                                   path);
        if (!S_ISREG(st.st_mode))
                return berth_error_plain(err, EINVAL, "%s: `%s` is not a regular file", what, path);
        if (ret_comp) {
                ssize_t n = pread(fd, magic, sizeof(magic), 0);
                *ret_comp = LAYER_PLAIN;
                if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
                        *ret_comp = LAYER_GZIP;
                else if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
                         magic[3] == 0xfd)
                        *ret_comp = LAYER_ZSTD;
        }
        r = blob_ingest_fd(cs, fd, NULL, st.st_size, digest, err);
        if (r < 0)
                return berth_error_prefix(err, "%s: `%s`", what, path);
        *ret_size = st.st_size;
        return 0;
}

static int load_one(ContentStore *cs, Store *md, Snapshotter *sn, int dirfd, const char *what,
                    json_object *entry, const JsonPath *p, char ***names, BerthError **err)
{
        _cleanup_json_ json_object *manifest = NULL;
        _cleanup_strv_free_ char **tags = NULL;
        _cleanup_free_ char *manifest_digest = NULL;
        _cleanup_image_record_ ImageRecord *rec = NULL;
        json_object *layers = NULL, *repotags, *ldescs;
        JsonPath lp = JSON_PATH_KEY(p, "Layers");
        const char *cfg = NULL;
        bool oci = false;
        size_t n;
        int r;

        r = jwalk_expect(entry, p, json_type_object, err);
        if (r >= 0)
                r = jwalk_get_string(entry, p, "Config", true, &cfg, err);
        if (r >= 0)
                r = jwalk_get_array(entry, p, "Layers", true, SIZE_MAX, &layers, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", what);
        n = json_object_array_length(layers);
        LayerCompression *comp = calloc(n + 1, sizeof(*comp));
        char (*digests)[DIGEST_STRING_MAX] = calloc(n + 1, DIGEST_STRING_MAX);
        int64_t *sizes = calloc(n + 1, sizeof(int64_t));
        if (!comp || !digests || !sizes) {
                r = berth_error(err, ENOMEM, "load");
                goto out;
        }
        char cfg_digest[DIGEST_STRING_MAX];
        int64_t cfg_size;
        r = ingest_file(cs, dirfd, what, cfg, cfg_digest, &cfg_size, NULL, err);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < n; i++) {
                json_object *l = json_object_array_get_idx(layers, i);
                JsonPath ep = JSON_PATH_INDEX(&lp, i);
                r = jwalk_expect(l, &ep, json_type_string, err);
                if (r < 0) {
                        r = berth_error_prefix(err, "%s", what);
                        goto out;
                }
                r = ingest_file(cs, dirfd, what, json_object_get_string(l), digests[i], &sizes[i],
                                &comp[i], err);
                if (r < 0)
                        goto out;
                if (comp[i] == LAYER_ZSTD)
                        oci = true;
        }

        manifest = json_object_new_object();
        json_object_object_add(manifest, "schemaVersion", json_object_new_int(2));
        json_object_object_add(manifest, "mediaType",
                               json_object_new_string(oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST));
        json_object_object_add(
            manifest, "config",
            manifest_descriptor_json(oci ? MT_OCI_CONFIG : MT_DOCKER_CONFIG, cfg_digest, cfg_size));
        ldescs = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                const char *mt = oci ? (comp[i] == LAYER_ZSTD   ? MT_OCI_LAYER_ZSTD
                                        : comp[i] == LAYER_GZIP ? MT_OCI_LAYER_GZIP
                                                                : MT_OCI_LAYER)
                                     : (comp[i] == LAYER_GZIP ? MT_DOCKER_LAYER_GZIP
                                                              : MT_DOCKER_LAYER);
                json_object_array_add(ldescs, manifest_descriptor_json(mt, digests[i], sizes[i]));
        }
        json_object_object_add(manifest, "layers", ldescs);
        const char *s = json_object_to_json_string_ext(
            manifest, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = content_store_put(cs, s, strlen(s), NULL, &manifest_digest, err);
        if (r < 0)
                goto out;

        if (json_object_object_get_ex(entry, "RepoTags", &repotags) &&
            json_object_is_type(repotags, json_type_array))
                for (size_t i = 0; i < json_object_array_length(repotags); i++) {
                        _cleanup_reference_ Reference *ref = NULL;
                        _cleanup_free_ char *name = NULL;
                        json_object *jt = json_object_array_get_idx(repotags, i);
                        const char *t = json_object_is_type(jt, json_type_string)
                                                ? json_object_get_string(jt)
                                                : NULL;
                        /* Refused, as docker does: dropping a name the archive asks for
                         * would load an image under fewer names than its maker meant. */
                        if (!t || reference_parse(t, &ref, NULL) < 0 || !ref->tag ||
                            ref->digest || reference_name(ref, &name) < 0) {
                                r = berth_error_plain(err, EINVAL,
                                                      "%s: RepoTags[%zu] `%s` is not an image "
                                                      "name with a tag",
                                                      what, i,
                                                      t ?: json_object_to_json_string(jt));
                                goto out;
                        }
                        if (strv_push(&tags, TAKE_PTR(name)) < 0) {
                                r = berth_error(err, ENOMEM, "load");
                                goto out;
                        }
                }
        r = image_commit_load(cs, md, sn, manifest_digest, NULL, tags, &rec, err);
        if (r < 0)
                goto out;
        if (strv_length(tags) == 0)
                r = strv_extend(names, rec->id);
        else
                STRV_FOREACH(t, tags)
                if ((r = strv_extend(names, *t)) < 0)
                        break;
        if (r < 0)
                r = berth_error(err, ENOMEM, "load");
out:
        free(comp);
        free(digests);
        free(sizes);
        return r;
}

int docker_archive_load(ContentStore *cs, Store *md, Snapshotter *sn, int dirfd,
                        const char *what, char ***names, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_json_ json_object *root = NULL;
        JsonPath doc = JSON_PATH_DOC("manifest.json");
        size_t len = 0;
        int r;

        r = fs_read_full_file_limited(dirfd, "manifest.json", READ_LIMIT_JSON, &data, &len, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", what);
        root = json_tokener_parse(data);
        if (!root || !json_object_is_type(root, json_type_array))
                return berth_error_plain(err, EINVAL, "%s: manifest.json: not a JSON array", what);
        for (size_t i = 0; i < json_object_array_length(root); i++) {
                JsonPath e = JSON_PATH_INDEX(&doc, i);
                r = load_one(cs, md, sn, dirfd, what, json_object_array_get_idx(root, i), &e,
                             names, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Writes the uncompressed layer as dirfd/<diff-hex>/layer.tar, checking its diff ID. */
static int export_layer(ContentStore *cs, const ImageLayer *l, int dirfd, BerthError **err)
{
        _cleanup_layer_stream_ LayerStream *s = NULL;
        _cleanup_close_ int in = -1, out = -1;
        _cleanup_free_ char *path = NULL, *buf = NULL;
        char diff[DIGEST_STRING_MAX];
        const char *hex = digest_hex(l->diff_id);
        ssize_t n;
        int r;

        if (asprintf(&path, "%s/layer.tar", hex) < 0 || !(buf = malloc(1 << 20)))
                return berth_error(err, ENOMEM, "save");
        if (mkdirat(dirfd, hex, 0755) < 0) {
                if (errno == EEXIST)
                        return 0; /* the same layer twice */
                return berth_error(err, errno, "create `%s`", hex);
        }
        r = content_store_open_blob(cs, l->digest, &in, err);
        if (r < 0)
                return r;
        r = layer_stream_open(in, l->digest, &s, err);
        if (r < 0)
                return r;
        out = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (out < 0)
                return berth_error(err, errno, "create `%s`", path);
        while ((n = layer_stream_read(s, buf, 1 << 20, err)) > 0) {
                r = fs_write_all_fd(out, buf, (size_t)n);
                if (r < 0)
                        return berth_error(err, r, "write `%s`", path);
        }
        if (n < 0)
                return (int)n;
        layer_stream_diff_id(s, diff);
        if (!streq(diff, l->diff_id))
                return berth_error_plain(err, EUCLEAN,
                                         "layer `%s`: uncompressed content is %s, not %s",
                                         l->digest, diff, l->diff_id);
        return 0;
}

int docker_archive_save(ContentStore *cs, const SaveItem *items, size_t n, const char *dir,
                        BerthError **err)
{
        _cleanup_close_ int dfd = -1;
        _cleanup_json_ json_object *root = json_object_new_array();
        _cleanup_json_ json_object *repos = json_object_new_object();
        int r;

        dfd = image_archive_mkdir(dir, err);
        if (dfd < 0)
                return dfd;
        for (size_t i = 0; i < n; i++) {
                const ImageRecord *rec = items[i].rec;
                _cleanup_free_ char *cfgname = NULL;
                json_object *e = json_object_new_object(), *tags = json_object_new_array(),
                            *layers = json_object_new_array();

                json_object_array_add(root, e);
                if (asprintf(&cfgname, "%s.json", digest_hex(rec->id)) < 0)
                        return berth_error(err, ENOMEM, "save");
                r = blob_export(cs, rec->id, dfd, cfgname, err);
                if (r < 0)
                        return r;
                json_object_object_add(e, "Config", json_object_new_string(cfgname));
                if (items[i].name) {
                        const char *name = items[i].name;
                        /* docker writes docker.io names short */
                        const char *shortn = startswith(name, "docker.io/library/")
                                                     ?: startswith(name, "docker.io/") ?: name;
                        json_object_array_add(tags, json_object_new_string(shortn));
                        const char *colon = strrchr(shortn, ':');
                        if (colon && rec->n_layers > 0) {
                                _cleanup_free_ char *repo = strndup(shortn,
                                                                    (size_t)(colon - shortn));
                                json_object *t = json_object_new_object();
                                json_object_object_add(
                                        t, colon + 1,
                                        json_object_new_string(digest_hex(
                                                rec->layers[rec->n_layers - 1].diff_id)));
                                json_object_object_add(repos, repo, t);
                        }
                }
                json_object_object_add(e, "RepoTags", tags);
                for (size_t l = 0; l < rec->n_layers; l++) {
                        _cleanup_free_ char *p = NULL;
                        r = export_layer(cs, &rec->layers[l], dfd, err);
                        if (r < 0)
                                return r;
                        if (asprintf(&p, "%s/layer.tar", digest_hex(rec->layers[l].diff_id)) < 0)
                                return berth_error(err, ENOMEM, "save");
                        json_object_array_add(layers, json_object_new_string(p));
                }
                json_object_object_add(e, "Layers", layers);
        }
        const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        r = fs_write_file_atomic_at(dfd, "manifest.json", s, strlen(s), 0644);
        if (r >= 0) {
                s = json_object_to_json_string_ext(repos, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
                r = fs_write_file_atomic_at(dfd, "repositories", s, strlen(s), 0644);
        }
        if (r < 0)
                return berth_error(err, r, "write `%s/manifest.json`", dir);
        return 0;
}
