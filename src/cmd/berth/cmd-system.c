/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth system df: what the store holds, and how much of it is reclaimable. */
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/gc.h"
#include "image/image-store.h"

int cmd_system(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_image_record_list_ ImageRecord **list = NULL;
        uint64_t blobs = 0, ingest = 0, total = 0, unused = 0;
        size_t n = 0, active = 0, n_snap = 0, n_mounts = 0;
        char a[32], b[32], c[32];
        int r;

        if (argc < 2 || streq(argv[1], "prune"))
                return argc >= 2 ? prune_images(ctx, false, err)
                                 : berth_error_plain(err, EINVAL, "usage: berth system df|prune");
        if (!streq(argv[1], "df"))
                return berth_error_plain(err, EINVAL, "Unknown system command '%s'", argv[1]);
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = image_store_list(ctx->md, &list, err);
        if (r < 0)
                return r;
        for (ImageRecord **i = list; *i; i++, n++) {
                total += (uint64_t)(*i)->size;
                if (image_in_use(ctx->md, (*i)->id) > 0)
                        active++;
                else if (strv_length((*i)->tags) == 0)
                        unused += (uint64_t)(*i)->size;
        }
        r = content_store_usage(ctx->cs, &blobs, &ingest);
        if (r < 0)
                return berth_error(err, r, "Failed to measure '%s'", ctx->root);
        r = snapshot_count(ctx->md, &n_snap, &n_mounts, err);
        if (r < 0)
                return r;
        format_size(total, a, sizeof(a));
        format_size(unused, b, sizeof(b));
        format_size(blobs, c, sizeof(c));
        printf("%-12s %-8s %-8s %-12s %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        printf("%-12s %-8zu %-8zu %-12s %s\n", "Images", n, active, a, b);
        printf("%-12s %-8zu %-8zu %-12s %s\n", "Snapshots", n_snap, n_mounts, "-", "-");
        format_size(ingest, a, sizeof(a));
        printf("%-12s %-8s %-8s %-12s %s\n", "Blobs", "-", "-", c, "-");
        printf("%-12s %-8s %-8s %-12s %s\n", "Partial", "-", "-", a, a);
        return 0;
}
