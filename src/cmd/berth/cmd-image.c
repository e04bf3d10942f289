/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth image prune [-a]: drop untagged (with -a: all unmounted) images, then collect garbage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-prune.h"

int prune_images(BerthContext *ctx, bool all, uint64_t also_reclaimed, BerthError **err)
{
        _cleanup_strv_free_ char **deleted = NULL;
        GcStats stats = {};
        char size[32];
        int r;

        r = berth_context_open_locked(ctx, true, err);
        if (r < 0)
                return r;
        r = image_prune(ctx->md, ctx->cs, all, &deleted, &stats, err);
        if (r < 0)
                return r;
        if (ctx->quiet)
                return 0;
        STRV_FOREACH(d, deleted)
        printf("Deleted: %s\n", *d);
        format_size(stats.bytes_freed + also_reclaimed, size, sizeof(size));
        printf("Removed %llu blobs and %llu snapshots\nTotal reclaimed space: %s\n",
               (unsigned long long)stats.blobs_removed,
               (unsigned long long)stats.snapshots_removed, size);
        return 0;
}

int cmd_image(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                {},
        };
        bool all = false;
        int c;

        if (argc < 2)
                return berth_error_plain(err, EINVAL, "usage: berth image prune [-a]");
        if (streq(argv[1], "ls") || streq(argv[1], "list"))
                return cmd_images(ctx, argc - 1, argv + 1, err);
        if (streq(argv[1], "rm"))
                return cmd_rmi(ctx, argc - 1, argv + 1, err);
        if (streq(argv[1], "inspect")) {
                /* image inspect: images only, also where a container has the name */
                _cleanup_free_ char **args = calloc((size_t)argc + 2, sizeof(char *));
                if (!args)
                        return berth_error(err, ENOMEM, "image inspect");
                args[0] = argv[1];
                args[1] = (char *)"--type=image";
                memcpy(args + 2, argv + 2, (size_t)(argc - 2) * sizeof(char *));
                return cmd_inspect(ctx, argc, args, err);
        }
        if (!streq(argv[1], "prune"))
                return berth_error_plain(err, EINVAL, "unknown image command `%s`", argv[1]);
        argc--, argv++;
        while ((c = getopt_long(argc, argv, "af", options, NULL)) >= 0) {
                if (c == 'a')
                        all = true;
                else if (c != 'f')
                        return berth_error_plain(err, EINVAL, "usage: berth image prune [-a]");
        }
        return prune_images(ctx, all, 0, err);
}
