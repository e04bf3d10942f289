/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_list(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        static const struct option opts[] = {
                { "quiet", no_argument, NULL, 'q' },
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool quiet = false, json = false;
        int ch;

        while ((ch = getopt_long_only(argc, argv, "qf:h", opts, NULL)) >= 0) {
                if (ch == 'h')
                        return cmd_usage(argv[0]);
                if (ch == 'q')
                        quiet = true;
                else if (ch == 'f') {
                        if (streq(optarg, "json"))
                                json = true;
                        else if (!streq(optarg, "table"))
                                return berth_error(err, 0, "list: --format: unknown format \"%s\" "
                                                           "(table or json)",
                                                   optarg);
                } else
                        return berth_error(err, 0, "list: invalid option (see list --help)");
        }
        if (optind < argc)
                return berth_error(err, 0, "list: unexpected argument \"%s\"", argv[optind]);

        struct dirent **names = NULL;
        int n = scandir(g->root, &names, NULL, alphasort);
        if (n < 0 && errno != ENOENT)
                return berth_error(err, errno, "list: read `%s`", g->root);
        struct json_object *arr = json_object_new_array();
        if (!quiet && !json)
                printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
                       "CREATED", "OWNER");
        for (int i = 0; i < n; i++) {
                _cleanup_container_ Container *c = NULL;
                const char *id = names[i]->d_name;
                int r = id[0] == '.' ? -ENOENT : container_load(g->root, id, &c, NULL);
                /* No state yet: a create that has just begun, or one killed before it saved
                 * any. Listed, so that it is found and `delete --force` removes it. */
                if (r == -ENODATA && (c = calloc(1, sizeof(*c)))) {
                        c->dirfd = -1;
                        c->id = strdup(id);
                        r = c->id ? 0 : -ENOMEM;
                }
                if (r >= 0) {
                        ContainerStatus st = c->dirfd < 0 ? STATUS_CREATING : container_status(c);
                        if (quiet)
                                puts(c->id);
                        else if (json)
                                json_object_array_add(arr, container_state_json(c, st));
                        else
                                printf("%-12s %-8d %-10s %-40s %-30s %s\n", c->id,
                                       st == STATUS_STOPPED ? 0 : c->pid,
                                       container_status_name(st), c->bundle ? c->bundle : "",
                                       c->created ? c->created : "",
                                       c->owner ? c->owner : "");
                }
                free(names[i]);
        }
        free(names);
        if (json)
                puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
        return 0;
}
