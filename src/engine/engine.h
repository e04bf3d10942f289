/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine: containers made from images, run by one berth-shim each through an OCI runtime's
 * command line, their rows in the store. Every front end (the berth CLI, later the Docker API
 * and the CRI) drives containers through this handle and nothing else.
 *
 * Where a container's things are:
 *
 *   <root>/containers/<id>/          its bundle: config.json, rootfs/ (the image's layers plus
 *                                    its writable layer, mounted at create), hosts, hostname,
 *                                    resolv.conf, <id>-json.log (Docker's json-file log)
 *   <run>/containers/<id>/           the shim's state (shim.h): status.json, attach.sock, ...
 *   <run>/runtime/                   the OCI runtime's --root
 *   store: the `containers` table    id, name, image, the create request as Docker's
 *                                    Config/HostConfig JSON
 *
 * No berth process stays: the shim holds the container, and everything the engine knows comes
 * back from the row and the shim's files, so a killed or replaced berth loses nothing.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"
#include "basic/macro.h"
#include "content/content-store.h"
#include "engine/engine-spec.h"
#include "shared/restart-policy.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

struct json_object;

typedef struct EngineOptions {
        const char *root;            /* the store's directory (/var/lib/berth) */
        const char *run_dir;         /* volatile state (/run/berth/engine) */
        const SnapshotterOptions *snapshotter;
        const char *builtin_layout;  /* as for image_handle_open() */
        const char *shim_path;       /* the berth-shim binary */
        const char *runtime_path;    /* the default OCI runtime binary (berth-runtime) */
        const char *init_path;       /* berth-init, for --init */
        /* What removes a container: the command and its arguments before the container's id
         * (e.g. "/usr/bin/berth rm -v"); an auto-remove container started detached has its
         * shim run it when it ends. NULL: such containers stay until removed by hand. */
        char *const *remove_command;
        const char *cni_path;        /* CNI plugin directories, `:`-separated; NULL: Debian's
                                      * /usr/lib/cni, then /usr/libexec/cni, /opt/cni/bin */
} EngineOptions;

typedef struct Engine {
        char *root, *run_dir, *shim_path, *runtime_path, *init_path, *builtin_layout;
        char **remove_command;
        char **cni_plugin_dirs;      /* NULL: the defaults */
        SnapshotterOptions snapshotter;
        Store *store;
        ContentStore *cs;
        Snapshotter *sn;
} Engine;

int engine_open(const EngineOptions *o, Engine **ret, BerthError **err);
void engine_free(Engine *e);
static inline void engine_freep(Engine **e)
{
        engine_free(*e);
}
#define _cleanup_engine_ __attribute__((cleanup(engine_freep)))

/* Whether the store has image (the built-in one is loaded when it is asked for). */
bool engine_image_present(Engine *e, const char *image);

/* The states Docker names: created, running, paused, restarting, exited, dead. */
typedef enum EngineState {
        ENGINE_STATE_CREATED,
        ENGINE_STATE_RUNNING,
        ENGINE_STATE_PAUSED,
        ENGINE_STATE_RESTARTING,
        ENGINE_STATE_EXITED,
        ENGINE_STATE_DEAD,
} EngineState;
const char *engine_state_name(EngineState s);

/* What `berth create` asks for beyond config.json: how the shim runs the container. */
typedef struct EngineRunOptions {
        bool tty, open_stdin, auto_remove;
        RestartPolicy restart;
        char *runtime;                   /* NULL: the engine's default */
        char *stop_signal;               /* NULL: the image's, else SIGTERM */
        int stop_timeout;                /* seconds; -1: 10 */
        int64_t log_max_size;            /* bytes, 0: no rotation */
        unsigned log_max_files;
        char **health_cmd;               /* argv for the runtime's exec; NULL: none */
        int64_t health_interval, health_timeout, health_start_period; /* ns, 0: default */
        unsigned health_retries;
} EngineRunOptions;

typedef struct EngineCreateOptions {
        const char *name;                /* NULL: a generated one */
        const char *image;
        EngineSpecOptions spec;          /* rootfs, image, etc_dir, seccomp are the engine's */
        const char *user;                /* -u, resolved in the image */
        char **group_add;
        char **labels;                   /* key=value */
        char **mounts;                   /* -v, --mount, --tmpfs as given: "v:SPEC", "m:SPEC",
                                          * "t:SPEC" */
        bool init;
        const char *seccomp_profile;     /* a profile's path; "unconfined"; NULL: default */
        char **entrypoint_argv;          /* as given (for inspect) */
        char **cmd_argv;
        EngineRunOptions run;
        const struct EngineNetOptions *net; /* engine-network.h; NULL: the default network */
} EngineCreateOptions;

/* One container as the engine knows it: its row and what the shim says. */
typedef struct EngineContainer {
        char *id, *name, *image, *image_id, *created;
        char *config;                    /* {"Config":...,"HostConfig":...} */
        EngineRunOptions run;
        EngineState state;
        pid_t pid;                       /* the init's, while running */
        pid_t shim_pid;
        int exit_code;
        bool oom_killed;
        unsigned restart_count;
        char *started_at, *finished_at;  /* RFC 3339; NULL: never */
        char *health;                    /* health.json as the shim wrote it; NULL: none */
} EngineContainer;

void engine_container_free(EngineContainer *c);
static inline void engine_container_freep(EngineContainer **c)
{
        engine_container_free(*c);
}
#define _cleanup_engine_container_ __attribute__((cleanup(engine_container_freep)))
void engine_run_options_done(EngineRunOptions *r);

/* Creates the container: row, bundle, rootfs; returns its full id. */
int engine_container_create(Engine *e, const EngineCreateOptions *o, char **ret_id,
                            BerthError **err);
/* Finds a container by name, full id or unique id prefix, and reads its state. */
int engine_container_lookup(Engine *e, const char *ref, EngineContainer **ret, BerthError **err);
/* Every container (all: also those not running), newest first. */
int engine_container_list(Engine *e, bool all, EngineContainer ***ret, size_t *ret_n,
                          BerthError **err);
void engine_container_list_free(EngineContainer **list, size_t n);

typedef struct EngineStartOptions {
        bool attach;                     /* connect to the attach socket before the start */
} EngineStartOptions;
/* Starts the container's shim and waits until the container runs. With attach, *ret_attach_fd
 * is the attach socket, connected before the container's process started (nothing it writes
 * is missed). */
int engine_container_start(Engine *e, EngineContainer *c, const EngineStartOptions *o,
                           int *ret_attach_fd, BerthError **err);
/* Sends a signal to the container's init (the restart policy stays as it is). */
int engine_container_kill(Engine *e, EngineContainer *c, int sig, BerthError **err);
/* The stop signal, then SIGKILL after timeout seconds (-1: the container's own); no restart
 * follows. Waits until it has exited. */
int engine_container_stop(Engine *e, EngineContainer *c, int timeout, BerthError **err);
/* Waits until the container has exited (and its shim has finished); the exit code. */
int engine_container_wait(Engine *e, EngineContainer *c, int *ret_code, BerthError **err);
/* Removes a container that is not running (force: stops it first with SIGKILL); volumes: its
 * anonymous volumes too (those no other container uses). */
int engine_container_remove(Engine *e, EngineContainer *c, bool force, bool volumes,
                            BerthError **err);
/* --rm (container-autoremove.c): the shim's exit command removes the container once it has
 * ended, after any client that holds it. A foreground run or start -a holds it from before the
 * start until it has read the exit code and removed the container itself; one killed on the way
 * lets the shim's removal go ahead. hold returns an fd to close when done. */
int engine_container_hold(Engine *e, const EngineContainer *c, int *ret_fd, BerthError **err);
int engine_container_auto_remove(Engine *e, const char *id, BerthError **err);
/* Re-reads the shim's state into c. */
int engine_container_refresh(Engine *e, EngineContainer *c);

/* Paths of a container's things; the caller frees them. */
char *engine_container_dir(const Engine *e, const char *id);
char *engine_container_state_dir(const Engine *e, const char *id);
char *engine_container_log_path(const Engine *e, const char *id);
/* The cgroupsPath the engine gives a container: "/berth/<id>". */
char *engine_container_cgroup(const char *id);

/* ---- what inspect, ps, top, stats, pause, rename, update, prune and info add ---- */

/* Docker's container inspect document (container-inspect.c). */
int engine_container_inspect(Engine *e, EngineContainer *c, struct json_object **ret,
                             BerthError **err);

/* `ps --filter KEY=VALUE` (container-filter.c): filters of one key match when any of their
 * values does, filters of different keys all have to match, as docker's. Keys: status, name
 * (a substring: docker's is a regular expression), id (a prefix), label (KEY or KEY=VALUE),
 * exited (an exit code), ancestor (an image name or id). */
typedef struct EngineFilter EngineFilter;
int engine_filter_add(EngineFilter **f, const char *spec, BerthError **err);
/* The image ids of the ancestor filters, so an image given by another name matches too. */
void engine_filter_resolve(EngineFilter *f, Engine *e);
bool engine_filter_match(const EngineFilter *f, const EngineContainer *c);
void engine_filter_free(EngineFilter *f);
static inline void engine_filter_freep(EngineFilter **f)
{
        engine_filter_free(*f);
}
#define _cleanup_engine_filter_ __attribute__((cleanup(engine_filter_freep)))

/* Pause and unpause through the runtime; the mark `paused` in the shim's state directory
 * tells the state (container-control.c). */
int engine_container_pause(Engine *e, EngineContainer *c, BerthError **err);
int engine_container_unpause(Engine *e, EngineContainer *c, BerthError **err);
/* A new name, by the rules of create; unique. */
int engine_container_rename(Engine *e, EngineContainer *c, const char *name, BerthError **err);
bool engine_container_name_is_valid(const char *name);

/* `update`'s resources: a field < 0 is not changed (memory_swap: INT64_MIN). */
typedef struct EngineUpdateOptions {
        int64_t memory, memory_swap, nano_cpus, cpu_shares, pids_limit;
        const char *cpuset_cpus;         /* NULL: unchanged */
        const RestartPolicy *restart;    /* NULL: unchanged */
} EngineUpdateOptions;
#define ENGINE_UPDATE_OPTIONS_INIT                                                       \
        { .memory = -1, .memory_swap = INT64_MIN, .nano_cpus = -1, .cpu_shares = -1,      \
          .pids_limit = -1 }
/* The runtime's `update` for a running container, the limits in config.json for its next
 * start, and the row's HostConfig (container-update.c). A new restart policy is the row's
 * only: a running shim keeps the policy it was started with until the next start. */
int engine_container_update(Engine *e, EngineContainer *c, const EngineUpdateOptions *o,
                            BerthError **err);

/* Removes every container that is not running, paused or restarting; their ids, and the
 * bytes their directories held (container-prune.c). */
int engine_container_prune(Engine *e, char ***ret_ids, uint64_t *ret_bytes, BerthError **err);

/* `top`: the container's processes as Docker's {"Titles":[...],"Processes":[[...]]}, from the
 * host's ps run with ps_args (NULL: -ef) limited to the pids the runtime names
 * (container-top.c). */
int engine_container_top(Engine *e, EngineContainer *c, char *const *ps_args,
                         struct json_object **ret, BerthError **err);

/* One reading of a container's cgroup (container-stats.c). */
typedef struct EngineStatsSample {
        uint64_t cpu_ns;                 /* the container's CPU time */
        uint64_t system_ns;              /* the host's CPU time, all CPUs (/proc/stat) */
        unsigned online_cpus;
        uint64_t mem_usage, mem_limit;   /* limit: the host's memory when unlimited */
        uint64_t pids;
        uint64_t blk_read, blk_write;
        uint64_t net_rx, net_tx;
} EngineStatsSample;
int engine_container_stats_sample(Engine *e, EngineContainer *c, EngineStatsSample *ret,
                                  BerthError **err);
/* Docker's CPU %: the container's share of the host's CPU time between two samples, times
 * the CPUs. */
double engine_stats_cpu_percent(const EngineStatsSample *before, const EngineStatsSample *now);
double engine_stats_mem_percent(const EngineStatsSample *s);

/* `info`: Docker's system info document (engine-info.c). */
int engine_info(Engine *e, struct json_object **ret, BerthError **err);
/* The runtime's `--version` output (NULL runtime: the default). */
int engine_runtime_version(Engine *e, const char *runtime, char **ret, BerthError **err);
