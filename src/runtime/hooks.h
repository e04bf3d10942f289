/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI hooks: each runs with the container state on stdin, its env, and an optional timeout. */
#pragma once

#include "basic/error.h"
#include "spec/runtime-spec.h"

/* Runs every hook of one kind in order; stops at the first failure, with an error naming the
 * kind, the index and the path, and ending with what the hook printed (its stdout and stderr
 * are kept for that, as runc does, and dropped when it succeeds). */
int hooks_run(const Spec *spec, SpecHookKind kind, const char *state_json, BerthError **err);
/* The same; hooks without env of their own get default_env (NULL: the runtime's environment),
 * as the ones run in the container get the container process's with runc. */
int hooks_run_env(const Spec *spec, SpecHookKind kind, const char *state_json,
                  char *const *default_env, BerthError **err);
/* Like hooks_run but only logs failures and goes on (poststart, poststop). */
void hooks_run_warn(const Spec *spec, SpecHookKind kind, const char *state_json);
