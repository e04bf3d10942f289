/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth system df: what the store holds, and how much of it is reclaimable; berth system
 * prune [-a] [-f]: stopped containers, then images (the ones they held go too). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-prune.h"

static int system_prune(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                {},
        };
        bool all = false, force = false;
        uint64_t bytes = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "af", options, NULL)) >= 0) {
                if (c == 'a')
                        all = true;
                else if (c == 'f')
                        force = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth system prune [-a] "
                                                 "[-f]");
        }
        if (!force && !berth_confirm(all ? "This will remove:\n  - all stopped containers\n"
                                           "  - all images without at least one container "
                                           "associated to them"
                                         : "This will remove:\n  - all stopped containers\n"
                                           "  - all dangling images"))
                return 0;
        r = berth_prune_containers(ctx, false, &bytes, err);
        if (r < 0)
                return r;
        return prune_images(ctx, all, bytes, err);
}

int cmd_system(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        ImageDiskUsage u;
        char a[32], b[32], c[32];
        int r;

        if (argc < 2)
                return berth_error_plain(err, EINVAL, "usage: berth system df|prune");
        if (streq(argv[1], "prune"))
                return system_prune(ctx, argc - 1, argv + 1, err);
        if (!streq(argv[1], "df"))
                return berth_error_plain(err, EINVAL, "unknown system command `%s`", argv[1]);
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = image_disk_usage(ctx->md, ctx->cs, &u, err);
        if (r < 0)
                return r;
        format_size(u.images_size, a, sizeof(a));
        format_size(u.reclaimable, b, sizeof(b));
        format_size(u.blobs_size, c, sizeof(c));
        printf("%-12s %-8s %-8s %-12s %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        printf("%-12s %-8zu %-8zu %-12s %s\n", "Images", u.images, u.active, a, b);
        printf("%-12s %-8zu %-8zu %-12s %s\n", "Snapshots", u.snapshots, u.mounts, "-", "-");
        format_size(u.partial_size, a, sizeof(a));
        printf("%-12s %-8s %-8s %-12s %s\n", "Blobs", "-", "-", c, "-");
        printf("%-12s %-8s %-8s %-12s %s\n", "Partial", "-", "-", a, a);
        return 0;
}
