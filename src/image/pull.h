/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pull: manifest (an index resolved to the wanted platform), config, then the layers in
 * parallel, each verified as it streams into the store and, with overlay snapshots, unpacked
 * as soon as it is complete. The image is recorded only when everything is in place; a pull
 * that dies half way leaves verified blobs and resumable partial downloads, nothing else.
 */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "image/image-store.h"
#include "image/manifest.h"
#include "image/progress.h"
#include "image/registry.h"
#include "snapshot/snapshot.h"

typedef struct PullOptions {
        RegistryOptions registry;
        const Platform *platform; /* NULL: the host's */
        ProgressSink progress; /* events of the layers; zeroed: none */
        int parallel; /* concurrent layer downloads; 0: 4 */
} PullOptions;

int image_pull(ContentStore *cs, Store *md, Snapshotter *sn, const char *reference,
               const PullOptions *opts, ImageRecord **ret, BerthError **err);
