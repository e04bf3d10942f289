/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plain tar archives of directories, for OCI archives and docker save archives. */
#pragma once

#include "basic/error.h"

/* Writes the tree below dir to out_path (through a temporary name, fsync, rename). */
int archive_tar_create(const char *dir, const char *out_path, BerthError **err);
/* Extracts the (possibly compressed) archive at path into the existing directory dir, regular
 * files, directories and symlinks only, confined to dir. */
int archive_tar_extract(const char *path, const char *dir, BerthError **err);
