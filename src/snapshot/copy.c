/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The copy backend, for where overlayfs is missing: every snapshot is the whole tree of its
 * chain (a snapshot below copied, then the layers above it applied with whiteouts as
 * removals; image_unpack() makes only the top one of an image), and a rootfs is a private
 * copy of the top snapshot bind-mounted at the target.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/copy-tree.h"
#include "snapshot/snapshot-backend.h"

/* A whole copy of snapshot key into dest_fd. */
static int copy_snapshot(Snapshotter *s, const char *key, int dest_fd, BerthError **err)
{
        _cleanup_close_ int sfd = snapshot_open_dir(s, key);
        int r;

        if (sfd < 0)
                return berth_error(err, sfd, "open snapshot `%s`", key);
        r = copy_tree(sfd, dest_fd);
        if (r < 0)
                return berth_error(err, r, "copy snapshot `%s`", key);
        return 0;
}

static int copy_prepare(Snapshotter *s, const char *parent, int dest_fd, BerthError **err)
{
        return copy_snapshot(s, parent, dest_fd, err);
}

static int copy_mount(Snapshotter *s, const char *base, char *const *keys, const char *target,
                      const char *workdir, BerthError **err)
{
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int dfd = -1;
        size_t n = strv_length(keys);
        int r;

        (void)base; /* snapshot_mount_flat() gives a base to stacking snapshotters only */
        if (asprintf(&rootfs, "%s/rootfs", workdir) < 0)
                return berth_error(err, ENOMEM, "mount copy");
        if (mkdir(rootfs, 0755) < 0)
                return berth_error(err, errno, "create `%s`", rootfs);
        dfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", rootfs);
        if (n > 0) {
                r = copy_snapshot(s, keys[n - 1], dfd, err);
                if (r < 0)
                        return berth_error_prefix(err, "copy to `%s`", rootfs);
        }
        if (mount(rootfs, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return berth_error(err, errno, "bind-mount `%s` on `%s`", rootfs, target);
        return 0;
}

const SnapshotterOps copy_ops = {
        .name = "copy",
        .stacks_layers = false,
        .max_layers = SIZE_MAX,
        .prepare = copy_prepare,
        .mount = copy_mount,
};
