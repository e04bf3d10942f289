/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/parallel.h"
#include "basic/string-util.h"
#include "image/image-unpack.h"
#include "image/pull.h"
#include "image/reference.h"

typedef struct LayerJob {
        Registry *reg;
        const char *repo;
        ContentStore *cs;
        Snapshotter *sn;
        const ImageRecord *rec;
        const ProgressSink *progress;
} LayerJob;

static int fetch_layer(LayerJob *j, size_t i, BerthError **err)
{
        const ImageLayer *l = &j->rec->layers[i];
        ProgressItem lp = { j->progress, i };
        int r;

        if (snapshot_exists(j->sn, l->chain_id) > 0 &&
            content_store_has(j->cs, l->digest, NULL) > 0) {
                progress_state(j->progress, i, "Already exists");
                return 0;
        }
        if (content_store_has(j->cs, l->digest, NULL) > 0)
                progress_state(j->progress, i, "Blob exists");
        else {
                progress_state(j->progress, i, "Downloading");
                r = registry_fetch_blob(j->reg, j->repo, l->digest, l->size, j->cs, progress_item_bytes, &lp,
                                        err);
                if (r < 0)
                        return r;
                progress_state(j->progress, i, "Verified");
        }
        if (snapshotter_stacks_layers(j->sn)) {
                progress_state(j->progress, i, "Unpacking");
                r = image_unpack_layer(j->cs, j->sn, j->rec, i, err);
                if (r < 0)
                        return r;
        }
        progress_state(j->progress, i, "Done");
        return 0;
}

static int fetch_one(void *userdata, size_t i, BerthError **err)
{
        return fetch_layer(userdata, i, err);
}

static int fetch_layers(Registry *reg, const char *repo, ContentStore *cs, Snapshotter *sn,
                        const ImageRecord *rec, const ProgressSink *progress, int parallel,
                        BerthError **err)
{
        LayerJob j = {
                .reg = reg,
                .repo = repo,
                .cs = cs,
                .sn = sn,
                .rec = rec,
                .progress = progress,
        };
        return parallel_for(rec->n_layers, parallel > 0 ? (size_t)parallel : 4, fetch_one, &j,
                            err);
}

/* Fetches a manifest and stores it; by digest the digest is checked by the client. */
static int fetch_manifest(Registry *reg, const char *repo, const char *reference,
                          ContentStore *cs, Manifest **ret_m, char ret_digest[DIGEST_STRING_MAX],
                          BerthError **err)
{
        _cleanup_free_ char *data = NULL, *ct = NULL;
        size_t len = 0;
        int r;

        r = registry_get_manifest(reg, repo, reference, &data, &len, &ct, ret_digest, err);
        if (r < 0)
                return r;
        r = manifest_parse(data, len, ct, ret_m, err);
        if (r < 0)
                return berth_error_prefix(err, "manifest `%s/%s:%s`", reg->host, repo, reference);
        return content_store_put(cs, data, len, ret_digest, NULL, err);
}

int image_pull(ContentStore *cs, Store *md, Snapshotter *sn, const char *reference,
               const PullOptions *opts, ImageRecord **ret, BerthError **err)
{
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_registry_ Registry *reg = NULL;
        _cleanup_manifest_ Manifest *m = NULL;
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_free_ char *name = NULL;
        char mdigest[DIGEST_STRING_MAX], idigest[DIGEST_STRING_MAX] = "";
        const ProgressSink *progress = &opts->progress;
        Platform host = {};
        int r;

        r = reference_parse(reference, &ref, err);
        if (r < 0)
                return r;
        /* what a killed pull left behind (partial blobs stay: they are resumed) */
        (void)snapshot_clean_tmp(sn);
        r = registry_open(reference_api_host(ref), &opts->registry, &reg, err);
        if (r < 0)
                return r;
        r = registry_ping(reg, err);
        if (r < 0)
                return r;
        r = fetch_manifest(reg, ref->repository, ref->digest ?: ref->tag, cs, &m, mdigest, err);
        if (r < 0)
                return r;
        if (m->kind == MANIFEST_INDEX) {
                const Platform *want = opts->platform;
                if (!want) {
                        if (manifest_platform_host(&host) < 0)
                                return berth_error(err, ENOMEM, "platform");
                        want = &host;
                }
                int k = manifest_select_platform(m, want);
                if (k < 0) {
                        r = berth_error_plain(err, ENOENT, "image `%s` has no manifest for %s/%s%s%s",
                                        reference, want->os, want->architecture,
                                        want->variant ? "/" : "", want->variant ?: "");
                        manifest_platform_done(&host);
                        return r;
                }
                manifest_platform_done(&host);
                _cleanup_free_ char *sel = strdup(m->manifests[k].digest);
                if (!sel)
                        return berth_error(err, ENOMEM, "pull");
                memcpy(idigest, mdigest, DIGEST_STRING_MAX);
                manifest_free(m);
                m = NULL;
                r = fetch_manifest(reg, ref->repository, sel, cs, &m, mdigest, err);
                if (r < 0)
                        return r;
                if (m->kind != MANIFEST_IMAGE)
                        return berth_error_plain(err, EPROTONOSUPPORT,
                                           "manifest `%s` of `%s` is an index inside an index", sel,
                                           reference);
        }
        r = registry_fetch_blob(reg, ref->repository, m->config.digest, m->config.size, cs, NULL,
                                NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "config of `%s`", reference);
        r = image_record_from_store(cs, mdigest, *idigest ? idigest : NULL, &rec, err);
        if (r < 0)
                return r;

        progress_start_layers(progress, rec, 0);
        r = fetch_layers(reg, ref->repository, cs, sn, rec, progress, opts->parallel, err);
        progress_finish(progress);
        if (r < 0)
                return berth_error_prefix(err, "pull `%s`", reference);
        /* Copy snapshots (and anything a worker skipped) are unpacked here, bottom up. */
        r = image_unpack(cs, sn, rec, NULL, NULL, err);
        if (r < 0)
                return r;
        if (ref->tag && reference_name(ref, &name) < 0)
                return berth_error(err, ENOMEM, "pull");
        char *tags[2] = { name, NULL };
        r = image_store_add(md, rec, name ? tags : NULL, err);
        if (r < 0)
                return r;
        (void)image_store_add_blob_source(md, rec->id, ref->registry, ref->repository, NULL);
        for (size_t i = 0; i < rec->n_layers; i++)
                (void)image_store_add_blob_source(md, rec->layers[i].digest, ref->registry,
                                                  ref->repository, NULL);
        if (ret)
                *ret = TAKE_PTR(rec);
        return 0;
}
