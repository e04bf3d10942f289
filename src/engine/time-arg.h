/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The times of --since and --until as the docker CLI reads them (its timetypes.GetTimestamp):
 * a Go duration back from now ("10m", "1h30m"; whole seconds), a Unix timestamp with an
 * optional fraction ("1796416578.5"), or an RFC 3339 stamp, also without a zone (local time),
 * without seconds or as a date only ("2026-12-05", "2026-12-05T06:30").
 */
#pragma once

#include <stdint.h>

#include "basic/error.h"

/* s into nanoseconds since the epoch; what names the flag in the error. */
int time_arg_parse(const char *s, const char *what, int64_t now_nsec, int64_t *ret_nsec,
                   BerthError **err);
