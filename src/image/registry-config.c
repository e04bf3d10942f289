/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-registry settings from the first registries.json that exists (see the header). */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "image/registry-config.h"

static json_object *load_config(const char *const *paths)
{
        for (size_t i = 0; paths && paths[i]; i++) {
                _cleanup_free_ char *data = NULL;
                if (fs_read_full_file_limited(AT_FDCWD, paths[i], READ_LIMIT_JSON, &data, NULL,
                                           NULL) < 0)
                        continue;
                /* the first file that exists wins, even if it is not valid JSON */
                return json_tokener_parse(data);
        }
        return NULL;
}

int registry_config_tls_verify(const char *const *paths, const char *host)
{
        json_object *root = load_config(paths), *regs, *entry, *v;
        int r = -1;

        /* Read leniently: a file or entry of the wrong shape says nothing. */
        if (root && (regs = jwalk_member(root, "registries")) &&
            (entry = jwalk_member(regs, host)) && (v = jwalk_member(entry, "tls-verify")) &&
            json_object_is_type(v, json_type_boolean))
                r = json_object_get_boolean(v) ? 1 : 0;
        json_object_put(root);
        return r;
}
