/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `-u USER[:GROUP]` and `--group-add` resolved in the image's own /etc/passwd and /etc/group,
 * as Docker does: a name must exist, a number need not (it runs with gid 0 then); the user's
 * supplementary groups are the groups that list it; HOME comes from passwd ("/" otherwise).
 * Both files are read inside the rootfs (links cannot lead out of it), regular files only and
 * size-limited: the image is outside input.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "basic/error.h"

typedef struct ExecUser {
        uid_t uid;
        gid_t gid;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char *home;
} ExecUser;

/* user NULL or "" is root. */
int engine_user_resolve(int rootfd, const char *user, char *const *group_add, ExecUser *ret,
                        BerthError **err);
void engine_user_done(ExecUser *u);
