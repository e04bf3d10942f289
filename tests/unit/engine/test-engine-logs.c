/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of logs and events: json-file lines, journal lines, filters, --since/--until
 * times, and the reader of rotated line files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "engine/container-logs.h"
#include "engine/engine-events.h"
#include "engine/line-reader.h"
#include "engine/time-arg.h"
#include "tap.h"

#define L(s) (s), strlen(s)
#define T "\"time\":\"2026-12-04T20:36:18Z\""
#define DIE "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":"

TEST(log_line_parsed)
{
        EngineLogEntry e;

        ASSERT_OK(engine_logs_parse_line(L("{\"log\":\"hi\\u003c\\n\",\"stream\":\"stderr\","
                                           "\"time\":\"2026-12-04T20:36:18.12345Z\"}"), &e));
        ASSERT_EQ(e.stream, LOG_STREAM_STDERR);
        ASSERT_EQ(e.size, 4);
        ASSERT_TRUE(memcmp(e.data, "hi<\n", 4) == 0);
        ASSERT_EQ(e.time_nsec, 1796416578123450000LL);
        ASSERT_STREQ(e.attrs, "");
        engine_log_entry_done(&e);
        /* a NUL byte in the entry stays */
        ASSERT_OK(engine_logs_parse_line(L("{\"log\":\"a\\u0000b\",\"stream\":\"stdout\","
                                           "\"time\":\"2026-12-04T20:36:18Z\",\"attrs\":"
                                           "{\"z\":\"1 2\",\"a\":\"x\"}}"), &e));
        ASSERT_EQ(e.size, 3);
        ASSERT_EQ(e.data[1], 0);
        ASSERT_STREQ(e.attrs, "a=x,z=1+2");
        engine_log_entry_done(&e);
        return 0;
}

TEST(log_line_refused)
{
        static const char *const bad[] = {
                "", "x", "[]", "{}", "{\"log\":1,\"stream\":\"stdout\"," T "}",
                "{\"log\":\"x\",\"stream\":\"stdin\"," T "}",
                "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"now\"}",
                "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":5}",
                "{\"log\":\"x\",\"stream\":\"stdout\"," T ",\"attrs\":[]}",
                "{\"log\":\"x\",\"stream\":\"stdout\"," T "} trailing",
        };
        EngineLogEntry e;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_EQ(engine_logs_parse_line(L(bad[i]), &e), -EINVAL);
        return 0;
}

