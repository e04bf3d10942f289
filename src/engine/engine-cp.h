/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `docker cp` between a container's rootfs and the host, or a tar stream: Docker's rules for a
 * destination that exists (a directory gets the source inside it, a file is replaced) or not
 * (the source takes its name; its parent must exist), and for a source ending in "/." (a
 * directory's contents). Every path in the container is resolved inside its rootfs, links
 * included. The container's bind mounts and volumes are not in the rootfs: they are not seen.
 */
#pragma once

#include <stdbool.h>

#include "engine/engine.h"

typedef struct EngineCpOptions {
        bool archive;            /* keep owners (-a); else the copies are the caller's */
        bool follow_link;        /* a source that is a symlink: what it points to (-L) */
} EngineCpOptions;

/* src in the container to dest on the host; dest NULL: a tar of src to out_fd. */
int engine_cp_from_container(Engine *e, EngineContainer *c, const char *src, const char *dest,
                             int out_fd, const EngineCpOptions *o, BerthError **err);
/* src on the host to dest in the container; src NULL: a tar read from in_fd, unpacked in the
 * directory dest. */
int engine_cp_to_container(Engine *e, EngineContainer *c, const char *src, int in_fd,
                           const char *dest, const EngineCpOptions *o, BerthError **err);
