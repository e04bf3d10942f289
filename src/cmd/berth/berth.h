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
        int exit_code;  /* what berth exits with when not 0 (or 1 after an error) */
} BerthContext;

/* The exit status a verb wants (docker's 125, 126, 127, or the container's), and r. */
static inline int berth_exit(BerthContext *ctx, int code, int r)
{
        ctx->exit_code = code;
        return r;
}

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
int cmd_run(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_create(BerthContext *ctx, int argc, char **argv, BerthError **err);
bool cmd_run_wants_help(int argc, char **argv);
int cmd_start(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_stop(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_restart(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_kill(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_rm(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_wait(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_ps(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_logs(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_events(BerthContext *ctx, int argc, char **argv, BerthError **err);

/* The engine over the same root, with the helpers the environment names. */
typedef struct Engine Engine;
int berth_engine_open(BerthContext *ctx, Engine **ret, BerthError **err);

/* Helpers shared by verbs (cmd-common.c). */
void format_size(uint64_t bytes, char *buf, size_t size);
int prune_images(BerthContext *ctx, bool all, BerthError **err);
