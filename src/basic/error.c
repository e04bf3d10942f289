/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "basic/error.h"

static int error_setv(BerthError **err, int errnum, bool append_strerror, const char *fmt,
                      va_list ap) _printf_(4, 0);

static int error_setv(BerthError **err, int errnum, bool append_strerror, const char *fmt,
                      va_list ap)
{
        int e = errnum < 0 ? -errnum : errnum;
        _cleanup_free_ char *text = NULL;

        if (!err)
                return e ? -e : -EINVAL;
        if (*err)
                return berth_error_code(*err);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;

        BerthError *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        n->errnum = e;
        if (append_strerror && e && text) {
                if (asprintf(&n->msg, "%s: %s", text, strerror(e)) < 0)
                        n->msg = NULL;
        } else
                n->msg = TAKE_PTR(text);
        if (!n->msg)
                n->msg = strdup("out of memory");
        *err = n;
        return e ? -e : -EINVAL;
}

int berth_error(BerthError **err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(err, errnum, true, fmt, ap);
        va_end(ap);
        return r;
}

int berth_error_plain(BerthError **err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(err, errnum, false, fmt, ap);
        va_end(ap);
        return r;
}

int berth_error_prefix(BerthError **err, const char *fmt, ...)
{
        _cleanup_free_ char *ctx = NULL;
        char *joined;
        va_list ap;

        if (!err || !*err)
                return -EINVAL;
        va_start(ap, fmt);
        if (vasprintf(&ctx, fmt, ap) < 0)
                ctx = NULL;
        va_end(ap);
        if (ctx && asprintf(&joined, "%s: %s", ctx, (*err)->msg) >= 0) {
                free((*err)->msg);
                (*err)->msg = joined;
        }
        return berth_error_code(*err);
}

int berth_error_code(const BerthError *err)
{
        if (!err)
                return 0;
        return err->errnum ? -err->errnum : -EINVAL;
}

void berth_error_free(BerthError **err)
{
        if (!err || !*err)
                return;
        free((*err)->msg);
        free(*err);
        *err = NULL;
}
