/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `events [--stats] [--interval DURATION] ID`: runc's event stream, one JSON object a line.
 * --stats prints one stats event and exits; otherwise stats every interval (default 5s) and
 * an oom event whenever the OOM killer acts, until the container stops.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/lifecycle-cgroup.h"

/* A Go duration ("5s", "500ms", "1m30s", "1.5s"; units ns us µs ms s m h) in milliseconds,
 * rounded up so that a non-zero duration never becomes 0. */
static int parse_duration_ms(const char *s, unsigned *ret)
{
        static const struct {
                const char *unit;
                double ms;
        } units[] = {
                { "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 },
                { "s", 1e3 },   { "m", 60e3 },  { "h", 3600e3 },
        };
        double total = 0;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "0")) {
                *ret = 0;
                return 0;
        }
        while (*s) {
                char *end;
                if (!(*s >= '0' && *s <= '9') && *s != '.')
                        return -EINVAL;
                errno = 0;
                double v = strtod(s, &end);
                if (errno || end == s)
                        return -EINVAL;
                size_t i, best = 0, best_len = 0;
                for (i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].unit);
                        if (strncmp(end, units[i].unit, l) == 0 && l > best_len) {
                                best = i;
                                best_len = l;
                        }
                }
                if (best_len == 0)
                        return -EINVAL; /* Go: "missing unit" or "unknown unit" */
                total += v * units[best].ms;
                s = end + best_len;
        }
        if (total > (double)UINT32_MAX)
                return -ERANGE;
        *ret = (unsigned)total + ((double)(unsigned)total < total);
        return 0;
}

static int print_event(struct json_object *e, void *userdata)
{
        (void)userdata;
        if (puts(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ||
            fflush(stdout) != 0)
                return -EPIPE; /* nobody reads any more: end the stream */
        return 0;
}

int cmd_events(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        static const struct option opts[] = {
                { "stats", no_argument, NULL, 's' },
                { "interval", required_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_container_ Container *c = NULL;
        unsigned interval_ms = 5000;
        bool stats = false;
        const char *id;
        int ch, r;

        while ((ch = getopt_long_only(argc, argv, "h", opts, NULL)) >= 0) {
                switch (ch) {
                case 'h':
                        return cmd_usage(argv[0]);
                case 's':
                        stats = true;
                        break;
                case 'i':
                        if (parse_duration_ms(optarg, &interval_ms) < 0)
                                return berth_error(err, 0,
                                                   "events: invalid value \"%s\" for --interval "
                                                   "(a duration such as 5s or 500ms)",
                                                   optarg);
                        if (interval_ms == 0)
                                return berth_error(err, 0, "events: --interval must be greater "
                                                           "than 0, got \"%s\"",
                                                   optarg);
                        break;
                default:
                        return berth_error(err, 0, "events: invalid option (see events --help)");
                }
        }
        r = want_id(argc, argv, optind, "events", &id, err);
        if (r < 0)
                return r;
        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        if (stats) {
                struct json_object *e = NULL;
                r = container_stats_event(c, &e, err);
                if (r < 0)
                        return r;
                print_event(e, NULL);
                json_object_put(e);
                return 0;
        }
        if (vm_container_is_vm(c))
                r = vm_container_events(c, interval_ms, print_event, NULL, err);
        else
                r = container_events(c, interval_ms, print_event, NULL, err);
        return r < 0 ? r : 0;
}
