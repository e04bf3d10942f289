/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker's units, parsed and printed as the docker CLI does (its go-units and Go's time
 * package): memory sizes ("512m", "1.5g": 1024-based), CPU counts ("1.5"), Go durations
 * ("1m30s", "250ms"), and the human forms of `docker images` and `docker ps` ("4.26MB",
 * "About an hour").
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

/* go-units' RAMInBytes: digits with an optional fraction, an optional space, an optional unit
 * of b, k, m, g, t, p (any case) with an optional i and b. what names the flag. */
int units_parse_ram(const char *s, const char *what, int64_t *ret, BerthError **err);
/* --cpus: a positive decimal, as billionths of a CPU. */
int units_parse_cpus(const char *s, const char *what, int64_t *ret_nano, BerthError **err);
/* Go's time.ParseDuration, in nanoseconds. */
int units_parse_duration(const char *s, const char *what, int64_t *ret_nsec, BerthError **err);

/* go-units' HumanSizeWithPrecision: 1000-based units, precision significant digits. */
void units_format_size(double bytes, int precision, char buf[static 32]);
/* go-units' HumanDuration: "Less than a second", "About a minute", "3 hours", ... */
void units_format_duration(int64_t nsec, char buf[static 32]);
