/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker's units: see units.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "engine/units.h"

/* A decimal number with an optional fraction at *p (digits, then '.' and digits); no sign, no
 * exponent. Returns the characters taken, 0 when there is no number. */
static size_t decimal_prefix(const char *p, double *ret)
{
        size_t n = 0;
        bool digits = false;
        char buf[64];

        while (isdigit((unsigned char)p[n]))
                n++, digits = true;
        if (p[n] == '.') {
                size_t frac = n + 1;
                while (isdigit((unsigned char)p[frac]))
                        frac++;
                if (frac > n + 1 || digits)
                        n = frac, digits = true;
        }
        if (!digits || n >= sizeof(buf))
                return 0;
        memcpy(buf, p, n);
        buf[n] = 0;
        *ret = strtod(buf, NULL);
        return n;
}

int units_parse_ram(const char *s, const char *what, int64_t *ret, BerthError **err)
{
        static const char units[] = "bkmgtp";
        const char *p = s;
        double v, mult = 1;
        size_t n;

        n = decimal_prefix(p, &v);
        if (n == 0 || p[0] == '.')
                goto invalid;
        p += n;
        if (*p == ' ')
                p++;
        if (*p) {
                const char *u = strchr(units, tolower((unsigned char)*p));
                if (!u)
                        goto invalid;
                mult = ldexp(1, 10 * (int)(u - units));
                p++;
                if (u != units && (*p == 'i' || *p == 'I'))
                        p++;
                if (u != units && (*p == 'b' || *p == 'B'))
                        p++;
        }
        if (*p || v * mult >= 0x1p63)
                goto invalid;
        *ret = (int64_t)(v * mult);
        return 0;
invalid:
        return berth_error_plain(err, EINVAL, "%s: invalid size: `%s`", what, s);
}

int units_parse_cpus(const char *s, const char *what, int64_t *ret_nano, BerthError **err)
{
        double v;
        size_t n = decimal_prefix(s, &v);

        if (n == 0 || s[n] || v > 1e9)
                return berth_error_plain(err, EINVAL, "%s: `%s` is no number of CPUs", what, s);
        *ret_nano = (int64_t)llround(v * 1e9);
        return 0;
}

int units_parse_duration(const char *s, const char *what, int64_t *ret_nsec, BerthError **err)
{
        static const struct {
                const char *name;
                double nsec;
        } units[] = {
                { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
                { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
        };
        const char *p = s;
        double total = 0;
        bool neg = false;

        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (streq(p, "0")) {
                *ret_nsec = 0;
                return 0;
        }
        if (!*p)
                goto invalid;
        while (*p) {
                double v;
                size_t n = decimal_prefix(p, &v), best = 0, best_len = 0;

                if (n == 0)
                        goto invalid;
                p += n;
                for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                        size_t len = strlen(units[i].name);
                        if (strncmp(p, units[i].name, len) == 0 && len > best_len)
                                best = i, best_len = len;
                }
                if (best_len == 0)
                        goto invalid;
                total += v * units[best].nsec;
                p += best_len;
        }
        if (total >= 0x1p63)
                goto invalid;
        *ret_nsec = (int64_t)(neg ? -total : total);
        return 0;
invalid:
        return berth_error_plain(err, EINVAL, "%s: `%s` is no duration (such as 1m30s or 250ms)",
                                 what, s);
}

void units_format_size(double bytes, int precision, char buf[static 32])
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB" };
        size_t i = 0;

        while (bytes >= 1000 && i + 1 < sizeof(units) / sizeof(units[0])) {
                bytes /= 1000;
                i++;
        }
        snprintf(buf, 32, "%.*g%s", precision, bytes, units[i]);
}

void units_format_duration(int64_t nsec, char buf[static 32])
{
        double seconds = (double)nsec / 1e9;
        long long secs = (long long)seconds, minutes = (long long)(seconds / 60),
                  hours = (long long)(seconds / 3600 + 0.5);

        if (secs < 1)
                snprintf(buf, 32, "Less than a second");
        else if (secs == 1)
                snprintf(buf, 32, "1 second");
        else if (secs < 60)
                snprintf(buf, 32, "%lld seconds", secs);
        else if (minutes == 1)
                snprintf(buf, 32, "About a minute");
        else if (minutes < 60)
                snprintf(buf, 32, "%lld minutes", minutes);
        else if (hours == 1)
                snprintf(buf, 32, "About an hour");
        else if (hours < 48)
                snprintf(buf, 32, "%lld hours", hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, 32, "%lld days", hours / 24);
        else if (hours < 24 * 30 * 2)
                snprintf(buf, 32, "%lld weeks", hours / 24 / 7);
        else if (hours < 24 * 365 * 2)
                snprintf(buf, 32, "%lld months", hours / 24 / 30);
        else
                snprintf(buf, 32, "%lld years", (long long)(seconds / 3600 / 24 / 365));
}
