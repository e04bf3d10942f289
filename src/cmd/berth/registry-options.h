/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry options pull, push and login share: --tls-verify, --authfile, --creds. */
#pragma once

#include <getopt.h>

#include "basic/error.h"
#include "cmd/berth/berth.h"
#include "image/registry.h"

#define REGISTRY_LONG_OPTIONS                                                                      \
        { "tls-verify", optional_argument, NULL, 'T' }, { "authfile", required_argument, NULL, 'A' }, \
        {                                                                                          \
                "creds", required_argument, NULL, 'C'                                              \
        }

/* Their lines in a verb's --help. */
#define REGISTRY_USAGE                                                                             \
        "      --tls-verify[=true|false]     check the registry's certificate (default true)\n"   \
        "      --authfile FILE               the credentials file to use\n"                      \
        "      --creds USER[:PASSWORD]       credentials for this command only\n"

/* Fills what the flags left open from the environment: the auth files, registries.json. */
void registry_options_complete(RegistryOptions *opts, const BerthContext *ctx);

/* Handles one of REGISTRY_LONG_OPTIONS; returns 1 when c was one of them. creds_buf keeps the
 * "user:password" copy the options point into. */
int registry_option(int c, const char *arg, RegistryOptions *opts, char **creds_buf,
                    BerthError **err);
