/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's root filesystem, set up by its init in its own mount namespace: mounts,
 * devices, pivot_root, then masked and read-only paths. Every destination is resolved inside
 * the rootfs (chase_in_root), never through a link out of it.
 */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

typedef struct CgroupMountInfo CgroupMountInfo;

typedef struct RootfsContext {
        const Spec *spec;
        const char *rootfs; /* absolute host path */
        const char *bundle; /* absolute: relative bind sources are relative to it */
        bool userns;        /* in a new user namespace: no mknod, flags of binds may be locked */
        bool new_cgroupns;
        int rootfd;         /* O_PATH of the root once it is a mount of its own */
        int devnull;        /* the container's /dev/null, verified, for masking */
        char **cgroup_paths; /* "hierarchy-mountpoint\tpath" pairs of the init's own cgroups */
        /* Waits until the init is in its cgroup, then records its cgroups and makes its
         * cgroup namespace; called before the first cgroup mount and after all mounts. */
        int (*enter_cgroup)(struct RootfsContext *ctx, BerthError **err);
        void *userdata;
        bool cgroup_entered;
        /* Where to ask the runtime for the source of an idmapped bind mount, or of one the
         * init cannot open itself (mount-source.h); -1: nowhere. */
        int source_fd;
} RootfsContext;

/* Before the createContainer hooks: propagation, the rootfs bind, mounts and devices. */
int rootfs_prepare(RootfsContext *ctx, BerthError **err);
/* pivot_root (or MS_MOVE + chroot with no_pivot) into the prepared root. */
int rootfs_pivot(RootfsContext *ctx, bool no_pivot, BerthError **err);
/* After the pivot: masked paths, read-only paths, a read-only root, the root's propagation. */
int rootfs_finalize(RootfsContext *ctx, BerthError **err);
/* Last, once the console is there: a read-only tmpfs or /dev mount becomes read-only. */
int rootfs_remount_readonly(RootfsContext *ctx, BerthError **err);
/* Binds the pty slave at slave_path onto /dev/console (after the pivot). */
int rootfs_bind_console(const char *slave_path, BerthError **err);
void rootfs_context_done(RootfsContext *ctx);

/* Records the cgroups the calling process is in, before a cgroup namespace hides them. */
int rootfs_capture_cgroups(RootfsContext *ctx, BerthError **err);

/* devices.c */
int devices_create_defaults(RootfsContext *ctx, BerthError **err);
int devices_create_config(RootfsContext *ctx, BerthError **err);
int devices_create_links(RootfsContext *ctx, BerthError **err);
