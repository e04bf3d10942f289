/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth load [-i] PATH [--name REPO] [--platform os/arch]: OCI layout or docker save archive. */
#include <getopt.h>
#include <stdio.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-archive.h"

int cmd_load(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "input", required_argument, NULL, 'i' },
                { "name", required_argument, NULL, 'n' },
                { "platform", required_argument, NULL, 'p' },
                { "quiet", no_argument, NULL, 'q' },
                {},
        };
        _cleanup_strv_free_ char **names = NULL;
        LoadOptions opts = {};
        Platform platform = {};
        const char *input = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "i:q", options, NULL)) >= 0) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'n':
                        opts.name_hint = optarg;
                        break;
                case 'p':
                        r = manifest_platform_parse(optarg, &platform, err);
                        if (r < 0)
                                return r;
                        opts.platform = &platform;
                        break;
                case 'q':
                        ctx->quiet = true;
                        break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth load [-i] PATH");
                }
        }
        if (!input && optind < argc)
                input = argv[optind++];
        if (!input || optind < argc)
                return berth_error_plain(err, EINVAL, "usage: berth load [-i] PATH");
        r = berth_context_open_locked(ctx, false, err);
        if (r >= 0)
                r = image_load(ctx->cs, ctx->md, ctx->sn, input, &opts, &names, err);
        manifest_platform_done(&platform);
        if (r < 0)
                return r;
        if (!ctx->quiet)
                STRV_FOREACH(n, names)
                printf("Loaded image: %s\n", *n);
        return 0;
}
