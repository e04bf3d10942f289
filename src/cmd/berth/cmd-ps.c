/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth ps [-a] [-q] [-n N] [-l] [--no-trunc] [-f KEY=VALUE...] [--format TEMPLATE|json]: one
 * JSON object per container with the fields of `docker ps --format '{{json .}}'`, rendered by
 * the template (docker's table by default), of the containers the filters let through. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/engine-network.h"
#include "engine/format-template.h"
#include "engine/units.h"

#define PS_TABLE "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t" \
                 "{{.Ports}}\t{{.Names}}"

static const char *ps_header(const char *field, void *userdata)
{
        static const struct {
                const char *field, *header;
        } h[] = {
                { "ID", "CONTAINER ID" },  { "RunningFor", "CREATED" }, { "CreatedAt", "CREATED AT" },
                { "Names", "NAMES" },      { "Ports", "PORTS" },        { "Status", "STATUS" },
                { "Image", "IMAGE" },      { "Command", "COMMAND" },    { "State", "STATE" },
        };
        for (size_t i = 0; i < ELEMENTSOF(h); i++)
                if (streq(h[i].field, field))
                        return h[i].header;
        return NULL;
}

/* "3 seconds ago" etc., from an RFC 3339 stamp. */
static void ago(const char *stamp, char buf[static 48])
{
        int64_t t;
        char d[32];

        if (!stamp || time_parse_rfc3339(stamp, &t) < 0) {
                snprintf(buf, 48, "%s", "");
                return;
        }
        units_format_duration(time_now_nsec() - t, d);
        snprintf(buf, 48, "%s ago", d);
}

static void status_text(const EngineContainer *c, char buf[static 128])
{
        char d[32], a[48];
        int64_t t = 0;
        const char *health = "";

        if (c->health && strstr(c->health, "\"Status\":\"healthy\""))
                health = " (healthy)";
        else if (c->health && strstr(c->health, "\"Status\":\"unhealthy\""))
                health = " (unhealthy)";
        else if (c->health && strstr(c->health, "\"Status\":\"starting\""))
                health = " (health: starting)";
        switch (c->state) {
        case ENGINE_STATE_CREATED:
                snprintf(buf, 128, "Created");
                break;
        case ENGINE_STATE_RUNNING:
        case ENGINE_STATE_PAUSED:
                if (c->started_at)
                        (void)time_parse_rfc3339(c->started_at, &t);
                units_format_duration(t ? time_now_nsec() - t : 0, d);
                snprintf(buf, 128, "Up %s%s%s", d,
                         c->state == ENGINE_STATE_PAUSED ? " (Paused)" : "", health);
                break;
        case ENGINE_STATE_RESTARTING:
                ago(c->finished_at, a);
                snprintf(buf, 128, "Restarting (%d) %s", c->exit_code, a);
                break;
        case ENGINE_STATE_EXITED:
                ago(c->finished_at, a);
                snprintf(buf, 128, "Exited (%d) %s", c->exit_code, *a ? a : "");
                break;
        case ENGINE_STATE_DEAD:
                snprintf(buf, 128, "Dead");
                break;
        }
}

/* The command docker shows: entrypoint and cmd joined, quoted, cut to 20 characters. */
static char *command_text(const EngineContainer *c, bool no_trunc)
{
        _cleanup_(jwalk_putp) struct json_object *doc = jwalk_parse_object(c->config,
                                                                           strlen(c->config));
        struct json_object *cfg = doc ? jwalk_member(doc, "Config") : NULL;
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        const char *keys[] = { "Entrypoint", "Cmd" };
        bool first = true;
        for (size_t k = 0; k < 2 && cfg; k++) {
                struct json_object *a = jwalk_member(cfg, keys[k]);
                for (size_t i = 0; a && json_object_is_type(a, json_type_array) &&
                                   i < json_object_array_length(a);
                     i++) {
                        fprintf(f, "%s%s", first ? "" : " ",
                                json_object_get_string(json_object_array_get_idx(a, i)));
                        first = false;
                }
        }
        fclose(f);
        if (!out)
                return NULL;
        char *q = NULL;
        if (!no_trunc && strlen(out) > 20)
                (void)asprintf(&q, "\"%.19s…\"", out);
        else
                (void)asprintf(&q, "\"%s\"", out);
        free(out);
        return q;
}

static struct json_object *ps_object(const EngineContainer *c, bool no_trunc)
{
        struct json_object *o = json_object_new_object();
        _cleanup_free_ char *cmd = command_text(c, no_trunc);
        char status[128], running_for[48], id[65];

        snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, c->id);
        status_text(c, status);
        ago(c->created, running_for);
        json_object_object_add(o, "ID", json_object_new_string(id));
        json_object_object_add(o, "Image", json_object_new_string(c->image));
        json_object_object_add(o, "Command", json_object_new_string(cmd ? cmd : ""));
        json_object_object_add(o, "CreatedAt", json_object_new_string(c->created));
        json_object_object_add(o, "RunningFor", json_object_new_string(running_for));
        json_object_object_add(o, "Status", json_object_new_string(status));
        json_object_object_add(o, "State", json_object_new_string(engine_state_name(c->state)));
        json_object_object_add(o, "Names", json_object_new_string(c->name));
        json_object_object_add(o, "Ports", json_object_new_string(""));
        json_object_object_add(o, "Networks", json_object_new_string(""));
        json_object_object_add(o, "Mounts", json_object_new_string(""));
        json_object_object_add(o, "LocalVolumes", json_object_new_string("0"));
        json_object_object_add(o, "Size", json_object_new_string(""));
        _cleanup_(jwalk_putp) struct json_object *doc = jwalk_parse_object(c->config,
                                                                           strlen(c->config));
        struct json_object *cfg = doc ? jwalk_member(doc, "Config") : NULL;
        struct json_object *labels = cfg ? jwalk_member(cfg, "Labels") : NULL;
        char *joined = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&joined, &len);
        if (f) {
                bool first = true;
                if (labels && json_object_is_type(labels, json_type_object)) {
                        json_object_object_foreach(labels, k, v) {
                                fprintf(f, "%s%s=%s", first ? "" : ",", k,
                                        json_object_get_string(v));
                                first = false;
                        }
                }
                fclose(f);
        }
        json_object_object_add(o, "Labels", json_object_new_string(joined ? joined : ""));
        free(joined);
        return o;
}

