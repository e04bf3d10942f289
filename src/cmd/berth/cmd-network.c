/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth network create, ls, inspect, rm, connect, disconnect, prune, and berth port: Docker's
 * verbs over the engine's networks (engine/engine-network.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/engine-network.h"
#include "engine/format-template.h"

static int network_create(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "driver", required_argument, NULL, 'd' },
                { "subnet", required_argument, NULL, 's' },
                { "gateway", required_argument, NULL, 'g' },
                { "internal", no_argument, NULL, 'i' },
                { "ipv6", no_argument, NULL, '6' },
                { "label", required_argument, NULL, 'l' },
                {},
        };
        _cleanup_strv_free_ char **subnets = NULL, **gateways = NULL, **labels = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_free_ char *id = NULL;
        EngineNetworkCreateOptions o = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "d:l:", options, NULL)) >= 0) {
                switch (c) {
                case 'd': o.driver = optarg; break;
                case 's': r = strv_extend(&subnets, optarg); break;
                case 'g': r = strv_extend(&gateways, optarg); break;
                case 'l': r = strv_extend(&labels, optarg); break;
                case 'i': o.internal = true; break;
                case '6': o.ipv6 = true; break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth network create "
                                                 "[OPTIONS] NETWORK");
                }
                if (r < 0)
                        return berth_error(err, ENOMEM, "network create");
                r = 0;
        }
        if (optind + 1 != argc)
                return berth_error_plain(err, EINVAL, "usage: berth network create [OPTIONS] "
                                         "NETWORK");
        o.name = argv[optind];
        o.subnets = subnets;
        o.gateways = gateways;
        o.labels = labels;
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_network_create(e, &o, &id, err);
        if (r < 0)
                return r;
        printf("%s\n", id);
        return 0;
}

static int network_ls(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "quiet", no_argument, NULL, 'q' },
                { "no-trunc", no_argument, NULL, 't' },
                { "format", required_argument, NULL, 'f' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_(jwalk_putp) struct json_object *list = NULL;
        bool quiet = false, no_trunc = false;
        const char *format = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "q", options, NULL)) >= 0) {
                switch (c) {
                case 'q': quiet = true; break;
                case 't': no_trunc = true; break;
                case 'f': format = optarg; break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth network ls [-q] "
                                                 "[--no-trunc] [--format json]");
                }
        }
        if (format && !streq(format, "json"))
                return berth_error_plain(err, EINVAL, "--format: only json is supported");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_network_list(e, &list, err);
        if (r < 0)
                return r;
        if (!quiet && !format)
                printf("%-14s %-20s %-10s %s\n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *n = json_object_array_get_idx(list, i);
                const char *id = json_object_get_string(jwalk_member(n, "Id")),
                           *name = json_object_get_string(jwalk_member(n, "Name"));
                if (format)
                        printf("%s\n", json_object_to_json_string_ext(n, JSON_C_TO_STRING_PLAIN));
                else if (quiet)
                        printf("%.*s\n", no_trunc ? 64 : 12, id);
                else
                        printf("%-14.*s %-20s %-10s %s\n", no_trunc ? 64 : 12, id, name,
                               json_object_get_string(jwalk_member(n, "Driver")), "local");
        }
        return 0;
}

static int network_inspect(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                {},
        };
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_(jwalk_putp) struct json_object *out = json_object_new_array();
        const char *format = NULL;
        int c, r, failed = 0;

        while ((c = getopt_long(argc, argv, "f:", options, NULL)) >= 0) {
                if (c != 'f')
                        return berth_error_plain(err, EINVAL, "usage: berth network inspect "
                                                 "[-f TEMPLATE] NETWORK...");
                format = optarg;
        }
        if (optind >= argc)
                return berth_error_plain(err, EINVAL, "usage: berth network inspect "
                                         "[-f TEMPLATE] NETWORK...");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        for (int i = optind; i < argc; i++) {
                struct json_object *doc = NULL;
                _cleanup_error_ BerthError *one = NULL;
                r = engine_network_inspect(e, argv[i], &doc, &one);
                if (r < 0) {
                        fprintf(stderr, "berth: %s\n", one ? one->msg : strerror(-r));
                        failed = r;
                        continue;
                }
                if (format) {
                        _cleanup_free_ char *text = NULL;
                        FormatTemplate *t = NULL;
                        r = format_template_parse(format, &t, err);
                        if (r >= 0)
                                r = format_template_render(t, doc, &text, err);
                        format_template_free(t);
                        json_object_put(doc);
                        if (r < 0)
                                return r;
                        printf("%s\n", text);
                } else
                        json_object_array_add(out, doc);
        }
        if (!format)
                printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
                                                                        JSON_C_TO_STRING_SPACED |
                                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
        return failed ? berth_exit(ctx, 1, berth_error_plain(err, -failed, "some networks "
                                                             "were not found")) : 0;
}

