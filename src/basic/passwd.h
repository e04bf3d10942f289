/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/passwd read directly: the container's own file, and no NSS in a static binary. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define PASSWD_FIELDS_MAX 7

/* Calls cb with the first n_fields colon-separated fields of each line of data (an /etc/passwd
 * or /etc/group; data is changed), skipping comments and short lines; stops at the first
 * non-zero return of cb and returns it, 0 when every line was seen. */
int passwd_for_each_entry(char *data, size_t n_fields,
                          int (*cb)(char **fields, void *userdata), void *userdata);

/* Finds uid in the passwd file at path; returns -ENOENT when absent. Either out may be NULL. */
int passwd_lookup_uid(const char *path, uid_t uid, char **ret_name, char **ret_home);
