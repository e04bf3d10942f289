/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parser of time-arg.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/time-arg.h"
#include "engine/units.h"

#define NSEC_PER_SEC 1000000000LL
#define TIME_ARG_MAX 64

/* "SECONDS[.FRACTION]", the fraction scaled to nanoseconds as docker does. */
static int parse_unix(const char *s, int64_t *ret)
{
        char whole[32];
        int64_t sec, nsec = 0;
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);

        if (n == 0 || n >= sizeof(whole))
                return -EINVAL;
        memcpy(whole, s, n);
        whole[n] = 0;
        if (string_safe_atoi64(whole, &sec) < 0 || sec > INT64_MAX / NSEC_PER_SEC - 1)
                return -EINVAL;
        if (dot) {
                const char *f = dot + 1;
                size_t len = strlen(f);
                if (len == 0 || len > 9 || strspn(f, "0123456789") != len)
                        return -EINVAL;
                for (size_t i = 0; i < 9; i++)
                        nsec = nsec * 10 + (i < len ? f[i] - '0' : 0);
        }
        *ret = sec * NSEC_PER_SEC + nsec;
        return 0;
}

/* A stamp without a zone, in local time: a date, then optionally "THH", ":MM", ":SS", ".F". */
static int parse_local(const char *s, int64_t *ret)
{
        struct tm tm = { .tm_isdst = -1 };
        int y, mo, d, n = 0, h = 0, mi = 0, sec = 0;
        int64_t frac = 0;

        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
                return -EINVAL;
        s += n;
        if (*s == 'T') {
                if (sscanf(s, "T%2d%n", &h, &n) != 1 || n != 3)
                        return -EINVAL;
                s += n;
                if (*s == ':') {
                        if (sscanf(s, ":%2d%n", &mi, &n) != 1 || n != 3)
                                return -EINVAL;
                        s += n;
                        if (*s == ':') {
                                if (sscanf(s, ":%2d%n", &sec, &n) != 1 || n != 3)
                                        return -EINVAL;
                                s += n;
                                if (*s == '.') {
                                        size_t len = strspn(s + 1, "0123456789");
                                        if (len == 0 || len > 9)
                                                return -EINVAL;
                                        for (size_t i = 0; i < 9; i++)
                                                frac = frac * 10 + (i < len ? s[1 + i] - '0' : 0);
                                        s += 1 + len;
                                }
                        }
                }
        }
        if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        time_t t = mktime(&tm);
        if (t == (time_t)-1)
                return -EINVAL;
        *ret = (int64_t)t * NSEC_PER_SEC + frac;
        return 0;
}

int time_arg_parse(const char *s, const char *what, int64_t now_nsec, int64_t *ret_nsec,
                   BerthError **err)
{
        int64_t d;

        if (!s || strlen(s) > TIME_ARG_MAX)
                return berth_error_plain(err, EINVAL, "%s: the time is too long", what);
        if (!streq(s, "0") && units_parse_duration(s, what, &d, NULL) >= 0) {
                /* docker sends whole seconds */
                *ret_nsec = (now_nsec - d) / NSEC_PER_SEC * NSEC_PER_SEC;
                return 0;
        }
        if (strchr(s, '-')) {
                if (time_parse_rfc3339(s, ret_nsec) >= 0 || parse_local(s, ret_nsec) >= 0)
                        return 0;
        } else if (parse_unix(s, ret_nsec) >= 0)
                return 0;
        return berth_error_plain(err, EINVAL, "%s: `%s` is neither a time nor a duration", what,
                                 s);
}
