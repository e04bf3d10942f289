/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth pull [--platform os/arch] [--tls-verify=false] [-q] IMAGE */
#include <getopt.h>
#include <stdio.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "cmd/berth/progress-render.h"
#include "cmd/berth/registry-options.h"
#include "image/pull.h"

int cmd_pull(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "platform", required_argument, NULL, 'p' },
                { "quiet", no_argument, NULL, 'q' },
                { "parallel", required_argument, NULL, 'j' },
                REGISTRY_LONG_OPTIONS,
                {},
        };
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_progress_render_ ProgressRender *render = NULL;
        _cleanup_free_ char *creds = NULL;
        PullOptions opts = { .registry.tls_verify = -1 };
        Platform platform = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "qj:", options, NULL)) >= 0) {
                r = registry_option(c, optarg, &opts.registry, &creds, err);
                if (r < 0)
                        goto out;
                if (r > 0)
                        continue;
                switch (c) {
                case 'p':
                        manifest_platform_done(&platform);
                        r = manifest_platform_parse(optarg, &platform, err);
                        if (r < 0)
                                goto out;
                        opts.platform = &platform;
                        break;
                case 'q':
                        ctx->quiet = true;
                        break;
                case 'j':
                        opts.parallel = atoi(optarg);
                        break;
                default:
                        r = berth_error_plain(err, EINVAL, "usage: berth pull [OPTIONS] IMAGE");
                        goto out;
                }
        }
        if (optind + 1 != argc) {
                r = berth_error_plain(err, EINVAL, "usage: berth pull [OPTIONS] IMAGE");
                goto out;
        }
        registry_options_complete(&opts.registry, ctx);
        render = berth_progress_new(ctx);
        opts.progress = (ProgressSink){ progress_render_event, render };
        r = berth_context_open_locked(ctx, false, err);
        if (r >= 0)
                r = image_pull(ctx->cs, ctx->md, ctx->sn, argv[optind], &opts, &rec, err);
        if (r >= 0) {
                if (ctx->quiet)
                        printf("%s\n", rec->id);
                else
                        printf("Digest: %s\nImage: %s\n", rec->manifest_digest, rec->id);
        }
out:
        manifest_platform_done(&platform);
        return r;
}

int berth_pull_for_run(BerthContext *ctx, const char *image, bool missing, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_progress_render_ ProgressRender *render = NULL;
        PullOptions opts = { .registry.tls_verify = -1 };
        int r;

        /* docker run: the progress and the outcome on stderr, stdout is the container's */
        if (missing)
                fprintf(stderr, "Unable to find image '%s' locally\n", image);
        registry_options_complete(&opts.registry, ctx);
        render = berth_progress_new(ctx);
        opts.progress = (ProgressSink){ progress_render_event, render };
        r = berth_context_open_locked(ctx, false, err);
        if (r >= 0)
                r = image_pull(ctx->cs, ctx->md, ctx->sn, image, &opts, &rec, err);
        if (r >= 0)
                fprintf(stderr, "Digest: %s\nStatus: Downloaded newer image for %s\n",
                        rec->manifest_digest, image);
        return r;
}
