/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every berth verb shares: global options and the lazily opened store. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

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
/* The pull of run and create: progress and outcome on stderr. */
int berth_pull_for_run(BerthContext *ctx, const char *image, bool missing, BerthError **err);
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
int cmd_container(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_container_prune(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_pause(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_unpause(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_rename(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_update(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_top(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_stats(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_info(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_volume(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_network(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_port(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_exec(BerthContext *ctx, int argc, char **argv, BerthError **err);
bool cmd_exec_wants_help(int argc, char **argv);
int cmd_attach(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_cp(BerthContext *ctx, int argc, char **argv, BerthError **err);
int cmd_events(BerthContext *ctx, int argc, char **argv, BerthError **err);

/* The engine over the same root, with the helpers the environment names. */
typedef struct Engine Engine;
int berth_engine_open(BerthContext *ctx, Engine **ret, BerthError **err);

/* One action per container named from argv[optind] on, each failure printed and the last one
 * returned, as docker's verbs over several containers do (cmd-container.c). */
typedef struct EngineContainer EngineContainer;
typedef int (*BerthContainerAction)(Engine *e, EngineContainer *c, void *userdata,
                                    BerthError **err);
int berth_for_each_container(BerthContext *ctx, int argc, char **argv,
                             BerthContainerAction action, void *userdata, bool print_ref,
                             BerthError **err);
/* Removes the stopped containers and prints what went, as `container prune` does. */
/* With print_total the "Total reclaimed space" line; the bytes in *ret_bytes. */
int berth_prune_containers(BerthContext *ctx, bool print_total, uint64_t *ret_bytes,
                           BerthError **err);
/* Docker's "Are you sure you want to continue? [y/N]" on stdin. */
bool berth_confirm(const char *warning);

/* Helpers shared by verbs (cmd-common.c). */
void format_size(uint64_t bytes, char *buf, size_t size);
/* also_reclaimed: bytes freed before (by container prune), added to the total printed. */
int prune_images(BerthContext *ctx, bool all, uint64_t also_reclaimed, BerthError **err);
