/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening the store with its defaults (see image-handle.h). */
#include "image/builtin-image.h"
#include "image/image-handle.h"
#include "image/image-store.h"

/* The modules that keep tables in the store, in a fixed order (store.h). */
static const StoreModule *const store_modules[] = {
        &snapshot_store_module,
        &image_store_module,
        NULL,
};

int image_handle_open(const ImageHandleOptions *opts, Store **md, ContentStore **cs,
                      Snapshotter **sn, BerthError **ret_warning, BerthError **err)
{
        int r;

        if (!*md) {
                r = store_open(opts->root, store_modules, md, err);
                if (r < 0)
                        return r;
        }
        if (!*cs) {
                r = content_store_open(opts->root, cs, err);
                if (r < 0)
                        return r;
        }
        if (!*sn) {
                r = snapshotter_open(*md, opts->root, opts->snapshotter, sn, err);
                if (r < 0)
                        return r;
                /* Every front end sees the built-in image from its first call on. */
                (void)builtin_image_seed(*cs, *md, *sn, opts->builtin_layout, ret_warning);
        }
        return 0;
}
