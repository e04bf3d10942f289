/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/parallel.h"
#include "basic/string-util.h"
#include "image/image-store.h"
#include "image/manifest.h"
#include "image/push.h"
#include "image/reference.h"

static int push_attempt(Registry *reg, Store *md, ContentStore *cs, const Reference *ref,
                        const char *digest, int64_t size, const PushOptions *opts,
                        const ProgressSink *progress, size_t i, ProgressItem *pp,
                        BerthError **err)
{
        _cleanup_free_ char *from = NULL;
        int r;

        r = registry_blob_exists(reg, ref->repository, digest, err);
        if (r < 0)
                return r;
        if (r > 0) {
                progress_state(progress, i, "Layer already exists");
                return 0;
        }
        from = image_store_find_blob_source(md, digest, ref->registry, ref->repository);
        progress_state(progress, i, from ? "Mounting" : "Pushing");
        r = registry_push_blob(reg, ref->repository, cs, digest, size, from, opts->chunk_size,
                               progress_item_bytes, pp, err);
        if (r < 0)
                return r;
        progress_state(progress, i, r > 0 ? "Mounted" : "Pushed");
        (void)image_store_add_blob_source(md, digest, ref->registry, ref->repository, NULL);
        return 0;
}

static int push_one(Registry *reg, Store *md, ContentStore *cs, const Reference *ref,
                    const char *digest, int64_t size, const PushOptions *opts,
                    const ProgressSink *progress, size_t i, BerthError **err)
{
        ProgressItem pp = { progress, i };
        int r = 0;

        /* a failed upload starts over with a new session: registries cannot resume them */
        for (int attempt = 0; attempt < 3; attempt++) {
                BerthError *e = NULL;
                r = push_attempt(reg, md, cs, ref, digest, size, opts, progress, i, &pp, &e);
                if (r >= 0 || attempt == 2 || r == -EACCES || r == -ENOENT) {
                        if (e && err && !*err)
                                *err = TAKE_PTR(e);
                        berth_error_free(&e);
                        return r;
                }
                berth_error_free(&e);
                usleep(200000u << attempt);
        }
        return r;
}

typedef struct PushJob {
        Registry *reg;
        Store *md;
        ContentStore *cs;
        const Reference *ref;
        const ImageRecord *rec;
        const PushOptions *opts;
        const ProgressSink *progress;
        /* per layer, what goes out: the compressed blob where one was made ("" where not) */
        char (*digests)[DIGEST_STRING_MAX];
        int64_t *sizes;
} PushJob;

static bool layer_is_uncompressed(const char *media_type)
{
        return streq(media_type, MT_OCI_LAYER) || streq(media_type, MT_DOCKER_LAYER);
}

static int push_layer(void *userdata, size_t i, BerthError **err)
{
        PushJob *j = userdata;
        const ImageLayer *l = &j->rec->layers[i];
        const char *digest = l->digest;
        int64_t size = l->size;
        int r;

        if (layer_is_uncompressed(l->media_type)) {
                progress_state(j->progress, i, "Compressing");
                r = compress_blob(j->cs, j->md, l->digest, j->opts->compression, j->digests[i],
                                    &j->sizes[i], err);
                if (r < 0)
                        return r;
                digest = j->digests[i];
                size = j->sizes[i];
        }
        return push_one(j->reg, j->md, j->cs, j->ref, digest, size, j->opts, j->progress, i,
                        err);
}

/* The stored manifest with the compressed layers in place of the uncompressed ones. zstd has
 * no Docker media type: a Docker manifest becomes an OCI one then (as podman does), its
 * config and gzip layers renamed to their OCI types, their bytes unchanged. */
