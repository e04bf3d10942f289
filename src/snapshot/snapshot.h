/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots: one directory per layer chain ID under <root>/snapshots/<kind>/<hex>, each layer
 * unpacked once. Two kinds behind one interface, in sibling files: overlay (a snapshot holds
 * one layer's files with overlay whiteouts; a rootfs is an overlay of them plus a fresh upper
 * dir) and copy (a snapshot holds the whole flattened tree; a rootfs is a copy of it), the
 * fallback where overlayfs is missing.
 */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "store/metadata.h"

typedef enum SnapshotKind {
        SNAPSHOT_OVERLAY,
        SNAPSHOT_COPY,
        _SNAPSHOT_KIND_MAX,
} SnapshotKind;

typedef struct Snapshotter {
        Metadata *md;
        char *root; /* store root */
        SnapshotKind kind;
        char *dir; /* <root>/snapshots/<kind> */
        int dir_fd;
} Snapshotter;

/* A snapshot being filled: a temporary directory renamed into place by snapshot_commit(). */
typedef struct SnapshotTx {
        Snapshotter *s;
        char *chain_id;
        char *parent;
        char *tmp_name;
        int fd; /* the directory to unpack into */
        bool committed;
} SnapshotTx;

const char *snapshot_kind_to_string(SnapshotKind k);
int snapshot_kind_from_string(const char *s, SnapshotKind *ret);
/* Overlay when the kernel has it, else copy; BERTH_SNAPSHOTTER overrides. */
SnapshotKind snapshot_kind_default(void);

int snapshotter_open(Metadata *md, const char *root, SnapshotKind kind, Snapshotter **ret,
                     BerthError **err);
void snapshotter_free(Snapshotter *s);
static inline void snapshotter_freep(Snapshotter **s)
{
        snapshotter_free(*s);
}
#define _cleanup_snapshotter_ __attribute__((cleanup(snapshotter_freep)))

/* 1 when the snapshot is committed (row and directory), 0 when not. */
int snapshot_exists(Snapshotter *s, const char *chain_id);
int snapshot_path(Snapshotter *s, const char *chain_id, char **ret);
/* parent: the chain ID below, NULL for the first layer; it must exist. */
int snapshot_prepare(Snapshotter *s, const char *chain_id, const char *parent, SnapshotTx **ret,
                     BerthError **err);
/* Another writer committing the same chain ID first is not an error. */
int snapshot_commit(SnapshotTx *tx, const char *diff_id, BerthError **err);
void snapshot_tx_free(SnapshotTx *tx);
static inline void snapshot_tx_freep(SnapshotTx **tx)
{
        snapshot_tx_free(*tx);
}
#define _cleanup_snapshot_tx_ __attribute__((cleanup(snapshot_tx_freep)))

int snapshot_remove(Snapshotter *s, const char *chain_id, BerthError **err);
/* Removes leftovers of interrupted unpacks (tmp-* directories that no live unpack holds). */
int snapshot_clean_tmp(Snapshotter *s);

/* Mounts the rootfs of chain_ids (bottom first; the last one is the image's top) at target
 * with a fresh writable layer; image_id is recorded for garbage collection. */
int snapshot_mount(Snapshotter *s, char *const *chain_ids, const char *target,
                   const char *image_id, BerthError **err);
/* The most lower dirs one overlay mount stacks (the kernel's OVL_MAX_STACK). */
#define OVERLAY_MAX_LOWER 500
/* snapshot_mount() of an overlay snapshotter over base, a directory holding the flattened
 * tree of the layers below chain_ids: for images of more than OVERLAY_MAX_LOWER layers. */
int snapshot_mount_flat(Snapshotter *s, const char *base, char *const *chain_ids,
                        const char *target, const char *image_id, BerthError **err);
int snapshot_unmount(Snapshotter *s, const char *target, BerthError **err);

/* Backends (overlay.c, copy.c). */
int overlay_mount(Snapshotter *s, const char *base, char *const *chain_ids, const char *target,
                  const char *workdir, BerthError **err);
int copy_prepare(Snapshotter *s, const char *parent, int dest_fd, BerthError **err);
int copy_mount(Snapshotter *s, char *const *chain_ids, const char *target, const char *workdir,
               BerthError **err);
