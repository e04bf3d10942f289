/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network namespaces held by a file, as `ip netns add` and podman hold them: an nsfs bind
 * mount on an empty file under a directory of the caller's (/run/berth/netns), so the
 * namespace outlives every process in it and is found again by its path.
 */
#pragma once

#include <stdbool.h>

#include "basic/error.h"

/* Creates a new network namespace at dir/name, its loopback up; its path in *ret_path. An
 * existing name is refused (EEXIST). */
int netns_create(const char *dir, const char *name, char **ret_path, BerthError **err);
/* Unmounts and removes it; a path that is gone already is fine. */
int netns_remove(const char *path, BerthError **err);
/* Whether path holds a network namespace (an nsfs mount). */
bool netns_is_held(const char *path);
