/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store every verb opens, and small output helpers. */
#include <stdio.h>
#include <unistd.h>

#include "cmd/berth/berth.h"
#include "cmd/berth/progress-render.h"
#include "image/builtin-image.h"

int berth_context_open(BerthContext *ctx, BerthError **err)
{
        int r;

        if (!ctx->md) {
                r = metadata_open(ctx->root, &ctx->md, err);
                if (r < 0)
                        return r;
        }
        if (!ctx->cs) {
                r = content_store_open(ctx->root, &ctx->cs, err);
                if (r < 0)
                        return r;
        }
        if (!ctx->sn) {
                r = snapshotter_open(ctx->md, ctx->root, ctx->snapshot_kind, &ctx->sn, err);
                if (r < 0)
                        return r;
                /* Every verb sees the built-in image from the first one on; one that cannot
                 * load it (a full disk) still does its own job. */
                BerthError *seed_err = NULL;
                if (builtin_image_seed(ctx->cs, ctx->md, ctx->sn, ctx->env.builtin_layout, &seed_err) < 0)
                        fprintf(stderr, "berth: warning: %s\n",
                                seed_err && seed_err->msg ? seed_err->msg
                                                          : "could not load the built-in image");
                berth_error_free(&seed_err);
        }
        return 0;
}

int berth_context_open_locked(BerthContext *ctx, BerthError **err)
{
        int r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        /* shared: no collection while the verb reads or adds blobs */
        return metadata_lock(ctx->md, false, err);
}

ProgressRender *berth_progress_new(const BerthContext *ctx)
{
        return progress_render_new(stderr, ctx->quiet                  ? PROGRESS_NONE
                                           : isatty(STDERR_FILENO) ? PROGRESS_TTY
                                                                   : PROGRESS_LINES);
}

void format_size(uint64_t bytes, char *buf, size_t size)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
        double v = (double)bytes;
        size_t u = 0;

        while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%llu%s", (unsigned long long)bytes, units[u]);
        else
                snprintf(buf, size, "%.3g%s", v, units[u]);
}
