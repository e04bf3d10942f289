/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "passwd.h"
#include "string-util.h"

int passwd_lookup_uid(const char *path, uid_t uid, char **ret_name, char **ret_home)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t n = 0;

        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0) {
                char *fields[7] = {}, *p = line;
                int i = 0;
                uint64_t u;

                line[strcspn(line, "\n")] = 0;
                for (char *t; i < 7 && (t = strsep(&p, ":")); i++)
                        fields[i] = t;
                if (i < 6 || safe_atou64(fields[2], &u) < 0 || u != uid)
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
