/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The environment variables berth honours, read in one place: the image library reads none, it
 * is handed these as options.
 */
#pragma once

#include <stdbool.h>

typedef struct BerthEnvironment {
        const char *root;           /* $BERTH_ROOT, else /var/lib/berth */
        const char *run_dir;        /* $BERTH_RUN_DIR, else /run/berth-engine */
        /* The engine's helpers: $BERTH_SHIM_PATH, $BERTH_RUNTIME_PATH, $BERTH_INIT_PATH, else beside
         * the berth binary (installed together, or in the build tree), else in $PATH */
        char *shim_path, *runtime_path, *init_path;
        const char *builtin_layout; /* $BERTH_BUSYBOX_OCI ("none": no built-in image), or NULL */
        const char *snapshotter;    /* $BERTH_SNAPSHOTTER, or NULL */
        const char *cni_path;       /* $BERTH_CNI_PATH: CNI plugin directories, or NULL */
        /* $BERTH_OVERLAY_CLASSIC=1: overlay mounts take mount(2)'s option string even on kernels
         * with the new mount API, for tests */
        bool overlay_classic;
        /* $BERTH_AUTH_FILE, else $XDG_CONFIG_HOME/berth/auth.json, else ~/.config/berth/auth.json
         */
        char *authfile;
        /* $DOCKER_CONFIG/config.json, else ~/.docker/config.json */
        char *docker_config;
        /* $BERTH_REGISTRIES_CONF alone, else the user's registries.json and /etc's; NULL-ended */
        const char *registries_conf[3];
        char *registries_conf_user;
} BerthEnvironment;

/* Returns 0 or -ENOMEM. */
int berth_environment_load(BerthEnvironment *e);
void berth_environment_done(BerthEnvironment *e);
