/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store as every front end opens it: the store with the image and snapshot tables, the
 * content store, the snapshotter and the built-in image. */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

typedef struct ImageHandleOptions {
        const char *root;           /* the store's directory */
        const SnapshotterOptions *snapshotter; /* NULL: the defaults */
        const char *builtin_layout; /* as for builtin_image_layout(); NULL: the default */
} ImageHandleOptions;

/*
 * Opens whichever of *md, *cs and *sn is still NULL under opts->root. Opening the snapshotter
 * also loads the built-in image into a store that never had it; a failure there (a full disk)
 * does not fail the call but is returned in *ret_warning, so the caller's own job goes on.
 */
int image_handle_open(const ImageHandleOptions *opts, Store **md, ContentStore **cs,
                      Snapshotter **sn, BerthError **ret_warning, BerthError **err);
