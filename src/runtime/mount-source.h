/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bind mount sources the init cannot open itself, as runc does (procMountPlease): an idmapped
 * mount (inside its user namespace the init may not idmap a host filesystem), or a source its
 * user namespace cannot reach (a directory only the host's root may search). The init asks
 * when it comes to that mount; the runtime makes a detached tree of the source from inside the
 * init's mount namespace, so a source inside an earlier mount of the container is found, with
 * the runtime's credentials, and hands it over to be attached.
 */
#pragma once

#include <sys/types.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

/* The init's side: asks over sync_fd for mounts[index]'s source tree. */
int mount_source_request(int sync_fd, size_t index, int *ret_tree, BerthError **err);
/* The runtime's side, for a request read from sync_fd: makes the tree of mounts[index] (bundle
 * resolves a relative source) in the mount namespace of init and sends it, or why not, to the
 * init. Fails only when the init cannot be told. */
int mount_source_serve(const Spec *spec, const char *bundle, pid_t init, int sync_fd,
                       int32_t index, BerthError **err);
