/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI hooks: each runs with the container state on stdin, its env, and an optional timeout. */
#pragma once

#include "basic/error.h"
#include "spec/runtime-spec.h"

/* Runs every hook of one kind in order; stops at the first failure, with an error naming the
 * kind, the index and the path. */
int hooks_run(const Spec *spec, SpecHookKind kind, const char *state_json, BerthError **err);
/* Like hooks_run but only logs failures and goes on (poststart, poststop). */
void hooks_run_warn(const Spec *spec, SpecHookKind kind, const char *state_json);
