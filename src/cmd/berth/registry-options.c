/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/registry-options.h"

void registry_options_complete(RegistryOptions *opts, const BerthContext *ctx)
{
        if (!opts->authfile)
                opts->authfile = ctx->env.authfile;
        opts->docker_config = ctx->env.docker_config;
        opts->registries_conf = ctx->env.registries_conf;
}

int registry_option(int c, const char *arg, RegistryOptions *opts, char **creds_buf,
                    BerthError **err)
{
        switch (c) {
        case 'T':
                if (!arg || streq(arg, "true") || streq(arg, "1"))
                        opts->tls_verify = 1;
                else if (streq(arg, "false") || streq(arg, "0"))
                        opts->tls_verify = 0;
                else
                        return berth_error_plain(err, EINVAL, "invalid --tls-verify value `%s`",
                                                 arg);
                return 1;
        case 'A':
                opts->authfile = arg;
                return 1;
        case 'C': {
                free(*creds_buf);
                *creds_buf = strdup(arg);
                if (!*creds_buf)
                        return berth_error(err, ENOMEM, "creds");
                char *colon = strchr(*creds_buf, ':');
                if (colon)
                        *colon++ = 0;
                opts->username = *creds_buf;
                opts->password = colon ?: "";
                return 1;
        }
        default:
                return 0;
        }
}
