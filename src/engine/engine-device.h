/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `--device HOST[:CONTAINER[:PERMS]]`: a host device node given to a container, as docker
 * parses it, with its type and numbers read from the host. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "basic/error.h"

typedef struct EngineDevice {
        char *path;             /* in the container */
        char type;              /* 'c' or 'b' */
        int64_t major, minor;
        mode_t mode;            /* the node's permission bits on the host */
        uid_t uid;
        gid_t gid;
        char permissions[4];    /* of "rwm", for the cgroup's device rule */
} EngineDevice;

void engine_device_done(EngineDevice *d);
/* Parses s and stats its host path (which must be a character or block device). */
int engine_device_parse(const char *s, EngineDevice *ret, BerthError **err);
