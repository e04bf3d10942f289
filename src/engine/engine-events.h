/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker's events without a daemon: every berth command and every shim appends to the journal
 * <root>/events.log (shared/event-journal.h); `berth events` (and later the API's /events)
 * reads it, filters it and follows it. The engine writes create, kill, stop and destroy
 * (container-events.c); the shim start, die, oom and health_status, with the attributes the
 * engine gives it on its command line.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"
#include "engine/engine.h"

/* A journal line, at most this long, else it is skipped. */
#define ENGINE_EVENT_LINE_MAX 8192

char *engine_events_path(const Engine *e);
/* The attributes of c's events: name, image and its labels, as "key=value". */
int engine_event_attrs(const EngineContainer *c, char ***ret);
/* Appends an event of c (extra: one more "key=value", or NULL). An event that cannot be
 * written does not fail the operation it tells of. */
void engine_event_emit(Engine *e, const EngineContainer *c, const char *action,
                       const char *extra);

/* One event read back: its document (Docker's message) and the fields filters look at. */
typedef struct EngineEvent {
        struct json_object *doc;
        const char *type, *action, *id;
        struct json_object *attributes; /* an object of strings */
        int64_t time_nsec;
} EngineEvent;

void engine_event_done(EngineEvent *ev);
/* A journal line; -EINVAL when it is no event (types and the time are checked). */
int engine_events_parse_line(const char *line, size_t n, EngineEvent *ret);

/* Filters as docker takes them ("container=NAME|ID", "event=die", "type=container",
 * "image=REF", "label=KEY[=VALUE]"): one key given twice matches either value, different
 * keys must all match. */
int engine_events_filters_check(char *const *filters, BerthError **err);
bool engine_event_matches(const EngineEvent *ev, char *const *filters);

typedef struct EngineEventsOptions {
        int64_t since_nsec;     /* 0: only what comes from now on (unless until is set) */
        int64_t until_nsec;     /* 0: follow until the callback stops */
        char *const *filters;
} EngineEventsOptions;

/* Returns 0 to go on, > 0 to stop, < 0 an error. */
typedef int (*EngineEventsFunc)(const EngineEvent *ev, void *userdata);

int engine_events_read(Engine *e, const EngineEventsOptions *o, EngineEventsFunc out,
                       void *userdata, BerthError **err);
