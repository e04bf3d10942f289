/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "content/plain-error.h"

int error_plain(BerthError **err, int code, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        int e = code < 0 ? -code : code;
        va_list ap;

        if (!err)
                return e ? -e : -EINVAL;
        if (*err)
                return berth_error_code(*err);
        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        berth_error(err, 0, "%s", text ?: "out of memory");
        if (*err && e)
                (*err)->errnum = e;
        return e ? -e : -EINVAL;
}
