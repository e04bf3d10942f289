/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * From stored blobs to a usable image: image_commit() reads the manifest and config from the
 * content store and records the image (layers, diff IDs, chain IDs, tags) in the metadata
 * database; image_unpack() makes sure the snapshots a mount needs exist, unpacking each missing
 * layer once (in parallel for overlay snapshots, where layers do not depend on each other; for
 * copy snapshots only the top one, the whole tree) and checking its diff ID.
 */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "image/image-store.h"
#include "snapshot/snapshot.h"

typedef void (*UnpackProgress)(void *userdata, size_t layer, size_t n_layers, const char *digest,
                               bool done);

/* Builds the record of the image whose manifest is stored under manifest_digest. index_digest
 * may be NULL. */
int image_record_from_store(ContentStore *cs, const char *manifest_digest,
                            const char *index_digest, ImageRecord **ret, BerthError **err);
/* Unpacks layer i alone (overlay snapshots only: copy snapshots need their parent first);
 * a pull calls it as soon as the layer is downloaded. */
int image_unpack_layer(ContentStore *cs, Snapshotter *sn, const ImageRecord *rec, size_t i,
                       BerthError **err);
int image_unpack(ContentStore *cs, Snapshotter *sn, const ImageRecord *rec,
                 UnpackProgress progress, void *userdata, BerthError **err);
/* Makes the copy snapshot of layer k-1 (copy_sn is of the copy kind) in one go: the highest
 * copy snapshot below it copied, if there is one, and the layers above unpacked one after the
 * other into it, without the copy snapshots between. image_unpack() of a copy snapshotter
 * makes the top snapshot so; for overlay it is the bottom lower dir of an image of more
 * layers than overlayfs stacks (see snapshot_mount_flat()). */
int image_unpack_flat(ContentStore *cs, Snapshotter *copy_sn, const ImageRecord *rec, size_t k,
                      BerthError **err);
/* The whole last step of a pull or load: record from store, unpack, store with tags. */
int image_commit(ContentStore *cs, Store *md, Snapshotter *sn, const char *manifest_digest,
                 const char *index_digest, char *const *tags, ImageRecord **ret,
                 BerthError **err);
/* image_commit() for loads (archives and layouts): when an image with the same config is
 * stored already, only tags are pointed at it; its manifest and its other tags stay. Loading
 * never changes another image. */
int image_commit_load(ContentStore *cs, Store *md, Snapshotter *sn,
                      const char *manifest_digest, const char *index_digest, char *const *tags,
                      ImageRecord **ret, BerthError **err);
