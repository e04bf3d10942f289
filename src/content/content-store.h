/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The content-addressed blob store: <root>/blobs/sha256/<hex>. A blob is written under
 * <root>/ingest/ while it is hashed, verified against its expected digest and size, fsynced
 * and renamed, so a digest name never holds half a blob. An ingest named after its expected
 * digest survives a crash and is resumed by the next writer (the registry client continues
 * with a Range request).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "basic/error.h"
#include "content/digest.h"

typedef struct ContentStore ContentStore;
typedef struct ContentWriter ContentWriter;

/* Creates root/blobs/sha256 and root/ingest when missing. */
int content_store_open(const char *root, ContentStore **ret, BerthError **err);
void content_store_free(ContentStore *s);
static inline void content_store_freep(ContentStore **s)
{
        content_store_free(*s);
}
#define _cleanup_content_store_ __attribute__((cleanup(content_store_freep)))

const char *content_store_root(const ContentStore *s);
/* Returns 1 and the size when the blob exists, 0 when not, -errno on failure. */
int content_store_has(ContentStore *s, const char *digest, uint64_t *ret_size);
int content_store_blob_path(ContentStore *s, const char *digest, char **ret);
int content_store_open_blob(ContentStore *s, const char *digest, int *ret_fd, BerthError **err);
/* Reads a whole (small) blob and checks it against its digest. */
int content_store_read_blob(ContentStore *s, const char *digest, char **ret, size_t *ret_size,
                            BerthError **err);
/* Stores a buffer; expected may be NULL. ret_digest may be NULL. */
int content_store_put(ContentStore *s, const void *data, size_t len, const char *expected,
                      char **ret_digest, BerthError **err);
int content_store_delete(ContentStore *s, const char *digest);
/* All stored digests, a NULL-terminated vector. */
int content_store_list(ContentStore *s, char ***ret);
/* Bytes used by blobs and by unfinished ingests. */
int content_store_usage(ContentStore *s, uint64_t *ret_blobs, uint64_t *ret_ingest);
/* Removes ingests nobody holds a lock on (left by killed writers). */
int content_store_clean_ingest(ContentStore *s);

/*
 * expected_digest NULL: a temporary ingest, hashed and named at commit. With a digest the
 * ingest is named after it, locked against concurrent writers, and when resume is true what an
 * earlier writer left there is rehashed and kept: content_writer_offset() tells where to go on.
 * expected_size < 0: unknown.
 */
int content_writer_open(ContentStore *s, const char *expected_digest, int64_t expected_size,
                        bool resume, ContentWriter **ret, BerthError **err);
uint64_t content_writer_offset(const ContentWriter *w);
/* Drops what was written so far (a server that ignored our Range request). */
int content_writer_restart(ContentWriter *w, BerthError **err);
int content_writer_write(ContentWriter *w, const void *data, size_t len, BerthError **err);
/* Verifies, fsyncs and renames into place. An already present blob counts as success. */
int content_writer_commit(ContentWriter *w, char ret_digest[DIGEST_STRING_MAX], BerthError **err);
/* Frees; an uncommitted ingest named after a digest is kept for resuming unless it was found
 * corrupt, a temporary one is removed. */
void content_writer_free(ContentWriter *w);
/* Removes the partial ingest even when it could be resumed. */
void content_writer_discard(ContentWriter *w);
static inline void content_writer_freep(ContentWriter **w)
{
        content_writer_free(*w);
}
#define _cleanup_content_writer_ __attribute__((cleanup(content_writer_freep)))
