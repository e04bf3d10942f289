/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth volume create, ls, inspect, rm, prune: Docker's verbs over the engine's volumes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/format-template.h"
#include "engine/volume.h"

#define VOLUME_LS_TABLE "table {{.Driver}}\t{{.Name}}"

static int volume_create(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "name", required_argument, NULL, 'n' },
                { "label", required_argument, NULL, 'l' },
                { "driver", required_argument, NULL, 'd' },
                { "opt", required_argument, NULL, 'o' },
                {},
        };
        _cleanup_strv_free_ char **labels = NULL, **opts = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_volume_ EngineVolume *v = NULL;
        EngineVolumeCreateOptions o = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "d:o:l:", options, NULL)) >= 0) {
                switch (c) {
                case 'n': o.name = optarg; break;
                case 'd': o.driver = optarg; break;
                case 'l':
                        if (strv_extend(&labels, optarg) < 0)
                                return berth_error(err, ENOMEM, "--label");
                        break;
                case 'o':
                        if (strv_extend(&opts, optarg) < 0)
                                return berth_error(err, ENOMEM, "--opt");
                        break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth volume create "
                                                 "[OPTIONS] [VOLUME]");
                }
        }
        if (optind + 1 < argc)
                return berth_error_plain(err, EINVAL, "usage: berth volume create [OPTIONS] "
                                         "[VOLUME]");
        if (optind < argc) {
                if (o.name && !streq(o.name, argv[optind]))
                        return berth_error_plain(err, EINVAL, "conflicting options: either "
                                                 "specify --name or provide positional arg, "
                                                 "not both");
                o.name = argv[optind];
        }
        o.labels = labels;
        o.options = opts;
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_volume_create(e, &o, &v, NULL, err);
        if (r < 0)
                return r;
        printf("%s\n", v->name);
        return 0;
}

static const char *ls_header(const char *field, void *userdata)
{
        if (streq(field, "Name"))
                return "VOLUME NAME";
        return NULL;
}

/* What `volume ls --format` sees: docker's fields, Labels as "k=v,k=v". */
static struct json_object *ls_object(const EngineVolume *v)
{
        struct json_object *o = engine_volume_json(v), *labels;
        _cleanup_free_ char *joined = NULL;
        size_t len = 0;
        FILE *f;

        if (!o)
                return NULL;
        labels = jwalk_member(o, "Labels");
        f = open_memstream(&joined, &len);
        if (f) {
                bool first = true;
                if (labels && json_object_is_type(labels, json_type_object)) {
                        json_object_object_foreach(labels, k, val) {
                                fprintf(f, "%s%s=%s", first ? "" : ",", k,
                                        json_object_get_string(val));
                                first = false;
                        }
                }
                fclose(f);
        }
        json_object_object_add(o, "Labels", json_object_new_string(joined ? joined : ""));
        json_object_object_add(o, "Links", json_object_new_int((int)strv_length(v->users)));
        return o;
}

static int volume_ls(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "quiet", no_argument, NULL, 'q' },
                { "filter", required_argument, NULL, 'f' },
                { "format", required_argument, NULL, 'F' },
                {},
        };
        _cleanup_strv_free_ char **filters = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_free_ char *out = NULL;
        EngineVolume **list = NULL;
        const char *format = VOLUME_LS_TABLE;
        bool quiet = false;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "qf:", options, NULL)) >= 0) {
                switch (c) {
                case 'q': quiet = true; break;
                case 'f':
                        if (strv_extend(&filters, optarg) < 0)
                                return berth_error(err, ENOMEM, "--filter");
                        break;
                case 'F': format = streq(optarg, "json") ? "{{json .}}" : optarg; break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth volume ls [OPTIONS]");
                }
        }
        if (optind < argc)
                return berth_error_plain(err, EINVAL, "usage: berth volume ls [OPTIONS]");
        if (quiet)
                format = "{{.Name}}";
        r = format_template_parse(format, &t, err);
        if (r < 0)
                return berth_error_prefix(err, "--format");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_volume_list(e, &list, &n, err);
        if (r < 0)
                return r;
        if (format_template_is_table(t))
                r = format_template_header(t, ls_header, NULL, &out, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                bool match = true;
                STRV_FOREACH(f, filters) {
                        r = engine_volume_filter_match(list[i], *f, &match, err);
                        if (r < 0 || !match)
                                break;
                }
                if (r < 0 || !match)
                        continue;
                _cleanup_(jwalk_putp) struct json_object *o = ls_object(list[i]);
                if (!o) {
                        r = berth_error(err, ENOMEM, "volume ls");
                        break;
                }
                r = format_template_render(t, o, &out, err);
                if (r < 0)
                        break;
                if (!format_template_is_table(t)) {
                        printf("%s\n", out ? out : "");
                        free(out);
                        out = NULL;
                } else {
                        size_t l = out ? strlen(out) : 0;
                        char *m = realloc(out, l + 2);
                        if (!m) {
                                r = berth_error(err, ENOMEM, "volume ls");
                                break;
                        }
                        out = m;
                        strcpy(out + l, "\n");
                }
        }
        engine_volume_list_free(list, n);
        if (r >= 0 && format_template_is_table(t) && out) {
                _cleanup_free_ char *tab = format_tabulate(out);
                fputs(tab ? tab : out, stdout);
        }
        return r;
}

