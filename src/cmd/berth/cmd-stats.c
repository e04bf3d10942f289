/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth stats [-a] [--no-stream] [--no-trunc] [--format TEMPLATE] [CONTAINER...]: docker's
 * columns from two readings of each container's cgroup a second apart, then (without
 * --no-stream) a new screen every second until interrupted. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/format-template.h"
#include "engine/units.h"

#define STATS_TABLE "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t" \
                    "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

typedef struct Target {
        EngineContainer *c;
        EngineStatsSample before, now;
        bool have_before, have_now;
} Target;

static const char *stats_header(const char *field, void *userdata)
{
        static const struct {
                const char *field, *header;
        } h[] = {
                { "ID", "CONTAINER ID" }, { "Container", "CONTAINER" }, { "Name", "NAME" },
                { "CPUPerc", "CPU %" },   { "MemUsage", "MEM USAGE / LIMIT" },
                { "MemPerc", "MEM %" },   { "NetIO", "NET I/O" },   { "BlockIO", "BLOCK I/O" },
                { "PIDs", "PIDS" },
        };
        (void)userdata;
        for (size_t i = 0; i < ELEMENTSOF(h); i++)
                if (streq(h[i].field, field))
                        return h[i].header;
        return NULL;
}

/* go-units' BytesSize: 1024-based, four significant digits ("1.5MiB"). */
static void bytes_size(uint64_t n, char buf[static 32])
{
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        double v = (double)n;
        size_t u = 0;

        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        snprintf(buf, 32, "%.4g%s", v, units[u]);
}

static struct json_object *stats_object(const Target *t, bool no_trunc)
{
        struct json_object *o = json_object_new_object();
        char id[65], a[32], b[32], text[80];
        const EngineStatsSample *s = &t->now;
        bool have = t->have_now;

        snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, t->c->id);
        json_object_object_add(o, "ID", json_object_new_string(id));
        json_object_object_add(o, "Container", json_object_new_string(id));
        json_object_object_add(o, "Name", json_object_new_string(t->c->name));
        snprintf(text, sizeof(text), "%.2f%%",
                 have && t->have_before ? engine_stats_cpu_percent(&t->before, s) : 0.0);
        json_object_object_add(o, "CPUPerc", json_object_new_string(text));
        bytes_size(have ? s->mem_usage : 0, a);
        bytes_size(have ? s->mem_limit : 0, b);
        snprintf(text, sizeof(text), "%s / %s", a, b);
        json_object_object_add(o, "MemUsage", json_object_new_string(text));
        snprintf(text, sizeof(text), "%.2f%%", have ? engine_stats_mem_percent(s) : 0.0);
        json_object_object_add(o, "MemPerc", json_object_new_string(text));
        units_format_size(have ? (double)s->net_rx : 0, 3, a);
        units_format_size(have ? (double)s->net_tx : 0, 3, b);
        snprintf(text, sizeof(text), "%s / %s", a, b);
        json_object_object_add(o, "NetIO", json_object_new_string(text));
        units_format_size(have ? (double)s->blk_read : 0, 3, a);
        units_format_size(have ? (double)s->blk_write : 0, 3, b);
        snprintf(text, sizeof(text), "%s / %s", a, b);
        json_object_object_add(o, "BlockIO", json_object_new_string(text));
        snprintf(text, sizeof(text), "%llu", have ? (unsigned long long)s->pids : 0ULL);
        json_object_object_add(o, "PIDs", json_object_new_string(text));
        return o;
}

static void sample_all(Engine *e, Target *t, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                t[i].before = t[i].now;
                t[i].have_before = t[i].have_now;
                (void)engine_container_refresh(e, t[i].c);
                t[i].have_now = engine_container_stats_sample(e, t[i].c, &t[i].now, NULL) >= 0;
        }
}

static int print_all(const FormatTemplate *tmpl, Target *t, size_t n, bool no_trunc,
                     BerthError **err)
{
        _cleanup_free_ char *out = NULL;
        int r = 0;

        if (format_template_is_table(tmpl))
                r = format_template_header(tmpl, stats_header, NULL, &out, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_(jwalk_putp) struct json_object *o = stats_object(&t[i], no_trunc);
                r = format_template_render(tmpl, o, &out, err);
                if (r >= 0) {
                        size_t l = out ? strlen(out) : 0;
                        char *m = realloc(out, l + 2);
                        if (!m)
                                return berth_error(err, ENOMEM, "stats");
                        out = m;
                        strcpy(out + l, "\n");
                }
        }
        if (r < 0)
                return r;
        if (format_template_is_table(tmpl) && out) {
                _cleanup_free_ char *tab = format_tabulate(out);
                fputs(tab ? tab : out, stdout);
        } else if (out)
                fputs(out, stdout);
        fflush(stdout);
        return 0;
}

static void sleep_second(void)
{
        struct timespec ts = { .tv_sec = 1 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int cmd_stats(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "no-stream", no_argument, NULL, 'N' },
                { "no-trunc", no_argument, NULL, 'T' },
                { "format", required_argument, NULL, 'F' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_format_template_ FormatTemplate *tmpl = NULL;
        _cleanup_free_ Target *t = NULL;
        EngineContainer **list = NULL;
        bool all = false, no_stream = false, no_trunc = false;
        const char *format = STATS_TABLE;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "a", options, NULL)) >= 0) {
                switch (c) {
                case 'a': all = true; break;
                case 'N': no_stream = true; break;
                case 'T': no_trunc = true; break;
                case 'F': format = streq(optarg, "json") ? "{{json .}}" : optarg; break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth stats [OPTIONS] "
                                                 "[CONTAINER...]");
                }
        }
        r = format_template_parse(format, &tmpl, err);
        if (r < 0)
                return berth_error_prefix(err, "--format");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        if (optind < argc) {
                n = (size_t)(argc - optind);
                list = calloc(n, sizeof(*list));
                if (!list)
                        return berth_error(err, ENOMEM, "stats");
                for (size_t i = 0; i < n; i++) {
                        r = engine_container_lookup(e, argv[optind + (int)i], &list[i], err);
                        if (r < 0) {
                                engine_container_list_free(list, n);
                                return r;
                        }
                }
        } else {
                r = engine_container_list(e, all, &list, &n, err);
                if (r < 0)
                        return r;
        }
        t = calloc(n + 1, sizeof(*t));
        if (!t) {
                engine_container_list_free(list, n);
                return berth_error(err, ENOMEM, "stats");
        }
        for (size_t i = 0; i < n; i++)
                t[i].c = list[i];
        /* CPU % needs two readings: the first a second before the first screen. */
        sample_all(e, t, n);
        sleep_second();
        sample_all(e, t, n);
        for (;;) {
                bool tty = !no_stream && isatty(STDOUT_FILENO);
                if (tty)
                        fputs("\033[2J\033[H", stdout);
                r = print_all(tmpl, t, n, no_trunc, err);
                if (r < 0 || no_stream)
                        break;
                sleep_second();
                sample_all(e, t, n);
        }
        engine_container_list_free(list, n);
        return r;
}
