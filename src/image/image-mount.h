/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An image's root file system for a container: the library call behind `berth mount`, for
 * the engine. */
#pragma once

#include "basic/error.h"
#include "content/content-store.h"
#include "store/store.h"
#include "snapshot/snapshot.h"

/* Resolves image (the built-in one loaded again from builtin_layout, as for
 * builtin_image_layout(), when it is asked for and missing), unpacks whatever layer snapshots
 * are missing (of sn's kind), and mounts them plus a fresh writable layer at target (an
 * existing directory). ret_image_id may be NULL. Takes the store lock shared for the duration. */
int image_mount(ContentStore *cs, Store *md, Snapshotter *sn, const char *builtin_layout,
                const char *image, const char *target, char **ret_image_id, BerthError **err);
/* Unmounts and drops the writable layer. */
int image_unmount(Snapshotter *sn, const char *target, BerthError **err);
