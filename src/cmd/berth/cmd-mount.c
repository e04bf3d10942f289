/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth mount IMAGE TARGET / berth unmount TARGET: an image's rootfs, writable, at TARGET. */
#include <stdio.h>

#include "basic/macro.h"
#include "cmd/berth/berth.h"
#include "image/image-mount.h"

int cmd_mount(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        int r;

        if (argc != 3)
                return berth_error_plain(err, EINVAL, "usage: berth mount IMAGE TARGET");
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = image_mount(ctx->cs, ctx->md, ctx->sn, ctx->env.builtin_layout, argv[1], argv[2], NULL,
                        err);
        if (r < 0)
                return r;
        if (!ctx->quiet)
                printf("%s\n", argv[2]);
        return 0;
}

int cmd_unmount(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        int r;

        if (argc != 2)
                return berth_error_plain(err, EINVAL, "usage: berth unmount TARGET");
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        return image_unmount(ctx->sn, argv[1], err);
}
