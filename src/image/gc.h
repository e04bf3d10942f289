/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Garbage collection: blobs and snapshots that no image (and no mount) references go. The
 * caller holds the store lock exclusively (store_lock), so a concurrent pull, which holds
 * it shared from its first blob to its image record, never loses what it just wrote.
 */
#pragma once

#include <stdint.h>

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"

typedef struct GcStats {
        uint64_t blobs_removed;
        uint64_t snapshots_removed;
        uint64_t bytes_freed;
} GcStats;

int image_gc(Store *md, ContentStore *cs, GcStats *ret, BerthError **err);
/* 1 when a mount uses the image. */
int image_in_use(Store *md, const char *image_id);
