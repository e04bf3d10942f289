/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/log.h"
#include "basic/string-util.h"
#include "basic/time-util.h"

static int log_fd = STDERR_FILENO;
static LogFormat log_format = LOG_FORMAT_TEXT;
static LogLevel log_max = LOG_LEVEL_WARNING;
static int log_stderr_copy;

static const char *const level_names[] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARNING] = "warning",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
};

int log_open(const char *path, LogFormat format, LogLevel max_level)
{
        log_format = format;
        log_max = max_level;
        if (!path || !*path)
                return 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        log_fd = fd;
        return 0;
}

int log_parse_format(const char *s, LogFormat *ret)
{
        if (streq(s, "text"))
                *ret = LOG_FORMAT_TEXT;
        else if (streq(s, "json"))
                *ret = LOG_FORMAT_JSON;
        else
                return -EINVAL;
        return 0;
}

void log_set_max_level(LogLevel level)
{
        log_max = level;
}

LogLevel log_get_max_level(void)
{
        return log_max;
}

int log_get_fd(void)
{
        return log_fd;
}

void log_set_stderr_copy(int on)
{
        log_stderr_copy = on;
}

void log_full(LogLevel level, const char *fmt, ...)
{
        int saved = errno;
        char msg[4096], esc[8192], ts[64], line[8192 + 256];
        va_list ap;
        int n;

        if (level > log_max)
                goto out;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (log_format == LOG_FORMAT_JSON) {
                time_format_rfc3339_now(ts, sizeof(ts));
                string_json_escape(msg, esc, sizeof(esc));
                n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
                             level_names[level], esc, ts);
        } else if (log_fd != STDERR_FILENO) {
                /* The shape of runc's text log, which tools scrape for "msg=". */
                time_format_rfc3339_now(ts, sizeof(ts));
                string_json_escape(msg, esc, sizeof(esc));
                n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", ts,
                             level_names[level], esc);
        } else if (level == LOG_LEVEL_ERROR)
                n = snprintf(line, sizeof(line), "berth-runtime: %s\n", msg);
        else
                n = snprintf(line, sizeof(line), "berth-runtime: %s: %s\n", level_names[level], msg);
        (void)fs_write_all_fd(log_fd, line, (size_t)MIN(n, (int)sizeof(line) - 1));

        if (log_stderr_copy && level == LOG_LEVEL_ERROR && log_fd != STDERR_FILENO) {
                n = snprintf(line, sizeof(line), "berth-runtime: %s\n", msg);
                (void)fs_write_all_fd(STDERR_FILENO, line, (size_t)MIN(n, (int)sizeof(line) - 1));
        }
out:
        errno = saved;
}
