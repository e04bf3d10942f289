/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth tag SOURCE TARGET: another name for a stored image. */
#include "basic/macro.h"
#include "cmd/berth/berth.h"
#include "image/image-store.h"
#include "image/reference.h"

int cmd_tag(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_free_ char *name = NULL;
        int r;

        if (argc != 3)
                return berth_error_plain(err, EINVAL, "usage: berth tag SOURCE TARGET");
        r = reference_parse(argv[2], &ref, err);
        if (r < 0)
                return r;
        if (!ref->tag)
                return berth_error_plain(err, EINVAL, "target `%s` needs a tag, not a digest",
                                         argv[2]);
        if (reference_name(ref, &name) < 0)
                return berth_error(err, ENOMEM, "tag");
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = image_store_resolve(ctx->md, argv[1], &rec, err);
        if (r < 0)
                return r;
        return image_store_tag(ctx->md, name, rec->id, err);
}
