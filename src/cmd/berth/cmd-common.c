/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store every verb opens, and small output helpers. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/berth/berth.h"
#include "cmd/berth/progress-render.h"
#include "engine/engine.h"
#include "image/image-handle.h"

int berth_context_open(BerthContext *ctx, BerthError **err)
{
        ImageHandleOptions opts = {
                .root = ctx->root,
                .snapshotter = &ctx->snapshotter,
                .builtin_layout = ctx->env.builtin_layout,
        };
        _cleanup_error_ BerthError *warning = NULL;
        int r;

        r = image_handle_open(&opts, &ctx->md, &ctx->cs, &ctx->sn, &warning, err);
        if (warning)
                fprintf(stderr, "berth: warning: %s\n",
                        warning->msg ? warning->msg : "could not load the built-in image");
        return r;
}

int berth_context_open_locked(BerthContext *ctx, bool exclusive, BerthError **err)
{
        int r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        /* shared: no collection while the verb reads or adds blobs */
        return store_lock(ctx->md, exclusive, err);
}

int berth_engine_open(BerthContext *ctx, Engine **ret, BerthError **err)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        /* the shim's exit command for --rm (berth rm --auto-remove ID) */
        char *remove[] = { self, "rm", "--auto-remove", NULL };

        if (n > 0)
                self[n] = 0;
        const EngineOptions o = {
                .remove_command = n > 0 ? remove : NULL,
                .root = ctx->root,
                .run_dir = ctx->env.run_dir,
                .snapshotter = &ctx->snapshotter,
                .builtin_layout = ctx->env.builtin_layout,
                .shim_path = ctx->env.shim_path,
                .runtime_path = ctx->env.runtime_path,
                .init_path = ctx->env.init_path,
                .cni_path = ctx->env.cni_path,
        };
        return engine_open(&o, ret, err);
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
