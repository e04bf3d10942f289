/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Images in and out of files: OCI image layouts (directory or tar) and `docker save` archives,
 * interchangeable with skopeo, podman and docker. Loading verifies every blob against its
 * digest on the way into the store and unpacks the layers; saving writes through a temporary
 * name and renames, so a half-written archive never has the final name.
 */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "image/image-store.h"
#include "image/manifest.h"
#include "snapshot/snapshot.h"

typedef enum ArchiveFormat {
        ARCHIVE_OCI_DIR,
        ARCHIVE_OCI_TAR,
        ARCHIVE_DOCKER_TAR,
        ARCHIVE_DOCKER_DIR,
        _ARCHIVE_FORMAT_MAX,
} ArchiveFormat;

int image_archive_format_from_string(const char *s, ArchiveFormat *ret);

typedef struct LoadOptions {
        /* Repository for OCI entries whose ref.name is only a tag; default localhost/<basename> */
        const char *name_hint;
        const Platform *platform; /* for nested indexes; NULL: the host's */
} LoadOptions;

/* path: a directory or a (possibly compressed) tar. ret_names lists the names (or ids of
 * unnamed images) loaded. */
int image_load(ContentStore *cs, Store *md, Snapshotter *sn, const char *path,
               const LoadOptions *opts, char ***ret_names, BerthError **err);

typedef struct SaveItem {
        const ImageRecord *rec;
        const char *name; /* normalised name to record in the archive, or NULL */
} SaveItem;

int image_save(ContentStore *cs, const SaveItem *items, size_t n, ArchiveFormat format,
               const char *out, BerthError **err);

/* Backends. dirfd is the layout's (extracted) top directory; what names it in errors. */
/* Creates dir (and its parents) for a save and opens it: the fd, or an error. */
int image_archive_mkdir(const char *dir, BerthError **err);

int oci_layout_load(ContentStore *cs, Store *md, Snapshotter *sn, int dirfd, const char *what,
                    const LoadOptions *opts, char ***names, BerthError **err);
int oci_layout_save(ContentStore *cs, const SaveItem *items, size_t n, const char *dir,
                    BerthError **err);
int docker_archive_load(ContentStore *cs, Store *md, Snapshotter *sn, int dirfd,
                        const char *what, char ***names, BerthError **err);
int docker_archive_save(ContentStore *cs, const SaveItem *items, size_t n, const char *dir,
                        BerthError **err);
