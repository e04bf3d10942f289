/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timestamps as runc writes them, and the monotonic clock. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The current UTC time in RFC 3339 with nanoseconds, e.g. 2026-11-28T16:30:02.015666453Z. */
void time_format_rfc3339_now(char *buf, size_t size);

/* CLOCK_MONOTONIC in microseconds: for timeouts and durations. */
uint64_t time_monotonic_usec(void);

/* "2026-11-28T16:30:02.015666453Z" (or with a +hh:mm offset, fraction optional) into UTC
 * nanoseconds since the epoch; -EINVAL when it is not such a stamp. */
int time_parse_rfc3339(const char *s, int64_t *ret_nsec);
/* CLOCK_REALTIME in nanoseconds. */
int64_t time_now_nsec(void);