static int network_rm(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        int r, failed = 0;

        optind = 1;
        if (argc < 2)
                return berth_error_plain(err, EINVAL, "usage: berth network rm NETWORK...");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        for (int i = 1; i < argc; i++) {
                _cleanup_error_ BerthError *one = NULL;
                r = engine_network_remove(e, argv[i], &one);
                if (r < 0) {
                        if (i + 1 == argc && !failed) {
                                *err = TAKE_PTR(one);
                                return r;
                        }
                        fprintf(stderr, "berth: %s\n", one ? one->msg : strerror(-r));
                        failed = r;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return failed ? berth_error_plain(err, -failed, "some networks were not removed") : 0;
}

static int network_prune(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_strv_free_ char **gone = NULL;
        bool force = false;
        int r;

        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "-f") || streq(argv[i], "--force"))
                        force = true;
                else
                        return berth_error_plain(err, EINVAL, "usage: berth network prune [-f]");
        }
        if (!force && !berth_confirm("WARNING! This will remove all custom networks not used "
                                     "by at least one container."))
                return 0;
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_network_prune(e, &gone, err);
        if (r < 0)
                return r;
        if (gone) {
                printf("Deleted Networks:\n");
                STRV_FOREACH(n, gone)
                        printf("%s\n", *n);
        }
        return 0;
}

typedef struct ConnectArgs {
        EngineEndpointRequest req;
        bool force;
        const char *network;
} ConnectArgs;

static int connect_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        return engine_network_connect(e, c, &((ConnectArgs *)userdata)->req, err);
}

static int disconnect_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        ConnectArgs *a = userdata;
        return engine_network_disconnect(e, c, a->network, a->force, err);
}

static int network_connect(BerthContext *ctx, int argc, char **argv, bool connect,
                           BerthError **err)
{
        static const struct option options[] = {
                { "ip", required_argument, NULL, 'i' },
                { "ip6", required_argument, NULL, '6' },
                { "alias", required_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                {},
        };
        _cleanup_strv_free_ char **aliases = NULL;
        ConnectArgs a = {};
        int c;

        while ((c = getopt_long(argc, argv, "f", options, NULL)) >= 0) {
                switch (c) {
                case 'i': a.req.ip = optarg; break;
                case '6': a.req.ip6 = optarg; break;
                case 'a':
                        if (strv_extend(&aliases, optarg) < 0)
                                return berth_error(err, ENOMEM, "--alias");
                        break;
                case 'f': a.force = true; break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth network %s [OPTIONS] "
                                                 "NETWORK CONTAINER", argv[0]);
                }
        }
        if (optind + 2 != argc)
                return berth_error_plain(err, EINVAL, "usage: berth network %s [OPTIONS] "
                                         "NETWORK CONTAINER", argv[0]);
        a.req.network = a.network = argv[optind];
        a.req.aliases = aliases;
        optind++;
        return berth_for_each_container(ctx, argc, argv, connect ? connect_one : disconnect_one,
                                        &a, false, err);
}

int cmd_network(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        const char *verb = argc > 1 ? argv[1] : "";

        optind = 0;
        argc--;
        argv++;
        if (streq(verb, "create"))
                return network_create(ctx, argc, argv, err);
        if (streq(verb, "ls") || streq(verb, "list"))
                return network_ls(ctx, argc, argv, err);
        if (streq(verb, "inspect"))
                return network_inspect(ctx, argc, argv, err);
        if (streq(verb, "rm") || streq(verb, "remove"))
                return network_rm(ctx, argc, argv, err);
        if (streq(verb, "prune"))
                return network_prune(ctx, argc, argv, err);
        if (streq(verb, "connect"))
                return network_connect(ctx, argc, argv, true, err);
        if (streq(verb, "disconnect"))
                return network_connect(ctx, argc, argv, false, err);
        return berth_error_plain(err, EINVAL, "network: unknown command `%s` (create, ls, "
                                 "inspect, rm, prune, connect, disconnect)", verb);
}

static int port_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        _cleanup_strv_free_ char **lines = NULL;
        int r = engine_network_ports(e, c, userdata, &lines, err);

        if (r < 0)
                return r;
        STRV_FOREACH(l, lines)
                printf("%s\n", *l);
        return 0;
}

int cmd_port(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        if (argc < 2 || argc > 3)
                return berth_error_plain(err, EINVAL, "usage: berth port CONTAINER "
                                         "[PRIVATE_PORT[/PROTO]]");
        optind = 1;
        return berth_for_each_container(ctx, 2, argv, port_one, argc == 3 ? argv[2] : NULL,
                                        false, err);
}
