/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's log as `docker logs` reads it: the json-file log the shim writes (its rotated
 * files first, oldest first), entries filtered by time, the last N of them, and with follow
 * what is written afterwards until the container has exited and its shim is gone. Output goes
 * to a callback, entry by entry, for the CLI and for the Docker API alike.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "engine/engine.h"
#include "shared/log-file.h"

/* A line of the json-file log, at most this long, else it is skipped. */
#define ENGINE_LOG_LINE_MAX (256 * 1024)

typedef struct EngineLogEntry {
        LogStream stream;
        int64_t time_nsec;
        char *data;             /* the entry's bytes (may hold NUL bytes) */
        size_t size;
        char *attrs;            /* "key=value,..." of the entry's attrs (--details); "" */
} EngineLogEntry;

void engine_log_entry_done(EngineLogEntry *entry);

/* One json-file line ({"log":"...","stream":"stdout|stderr","time":"RFC 3339"}, optionally
 * "attrs":{"k":"v"}); -EINVAL when it is not one (a type, a stream or a time that is wrong). */
int engine_logs_parse_line(const char *line, size_t n, EngineLogEntry *ret);

typedef struct EngineLogsOptions {
        bool follow;
        int64_t since_nsec;     /* 0: from the start */
        int64_t until_nsec;     /* 0: to the end */
        int64_t tail;           /* the last N entries; < 0: all */
} EngineLogsOptions;

/* Returns 0 to go on, > 0 to stop, < 0 an error (returned by engine_container_logs()). */
typedef int (*EngineLogsFunc)(const EngineLogEntry *entry, void *userdata);

int engine_container_logs(Engine *e, EngineContainer *c, const EngineLogsOptions *o,
                          EngineLogsFunc out, void *userdata, BerthError **err);
