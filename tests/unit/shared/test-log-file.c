/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log writer: Docker's json-file lines and escapes, CRI lines, partial lines, rotation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "shared/log-file.h"
#include "tap.h"

static const struct timespec T = { .tv_sec = 1796416578, .tv_nsec = 123450000 };

static char *tmpdir(void)
{
        char *d = strdup("/tmp/test-log-file.XXXXXX");
        return d && mkdtemp(d) ? d : NULL;
}

static char *slurp(const char *dir, const char *name)
{
        char path[512], *data = NULL;
        size_t n = 0;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (fs_read_full_file(path, &data, &n) < 0)
                return NULL;
        return data;
}

static void cleanup_dir(char **d)
{
        if (*d) {
                char cmd[600];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", *d);
                (void)!system(cmd);
                free(*d);
        }
}

TEST(time_is_go_rfc3339nano)
{
        char buf[40];

        log_file_format_time(&T, buf);
        ASSERT_STREQ(buf, "2026-12-04T20:36:18.12345Z");
        log_file_format_time(&(struct timespec){ .tv_sec = 1796416578 }, buf);
        ASSERT_STREQ(buf, "2026-12-04T20:36:18Z");
        log_file_format_time(&(struct timespec){ .tv_sec = 0, .tv_nsec = 1 }, buf);
        ASSERT_STREQ(buf, "1970-01-01T00:00:00.000000001Z");
        return 0;
}

TEST(json_file_lines_and_escapes)
{
        _cleanup_(cleanup_dir) char *d = tmpdir();
        _cleanup_free_ char *got = NULL;
        LogFile *f = NULL;
        char path[512];
        static const char out[] = "hello\n<a&b> \"q\" \\ \t\x01 caf\xc3\xa9 \xff\xe2\x80\xa8\npart";

        ASSERT_NOT_NULL(d);
        snprintf(path, sizeof(path), "%s/c.log", d);
        ASSERT_OK(log_file_open(path, &(LogFileOptions){ .format = LOG_FILE_JSON }, &f));
        /* Written in two pieces that split a line. */
        ASSERT_OK(log_file_write(f, LOG_STREAM_STDOUT, out, 10, &T));
        ASSERT_OK(log_file_write(f, LOG_STREAM_STDOUT, out + 10, sizeof(out) - 1 - 10, &T));
        ASSERT_OK(log_file_write(f, LOG_STREAM_STDERR, "err\n", 4, &T));
        ASSERT_OK(log_file_flush(f, LOG_STREAM_STDOUT, &T));
        log_file_free(f);

        got = slurp(d, "c.log");
        ASSERT_NOT_NULL(got);
        ASSERT_STREQ(got,
                "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-04T20:36:18.12345Z\"}\n"
                "{\"log\":\"\\u003ca\\u0026b\\u003e \\\"q\\\" \\\\ \\t\\u0001 caf\xc3\xa9 \\ufffd\\u2028\\n\","
                "\"stream\":\"stdout\",\"time\":\"2026-12-04T20:36:18.12345Z\"}\n"
                "{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":\"2026-12-04T20:36:18.12345Z\"}\n"
                "{\"log\":\"part\",\"stream\":\"stdout\",\"time\":\"2026-12-04T20:36:18.12345Z\"}\n");
        return 0;
}

TEST(cri_lines_and_long_lines_split)
{
        _cleanup_(cleanup_dir) char *d = tmpdir();
        _cleanup_free_ char *got = NULL;
        LogFile *f = NULL;
        char path[512];

        ASSERT_NOT_NULL(d);
        snprintf(path, sizeof(path), "%s/c.log", d);
        ASSERT_OK(log_file_open(path, &(LogFileOptions){ .format = LOG_FILE_CRI, .max_line = 4 },
                                &f));
        ASSERT_OK(log_file_write(f, LOG_STREAM_STDOUT, "abcdefg\nhi\n", 11, &T));
        log_file_free(f);

        got = slurp(d, "c.log");
        ASSERT_NOT_NULL(got);
        ASSERT_STREQ(got, "2026-12-04T20:36:18.12345Z stdout P abcd\n"
                          "2026-12-04T20:36:18.12345Z stdout F efg\n"
                          "2026-12-04T20:36:18.12345Z stdout F hi\n");
        return 0;
}

TEST(rotation_keeps_max_files)
{
        _cleanup_(cleanup_dir) char *d = tmpdir();
        LogFile *f = NULL;
        char path[512], name[64];
        struct stat st;

        ASSERT_NOT_NULL(d);
        snprintf(path, sizeof(path), "%s/c.log", d);
        ASSERT_OK(log_file_open(path, &(LogFileOptions){ .format = LOG_FILE_CRI, .max_size = 100,
                                                         .max_files = 3 }, &f));
        for (int i = 0; i < 20; i++)
                ASSERT_OK(log_file_write(f, LOG_STREAM_STDOUT, "0123456789\n", 11, &T));
        log_file_free(f);

        /* c.log, c.log.1, c.log.2 and nothing older; none over max_size by more than the one
         * entry (47 bytes) that crossed it. */
        for (int i = 0; i < 4; i++) {
                if (i == 0)
                        snprintf(name, sizeof(name), "%s/c.log", d);
                else
                        snprintf(name, sizeof(name), "%s/c.log.%d", d, i);
                if (i == 3) {
                        ASSERT_TRUE(stat(name, &st) < 0 && errno == ENOENT);
                        break;
                }
                ASSERT_OK(stat(name, &st));
                ASSERT_TRUE(st.st_size > 0 && st.st_size <= 100 + 47);
        }

        /* max_files 1: the file starts over. */
        ASSERT_OK(log_file_open(path, &(LogFileOptions){ .format = LOG_FILE_CRI, .max_size = 50,
                                                         .max_files = 1 }, &f));
        for (int i = 0; i < 10; i++)
                ASSERT_OK(log_file_write(f, LOG_STREAM_STDOUT, "0123456789\n", 11, &T));
        log_file_free(f);
        ASSERT_OK(stat(path, &st));
        ASSERT_TRUE(st.st_size <= 50 + 47);
        snprintf(name, sizeof(name), "%s/c.log.3", d);
        ASSERT_TRUE(stat(name, &st) < 0);
        return 0;
}

TEST(log_file_must_be_a_regular_file)
{
        LogFile *f = NULL;

        ASSERT_EQ(log_file_open("/dev/null", &(LogFileOptions){ 0 }, &f), -EINVAL);
        ASSERT_EQ(log_file_write(NULL, 5, "", 0, &T), -EINVAL);
        return 0;
}
