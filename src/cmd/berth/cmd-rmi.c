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
#include "image/image-store.h"
#include "image/reference.h"

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
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = store_lock(ctx->md, true, err);
        if (r < 0)
                return r;
        for (int i = optind; i < argc; i++) {
                _cleanup_image_record_ ImageRecord *rec = NULL;
                _cleanup_reference_ Reference *ref = NULL;
                _cleanup_free_ char *name = NULL;
                bool by_name = false;

                r = image_store_resolve(ctx->md, argv[i], &rec, err);
                if (r < 0)
                        return r;
                if (reference_parse(argv[i], &ref, NULL) >= 0 && ref->tag &&
                    reference_name(ref, &name) >= 0 && strv_contains(rec->tags, name))
                        by_name = true;
                if (by_name && strv_length(rec->tags) > 1 && !force) {
                        r = image_store_untag(ctx->md, name, err);
                        if (r < 0)
                                return r;
                        printf("Untagged: %s\n", name);
                        continue;
                }
                if (!force && !by_name && strv_length(rec->tags) > 1)
                        return berth_error_plain(err, EBUSY,
                                           "Image %s has %zu names; remove them one by one or "
                                           "use -f",
                                           argv[i], strv_length(rec->tags));
                if (image_in_use(ctx->md, rec->id) > 0)
                        return berth_error_plain(err, EBUSY, "Image %s is mounted; unmount it first",
                                           argv[i]);
                STRV_FOREACH(t, rec->tags)
                printf("Untagged: %s\n", *t);
                r = image_store_remove(ctx->md, rec->id, err);
                if (r < 0)
                        return r;
                printf("Deleted: %s\n", rec->id);
        }
        return image_gc(ctx->md, ctx->cs, NULL, err);
}
