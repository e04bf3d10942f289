/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths from an image resolved inside a root directory, never outside it: openat2() with
 * RESOLVE_IN_ROOT, so "..", absolute symlinks and symlinks pointing up all stay in the root;
 * where openat2 is missing, a walk with O_NOFOLLOW that refuses every symlink on the way.
 * The one resolver: chase.c resolves through it too.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Normalises an archive path in place: leading '/', "." and empty components dropped, ".."
 * removed together with the component before it and clamped at the root. "" is the root. */
void confine_clean_path(char *p);

typedef enum ConfineFlags {
        CONFINE_NO_XDEV = 1 << 0, /* refuse to cross a mount point (RESOLVE_NO_XDEV) */
} ConfineFlags;

/* Opens path below rootfd. flags as for openat(); O_CLOEXEC is added. */
int confine_openat(int rootfd, const char *path, int flags, mode_t mode, ConfineFlags cflags);
/* confine_openat() with CONFINE_NO_XDEV, for a path from an image (already cleaned). */
int confine_open(int rootfd, const char *path, int flags, mode_t mode);
/* Opens the directory that holds path, creating missing directories (mode 0755) on the way
 * when create is set; *ret_name points into path at the last component. */
int confine_open_parent(int rootfd, const char *path, bool create, const char **ret_name);
