/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log writer of log-file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "shared/log-file.h"

#define LOG_LINE_DEFAULT (16 * 1024)

struct LogFile {
        char *path;
        int fd;
        uint64_t size;
        LogFileOptions o;
        /* Output of each stream that waits for its end of line. */
        char *pending[_LOG_STREAM_MAX];
        size_t n_pending[_LOG_STREAM_MAX];
        /* One entry being formatted. */
        char *entry;
        size_t entry_size;
};

const char *log_stream_name(LogStream s)
{
        return s == LOG_STREAM_STDERR ? "stderr" : "stdout";
}

void log_file_format_time(const struct timespec *ts, char buf[static 40])
{
        struct tm tm;
        char frac[16];
        size_t n;

        gmtime_r(&ts->tv_sec, &tm);
        n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        if (ts->tv_nsec > 0) {
                int len = snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
                while (len > 1 && frac[len - 1] == '0')
                        frac[--len] = 0;
                memcpy(buf + n, frac, (size_t)len);
                n += (size_t)len;
        }
        buf[n++] = 'Z';
        buf[n] = 0;
}

static int file_open(LogFile *f, bool truncate)
{
        struct stat st;

        safe_close(f->fd);
        f->fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
                                      (truncate ? O_TRUNC : 0), 0640);
        if (f->fd < 0)
                return -errno;
        if (fstat(f->fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        f->size = (uint64_t)st.st_size;
        return 0;
}

int log_file_open(const char *path, const LogFileOptions *o, LogFile **ret)
{
        LogFile *f = calloc(1, sizeof(*f));
        int r;

        if (!f)
                return -ENOMEM;
        f->fd = -1;
        f->o = *o;
        if (f->o.max_files == 0)
                f->o.max_files = 1;
        if (f->o.max_line == 0)
                f->o.max_line = LOG_LINE_DEFAULT;
        f->path = strdup(path);
        if (!f->path) {
                log_file_free(f);
                return -ENOMEM;
        }
        r = file_open(f, false);
        if (r < 0) {
                log_file_free(f);
                return r;
        }
        *ret = f;
        return 0;
}

void log_file_free(LogFile *f)
{
        if (!f)
                return;
        for (int i = 0; i < _LOG_STREAM_MAX; i++)
                free(f->pending[i]);
        free(f->entry);
        safe_close(f->fd);
        free(f->path);
        free(f);
}

static int rotate(LogFile *f)
{
        size_t len = strlen(f->path) + 16;
        char from[len], to[len];

        if (f->o.max_files <= 1)
                return file_open(f, true);
        for (unsigned i = f->o.max_files - 1; i > 0; i--) {
                if (i == 1)
                        snprintf(from, len, "%s", f->path);
                else
                        snprintf(from, len, "%s.%u", f->path, i - 1);
                snprintf(to, len, "%s.%u", f->path, i);
                if (rename(from, to) < 0 && errno != ENOENT)
                        return -errno;
        }
        return file_open(f, true);
}

/* Makes room for n more bytes in the entry buffer. */
static int entry_reserve(LogFile *f, size_t used, size_t n)
{
        if (used + n <= f->entry_size)
                return 0;
        size_t size = MAX(f->entry_size * 2, used + n + 256);
        char *p = realloc(f->entry, size);
        if (!p)
                return -ENOMEM;
        f->entry = p;
        f->entry_size = size;
        return 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
        size_t len;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, cp = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, cp = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, cp = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and what lies beyond Unicode. */
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return len;
}

/* Appends s as a JSON string body the way Docker's json-file does: <, > and & as \u escapes,
 * invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped. */
static int escape_json_string(LogFile *f, size_t *used, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < n;) {
                char esc[8];
                const char *out = esc;
                size_t len, seq = utf8_sequence(p + i, n - i);

                if (seq == 0) {
                        out = "\\ufffd", len = 6, seq = 1;
                } else if (seq == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
                           (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
                        out = p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", len = 6;
                } else if (seq > 1) {
                        out = s + i, len = seq;
                } else {
                        switch (p[i]) {
                        case '"':
                                out = "\\\"", len = 2;
                                break;
                        case '\\':
                                out = "\\\\", len = 2;
                                break;
                        case '\n':
                                out = "\\n", len = 2;
                                break;
                        case '\r':
                                out = "\\r", len = 2;
                                break;
                        case '\t':
                                out = "\\t", len = 2;
                                break;
                        case '<':
                        case '>':
                        case '&':
                                len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
                                break;
                        default:
                                if (p[i] < 0x20)
                                        len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
                                else
                                        out = s + i, len = 1;
                        }
                }
                int r = entry_reserve(f, *used, len);
                if (r < 0)
                        return r;
                memcpy(f->entry + *used, out, len);
                *used += len;
                i += seq;
        }
        return 0;
}

static int append(LogFile *f, size_t *used, const char *s, size_t n)
{
        int r = entry_reserve(f, *used, n);
        if (r < 0)
                return r;
        memcpy(f->entry + *used, s, n);
        *used += n;
        return 0;
}

/* One entry: a line with its "\n" (complete) or without (partial). */
static int write_entry(LogFile *f, LogStream stream, const char *line, size_t n, bool complete,
                       const struct timespec *now)
{
        char ts[40];
        size_t used = 0;
        int r;

        log_file_format_time(now, ts);
        if (f->o.format == LOG_FILE_CRI) {
                char head[64];
                int len = snprintf(head, sizeof(head), "%s %s %c ", ts, log_stream_name(stream),
                                   complete ? 'F' : 'P');
                r = append(f, &used, head, (size_t)len);
                if (r >= 0)
                        r = append(f, &used, line, n);
                if (r >= 0)
                        r = append(f, &used, "\n", 1);
        } else {
                r = append(f, &used, "{\"log\":\"", 8);
                if (r >= 0)
                        r = escape_json_string(f, &used, line, n);
                if (r >= 0 && complete)
                        r = append(f, &used, "\\n", 2);
                if (r >= 0)
                        r = append(f, &used, "\",\"stream\":\"", 12);
                if (r >= 0)
                        r = append(f, &used, log_stream_name(stream), 6);
                if (r >= 0)
                        r = append(f, &used, "\",\"time\":\"", 10);
                if (r >= 0)
                        r = append(f, &used, ts, strlen(ts));
                if (r >= 0)
                        r = append(f, &used, "\"}\n", 3);
        }
        if (r < 0)
                return r;

        if (f->o.max_size > 0 && f->size >= f->o.max_size) {
                r = rotate(f);
                if (r < 0)
                        return r;
        }
        for (size_t done = 0; done < used;) {
                ssize_t w = write(f->fd, f->entry + done, used - done);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t)w;
        }
        f->size += used;
        return 0;
}

