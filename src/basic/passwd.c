/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/passwd.h"
#include "basic/string-util.h"

int passwd_lookup_uid(const char *path, uid_t uid, char **ret_name, char **ret_home)
{
        _cleanup_free_ char *data = NULL;
        char *save = NULL;

        /* The container's own file, so outside input: a link to /dev/zero or a FIFO there must
         * neither eat the memory nor hang the init. */
        int r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_PASSWD, &data, NULL, NULL);
        if (r < 0)
                return r;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fields[7] = {}, *p = line;
                int i = 0;
                uint64_t u;

                for (char *t; i < 7 && (t = strsep(&p, ":")); i++)
                        fields[i] = t;
                if (i < 6 || string_safe_atou64(fields[2], &u) < 0 || u != uid)
                        continue;
                if (ret_name && !(*ret_name = strdup(fields[0])))
                        return -ENOMEM;
                if (ret_home && !(*ret_home = strdup(fields[5]))) {
                        if (ret_name) {
                                free(*ret_name);
                                *ret_name = NULL;
                        }
                        return -ENOMEM;
                }
                return 0;
        }
        return -ENOENT;
}
