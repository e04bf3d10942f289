/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounting by fd with the new mount API, so that no path is looked up twice. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Clones the tree at src_fd (recursive or not), applies attr set/clear to it, and attaches it
 * on top of dst_fd. Returns -errno. */
int mount_bind_fd(int src_fd, int dst_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr);
/* A detached copy of the mount tree at src (only its top mount unless recursive) with the
 * idmapping of user namespace userns_fd (MOUNT_ATTR_IDMAP), on the whole copy when
 * recursive_idmap; to be attached with mount_attach_fd(), in any mount namespace. */
int mount_idmapped_tree(const char *src, bool recursive, int userns_fd, bool recursive_idmap,
                        int *ret);
/* A detached copy of the mount tree at src (only its top mount unless recursive). */
int mount_clone_tree(const char *src, bool recursive, int *ret);
/* Attaches the detached tree tree_fd at dst_fd. */
int mount_attach_fd(int tree_fd, int dst_fd);
/* A fresh filesystem of type fstype (options "k=v,flag,..."), detached: *ret is its root, to be
 * filled and attached with mount_attach_fd(). */
int mount_new_fs_detached(const char *fstype, const char *source, const char *options,
                          uint64_t attr_set, int *ret);
/* A fresh filesystem of type fstype (options "k=v,flag,...") mounted on top of dst_fd. */
int mount_new_fs_fd(const char *fstype, const char *source, const char *options, uint64_t attr_set,
                    int dst_fd);
/* mount_setattr(2) on the mount at fd, recursive or not. */
int mount_setattr_fd(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr,
                     uint64_t propagation);
