/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image records in the store: images, their layers and the tags naming them. */
#pragma once

#include <stdint.h>

#include "basic/error.h"
#include "store/store.h"

/* The image tables (images, tags, layers, blob_sources, compressed_blobs), for store_open(). */
extern const StoreModule image_store_module;

typedef struct ImageLayer {
        char *digest;
        char *media_type;
        int64_t size;
        char *diff_id;
        char *chain_id;
} ImageLayer;

typedef struct ImageRecord {
        char *id; /* config digest */
        char *manifest_digest;
        char *manifest_media_type;
        int64_t manifest_size;
        char *index_digest;
        char *os, *architecture, *variant;
        char *created;
        int64_t size; /* config + compressed layers */
        int64_t stored_at;
        char **tags;
        ImageLayer *layers;
        size_t n_layers;
} ImageRecord;

void image_record_free(ImageRecord *r);
static inline void image_record_freep(ImageRecord **r)
{
        image_record_free(*r);
}
#define _cleanup_image_record_ __attribute__((cleanup(image_record_freep)))
void image_record_list_free(ImageRecord **l);
static inline void image_record_list_freep(ImageRecord ***l)
{
        image_record_list_free(*l);
}
#define _cleanup_image_record_list_ __attribute__((cleanup(image_record_list_freep)))

/* Inserts or replaces the image and its layers, and points each of tags at it; one
 * transaction. */
int image_store_add(Store *m, const ImageRecord *rec, char *const *tags, BerthError **err);
int image_store_tag(Store *m, const char *name, const char *image_id, BerthError **err);
/* Returns 1 when the tag existed. */
int image_store_untag(Store *m, const char *name, BerthError **err);
int image_store_remove(Store *m, const char *image_id, BerthError **err);
/* By normalised tag name, by "name@digest" (manifest digest), by full id, or by a unique id
 * prefix of at least 4 hex digits. -ENOENT with an error naming what when there is none. */
int image_store_resolve(Store *m, const char *what, ImageRecord **ret, BerthError **err);
int image_store_get(Store *m, const char *id, ImageRecord **ret, BerthError **err);
int image_store_list(Store *m, ImageRecord ***ret, BerthError **err);

/* Remembers that registry/repository has the blob (after a pull or push). */
int image_store_add_blob_source(Store *m, const char *digest, const char *registry,
                                const char *repository, BerthError **err);
/* A repository of registry other than exclude known to hold digest; NULL when none. */
char *image_store_find_blob_source(Store *m, const char *digest, const char *registry,
                                   const char *exclude);
