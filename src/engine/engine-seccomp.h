/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default seccomp profile (data/seccomp-default.json, built into the library), equal in
 * effect to Docker's, and its rendering for one container: the groups whose conditions hold
 * for the container's capabilities, the host's architecture and kernel become the
 * linux.seccomp object of its config.json.
 */
#pragma once

#include <stddef.h>

#include "basic/error.h"

/* The profile as shipped (for `berth system seccomp-profile`). */
const char *engine_seccomp_default_profile(size_t *ret_size);

/* Renders profile (NULL: the default) for a process whose bounding set is caps ("CAP_..."
 * names); arch is Docker's name of the architecture ("amd64"; NULL: the host's), kernel a
 * release ("6.1.0"; NULL: the host's). The result is an OCI linux.seccomp document. */
int engine_seccomp_render(const char *profile, char *const *caps, const char *arch,
                          const char *kernel, char **ret_json, BerthError **err);
