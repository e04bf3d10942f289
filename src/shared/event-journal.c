/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The writer of event-journal.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "shared/event-journal.h"

static bool attribute_key_is_core(const char *attr)
{
        static const char *const core[] = { "name=", "image=", "exitCode=", "signal=" };
        for (size_t i = 0; i < ELEMENTSOF(core); i++)
                if (startswith(attr, core[i]))
                        return true;
        return false;
}

static int attribute_compare(const void *a, const void *b)
{
        const char *x = *(const char *const *)a, *y = *(const char *const *)b;
        size_t kx = strcspn(x, "="), ky = strcspn(y, "=");
        int c = strncmp(x, y, MIN(kx, ky));
        return c ? c : (kx > ky) - (kx < ky);
}

/* A JSON string literal of s into f. */
static void put_string(FILE *f, const char *s, size_t n)
{
        fputc('"', f);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

static void put_cstring(FILE *f, const char *s)
{
        put_string(f, s ? s : "", s ? strlen(s) : 0);
}

static int format_line(const EventJournalEntry *e, const char **attrs, size_t n_attrs,
                       bool core_only, int64_t nsec, char **ret, size_t *ret_len)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        bool first = true;

        if (!f)
                return -ENOMEM;
        fputs("{\"status\":", f);
        put_cstring(f, e->action);
        fputs(",\"id\":", f);
        put_cstring(f, e->id);
        if (e->from) {
                fputs(",\"from\":", f);
                put_cstring(f, e->from);
        }
        fputs(",\"Type\":", f);
        put_cstring(f, e->type);
        fputs(",\"Action\":", f);
        put_cstring(f, e->action);
        fputs(",\"Actor\":{\"ID\":", f);
        put_cstring(f, e->id);
        fputs(",\"Attributes\":{", f);
        for (size_t i = 0; i < n_attrs; i++) {
                const char *eq = strchr(attrs[i], '=');
                if (!eq || (core_only && !attribute_key_is_core(attrs[i])))
                        continue;
                /* A key given twice: the last one holds, as in a Go map. */
                if (i + 1 < n_attrs && attribute_compare(&attrs[i], &attrs[i + 1]) == 0)
                        continue;
                if (!first)
                        fputc(',', f);
                first = false;
                put_string(f, attrs[i], (size_t)(eq - attrs[i]));
                fputc(':', f);
                put_cstring(f, eq + 1);
        }
        fprintf(f, "}},\"scope\":\"local\",\"time\":%lld,\"timeNano\":%lld}\n",
                (long long)(nsec / 1000000000LL), (long long)nsec);
        if (fclose(f) != 0 || !buf) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        *ret_len = len;
        return 0;
}

int event_journal_format(const EventJournalEntry *e, char **ret, size_t *ret_len)
{
        size_t n = strv_length(e->attributes);
        _cleanup_free_ const char **attrs = calloc(n + 1, sizeof(char *));
        int64_t nsec = e->time_nsec;
        int r;

        if (!attrs)
                return -ENOMEM;
        if (!e->type || !e->action || !e->id)
                return -EINVAL;
        if (nsec == 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                nsec = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        }
        for (size_t i = 0; i < n; i++)
                attrs[i] = e->attributes[i];
        /* A stable sort keeps the later of two equal keys after the earlier. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && attribute_compare(&attrs[j - 1], &attrs[j]) > 0; j--) {
                        const char *t = attrs[j];
                        attrs[j] = attrs[j - 1];
                        attrs[j - 1] = t;
                }
        /* Every attribute, then the core ones, then none. */
        for (int pass = 0; pass < 3; pass++) {
                r = format_line(e, attrs, pass == 2 ? 0 : n, pass == 1, nsec, ret, ret_len);
                if (r < 0)
                        return r;
                if (*ret_len < EVENT_JOURNAL_LINE_MAX)
                        return 0;
                free(*ret);
                *ret = NULL;
        }
        return -E2BIG;
}

/* Renames a full journal away, once: whoever holds the lock and still finds the full file at
 * path does it. */
static int rotate_if_full(const char *path, int fd)
{
        struct stat st, now;
        size_t len = strlen(path) + 3;
        char old[len];
        int r = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size < EVENT_JOURNAL_SIZE_MAX)
                return 0;
        if (flock(fd, LOCK_EX) < 0)
                return -errno;
        if (stat(path, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
                snprintf(old, len, "%s.1", path);
                if (rename(path, old) < 0)
                        r = -errno;
        }
        (void)flock(fd, LOCK_UN);
        return r < 0 ? r : 1;
}

static int journal_open(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                safe_close(fd);
                return -EINVAL;
        }
        return fd;
}

int event_journal_append(const char *path, const EventJournalEntry *e)
{
        _cleanup_free_ char *line = NULL;
        _cleanup_close_ int fd = -1;
        size_t len;
        ssize_t n;
        int r;

        r = event_journal_format(e, &line, &len);
        if (r < 0)
                return r;
        fd = journal_open(path);
        if (fd < 0)
                return fd;
        r = rotate_if_full(path, fd);
        if (r < 0)
                return r;
        if (r > 0) {
                safe_close(fd);
                fd = journal_open(path);
                if (fd < 0)
                        return fd;
        }
        /* One write: a short one is not retried, as a second write could land after another
         * writer's line. */
        do
                n = write(fd, line, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return (size_t)n == len ? 0 : -EIO;
}
