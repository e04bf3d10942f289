/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* -e and --env-file, as run, create and exec take them. */
#pragma once

#include "basic/error.h"

/* -e KEY=VALUE, or -e KEY for the value this process has (skipped when it has none). */
int env_flags_add(char ***env, const char *s);
/* --env-file: KEY=VALUE or KEY lines, blank lines and # comments skipped. */
int env_flags_add_file(char ***env, const char *path, BerthError **err);
