/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/parallel.h"
#include "basic/string-util.h"
#include "image/image-unpack.h"
#include "image/manifest.h"
#include "image/unpack.h"

int image_record_from_store(ContentStore *cs, const char *manifest_digest,
                            const char *index_digest, ImageRecord **ret, BerthError **err)
{
        _cleanup_free_ char *mdata = NULL, *cdata = NULL;
        _cleanup_manifest_ Manifest *m = NULL;
        _cleanup_image_config_ ImageConfig *cfg = NULL;
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_strv_free_ char **chains = NULL;
        size_t mlen = 0, clen = 0;
        int r;

        r = content_store_read_blob(cs, manifest_digest, &mdata, &mlen, err);
        if (r < 0)
                return r;
        r = manifest_parse(mdata, mlen, NULL, &m, err);
        if (r < 0)
                return berth_error_prefix(err, "Manifest %s", manifest_digest);
        if (m->kind != MANIFEST_IMAGE)
                return berth_error_plain(err, EINVAL, "Manifest %s is an index, not an image",
                                   manifest_digest);
        r = content_store_read_blob(cs, m->config.digest, &cdata, &clen, err);
        if (r < 0)
                return r;
        r = image_config_parse(cdata, clen, &cfg, err);
        if (r < 0)
                return berth_error_prefix(err, "Config %s", m->config.digest);
        if (cfg->n_diff_ids != m->n_layers)
                return berth_error_plain(err, EINVAL,
                                   "Image %s: the config lists %zu diff_ids for %zu layers",
                                   manifest_digest, cfg->n_diff_ids, m->n_layers);
        if (manifest_chain_ids(cfg->diff_ids, cfg->n_diff_ids, &chains) < 0)
                return berth_error(err, ENOMEM, "chain ids");

        rec = calloc(1, sizeof(*rec));
        if (!rec)
                return berth_error(err, ENOMEM, "image");
        rec->id = strdup(m->config.digest);
        rec->manifest_digest = strdup(manifest_digest);
        rec->manifest_media_type = strdup(m->media_type);
        rec->manifest_size = (int64_t)mlen;
        rec->index_digest = index_digest ? strdup(index_digest) : NULL;
        rec->os = cfg->platform.os ? strdup(cfg->platform.os) : NULL;
        rec->architecture = cfg->platform.architecture ? strdup(cfg->platform.architecture)
                                                       : NULL;
        rec->variant = cfg->platform.variant ? strdup(cfg->platform.variant) : NULL;
        rec->created = cfg->created ? strdup(cfg->created) : NULL;
        rec->size = (int64_t)clen;
        rec->layers = calloc(m->n_layers + 1, sizeof(ImageLayer));
        if (!rec->id || !rec->manifest_digest || !rec->manifest_media_type || !rec->layers)
                return berth_error(err, ENOMEM, "image");
        rec->n_layers = m->n_layers;
        for (size_t i = 0; i < m->n_layers; i++) {
                ImageLayer *l = &rec->layers[i];
                l->digest = strdup(m->layers[i].digest);
                l->media_type = strdup(m->layers[i].media_type);
                l->size = m->layers[i].size;
                l->diff_id = strdup(cfg->diff_ids[i]);
                l->chain_id = strdup(chains[i]);
                if (!l->digest || !l->media_type || !l->diff_id || !l->chain_id)
                        return berth_error(err, ENOMEM, "image");
                rec->size += l->size;
        }
        *ret = TAKE_PTR(rec);
        return 0;
}

/* Applies layer l from its blob onto dest_fd and checks what it unpacked to against the
 * config's diff ID. */
static int apply_layer(ContentStore *cs, const ImageLayer *l, int dest_fd, UnpackFlags flags,
                       BerthError **err)
{
        _cleanup_close_ int fd = -1;
        UnpackStats stats = {};
        int r;

        r = content_store_open_blob(cs, l->digest, &fd, err);
        if (r < 0)
                return r;
        r = unpack_layer(fd, l->digest, dest_fd, flags, &stats, err);
        if (r < 0)
                return r;
        if (!streq(stats.diff_id, l->diff_id))
                return berth_error_plain(err, EUCLEAN,
                                         "layer `%s`: uncompressed content is `%s`, the config says `%s`",
                                         l->digest, stats.diff_id, l->diff_id);
        return 0;
}

/* The copy snapshot of layer k-1 in one go: the highest copy snapshot below it that exists is
 * copied (nothing when none), then the layers above it are unpacked one after the other into
 * the same directory, whiteouts applied as removals. The snapshots between are not made: each
 * would be a whole copy of the tree, which for an image of n layers costs n^2. */
static int unpack_flat(ContentStore *cs, Snapshotter *copy_sn, const ImageRecord *rec, size_t k,
                       UnpackProgress progress, void *userdata, BerthError **err)
{
        _cleanup_snapshot_tx_ SnapshotTx *tx = NULL;
        UnpackFlags flags = geteuid() == 0 ? UNPACK_CHOWN : 0;
        size_t first = 0;
        int r;

        if (snapshotter_stacks_layers(copy_sn) || k == 0 || k > rec->n_layers)
                return berth_error_plain(err, EINVAL, "flatten %zu layers of %zu: out of range", k,
                                         rec->n_layers);
        r = snapshot_exists(copy_sn, rec->layers[k - 1].chain_id);
        if (r != 0)
                return r < 0 ? berth_error(err, r, "Snapshot %s", rec->layers[k - 1].chain_id)
                             : 0;
        for (size_t i = k - 1; i > 0; i--)
                if (snapshot_exists(copy_sn, rec->layers[i - 1].chain_id) > 0) {
                        first = i;
                        break;
                }
        r = snapshot_prepare(copy_sn, rec->layers[k - 1].chain_id,
                             first > 0 ? rec->layers[first - 1].chain_id : NULL, &tx, err);
        if (r < 0)
                return r;
        for (size_t i = first; i < k; i++) {
                const ImageLayer *l = &rec->layers[i];

                if (progress)
                        progress(userdata, i, rec->n_layers, l->digest, false);
                r = apply_layer(cs, l, tx->fd, flags, err);
                if (r < 0)
                        return r;
                if (progress)
                        progress(userdata, i, rec->n_layers, l->digest, true);
        }
        return snapshot_commit(tx, rec->layers[k - 1].diff_id, err);
}

