/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The overlay backend: lower dirs are the layer snapshots, top layer first. The new mount API's
 * "lowerdir+" takes one layer per call, so no option string limits the number of layers; on
 * kernels without it the classic mount(2) names the layers through short symlinks in the
 * mount's work directory, which keeps a few hundred layers under the page mount(2) takes.
 * Either way overlayfs stacks at most OVERLAY_MAX_LOWER lower dirs: an image of more layers is
 * mounted over a base, the flattened tree of its bottom layers (image_mount()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/snapshot-backend.h"

static int mount_new_api(Snapshotter *s, const char *base, char *const *chain_ids, size_t n,
                         const char *target, const char *upper, const char *work)
{
        _cleanup_close_ int fsfd = -1, mfd = -1;

        fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return negative_errno();
        for (size_t i = n; i > 0; i--) {
                _cleanup_free_ char *p = NULL;
                if (snapshot_path(s, chain_ids[i - 1], &p) < 0)
                        return -ENOMEM;
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", p, 0) < 0)
                        return negative_errno();
        }
        if (base && fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", base, 0) < 0)
                return negative_errno();
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
            fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
        if (mfd < 0)
                return negative_errno();
        if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return negative_errno();
        return 0;
}

static int mount_classic(Snapshotter *s, const char *base, char *const *chain_ids, size_t n,
                         const char *target, const char *workdir, const char *upper,
                         const char *work)
{
        _cleanup_free_ char *opts = NULL, *links = NULL;
        _cleanup_close_ int cwd = -1, lfd = -1;
        size_t len = 0;
        int r = 0;

        /* Short names for the layers, as docker's overlay2 "l/" links: "lowerdir=12:11:..:0"
         * relative to <workdir>/l keeps hundreds of layers inside the one page mount(2)
         * takes. */
        if (asprintf(&links, "%s/l", workdir) < 0)
                return -ENOMEM;
        if (mkdir(links, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        lfd = open(links, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lfd < 0)
                return negative_errno();
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL;
                char name[32];
                snprintf(name, sizeof(name), "%zu", i);
                if (snapshot_path(s, chain_ids[i], &p) < 0)
                        return -ENOMEM;
                if (symlinkat(p, lfd, name) < 0 && errno != EEXIST)
                        return negative_errno();
        }
        if (base && symlinkat(base, lfd, "b") < 0 && errno != EEXIST)
                return negative_errno();
        opts = malloc(n * 24 + strlen(upper) + strlen(work) + 64);
        if (!opts)
                return -ENOMEM;
        len = (size_t)sprintf(opts, "lowerdir=");
        for (size_t i = n; i > 0; i--)
                len += (size_t)sprintf(opts + len, "%s%zu", i == n ? "" : ":", i - 1);
        if (base)
                len += (size_t)sprintf(opts + len, ":b");
        sprintf(opts + len, ",upperdir=%s,workdir=%s", upper, work);
        if (strlen(opts) >= 4096)
                return -E2BIG;
        cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cwd < 0 || fchdir(lfd) < 0)
                return negative_errno();
        if (mount("overlay", target, "overlay", 0, opts) < 0)
                r = negative_errno();
        (void)fchdir(cwd);
        return r;
}

static int overlay_mount(Snapshotter *s, const char *base, char *const *chain_ids,
                         const char *target, const char *workdir, BerthError **err)
{
        _cleanup_free_ char *upper = NULL, *work = NULL, *empty = NULL;
        size_t n = strv_length(chain_ids);
        int r;

        if (asprintf(&upper, "%s/upper", workdir) < 0 || asprintf(&work, "%s/work", workdir) < 0)
                return berth_error(err, ENOMEM, "mount overlay");
        if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
                return berth_error(err, errno, "create `%s`", workdir);
        if (n == 0 && !base) {
                /* An image without layers: overlay wants at least one lower dir. */
                if (asprintf(&empty, "%s/empty", workdir) < 0 || mkdir(empty, 0755) < 0)
                        return berth_error(err, errno, "create `%s`", workdir);
                if (mount("overlay", target, "overlay", 0, "") < 0) {
                        _cleanup_free_ char *o = NULL;
                        if (asprintf(&o, "lowerdir=%s,upperdir=%s,workdir=%s", empty, upper,
                                     work) < 0)
                                return berth_error(err, ENOMEM, "mount overlay");
                        if (mount("overlay", target, "overlay", 0, o) < 0)
                                return berth_error(err, errno, "mount overlay on `%s`", target);
                }
                return 0;
        }
        /* the old path on demand, for tests on new kernels */
        if (s->opts.overlay_classic)
                r = -ENOSYS;
        else
                r = mount_new_api(s, base, chain_ids, n, target, upper, work);
        if (r == -ENOSYS || r == -EINVAL)
                r = mount_classic(s, base, chain_ids, n, target, workdir, upper, work);
        if (r < 0)
                return berth_error(err, r, "mount overlay of %zu layers on `%s`",
                                   n + !!base, target);
        return 0;
}

const SnapshotterOps overlay_ops = {
        .name = "overlay",
        .stacks_layers = true,
        .max_layers = OVERLAY_MAX_LOWER,
        .mount = overlay_mount,
};
