/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/builtin-image.h"
#include "image/image-mount.h"
#include "image/image-store.h"
#include "image/image-unpack.h"

int image_mount(ContentStore *cs, Metadata *md, Snapshotter *sn, const char *image,
                const char *target, char **ret_image_id, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_strv_free_ char **chains = NULL;
        int r;

        r = metadata_lock(md, false, err);
        if (r < 0)
                return r;
        r = image_resolve_or_builtin(cs, md, sn, image, &rec, err);
        if (r < 0)
                return r;
        /* snapshots of another kind, or removed by hand: unpack what is missing */
        r = image_unpack(cs, sn, rec, NULL, NULL, err);
        if (r < 0)
                return r;
        chains = calloc(rec->n_layers + 1, sizeof(char *));
        if (!chains)
                return berth_error(err, ENOMEM, "mount");
        for (size_t i = 0; i < rec->n_layers; i++)
                if (strv_extend(&chains, rec->layers[i].chain_id) < 0)
                        return berth_error(err, ENOMEM, "mount");
        r = snapshot_mount(sn, chains, target, rec->id, err);
        if (r < 0)
                return berth_error_prefix(err, "Image %s", image);
        if (ret_image_id) {
                *ret_image_id = strdup(rec->id);
                if (!*ret_image_id)
                        return berth_error(err, ENOMEM, "mount");
        }
        return 0;
}

int image_unmount(Snapshotter *sn, const char *target, BerthError **err)
{
        return snapshot_unmount(sn, target, err);
}
