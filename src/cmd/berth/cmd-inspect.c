/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth inspect [--type container|image] [-f TEMPLATE] NAME...: a container's document as the
 * engine builds it (Docker's container inspect), or an image's stored record with its manifest
 * and config; a name that is both is the container, as in docker. A JSON array, or the
 * template rendered once per object. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/format-template.h"
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

/* The image's object; -ENOENT when there is no such image. */
static int image_object(BerthContext *ctx, const char *ref, json_object **ret, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        json_object *o, *tags, *layers, *m, *cfg;
        int r;

        if (!ctx->md) {
                r = berth_context_open(ctx, err);
                if (r < 0)
                        return r;
        }
        r = image_store_resolve(ctx->md, ref, &rec, err);
        if (r < 0)
                return r;
        m = parse_blob(ctx, rec->manifest_digest, err);
        cfg = m ? parse_blob(ctx, rec->id, err) : NULL;
        if (!m || !cfg) {
                json_object_put(m);
                return -EIO;
        }
        o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(rec->id));
        tags = json_object_new_array();
        STRV_FOREACH(t, rec->tags)
                json_object_array_add(tags, json_object_new_string(*t));
        json_object_object_add(o, "RepoTags", tags);
        json_object_object_add(o, "ManifestDigest", json_object_new_string(rec->manifest_digest));
        json_object_object_add(o, "ManifestMediaType",
                               json_object_new_string(rec->manifest_media_type));
        if (rec->index_digest)
                json_object_object_add(o, "IndexDigest", json_object_new_string(rec->index_digest));
        json_object_object_add(o, "Os", json_object_new_string(rec->os ?: ""));
        json_object_object_add(o, "Architecture", json_object_new_string(rec->architecture ?: ""));
        if (rec->variant)
                json_object_object_add(o, "Variant", json_object_new_string(rec->variant));
        json_object_object_add(o, "Created", json_object_new_string(rec->created ?: ""));
        json_object_object_add(o, "Size", json_object_new_int64(rec->size));
        layers = json_object_new_array();
        for (size_t l = 0; l < rec->n_layers; l++) {
                json_object *lo = json_object_new_object();
                json_object_object_add(lo, "Digest", json_object_new_string(rec->layers[l].digest));
                json_object_object_add(lo, "MediaType",
                                       json_object_new_string(rec->layers[l].media_type));
                json_object_object_add(lo, "Size", json_object_new_int64(rec->layers[l].size));
                json_object_object_add(lo, "DiffID",
                                       json_object_new_string(rec->layers[l].diff_id));
                json_object_object_add(lo, "ChainID",
                                       json_object_new_string(rec->layers[l].chain_id));
                json_object_array_add(layers, lo);
        }
        json_object_object_add(o, "Layers", layers);
        json_object_object_add(o, "Manifest", m);
        json_object_object_add(o, "Config", cfg);
        *ret = o;
        return 0;
}

/* The container's object; -ENOENT when there is no such container. */
static int container_object(Engine *e, const char *ref, json_object **ret, BerthError **err)
{
        _cleanup_engine_container_ EngineContainer *c = NULL;
        int r = engine_container_lookup(e, ref, &c, err);

        if (r < 0)
                return r;
        return engine_container_inspect(e, c, ret, err);
}

static int inspect_one(BerthContext *ctx, Engine *e, const char *type, const char *ref,
                       json_object **ret, BerthError **err)
{
        int r;

        if (!type || streq(type, "container")) {
                _cleanup_error_ BerthError *one = NULL;
                r = container_object(e, ref, ret, &one);
                if (r != -ENOENT || type) {
                        if (r < 0)
                                *err = TAKE_PTR(one);
                        return r;
                }
        }
        r = image_object(ctx, ref, ret, err);
        if (r == -ENOENT && !type) {
                berth_error_free(err);
                return berth_error_plain(err, ENOENT, "no such object: %s", ref);
        }
        return r;
}

int cmd_inspect(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "type", required_argument, NULL, 't' },
                { "format", required_argument, NULL, 'f' },
                {},
        };
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_(jwalk_putp) json_object *out = NULL;
        _cleanup_engine_ Engine *e = NULL;
        const char *type = NULL, *format = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "f:", options, NULL)) >= 0) {
                switch (c) {
                case 't':
                        if (!streq(optarg, "container") && !streq(optarg, "image"))
                                return berth_error_plain(err, EINVAL, "--type: `%s` is not "
                                                         "container or image", optarg);
                        type = optarg;
                        break;
                case 'f': format = optarg; break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth inspect [--type "
                                                 "container|image] [-f TEMPLATE] NAME...");
                }
        }
        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "usage: berth inspect [--type "
                                         "container|image] [-f TEMPLATE] NAME...");
        if (format && format_template_parse(format, &t, err) < 0)
                return berth_error_prefix(err, "--format");
        if (!type || !streq(type, "image")) {
                r = berth_engine_open(ctx, &e, err);
                if (r < 0)
                        return r;
        }
        out = json_object_new_array();
        for (int i = optind; i < argc; i++) {
                json_object *o = NULL;
                r = inspect_one(ctx, e, type, argv[i], &o, err);
                if (r < 0)
                        return r;
                json_object_array_add(out, o);
        }
        if (!t) {
                printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
                return 0;
        }
        for (size_t i = 0; i < json_object_array_length(out); i++) {
                _cleanup_free_ char *text = NULL;
                r = format_template_render(t, json_object_array_get_idx(out, i), &text, err);
                if (r < 0)
                        return berth_error_prefix(err, "--format");
                printf("%s\n", text ? text : "");
        }
        return 0;
}
