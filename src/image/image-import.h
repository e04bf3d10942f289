/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An image from a root file system tarball (plain, gzip or zstd), like `docker import`. */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "image/image-store.h"
#include "snapshot/snapshot.h"

/* name: normalised tag or NULL. cmd: the image's Cmd, NULL for none. */
int image_import_tarball(ContentStore *cs, Store *md, Snapshotter *sn, const char *path,
                         const char *name, char *const *cmd, ImageRecord **ret, BerthError **err);
