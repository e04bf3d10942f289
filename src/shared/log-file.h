/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's log file as the shim writes it: Docker's json-file format
 * ({"log":"line\n","stream":"stdout","time":"2026-12-04T20:36:18.123456789Z"} per line) or the
 * CRI format ("<time> stdout F line"), lines split at max_line bytes as partial entries (no
 * "\n" in json-file, "P" in CRI), rotated as Docker rotates: before a write once the file holds
 * max_size bytes, to path.1 .. path.<max_files - 1> (max_files 1: the file starts over).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef enum LogStream {
        LOG_STREAM_STDOUT,
        LOG_STREAM_STDERR,
        _LOG_STREAM_MAX,
} LogStream;

typedef enum LogFileFormat {
        LOG_FILE_JSON,
        LOG_FILE_CRI,
} LogFileFormat;

typedef struct LogFileOptions {
        LogFileFormat format;
        uint64_t max_size;      /* 0: never rotate */
        unsigned max_files;     /* 0 is taken as 1 */
        size_t max_line;        /* 0: 16 KiB, Docker's and containerd's default */
} LogFileOptions;

typedef struct LogFile LogFile;

int log_file_open(const char *path, const LogFileOptions *o, LogFile **ret);
void log_file_free(LogFile *f);
static inline void log_file_freep(LogFile **f)
{
        log_file_free(*f);
}
#define _cleanup_log_file_ __attribute__((cleanup(log_file_freep)))

/* Adds output of a stream; complete lines are written at once, the rest waits for its end.
 * now may be NULL (CLOCK_REALTIME). */
int log_file_write(LogFile *f, LogStream stream, const void *data, size_t n,
                   const struct timespec *now);
/* Writes what waits of a stream that ended, as a partial entry. */
int log_file_flush(LogFile *f, LogStream stream, const struct timespec *now);

/* "2026-12-04T20:36:18.123456789Z" with Go's RFC3339Nano trimming (no trailing zeros). */
void log_file_format_time(const struct timespec *ts, char buf[static 40]);
const char *log_stream_name(LogStream s);
