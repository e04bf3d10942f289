/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader of container-logs.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/container-logs.h"
#include "engine/engine-internal.h"
#include "engine/line-reader.h"

#define FOLLOW_POLL_NSEC (100 * 1000000L)
/* Attributes of one entry (--log-opt labels, env): at most this many. */
#define ATTRS_MAX 64

void engine_log_entry_done(EngineLogEntry *entry)
{
        free(entry->data);
        free(entry->attrs);
        *entry = (EngineLogEntry){};
}

/* url.QueryEscape, as docker writes the attrs of --details. */
static void query_escape(FILE *f, const char *s)
{
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~')
                        fputc(c, f);
                else if (c == ' ')
                        fputc('+', f);
                else
                        fprintf(f, "%%%02X", c);
        }
}

static int key_compare(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "k=v,k2=v2", sorted by key; NULL when attrs is no object of strings. */
static char *attrs_string(struct json_object *attrs)
{
        const char *keys[ATTRS_MAX];
        size_t n = 0;
        char *out = NULL;
        size_t len = 0;

        if (!attrs)
                return strdup("");
        if (!json_object_is_type(attrs, json_type_object))
                return NULL;
        json_object_object_foreach(attrs, k, v) {
                if (n == ATTRS_MAX || !json_object_is_type(v, json_type_string))
                        return NULL;
                keys[n++] = k;
        }
        qsort(keys, n, sizeof(keys[0]), key_compare);
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        fputc(',', f);
                query_escape(f, keys[i]);
                fputc('=', f);
                query_escape(f, json_object_get_string(json_object_object_get(attrs, keys[i])));
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

int engine_logs_parse_line(const char *line, size_t n, EngineLogEntry *ret)
{
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        struct json_object *log, *stream, *stamp;
        EngineLogEntry entry = {};

        if (n == 0 || n > ENGINE_LOG_LINE_MAX || line[0] != '{')
                return -EINVAL;
        doc = line_reader_parse_object(line, n);
        if (!doc)
                return -EINVAL;
        log = jwalk_member(doc, "log");
        stream = jwalk_member(doc, "stream");
        stamp = jwalk_member(doc, "time");
        if (!log || !stream || !stamp || !json_object_is_type(log, json_type_string) ||
            !json_object_is_type(stream, json_type_string) ||
            !json_object_is_type(stamp, json_type_string))
                return -EINVAL;
        if (streq(json_object_get_string(stream), "stdout"))
                entry.stream = LOG_STREAM_STDOUT;
        else if (streq(json_object_get_string(stream), "stderr"))
                entry.stream = LOG_STREAM_STDERR;
        else
                return -EINVAL;
        if (time_parse_rfc3339(json_object_get_string(stamp), &entry.time_nsec) < 0)
                return -EINVAL;
        entry.size = (size_t)json_object_get_string_len(log);
        entry.data = malloc(entry.size + 1);
        entry.attrs = attrs_string(jwalk_member(doc, "attrs"));
        if (!entry.data || !entry.attrs) {
                engine_log_entry_done(&entry);
                return -EINVAL;
        }
        memcpy(entry.data, json_object_get_string(log), entry.size);
        entry.data[entry.size] = 0;
        *ret = entry;
        return 0;
}

/* What the history and the follow share. */
typedef struct LogsRead {
        const EngineLogsOptions *o;
        EngineLogsFunc out;
        void *userdata;
        /* --tail: the last entries of the history, a ring of up to o->tail */
        EngineLogEntry *ring;
        size_t ring_size, n_ring, ring_start;
        bool history;
} LogsRead;

static bool in_window(const EngineLogsOptions *o, const EngineLogEntry *entry)
{
        if (o->since_nsec && entry->time_nsec < o->since_nsec)
                return false;
        return !o->until_nsec || entry->time_nsec <= o->until_nsec;
}

static int ring_push(LogsRead *x, EngineLogEntry *entry)
{
        size_t cap = (size_t)x->o->tail;

        if (cap == 0) {
                engine_log_entry_done(entry);
                return 0;
        }
        if (x->n_ring < cap) {
                if (x->n_ring == x->ring_size) {
                        size_t size = MIN(cap, MAX(x->ring_size * 2, (size_t)64));
                        EngineLogEntry *p = realloc(x->ring, size * sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        x->ring = p;
                        x->ring_size = size;
                }
                x->ring[x->n_ring++] = *entry;
        } else {
                engine_log_entry_done(&x->ring[x->ring_start]);
                x->ring[x->ring_start] = *entry;
                x->ring_start = (x->ring_start + 1) % cap;
        }
        *entry = (EngineLogEntry){};
        return 0;
}

static int on_line(const char *line, size_t n, void *userdata)
{
        LogsRead *x = userdata;
        EngineLogEntry entry;
        int r;

        if (engine_logs_parse_line(line, n, &entry) < 0)
                return 0; /* a line that is not an entry is skipped */
        if (x->history && x->o->tail >= 0)
                return ring_push(x, &entry);
        r = in_window(x->o, &entry) ? x->out(&entry, x->userdata) : 0;
        engine_log_entry_done(&entry);
        return r;
}

/* Passes the ring's entries on (output: false just drops them). */
static int ring_flush(LogsRead *x, bool output)
{
        int r = 0;

        for (size_t i = 0; i < x->n_ring; i++) {
                EngineLogEntry *entry = &x->ring[(x->ring_start + i) % x->n_ring];
                if (output && r == 0 && in_window(x->o, entry))
                        r = x->out(entry, x->userdata);
                engine_log_entry_done(entry);
        }
        free(x->ring);
        x->ring = NULL;
        x->n_ring = x->ring_size = 0;
        return r;
}

/* Whether the container can write no more: exited, its shim gone. */
static bool container_done(Engine *e, EngineContainer *c)
{
        (void)engine_container_refresh(e, c);
        if (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
            c->state == ENGINE_STATE_RESTARTING)
                return false;
        return !engine_shim_alive(e, c->id, NULL);
}

int engine_container_logs(Engine *e, EngineContainer *c, const EngineLogsOptions *o,
                          EngineLogsFunc out, void *userdata, BerthError **err)
{
        _cleanup_free_ char *path = engine_container_log_path(e, c->id);
        _cleanup_line_reader_ LineReader *reader = NULL;
        LogsRead x = { .o = o, .out = out, .userdata = userdata, .history = true };
        size_t lines;
        int r;

        if (!path)
                return berth_error(err, ENOMEM, "logs");
        r = line_reader_open(path, ENGINE_LOG_LINE_MAX, &reader);
        if (r < 0)
                return berth_error(err, -r, "open `%s`", path);
        r = line_reader_read(reader, on_line, &x, &lines);
        if (r >= 0 && o->tail >= 0) {
                int k = ring_flush(&x, true);
                r = k != 0 ? k : r;
        }
        x.history = false;
        while (r == 0 && o->follow) {
                if (o->until_nsec && time_now_nsec() > o->until_nsec)
                        break;
                bool done = container_done(e, c);
                /* After the check: what the shim wrote before it went is read too. */
                r = line_reader_read(reader, on_line, &x, &lines);
                if (r != 0 || done)
                        break;
                if (lines == 0)
                        nanosleep(&(struct timespec){ .tv_nsec = FOLLOW_POLL_NSEC }, NULL);
        }
        (void)ring_flush(&x, false);
        if (r < 0)
                return berth_error(err, -r, "logs of `%s`", c->name);
        return 0;
}
