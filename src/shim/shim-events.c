/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The events the shim appends to the engine's journal: the container's attributes as the
 * engine passed them (--event-attr), the event's own (exitCode) after them. */
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "shared/event-journal.h"
#include "shim/shim-internal.h"

void shim_event(const Shim *s, const char *action, const char *extra)
{
        const ShimOptions *o = s->o;
        size_t n = strv_length(o->event_attrs);
        const char *from = NULL;
        int r;

        if (!o->events_path)
                return;
        char *attrs[n + 2];
        for (size_t i = 0; i < n; i++) {
                attrs[i] = o->event_attrs[i];
                if (startswith(attrs[i], "image="))
                        from = attrs[i] + strlen("image=");
        }
        attrs[n] = (char *)extra;
        attrs[n + 1] = NULL;
        const EventJournalEntry e = {
                .type = "container",
                .action = action,
                .id = o->id,
                .from = from,
                .attributes = attrs,
        };
        r = event_journal_append(o->events_path, &e);
        if (r < 0)
                fprintf(stderr, "berth-shim: %s: event `%s`: %s\n", o->id, action, strerror(-r));
}
