/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth inspect IMAGE...: the stored record with its manifest and config, as a JSON array. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-store.h"

static json_object *parse_blob(BerthContext *ctx, const char *digest, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t n = 0;

        if (content_store_read_blob(ctx->cs, digest, &data, &n, err) < 0)
                return NULL;
        json_object *o = json_tokener_parse(data);
        if (!o)
                berth_error_plain(err, EINVAL, "blob `%s` is not JSON", digest);
        return o;
}

int cmd_inspect(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        json_object *out;
        int r;

        if (argc < 2)
                return berth_error_plain(err, EINVAL, "usage: berth inspect IMAGE...");
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        out = json_object_new_array();
        for (int i = 1; i < argc; i++) {
                _cleanup_image_record_ ImageRecord *rec = NULL;
                json_object *o, *tags, *layers, *m, *cfg;

                r = image_store_resolve(ctx->md, argv[i], &rec, err);
                if (r < 0)
                        goto fail;
                m = parse_blob(ctx, rec->manifest_digest, err);
                cfg = m ? parse_blob(ctx, rec->id, err) : NULL;
                if (!m || !cfg) {
                        json_object_put(m);
                        r = -EIO;
                        goto fail;
                }
                o = json_object_new_object();
                json_object_object_add(o, "Id", json_object_new_string(rec->id));
                tags = json_object_new_array();
                STRV_FOREACH(t, rec->tags)
                json_object_array_add(tags, json_object_new_string(*t));
                json_object_object_add(o, "RepoTags", tags);
                json_object_object_add(o, "ManifestDigest",
                                       json_object_new_string(rec->manifest_digest));
                json_object_object_add(o, "ManifestMediaType",
                                       json_object_new_string(rec->manifest_media_type));
                if (rec->index_digest)
                        json_object_object_add(o, "IndexDigest",
                                               json_object_new_string(rec->index_digest));
                json_object_object_add(o, "Os", json_object_new_string(rec->os ?: ""));
                json_object_object_add(o, "Architecture",
                                       json_object_new_string(rec->architecture ?: ""));
                if (rec->variant)
                        json_object_object_add(o, "Variant", json_object_new_string(rec->variant));
                json_object_object_add(o, "Created", json_object_new_string(rec->created ?: ""));
                json_object_object_add(o, "Size", json_object_new_int64(rec->size));
                layers = json_object_new_array();
                for (size_t l = 0; l < rec->n_layers; l++) {
                        json_object *lo = json_object_new_object();
                        json_object_object_add(lo, "Digest",
                                               json_object_new_string(rec->layers[l].digest));
                        json_object_object_add(lo, "MediaType",
                                               json_object_new_string(rec->layers[l].media_type));
                        json_object_object_add(lo, "Size",
                                               json_object_new_int64(rec->layers[l].size));
                        json_object_object_add(lo, "DiffID",
                                               json_object_new_string(rec->layers[l].diff_id));
                        json_object_object_add(lo, "ChainID",
                                               json_object_new_string(rec->layers[l].chain_id));
                        json_object_array_add(layers, lo);
                }
                json_object_object_add(o, "Layers", layers);
                json_object_object_add(o, "Manifest", m);
                json_object_object_add(o, "Config", cfg);
                json_object_array_add(out, o);
        }
        printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(out);
        return 0;
fail:
        json_object_put(out);
        return r;
}
