/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal read back (engine-events.h): lines parsed and checked, filtered by time and by
 * docker's filters, followed until the callback stops or --until has passed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/engine-events.h"
#include "engine/line-reader.h"

#define FOLLOW_POLL_NSEC (100 * 1000000L)
#define ATTRIBUTES_MAX 256

static const char *const filter_keys[] = { "container", "event", "type", "image", "label" };

void engine_event_done(EngineEvent *ev)
{
        if (ev->doc)
                json_object_put(ev->doc);
        *ev = (EngineEvent){};
}

static const char *string_member(struct json_object *o, const char *key)
{
        struct json_object *v = jwalk_member(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int engine_events_parse_line(const char *line, size_t n, EngineEvent *ret)
{
        EngineEvent ev = {};
        struct json_object *actor, *nano;
        size_t count = 0;

        if (n == 0 || n > ENGINE_EVENT_LINE_MAX || line[0] != '{')
                return -EINVAL;
        ev.doc = line_reader_parse_object(line, n);
        if (!ev.doc)
                return -EINVAL;
        ev.type = string_member(ev.doc, "Type");
        ev.action = string_member(ev.doc, "Action");
        actor = jwalk_member(ev.doc, "Actor");
        nano = jwalk_member(ev.doc, "timeNano");
        if (!ev.type || !ev.action || !actor || !json_object_is_type(actor, json_type_object) ||
            !nano || !json_object_is_type(nano, json_type_int))
                goto bad;
        ev.id = string_member(actor, "ID");
        ev.attributes = jwalk_member(actor, "Attributes");
        if (!ev.id || (ev.attributes && !json_object_is_type(ev.attributes, json_type_object)))
                goto bad;
        if (ev.attributes) {
                json_object_object_foreach(ev.attributes, k, v) {
                        (void)k;
                        if (!json_object_is_type(v, json_type_string) ||
                            ++count > ATTRIBUTES_MAX)
                                goto bad;
                }
        }
        ev.time_nsec = json_object_get_int64(nano);
        if (ev.time_nsec <= 0)
                goto bad;
        *ret = ev;
        return 0;
bad:
        engine_event_done(&ev);
        return -EINVAL;
}

int engine_events_filters_check(char *const *filters, BerthError **err)
{
        for (char *const *f = filters; f && *f; f++) {
                const char *eq = strchr(*f, '=');
                bool known = false;
                for (size_t i = 0; eq && i < ELEMENTSOF(filter_keys); i++)
                        known |= strlen(filter_keys[i]) == (size_t)(eq - *f) &&
                                 strncmp(*f, filter_keys[i], (size_t)(eq - *f)) == 0;
                if (!eq)
                        return berth_error_plain(err, EINVAL, "bad format of filter `%s`: "
                                                 "expected KEY=VALUE", *f);
                if (!known)
                        return berth_error_plain(err, EINVAL, "invalid filter `%.*s`",
                                                 (int)(eq - *f), *f);
        }
        return 0;
}

static const char *attribute(const EngineEvent *ev, const char *key)
{
        return ev->attributes ? string_member(ev->attributes, key) : NULL;
}

/* docker's FuzzyMatch: the value itself or a prefix of it. */
static bool fuzzy(const char *value, const char *source)
{
        return source && startswith(source, value);
}

static bool match_one(const EngineEvent *ev, const char *key, const char *value)
{
        if (streq(key, "container"))
                return fuzzy(value, ev->id) || fuzzy(value, attribute(ev, "name"));
        if (streq(key, "type"))
                return streq(value, ev->type);
        if (streq(key, "image"))
                {
                const char *image = attribute(ev, "image");
                return image && streq(value, image);
        }
        if (streq(key, "event")) {
                /* docker: health_status (and exec_*) without a colon match every status */
                if (streq(value, "health_status") || streq(value, "exec_create") ||
                    streq(value, "exec_start"))
                        return fuzzy(value, ev->action);
                return streq(value, ev->action);
        }
        if (streq(key, "label")) {
                const char *eq = strchr(value, '=');
                _cleanup_free_ char *k = eq ? strndup(value, (size_t)(eq - value)) : strdup(value);
                const char *v = k ? attribute(ev, k) : NULL;
                return v && (!eq || streq(v, eq + 1));
        }
        return false;
}

bool engine_event_matches(const EngineEvent *ev, char *const *filters)
{
        for (size_t i = 0; i < ELEMENTSOF(filter_keys); i++) {
                size_t len = strlen(filter_keys[i]);
                bool given = false, matched = false;
                for (char *const *f = filters; f && *f; f++) {
                        if (strncmp(*f, filter_keys[i], len) != 0 || (*f)[len] != '=')
                                continue;
                        given = true;
                        matched |= match_one(ev, filter_keys[i], *f + len + 1);
                }
                if (given && !matched)
                        return false;
        }
        return true;
}

typedef struct EventsRead {
        const EngineEventsOptions *o;
        int64_t since;
        EngineEventsFunc out;
        void *userdata;
        bool past_until;
} EventsRead;

static int on_line(const char *line, size_t n, void *userdata)
{
        EventsRead *x = userdata;
        EngineEvent ev;
        int r = 0;

        if (engine_events_parse_line(line, n, &ev) < 0)
                return 0; /* a line that is not an event is skipped */
        if (x->o->until_nsec && ev.time_nsec > x->o->until_nsec)
                x->past_until = true;
        else if (ev.time_nsec >= x->since && engine_event_matches(&ev, x->o->filters))
                r = x->out(&ev, x->userdata);
        engine_event_done(&ev);
        return r;
}

int engine_events_read(Engine *e, const EngineEventsOptions *o, EngineEventsFunc out,
                       void *userdata, BerthError **err)
{
        _cleanup_free_ char *path = engine_events_path(e);
        _cleanup_line_reader_ LineReader *reader = NULL;
        EventsRead x = { .o = o, .since = o->since_nsec, .out = out, .userdata = userdata };
        size_t lines;
        int r;

        if (!path)
                return berth_error(err, ENOMEM, "events");
        r = engine_events_filters_check(o->filters, err);
        if (r < 0)
                return r;
        /* Without a window, what happens from now on. */
        if (!o->since_nsec && !o->until_nsec)
                x.since = time_now_nsec();
        r = line_reader_open(path, ENGINE_EVENT_LINE_MAX, &reader);
        if (r < 0)
                return berth_error(err, -r, "open `%s`", path);
        for (;;) {
                bool until_passed = o->until_nsec && time_now_nsec() > o->until_nsec;
                r = line_reader_read(reader, on_line, &x, &lines);
                if (r != 0 || until_passed || x.past_until)
                        break;
                if (lines == 0)
                        nanosleep(&(struct timespec){ .tv_nsec = FOLLOW_POLL_NSEC }, NULL);
        }
        if (r < 0)
                return berth_error(err, -r, "events from `%s`", path);
        return 0;
}
