/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth mount IMAGE TARGET / berth unmount TARGET: an image's rootfs, writable, at TARGET. */
#include <stdio.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-store.h"
#include "image/image-unpack.h"
#include "content/plain-error.h"

int cmd_mount(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_strv_free_ char **chains = NULL;
        int r;

        if (argc != 3)
                return error_plain(err, EINVAL, "usage: berth mount IMAGE TARGET");
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = metadata_lock(ctx->md, false, err);
        if (r < 0)
                return r;
        r = image_store_resolve(ctx->md, argv[1], &rec, err);
        if (r < 0)
                return r;
        /* Snapshots of another kind, or removed by hand: unpack what is missing. */
        r = image_unpack(ctx->cs, ctx->sn, rec, NULL, NULL, err);
        if (r < 0)
                return r;
        chains = calloc(rec->n_layers + 1, sizeof(char *));
        if (!chains)
                return berth_error(err, ENOMEM, "mount");
        for (size_t i = 0; i < rec->n_layers; i++)
                if (strv_extend(&chains, rec->layers[i].chain_id) < 0)
                        return berth_error(err, ENOMEM, "mount");
        r = snapshot_mount(ctx->sn, chains, argv[2], rec->id, err);
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
                return error_plain(err, EINVAL, "usage: berth unmount TARGET");
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        return snapshot_unmount(ctx->sn, argv[1], err);
}
