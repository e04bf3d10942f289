/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/passwd read directly: the container's own file, and no NSS in a static binary. */
#pragma once

#include <sys/types.h>

/* Finds uid in the passwd file at path; returns -ENOENT when absent. Either out may be NULL. */
int passwd_lookup_uid(const char *path, uid_t uid, char **ret_name, char **ret_home);
