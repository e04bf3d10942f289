/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The copy backend, for where overlayfs is missing: every snapshot is the whole tree of its
 * chain (a snapshot below copied, then the layers above it applied with whiteouts as
 * removals; image_unpack() makes only the top one of an image), and a rootfs is a private
 * copy of the top snapshot bind-mounted at the target.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/digest.h"
#include "snapshot/copy-tree.h"
#include "snapshot/snapshot.h"

int copy_prepare(Snapshotter *s, const char *parent, int dest_fd, BerthError **err)
{
        _cleanup_close_ int pfd = -1;
        int r;

        pfd = openat(s->dir_fd, digest_hex(parent), O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                            O_CLOEXEC);
        if (pfd < 0)
                return berth_error(err, errno, "Parent snapshot %s", parent);
        r = copy_tree(pfd, dest_fd);
        if (r < 0)
                return berth_error(err, r, "Failed to copy snapshot %s", parent);
        return 0;
}

int copy_mount(Snapshotter *s, char *const *chain_ids, const char *target, const char *workdir,
               BerthError **err)
{
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int dfd = -1;
        size_t n = strv_length(chain_ids);
        int r;

        if (asprintf(&rootfs, "%s/rootfs", workdir) < 0)
                return berth_error(err, ENOMEM, "copy");
        if (mkdir(rootfs, 0755) < 0)
                return berth_error(err, errno, "Failed to create '%s'", rootfs);
        dfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "Failed to open '%s'", rootfs);
        if (n > 0) {
                _cleanup_close_ int sfd = openat(s->dir_fd, digest_hex(chain_ids[n - 1]),
                                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sfd < 0)
                        return berth_error(err, errno, "Snapshot %s", chain_ids[n - 1]);
                r = copy_tree(sfd, dfd);
                if (r < 0)
                        return berth_error(err, r, "Failed to copy snapshot %s to '%s'",
                                           chain_ids[n - 1], rootfs);
        }
        if (mount(rootfs, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return berth_error(err, errno, "Failed to bind-mount '%s' on '%s'", rootfs, target);
        return 0;
}
