/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth rmi [-f] IMAGE...: a name removes that tag; the last tag (or an id) removes the image
 * and, through garbage collection, the blobs and snapshots nothing else uses. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/gc.h"
#include "image/image-prune.h"

int cmd_rmi(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                {},
        };
        bool force = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "f", options, NULL)) >= 0) {
                if (c == 'f')
                        force = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth rmi [-f] IMAGE...");
        }
        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "usage: berth rmi [-f] IMAGE...");
        r = berth_context_open_locked(ctx, true, err);
        if (r < 0)
                return r;
        for (int i = optind; i < argc; i++) {
                _cleanup_(image_removal_done) ImageRemoval rm = {};

                r = image_remove(ctx->md, argv[i], force, &rm, err);
                if (r < 0)
                        return r;
                STRV_FOREACH(t, rm.untagged)
                printf("Untagged: %s\n", *t);
                if (rm.deleted)
                        printf("Deleted: %s\n", rm.deleted);
        }
        return image_gc(ctx->md, ctx->cs, NULL, err);
}