static int manifest_for_push(const PushJob *j, const char *mdata, char **ret,
                             size_t *ret_len, char **ret_media_type, BerthError **err)
{
        json_object *root = NULL, *layers, *config, *mt;
        bool oci = !streq(j->rec->manifest_media_type, MT_DOCKER_MANIFEST) ||
                   j->opts->compression == COMPRESSION_ZSTD;
        int r = 0;

        root = json_tokener_parse(mdata);
        if (!root || !(layers = jwalk_member(root, "layers")) ||
            !json_object_is_type(layers, json_type_array) ||
            json_object_array_length(layers) != j->rec->n_layers ||
            !(config = jwalk_member(root, "config")))
                return berth_error_plain(err, EINVAL, "manifest `%s` cannot be rewritten",
                                         j->rec->manifest_digest);
        if (oci) {
                json_object_object_add(root, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
                if ((mt = jwalk_member(config, "mediaType")) &&
                    streq(json_object_get_string(mt), MT_DOCKER_CONFIG))
                        json_object_object_add(config, "mediaType",
                                               json_object_new_string(MT_OCI_CONFIG));
        }
        for (size_t i = 0; i < j->rec->n_layers; i++) {
                json_object *l = json_object_array_get_idx(layers, i);
                const char *type = j->rec->layers[i].media_type;
                const char *nt = NULL;

                if (*j->digests[i]) {
                        nt = j->opts->compression == COMPRESSION_ZSTD ? MT_OCI_LAYER_ZSTD
                             : oci                                    ? MT_OCI_LAYER_GZIP
                                                                      : MT_DOCKER_LAYER_GZIP;
                        json_object_object_add(l, "digest", json_object_new_string(j->digests[i]));
                        json_object_object_add(l, "size", json_object_new_int64(j->sizes[i]));
                } else if (oci && streq(type, MT_DOCKER_LAYER_GZIP))
                        nt = MT_OCI_LAYER_GZIP;
                else if (oci && streq(type, MT_DOCKER_LAYER_FOREIGN))
                        nt = MT_OCI_LAYER_ND_GZIP;
                if (nt)
                        json_object_object_add(l, "mediaType", json_object_new_string(nt));
        }
        const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = strdup(s);
        *ret_media_type = strdup(oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST);
        if (!*ret || !*ret_media_type)
                r = berth_error(err, ENOMEM, "push");
        else
                *ret_len = strlen(*ret);
        json_object_put(root);
        return r;
}

/* Layers in parallel (a few at a time), then the config: a registry may check a manifest's
 * blobs, and the config is what makes the image visible to anyone listing blobs. */
static int push_layers(PushJob *j, BerthError **err)
{
        return parallel_for(j->rec->n_layers, 4, push_layer, j, err);
}


int image_push(ContentStore *cs, Store *md, const char *source, const char *dest,
               const PushOptions *opts, char ret_digest[DIGEST_STRING_MAX], BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_registry_ Registry *reg = NULL;
        _cleanup_free_ char *mdata = NULL, *pushed = NULL, *pushed_type = NULL;
        _cleanup_free_ char (*digests)[DIGEST_STRING_MAX] = NULL;
        _cleanup_free_ int64_t *sizes = NULL;
        char pushed_digest[DIGEST_STRING_MAX];
        const ProgressSink *progress = &opts->progress;
        size_t mlen = 0;
        int r;

        r = image_store_resolve(md, source, &rec, err);
        if (r < 0)
                return r;
        if (!dest) {
                if (strv_length(rec->tags) == 0)
                        return berth_error_plain(err, EINVAL, "image `%s` has no name to push to",
                                           source);
                /* the name given, if it is one of the image's, else its first */
                _cleanup_reference_ Reference *sref = NULL;
                _cleanup_free_ char *sname = NULL;
                dest = rec->tags[0];
                if (reference_parse(source, &sref, NULL) >= 0 && sref->tag &&
                    reference_name(sref, &sname) >= 0 && strv_contains(rec->tags, sname))
                        dest = source;
        }
        r = reference_parse(dest, &ref, err);
        if (r < 0)
                return r;
        r = content_store_read_blob(cs, rec->manifest_digest, &mdata, &mlen, err);
        if (r < 0)
                return r;
        r = registry_open(reference_api_host(ref), &opts->registry, &reg, err);
        if (r < 0)
                return r;
        r = registry_ping(reg, err);
        if (r < 0)
                return r;

        digests = calloc(rec->n_layers + 1, DIGEST_STRING_MAX);
        sizes = calloc(rec->n_layers + 1, sizeof(int64_t));
        if (!digests || !sizes)
                return berth_error(err, ENOMEM, "out of memory");
        progress_start_layers(progress, rec, 1);
        progress_label(progress, rec->n_layers, "config");
        PushJob job = {
                .reg = reg,
                .md = md,
                .cs = cs,
                .ref = ref,
                .rec = rec,
                .opts = opts,
                .progress = progress,
                .digests = digests,
                .sizes = sizes,
        };
        r = push_layers(&job, err);
        if (r >= 0) {
                uint64_t csize = 0;
                (void)content_store_has(cs, rec->id, &csize);
                r = push_one(reg, md, cs, ref, rec->id, (int64_t)csize, opts, progress,
                             rec->n_layers, err);
        }
        progress_finish(progress);
        if (r < 0)
                return berth_error_prefix(err, "push to `%s`", dest);
        for (size_t i = 0; i < rec->n_layers; i++)
                if (*digests[i]) {
                        r = manifest_for_push(&job, mdata, &pushed, &mlen, &pushed_type, err);
                        if (r < 0)
                                return berth_error_prefix(err, "push to `%s`", dest);
                        break;
                }
        if (pushed)
                digest_sha256_buffer(pushed, mlen, pushed_digest);
        else
                snprintf(pushed_digest, sizeof(pushed_digest), "%s", rec->manifest_digest);
        r = registry_put_manifest(reg, ref->repository, ref->tag ?: pushed_digest,
                                  pushed ?: mdata, mlen,
                                  pushed_type ?: rec->manifest_media_type, err);
        if (r < 0)
                return berth_error_prefix(err, "push to `%s`", dest);
        if (ret_digest)
                snprintf(ret_digest, DIGEST_STRING_MAX, "%s", pushed_digest);
        return 0;
}
