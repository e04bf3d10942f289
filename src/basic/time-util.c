/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basic/time-util.h"

void time_format_rfc3339_now(char *buf, size_t size)
{
        struct timespec ts;
        struct tm tm;

        /* By hand, not strftime(): no time zone files are read for a UTC stamp. */
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

uint64_t time_monotonic_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t)doe - 719468;
}

int time_parse_rfc3339(const char *s, int64_t *ret_nsec)
{
        int y, mo, d, h, mi, sec, n = 0;
        int64_t frac = 0, scale = 1000000000;

        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        s += n;
        if (*s == '.') {
                s++;
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                for (; *s >= '0' && *s <= '9'; s++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (*s - '0') * scale;
                        }
        }
        int64_t offset = 0;
        if (*s == '+' || *s == '-') {
                int oh, om;
                if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 || s[6])
                        return -EINVAL;
                offset = (*s == '+' ? 1 : -1) * ((int64_t)oh * 3600 + om * 60);
        } else if (strcmp(s, "Z") != 0 && strcmp(s, "z") != 0)
                return -EINVAL;
        int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
                       mi * 60 + sec - offset;
        *ret_nsec = secs * 1000000000 + frac;
        return 0;
}

int64_t time_now_nsec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
