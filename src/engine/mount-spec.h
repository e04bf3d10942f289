/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mounts a user asks for, as docker parses them: `-v SRC:DST[:MODE]` (a bind when SRC is
 * absolute, else a named volume; no SRC: an anonymous volume), `--mount type=...,source=...,
 * target=...`, `--tmpfs DST[:OPTIONS]`. What they become in config.json is the engine's
 * business; this is only the grammar, with Docker's rules and clear errors.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"

typedef enum MountSpecKind {
        MOUNT_SPEC_BIND,
        MOUNT_SPEC_VOLUME,
        MOUNT_SPEC_TMPFS,
} MountSpecKind;

typedef struct MountSpec {
        MountSpecKind kind;
        char *source;           /* host path (bind) or volume name; NULL: anonymous volume */
        char *target;
        bool readonly;
        bool nocopy;            /* volume: do not copy the image's files into a new volume */
        char *propagation;      /* bind: private, rprivate, shared, ... NULL: Docker's rprivate */
        bool non_recursive;     /* bind: not rbind */
        int64_t tmpfs_size;     /* bytes, 0: the kernel's default */
        mode_t tmpfs_mode;      /* 0: 1777 */
        char *tmpfs_options;    /* --tmpfs: the mount options as given */
} MountSpec;

void mount_spec_done(MountSpec *m);

int mount_spec_parse_volume(const char *s, MountSpec *ret, BerthError **err);
int mount_spec_parse_mount(const char *s, MountSpec *ret, BerthError **err);
int mount_spec_parse_tmpfs(const char *s, MountSpec *ret, BerthError **err);

/* Docker's volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool mount_spec_volume_name_is_valid(const char *name);
