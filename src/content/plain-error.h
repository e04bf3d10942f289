/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth_error() for failures that are not a syscall's: the code is kept (so callers can tell
 * ENOENT from EACCES) but strerror() is not appended to a message that already says it all. */
#pragma once

#include "basic/error.h"

int error_plain(BerthError **err, int code, const char *fmt, ...) _printf_(3, 4);