int cmd_ps(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "quiet", no_argument, NULL, 'q' },
                { "last", required_argument, NULL, 'n' },
                { "latest", no_argument, NULL, 'l' },
                { "no-trunc", no_argument, NULL, 'T' },
                { "format", required_argument, NULL, 'F' },
                { "filter", required_argument, NULL, 'f' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_engine_filter_ EngineFilter *filter = NULL;
        _cleanup_free_ char *out = NULL;
        EngineContainer **list = NULL;
        bool all = false, quiet = false, no_trunc = false;
        const char *format = PS_TABLE;
        int last = -1, c, r;
        size_t n = 0, total = 0;

        while ((c = getopt_long(argc, argv, "aqn:lf:", options, NULL)) >= 0) {
                switch (c) {
                case 'a': all = true; break;
                case 'q': quiet = true; break;
                case 'l': last = 1; break;
                case 'n':
                        if (string_safe_atoi(optarg, &last) < 0)
                                return berth_error_plain(err, EINVAL, "--last: `%s` is no number",
                                                         optarg);
                        break;
                case 'T': no_trunc = true; break;
                case 'F': format = streq(optarg, "json") ? "{{json .}}" : optarg; break;
                case 'f':
                        r = engine_filter_add(&filter, optarg, err);
                        if (r < 0)
                                return berth_error_prefix(err, "--filter");
                        /* docker: a status filter looks at every container */
                        if (startswith(optarg, "status="))
                                all = true;
                        break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth ps [OPTIONS]");
                }
        }
        if (optind < argc)
                return berth_error_plain(err, EINVAL, "usage: berth ps [OPTIONS]");
        if (last >= 0)
                all = true;
        if (quiet)
                format = "{{.ID}}";
        r = format_template_parse(format, &t, err);
        if (r < 0)
                return berth_error_prefix(err, "--format");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_container_list(e, all, &list, &total, err);
        if (r < 0)
                return r;
        if (filter) {
                /* Filtered first, then cut to -n as docker does. */
                size_t kept = 0;
                engine_filter_resolve(filter, e);
                for (size_t i = 0; i < total; i++) {
                        if (engine_filter_match(filter, list[i]))
                                list[kept++] = list[i];
                        else
                                engine_container_free(list[i]);
                }
                total = kept;
        }
        n = last >= 0 && (size_t)last < total ? (size_t)last : total; /* newest first */
        if (format_template_is_table(t))
                r = format_template_header(t, ps_header, NULL, &out, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_(jwalk_putp) struct json_object *o = ps_object(list[i], no_trunc);
                engine_network_ps_fields(e, list[i]->id, o);
                r = format_template_render(t, o, &out, err);
                if (r >= 0 && !format_template_is_table(t)) {
                        fputs(out ? out : "", stdout);
                        fputc('\n', stdout);
                        free(out);
                        out = NULL;
                } else if (r >= 0 && out) {
                        size_t l = strlen(out);
                        char *m = realloc(out, l + 2);
                        if (m) {
                                out = m;
                                strcpy(out + l, "\n");
                        }
                }
        }
        engine_container_list_free(list, total);
        if (r >= 0 && format_template_is_table(t) && out) {
                _cleanup_free_ char *tab = format_tabulate(out);
                fputs(tab ? tab : out, stdout);
        }
        return r;
}
