/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * From image and flags to config.json, with Docker's defaults: its capability set, masked and
 * read-only paths, mounts (/dev/shm of --shm-size, /etc/hosts, /etc/hostname and
 * /etc/resolv.conf bound from the container's directory), device rules, namespaces, and what
 * `--privileged` lifts. The document is the runtime's contract: any runc-compatible runtime
 * takes it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "engine/engine-device.h"
#include "engine/engine-user.h"
#include "engine/mount-spec.h"
#include "image/image-config.h"

typedef struct EngineUlimit {
        const char *name;       /* nofile, nproc, ... as docker names them */
        uint64_t soft, hard;
} EngineUlimit;

typedef struct EngineSpecOptions {
        const char *rootfs;             /* absolute: the container's mounted rootfs */
        const ImageRunConfig *image;    /* NULL: nothing from an image */
        char **entrypoint;              /* --entrypoint; with has_entrypoint, an empty list
                                         * clears the image's */
        bool has_entrypoint;
        char **cmd;                     /* the arguments after the image; NULL: its Cmd */
        char **env;                     /* KEY=VALUE, over the image's */
        const ExecUser *user;           /* resolved -u and --group-add */
        const char *workdir;
        const char *hostname;
        bool terminal;
        bool read_only;
        bool privileged;
        bool no_new_privileges;
        char **cap_add, **cap_drop;     /* "NET_ADMIN", "CAP_NET_ADMIN" or "ALL" */
        int64_t memory, memory_swap;    /* bytes; swap -1: unlimited; 0: unset */
        int64_t cpu_shares, nano_cpus, pids_limit, shm_size;
        const char *cpuset_cpus;
        char **sysctls;                 /* key=value */
        const EngineUlimit *ulimits;
        size_t n_ulimits;
        const MountSpec *mounts;        /* sources resolved to host paths */
        size_t n_mounts;
        const EngineDevice *devices;    /* --device: nodes made in its /dev, and allowed */
        size_t n_devices;
        const char *netns;              /* NULL: a new one; "host": the host's; else a path */
        const char *etc_dir;            /* holds hosts, hostname and resolv.conf; NULL: none */
        const char *seccomp_json;       /* a profile document; NULL: unconfined */
        const char *init_path;          /* --init: this binary runs as PID 1 */
        const char *cgroups_path;
        char **annotations;             /* key=value */
} EngineSpecOptions;

/* Docker's default capabilities, without the CAP_ prefix. */
extern const char *const engine_spec_default_caps[];

int engine_spec_build(const EngineSpecOptions *o, char **ret_json, BerthError **err);
/* The bounding set the container gets ("CAP_..." names): the default set, --cap-add and
 * --cap-drop, or every capability when privileged. For rendering the seccomp profile. */
int engine_spec_capabilities(const EngineSpecOptions *o, char ***ret, BerthError **err);
