/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Push: every blob the registry lacks (mounted from another repository of the same registry
 * when one is known to have it, else uploaded monolithically or in chunks), then the manifest.
 * Uncompressed layers (from docker archives, imports) are compressed on the way, as docker and
 * podman do, and the manifest pushed names the compressed blobs; an image whose layers are all
 * compressed already goes exactly as stored, so its digest stays the same.
 */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "image/compress.h"
#include "image/progress.h"
#include "image/registry.h"

typedef struct PushOptions {
        RegistryOptions registry;
        ProgressSink progress; /* events of the layers and the config; zeroed: none */
        uint64_t chunk_size; /* 0: monolithic uploads */
        Compression compression; /* for uncompressed layers; gzip by default */
} PushOptions;

/* source: a local image; dest: the reference to push to (NULL: source's own name).
 * ret_digest: the manifest digest pushed. */
int image_push(ContentStore *cs, Store *md, const char *source, const char *dest,
               const PushOptions *opts, char ret_digest[DIGEST_STRING_MAX], BerthError **err);
