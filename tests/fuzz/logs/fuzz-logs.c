/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the lines berth reads back from files others write: json-file log lines,
 * events journal lines (and the filters over them), and --since/--until times. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container-logs.h"
#include "engine/engine-events.h"
#include "engine/time-arg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *s = (const char *)data;
        EngineLogEntry entry;
        EngineEvent ev;
        BerthError *err = NULL;
        int64_t t;

        if (engine_logs_parse_line(s, size, &entry) >= 0) {
                /* an entry has a stream, bytes of its own and attrs to print */
                if ((entry.stream != LOG_STREAM_STDOUT && entry.stream != LOG_STREAM_STDERR) ||
                    !entry.data || !entry.attrs || entry.data[entry.size] != 0)
                        __builtin_trap();
                engine_log_entry_done(&entry);
        }
        if (engine_events_parse_line(s, size, &ev) >= 0) {
                if (!ev.type || !ev.action || !ev.id || ev.time_nsec <= 0)
                        __builtin_trap();
                (void)engine_event_matches(&ev, (char *[]){ "container=a", "event=die",
                                                            "label=k=v", "image=x", NULL });
                engine_event_done(&ev);
        }
        char *z = malloc(size + 1);
        if (!z)
                return 0;
        memcpy(z, data, size);
        z[size] = 0;
        if (time_arg_parse(z, "--since", 1796416578000000000LL, &t, &err) < 0 &&
            (!err || !err->msg))
                __builtin_trap();
        berth_error_free(&err);
        free(z);
        return 0;
}
