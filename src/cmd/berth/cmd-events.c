/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth events [--since T] [--until T] [-f KEY=VALUE] [--format TEMPLATE|json]: the engine's
 * events journal (engine/engine-events.h), docker's lines by default, followed until
 * interrupted unless --until is given. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine-events.h"
#include "engine/engine.h"
#include "engine/format-template.h"
#include "engine/time-arg.h"

#define EVENTS_USAGE "usage: berth events [--since T] [--until T] [-f KEY=VALUE] " \
                     "[--format TEMPLATE|json]"

typedef struct EventsPrint {
        FormatTemplate *template;       /* NULL: docker's line */
        bool json;                      /* the event's own JSON */
        BerthError *err;                /* why the template failed */
} EventsPrint;

/* docker's jsonmessage.RFC3339NanoFixed in local time. */
static void format_local(int64_t nsec, char buf[static 48])
{
        time_t sec = (time_t)(nsec / 1000000000LL);
        struct tm tm;
        char zone[40] = "Z";

        localtime_r(&sec, &tm);
        size_t n = strftime(buf, 48, "%Y-%m-%dT%H:%M:%S", &tm);
        if (tm.tm_gmtoff != 0) {
                long off = (tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff) % 86400;
                snprintf(zone, sizeof(zone), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
                         off / 3600, off / 60 % 60);
        }
        snprintf(buf + n, 48 - n, ".%09lld%.6s", (long long)(nsec % 1000000000LL), zone);
}

static int key_compare(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "2026-12-05T06:00:00.000000000Z container die ID (exitCode=0, image=..., name=...)" */
static void print_line(const EngineEvent *ev)
{
        size_t n = ev->attributes ? (size_t)json_object_object_length(ev->attributes) : 0, i = 0;
        const char *keys[n + 1];
        char ts[48];

        format_local(ev->time_nsec, ts);
        printf("%s %s %s %s", ts, ev->type, ev->action, ev->id);
        if (n > 0) {
                json_object_object_foreach(ev->attributes, k, v) {
                        (void)v;
                        keys[i++] = k;
                }
                qsort(keys, n, sizeof(keys[0]), key_compare);
                for (i = 0; i < n; i++)
                        printf("%s%s=%s", i ? ", " : " (", keys[i],
                               json_object_get_string(json_object_object_get(ev->attributes,
                                                                             keys[i])));
                printf(")");
        }
        printf("\n");
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        json_object_object_add(o, key, v ? json_object_get(v) : NULL);
}

/* The fields a Go template sees in docker's events.Message. */
static struct json_object *template_object(const EngineEvent *ev)
{
        struct json_object *o = json_object_new_object(), *actor = json_object_new_object();

        add(o, "Status", jwalk_member(ev->doc, "status"));
        add(o, "ID", jwalk_member(ev->doc, "id"));
        add(o, "From", jwalk_member(ev->doc, "from"));
        add(o, "Type", jwalk_member(ev->doc, "Type"));
        add(o, "Action", jwalk_member(ev->doc, "Action"));
        json_object_object_add(actor, "ID", json_object_new_string(ev->id));
        json_object_object_add(actor, "Attributes",
                               ev->attributes ? json_object_get(ev->attributes)
                                              : json_object_new_object());
        json_object_object_add(o, "Actor", actor);
        add(o, "Scope", jwalk_member(ev->doc, "scope"));
        add(o, "Time", jwalk_member(ev->doc, "time"));
        add(o, "TimeNano", jwalk_member(ev->doc, "timeNano"));
        return o;
}

static int print_event(const EngineEvent *ev, void *userdata)
{
        EventsPrint *p = userdata;

        if (p->json)
                printf("%s\n", json_object_to_json_string_ext(ev->doc, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
        else if (p->template) {
                _cleanup_(jwalk_putp) struct json_object *o = template_object(ev);
                _cleanup_free_ char *out = NULL;
                if (format_template_render(p->template, o, &out, &p->err) < 0)
                        return -EINVAL;
                printf("%s\n", out ? out : "");
        } else
                print_line(ev);
        return fflush(stdout) == 0 ? 0 : -errno;
}

int cmd_events(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "since", required_argument, NULL, 'S' },
                { "until", required_argument, NULL, 'U' },
                { "filter", required_argument, NULL, 'f' },
                { "format", required_argument, NULL, 'F' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_strv_free_ char **filters = NULL;
        EngineEventsOptions o = {};
        EventsPrint p = {};
        int64_t now = time_now_nsec();
        int opt, r;

        while ((opt = getopt_long(argc, argv, "f:", options, NULL)) >= 0) {
                switch (opt) {
                case 'S':
                        r = time_arg_parse(optarg, "--since", now, &o.since_nsec, err);
                        if (r < 0)
                                return r;
                        break;
                case 'U':
                        r = time_arg_parse(optarg, "--until", now, &o.until_nsec, err);
                        if (r < 0)
                                return r;
                        break;
                case 'f':
                        if (strv_extend(&filters, optarg) < 0)
                                return berth_error(err, ENOMEM, "--filter");
                        break;
                case 'F':
                        if (streq(optarg, "json") || streq(optarg, "{{json .}}")) {
                                p.json = true;
                                break;
                        }
                        format_template_free(t);
                        t = NULL;
                        r = format_template_parse(optarg, &t, err);
                        if (r < 0)
                                return berth_error_prefix(err, "--format");
                        break;
                default:
                        return berth_error_plain(err, EINVAL, EVENTS_USAGE);
                }
        }
        if (optind != argc)
                return berth_error_plain(err, EINVAL, EVENTS_USAGE);
        o.filters = filters;
        r = engine_events_filters_check(filters, err);
        if (r < 0)
                return berth_error_prefix(err, "--filter");
        p.template = t;
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_events_read(e, &o, print_event, &p, err);
        if (p.err) {
                /* the template's own error says more than the reader's */
                berth_error_free(err);
                *err = TAKE_PTR(p.err);
                return berth_error_prefix(err, "--format");
        }
        return r;
}
