/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Applies a layer tar to a directory: regular files, directories, symlinks, hardlinks, device
 * nodes and fifos with ownership, modes, mtimes and xattrs; whiteouts either converted to
 * overlayfs form (for a snapshot that is one overlay lower dir) or applied by removal (for a
 * flattened copy). Every path stays inside the directory (see confine.h).
 */
#pragma once

#include <stdint.h>

#include "basic/error.h"
#include "content/digest.h"

typedef enum UnpackFlags {
        /* .wh.x -> char device 0:0, .wh..wh..opq -> trusted.overlay.opaque=y */
        UNPACK_OVERLAY_WHITEOUTS = 1 << 0,
        /* keep the tar's owners (else the files belong to the caller) */
        UNPACK_CHOWN = 1 << 1,
        /* skip device nodes and xattrs: for unpacking archives of blobs, not layers */
        UNPACK_PLAIN_FILES = 1 << 2,
        /* .wh. names are files like any other: for copies (berth cp), not layers */
        UNPACK_NO_WHITEOUTS = 1 << 3,
} UnpackFlags;

typedef struct UnpackStats {
        uint64_t entries;
        uint64_t bytes; /* uncompressed tar bytes */
        char diff_id[DIGEST_STRING_MAX];
} UnpackStats;

/* Reads the (compressed or not) tar from fd and applies it below rootfd. name is for errors. */
int unpack_layer(int fd, const char *name, int rootfd, UnpackFlags flags, UnpackStats *ret_stats,
                 BerthError **err);
