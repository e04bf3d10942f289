/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth logs [-f] [--since T] [--until T] [-n N|all] [-t] [--details] CONTAINER: the entries
 * of the container's log (engine/container-logs.h), each to stdout or stderr by its stream. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "cmd/berth/berth.h"
#include "engine/container-logs.h"
#include "engine/engine.h"
#include "engine/time-arg.h"

#define LOGS_USAGE "usage: berth logs [-f] [--since T] [--until T] [-n N] [-t] [--details] " \
                   "CONTAINER"

typedef struct LogsPrint {
        bool timestamps, details, follow;
} LogsPrint;

/* docker's jsonmessage.RFC3339NanoFixed, in UTC: nine digits of fraction. */
static void format_fixed(int64_t nsec, char buf[static 40])
{
        time_t sec = (time_t)(nsec / 1000000000LL);
        long frac = (long)(nsec % 1000000000LL);
        struct tm tm;

        if (frac < 0) {
                frac += 1000000000L;
                sec--;
        }
        gmtime_r(&sec, &tm);
        size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 40 - n, ".%09ldZ", frac);
}

static int print_entry(const EngineLogEntry *entry, void *userdata)
{
        const LogsPrint *p = userdata;
        FILE *f = entry->stream == LOG_STREAM_STDERR ? stderr : stdout;
        char ts[40];

        if (p->timestamps) {
                format_fixed(entry->time_nsec, ts);
                fprintf(f, "%s ", ts);
        }
        if (p->details)
                fprintf(f, "%s ", entry->attrs);
        if (fwrite(entry->data, 1, entry->size, f) != entry->size)
                return -errno ?: -EIO;
        /* Following, and both streams to one terminal: each entry as it comes. */
        if (p->follow || f == stdout)
                (void)fflush(f);
        return 0;
}

int cmd_logs(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "follow", no_argument, NULL, 'f' },
                { "since", required_argument, NULL, 'S' },
                { "until", required_argument, NULL, 'U' },
                { "tail", required_argument, NULL, 'n' },
                { "timestamps", no_argument, NULL, 't' },
                { "details", no_argument, NULL, 'D' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        EngineLogsOptions o = { .tail = -1 };
        LogsPrint p = {};
        int64_t now = time_now_nsec();
        int opt, r;

        while ((opt = getopt_long(argc, argv, "fn:t", options, NULL)) >= 0) {
                switch (opt) {
                case 'f':
                        o.follow = p.follow = true;
                        break;
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
                case 'n':
                        if (streq(optarg, "all"))
                                o.tail = -1;
                        else if (string_safe_atoi64(optarg, &o.tail) < 0)
                                return berth_error_plain(err, EINVAL, "--tail: `%s` is neither "
                                                         "a number nor `all`", optarg);
                        break;
                case 't':
                        p.timestamps = true;
                        break;
                case 'D':
                        p.details = true;
                        break;
                default:
                        return berth_error_plain(err, EINVAL, LOGS_USAGE);
                }
        }
        if (optind + 1 != argc)
                return berth_error_plain(err, EINVAL, LOGS_USAGE);
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_container_lookup(e, argv[optind], &c, err);
        if (r < 0)
                return r;
        r = engine_container_logs(e, c, &o, print_entry, &p, err);
        (void)fflush(stdout);
        return r;
}
