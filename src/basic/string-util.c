/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>

#include "basic/string-util.h"

size_t strv_length(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

void strv_free(char **l)
{
        strv_freep(&l);
}

int strv_push(char ***l, char *s)
{
        size_t n = strv_length(*l);
        char **m = realloc(*l, sizeof(char *) * (n + 2));
        if (!m)
                return -ENOMEM;
        m[n] = s;
        m[n + 1] = NULL;
        *l = m;
        return 0;
}

int strv_extend(char ***l, const char *s)
{
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        int r = strv_push(l, c);
        if (r < 0)
                free(c);
        return r;
}

char **strv_copy(char *const *l)
{
        size_t n = strv_length(l);
        char **c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (!(c[i] = strdup(l[i]))) {
                        strv_free(c);
                        return NULL;
                }
        return c;
}

bool strv_contains(char *const *l, const char *s)
{
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

void string_json_escape(const char *s, char *buf, size_t size)
{
        size_t o = 0;

        if (size == 0)
                return;
        for (; *s && o + 7 < size; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\') {
                        buf[o++] = '\\';
                        buf[o++] = (char)c;
                } else if (c == '\n') {
                        buf[o++] = '\\';
                        buf[o++] = 'n';
                } else if (c == '\t') {
                        buf[o++] = '\\';
                        buf[o++] = 't';
                } else if (c < 0x20)
                        o += (size_t)snprintf(buf + o, size - o, "\\u%04x", c);
                else
                        buf[o++] = (char)c;
        }
        buf[o] = 0;
}

int string_safe_atou64(const char *s, uint64_t *ret)
{
        char *end;

        if (isempty(s) || !isdigit((unsigned char)s[0]))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno)
                return -errno;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int string_safe_atoi64(const char *s, int64_t *ret)
{
        char *end;

        if (isempty(s) || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
                return -EINVAL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno)
                return -errno;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int string_safe_atoi(const char *s, int *ret)
{
        int64_t v;
        int r = string_safe_atoi64(s, &v);
        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int)v;
        return 0;
}

char *string_strip(char *s)
{
        size_t n;

        s += strspn(s, " \t\r\n");
        n = strlen(s);
        while (n > 0 && strchr(" \t\r\n", s[n - 1]))
                s[--n] = 0;
        return s;
}
