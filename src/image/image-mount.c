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

int image_mount(ContentStore *cs, Store *md, Snapshotter *sn, const char *builtin_layout,
                const char *image, const char *target, char **ret_image_id, BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_snapshotter_ Snapshotter *copy_sn = NULL;
        _cleanup_free_ char **chains = NULL;
        _cleanup_free_ char *base = NULL;
        size_t flat = 0;
        int r;

        r = store_lock(md, false, err);
        if (r < 0)
                return r;
        r = image_resolve_or_builtin(cs, md, sn, builtin_layout, image, &rec, err);
        if (r < 0)
                return r;
        /* snapshots of another kind, or removed by hand: unpack what is missing */
        r = image_unpack(cs, sn, rec, NULL, NULL, err);
        if (r < 0)
                return r;
        if (snapshotter_stacks_layers(sn) && rec->n_layers > snapshotter_max_layers(sn)) {
                /* More layers than one mount stacks: the bottom ones become one lower dir, the
                 * flat snapshot of the last of them, made once and kept with the image. */
                flat = rec->n_layers - (snapshotter_max_layers(sn) - 1);
                r = snapshotter_open_flat(sn, &copy_sn, err);
                if (r < 0)
                        return r;
                r = image_unpack_flat(cs, copy_sn, rec, flat, err);
                if (r < 0)
                        return berth_error_prefix(err, "Image %s", image);
                if (snapshot_path(copy_sn, rec->layers[flat - 1].chain_id, &base) < 0)
                        return berth_error(err, ENOMEM, "mount");
        }
        chains = calloc(rec->n_layers - flat + 1, sizeof(char *));
        if (!chains)
                return berth_error(err, ENOMEM, "mount");
        /* the array owns no strings: the record does */
        for (size_t i = flat; i < rec->n_layers; i++)
                chains[i - flat] = rec->layers[i].chain_id;
        r = snapshot_mount_flat(sn, base, chains, target, rec->id, err);
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