static int volume_inspect(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_format_template_ FormatTemplate *t = NULL;
        _cleanup_(jwalk_putp) struct json_object *all = json_object_new_array();
        _cleanup_error_ BerthError *last = NULL;
        const char *format = NULL;
        int c, r, failed = 0;

        while ((c = getopt_long(argc, argv, "f:", options, NULL)) >= 0) {
                if (c != 'f')
                        return berth_error_plain(err, EINVAL, "usage: berth volume inspect "
                                                 "[--format FORMAT] VOLUME...");
                format = optarg;
        }
        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "usage: berth volume inspect "
                                         "[--format FORMAT] VOLUME...");
        if (!all)
                return berth_error(err, ENOMEM, "volume inspect");
        if (format) {
                r = format_template_parse(format, &t, err);
                if (r < 0)
                        return berth_error_prefix(err, "--format");
        }
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        for (int i = optind; i < argc; i++) {
                _cleanup_engine_volume_ EngineVolume *v = NULL;
                _cleanup_error_ BerthError *one = NULL;
                struct json_object *o;

                r = engine_volume_lookup(e, argv[i], &v, &one);
                if (r < 0) {
                        /* Each is told; the last one is the verb's error. */
                        if (last)
                                fprintf(stderr, "berth: %s\n", last->msg);
                        berth_error_free(&last);
                        last = TAKE_PTR(one);
                        failed = r;
                        continue;
                }
                o = engine_volume_json(v);
                if (!o || json_object_array_add(all, o) < 0) {
                        json_object_put(o);
                        return berth_error(err, ENOMEM, "volume inspect");
                }
                if (t) {
                        _cleanup_free_ char *out = NULL;
                        r = format_template_render(t, o, &out, err);
                        if (r < 0)
                                return r;
                        printf("%s\n", out ? out : "");
                }
        }
        if (!t)
                printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
                                                                       JSON_C_TO_STRING_SPACED |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        if (failed && last) {
                *err = TAKE_PTR(last);
                return failed;
        }
        return failed ? berth_error_plain(err, -failed, "volume inspect") : 0;
}

static int volume_rm(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        bool force = false;
        int c, r, failed = 0;

        while ((c = getopt_long(argc, argv, "f", options, NULL)) >= 0) {
                if (c != 'f')
                        return berth_error_plain(err, EINVAL, "usage: berth volume rm [-f] "
                                                 "VOLUME...");
                force = true;
        }
        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "usage: berth volume rm [-f] VOLUME...");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        for (int i = optind; i < argc; i++) {
                _cleanup_error_ BerthError *one = NULL;
                r = engine_volume_remove(e, argv[i], &one);
                /* docker: -f ignores volumes that do not exist, never ones in use */
                if (r == -ENOENT && force)
                        continue;
                if (r < 0 && i + 1 == argc && !failed) {
                        /* The last one's error is the verb's. */
                        *err = TAKE_PTR(one);
                        return r;
                }
                if (r < 0) {
                        fprintf(stderr, "berth: %s\n", one && one->msg ? one->msg : strerror(-r));
                        failed = r;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return failed ? berth_error_plain(err, -failed, "some volumes were not removed") : 0;
}

/* docker's question before a prune without -f; yes only for y or yes. */
static bool confirm(bool all)
{
        char line[16];

        fprintf(stderr, "WARNING! This will remove %s local volumes not used by at least one "
                        "container.\nAre you sure you want to continue? [y/N] ",
                all ? "all" : "anonymous");
        if (!fgets(line, sizeof(line), stdin))
                return false;
        line[strcspn(line, "\n")] = 0;
        return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

static int volume_prune(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                { "all", no_argument, NULL, 'a' },
                {},
        };
        _cleanup_strv_free_ char **removed = NULL;
        _cleanup_engine_ Engine *e = NULL;
        bool force = false, all = false;
        uint64_t reclaimed = 0;
        char size[32];
        int c, r;

        while ((c = getopt_long(argc, argv, "fa", options, NULL)) >= 0) {
                if (c == 'f')
                        force = true;
                else if (c == 'a')
                        all = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth volume prune "
                                                 "[-f] [-a]");
        }
        if (optind < argc)
                return berth_error_plain(err, EINVAL, "usage: berth volume prune [-f] [-a]");
        if (!force && !confirm(all))
                return 0;
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_volume_prune(e, all, &removed, &reclaimed, err);
        if (r < 0)
                return r;
        if (removed) {
                printf("Deleted Volumes:\n");
                STRV_FOREACH(n, removed)
                        printf("%s\n", *n);
                printf("\n");
        }
        format_size(reclaimed, size, sizeof(size));
        printf("Total reclaimed space: %s\n", size);
        return 0;
}

int cmd_volume(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct {
                const char *name;
                VerbFunc func;
        } verbs[] = {
                { "create", volume_create }, { "ls", volume_ls },       { "list", volume_ls },
                { "inspect", volume_inspect }, { "rm", volume_rm },     { "remove", volume_rm },
                { "prune", volume_prune },
        };

        if (argc < 2)
                return berth_error_plain(err, EINVAL, "usage: berth volume create|ls|inspect|"
                                         "rm|prune ...");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[1], verbs[i].name)) {
                        optind = 0;
                        return verbs[i].func(ctx, argc - 1, argv + 1, err);
                }
        return berth_error_plain(err, EINVAL, "unknown volume command `%s`", argv[1]);
}
