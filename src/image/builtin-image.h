/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default image, localhost/busybox:latest, comes with berth as an OCI layout (made at build
 * time from Debian's busybox-static): the first command on a store loads it (so `images`,
 * `inspect`, `save` and `push` see it from the start), and asking for it by name when it is not
 * in the store (removed since) loads it again, so `berth run busybox`-style commands need no
 * network.
 */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "image/image-store.h"
#include "snapshot/snapshot.h"

#define BUILTIN_IMAGE_NAME "localhost/busybox:latest"
/* In the store root once the built-in image was loaded there: removing it then sticks. */
#define BUILTIN_SEEDED_MARKER "builtin-loaded"

/* The layout: configured (the CLI's $BERTH_BUSYBOX_OCI; "none": no built-in image), else the
 * build tree's, else the installed one; NULL if none exists. configured may be NULL. */
const char *builtin_image_layout(const char *configured);

/* image_store_resolve(), loading the built-in image (builtin_layout as for
 * builtin_image_layout()) first when what names it and the store does not have it. */
int image_resolve_or_builtin(ContentStore *cs, Store *md, Snapshotter *sn,
                             const char *builtin_layout, const char *what, ImageRecord **ret,
                             BerthError **err);

/* Loads the built-in image into a store that never had it; a marker file makes this a single
 * lookup afterwards. Takes the store lock shared. */
int builtin_image_seed(ContentStore *cs, Store *md, Snapshotter *sn, const char *builtin_layout,
                       BerthError **err);
