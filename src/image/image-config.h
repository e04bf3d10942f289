/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What an image says about running it (the "config" object of the image config): entrypoint,
 * command, environment, working directory, user, stop signal, exposed ports, volumes, labels.
 * For the engine, which turns it and the command line into a runtime config.json.
 */
#pragma once

#include <stddef.h>

#include "basic/error.h"
#include "content/content-store.h"

typedef struct ImageRunConfig {
        char **entrypoint; /* NULL-terminated; NULL when unset */
        char **cmd;
        char **env;          /* "KEY=value" */
        char *working_dir;   /* NULL when unset */
        char *user;          /* "uid[:gid]" or a name; NULL when unset */
        char *stop_signal;   /* NULL when unset */
        char **exposed_ports; /* "80/tcp" */
        char **volumes;      /* "/data" */
        char **labels;       /* "key=value" */
} ImageRunConfig;

/* Parses an image config document. A missing "config" object gives an all-empty result. */
int image_run_config_parse(const char *data, size_t len, ImageRunConfig **ret, BerthError **err);
/* Reads config_digest from the store and parses it. */
int image_run_config_load(ContentStore *cs, const char *config_digest, ImageRunConfig **ret,
                          BerthError **err);
void image_run_config_free(ImageRunConfig *c);
static inline void image_run_config_freep(ImageRunConfig **c)
{
        image_run_config_free(*c);
}
#define _cleanup_image_run_config_ __attribute__((cleanup(image_run_config_freep)))
