/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth container VERB ...: docker's management group over the container verbs (ls, ps,
 * inspect, start, ...), and `container prune`, which only it has. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "engine/engine.h"

bool berth_confirm(const char *warning)
{
        char line[64];

        printf("WARNING! %s\nAre you sure you want to continue? [y/N] ", warning);
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

int berth_prune_containers(BerthContext *ctx, bool print_total, uint64_t *ret_bytes,
                           BerthError **err)
{
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        uint64_t bytes = 0;
        char size[32];
        int r;

        r = berth_engine_open(ctx, &e, err);
        if (r < 0)
                return r;
        r = engine_container_prune(e, &ids, &bytes, err);
        if (r < 0)
                return r;
        if (ids) {
                printf("Deleted Containers:\n");
                STRV_FOREACH(id, ids)
                        printf("%s\n", *id);
                printf("\n");
        }
        if (print_total) {
                format_size(bytes, size, sizeof(size));
                printf("Total reclaimed space: %s\n", size);
        }
        if (ret_bytes)
                *ret_bytes = bytes;
        return 0;
}

int cmd_container_prune(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                {},
        };
        bool force = false;
        int c;

        while ((c = getopt_long(argc, argv, "f", options, NULL)) >= 0) {
                if (c != 'f')
                        return berth_error_plain(err, EINVAL, "usage: berth container prune [-f]");
                force = true;
        }
        if (optind < argc)
                return berth_error_plain(err, EINVAL, "usage: berth container prune [-f]");
        if (!force && !berth_confirm("This will remove all stopped containers."))
                return 0;
        return berth_prune_containers(ctx, true, NULL, err);
}

int cmd_container(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct {
                const char *name;
                VerbFunc func;
        } sub[] = {
                { "ls", cmd_ps },          { "list", cmd_ps },        { "ps", cmd_ps },
                { "inspect", NULL },       { "create", cmd_create },  { "run", cmd_run },
                { "start", cmd_start },    { "stop", cmd_stop },      { "restart", cmd_restart },
                { "kill", cmd_kill },      { "rm", cmd_rm },          { "remove", cmd_rm },
                { "wait", cmd_wait },      { "pause", cmd_pause },    { "unpause", cmd_unpause },
                { "rename", cmd_rename },  { "update", cmd_update },  { "top", cmd_top },
                { "stats", cmd_stats },    { "prune", cmd_container_prune },
        };

        if (argc < 2)
                return berth_error_plain(err, EINVAL, "usage: berth container VERB [ARGS...]");
        for (size_t i = 0; i < ELEMENTSOF(sub); i++) {
                if (!streq(sub[i].name, argv[1]))
                        continue;
                if (sub[i].func)
                        return sub[i].func(ctx, argc - 1, argv + 1, err);
                /* container inspect: containers only, also where an image has the name */
                _cleanup_free_ char **args = calloc((size_t)argc + 2, sizeof(char *));
                if (!args)
                        return berth_error(err, ENOMEM, "container inspect");
                args[0] = argv[1];
                args[1] = (char *)"--type=container";
                memcpy(args + 2, argv + 2, (size_t)(argc - 2) * sizeof(char *));
                return cmd_inspect(ctx, argc, args, err);
        }
        return berth_error_plain(err, EINVAL, "unknown container command `%s`", argv[1]);
}
