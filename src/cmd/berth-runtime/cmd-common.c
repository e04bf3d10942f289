/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What several verbs share: create/run flags, the id argument, JSON output. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>

#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int want_id(int argc, char **argv, int optind_, const char *verb, const char **ret,
            BerthError **err)
{
        if (optind_ >= argc)
                return berth_error(err, 0, "%s: a container id is required", verb);
        if (optind_ + 1 < argc)
                return berth_error(err, 0, "%s: unexpected argument \"%s\"", verb,
                                   argv[optind_ + 1]);
        *ret = argv[optind_];
        return 0;
}

int parse_no_options(int argc, char **argv, BerthError **err)
{
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c = getopt_long_only(argc, argv, "h", opts, NULL);

        if (c < 0)
                return 0;
        if (c == 'h')
                return cmd_usage(argv[0]) < 0 ? -EINVAL : 1;
        return berth_error(err, 0, "%s: invalid option (see %s --help)", argv[0], argv[0]);
}

void print_json(struct json_object *o)
{
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
}

int parse_create_options(const GlobalOptions *g, int argc, char **argv, bool run,
                         struct CreateOptions *o, bool *detach, bool *keep, BerthError **err)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "pid-file", required_argument, NULL, 'p' },
                { "console-socket", required_argument, NULL, 'c' },
                { "no-pivot", no_argument, NULL, 'P' },
                { "no-new-keyring", no_argument, NULL, 'K' },
                { "preserve-fds", required_argument, NULL, 'f' },
                { "detach", no_argument, NULL, 'd' },
                { "keep", no_argument, NULL, 'k' },
                { "no-subreaper", no_argument, NULL, 'S' },
                { "config", required_argument, NULL, 'C' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c, n;

        *o = (struct CreateOptions){ .root = g->root, .systemd_cgroup = g->systemd_cgroup };
        while ((c = getopt_long_only(argc, argv, "b:dkh", opts, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        cmd_usage(argv[0]);
                        return 0;
                case 'b':
                        o->bundle = optarg;
                        break;
                case 'p':
                        o->pid_file = optarg;
                        break;
                case 'c':
                        o->console_socket = optarg;
                        break;
                case 'P':
                        o->no_pivot = true;
                        break;
                case 'K':
                        o->no_new_keyring = true;
                        break;
                case 'f':
                        if (string_safe_atoi(optarg, &n) < 0 || n < 0)
                                return berth_error(err, 0, "--preserve-fds: invalid number \"%s\"",
                                                   optarg);
                        o->preserve_fds = (unsigned)n;
                        break;
                case 'C':
                        o->config = optarg;
                        break;
                case 'd':
                case 'k':
                        if (!run)
                                return berth_error(err, 0, "%s: unknown option", argv[0]);
                        if (c == 'd')
                                *detach = true;
                        else
                                *keep = true;
                        break;
                case 'S':
                        break; /* our run always waits for its own child */
                default:
                        return berth_error(err, 0, "%s: invalid option (see --help)", argv[0]);
                }
        }
        return want_id(argc, argv, optind, argv[0], &o->id, err) < 0 ? -EINVAL : optind;
}
