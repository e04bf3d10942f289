/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth push [--tls-verify=false] [--chunk-size N] [--compression-format gzip|zstd] [-q] IMAGE
 * [DESTINATION] */
#include <getopt.h>
#include <stdio.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "cmd/berth/progress-render.h"
#include "cmd/berth/registry-options.h"
#include "image/push.h"

int cmd_push(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "quiet", no_argument, NULL, 'q' },
                { "chunk-size", required_argument, NULL, 'c' },
                { "compression-format", required_argument, NULL, 'z' },
                REGISTRY_LONG_OPTIONS,
                {},
        };
        _cleanup_free_ char *creds = NULL;
        _cleanup_progress_render_ ProgressRender *render = NULL;
        PushOptions opts = { .registry.tls_verify = -1 };
        char digest[DIGEST_STRING_MAX];
        int c, r;

        while ((c = getopt_long(argc, argv, "q", options, NULL)) >= 0) {
                r = registry_option(c, optarg, &opts.registry, &creds, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (c == 'q')
                        ctx->quiet = true;
                else if (c == 'c') {
                        uint64_t v;
                        if (string_safe_atou64(optarg, &v) < 0)
                                return berth_error_plain(err, EINVAL, "invalid --chunk-size `%s`",
                                                   optarg);
                        opts.chunk_size = v;
                } else if (c == 'z') {
                        if (compress_from_string(optarg, &opts.compression) < 0)
                                return berth_error_plain(err, EINVAL,
                                                         "invalid --compression-format `%s` "
                                                         "(gzip or zstd)",
                                                         optarg);
                } else
                        return berth_error_plain(err, EINVAL,
                                           "usage: berth push [OPTIONS] IMAGE [DESTINATION]");
        }
        if (optind >= argc || argc - optind > 2)
                return berth_error_plain(err, EINVAL, "usage: berth push [OPTIONS] IMAGE [DESTINATION]");
        registry_options_complete(&opts.registry, ctx);
        render = berth_progress_new(ctx);
        opts.progress = (ProgressSink){ progress_render_event, render };
        r = berth_context_open_locked(ctx, false, err);
        if (r < 0)
                return r;
        r = image_push(ctx->cs, ctx->md, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL,
                       &opts, digest, err);
        if (r < 0)
                return r;
        if (ctx->quiet)
                printf("%s\n", digest);
        else
                printf("Digest: %s\n", digest);
        return 0;
}
