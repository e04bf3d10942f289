/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth pause|unpause CONTAINER..., berth rename OLD NEW, berth update [OPTIONS]
 * CONTAINER...: flags in, the engine does the work. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"
#include "engine/units.h"

static int pause_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        (void)userdata;
        return engine_container_pause(e, c, err);
}

static int unpause_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        (void)userdata;
        return engine_container_unpause(e, c, err);
}

static int no_options(int argc, char **argv, const char *usage, BerthError **err)
{
        if (getopt_long(argc, argv, "", (const struct option[]){ {} }, NULL) >= 0)
                return berth_error_plain(err, EINVAL, "usage: berth %s", usage);
        return 0;
}

int cmd_pause(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        int r = no_options(argc, argv, "pause CONTAINER...", err);
        if (r < 0)
                return r;
        return berth_for_each_container(ctx, argc, argv, pause_one, NULL, true, err);
}

int cmd_unpause(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        int r = no_options(argc, argv, "unpause CONTAINER...", err);
        if (r < 0)
                return r;
        return berth_for_each_container(ctx, argc, argv, unpause_one, NULL, true, err);
}

int cmd_rename(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_engine_container_ EngineContainer *c = NULL;
        int r = no_options(argc, argv, "rename CONTAINER NEW_NAME", err);

        if (r < 0)
                return r;
        if (argc - optind != 2)
                return berth_error_plain(err, EINVAL, "usage: berth rename CONTAINER NEW_NAME");
        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_container_lookup(e, argv[optind], &c, err);
        if (r < 0)
                return r;
        return engine_container_rename(e, c, argv[optind + 1], err);
}

static int update_one(Engine *e, EngineContainer *c, void *userdata, BerthError **err)
{
        return engine_container_update(e, c, userdata, err);
}

int cmd_update(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "memory", required_argument, NULL, 'm' },
                { "memory-swap", required_argument, NULL, 'S' },
                { "cpus", required_argument, NULL, 'C' },
                { "cpu-shares", required_argument, NULL, 'c' },
                { "cpuset-cpus", required_argument, NULL, 'P' },
                { "pids-limit", required_argument, NULL, 'p' },
                { "restart", required_argument, NULL, 'R' },
                {},
        };
        EngineUpdateOptions o = ENGINE_UPDATE_OPTIONS_INIT;
        RestartPolicy restart;
        bool any = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "m:c:", options, NULL)) >= 0) {
                any = true;
                switch (c) {
                case 'm':
                        r = units_parse_ram(optarg, "--memory", &o.memory, err);
                        if (r < 0)
                                return r;
                        break;
                case 'S':
                        if (streq(optarg, "-1"))
                                o.memory_swap = -1;
                        else if ((r = units_parse_ram(optarg, "--memory-swap", &o.memory_swap,
                                                      err)) < 0)
                                return r;
                        break;
                case 'C':
                        if (streq(optarg, "0"))
                                o.nano_cpus = 0;
                        else if ((r = units_parse_cpus(optarg, "--cpus", &o.nano_cpus, err)) < 0)
                                return r;
                        break;
                case 'c':
                        if (string_safe_atoi64(optarg, &o.cpu_shares) < 0 || o.cpu_shares < 0)
                                return berth_error_plain(err, EINVAL, "--cpu-shares: `%s` is "
                                                         "no number", optarg);
                        break;
                case 'P':
                        if (strlen(optarg) > 1024 ||
                            strspn(optarg, "0123456789,-") != strlen(optarg))
                                return berth_error_plain(err, EINVAL, "--cpuset-cpus: `%s` is "
                                                         "no CPU list", optarg);
                        o.cpuset_cpus = optarg;
                        break;
                case 'p':
                        if (string_safe_atoi64(optarg, &o.pids_limit) < 0)
                                return berth_error_plain(err, EINVAL, "--pids-limit: `%s` is "
                                                         "no number", optarg);
                        /* docker: 0 and -1 both mean unlimited */
                        if (o.pids_limit < 0)
                                o.pids_limit = 0;
                        break;
                case 'R':
                        r = restart_policy_parse(optarg, &restart, err);
                        if (r < 0)
                                return berth_error_prefix(err, "--restart");
                        o.restart = &restart;
                        break;
                default:
                        return berth_error_plain(err, EINVAL, "usage: berth update [OPTIONS] "
                                                 "CONTAINER...");
                }
        }
        if (!any)
                return berth_error_plain(err, EINVAL, "you must provide one or more flags when "
                                         "using this command");
        return berth_for_each_container(ctx, argc, argv, update_one, &o, true, err);
}
