/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "image/registry-config.h"

static json_object *load_config(void)
{
        const char *env = getenv("BERTH_REGISTRIES_CONF"), *xdg = getenv("XDG_CONFIG_HOME"),
                   *home = getenv("HOME");
        char user[4096] = "";
        const char *paths[3];
        size_t n = 0;

        if (env)
                paths[n++] = env;
        else {
                if (xdg && *xdg)
                        snprintf(user, sizeof(user), "%s/berth/registries.json", xdg);
                else if (home)
                        snprintf(user, sizeof(user), "%s/.config/berth/registries.json", home);
                if (*user)
                        paths[n++] = user;
                paths[n++] = "/etc/berth/registries.json";
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *data = NULL;
                if (fs_read_full_file_limited(AT_FDCWD, paths[i], READ_LIMIT_JSON, &data, NULL,
                                           NULL) < 0)
                        continue;
                /* the first file that exists wins, even if it is not valid JSON */
                return json_tokener_parse(data);
        }
        return NULL;
}

int registry_config_tls_verify(const char *host)
{
        json_object *root = load_config(), *regs, *entry, *v;
        int r = -1;

        if (root && json_object_object_get_ex(root, "registries", &regs) &&
            json_object_object_get_ex(regs, host, &entry) &&
            json_object_object_get_ex(entry, "tls-verify", &v) &&
            json_object_is_type(v, json_type_boolean))
                r = json_object_get_boolean(v) ? 1 : 0;
        json_object_put(root);
        return r;
}
