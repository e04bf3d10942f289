/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every berth verb shares: global options and the lazily opened store. */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "cmd/berth/environment.h"
#include "content/content-store.h"
#include "store/store.h"
#include "snapshot/snapshot.h"

typedef struct BerthContext {
        BerthEnvironment env;
        const char *root;
        bool quiet;
        bool debug;
        SnapshotterOptions snapshotter;
        Store *md;
        ContentStore *cs;
        Snapshotter *sn;
} BerthContext;

/* Opens the store, the content store and the snapshotter under ctx->root. */
int berth_context_open(BerthContext *ctx, BerthError **err);
/* berth_context_open() and the store lock: shared, or exclusive to remove things. */
int berth_context_open_locked(BerthContext *ctx, bool exclusive, BerthError **err);
/* The progress renderer of pull and push: bars on a terminal, lines otherwise, none with -q. */
typedef struct ProgressRender ProgressRender;
ProgressRender *berth_progress_new(const BerthContext *ctx);

typedef int (*VerbFunc)(BerthContext *ctx, int argc, char **argv, BerthError **err);

int cmd_pull(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_push(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_images(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_rmi(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_tag(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_inspect(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_load(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_save(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_import(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_login(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_logout(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_image(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_system(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_mount(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_unmount(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_version(BerthContext *ctx, int argc, char **argv, BerthError **err);

/* Helpers shared by verbs (cmd-common.c). */
void format_size(uint64_t bytes, char *buf, size_t size);
int prune_images(BerthContext *ctx, bool all, BerthError **err);