static const struct timespec *now_or_clock(const struct timespec *now, struct timespec *buf)
{
        if (now)
                return now;
        clock_gettime(CLOCK_REALTIME, buf);
        return buf;
}

int log_file_write(LogFile *f, LogStream stream, const void *data, size_t n,
                   const struct timespec *now)
{
        const char *p = data;
        struct timespec clock_now;
        int r;

        if (stream < 0 || stream >= _LOG_STREAM_MAX)
                return -EINVAL;
        now = now_or_clock(now, &clock_now);
        if (!f->pending[stream]) {
                f->pending[stream] = malloc(f->o.max_line);
                if (!f->pending[stream])
                        return -ENOMEM;
        }
        while (n > 0) {
                char *buf = f->pending[stream];
                size_t *have = &f->n_pending[stream];
                size_t take = MIN(n, f->o.max_line - *have);
                const char *nl = memchr(p, '\n', take);

                if (nl)
                        take = (size_t)(nl - p) + 1;
                memcpy(buf + *have, p, take);
                *have += take;
                p += take;
                n -= take;
                if (nl) {
                        r = write_entry(f, stream, buf, *have - 1, true, now);
                        *have = 0;
                } else if (*have == f->o.max_line) {
                        r = write_entry(f, stream, buf, *have, false, now);
                        *have = 0;
                } else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int log_file_flush(LogFile *f, LogStream stream, const struct timespec *now)
{
        struct timespec clock_now;
        int r;

        if (stream < 0 || stream >= _LOG_STREAM_MAX)
                return -EINVAL;
        if (f->n_pending[stream] == 0)
                return 0;
        r = write_entry(f, stream, f->pending[stream], f->n_pending[stream], false,
                        now_or_clock(now, &clock_now));
        f->n_pending[stream] = 0;
        return r;
}
