/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error object of user-visible operations: set once where a failure starts, callers add
 * context with berth_error_prefix(), and only main() prints it.
 */
#pragma once

#include "basic/macro.h"

typedef struct BerthError {
        int errnum; /* positive errno, or 0 when the failure is not a syscall's */
        char *msg;
} BerthError;

/* Sets *err (unless already set) and returns a negative number: -errnum, or -EINVAL. errnum may
 * be given with either sign, so a helper's -errno return can be passed through as it is. */
int berth_error(BerthError **err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* The same without appending strerror(errnum): for a message that already says it (one from
 * the container's init, or a protocol error whose code is only kept for the exit path). */
int berth_error_plain(BerthError **err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Prepends "context: " to an existing error and returns its negative code. */
int berth_error_prefix(BerthError **err, const char *fmt, ...) _printf_(2, 3);

/* The negative code carried by an error. */
int berth_error_code(const BerthError *err);

void berth_error_free(BerthError **err);
#define _cleanup_error_ _cleanup_(berth_error_free)
