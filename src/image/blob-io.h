/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Moving blobs between the content store and files: ingest with verification, export by
 * hardlink (same file system) or copy. */
#pragma once

#include <stdint.h>

#include "basic/error.h"
#include "content/content-store.h"

/* Streams fd into the store. expected may be NULL (then the digest is computed), size < 0
 * when unknown. ret_digest may be NULL. */
int blob_ingest_fd(ContentStore *cs, int fd, const char *expected, int64_t size,
                   char ret_digest[DIGEST_STRING_MAX], BerthError **err);
/* Writes blob digest as dirfd/name (which must not exist). */
int blob_export(ContentStore *cs, const char *digest, int dirfd, const char *name,
                BerthError **err);
/* Creates a directory for temporary work under <root>/tmp; returns its path. */
int blob_mkdtemp(ContentStore *cs, const char *prefix, char **ret, BerthError **err);
