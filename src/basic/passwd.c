/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/passwd.h"
#include "basic/string-util.h"

int passwd_for_each_entry(char *data, size_t n_fields,
                          int (*cb)(char **fields, void *userdata), void *userdata)
{
        char *save = NULL;

        if (n_fields == 0 || n_fields > PASSWD_FIELDS_MAX)
                return -EINVAL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fields[PASSWD_FIELDS_MAX] = {}, *p = line;
                size_t i = 0;
                int r;

                if (line[0] == '#')
                        continue;
                for (char *t; i < n_fields && (t = strsep(&p, ":")); i++)
                        fields[i] = t;
                if (i < n_fields)
                        continue;
                r = cb(fields, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

typedef struct UidLookup {
        uid_t uid;
        char **ret_name, **ret_home;
} UidLookup;

static int match_uid(char **fields, void *userdata)
{
        UidLookup *l = userdata;
        uint64_t u;

        if (string_safe_atou64(fields[2], &u) < 0 || u != l->uid)
                return 0;
        if (l->ret_name && !(*l->ret_name = strdup(fields[0])))
                return -ENOMEM;
        if (l->ret_home && !(*l->ret_home = strdup(fields[5]))) {
                if (l->ret_name) {
                        free(*l->ret_name);
                        *l->ret_name = NULL;
                }
                return -ENOMEM;
        }
        return 1;
}

int passwd_lookup_uid(const char *path, uid_t uid, char **ret_name, char **ret_home)
{
        _cleanup_free_ char *data = NULL;
        UidLookup l = { uid, ret_name, ret_home };

        /* The container's own file, so outside input: a link to /dev/zero or a FIFO there must
         * neither eat the memory nor hang the init. */
        int r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_PASSWD, &data, NULL, NULL);
        if (r < 0)
                return r;
        /* passwd has seven fields; the seventh (the shell) may be missing. */
        r = passwd_for_each_entry(data, 6, match_uid, &l);
        return r < 0 ? r : r == 0 ? -ENOENT : 0;
}
