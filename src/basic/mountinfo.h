/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/self/mountinfo read entry by entry, its fields split and unescaped. */
#pragma once

#include <stdio.h>

#include "basic/macro.h"

/* One line: id parent major:minor root mount-point options [optional...] - fstype source
 * super-options. The strings point into the iterator's line buffer and live until the next
 * mountinfo_next(); root, mount_point and source have their \040-style escapes undone. */
typedef struct MountInfo {
        int id, parent;
        unsigned major, minor;
        const char *root, *mount_point, *options, *fstype, *source, *super_options;
} MountInfo;

typedef struct MountInfoIter {
        FILE *f;
        char *line;
        size_t size;
} MountInfoIter;

/* Opens path (NULL: /proc/self/mountinfo). Returns 0 or -errno. */
int mountinfo_open(MountInfoIter *it, const char *path);
/* The next entry in *ret: 1, 0 at the end, or -EIO. Lines that do not parse are skipped. */
int mountinfo_next(MountInfoIter *it, MountInfo *ret);
void mountinfo_close(MountInfoIter *it);
#define _cleanup_mountinfo_ _cleanup_(mountinfo_close)

/* Splits line (changed in place) into *ret: 0, or -EBADMSG when it is not a mountinfo line. */
int mountinfo_parse_line(char *line, MountInfo *ret);
/* Undoes mountinfo's octal escapes (\040 for a blank, \011, \012, \134) in place. */
void mountinfo_unescape(char *s);
