/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Removing images and reporting disk use: what `berth rmi`, `image prune`, `system prune` and
 * `system df` do, kept here so that every front end (the CLI, the API server) does the same.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "content/content-store.h"
#include "image/gc.h"
#include "store/store.h"

/* Removes the images no mount uses, the untagged ones or (all) every one, then collects the
 * garbage. The caller holds the store lock exclusively. *ret_deleted (may be NULL): the ids
 * removed, in order. */
int image_prune(Store *md, ContentStore *cs, bool all, char ***ret_deleted, GcStats *ret_stats,
                BerthError **err);

typedef struct ImageRemoval {
        char **untagged; /* names removed */
        char *deleted;   /* the image id, when the image itself went */
} ImageRemoval;
void image_removal_done(ImageRemoval *r);

/*
 * One argument of rmi: a name of an image with other names only loses that name (unless
 * force); otherwise the image goes with all its names, unless a mount uses it. An id of an
 * image with several names needs force. Garbage is not collected (image_gc() after the last).
 * The caller holds the store lock exclusively.
 */
int image_remove(Store *md, const char *what, bool force, ImageRemoval *ret,
                 BerthError **err);

typedef struct ImageDiskUsage {
        size_t images, active; /* active: used by a mount */
        uint64_t images_size, reclaimable;
        size_t snapshots, mounts;
        uint64_t blobs_size, partial_size; /* partial: interrupted downloads */
} ImageDiskUsage;

int image_disk_usage(Store *md, ContentStore *cs, ImageDiskUsage *ret, BerthError **err);
