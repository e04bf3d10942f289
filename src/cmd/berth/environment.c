/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment variables of berth, turned into the image library's options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/environment.h"

int berth_environment_load(BerthEnvironment *e)
{
        const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
        const char *v;
        size_t n = 0;
        int r = 0;

        *e = (BerthEnvironment){
                .root = getenv("BERTH_ROOT") ?: "/var/lib/berth",
                .builtin_layout = getenv("BERTH_BUSYBOX_OCI"),
                .snapshotter = getenv("BERTH_SNAPSHOTTER"),
        };
        v = getenv("BERTH_OVERLAY_CLASSIC");
        e->overlay_classic = v && streq(v, "1");

        v = getenv("BERTH_AUTH_FILE");
        if (v)
                r = (e->authfile = strdup(v)) ? 0 : -1;
        else if (xdg)
                r = asprintf(&e->authfile, "%s/berth/auth.json", xdg);
        else
                r = asprintf(&e->authfile, "%s/.config/berth/auth.json", home ?: "/root");
        if (r < 0)
                return -ENOMEM;

        v = getenv("DOCKER_CONFIG");
        if (v)
                r = asprintf(&e->docker_config, "%s/config.json", v);
        else
                r = asprintf(&e->docker_config, "%s/.docker/config.json", home ?: "/root");
        if (r < 0)
                return -ENOMEM;

        v = getenv("BERTH_REGISTRIES_CONF");
        if (v)
                e->registries_conf[n++] = v;
        else {
                if (xdg && *xdg)
                        r = asprintf(&e->registries_conf_user, "%s/berth/registries.json", xdg);
                else if (home)
                        r = asprintf(&e->registries_conf_user, "%s/.config/berth/registries.json",
                                     home);
                if (r < 0)
                        return -ENOMEM;
                if (e->registries_conf_user)
                        e->registries_conf[n++] = e->registries_conf_user;
                e->registries_conf[n++] = "/etc/berth/registries.json";
        }
        return 0;
}

void berth_environment_done(BerthEnvironment *e)
{
        free(e->authfile);
        free(e->docker_config);
        free(e->registries_conf_user);
        *e = (BerthEnvironment){};
}
