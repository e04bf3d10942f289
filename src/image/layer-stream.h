/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A layer blob as a stream of uncompressed tar bytes: gzip (ISA-L igzip, several times faster
 * than zlib), zstd or plain, told apart by their magic bytes rather than the media type, which
 * registries get wrong. The uncompressed bytes are hashed on the way: that is the diff ID.
 */
#pragma once

#include <sys/types.h>

#include "basic/error.h"
#include "content/digest.h"

typedef enum LayerCompression {
        LAYER_PLAIN,
        LAYER_GZIP,
        LAYER_ZSTD,
} LayerCompression;

typedef struct LayerStream LayerStream;

/* Takes no ownership of fd. name is used in error messages (a digest or a file). */
int layer_stream_open(int fd, const char *name, LayerStream **ret, BerthError **err);
/* Up to n bytes; 0 at the end. */
ssize_t layer_stream_read(LayerStream *s, void *buf, size_t n, BerthError **err);
/* Reads and hashes whatever is left (tar padding after the end-of-archive blocks). */
int layer_stream_drain(LayerStream *s, BerthError **err);
LayerCompression layer_stream_compression(const LayerStream *s);
/* The diff ID: sha256 of all uncompressed bytes; only complete after the stream is drained. */
void layer_stream_diff_id(LayerStream *s, char out[DIGEST_STRING_MAX]);
void layer_stream_free(LayerStream *s);
static inline void layer_stream_freep(LayerStream **s)
{
        layer_stream_free(*s);
}
#define _cleanup_layer_stream_ __attribute__((cleanup(layer_stream_freep)))
