/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What several verbs share: create/run flags, the id argument, JSON output. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

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

int parse_one_option(int argc, char **argv, const char *name, bool stop_at_id, const char **ret_arg,
                     bool *ret_given, BerthError **err)
{
        const struct option opts[] = {
                { name ? name : "help", ret_arg ? required_argument : no_argument, NULL,
                  name ? name[0] : 'h' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        char shortopts[8];
        int c;

        snprintf(shortopts, sizeof(shortopts), "%s%s%sh", stop_at_id ? "+" : "",
                 name ? (char[]){ name[0], 0 } : "", name && ret_arg ? ":" : "");
        while ((c = getopt_long_only(argc, argv, shortopts, opts, NULL)) >= 0) {
                if (c == 'h')
                        return cmd_usage(argv[0]) < 0 ? -EINVAL : 1;
                if (!name || c != name[0])
                        return berth_error(err, 0, "%s: invalid option (see %s --help)", argv[0],
                                           argv[0]);
                *ret_given = true;
                if (ret_arg)
                        *ret_arg = optarg;
        }
        return 0;
}

int parse_no_options(int argc, char **argv, BerthError **err)
{
        return parse_one_option(argc, argv, NULL, false, NULL, NULL, err);
}

int load_container_arg(const GlobalOptions *g, int argc, char **argv, Container **ret,
                       BerthError **err)
{
        const char *id = NULL;
        int r = parse_no_options(argc, argv, err);

        if (r != 0)
                return r < 0 ? r : 0;
        r = want_id(argc, argv, optind, argv[0], &id, err);
        if (r < 0)
                return r;
        r = container_load(g->root, id, ret, err);
        return r < 0 ? r : 1;
}

int run_on_container(const GlobalOptions *g, int argc, char **argv,
                     int (*op)(Container *c, BerthError **err), BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        int r = load_container_arg(g, argc, argv, &c, err);

        if (r <= 0)
                return r; /* 0: --help */
        r = op(c, err);
        return r < 0 ? r : 0;
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
        /* Socket activation: the fds from 3 on go to the container's process. */
        const char *lf = getenv("LISTEN_FDS");
        if (lf && string_safe_atoi(lf, &n) >= 0 && n > 0)
                o->listen_fds = (unsigned)n;
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
