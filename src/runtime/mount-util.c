/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "basic/macro.h"
#include "runtime/mount-util.h"

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
        return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                          unsigned flags)
{
        return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *a)
{
        return (int)syscall(SYS_mount_setattr, dfd, path, flags, a, sizeof(*a));
}

int mount_setattr_fd(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                     uint64_t propagation)
{
        struct mount_attr a = {
                .attr_set = attr_set,
                .attr_clr = attr_clr,
                .propagation = propagation,
        };
        if (!attr_set && !attr_clr && !propagation)
                return 0;
        if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a) < 0)
                return -errno;
        return 0;
}

int mount_bind_fd(int src_fd, int dst_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr)
{
        _cleanup_close_ int tree = sys_open_tree(src_fd, "",
                                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                         AT_EMPTY_PATH |
                                                         (recursive ? AT_RECURSIVE : 0));
        if (tree < 0)
                return -errno;
        int r = mount_setattr_fd(tree, recursive, attr_set, attr_clr, 0);
        if (r < 0)
                return r;
        if (sys_move_mount(tree, "", dst_fd, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

int mount_idmapped_tree(const char *src, bool recursive, int userns_fd, bool recursive_idmap,
                        int *ret)
{
        _cleanup_close_ int tree = sys_open_tree(AT_FDCWD, src,
                                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                         (recursive ? AT_RECURSIVE : 0));
        if (tree < 0)
                return -errno;
        struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
        if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (recursive_idmap ? AT_RECURSIVE : 0),
                              &a) < 0)
                return -errno;
        *ret = TAKE_FD(tree);
        return 0;
}

int mount_clone_tree(const char *src, bool recursive, int *ret)
{
        int tree = sys_open_tree(AT_FDCWD, src,
                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                         (recursive ? AT_RECURSIVE : 0));
        if (tree < 0)
                return -errno;
        *ret = tree;
        return 0;
}

int mount_attach_fd(int tree_fd, int dst_fd)
{
        if (sys_move_mount(tree_fd, "", dst_fd, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

int mount_new_fs_detached(const char *fstype, const char *source, const char *options,
                          uint64_t attr_set, int *ret)
{
        _cleanup_close_ int fsfd = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return -errno;
        if (source && syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                return -errno;
        if (options && *options) {
                _cleanup_free_ char *copy = strdup(options);
                char *save = NULL;
                if (!copy)
                        return -ENOMEM;
                for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                        char *eq = strchr(o, '=');
                        long k;
                        if (eq) {
                                *eq = 0;
                                k = syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, o, eq + 1, 0);
                        } else
                                k = syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_FLAG, o, NULL, 0);
                        if (k < 0)
                                return -errno;
                }
        }
        if (syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, (unsigned)attr_set);
        if (mfd < 0)
                return -errno;
        *ret = mfd;
        return 0;
}

int mount_new_fs_fd(const char *fstype, const char *source, const char *options, uint64_t attr_set,
                    int dst_fd)
{
        _cleanup_close_ int mfd = -1;
        int r = mount_new_fs_detached(fstype, source, options, attr_set, &mfd);
        if (r < 0)
                return r;
        return mount_attach_fd(mfd, dst_fd);
}
