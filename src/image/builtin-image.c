/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built-in busybox image: found, seeded into a new store, loaded again when asked for. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/builtin-image.h"
#include "image/image-archive.h"
#include "image/reference.h"

#ifndef BERTH_BUSYBOX_OCI_BUILD
#define BERTH_BUSYBOX_OCI_BUILD ""
#endif
#ifndef BERTH_BUSYBOX_OCI_INSTALLED
#define BERTH_BUSYBOX_OCI_INSTALLED "/usr/share/berth/images/busybox-oci"
#endif

const char *builtin_image_layout(const char *configured)
{
        const char *candidates[] = { configured, BERTH_BUSYBOX_OCI_BUILD,
                                     BERTH_BUSYBOX_OCI_INSTALLED };

        if (configured && streq(configured, "none"))
                return NULL;

        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                char p[4096];
                if (isempty(candidates[i]))
                        continue;
                snprintf(p, sizeof(p), "%s/index.json", candidates[i]);
                if (access(p, R_OK) == 0)
                        return candidates[i];
        }
        return NULL;
}

static bool names_builtin(const char *what)
{
        _cleanup_reference_ Reference *ref = NULL;
        _cleanup_free_ char *name = NULL;

        if (reference_parse(what, &ref, NULL) < 0 || !ref->tag || reference_name(ref, &name) < 0)
                return false;
        /* "busybox" alone means docker.io's; only the local name loads ours */
        return streq(name, BUILTIN_IMAGE_NAME);
}

int image_resolve_or_builtin(ContentStore *cs, Store *md, Snapshotter *sn,
                             const char *builtin_layout, const char *what, ImageRecord **ret,
                             BerthError **err)
{
        _cleanup_strv_free_ char **names = NULL;
        BerthError *miss = NULL;
        const char *layout;
        int r;

        r = image_store_resolve(md, what, ret, &miss);
        if (r != -ENOENT || !names_builtin(what) ||
            !(layout = builtin_image_layout(builtin_layout))) {
                if (r < 0 && err && !*err)
                        *err = TAKE_PTR(miss);
                berth_error_free(&miss);
                return r;
        }
        berth_error_free(&miss);
        LoadOptions opts = { .name_hint = "localhost/busybox" };
        r = image_load(cs, md, sn, layout, &opts, &names, err);
        if (r < 0)
                return berth_error_prefix(err, "load the built-in image from `%s`", layout);
        return image_store_resolve(md, what, ret, err);
}

int builtin_image_seed(ContentStore *cs, Store *md, Snapshotter *sn, const char *builtin_layout,
                       BerthError **err)
{
        _cleanup_image_record_ ImageRecord *rec = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int dfd = -1;
        const char *layout;
        int r;

        /* The cost on every command once seeded: this one lookup. */
        dfd = open(md->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open store `%s`", md->root);
        if (faccessat(dfd, BUILTIN_SEEDED_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        layout = builtin_image_layout(builtin_layout);
        if (!layout)
                return 0; /* nothing to seed yet; an install later still seeds */
        r = store_lock(md, false, err);
        if (r < 0)
                return r;
        if (image_store_resolve(md, BUILTIN_IMAGE_NAME, &rec, NULL) < 0) {
                LoadOptions opts = { .name_hint = "localhost/busybox" };
                r = image_load(cs, md, sn, layout, &opts, &names, err);
                if (r < 0)
                        return berth_error_prefix(err, "load the built-in image from `%s`",
                                                  layout);
        }
        r = fs_write_file_atomic_at(dfd, BUILTIN_SEEDED_MARKER, "", 0, 0644);
        if (r < 0)
                return berth_error(err, r, "write `%s/%s`", md->root, BUILTIN_SEEDED_MARKER);
        return 0;
}