TEST(event_line_and_filters)
{
        EngineEvent ev;
        const char *line = "{\"status\":\"die\",\"id\":\"abc123\",\"Type\":\"container\","
                           "\"Action\":\"die\",\"Actor\":{\"ID\":\"abc123\",\"Attributes\":"
                           "{\"exitCode\":\"0\",\"name\":\"web\",\"image\":\"busybox\","
                           "\"team\":\"a\"}},\"scope\":\"local\",\"time\":1,"
                           "\"timeNano\":1000000001}";

        ASSERT_OK(engine_events_parse_line(L(line), &ev));
        ASSERT_STREQ(ev.action, "die");
        ASSERT_STREQ(ev.id, "abc123");
        ASSERT_EQ(ev.time_nsec, 1000000001);
        ASSERT_TRUE(engine_event_matches(&ev, NULL));
        ASSERT_TRUE(engine_event_matches(&ev, (char *[]){ "container=web", NULL }));
        ASSERT_TRUE(engine_event_matches(&ev, (char *[]){ "container=abc", NULL }));
        ASSERT_FALSE(engine_event_matches(&ev, (char *[]){ "container=db", NULL }));
        ASSERT_TRUE(engine_event_matches(&ev, (char *[]){ "event=start", "event=die", NULL }));
        ASSERT_FALSE(engine_event_matches(&ev, (char *[]){ "event=die", "type=image", NULL }));
        ASSERT_TRUE(engine_event_matches(&ev, (char *[]){ "label=team=a", "image=busybox", NULL }));
        ASSERT_FALSE(engine_event_matches(&ev, (char *[]){ "label=team=b", NULL }));
        engine_event_done(&ev);

        ASSERT_OK(engine_events_parse_line(L("{\"Type\":\"container\",\"Action\":\"health_status: "
                                             "healthy\",\"Actor\":{\"ID\":\"x\"},\"timeNano\":5}"),
                                           &ev));
        ASSERT_TRUE(engine_event_matches(&ev, (char *[]){ "event=health_status", NULL }));
        ASSERT_FALSE(engine_event_matches(&ev, (char *[]){ "event=health", NULL }));
        engine_event_done(&ev);

        static const char *const bad[] = {
                "", "{}", DIE "{\"ID\":1},\"timeNano\":5}",
                DIE "{\"ID\":\"x\"},\"timeNano\":\"5\"}",
                DIE "{\"ID\":\"x\",\"Attributes\":{\"a\":1}},\"timeNano\":5}",
                DIE "{\"ID\":\"x\"},\"timeNano\":-5}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_EQ(engine_events_parse_line(L(bad[i]), &ev), -EINVAL);

        BerthError *err = NULL;
        ASSERT_OK(engine_events_filters_check((char *[]){ "event=die", "label=a", NULL }, &err));
        ASSERT_FAIL(engine_events_filters_check((char *[]){ "colour=red", NULL }, &err));
        ASSERT_STREQ(err->msg, "invalid filter `colour`");
        berth_error_free(&err);
        ASSERT_FAIL(engine_events_filters_check((char *[]){ "event", NULL }, &err));
        berth_error_free(&err);
        return 0;
}

TEST(time_args)
{
        const int64_t now = 1796416578500000000LL; /* 2026-12-04T20:36:18.5Z */
        BerthError *err = NULL;
        int64_t t;

        ASSERT_OK(time_arg_parse("10m", "--since", now, &t, NULL));
        ASSERT_EQ(t, 1796416578LL * 1000000000LL - 600LL * 1000000000LL);
        ASSERT_OK(time_arg_parse("1796416578.25", "--since", now, &t, NULL));
        ASSERT_EQ(t, 1796416578250000000LL);
        ASSERT_OK(time_arg_parse("0", "--since", now, &t, NULL));
        ASSERT_EQ(t, 0);
        ASSERT_OK(time_arg_parse("2026-12-04T20:36:18.123Z", "--since", now, &t, NULL));
        ASSERT_EQ(t, 1796416578123000000LL);
        ASSERT_OK(time_arg_parse("2026-12-04T21:36:18+01:00", "--since", now, &t, NULL));
        ASSERT_EQ(t, 1796416578000000000LL);
        setenv("TZ", "UTC", 1);
        ASSERT_OK(time_arg_parse("2026-12-04", "--since", now, &t, NULL));
        ASSERT_EQ(t, 1796342400000000000LL);
        ASSERT_OK(time_arg_parse("2026-12-04T20:36", "--since", now, &t, NULL));
        ASSERT_EQ(t, 1796416560000000000LL);
        static const char *const bad[] = { "yesterday", "2026-13-01", "12.", "1.1234567890",
                                           "2026-12-04T20:36:18Q", "" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_FAIL(time_arg_parse(bad[i], "--since", now, &t, &err));
                ASSERT_NOT_NULL(strstr(err->msg, "--since"));
                berth_error_free(&err);
        }
        return 0;
}

static int collect(const char *line, size_t n, void *userdata)
{
        FILE *f = userdata;
        fprintf(f, "[%.*s]", (int)n, line);
        return 0;
}

static void write_file(const char *path, const char *s)
{
        FILE *f = fopen(path, "w");
        if (f) {
                fputs(s, f);
                fclose(f);
        }
}

TEST(line_reader_rotation)
{
        char dir[] = "/tmp/test-line-reader.XXXXXX", path[64], rot[80], cmd[128];
        _cleanup_free_ char *out = NULL;
        size_t len = 0, lines;
        LineReader *r = NULL;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/log", dir);
        snprintf(rot, sizeof(rot), "%s.2", path);
        write_file(rot, "a\n");
        snprintf(rot, sizeof(rot), "%s.1", path);
        write_file(rot, "b\nthis line is far too long\nc\n");
        write_file(path, "d\npart");
        FILE *f = open_memstream(&out, &len);
        ASSERT_OK(line_reader_open(path, 8, &r));
        ASSERT_EQ(line_reader_read(r, collect, f, &lines), 0);
        ASSERT_EQ(lines, 4);
        /* the rest of the partial line, then a rotation */
        FILE *a = fopen(path, "a");
        ASSERT_NOT_NULL(a);
        fputs("ial\n", a);
        fclose(a);
        ASSERT_EQ(rename(path, rot), 0);
        write_file(path, "e\n");
        ASSERT_EQ(line_reader_read(r, collect, f, &lines), 0);
        ASSERT_EQ(lines, 2);
        line_reader_free(r);
        fclose(f);
        ASSERT_STREQ(out, "[a][b][c][d][partial][e]");
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ASSERT_EQ(system(cmd), 0);
        return 0;
}