int image_unpack_flat(ContentStore *cs, Snapshotter *copy_sn, const ImageRecord *rec, size_t k,
                      BerthError **err)
{
        return unpack_flat(cs, copy_sn, rec, k, NULL, NULL, err);
}

typedef struct UnpackJob {
        ContentStore *cs;
        Snapshotter *sn;
        const ImageRecord *rec;
        UnpackProgress progress;
        void *userdata;
        pthread_mutex_t lock; /* snapshot commits, one at a time */
} UnpackJob;

static int unpack_one(UnpackJob *j, size_t i, BerthError **err)
{
        const ImageLayer *l = &j->rec->layers[i];
        const char *parent = i > 0 ? j->rec->layers[i - 1].chain_id : NULL;
        _cleanup_snapshot_tx_ SnapshotTx *tx = NULL;
        UnpackFlags flags = geteuid() == 0 ? UNPACK_CHOWN : 0;
        int r;

        r = snapshot_exists(j->sn, l->chain_id);
        if (r > 0)
                return 0;
        if (j->progress)
                j->progress(j->userdata, i, j->rec->n_layers, l->digest, false);
        if (snapshotter_stacks_layers(j->sn)) {
                flags |= UNPACK_OVERLAY_WHITEOUTS;
                parent = NULL; /* stacked snapshots hold one layer each */
        }
        r = snapshot_prepare(j->sn, l->chain_id, parent, &tx, err);
        if (r < 0)
                return r;
        r = apply_layer(j->cs, l, tx->fd, flags, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&j->lock);
        r = snapshot_commit(tx, l->diff_id, err);
        pthread_mutex_unlock(&j->lock);
        if (r < 0)
                return r;
        if (j->progress)
                j->progress(j->userdata, i, j->rec->n_layers, l->digest, true);
        return 0;
}

static int unpack_index(void *userdata, size_t i, BerthError **err)
{
        return unpack_one(userdata, i, err);
}

int image_unpack_layer(ContentStore *cs, Snapshotter *sn, const ImageRecord *rec, size_t i,
                       BerthError **err)
{
        UnpackJob j = {
                .cs = cs,
                .sn = sn,
                .rec = rec,
                .lock = PTHREAD_MUTEX_INITIALIZER,
        };
        if (!snapshotter_stacks_layers(sn) || i >= rec->n_layers)
                return 0;
        return unpack_one(&j, i, err);
}

int image_unpack(ContentStore *cs, Snapshotter *sn, const ImageRecord *rec,
                 UnpackProgress progress, void *userdata, BerthError **err)
{
        UnpackJob j = {
                .cs = cs,
                .sn = sn,
                .rec = rec,
                .progress = progress,
                .userdata = userdata,
                .lock = PTHREAD_MUTEX_INITIALIZER,
        };

        /* Whole-tree snapshots: only the top one is mounted, made from the highest one below. */
        if (!snapshotter_stacks_layers(sn))
                return rec->n_layers == 0 ? 0
                                          : unpack_flat(cs, sn, rec, rec->n_layers, progress,
                                                        userdata, err);
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        return parallel_for(rec->n_layers, MIN((size_t)MAX(cpus, 1L), 8), unpack_index, &j,
                            err);
}

int image_commit(ContentStore *cs, Store *md, Snapshotter *sn, const char *manifest_digest,
                 const char *index_digest, char *const *tags, ImageRecord **ret,
                 BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        int r;

        r = image_record_from_store(cs, manifest_digest, index_digest, &rec, err);
        if (r < 0)
                return r;
        if (sn) {
                r = image_unpack(cs, sn, rec, NULL, NULL, err);
                if (r < 0)
                        return r;
        }
        r = image_store_add(md, rec, tags, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(rec);
        return 0;
}

int image_commit_load(ContentStore *cs, Store *md, Snapshotter *sn,
                      const char *manifest_digest, const char *index_digest, char *const *tags,
                      ImageRecord **ret, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL, *old = NULL;
        int r;

        r = image_record_from_store(cs, manifest_digest, index_digest, &rec, err);
        if (r < 0)
                return r;
        r = image_store_get(md, rec->id, &old, NULL);
        if (r < 0)
                return image_commit(cs, md, sn, manifest_digest, index_digest, tags, ret, err);

        /* The same config is the same image: the archive's names point at the stored one,
         * which keeps its manifest (a pulled image's RepoDigests) and every other name. */
        if (sn) {
                r = image_unpack(cs, sn, old, NULL, NULL, err);
                if (r < 0)
                        return r;
        }
        r = store_begin(md, err);
        if (r < 0)
                return r;
        for (char *const *t = tags; t && *t; t++) {
                r = image_store_tag(md, *t, old->id, err);
                if (r < 0) {
                        store_rollback(md);
                        return r;
                }
        }
        r = store_commit(md, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(old);
        return 0;
}
