/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Diagnostics for the user: stderr by default, or a --log file in runc's text or json form. */
#pragma once

#include "basic/macro.h"

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
} LogLevel;

typedef enum LogFormat {
        LOG_FORMAT_TEXT,
        LOG_FORMAT_JSON,
} LogFormat;

/* path NULL: stderr. Returns -errno when the log file cannot be opened. */
int log_open(const char *path, LogFormat format, LogLevel max_level);
int log_parse_format(const char *s, LogFormat *ret);
void log_set_max_level(LogLevel level);
LogLevel log_get_max_level(void);
/* The fd logs go to, so a forked child may keep it across its own fd cleanup. */
int log_get_fd(void);
/* Also copy errors to stderr when logging to a file (runc does for the CLI's own failure). */
void log_set_stderr_copy(int on);

void log_full(LogLevel level, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_full(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_full(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
        do {                                                                                       \
                if (_unlikely_(log_get_max_level() >= LOG_LEVEL_DEBUG))                            \
                        log_full(LOG_LEVEL_DEBUG, __VA_ARGS__);                                    \
        } while (0)
