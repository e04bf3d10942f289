/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots: one directory per key under <root>/snapshots/<name>/, each layer unpacked once,
 * recorded in the store's snapshots table; mounts of them recorded in its mounts table. Keys
 * are opaque to the snapshotter, as containerd's are: image uses layer chain ids
 * "sha256:<hex>"; a key is "<prefix>:<name>" and its directory is <name>, a safe file name.
 *
 * Backends behind one ops table (snapshot-backend.h), sibling files: overlay (a snapshot holds
 * one layer's files with overlay whiteouts; a mount stacks them plus a fresh upper dir) and
 * copy (a snapshot holds the whole tree of its chain; a mount is a copy of the top one), the
 * fallback where overlayfs is missing. Callers ask what a snapshotter does
 * (snapshotter_stacks_layers()), never which one it is.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "store/store.h"

typedef struct Snapshotter Snapshotter;

/* What the program (the CLI) chooses; the library reads no environment. */
typedef struct SnapshotterOptions {
        const char *name; /* "overlay", "copy"; NULL: snapshotter_default_name() */
        /* overlay: mount with mount(2) and an option string even where the new mount API
         * exists (for tests of old kernels' path on new ones) */
        bool overlay_classic;
} SnapshotterOptions;

/* The snapshots and mounts tables, for store_open(). */
extern const StoreModule snapshot_store_module;

/* The i-th snapshotter's name, NULL past the last: for walking all of them (gc). */
const char *snapshotter_name_at(size_t i);
bool snapshotter_name_is_valid(const char *name);
/* Overlay when the kernel has it, else copy. */
const char *snapshotter_default_name(void);

/* A key's directory name, NULL when the key is not "<prefix>:<name>" with a safe name. */
const char *snapshot_key_name(const char *key);

int snapshotter_open(Store *store, const char *root, const SnapshotterOptions *opts,
                     Snapshotter **ret, BerthError **err);
void snapshotter_free(Snapshotter *s);
static inline void snapshotter_freep(Snapshotter **s)
{
        snapshotter_free(*s);
}
#define _cleanup_snapshotter_ __attribute__((cleanup(snapshotter_freep)))

const char *snapshotter_name(const Snapshotter *s);
/* True when a snapshot holds one layer and a mount stacks all of an image's (overlay): every
 * layer is unpacked on its own, with overlay whiteouts, and has no parent. False when a
 * snapshot holds the whole tree of its chain (copy): made from its parent's, and a mount
 * takes the top one alone. */
bool snapshotter_stacks_layers(const Snapshotter *s);
/* The most snapshots one mount stacks (for a stacking snapshotter), plus a base. */
#define OVERLAY_MAX_LOWER 500
size_t snapshotter_max_layers(const Snapshotter *s);
/* The snapshotter beside s whose snapshots hold whole trees, with s's options: its snapshots
 * are the base of a mount of more layers than s stacks. */
int snapshotter_open_flat(Snapshotter *s, Snapshotter **ret, BerthError **err);

/* A snapshot being filled: a temporary directory renamed into place by snapshot_commit(). */
typedef struct SnapshotTx {
        Snapshotter *s;
        char *key;
        char *parent;
        char *tmp_name;
        int fd; /* the directory to unpack into */
        bool committed;
} SnapshotTx;

/* 1 when the snapshot is committed (row and directory), 0 when not. */
int snapshot_exists(Snapshotter *s, const char *key);
int snapshot_path(Snapshotter *s, const char *key, char **ret);
/* parent: the key below, NULL for the first layer; it must exist. */
int snapshot_prepare(Snapshotter *s, const char *key, const char *parent, SnapshotTx **ret,
                     BerthError **err);
/* Another writer committing the same key first is not an error. */
int snapshot_commit(SnapshotTx *tx, const char *diff_id, BerthError **err);
void snapshot_tx_free(SnapshotTx *tx);
static inline void snapshot_tx_freep(SnapshotTx **tx)
{
        snapshot_tx_free(*tx);
}
#define _cleanup_snapshot_tx_ __attribute__((cleanup(snapshot_tx_freep)))

int snapshot_remove(Snapshotter *s, const char *key, BerthError **err);
/* The keys of this snapshotter's committed snapshots. */
int snapshot_list(Snapshotter *s, char ***ret, BerthError **err);
/* Bytes the snapshot's files take; best effort, 0 for what cannot be read. */
uint64_t snapshot_usage(Snapshotter *s, const char *key);
/* Removes leftovers of interrupted unpacks (tmp-* directories that no live unpack holds). */
int snapshot_clean_tmp(Snapshotter *s);

/* Mounts the rootfs of keys (bottom first; the last one is the image's top) at target with a
 * fresh writable layer; image_id is recorded for garbage collection. */
int snapshot_mount(Snapshotter *s, char *const *keys, const char *target, const char *image_id,
                   BerthError **err);
/* snapshot_mount() of a stacking snapshotter over base, a directory holding the flattened
 * tree of the layers below keys: for images of more than snapshotter_max_layers() layers. */
int snapshot_mount_flat(Snapshotter *s, const char *base, char *const *keys, const char *target,
                        const char *image_id, BerthError **err);
int snapshot_unmount(Snapshotter *s, const char *target, BerthError **err);

/* The mounts of every snapshotter, as the mounts table records them. */

/* 1 when a recorded mount uses image_id. */
int snapshot_image_mounted(Store *store, const char *image_id);
/* The top keys of the recorded mounts: what garbage collection must keep besides images'. */
int snapshot_mounted_keys(Store *store, char ***ret, BerthError **err);
int snapshot_count(Store *store, size_t *ret_snapshots, size_t *ret_mounts, BerthError **err);
/* Removes the work directories under <root>/mounts that no mount row names: left by a mount
 * that died half way (a crash, a kill), which had no chance to remove its own. The caller
 * holds the store lock exclusively, so no mount is being made. */
int snapshot_clean_mounts(Store *store, BerthError **err);
