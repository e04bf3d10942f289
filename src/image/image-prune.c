/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rmi, prune and df as library calls (see image-prune.h). */
#include <errno.h>
#include <stdlib.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/image-prune.h"
#include "image/image-store.h"
#include "image/reference.h"
#include "snapshot/snapshot.h"

int image_prune(Store *md, ContentStore *cs, bool all, char ***ret_deleted, GcStats *ret_stats,
                BerthError **err)
{
        _cleanup_image_record_list_ ImageRecord **list = NULL;
        int r;

        r = image_store_list(md, &list, err);
        if (r < 0)
                return r;
        for (ImageRecord **i = list; *i; i++) {
                if ((!all && strv_length((*i)->tags) > 0) || image_in_use(md, (*i)->id) > 0)
                        continue;
                r = image_store_remove(md, (*i)->id, err);
                if (r < 0)
                        return r;
                if (ret_deleted && strv_extend(ret_deleted, (*i)->id) < 0)
                        return berth_error(err, ENOMEM, "out of memory");
        }
        return image_gc(md, cs, ret_stats, err);
}

void image_removal_done(ImageRemoval *r)
{
        strv_free(r->untagged);
        free(r->deleted);
        *r = (ImageRemoval){};
}

int image_remove(Store *md, const char *what, bool force, ImageRemoval *ret,
                 BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_free_ char *name = NULL;
        bool by_name = false;
        int r;

        *ret = (ImageRemoval){};
        r = image_store_resolve(md, what, &rec, err);
        if (r < 0)
                return r;
        if (reference_parse(what, &ref, NULL) >= 0 && ref->tag &&
            reference_name(ref, &name) >= 0 && strv_contains(rec->tags, name))
                by_name = true;
        if (by_name && strv_length(rec->tags) > 1 && !force) {
                r = image_store_untag(md, name, err);
                if (r < 0)
                        return r;
                if (strv_extend(&ret->untagged, name) < 0)
                        return berth_error(err, ENOMEM, "out of memory");
                return 0;
        }
        if (!force && !by_name && strv_length(rec->tags) > 1)
                return berth_error_plain(
                    err, EBUSY, "image `%s` has %zu names; remove them one by one or use -f", what,
                    strv_length(rec->tags));
        if (image_in_use(md, rec->id) > 0)
                return berth_error_plain(err, EBUSY, "image `%s` is mounted; unmount it first",
                                         what);
        r = image_store_remove(md, rec->id, err);
        if (r < 0)
                return r;
        ret->untagged = TAKE_PTR(rec->tags);
        ret->deleted = strdup(rec->id);
        if (!ret->deleted)
                return berth_error(err, ENOMEM, "out of memory");
        return 0;
}

int image_disk_usage(Store *md, ContentStore *cs, ImageDiskUsage *ret, BerthError **err)
{
        _cleanup_image_record_list_ ImageRecord **list = NULL;
        ImageDiskUsage u = {};
        int r;

        r = image_store_list(md, &list, err);
        if (r < 0)
                return r;
        for (ImageRecord **i = list; *i; i++, u.images++) {
                u.images_size += (uint64_t)(*i)->size;
                if (image_in_use(md, (*i)->id) > 0)
                        u.active++;
                else if (strv_length((*i)->tags) == 0)
                        u.reclaimable += (uint64_t)(*i)->size;
        }
        r = content_store_usage(cs, &u.blobs_size, &u.partial_size);
        if (r < 0)
                return berth_error(err, r, "measure the content store");
        r = snapshot_count(md, &u.snapshots, &u.mounts, err);
        if (r < 0)
                return r;
        *ret = u;
        return 0;
}
