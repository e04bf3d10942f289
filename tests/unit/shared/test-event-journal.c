/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The events journal: Docker's message, sorted attributes, the line cap, appends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "shared/event-journal.h"
#include "tap.h"

TEST(format_is_dockers)
{
        _cleanup_free_ char *line = NULL;
        size_t len;
        const EventJournalEntry e = {
                .type = "container", .action = "die", .id = "abc", .from = "busybox",
                .attributes = (char *[]){ "name=web", "exitCode=0", "image=busybox",
                                          "quote=a\"b", NULL },
                .time_nsec = 1796416578123456789LL,
        };

        ASSERT_OK(event_journal_format(&e, &line, &len));
        ASSERT_STREQ(line, "{\"status\":\"die\",\"id\":\"abc\",\"from\":\"busybox\","
                           "\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc\","
                           "\"Attributes\":{\"exitCode\":\"0\",\"image\":\"busybox\","
                           "\"name\":\"web\",\"quote\":\"a\\\"b\"}},\"scope\":\"local\","
                           "\"time\":1796416578,\"timeNano\":1796416578123456789}\n");
        ASSERT_EQ(len, strlen(line));
        return 0;
}

TEST(long_attributes_dropped)
{
        _cleanup_free_ char *line = NULL, *big = malloc(5000);
        size_t len;

        ASSERT_NOT_NULL(big);
        memset(big, 'x', 4999);
        big[4999] = 0;
        memcpy(big, "label=", 6);
        const EventJournalEntry e = {
                .type = "container", .action = "start", .id = "abc",
                .attributes = (char *[]){ big, "name=web", NULL },
        };
        ASSERT_OK(event_journal_format(&e, &line, &len));
        ASSERT_TRUE(len < EVENT_JOURNAL_LINE_MAX);
        ASSERT_NOT_NULL(strstr(line, "\"Attributes\":{\"name\":\"web\"}"));
        ASSERT_NULL(strstr(line, "label"));
        return 0;
}

TEST(append)
{
        char dir[] = "/tmp/test-event-journal.XXXXXX", path[64];
        _cleanup_free_ char *data = NULL;
        size_t n;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/events.log", dir);
        const EventJournalEntry e = { .type = "container", .action = "create", .id = "a" };
        ASSERT_OK(event_journal_append(path, &e));
        ASSERT_OK(event_journal_append(path, &e));
        ASSERT_OK(fs_read_full_file(path, &data, &n));
        ASSERT_EQ(strlen(data), n);
        ASSERT_NOT_NULL(strchr(data, '\n'));
        ASSERT_NOT_NULL(strstr(strchr(data, '\n') + 1, "\"Action\":\"create\""));
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(rmdir(dir), 0);
        const EventJournalEntry none = { .type = "container", .id = "a" };
        ASSERT_EQ(event_journal_append(path, &none), -EINVAL);
        return 0;
}

TEST(rotation_keeps_one_old_file)
{
        char dir[] = "/tmp/test-event-journal.XXXXXX", path[64], old[80], cmd[128];
        struct stat st, st_old;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/events.log", dir);
        snprintf(old, sizeof(old), "%s.1", path);
        const EventJournalEntry e = { .type = "container", .action = "create", .id = "a",
                                      .time_nsec = 1 };
        _cleanup_free_ char *line = NULL;
        size_t len;
        ASSERT_OK(event_journal_format(&e, &line, &len));
        /* enough for two rotations */
        size_t n = 2 * EVENT_JOURNAL_SIZE_MAX / len + 10;
        for (size_t i = 0; i < n; i++)
                ASSERT_OK(event_journal_append(path, &e));
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(stat(old, &st_old), 0);
        ASSERT_TRUE(st.st_size < EVENT_JOURNAL_SIZE_MAX);
        ASSERT_TRUE(st_old.st_size >= EVENT_JOURNAL_SIZE_MAX);
        ASSERT_TRUE(st_old.st_size < EVENT_JOURNAL_SIZE_MAX + (off_t)len);
        ASSERT_EQ((st.st_size + st_old.st_size) % (off_t)len, 0);
        snprintf(cmd, sizeof(cmd), "%s.2", path);
        ASSERT_TRUE(access(cmd, F_OK) < 0);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ASSERT_EQ(system(cmd), 0);
        return 0;
}
