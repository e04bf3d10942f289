/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment variables of berth, turned into the image library's options. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/environment.h"

/* name beside this binary: installed together (same directory), or in the build tree
 * (src/cmd/<name>/<name>); else in $PATH. NULL when it is nowhere. */
static char *find_binary(const char *var, const char *name)
{
        const char *v = getenv(var), *path = getenv("PATH");
        char self[PATH_MAX], *p;
        ssize_t n;

        if (v && *v)
                return strdup(v);
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = 0;
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = 0;
                        if (asprintf(&p, "%s/../%s/%s", self, name, name) >= 0) {
                                if (access(p, X_OK) == 0)
                                        return p;
                                free(p);
                        }
                        if (asprintf(&p, "%s/%s", self, name) >= 0) {
                                if (access(p, X_OK) == 0)
                                        return p;
                                free(p);
                        }
                }
        }
        _cleanup_free_ char *copy = strdup(path ?: "/usr/local/bin:/usr/bin:/bin");
        for (char *dir = copy ? strtok(copy, ":") : NULL; dir; dir = strtok(NULL, ":")) {
                if (asprintf(&p, "%s/%s", dir, name) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

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
                .cni_path = getenv("BERTH_CNI_PATH"),
                .run_dir = getenv("BERTH_RUN_DIR") ?: "/run/berth-engine",
        };
        e->shim_path = find_binary("BERTH_SHIM_PATH", "berth-shim");
        e->runtime_path = find_binary("BERTH_RUNTIME_PATH", "berth-runtime");
        e->init_path = find_binary("BERTH_INIT_PATH", "berth-init");
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
        free(e->shim_path);
        free(e->runtime_path);
        free(e->init_path);
        *e = (BerthEnvironment){};
}
