/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default image, localhost/busybox:latest, comes with berth as an OCI layout (made at build
 * time from Debian's busybox-static): asking for it when it is not in the store loads it, so
 * `berth run busybox`-style commands need no network.
 */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "content/metadata.h"
#include "image/image-store.h"
#include "snapshot/snapshot.h"

#define BUILTIN_IMAGE_NAME "localhost/busybox:latest"

/* The layout: $BERTH_BUSYBOX_OCI, else the build tree's, else the installed one; NULL if
 * none exists. */
const char *builtin_image_layout(void);

/* image_store_resolve(), loading the built-in image first when what names it and the store
 * does not have it. */
int image_resolve_or_builtin(ContentStore *cs, Metadata *md, Snapshotter *sn, const char *what,
                             ImageRecord **ret, BerthError **err);
