/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* -e and --env-file, as run, create and exec take them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/env-flags.h"

#define ENV_FILE_MAX (1U << 20)

int env_flags_add(char ***env, const char *s)
{
        const char *v;

        if (strchr(s, '='))
                return strv_extend(env, s);
        if (!(v = getenv(s)))
                return 0;
        _cleanup_free_ char *kv = NULL;
        if (asprintf(&kv, "%s=%s", s, v) < 0)
                return -ENOMEM;
        return strv_extend(env, kv);
}

int env_flags_add_file(char ***env, const char *path, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        r = fs_read_full_file_limited(AT_FDCWD, path, ENV_FILE_MAX, &data, &len, err);
        if (r < 0)
                return berth_error_prefix(err, "--env-file");
        if (memchr(data, 0, len))
                return berth_error_plain(err, EINVAL, "--env-file `%s`: not a text file", path);
        for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
                line = string_strip(line);
                if (!*line || *line == '#')
                        continue;
                if (line[0] == '=')
                        return berth_error_plain(err, EINVAL, "--env-file `%s`: `%s`: no "
                                                 "variable name", path, line);
                if (env_flags_add(env, line) < 0)
                        return berth_error(err, ENOMEM, "--env-file");
        }
        return 0;
}
