/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The events the engine itself appends to the journal (engine-events.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-events.h"
#include "engine/engine-internal.h"
#include "shared/event-journal.h"

char *engine_events_path(const Engine *e)
{
        char *p;
        return asprintf(&p, "%s/events.log", e->root) < 0 ? NULL : p;
}

static int attr_add(char ***l, const char *key, const char *value)
{
        char *s;

        if (asprintf(&s, "%s=%s", key, value ? value : "") < 0)
                return -ENOMEM;
        return strv_push(l, s) < 0 ? (free(s), -ENOMEM) : 0;
}

int engine_event_attrs(const EngineContainer *c, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_(jwalk_putp) struct json_object *doc =
                c->config ? jwalk_parse_object(c->config, strlen(c->config)) : NULL;
        struct json_object *cfg = doc ? jwalk_member(doc, "Config") : NULL;
        struct json_object *labels = cfg ? jwalk_member(cfg, "Labels") : NULL;

        /* Labels first: a label called name or image does not hide the container's. */
        if (labels && json_object_is_type(labels, json_type_object)) {
                json_object_object_foreach(labels, k, v) {
                        if (json_object_is_type(v, json_type_string) &&
                            attr_add(&l, k, json_object_get_string(v)) < 0)
                                return -ENOMEM;
                }
        }
        if (attr_add(&l, "image", c->image) < 0 || attr_add(&l, "name", c->name) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

void engine_event_emit(Engine *e, const EngineContainer *c, const char *action,
                       const char *extra)
{
        _cleanup_free_ char *path = engine_events_path(e);
        _cleanup_strv_free_ char **attrs = NULL;
        int r;

        if (!path || engine_event_attrs(c, &attrs) < 0 ||
            (extra && strv_extend(&attrs, extra) < 0))
                return;
        const EventJournalEntry entry = {
                .type = "container",
                .action = action,
                .id = c->id,
                .from = c->image,
                .attributes = attrs,
        };
        r = event_journal_append(path, &entry);
        if (r < 0)
                log_debug("event `%s` of `%s`: %s", action, c->name, strerror(-r));
}

void engine_container_created(Engine *e, const char *id)
{
        _cleanup_engine_container_ EngineContainer *c = NULL;

        if (engine_container_lookup(e, id, &c, NULL) >= 0)
                engine_event_emit(e, c, "create", NULL);
}
