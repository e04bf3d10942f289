/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resolving paths that come from a config or an image inside a root directory, so that no
 * symlink, "..", or absolute link leads out of it (openat2 RESOLVE_IN_ROOT).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

typedef enum ChaseMkdir {
        CHASE_NO_CREATE,   /* the path must exist */
        CHASE_MKDIR,       /* create missing components as directories */
        CHASE_MKDIR_FILE,  /* create missing parents as directories and the last as a file */
} ChaseMkdir;

/*
 * Opens path (absolute or relative, taken as relative to rootfd) inside rootfd with
 * O_PATH|O_CLOEXEC|extra_flags, creating what is missing as asked. Returns the fd or -errno.
 */
int chase_in_root(int rootfd, const char *path, ChaseMkdir mk, mode_t mode, int extra_flags);
