/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a snapshotter backend (overlay.c, copy.c) implements and may use. The parts every
 * backend shares (the snapshot directories, their rows, commit, remove, unmount, usage) are
 * snapshot.c's; the ops are what differs: how a snapshot is started and how a mount is made.
 */
#pragma once

#include "snapshot/snapshot.h"

typedef struct SnapshotterOps {
        const char *name; /* the directory <root>/snapshots/<name> and the rows' kind */
        bool stacks_layers; /* snapshotter_stacks_layers() */
        size_t max_layers;  /* snapshotter_max_layers(); SIZE_MAX: no limit */
        /* Fills dest_fd, the new snapshot's empty directory, from parent before the layer is
         * applied; NULL when a snapshot starts empty. */
        int (*prepare)(Snapshotter *s, const char *parent, int dest_fd, BerthError **err);
        /* Mounts keys (bottom first; over base when not NULL) at target, an absolute path;
         * workdir is an empty directory of this mount's own, removed with it. */
        int (*mount)(Snapshotter *s, const char *base, char *const *keys, const char *target,
                     const char *workdir, BerthError **err);
} SnapshotterOps;

struct Snapshotter {
        const SnapshotterOps *ops;
        SnapshotterOptions opts; /* opts.name is ops->name */
        Store *store;
        char *root; /* store root */
        char *dir;  /* <root>/snapshots/<name> */
        int dir_fd;
};

extern const SnapshotterOps overlay_ops;
extern const SnapshotterOps copy_ops;

/* The committed snapshot's directory, opened read-only; negative errno. */
int snapshot_open_dir(Snapshotter *s, const char *key);
