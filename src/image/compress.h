/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compressing uncompressed layer blobs for a push (docker and podman push gzip, or zstd when
 * asked): the result goes into the content store, and the pair is remembered in the metadata
 * database so the next push of the same layer reuses it while the blob is there.
 */
#pragma once

#include <stdint.h>

#include "basic/error.h"
#include "content/content-store.h"
#include "content/digest.h"
#include "store/store.h"

typedef enum Compression {
        COMPRESSION_GZIP,
        COMPRESSION_ZSTD,
        _COMPRESSION_MAX,
} Compression;

const char *compress_to_string(Compression c);
int compress_from_string(const char *s, Compression *ret);

/* The compressed form of blob digest (which is read back and checked against its digest on
 * the way): from the remembered pair when its blob is still stored, else made now. */
int compress_blob(ContentStore *cs, Store *md, const char *digest, Compression c,
                    char ret_digest[DIGEST_STRING_MAX], int64_t *ret_size, BerthError **err);
